"""Alertmanager's routing as obsgen evaluates it agrees with Alertmanager's own (amtool config routes test)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core.alert_routing import RouteTree, routes_taking
from generator.core.label_matchers import all_hold, read_matchers
from generator.core.matcher_parse import parse_matchers
from generator.live.releases import installed

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "out/alertmanager/alertmanager.yml"
RECEIVERS = ("a", "b", "c", "d")
VALUES = ("x", "y", "")


def amtool_receivers(config: Path, labels: dict[str, str]) -> list[str]:
    """The receivers amtool routes the labels to, in order."""
    shown = subprocess.run(["amtool", "config", "routes", "test", f"--config.file={config}",
                            *(f"{name}={value}" for name, value in labels.items())],
                           capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    return shown.split(",")


needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")
OLD = "0.25.0"


def route_matches(route: dict[str, Any], labels: dict[str, str], release: str = OLD) -> bool:
    """Whether the route's own matchers, as that Alertmanager release reads them, all hold for the labels."""
    return all_hold(read_matchers(route, release), labels)


def taking(root: dict[str, Any], labels: dict[str, str], release: str = OLD) -> list[dict[str, Any]]:
    return routes_taking(RouteTree.read(root, release), labels)


def test_matchers_are_read_quoted_escaped_or_bare() -> None:
    assert parse_matchers('severity="critical"') == [("severity", "=", "critical")]
    assert parse_matchers("severity = critical") == [("severity", "=", "critical")]
    assert parse_matchers(r'msg=~"say \"hi\"\\n"') == [("msg", "=~", 'say "hi"\\n')]
    assert parse_matchers('team!~"ops|dev"') == [("team", "!~", "ops|dev")]
    with pytest.raises(ValueError, match="is not name op value"):
        parse_matchers("severity")


def test_match_and_match_re_count_and_a_regex_matches_the_whole_value() -> None:
    route = {"match": {"severity": "critical"}, "match_re": {"team": "ops|dev"}}
    assert route_matches(route, {"severity": "critical", "team": "ops"})
    assert not route_matches(route, {"severity": "critical", "team": "devops"})
    assert route_matches({"matchers": ['team!="ops"']}, {})  # an absent label is the empty string


def test_a_continue_route_lets_the_next_take_the_alert_and_settings_are_inherited() -> None:
    root = {"receiver": "root", "group_wait": "10s", "routes": [
        {"receiver": "first", "matchers": ['severity="critical"'], "continue": True, "group_by": ["alertname"]},
        {"matchers": ['severity="critical"'], "repeat_interval": "1h",
         "routes": [{"receiver": "deep", "matchers": ['team="ops"']}]},
        {"receiver": "never", "matchers": ['severity="critical"']}]}
    taken = taking(root, {"severity": "critical"})
    assert [(r["receiver"], r["group_wait"], r["group_by"], r["repeat_interval"]) for r in taken] == [
        ("first", "10s", ["alertname"], "4h"), ("root", "10s", [], "1h")]
    assert [r["receiver"] for r in taking(root, {"severity": "critical", "team": "ops"})] == ["first", "deep"]
    assert [r["receiver"] for r in taking(root, {"severity": "info"})] == ["root"]


def _alert_labels(out: Path) -> list[dict[str, str]]:
    """The labels of every alerting rule shipped in out/ (escalation copies included)."""
    found = []
    for path in sorted((out / "prometheus/rules").glob("*.yml")):
        for group in (yaml.safe_load(path.read_text()) or {}).get("groups") or ():
            for rule in group.get("rules") or ():
                labels = {name: str(value) for name, value in (rule.get("labels") or {}).items()}
                if "alert" in rule:
                    found.append({"alertname": rule["alert"], **labels})
    return found


@needs_amtool
def test_every_shipped_alert_reaches_the_receivers_amtool_names() -> None:
    tree = yaml.safe_load(SHIPPED.read_text())["route"]
    labelled = _alert_labels(ROOT / "out")
    assert len(labelled) > 40
    for labels in labelled:
        assert [r["receiver"] for r in taking(tree, labels, installed())] == amtool_receivers(SHIPPED, labels), labels


matcher = st.builds(lambda name, op, value: f'{name}{op}"{value}"', st.sampled_from(("k", "m")),
                    st.sampled_from(("=", "!=", "=~", "!~")), st.sampled_from(("x", "y", "x|y", ".*", "")))
line = st.builds(lambda found, braced: "{" + ", ".join(found) + "}" if braced else ", ".join(found),
                 st.lists(matcher, min_size=1, max_size=2), st.booleans())
"""One line of a `matchers` list: one matcher or two (`a="x", b=~"y"`, a list Alertmanager reads), braced or not."""
matchers = st.lists(line, max_size=2)


def routes(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    children = st.lists(routes(depth - 1), max_size=3) if depth else st.just([])
    return st.builds(lambda receiver, found, cont, kids: {
        **({"receiver": receiver} if receiver else {}), "matchers": found, "continue": cont,
        **({"routes": kids} if kids else {})},
        st.sampled_from((None, *RECEIVERS)), matchers, st.booleans(), children)


@needs_amtool
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(children=st.lists(routes(2), min_size=1, max_size=3),
       labels=st.fixed_dictionaries({"k": st.sampled_from(VALUES), "m": st.sampled_from(VALUES)}))
def test_random_route_trees_route_as_alertmanager_routes(tmp_path: Path, children: list[dict[str, Any]],
                                                         labels: dict[str, str]) -> None:
    config = tmp_path / "alertmanager.yml"
    tree = {"receiver": "root", "routes": children}
    config.write_text(yaml.safe_dump({"route": tree, "receivers": [{"name": name} for name in ("root", *RECEIVERS)]}))
    given_labels = {name: value for name, value in labels.items() if value}
    assert [r["receiver"] for r in taking(tree, given_labels, installed())] == amtool_receivers(config, given_labels)
