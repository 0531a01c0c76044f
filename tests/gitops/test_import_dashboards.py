"""`obsgen import` of Grafana dashboards of every schema generation: definitions modules that build back to
the current schema with the same queries, units and panel kinds, old types mapped to their successors,
and nothing dropped."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build, compile_definitions, load
from generator.core.errors import DefinitionError
from generator.importer.write import import_files
from generator.model import Dashboard
from tests.gitops.helpers import (
    FIXTURES,
    KUBE_PROMETHEUS,
    KUBE_PROMETHEUS_DASHBOARDS,
    OLD_DASHBOARDS,
    ROOT,
    copy_definitions,
)
from tests.grafana.schema_oracle import problems

V14, V18 = FIXTURES / "dashboards/legacy-rows-v14.json", FIXTURES / "dashboards/exported-grafana6-v18.json"
Shown = list[tuple[str, str, tuple[str, ...], str]]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The shipped definitions, plus kube-prometheus' manifests (`obsgen import manifests/*.yaml`: rules and
    dashboards alike) and the old-schema dashboards, imported by the command; the out/ they build."""
    root = tmp_path_factory.mktemp("dashboards")
    definitions = copy_definitions(root)
    result = subprocess.run([sys.executable, "-m", "generator", "import", "-d", str(definitions),
                             *map(str, [*KUBE_PROMETHEUS, KUBE_PROMETHEUS_DASHBOARDS, *OLD_DASHBOARDS])],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    build(definitions, root / "out")
    return definitions, root / "out", result.stdout + result.stderr


def _kube_prometheus() -> dict[str, dict[str, Any]]:
    """kube-prometheus' dashboards by ConfigMap key (alertmanager-overview.json, ...)."""
    config_maps = yaml.safe_load(KUBE_PROMETHEUS_DASHBOARDS.read_text())["items"]
    return {key: json.loads(text) for config_map in config_maps for key, text in config_map["data"].items()}


def _built(out: Path, uid: str) -> dict[str, Any]:
    (path,) = (out / "grafana/dashboards").rglob(f"{uid}.json")
    return dict(json.loads(path.read_text()))


def _built_by_title(out: Path, title: str) -> dict[str, Any]:
    found = [json.loads(p.read_text()) for p in (out / "grafana/dashboards").rglob("*.json")]
    return next(dashboard for dashboard in found if dashboard["title"] == title)


def _reading_order(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def position(panel: dict[str, Any]) -> tuple[int, int]:
        return panel.get("gridPos", {}).get("y", 0), panel.get("gridPos", {}).get("x", 0)

    found = []
    for panel in sorted(panels, key=position):
        found.append(panel)
        found += sorted(panel.get("panels") or [], key=position)
    return found


def _shown(dashboard: dict[str, Any]) -> Shown:
    """What a viewer sees of each panel and row, in reading order: title, kind, queries, unit."""
    return [(str(p.get("title")), str(p["type"]), tuple(t.get("expr", "") for t in p.get("targets") or []),
             str(p.get("fieldConfig", {}).get("defaults", {}).get("unit", "")))
            for p in _reading_order(dashboard["panels"])]


def _rows(dashboard: dict[str, Any]) -> dict[str, tuple[bool, list[str]]]:
    """Each row: collapsed or not, and the panels it holds (nested when collapsed, following when open)."""
    found: dict[str, tuple[bool, list[str]]] = {}
    current = ""
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            current = panel["title"]
            found[current] = (panel["collapsed"], [p["title"] for p in panel["panels"]])
        elif current:
            found[current][1].append(panel["title"])
    return found


def test_all_kube_prometheus_dashboards_build_back_with_the_same_queries_units_and_kinds(
        imported: tuple[Path, Path, str]) -> None:
    sources = _kube_prometheus()
    assert len(sources) == 33
    for key, source in sources.items():
        built = _built(imported[1], source["uid"])
        assert built["schemaVersion"] == 42 and source["schemaVersion"] in (39, 41), key
        assert _shown(built) == _shown(source), key
        assert [(v["name"], v["type"]) for v in built["templating"]["list"]] == [
            (v["name"], v["type"]) for v in source["templating"]["list"]], key


def _urls(value: Any) -> list[str]:
    """Every link's URL in a dashboard's JSON: dashboard links, panel links, data links (defaults, overrides)."""
    if isinstance(value, dict):
        return [url for key, item in value.items()
                for url in ([item] if key == "url" and isinstance(item, str) else _urls(item))]
    return [url for item in value for url in _urls(item)] if isinstance(value, list) else []


def test_every_kube_prometheus_link_keeps_its_target_dashboard_variables_and_panel(
        imported: tuple[Path, Path, str]) -> None:
    # kube-prometheus' drill-downs (/d/<uid>?var-namespace=${__data.fields.Namespace}...) must open the same
    # dashboard with the same variables set once imported and built: the uid, each var-<name> the target reads, and
    # a viewPanel= a panel of it
    built = {source["uid"]: _built(imported[1], source["uid"]) for source in _kube_prometheus().values()}
    linked = 0
    for key, source in _kube_prometheus().items():
        urls = _urls(built[source["uid"]])
        assert sorted(urls) == sorted(_urls(source)), key  # none of them names a panel of its own dashboard
        for url in urls:
            uid = url.split("/d/", 1)[1].split("/", 1)[0].split("?", 1)[0] if "/d/" in url else source["uid"]
            assert uid in built, (key, url)  # imported with its uid
            variables = {v["name"] for v in built[uid]["templating"]["list"]}
            assert set(re.findall(r"[?&]var-([\w]+)=", url)) <= variables, (key, url, variables)
            panels = {p["id"] for p in built[uid]["panels"]} | {
                inner["id"] for p in built[uid]["panels"] for inner in p.get("panels", [])}
            assert {int(n) for n in re.findall(r"[?&]viewPanel=(?:panel-)?(\d+)", url)} <= panels, (key, url)
            linked += 1
    assert linked == 26  # all of them (a 27th "url" in the file is a variable's name)


def test_rules_and_dashboards_come_in_with_one_command(imported: tuple[Path, Path, str]) -> None:
    # kube-prometheus' 8 rule files and 33 dashboards (340 panels), and the two old-schema dashboards (15 panels)
    assert ("obsgen import: 43 modules, 38 groups, 139 alerts, 95 recording rules, 35 dashboards (355 panels)"
            in imported[2])
    shipped = len(load(ROOT / "definitions").all(Dashboard))
    assert len(load(imported[0]).all(Dashboard)) == shipped + 33 + 2


V14_SHOWN = [
    ("Overview", "row", (), ""),
    ("Targets up", "stat", ('avg(up{job=~"$job"})',), "percentunit"),
    ("Scrape duration", "stat", ('avg(scrape_duration_seconds{job=~"$job"})',), "s"),
    ("CPU busy", "timeseries",
     ('1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle",job=~"$job"}[$interval]))',), "percentunit"),
    ("Requests", "row", (), ""),
    ("Request latency", "timeseries", ('histogram_quantile($quantile, sum by (le) '
                                       '(rate(http_request_duration_seconds_bucket{job=~"$job"}[5m])))',), "s"),
    ("Requests by code", "timeseries", ('sum by (code) (rate(http_requests_total{job=~"$job"}[5m]))',), "reqps"),
    ("About", "text", (), ""),
    ("Tables", "row", (), ""),
    ("Top handlers", "table", ('topk(5, sum by (handler) (rate(http_requests_total{job=~"$job"}[5m])))',), "reqps"),
    ("Firing alerts", "alertlist", (), ""),
]
V18_SHOWN = [
    ("Availability", "stat", ('sum(rate(http_requests_total{service="$service",code!~"5.."}[5m])) / '
                              'sum(rate(http_requests_total{service="$service"}[5m]))',), "percentunit"),
    ("Requests by method", "piechart", ('sum by (method) (increase(http_requests_total{service="$service"}[1h]))',),
     "short"),
    ("Latency distribution", "heatmap",
     ('sum by (le) (increase(http_request_duration_seconds_bucket{service="$service"}[$__interval]))',), "s"),
    ("Errors", "row", (), ""),
    ("5xx rate", "timeseries", ('sum by (code) (rate(http_requests_total{service="$service",code=~"5.."}[5m]))',),
     "reqps"),
    ("Error log lines", "timeseries", ('sum(count_over_time({service="$service"} |= "error" [5m]))',), "short"),
    ("Details", "row", (), ""),
    ("Slowest endpoints", "table", ('topk(10, histogram_quantile(0.99, sum by (le, handler) '
                                    '(rate(http_request_duration_seconds_bucket{service="$service"}[5m]))))',),
     "short"),  # the catch-all style's unit, whatever its type, as Grafana's migrateDefaults
    ("In-flight requests", "stat", ('sum(http_requests_in_flight{service="$service"})',), "none"),
]


@pytest.mark.parametrize(("source", "expected"), [
    ("legacy-rows-v14.json", V14_SHOWN),  # Grafana 4: rows: [...], graph, singlestat, angular table
    ("exported-grafana6-v18.json", V18_SHOWN),  # Grafana 6 export: grid, piechart plugin, angular heatmap
    ("k8s-resources-cluster.json", None),  # kube-prometheus, schemaVersion 39
    ("grafana-overview.json", None),  # kube-prometheus, schemaVersion 41
])
def test_dashboards_of_each_schema_generation_round_trip(imported: tuple[Path, Path, str], source: str,
                                                         expected: Shown | None) -> None:
    if expected is None:
        original = _kube_prometheus()[source]
        built, expected = _built(imported[1], original["uid"]), _shown(original)
    else:
        original = json.loads((FIXTURES / "dashboards" / source).read_text())
        built = _built_by_title(imported[1], original["title"])
    assert built["schemaVersion"] == 42
    assert _shown(built) == expected
    if original.get("uid"):
        assert built["uid"] == original["uid"]


def test_old_panel_types_become_their_successors_with_a_warning(imported: tuple[Path, Path, str]) -> None:
    output = imported[2]
    for mapping in ("graph panels became timeseries", "singlestat panels became stat",
                    "grafana-piechart-panel panels became piechart", "old heatmap panels' settings translated",
                    "old table panels' settings translated", "panels in old-style rows placed on the grid"):
        assert mapping in output, mapping
    # at the first graph panel's line (rows[1].panels[0]), each other one at its own
    assert "legacy-rows-v14.json:72: dashboard Legacy Node Overview: graph panels became timeseries, Grafana's " \
           "successor (settings translated as Grafana's own migration does): 'CPU busy', " \
           "'Request latency' (line 97), 'Requests by code' (line 107)" in output
    module = (imported[0] / "dashboards_legacy_rows_v14.py").read_text()
    assert "Import notes:\n- line 40: panels in old-style rows placed on the grid" in module  # at rows:


def test_old_settings_are_translated_as_grafana_migrates_them(imported: tuple[Path, Path, str]) -> None:
    panels = {p["title"]: p for p in _reading_order(_built_by_title(imported[1], "Legacy Node Overview")["panels"])}
    cpu = panels["CPU busy"]
    assert cpu["fieldConfig"]["defaults"]["custom"]["stacking"]["mode"] == "normal"
    assert cpu["fieldConfig"]["defaults"]["thresholds"]["steps"] == [{"color": "transparent", "value": None},
                                                                     {"color": "red", "value": 0.9}]
    assert cpu["options"]["legend"] == {"showLegend": True, "displayMode": "table", "placement": "bottom",
                                        "calcs": ["mean", "max", "lastNotNull"]}
    targets_up = panels["Targets up"]
    assert targets_up["options"]["colorMode"] == "background" and targets_up["options"]["graphMode"] == "area"
    assert [s["value"] for s in targets_up["fieldConfig"]["defaults"]["thresholds"]["steps"]] == [None, 0.9, 0.99]
    assert panels["Requests by code"]["fieldConfig"]["defaults"]["custom"]["stacking"]["mode"] == "percent"
    assert panels["Top handlers"]["transformations"] == [
        {"id": "reduce", "options": {"reducers": ["mean", "lastNotNull"], "includeTimeField": False}}]
    heatmap = next(p for p in _built_by_title(imported[1], "Checkout Service (Grafana 6)")["panels"]
                   if p["title"] == "Latency distribution")
    assert heatmap["options"]["calculate"] is False and heatmap["options"]["color"]["scheme"] == "Spectral"
    assert heatmap["options"]["rowsFrame"] == {"layout": "le"}


def test_collapsed_rows_keep_their_panels_nested(imported: tuple[Path, Path, str]) -> None:
    assert _rows(_built_by_title(imported[1], "Legacy Node Overview")) == {
        "Overview": (False, ["Targets up", "Scrape duration", "CPU busy"]),
        "Requests": (True, ["Request latency", "Requests by code", "About"]),
        "Tables": (False, ["Top handlers", "Firing alerts"]),
    }
    assert _rows(_built_by_title(imported[1], "Checkout Service (Grafana 6)")) == {
        "Errors": (False, ["5xx rate", "Error log lines"]),
        "Details": (True, ["Slowest endpoints", "In-flight requests"]),
    }


def test_what_the_model_cannot_express_is_kept_verbatim_with_a_warning(imported: tuple[Path, Path, str]) -> None:
    v14 = _built_by_title(imported[1], "Legacy Node Overview")
    panels = {p["title"]: p for p in _reading_order(v14["panels"])}
    assert panels["Targets up"]["postfix"] == " of targets"  # singlestat's, no successor
    assert (panels["Firing alerts"]["type"], panels["Firing alerts"]["limit"]) == ("alertlist", 10)
    assert {"name": "env", "label": "Environment", "type": "constant", "query": "production", "hide": 2,
            "current": {"text": "production", "value": "production"}} in v14["templating"]["list"]
    loki = next(p for p in _built_by_title(imported[1], "Checkout Service (Grafana 6)")["panels"][4:]
                if p["title"] == "Error log lines")
    assert loki["datasource"] == {"type": "loki", "uid": "loki"}  # ${DS_LOKI}: the Loki obsgen provisions
    assert loki["targets"] == [{"expr": 'sum(count_over_time({service="$service"} |= "error" [5m]))', "refId": "A"}]
    source = _kube_prometheus()["k8s-resources-cluster.json"]
    built = _built(imported[1], source["uid"])
    with_transformations = [p for p in _reading_order(source["panels"]) if p.get("transformations")]
    assert with_transformations and all(
        next(b for b in _reading_order(built["panels"]) if b["title"] == p["title"])["transformations"]
        == p["transformations"] for p in with_transformations)
    for warning in ("old panel settings with no successor, kept verbatim (Grafana's stat ignores them): "
                    "'Targets up' postfix", "panel types obsgen does not model, kept verbatim: alertlist",
                    "variables of a kind obsgen does not model, kept verbatim: $env (constant)",
                    "queries kept verbatim, not checked (another data source, or not PromQL obsgen parses): "
                    "'Error log lines'", "Grafana JSON obsgen does not model, kept verbatim in extra=: "):
        assert warning in imported[2], warning


def test_only_what_is_kept_verbatim_is_outside_grafanas_current_schema(imported: tuple[Path, Path, str]) -> None:
    assert problems(_built_by_title(imported[1], "Legacy Node Overview")) == [
        "dashboard.panels[1].targets[0].step: not in Grafana's schema",  # Grafana 4's Prometheus step
        "dashboard.panels[1].postfix: not in Grafana's schema",
        "dashboard.panels[7].show: not in Grafana's schema",  # the alertlist's own settings
        "dashboard.panels[7].limit: not in Grafana's schema",
        "dashboard.panels[7].onlyAlertsOnDashboard: not in Grafana's schema",
        "dashboard.gnet_id: expected a string, got 405",  # grafana.com id, as Grafana 4 wrote it
    ]
    assert problems(_built_by_title(imported[1], "Checkout Service (Grafana 6)")) == [
        "dashboard.panels[6].panels[0].sort: not in Grafana's schema",  # the angular table's column index
        "panel 'Error log lines': target is not a Prometheus query",  # LogQL, kept for Loki
    ]


def test_series_nobody_declares_are_external_except_what_imported_rules_record(
        imported: tuple[Path, Path, str], tmp_path: Path) -> None:
    module = (imported[0] / "dashboards_k8s_resources_cluster.py").read_text()
    external = module.split("external_series=(")[1]
    assert '"container_fs_reads_total"' in external and '"kube_node_status_allocatable"' in external
    assert "node_namespace_pod_container:container_cpu_usage_seconds_total" not in external  # a recording rule
    definitions = copy_definitions(tmp_path)
    import_files([V18], definitions)
    path = definitions / "dashboards_exported_grafana6_v18.py"
    text = path.read_text()
    assert '"http_requests_in_flight", ' in text.split("external_series=")[1]
    path.write_text(text.replace('"http_requests_in_flight", ', ""))
    with pytest.raises(DefinitionError, match=r"dashboards_exported_grafana6_v18.py:\d+: dashboard Checkout Service "
                                              r"\(Grafana 6\) panel 'In-flight requests' reads 'http_requests_in_fl"
                                              r"ight'.*or list it in the dashboard's external_series"):
        load(definitions)


def test_imported_modules_read_like_definitions_and_are_not_linted(imported: tuple[Path, Path, str]) -> None:
    module = (imported[0] / "dashboards_legacy_rows_v14.py").read_text()
    # $datasource written ahead of the variables the file has (the Dashboard adds it; written, the loader names a
    # refused variable by its place in variables: import57)
    assert ("from generator.model import (\n    CustomVariable,\n    Dashboard,\n    DatasourceVariable,\n"
            "    IntervalVariable,\n") in module
    assert 'Panel(\n                    title="CPU busy",\n                    kind="timeseries",' in module
    assert "thresholds=((None, \"transparent\"), (0.9, \"red\"))," in module
    assert "lint=False," in module
    written = [path for path in imported[0].glob("*.py") if "obsgen import" in path.read_text().split("\n")[0]]
    assert len(written) == 43
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *map(str, written)],
                          capture_output=True, text=True, timeout=120)
    assert ruff.returncode == 0, ruff.stdout  # `make lint` checks definitions/ too
    linted = [p for p in compile_definitions(imported[0]).report.problems if p.code.startswith("GD")]
    assert linted == []  # imported dashboards are kept as written, as imported rules are


