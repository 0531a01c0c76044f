"""Every reader of an alertmanager.yml's routes and inhibit rules reads their matchers as the Alertmanager release
that runs the file reads them (generator.core.label_matchers, matcher_parse.release_matchers): obsgen diff's delivery
analysis, the inhibit rules, the notification ledger. From 0.27 a label name may be quoted, `"service.name"="db"`
(matcher/parse/parse_test.go TestMatchers: `{"foo"="bar"}` reads as foo="bar"), which 0.25 refuses; a line may hold
several matchers in every release. A line or a regex the release refuses is refused where the file is read, naming
the file and the route or rule, never mid-analysis with a traceback. The classic lines are held to a real
Alertmanager 0.25's inhibitor.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from generator.analysis.diff.alert_view import alert_view
from generator.analysis.diff.changes import OutTree
from generator.analysis.diff.pagerduty import compare_pagerduty_keys
from generator.analysis.diff.routing import alertmanager_routes
from generator.core.alert_inhibition import InhibitRule, mutes
from generator.core.alert_routing import Routes
from generator.core.untrusted import FileError
from generator.live.ledger import Episode, Routing, account
from generator.live.releases import installed
from generator.package.alertmanagerconfig import alertmanager_config
from tests import servers
from tests.e2e.inhibition import post, until

STACK, OLD = "0.34.1", "0.25.0"
DB = {"alertname": "DbDown", "service.name": "db", "severity": "critical", "zone": "a"}
CHECKOUT = {"alertname": "CheckoutDown", "service.name": "checkout", "severity": "critical", "zone": "a"}
UTF8_ROUTE = {"receiver": "checkout", "matchers": ['"service.name"="checkout", severity="critical"']}
"""A quoted UTF-8 name and a second matcher on one line: 0.34 routes CheckoutDown here, 0.25 refuses the file."""
UTF8_INHIBITION = {"source_matchers": ['"service.name"="db", severity="critical"'],
                   "target_matchers": ['{"service.name"="checkout"}'], "equal": ["zone"]}


def _out(tmp_path: Path, release: str, routes: list[dict[str, Any]], inhibit_rules: list[Any] | None = None) -> Path:
    """An out/ built for this Alertmanager release (its template declares it) with these routes and an alert
    CheckoutDown; its alertmanager.yml's path."""
    config = {"route": {"receiver": "default", "group_wait": "1s", "routes": routes},
              "receivers": [{"name": name, "webhook_configs": [{"url": f"http://127.0.0.1:9/{name}"}]}
                            for name in ("default", "checkout")],
              "inhibit_rules": inhibit_rules or []}
    path = tmp_path / "out/alertmanager/alertmanager.yml"
    (path.parent / "templates").mkdir(parents=True)
    path.write_text(yaml.safe_dump(config))
    (path.parent / "templates/obsgen.tmpl").write_text(
        f'{{{{ define "obsgen.links.alertmanager_version" }}}}{release}{{{{ end }}}}\n')
    rules = tmp_path / "out/prometheus/rules/checkout.yml"
    rules.parent.mkdir(parents=True)
    rules.write_text(yaml.safe_dump({"groups": [{"name": "checkout", "rules": [
        {"alert": "CheckoutDown", "expr": "up == 0", "labels": {k: v for k, v in CHECKOUT.items() if k != "alertname"}}
    ]}]}))
    return path


def test_obsgen_diffs_delivery_analysis_reads_a_utf8_name_as_the_stacks_release(tmp_path: Path) -> None:
    config = _out(tmp_path / "new", STACK, [UTF8_ROUTE])
    view = alert_view(OutTree(config.parents[1]), "CheckoutDown")
    assert view is not None and [delivery.receiver for delivery in view.deliveries] == ["checkout"]
    assert view.bound.route.receiver == "checkout"
    old = _out(tmp_path / "old", OLD, [UTF8_ROUTE])  # built for 0.25, which refuses the line when it loads it
    with pytest.raises(FileError, match=r"alertmanager\.yml: route\.routes\[0\] .*is not name op value"):
        alert_view(OutTree(old.parents[1]), "CheckoutDown")


