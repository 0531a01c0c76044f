"""`obsgen up` is up once the compressed stack's frequent rule groups have each evaluated once, without waiting for
an aggregation group's first evaluation, which may come a whole minute after the start."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from generator.live.stack import RULES_WAITED_FOR
from generator.live.supervisor import rules_evaluated_since
from tests.e2e.inhibition import until
from tests.servers import prometheus

NEVER = "0001-01-01T00:00:00Z"
"""lastEvaluation of a group Prometheus has not evaluated yet."""
MINUTE_GROUPS = 5
"""Each minute group's first evaluation falls at an offset hashed from its name and file, anywhere in the minute:
that all five fall in the seconds before the second group's first is a chance of a few in a million."""


def test_up_waits_for_the_groups_evaluated_every_second_not_for_those_every_minute(tmp_path: Path) -> None:
    groups = [{"name": "every-second", "interval": "1s", "rules": [{"record": "fast", "expr": "vector(1)"}]},
              *({"name": f"every-minute-{n}", "interval": "1m", "rules": [{"record": f"slow_{n}", "expr": "vector(1)"}]}
                for n in range(MINUTE_GROUPS))]
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": groups}))
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({"global": {}, "rule_files": [str(tmp_path / "rules.yml")]}))
    started = time.time()  # as up gives it: the moment before Prometheus starts
    with prometheus(config, tmp_path) as server:
        probe = rules_evaluated_since(server.url, started, RULES_WAITED_FOR)
        assert until(probe, timeout=90)
        evaluated = {group["name"]: group["lastEvaluation"]
                     for group in server.get("/api/v1/rules").json()["data"]["groups"]}
    assert evaluated.pop("every-second") != NEVER
    assert NEVER in evaluated.values(), evaluated
