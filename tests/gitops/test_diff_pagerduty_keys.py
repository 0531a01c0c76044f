"""obsgen diff warns of PagerDuty incidents a routing change would orphan: a paging route whose key (its matchers or
a parent's) or group_by changes gives its alerts a new dedup_key, and one that stops paging sends no resolve.

The base is the shipped out/; the head is it with alertmanager.yml edited as a definitions change would."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.analysis.diff.changes import Change, OutTree
from generator.analysis.diff.compare import compare_trees
from generator.analysis.diff.render import markdown, text
from tests.edits import edit
from tests.gitops.diff_repo import commit_all, definitions_repo, obsgen_diff
from tests.gitops.helpers import ROOT

LEVEL_3 = ['escalation_policy="default"', 'escalation_level="3"']
SECTION = "pagerduty incidents"
WARNING = "open incidents on this route will not resolve from Alertmanager after this deploy"


Edit = Callable[[dict[str, Any]], None]


def _trees(tmp_path: Path, edit: Edit, edit_base: Edit = lambda document: None) -> tuple[OutTree, OutTree]:
    def both(document: dict[str, Any]) -> None:
        edit_base(document)
        edit(document)

    for side, edited in (("base", edit_base), ("head", both)):
        shutil.copytree(ROOT / "out/prometheus", tmp_path / side / "prometheus")
        shutil.copytree(ROOT / "out/alertmanager", tmp_path / side / "alertmanager")
        config = tmp_path / side / "alertmanager/alertmanager.yml"
        document = yaml.safe_load(config.read_text())
        edited(document)
        config.write_text(yaml.safe_dump(document))
    return OutTree(tmp_path / "base"), OutTree(tmp_path / "head")


def _route(document: dict[str, Any], matchers: list[str], receiver: str) -> dict[str, Any]:
    return next(r for r in document["route"]["routes"] if r["matchers"] == matchers and r["receiver"] == receiver)


def _warnings(tmp_path: Path, edit: Edit, edit_base: Edit = lambda document: None) -> list[Change]:
    return [change for change in compare_trees(*_trees(tmp_path, edit, edit_base), ("base", "head")).changes
            if change.section == SECTION]


def test_a_paging_routes_new_matcher_orphans_its_incidents_and_its_childrens(tmp_path: Path) -> None:
    def narrower(document: dict[str, Any]) -> None:
        _route(document, LEVEL_3, "email_director-webhook_pagerduty")["matchers"].append('platform="ecommerce-rag"')

    warnings = {change.name: change for change in _warnings(tmp_path, narrower)}
    route = warnings['escalation_policy="default", escalation_level="3" -> email_director-webhook_pagerduty']
    fields = {f.field: (f.old, f.new) for f in route.fields}
    assert fields == {"group key prefix": ('{}/{escalation_level="3",escalation_policy="default"}:',
                                           '{}/{escalation_level="3",escalation_policy="default",'
                                           'platform="ecommerce-rag"}:')}
    assert route.notes[0].startswith(WARNING) and "new incident" in route.notes[0]
    assert "CheckoutAvailabilityBudgetBurn1h" in route.notes[1] and "CpuHigh" not in route.notes[1]
    assert "resolve them by hand in PagerDuty" in route.notes[2]
    # its SLIAbsent child's key has the parent's in it
    child = warnings['escalation_policy="default", escalation_level="3", sli="absent", job=~".+" -> '
                     'email_director-webhook_pagerduty']
    assert dict((f.field, f.new) for f in child.fields)["group key prefix"] == (
        '{}/{escalation_level="3",escalation_policy="default",platform="ecommerce-rag"}/{job=~".+",sli="absent"}:')
    assert "CheckoutAvailabilitySLIAbsent" in child.notes[1]
    assert len(warnings) == 2


def test_a_paging_route_no_rule_reaches_is_still_watched(tmp_path: Path) -> None:
    def team_route(document: dict[str, Any]) -> None:  # alerts another Prometheus sends with a team label
        document["route"]["routes"].insert(0, {"receiver": "email-slack-webhook", "matchers": ['team="db"']})

    def regex(document: dict[str, Any]) -> None:
        document["route"]["routes"][0]["matchers"] = ['team=~"db"']

    [warning] = _warnings(tmp_path, regex, team_route)
    assert warning.name == 'team="db" -> email-slack-webhook'
    assert {f.field: f.old for f in warning.fields} == {"group key prefix": '{}/{team="db"}:'}
    assert "alerts sent from elsewhere" in warning.notes[1]


def test_a_group_by_change_orphans_and_the_report_leads_with_it(tmp_path: Path) -> None:
    def regrouped(document: dict[str, Any]) -> None:
        _route(document, ['severity="emergency"'], "email-slack-webhook")["group_by"] = ["alertname", "platform"]

    base, head = _trees(tmp_path, regrouped)
    report = compare_trees(base, head, ("main", "HEAD"))
    [warning] = [change for change in report.changes if change.section == SECTION]
    assert report.changes[0] == warning
    assert {f.field: (f.old, f.new) for f in warning.fields}["group_by"][1] == "alertname, platform"
    assert {f.field: (f.old, f.new) for f in warning.fields}["group key prefix"] == ('{}/{severity="emergency"}:',) * 2
    shown = text(report).splitlines()
    assert shown[1] == f"WARNING: 1 PagerDuty route: {WARNING} (see {SECTION} below)"
    assert '  ~ severity="emergency" -> email-slack-webhook' in shown
    assert "> [!WARNING]" in markdown(report)


def test_a_route_that_stops_paging_sends_no_resolve(tmp_path: Path) -> None:
    def unpaged(document: dict[str, Any]) -> None:
        _route(document, ['severity="emergency"'], "email-slack-webhook")["receiver"] = "email-slack"

    [warning] = _warnings(tmp_path, unpaged)
    assert warning.name == 'severity="emergency" -> email-slack-webhook'
    assert {f.field: f.new for f in warning.fields} == {"group key prefix": "", "group_by": "", "pagerduty": ""}
    assert "no resolve is ever sent" in warning.notes[0]


def test_a_route_paging_another_service_under_the_same_key_orphans_too(tmp_path: Path) -> None:
    def other_service(document: dict[str, Any]) -> None:
        receiver = next(r for r in document["receivers"] if r["name"] == "email-slack-webhook")
        receiver["pagerduty_configs"][0]["routing_key_file"] = "/etc/alertmanager/secrets/pagerduty_other"

    warnings = _warnings(tmp_path, other_service)
    assert {w.name for w in warnings} == {'alertname="CpuHigh", severity="critical" -> email-slack-webhook',
                                          'alertname="DiskAlmostFull", severity="critical" -> email-slack-webhook',
                                          'severity="emergency" -> email-slack-webhook'}
    for warning in warnings:
        assert {f.field: f.new for f in warning.fields}["pagerduty"] == (
            "email-slack-webhook (routing_key_file /etc/alertmanager/secrets/pagerduty_other)")
        assert "keep their group key but page another PagerDuty service" in warning.notes[0]


def test_timing_and_matcher_order_changes_keep_every_incident(tmp_path: Path) -> None:
    def same_keys(document: dict[str, Any]) -> None:
        route = _route(document, LEVEL_3, "email_director-webhook_pagerduty")
        route["matchers"].reverse()  # Alertmanager sorts a route's matchers: the key is the same
        route["group_wait"] = "30s"
        route["group_by"] = list(reversed(route["group_by"]))
        _route(document, ['severity="warning"'], "email")["matchers"] = ['severity="warning"', 'team="ops"']
        # an empty group_by is no setting: config.Route's GroupBy stays nil and NewRoute keeps the parent's
        _route(document, ['alertname="CpuHigh"', 'severity="critical"'], "email-slack-webhook")["group_by"] = []

    base, head = _trees(tmp_path, same_keys)
    report = compare_trees(base, head, ("base", "head"))
    assert [c for c in report.changes if c.section == SECTION] == []
    assert any(c.section == "routes" for c in report.changes)  # the changes themselves still show
    assert "WARNING" not in text(report)


def _upgraded_warnings(tmp_path: Path, edit: Edit) -> list[Change]:
    """The warnings of a deploy that moves Alertmanager from 0.25.0 (the base's obsgen.tmpl) to the stack's 0.34.1."""
    base, head = _trees(tmp_path, lambda document: None, edit)
    template = tmp_path / "base/alertmanager/templates/obsgen.tmpl"
    declared = '"obsgen.links.alertmanager_version" }}'
    template.write_text(template.read_text().replace(f"{declared}0.34.1", f"{declared}0.25.0"))
    assert f"{declared}0.25.0" in template.read_text()
    return [c for c in compare_trees(base, head, ("base", "head")).changes if c.section == SECTION]


def test_an_upgrade_to_0_34_orphans_incidents_only_where_group_labels_sort_otherwise(tmp_path: Path) -> None:
    """0.25 wrote the group labels in the order of their `name="value"` strings, 0.34 in their names' (prometheus
    common#575): `slo2="x", slo="y"` becomes `slo="y", slo2="x"`, another key. The shipped routes' group_by holds
    no such names (service and service_name sort alike), so upgrading keeps their incidents."""
    assert _upgraded_warnings(tmp_path / "shipped", lambda document: None) == []

    def digits(document: dict[str, Any]) -> None:
        _route(document, LEVEL_3, "email_director-webhook_pagerduty")["group_by"] += ["slo", "slo2"]

    warnings = _upgraded_warnings(tmp_path / "digits", digits)
    assert warnings and all(WARNING in change.notes[0] and "new incident" in change.notes[0] for change in warnings)
    assert any("escalation_level=\"3\"" in change.name for change in warnings)


def test_obsgen_diff_of_a_definitions_group_by_change_leads_with_the_orphaned_incidents(tmp_path: Path) -> None:
    repo = definitions_repo(tmp_path / "repo")
    edit(repo / "definitions/alerting.py", '"database",\n              "forecast"),', '"database"),')
    commit_all(repo, "stop grouping by forecast")
    result = obsgen_diff(repo, "HEAD~1", "HEAD", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[4:6] == ["> [!WARNING]", f"> **WARNING: {lines[5].split(' ')[2]} PagerDuty routes: {WARNING} "
                                          f"(see {SECTION} below)**"]
    assert lines[7] == "#### PagerDuty incidents a deploy would orphan"
    # every paging route keeps its key but groups otherwise: CpuHigh's own, the emergencies', level 3's
    for route in ('alertname="CpuHigh", severity="critical" -> email-slack-webhook',
                  'severity="emergency" -> email-slack-webhook',
                  'escalation_policy="default", escalation_level="3" -> email_director-webhook_pagerduty'):
        assert f"- **changed** `{route}`" in result.stdout
    assert "| group_by | `alertname, database, forecast, instance" in result.stdout
    assert ('| group key prefix | `{}/{severity="emergency"}:` | `{}/{severity="emergency"}:` |'
            in result.stdout)
