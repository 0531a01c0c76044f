"""A dashboard variable nothing uses: a picker on top of the dashboard that changes nothing.

A variable is used when something of the dashboard names it: a panel's query, title, description, link or data
source (`$name`, `${name}`, `${name:regex}`, `[[name]]`), a panel or row repeated over it (`repeat: name`),
an annotation's query, a dashboard link, or another variable's query (a chained variable, itself used or not).
One nobody names still runs its query at every load and offers values that change no panel: the reader picks
`0.99` and the panels stay as they were. Grafana marks it "not referenced by any variable or dashboard" in the
dashboard's variable settings, and grafana-dashboard-linter's template rules read the same references.
Ad hoc filters apply to every query by themselves and are not judged, nor is a dashboard holding a library panel
(`libraryPanel`, an imported one Grafana's export did not carry the model of): its queries live in Grafana's
library, out of sight, and may name any variable. Nor is a dashboard whose links carry every variable to the
dashboards they open (a dashboard link's `includeVars`, a URL's `${__all_variables}`): a variable named nowhere
else still sets the linked dashboards' value there (an overview's cluster picker that its links pass on). A link
with includeVars to Explore (which reads no `var-` parameter) or to the dashboard itself (obsgen's theme links)
passes nothing on, and is no use.

    Dashboard(variables=(job_variable(), CustomVariable(name="quantile", options=("0.95", "0.99"))),
              rows=(Row(panels=(Panel(queries='histogram_quantile(0.99, ...)'),)),))   # $quantile never read

Fix: use it (`histogram_quantile($quantile, ...)`), or remove it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from generator.checks.lint.dashboard_json import LintContext, panels
from generator.core.dashboard_variables import template_variables, with_variables
from generator.core.errors import Level

CODE = "GD012"
NAME = "unused-variable"
LEVEL = Level.WARNING
NOT_NAMED = frozenset({"adhoc"})
"""Variable types that act without being named."""


def _named(text: str, name: str) -> bool:
    """Whether the text (a dashboard as JSON) refers to the variable."""
    escaped = re.escape(name)
    return re.search(rf"\$(?:{escaped}(?!\w)|\{{{escaped}[}}:.])|\[\[{escaped}(?:\]\]|:)|\"repeat\": \"{escaped}\"",
                     text) is not None


def _opens_a_dashboard(link: dict[str, Any], uid: str) -> bool:
    """Whether a dashboard link can open a dashboard that reads the variables it passes: a list of dashboards by
    tag, or a URL other than Explore's (which reads no var- parameter) and this dashboard's own (a theme link)."""
    if link.get("type") == "dashboards":
        return True
    path = urlsplit(str(link.get("url") or "")).path.rstrip("/")
    if path.endswith("/explore"):
        return False
    return not uid or re.search(rf"/d/{re.escape(uid)}(/|$)", path) is None


def _carries_variables(dashboard: dict[str, Any]) -> bool:
    """Whether a link of the dashboard passes every variable on to another dashboard: a dashboard link with
    includeVars, or any URL naming ${__all_variables} (how a panel link says it: Grafana's data links ignore
    includeVars)."""
    links = dashboard.get("links")
    uid = str(dashboard.get("uid") or "")
    return any(isinstance(link, dict) and link.get("includeVars") is True and _opens_a_dashboard(link, uid)
               for link in (links if isinstance(links, list) else ())) or "__all_variables" in json.dumps(dashboard)


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """The dashboard itself, once for each variable nothing names."""
    if any("libraryPanel" in panel for panel in panels(dashboard)) or _carries_variables(dashboard):
        return
    variables = template_variables(dashboard)
    for number, variable in enumerate(variables):
        name = variable.get("name")
        if not isinstance(name, str) or not name or variable.get("type") in NOT_NAMED:
            continue
        rest = with_variables(dashboard, variables[:number] + variables[number + 1:])
        if not _named(json.dumps(rest, ensure_ascii=False), name):  # (as written: $región, not $regi\u00f3n)
            yield dashboard, (f"variable ${name} is used by no query, title, link, repeat or other variable: its "
                              "picker changes nothing; use it or remove it")
