"""obsgen diff reads a route's matchers as Alertmanager reads them, whatever form a hand-written alertmanager.yml
gives them: a legacy `match:` value needing quotes, `a=b` for `a="b"`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.gitops.hand_written import commit_alertmanager, diff_commits, hand_written_repo

RECEIVERS = [{"name": "default"}, {"name": "pd", "pagerduty_configs": [{"routing_key_file": "/etc/pd/key"}]}]


def _config(paging: dict[str, Any]) -> dict[str, Any]:
    return {"route": {"receiver": "default", "group_by": ["alertname"], "routes": [{"receiver": "pd", **paging}]},
            "receivers": RECEIVERS}


def test_a_legacy_match_value_needing_quotes_on_a_paging_route_no_alert_reaches(tmp_path: Path) -> None:
    """The route's example alert is made from its matchers as read (a="x\\"y"), not its text written again."""
    repo = hand_written_repo(tmp_path)
    commit_alertmanager(repo, _config({"match": {"a": 'x"y'}}))
    commit_alertmanager(repo, _config({"match": {"a": 'x"y'}, "group_by": ["alertname", "team"]}))
    result = diff_commits(repo)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    assert "WARNING: 1 PagerDuty route" in result.stdout, result.stdout
    assert '  ~ a="x"y" -> pd' in result.stdout.splitlines(), result.stdout


def _routes(**paging: Any) -> dict[str, Any]:
    config = _config(paging)
    config["route"]["routes"][:0] = [{"receiver": "default", "matchers": ['env=~"dev|test"']},
                                     {"receiver": "default", "matchers": ['team="db"'],
                                      "routes": [{"receiver": "pd", "matchers": ['tier=~"1|2"']}]}]
    config["inhibit_rules"] = [{"source_matchers": ['severity="critical"', 'team="db"'],
                                "target_matchers": ['severity="warning"'], "equal": ["instance"]}]
    return config


def test_matchers_rewritten_in_an_equivalent_form_are_no_change(tmp_path: Path) -> None:
    """`a=b`, `a="b"`, `match: {a: b}`, `match_re`, one line `{a="b", c="d"}` or two, in any order: Alertmanager
    reads each alike, so neither routes nor inhibitions change (nor any group key: no PagerDuty warning; a paging
    route's match_re would change its key, Alertmanager writing it anchored)."""
    repo = hand_written_repo(tmp_path)
    commit_alertmanager(repo, _routes(matchers=['severity="critical"', 'team="ops"']))
    rewritten = _routes(match={"team": "ops"}, matchers=["severity=critical"])
    rewritten["route"]["routes"][:2] = [{"receiver": "default", "match_re": {"env": "dev|test"}},
                                        {"receiver": "default", "match": {"team": "db"},
                                         "routes": [{"receiver": "pd", "matchers": ["tier=~1|2"]}]}]
    rewritten["inhibit_rules"] = [{"source_matchers": ['{team="db",severity=critical}'],
                                   "target_match": {"severity": "warning"}, "equal": ["instance"]}]
    commit_alertmanager(repo, rewritten)
    result = diff_commits(repo)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    assert "routes" not in result.stdout and "inhibitions" not in result.stdout, result.stdout
    assert "WARNING" not in result.stdout, result.stdout
    assert "  M alertmanager/alertmanager.yml" in result.stdout  # the file did change


def test_a_real_matcher_change_still_shows(tmp_path: Path) -> None:
    repo = hand_written_repo(tmp_path)
    commit_alertmanager(repo, _routes(matchers=['severity="critical"', 'team="ops"']))
    changed = _routes(match={"team": "ops"}, matchers=["severity=warning"])
    changed["inhibit_rules"][0]["target_matchers"] = ['severity="info"']
    commit_alertmanager(repo, changed)
    result = diff_commits(repo)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    where = "  (alertmanager/alertmanager.yml)"
    assert f'  - severity="critical", team="ops"{where}' in lines, result.stdout
    assert f'  + team="ops", severity=warning{where}' in lines, result.stdout
    assert '      target_matchers: severity="warning" -> severity="info"' in lines, result.stdout