def test_a_second_import_writes_the_same_modules(imported: tuple[Path, Path, str], tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    import_files([*KUBE_PROMETHEUS, KUBE_PROMETHEUS_DASHBOARDS, *OLD_DASHBOARDS], definitions)
    written = sorted(definitions.glob("*.py"))
    assert len(written) == len(list(imported[0].glob("*.py")))
    for module in written:
        assert module.read_text() == (imported[0] / module.name).read_text(), module.name


def test_a_single_dashboard_takes_a_module_name_a_folder_and_api_envelopes(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    envelope = tmp_path / "shop.json"
    envelope.write_text(json.dumps({"meta": {"folderTitle": "Shop"}, "dashboard": json.loads(V18.read_text())}))
    report = import_files([envelope], definitions, module="checkout")
    assert [p.name for p in report.modules] == ["checkout.py"] and report.dashboards == 1
    assert load(definitions).by_name(Dashboard)["Checkout Service (Grafana 6)"].folder == "Shop"
    import_files([V14], definitions, folder="Legacy")
    assert load(definitions).by_name(Dashboard)["Legacy Node Overview"].folder == "Legacy"


def test_a_dashboard_the_model_rejects_fails_the_import_naming_it_and_writes_nothing(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    broken = json.loads(V18.read_text())
    broken["templating"]["list"][0]["name"] = "my-service"
    source = tmp_path / "broken.json"
    text = json.dumps(broken, indent=1)
    source.write_text(text)
    line = text[:text.index('"name": "my-service"')].count("\n")  # the variable's opening brace, the line above
    before = sorted(p.name for p in definitions.iterdir())
    with pytest.raises(DefinitionError, match=rf"broken.json:{line}: dashboard 'Checkout Service \(Grafana 6\)': "
                                              r"variables: variable name 'my-service' is invalid"):
        import_files([source], definitions)
    assert sorted(p.name for p in definitions.iterdir()) == before
    source.write_text(json.dumps({"dashboards": []}))
    with pytest.raises(DefinitionError, match=r"broken.json: cannot import: no Grafana dashboard in it"):
        import_files([source], definitions)


def test_a_prometheus_data_source_variable_of_another_name_becomes_datasource(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    dashboard = json.loads(V18.read_text())
    dashboard["templating"]["list"].insert(0, {"name": "DS", "type": "datasource", "query": "prometheus",
                                               "current": {"text": "Prom", "value": "Prom"}})
    dashboard["panels"][0]["datasource"] = "$DS"
    source = tmp_path / "named.json"
    source.write_text(json.dumps(dashboard))
    import_files([source], definitions)
    build(definitions, tmp_path / "out")
    built = _built(tmp_path / "out", "checkout-g6")
    assert built["templating"]["list"][0] == {**built["templating"]["list"][0], "name": "datasource",
                                              "type": "datasource", "current": {"text": "Prom", "value": "Prom"}}
    assert built["panels"][0]["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_an_import_that_would_not_load_names_the_project_files_never_its_scratch_copy(tmp_path: Path) -> None:
    # The error named the other dashboard at .definitions.import-<random>/definitions/..., deleted when it is read.
    definitions = copy_definitions(tmp_path)
    dashboard = {"title": "Same", "panels": [{"type": "text", "title": "t", "options": {"content": "x"}}]}
    for name in ("first", "second"):
        (tmp_path / f"{name}.json").write_text(json.dumps(dashboard))
    import_files([tmp_path / "first.json"], definitions)
    with pytest.raises(DefinitionError) as raised:
        import_files([tmp_path / "second.json"], definitions)
    assert f"also defined at {definitions.resolve() / 'dashboards_first.py'}:" in str(raised.value)
    assert ".import-" not in str(raised.value)
