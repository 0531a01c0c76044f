"""The dashboard link of every alert in out/ opens a real panel that plots what fired, on the host that fired.

Read from out/ as Prometheus, Loki and Grafana load it, not from obsgen's model: each dashboard_url is resolved to a
dashboard uid and panel id of out/grafana/dashboards, whose queries must read the alert's series (a Prometheus
alert's, or those the recording rules it reads read; a log alert's: a Loki recording rule counting the lines its
LogQL counts). Variables passed (&var-x=) must be the dashboard's and filled with the alert's label x; a panel using
a variable named like a label the alert fires with (per its promtool tests) must get it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from generator.core.gotemplate import render
from generator.core.grafana_promql import VARIABLE
from generator.core.promql import PromQLError, metric_names
from generator.derive.log_lines import limit_per_second
from tests.servers import promtool_test

OUT = Path(__file__).resolve().parents[2] / "out"
TEMPLATE_LABEL = re.compile(r"\$labels\.(\w+)")
LOG_QUERY = re.compile(r"\{(?P<selector>[^}]*)\}(?P<pipeline>[^\[]*)\[")
"""A LogQL range aggregation's stream selector and the pipeline before its range."""
MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"')


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _rules(directory: Path, pattern: str) -> list[dict[str, Any]]:
    return [rule for path in sorted(directory.glob(pattern)) for group in _yaml(path)["groups"]
            for rule in group["rules"]]


PROMETHEUS_RULES = _rules(OUT / "prometheus/rules", "*.yml")
LOKI_RULES = _rules(OUT / "loki/rules/fake", "*.yaml")
DASHBOARDS = {document["uid"]: document for document in
              (json.loads(path.read_text()) for path in sorted((OUT / "grafana/dashboards").rglob("*.json")))}


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, those of collapsed rows included."""
    return [p for top in dashboard["panels"] for p in (top, *top.get("panels", ()))]


def _exprs(panel: dict[str, Any]) -> list[str]:
    return [target["expr"] for target in panel.get("targets", ()) if target.get("expr")]


def _names(expr: str) -> frozenset[str]:
    """Metric names a query reads, Grafana's variables and range macros filled as it would."""
    filled = VARIABLE.sub(".*", re.sub(r"\[\$\w+\]", "[5m]", expr))
    try:
        return metric_names(filled)
    except PromQLError:
        return frozenset()


RECORDED = {rule["record"]: rule["expr"] for rule in PROMETHEUS_RULES if "record" in rule}
LOG_RECORDED = {rule["record"]: rule["expr"] for rule in LOKI_RULES if "record" in rule}


def _series(expr: str) -> frozenset[str]:
    """An alert's series and, for those recorded, the series their rules read."""
    names = _names(expr)
    return names | {inner for name in names if name in RECORDED for inner in _names(RECORDED[name])}


def _accepts(selector: str, alert_selector: str) -> bool:
    """Whether a recording rule's stream selector takes every stream the alert's selects (by their equal matchers)
    and, in the alert's series, no other: it selects on every label the alert selects on (a rule leaving `env`
    open records every env's lines where the alert counts production's, and its panel shows another value)."""
    wanted = {label: value for label, op, value in MATCHER.findall(alert_selector) if op == "="}
    matchers = MATCHER.findall(selector)
    return set(wanted) <= {label for label, _, _ in matchers} and all(
        label in wanted and (re.fullmatch(value, wanted[label]) is not None if op == "=~" else
                             wanted[label] == value if op == "=" else False)
        for label, op, value in matchers)


def _counts_same_lines(alert_expr: str, recorded_expr: str) -> bool:
    alert, recorded = LOG_QUERY.search(alert_expr), LOG_QUERY.search(recorded_expr)
    return bool(alert and recorded and recorded["pipeline"].strip() == alert["pipeline"].strip()
                and _accepts(recorded["selector"], alert["selector"]))


def _plots(panel: dict[str, Any], rule: dict[str, Any], log: bool) -> bool:
    """Whether a panel's queries read what the alert fires on."""
    read = {name for expr in _exprs(panel) for name in _names(expr)}
    if log:
        return any(name in LOG_RECORDED and _counts_same_lines(rule["expr"], LOG_RECORDED[name]) for name in read)
    return bool(read & _series(rule["expr"]))


def _fired_labels() -> dict[str, set[str]]:
    """The label names each alert fires with in its promtool tests."""
    found: dict[str, set[str]] = {}
    for path in (OUT / "prometheus/tests").glob("*.yml"):
        for test in _yaml(path)["tests"]:
            for case in test.get("alert_rule_test", ()):
                for alert in case.get("exp_alerts") or ():
                    found.setdefault(case["alertname"], set()).update(alert["exp_labels"])
    return found


FIRED = _fired_labels()


def _resolve(url: str) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, str]]:
    """The dashboard and panel a dashboard_url opens, and the variables it sets (each alert label shown as <label>)."""
    filled = render(url, {name: f"<{name}>" for name in TEMPLATE_LABEL.findall(url)}, None)
    parts = urlsplit(filled)
    uid = parts.path.split("/d/", 1)[1].split("/")[0]
    assert uid in DASHBOARDS, f"{url}: no dashboard of uid {uid} in out/grafana/dashboards"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    dashboard = DASHBOARDS[uid]
    panel = None
    if "viewPanel" in query:
        wanted = int(query["viewPanel"].removeprefix("panel-"))
        panel = next((p for p in _panels(dashboard) if p.get("id") == wanted), None)
        assert panel is not None, f"{url}: dashboard {uid} has no panel {wanted}"
    return dashboard, panel, {key.removeprefix("var-"): value for key, value in query.items() if key.startswith("var-")}


