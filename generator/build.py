"""The pipeline: definitions -> model -> Project -> checks -> targets -> packaging -> serialised files -> out/."""

from __future__ import annotations

from pathlib import Path

from generator.checks.rendered import check_rendered
from generator.checks.run import check
from generator.core.errors import DefinitionError
from generator.core.gotemplate import TemplateError
from generator.derive.time_compression import apply
from generator.load.loader import load as load_definitions
from generator.model.profile import Profile
from generator.model.project import Project
from generator.package import kubernetes
from generator.package.emit import WriteReport, serialise, write_tree
from generator.targets import render_all


def load(definitions: Path) -> Project:
    """The definitions loaded, linked and checked (DefinitionError at the first problem)."""
    project = load_definitions(definitions)
    check(project)
    return project


def compile_project(project: Project) -> dict[str, bytes]:
    """Every output file's bytes; DefinitionError if a definition cannot be compiled."""
    source = f"{project.root.name}/"
    try:
        rendered = render_all(project)
        check_rendered(project, rendered)
        rendered |= kubernetes.render(project, rendered)
        return {path: serialise(path, doc, source) for path, doc in sorted(rendered.items())}
    except (TemplateError, ValueError) as error:
        raise DefinitionError(project.stack.location, str(error)) from None


def build(definitions: Path, out: Path, profile: Profile | None = None) -> tuple[Project, WriteReport]:
    """Load, compile and write; nothing under out/ changes unless every step succeeded."""
    project = load(definitions)
    if profile is not None:
        project = apply(project, profile)
    files = compile_project(project)
    return project, write_tree(files, out)
