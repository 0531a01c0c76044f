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
