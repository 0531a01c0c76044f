"""The Grafana files a preview draws: dashboards under dashboards/<folder>/, the Prometheus data source's interval."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.checks.lint.dashboard_json import panels, shape_problem
from generator.core.duration import parse_seconds
from generator.core.grafana_promql import PARSE_BUILTINS, interpolate
from generator.core.grafana_variable_value import opening_values
from generator.core.promql import PromQLError, metric_names
from generator.core.untrusted import FileError, read_json_file, read_yaml_document
from generator.model.identity import GRAFANA_UID

DEFAULT_SCRAPE = 15.0
"""Grafana's minimum step for a Prometheus data source that sets no timeInterval."""


class PreviewError(Exception):
    """Input a preview cannot draw (a missing directory, a file that is not a dashboard); one line, no traceback."""


@dataclass(frozen=True)
class DashboardFile:
    """One dashboard as Grafana loads it from a file provider: folder from the directory, the JSON document."""

    path: Path
    folder: str
    document: dict[str, Any]

    @property
    def uid(self) -> str:
        """The dashboard's uid (its file name when it has none)."""
        return str(self.document.get("uid") or self.path.stem)

    @property
    def title(self) -> str:
        """The dashboard's title."""
        return str(self.document.get("title") or self.uid)

    @property
    def refresh_seconds(self) -> float | None:
        """The auto-refresh interval, None when the dashboard does not refresh by itself."""
        refresh = self.document.get("refresh")
        try:
            return parse_seconds(refresh) if isinstance(refresh, str) and refresh else None
        except ValueError:
            return None

    def variable_defaults(self) -> dict[str, str]:
        """Each template variable's value when the dashboard opens, before its query variables' queries run
        (core/grafana_variable_value.opening_value)."""
        return opening_values(self.document)

    def series_read(self) -> set[str]:
        """Names of the series the dashboard's queries read (what demo data must hold)."""
        values = {**PARSE_BUILTINS, **self.variable_defaults()}
        names: set[str] = set()
        for panel in panels(self.document):
            for target in panel.get("targets", []):
                try:
                    names |= metric_names(interpolate(str(target.get("expr", "")), values))
                except (KeyError, PromQLError):
                    continue  # a query the page will show as failing; there is no series to fill for it
        return names


def dashboard_file(path: Path, root: Path) -> DashboardFile:
    """One dashboard file under root (its folder is the directory it sits in); PreviewError if unreadable, or not
    the shape of a Grafana dashboard, or when its uid (or, without one, its file name) is not a Grafana uid: the
    uid names the files a preview writes."""
    try:  # out/ (or a directory given) may be edited or come from a pull request: bounded, no key written twice
        document = read_json_file(path)
    except FileError as error:
        raise PreviewError(f"{error.where}: not a readable dashboard: {error.reason}") from None
    problem = shape_problem(document)
    if problem:
        raise PreviewError(f"{path}: not a Grafana dashboard: {problem}")
    relative = path.parent.relative_to(root)
    found = DashboardFile(path, relative.as_posix() if relative.parts else "General", document)
    if not GRAFANA_UID.match(found.uid):
        raise PreviewError(f"{path}: has no uid, and its file name {path.stem!r} is not a Grafana uid to use instead")
    return found


def dashboards(grafana: Path, only: str = "") -> list[DashboardFile]:
    """Every dashboard under grafana/dashboards/, by folder and uid; only one (uid or title) when only is set."""
    root = grafana / "dashboards"
    if not root.is_dir():
        raise PreviewError(f"{root}: no dashboards directory (run `obsgen build` first)")
    found = [dashboard_file(path, root) for path in sorted(root.rglob("*.json"))]
    if only:
        found = [d for d in found if only in (d.uid, d.title)]
        if not found:
            raise PreviewError(f"no dashboard with uid or title {only!r} under {root}")
    return found


def scrape_interval(grafana: Path) -> float:
    """The Prometheus data source's timeInterval (Grafana's minimum step), from its provisioning."""
    for path in sorted((grafana / "provisioning" / "datasources").glob("*.y*ml")):
        try:
            document = read_yaml_document(path) or {}
        except FileError as error:
            raise PreviewError(str(error)) from None
        for source in document.get("datasources", []) if isinstance(document, dict) else []:
            interval = (source.get("jsonData") or {}).get("timeInterval")
            if source.get("type") == "prometheus" and interval:
                try:
                    return parse_seconds(str(interval))
                except ValueError:
                    raise PreviewError(f"{path}: timeInterval {interval!r} is not a duration") from None
    return DEFAULT_SCRAPE
