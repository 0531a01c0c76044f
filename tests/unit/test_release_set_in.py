"""out/prometheus/release.yml says where its release was set, and apply's refusal (and status) names that place and
the setting that changes it: the Stack's field in its file, its default, or a build profile's."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator.apply import alertmanager as alertmanager_apply
from generator.apply import prometheus as prometheus_apply
from generator.apply.files import collect
from generator.apply.reload import other_release
from generator.build import serialised
from generator.core.releases import PROMETHEUS_DECLARED_FILE, prometheus_set_in
from generator.derive.time_compression import apply
from generator.model.conventions import alertmanager_template
from generator.model.profile import Profile
from generator.model.project import Project
from generator.targets import alertmanager as alertmanager_targets
from generator.targets.prometheus import release

BUILDINFO = {"status": "success", "data": {"version": "2.42.0"}}
STATUS = {"versionInfo": {"version": "0.25.0"}}
"""Alertmanager's /api/v2/status, as Debian's 0.25 answers it (the part read)."""


def _refusal(project: Project) -> str:
    """What apply and status say of a Prometheus 2.42.0 given the release.yml this project builds."""
    written = serialised({f"prometheus/{PROMETHEUS_DECLARED_FILE}": release(project)}, project)
    return other_release(prometheus_apply.SERVER, BUILDINFO, Path("/nonexistent/out/prometheus"),
                         {PROMETHEUS_DECLARED_FILE: written[f"prometheus/{PROMETHEUS_DECLARED_FILE}"]})


def test_the_shipped_stack_leaves_the_release_to_its_default(project: Project) -> None:
    assert ("was built for 3.15.0 (the default of Stack.prometheus_version, which the Stack at definitions/stack.py:6 "
            'does not set): ') in _refusal(project)
    assert _refusal(project).endswith('; set Stack.prometheus_version="2.42.0" and rebuild')


def test_a_release_set_in_the_stack_is_named_there(project: Project) -> None:
    stack = project.stack.model_copy(update={"prometheus_version": "3.1.0"})
    said = _refusal(dataclasses.replace(project, stack=stack))
    assert "was built for 3.1.0 (Stack.prometheus_version in the Stack at definitions/stack.py:6): " in said
    assert said.endswith('; set Stack.prometheus_version="2.42.0" and rebuild')


def test_a_release_a_profile_set_names_the_profile(project: Project) -> None:
    said = _refusal(apply(project, Profile(prometheus_version="3.1.0")))
    assert "was built for 3.1.0 (the build profile's prometheus_version): " in said
    assert said.endswith("; this out/ is the build `obsgen up` made for the releases installed when it started: "
                         "restart the live stack (`obsgen down`, then `obsgen up`) to build it for Prometheus 2.42.0, "
                         "or apply the out/ `obsgen build` writes from the definitions"), said


def _alertmanager_template(project: Project) -> str:
    return str(alertmanager_targets.render(project)[alertmanager_template()])


def test_an_alertmanager_release_a_profile_set_names_the_profile_in_the_template_and_the_refusal(
        project: Project) -> None:
    """As `obsgen up` builds: the profile's release, not Stack.alertmanager_version the definitions do not use, is
    named in the template's notes, apply's refusal and status' note of the UI links."""
    template = _alertmanager_template(apply(project, Profile(alertmanager_version="0.34.1")))
    assert "This Alertmanager is 0.34.1 (the build profile's alertmanager_version)." in template
    files = {alertmanager_apply.TEMPLATE: template.encode()}
    refused = other_release(alertmanager_apply.SERVER, STATUS, Path("/nonexistent/out/alertmanager"), files)
    unreadable = alertmanager_apply.links_unreadable(STATUS, files)
    for said in (refused, unreadable):
        assert "for 0.34.1 (the build profile's alertmanager_version)" in said, said
        assert "Stack.alertmanager_version" not in said and "Profile." not in said, said
        assert said.endswith("restart the live stack (`obsgen down`, then `obsgen up`) to build it for Alertmanager "
                             "0.25.0, or apply the out/ `obsgen build` writes from the definitions"), said


def test_an_alertmanager_release_the_stack_set_names_the_stack(project: Project) -> None:
    """The default build's template is as before: the Stack's setting named, no profile's mark written."""
    template = _alertmanager_template(project)
    assert "(Stack.alertmanager_version)." in template and "alertmanager_version_set_in" not in template
    said = other_release(alertmanager_apply.SERVER, STATUS, Path("/nonexistent/out/alertmanager"),
                         {alertmanager_apply.TEMPLATE: template.encode()})
    assert said.endswith('; set Stack.alertmanager_version="0.25.0" and rebuild'), said


@pytest.mark.parametrize(("text", "said"), [
    ("prometheus_version: 3.15.0\n", None),  # an out/ built before release.yml said where
    ("prometheus_version: 3.15.0\nset_in: 'the Stack at it''s: place'\nsetting: Stack.prometheus_version\n",
     ("the Stack at it's: place", "Stack.prometheus_version")),
    ("set_in: anywhere\nsetting: os.system\n", None),  # no setting of obsgen's
    ("set_in: " + "x" * 400 + "\nsetting: Stack.prometheus_version\n", None),
])
def test_where_is_read_back_as_written_or_not_at_all(text: str, said: tuple[str, str] | None) -> None:
    assert prometheus_set_in(text) == said


def test_an_empty_release_file_status_read_through_a_link_is_not_read_again_as_apply_reads_out(
        tmp_path: Path) -> None:
    # status reads out/ through links and gives apply's reader the files it read: an empty release.yml (false) was
    # read again by apply's reader, which refuses links, and status failed with "apply copies only regular files"
    built = tmp_path / "built/prometheus"
    built.mkdir(parents=True)
    (built / PROMETHEUS_DECLARED_FILE).write_bytes(b"")
    (tmp_path / "out").mkdir()
    (tmp_path / "out/prometheus").symlink_to(built)
    read = collect(tmp_path / "out/prometheus", (PROMETHEUS_DECLARED_FILE,))
    assert read == {PROMETHEUS_DECLARED_FILE: b""}
    assert other_release(prometheus_apply.SERVER, BUILDINFO, tmp_path / "out/prometheus", read) == ""
