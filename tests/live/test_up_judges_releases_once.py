"""`obsgen up` runs the checks that judge a release (NT006, NT010) once, on what the live build targets (the
installed servers' releases, live.stack._profile), not also on the definitions' own releases, whose verdict it
throws away."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.checks.registry import RELEASE_CHECKS
from generator.live import releases, stack
from tests.conftest import DEFINITIONS


class _Stopped(Exception):
    """Raised where up would start the servers: the test needs only what up judged before."""


@pytest.mark.skipif(any(shutil.which(tool) is None for tool in stack.TOOLS), reason="the live stack's servers")
def test_up_judges_the_releases_once_on_the_profiled_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    judged: list[str] = []
    for module in RELEASE_CHECKS:
        def counted(context: object, check: object = module.check, code: str = module.CODE) -> object:
            judged.append(f"{code} {context.project.stack.alertmanager_version}")  # type: ignore[attr-defined]
            return check(context)  # type: ignore[operator]
        monkeypatch.setattr(module, "check", counted)

    def stop(*args: object, **kwargs: object) -> None:
        raise _Stopped

    monkeypatch.setattr(stack, "_start", stop)
    warned: list[str] = []
    with pytest.raises(_Stopped):
        stack.up(stack.Options(DEFINITIONS, tmp_path / "live", free_ports=True), warn=warned.append)
    installed = releases.installed(releases.ALERTMANAGER)
    assert sorted(judged) == sorted(f"{module.CODE} {installed}" for module in RELEASE_CHECKS), judged
