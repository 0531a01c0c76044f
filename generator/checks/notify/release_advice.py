"""What a warning about the Prometheus or Alertmanager release a build targets says to do, by who chose it.

The checks that judge a release (NT006, NT010) judge the Stack's, or a build profile's where one names it: `obsgen up`
builds for the releases installed where it runs (checks/base.py). Saying a newer release in the Stack helps only the
first; the second is set by no line of the definitions, so its fix is a newer install and a restart of the live
stack (the wording of apply.reload.rebuild_for, for a server running another release than out/ was built for).
"""

from __future__ import annotations

from typing import Literal

from generator.model.project import Project

Setting = Literal["alertmanager_version", "prometheus_version"]


def upgrade(project: Project, setting: Setting, since: tuple[int, ...]) -> str:
    """What to do so that a release before `since` ((X, Y, Z)), chosen by `setting`, is judged no more: where the Stack
    set it, say the newer one there (at the Stack's file:line); where a build profile set it, install a newer one."""
    product = "Alertmanager" if setting == "alertmanager_version" else "Prometheus"
    newer = f"{product} {'.'.join(map(str, since))}"
    profile = project.profile
    if profile is not None and getattr(profile, setting):
        return (f"{product} {getattr(project.stack, setting)} is the release installed where `obsgen up` runs (its "
                f"build profile's {setting}, which no definition sets): install {newer} or later there and "
                f"restart the live stack (`obsgen down`, then `obsgen up`) to build for it")
    stack = project.stack
    said = f" in the Stack at {project.relative(stack.location)}" if setting in stack.model_fields_set else ""
    return f"run {newer} or later and say so in Stack.{setting}{said}"
