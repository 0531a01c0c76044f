"""`obsgen check` runs the stack's own validators on out/ and fails when something is wrong."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "check", str(out)], capture_output=True, text=True)


def test_committed_out_passes_promtool_and_amtool() -> None:
    result = _check(ROOT / "out")
    print(result.stdout)
    assert result.returncode == 0, result.stdout
    for name in ("promtool check config", "promtool check rules", "promtool test rules", "amtool check-config",
                 "route: escalation default level 3 reaches email_director, webhook_pagerduty"):
        assert f"ok   {name}" in result.stdout


def test_a_wrong_route_expectation_fails(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(ROOT / "out", out)
    spec = out / "alertmanager/tests/routes.yml"
    spec.write_text(spec.read_text().replace("receiver: email_director-webhook_pagerduty", "receiver: email"))
    result = _check(out)
    assert result.returncode == 1
    assert "FAIL route: escalation default level 3" in result.stdout