def _alerts() -> list[tuple[dict[str, Any], bool]]:
    """Each alert rule once (escalation copies repeat their alert's annotations), with whether Loki evaluates it."""
    rules = [(rule, False) for rule in PROMETHEUS_RULES] + [(rule, True) for rule in LOKI_RULES]
    return [(rule, log) for rule, log in rules if "alert" in rule and "escalation_level" not in rule.get("labels", {})]


def test_every_dashboard_url_opens_a_panel_plotting_the_alerts_series_on_its_own_labels() -> None:
    checked = 0
    for rule, log in _alerts():
        url = rule["annotations"].get("dashboard_url")
        if not url:
            continue
        dashboard, panel, variables = _resolve(url)
        variable_names = {v["name"] for v in dashboard.get("templating", {}).get("list", ())}
        for name, value in variables.items():
            assert name in variable_names and value == f"<{name}>", f"{rule['alert']}: var-{name}={value}"
        if panel is None:  # the dashboard alone: only where no panel of it plots the alert
            assert not any(_plots(p, rule, log) for p in _panels(dashboard)), f"{rule['alert']}: {url}"
            continue
        if _exprs(panel) or _series(rule["expr"]):
            assert _plots(panel, rule, log), f"{rule['alert']}: panel {panel['title']!r} does not plot it"
        used = {next(filter(None, m.groups())) for expr in _exprs(panel) for m in VARIABLE.finditer(expr)}
        missing = (used & variable_names & FIRED.get(rule["alert"], set())) - set(variables)
        assert not missing, f"{rule['alert']}: panel {panel['title']!r} filters on {missing}, not passed"
        checked += 1
    assert checked >= 40


def test_every_alert_some_panel_plots_links_to_a_panel() -> None:
    for rule, log in _alerts():
        plotting = [(uid, p["title"]) for uid, dashboard in DASHBOARDS.items() for p in _panels(dashboard)
                    if _exprs(p) and _plots(p, rule, log)]
        url = rule["annotations"].get("dashboard_url", "")
        if plotting:
            assert "viewPanel=" in url, f"{rule['alert']} links {url or 'nothing'}; {plotting} plot it"


def test_the_links_pass_the_host_and_open_the_exporter_and_log_panels() -> None:
    links = {rule["alert"]: rule["annotations"].get("dashboard_url", "") for rule, _ in _alerts()}
    titles = {name: (_resolve(url)[1] or {}).get("title") for name, url in links.items() if url}
    passed = "&var-instance={{ . | urlquery }}"
    assert passed in links["CpuHigh"] and passed in links["DiskAlmostFull"]
    assert titles["ForecastAnomaly"] == "Anomaly Scores" and titles["CapacityExhaustedSoon"] == "Time to Exhaustion"
    assert titles["BusinessDatabaseDown"] == titles["ForecastPrometheusDown"] == "Exporter Sources"
    assert titles["BusinessQueryFailing"] == "Failing Queries"  # not its `unless` side's sources panel
    assert titles["ApiErrorLogsHigh"] == "Error Log Lines" and titles["RagEngineTimeouts"] == "Timeout Log Lines"


def test_a_label_value_with_url_characters_reaches_the_dashboard_variable_whole(tmp_path: Path) -> None:
    """Prometheus renders CpuHigh's dashboard_url for an instance named `a&b #c` as obsgen predicts (promtool
    compares them byte for byte), and Grafana reads var-instance back as `a&b #c`, not `a` with the rest lost to
    a second parameter and the fragment."""
    link = next(rule["annotations"]["dashboard_url"] for rule, _ in _alerts() if rule["alert"] == "CpuHigh")
    labels = {"instance": "a&b #c"}
    rendered = render(link, labels, None)
    rule = {"alert": "Link", "expr": 'label_replace(vector(1), "instance", "a&b #c", "", "")',
            "annotations": {"dashboard_url": link}}
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "links", "rules": [rule]}]}))
    result = promtool_test({"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": [{
        "interval": "1m", "input_series": [{"series": "unused", "values": "0"}], "alert_rule_test": [{
            "eval_time": "0m", "alertname": "Link",
            "exp_alerts": [{"exp_labels": labels, "exp_annotations": {"dashboard_url": rendered}}]}]}]},
        tmp_path / "test.yml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
    parts = urlsplit(rendered)
    assert parse_qs(parts.query)["var-instance"] == ["a&b #c"] and not parts.fragment, rendered


def test_the_panel_a_log_alert_opens_draws_a_line_where_it_fires() -> None:
    """ApiErrorLogsHigh (50 errors in 5 minutes) and RagEngineTimeouts (20 in 10) open panels of the recorded lines
    a second: each draws its threshold as a line at that rate (50/300, 20/600), coloured worse above it, and its
    axis reaches it (Grafana draws no line outside the axis it scales to the series), so an operator sees how close
    to paging the lines are. Read from out/, as Grafana draws it."""
    checked = 0
    for rule, log in _alerts():
        url = rule["annotations"].get("dashboard_url", "")
        if not log or not url:
            continue
        panel = _resolve(url)[1]
        assert panel is not None, rule["alert"]
        limit = limit_per_second(rule["expr"])
        defaults = panel["fieldConfig"]["defaults"]
        steps = [(step["value"], step["color"]) for step in defaults.get("thresholds", {}).get("steps", ())]
        custom = defaults.get("custom", {})
        assert limit is not None and (pytest.approx(limit), "red") in steps, (rule["alert"], panel["title"], steps)
        assert custom.get("thresholdsStyle", {}).get("mode", "off") != "off", (rule["alert"], panel["title"])
        assert custom.get("axisSoftMax", 0) >= limit, (rule["alert"], panel["title"])
        checked += 1
    assert checked == 2
