"""`obsgen check` runs the stack's own validators on out/ and fails when something is wrong."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator.cli.compile import CACHED

ROOT = Path(__file__).resolve().parents[2]


def _obsgen(*args: str, cwd: Path = ROOT, path: str | None = None) -> subprocess.CompletedProcess[str]:
    # as users run it: the tools cache, like bytecode, is not written under PYTHONDONTWRITEBYTECODE (which CI sets)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    if path:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          env=env)


def _check(out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return _obsgen("check", str(out), *options)


def test_committed_out_passes_promtool_and_amtool() -> None:
    result = _check(ROOT / "out", "--rerun")  # the tools run here, whatever passed before in this checkout
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


def _team(tmp_path: Path) -> Path:
    """A project as `obsgen init` writes it, built: a few rule tests and routing tests, checked in a second."""
    assert _obsgen("init", "team", cwd=tmp_path).returncode == 0
    assert _obsgen("build", "--quiet", cwd=tmp_path / "team").returncode == 0
    return tmp_path / "team"


def _lines(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """`ok`/`FAIL` per check name, with " cached" when it was not run again."""
    found = {}
    for line in result.stdout.splitlines():
        if line.startswith(("ok   ", "FAIL ")):
            name = line[5:].removesuffix(f" {CACHED}")
            found[name] = line[:4].strip() + (" cached" if line.endswith(CACHED) else "")
    return found


def test_a_second_check_repeats_only_what_changed_failed_or_runs_on_another_tool(tmp_path: Path) -> None:
    project = _team(tmp_path)
    first = _lines(_obsgen("check", "out", cwd=project))
    cacheable = [name for name in first if name.startswith(("promtool check rules", "promtool test rules", "route:"))]
    assert len(cacheable) >= 5 and set(first.values()) == {"ok"}, first

    second = _lines(_obsgen("check", "out", cwd=project))
    assert {name: second[name] for name in cacheable} == dict.fromkeys(cacheable, "ok cached")
    assert second["promtool check config"] == second["amtool check-config"] == "ok"  # they may read other files

    routes = project / "out/alertmanager/tests/routes.yml"
    routes.write_text(routes.read_text().replace("receiver: team", "receiver: nobody", 1))
    failing = "route: severity warning reaches its channels"
    for passing_routes in ("ok", "ok cached"):  # alertmanager/ changed: its routes run again, not prometheus/'s
        broken = _obsgen("check", "out", cwd=project)
        lines = _lines(broken)
        assert broken.returncode == 1
        assert lines[failing] == "FAIL" and [name for name in lines if lines[name] == "FAIL"] == [failing], lines
        assert all(lines[name] == "ok cached" for name in cacheable if name.startswith("promtool"))
        assert all(lines[name] == passing_routes for name in cacheable if name.startswith("route:") and
                   name != failing)  # and a failure is never kept: it ran, and failed, again

    routes.write_text(routes.read_text().replace("receiver: nobody", "receiver: team", 1))
    assert set(_lines(_obsgen("check", "out", "--rerun", cwd=project)).values()) == {"ok"}  # and kept again
    wrapper = tmp_path / "bin"  # another promtool binary (an upgrade): its results are its own
    wrapper.mkdir()
    (wrapper / "promtool").write_text(f"#!/bin/sh\nexec {shutil.which('promtool')} \"$@\"\n")
    (wrapper / "promtool").chmod(0o755)
    upgraded = _lines(_obsgen("check", "out", cwd=project, path=f"{wrapper}:{os.environ['PATH']}"))
    assert all(upgraded[name] == "ok" for name in cacheable if name.startswith("promtool"))
    assert all(upgraded[name] == "ok cached" for name in cacheable if name.startswith("route:"))


def test_a_part_of_out_holding_a_link_is_checked_every_time(tmp_path: Path) -> None:
    project = _team(tmp_path)
    rules = project / "out/prometheus/rules"
    shutil.move(rules, tmp_path / "rules")  # the rule files elsewhere: their bytes are not in prometheus/
    rules.symlink_to(tmp_path / "rules")
    for _ in range(2):
        lines = _lines(_obsgen("check", "out", cwd=project))
        assert lines["promtool check rules"] == "ok"
        assert all(state == "ok" for name, state in lines.items() if name.startswith("promtool")), lines
    assert all(state == "ok cached" for name, state in lines.items() if name.startswith("route:")), lines
