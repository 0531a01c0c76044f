"""The meaning the corpus test compares sees every field of links, annotations, variables, queries and the options
of a panel Grafana does not migrate (a text panel's content among them): a change of any one of them is a change of
meaning (dashboard links compared by title, url and type let a lost keepTime and includeVars pass), and what
Grafana fills in for an absent field is the same as writing it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.gitops.grafana_meaning import dashboard_meaning

DASHBOARD: dict[str, Any] = {
    "title": "Workloads", "schemaVersion": 39,
    "links": [{"type": "dashboards", "title": "Kubernetes", "tags": ["kubernetes-mixin"], "asDropdown": True,
               "includeVars": True, "keepTime": True}],
    "annotations": {"list": [{"name": "Deploys", "expr": "changes(deploy_total[5m]) > 0", "iconColor": "red",
                              "titleFormat": "{{service}}", "step": "60s"}]},
    "templating": {"list": [{"name": "pod", "type": "query", "query": "label_values(up, pod)", "sort": 1,
                             "refresh": 2}]},
    "panels": [{"type": "timeseries", "title": "CPU", "links": [{"title": "Docs", "url": "https://example.com"}],
                "targets": [{"expr": "rate(cpu[5m])", "refId": "A", "format": "time_series", "interval": "1m",
                             "intervalFactor": 2}],
                "options": {"legend": {"displayMode": "table", "calcs": ["max"]}}},
               {"type": "text", "title": "Notes", "gridPos": {"x": 0, "y": 9, "w": 24, "h": 3},
                "options": {"content": "Ask #platform"}}],
}


def _changed(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    dashboard = copy.deepcopy(DASHBOARD)
    owner = dashboard
    for key in path[:-1]:
        owner = owner[key]
    if value is None:
        del owner[path[-1]]
    else:
        owner[path[-1]] = value
    return dashboard


LINK, ANNOTATION, VARIABLE = ("links", 0), ("annotations", "list", 0), ("templating", "list", 0)
TARGET, PANEL_LINK = ("panels", 0, "targets", 0), ("panels", 0, "links", 0)
OPTIONS, TEXT = ("panels", 0, "options"), ("panels", 1, "options")


@pytest.mark.parametrize(("path", "value"), [
    ((*LINK, "keepTime"), None), ((*LINK, "includeVars"), False), ((*LINK, "asDropdown"), None),
    ((*LINK, "tags"), ["other"]), ((*LINK, "targetBlank"), True),
    ((*ANNOTATION, "iconColor"), "blue"), ((*ANNOTATION, "titleFormat"), None), ((*ANNOTATION, "hide"), True),
    ((*VARIABLE, "sort"), None), ((*VARIABLE, "skipUrlSync"), True),
    ((*TARGET, "interval"), None), ((*TARGET, "intervalFactor"), None), ((*TARGET, "format"), "table"),
    ((*TARGET, "refId"), "B"), ((*TARGET, "exemplar"), True),
    ((*PANEL_LINK, "targetBlank"), True), ((*PANEL_LINK, "url"), "https://example.org"),
    ((*OPTIONS, "legend", "displayMode"), None), ((*OPTIONS, "legend", "calcs"), []),
    ((*OPTIONS, "tooltip"), {"mode": "multi"}), ((*TEXT, "content"), "Ask #ops"), ((*TEXT, "mode"), "html"),
], ids=lambda value: ".".join(map(str, value)) if isinstance(value, tuple) else repr(value))
def test_a_change_of_any_field_is_a_change_of_meaning(path: tuple[Any, ...], value: Any) -> None:
    assert dashboard_meaning(_changed(path, value)) != dashboard_meaning(DASHBOARD)


@pytest.mark.parametrize(("path", "value"), [
    ((*LINK, "targetBlank"), False), ((*LINK, "icon"), "external link"), ((*ANNOTATION, "enable"), True),
    ((*VARIABLE, "skipUrlSync"), False), ((*VARIABLE, "definition"), "label_values(up, pod)"),
    ((*TARGET, "refId"), None), ((*TARGET, "format"), None), ((*TARGET, "exemplar"), False),
    ((*TARGET, "editorMode"), "code"), ((*PANEL_LINK, "keepTime"), True),
    ((*OPTIONS, "tooltip"), {"mode": "single", "sort": "none"}), ((*OPTIONS, "legend", "placement"), "bottom"),
    ((*TEXT, "mode"), "markdown"), ((*OPTIONS, "text"), {}),
], ids=lambda value: ".".join(map(str, value)) if isinstance(value, tuple) else repr(value))
def test_what_grafana_fills_in_or_never_reads_is_no_change(path: tuple[Any, ...], value: Any) -> None:
    assert dashboard_meaning(_changed(path, value)) == dashboard_meaning(DASHBOARD)


def test_an_old_panel_link_means_the_url_grafanas_schema_19_upgrade_makes_of_it() -> None:
    old = {"title": "Old", "schemaVersion": 18, "panels": [{"type": "graph", "title": "p", "links": [
        {"title": "Complex", "dashboard": "Complex Dashboard!", "keepTime": True, "includeVars": True,
         "params": "a=1", "targetBlank": True}, {"title": "Params", "url": "http://x?y=1", "params": "a=1"}]}]}
    links = dashboard_meaning(old)["panels"][0]["links"]
    assert links == ({"title": "Complex", "url": "dashboard/db/complex-dashboard?$__url_time_range&$__all_variables"
                                                 "&a=1", "targetBlank": True},
                     {"title": "Params", "url": "http://x?y=1&a=1", "targetBlank": False})