def test_an_inhibit_rule_reads_utf8_names_and_every_matcher_of_a_line_from_0_27() -> None:
    rule = InhibitRule.parse(UTF8_INHIBITION, STACK)
    assert rule.mutes(DB, CHECKOUT)
    assert not rule.mutes({**DB, "severity": "warning"}, CHECKOUT)  # the line's second matcher
    assert not rule.mutes(DB, {**CHECKOUT, "zone": "b"})
    with pytest.raises(ValueError, match=r"inhibit rule .*source_matchers .*is not name op value.*0\.25\.0"):
        InhibitRule.parse(UTF8_INHIBITION, OLD)


def test_the_ledger_routes_and_mutes_as_the_release_its_out_was_built_for(tmp_path: Path) -> None:
    routing = Routing(_out(tmp_path, STACK, [UTF8_ROUTE], [UTF8_INHIBITION]))
    assert routing.release == STACK
    tallies = account([Episode(DB, 100, None), Episode(CHECKOUT, 100, None)], routing, [], until=400)
    assert {(t.episode.labels["alertname"], t.integration): t.expected_firing for t in tallies} == {
        ("DbDown", ("webhook", "/default")): 1, ("CheckoutDown", ("webhook", "/checkout")): 0}  # muted by DbDown
    with pytest.raises(FileError, match="is not name op value"):
        Routing(_out(tmp_path / "old", OLD, [UTF8_ROUTE]))
    assert Routing(_out(tmp_path / "given", OLD, []), release=STACK).release == STACK


BAD_REGEX = {"receiver": "checkout", "matchers": ['severity="critical"', 'team=~"(ops"']}


def test_a_bad_regex_in_a_route_is_refused_where_the_file_is_read(tmp_path: Path) -> None:
    config = _out(tmp_path, STACK, [{"receiver": "default", "routes": [BAD_REGEX]}])
    where = r'alertmanager\.yml: .*route\.routes\[0\]\.routes\[0\] \(severity="critical", team=~"\(ops"\): ' \
            r"the regex '\(ops' of team=~ does not compile"
    with pytest.raises(FileError, match=where):
        Routing(config)
    tree = OutTree(config.parents[1])
    with pytest.raises(FileError, match=where):
        alert_view(tree, "CheckoutDown")
    with pytest.raises(FileError, match=where):
        compare_pagerduty_keys(tree, tree)


def test_a_bad_regex_in_an_inhibit_rule_is_refused_naming_the_rule(tmp_path: Path) -> None:
    rule = {"source_match_re": {"severity": "crit[ical"}, "target_matchers": ['severity="warning"']}
    with pytest.raises(FileError, match=r"inhibit rule .*crit\[ical.*: the regex 'crit\[ical' of severity=~ does"):
        Routing(_out(tmp_path, STACK, [], [rule]))


CLASSIC_RULES = [
    {"source_matchers": ['{severity="critical", team=~"ops|db"}'],
     "target_matchers": ['severity="warning", team!="sre"'], "equal": ["zone"]},
    {"source_match": {"alertname": "Outage"}, "target_match_re": {"alertname": "Slow.*"}},
]
"""Classic lines of two matchers (braced and not), and the older maps: what 0.25 reads, as every release does."""
ALERTS = [
    {"alertname": "OpsDown", "severity": "critical", "team": "ops", "zone": "a"},
    {"alertname": "WebDown", "severity": "critical", "team": "web", "zone": "b"},  # team=~ fails: no source
    {"alertname": "DbSlow", "severity": "warning", "team": "db", "zone": "a"},
    {"alertname": "DbSlow", "severity": "warning", "team": "db", "zone": "b"},  # equal zone fails
    {"alertname": "SreSlow", "severity": "warning", "team": "sre", "zone": "a"},  # team!= fails: no target
    {"alertname": "Unowned", "severity": "warning", "zone": "a"},  # no team: "" is not sre
    {"alertname": "Outage", "severity": "info"},
    {"alertname": "SlowPages", "severity": "info", "zone": "c"},
]


