"""The pipeline: definitions -> model -> Project -> targets -> serialised files -> out/."""

from __future__ import annotations

from pathlib import Path

from generator.emit import WriteReport, serialise, write_tree
from generator.errors import DefinitionError
from generator.gotemplate import TemplateError
from generator.profile import Profile, apply
from generator.project import Project, load
from generator.targets import render_all


def compile_project(project: Project) -> dict[str, bytes]:
    """Every output file's bytes; DefinitionError if a definition cannot be compiled."""
    source = f"{project.root.name}/"
    try:
        return {path: serialise(path, doc, source) for path, doc in sorted(render_all(project).items())}
    except (TemplateError, ValueError) as error:
        raise DefinitionError(project.stack.location, str(error)) from None


def build(definitions: Path, out: Path, profile: Profile | None = None) -> tuple[Project, WriteReport]:
    """Load, compile and write; nothing under out/ changes unless every step succeeded."""
    project = load(definitions)
    if profile is not None:
        project = apply(project, profile)
    files = compile_project(project)
    return project, write_tree(files, out)