@pytest.mark.skipif(shutil.which("prometheus-alertmanager") is None, reason="make test installs Alertmanager")
def test_classic_inhibit_lines_mute_what_a_real_alertmanager_mutes(tmp_path: Path) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump({"route": {"receiver": "none", "group_wait": "1h"},
                                      "receivers": [{"name": "none"}], "inhibit_rules": CLASSIC_RULES}))
    rules = [InhibitRule.parse(rule, installed()) for rule in CLASSIC_RULES]
    expected = [any(mutes(rules, source, alert) for source in ALERTS) for alert in ALERTS]
    assert expected == [False, False, True, False, False, True, False, True]
    with servers.alertmanager(config, tmp_path) as alertmanager:
        post(alertmanager.url, *ALERTS)

        def muted() -> list[bool]:
            found = requests.get(f"{alertmanager.url}/api/v2/alerts", timeout=10).json()
            inhibited = {tuple(sorted(a["labels"].items())): bool(a["status"]["inhibitedBy"]) for a in found}
            return [inhibited.get(tuple(sorted(alert.items()))) is True for alert in ALERTS]

        assert until(lambda: muted() == expected), muted()


def test_the_alertmanagerconfig_spec_carries_each_matcher_as_the_stacks_release_reads_it() -> None:
    """The AlertmanagerConfig resource (Kubernetes.alertmanager="alertmanagerconfig") holds one matcher per entry,
    its value raw (the operator quotes it again): a non-ASCII value stays itself, and a line of two matchers is two."""
    config = {"route": {"receiver": "a", "routes": [
        {"receiver": "a", "matchers": ['team="équipe"', '"service.name"="db", severity=~"critical|page"']}]},
        "receivers": [{"name": "a"}], "inhibit_rules": [UTF8_INHIBITION]}
    spec = alertmanager_config(config, "credentials", STACK)
    assert spec["route"]["routes"][0]["matchers"] == [
        {"name": "team", "value": "équipe", "matchType": "="},
        {"name": "service.name", "value": "db", "matchType": "="},
        {"name": "severity", "value": "critical|page", "matchType": "=~"}]
    assert spec["inhibitRules"][0]["sourceMatch"] == [{"name": "service.name", "value": "db", "matchType": "="},
                                                      {"name": "severity", "value": "critical", "matchType": "="}]


def test_a_route_tree_that_is_no_tree_is_refused_naming_the_route() -> None:
    for config, words in (({"route": "default"}, "route is not a mapping"),
                          ({"route": {"routes": {"receiver": "a"}}}, r"route: routes must be a list of routes"),
                          ({"route": {"routes": [{"match": ["a"]}]}}, r"route\.routes\[0\]: matchers must be")):
        with pytest.raises(ValueError, match=words):
            Routes.read(config, STACK)


@pytest.mark.parametrize(("receivers", "words"), [
    ("\n- ops\n", "receivers must be a list of mappings, each with a name"),
    ("\n- {webhook_configs: []}\n", "receivers must be a list of mappings, each with a name"),
    (" {ops: {}}\n", "receivers must be a list of mappings, each with a name"),
], ids=["a name alone", "a receiver without a name", "a mapping of receivers"])
def test_receivers_that_are_no_list_of_named_receivers_are_refused_by_both_readers(tmp_path: Path, receivers: str,
                                                                                   words: str) -> None:
    """obsgen diff (a side's generator writes what it likes) and the ledger read one route tree and receivers
    (core.alert_routing.Routes): receivers that are not named mappings are refused naming the file, not a traceback
    (diff's TypeError or KeyError) nor receivers keyed None (the ledger's)."""
    config = tmp_path / "out/alertmanager/alertmanager.yml"
    config.parent.mkdir(parents=True)
    config.write_text("route:\n  receiver: ops\nreceivers:" + receivers)
    with pytest.raises(FileError, match=rf"alertmanager\.yml: .*{words}"):
        alertmanager_routes(OutTree(config.parents[1]))
    with pytest.raises(FileError, match=rf"alertmanager\.yml: .*{words}"):
        Routing(config)
