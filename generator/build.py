"""The pipeline: definitions -> model -> Project -> checks -> targets -> checks of the files -> packaging -> out/.

Every step reports problems rather than stopping at the first: a build says everything wrong in one run, and
writes nothing unless no error was found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import generator.core.code_cache  # noqa: F401  (first: the classes made below compile through its cache)
from generator.checks.base import CheckModule, Context
from generator.checks.registry import PROJECT_CHECKS, RELEASE_CHECKS, RENDERED_CHECKS, codes
from generator.checks.runner import Report, run
from generator.checks.semantics.by_text import meaning_cached
from generator.core import pydantic_plugins
from generator.core.errors import BUILD_ERROR, DefinitionError, Level, Problem, ProblemsFound
from generator.core.gotemplate import TemplateError
from generator.core.made_once import Memo, keeping
from generator.core.promql import facts_cached
from generator.core.secret_scan import clean_cached
from generator.core.written_files import FileBytes, Known
from generator.derive.time_compression import apply
from generator.load.loader import load as load_definitions
from generator.load.warm import WarmModules
from generator.model.profile import Profile
from generator.model.project import Project
from generator.package import kubernetes, reuse
from generator.package.emit import serialise
from generator.package.tree import WriteReport, write_tree
from generator.targets import render_all

pydantic_plugins.install()  # before any model validates: pydantic's loader would import importlib.metadata


@dataclass
class Compiled:
    """What a build found: the project (None if it could not be built), every problem, and the rendered documents
    (None when an error stops the build) with their digests, taken once for the checks and packaging."""

    project: Project | None
    report: Report = field(default_factory=Report)
    rendered: Mapping[str, Any] | None = None
    digests: Mapping[str, str | None] = field(default_factory=dict)


def _checked(definitions: Path, warm: WarmModules | None = None, later: tuple[CheckModule, ...] = ()) -> Compiled:
    """The definitions loaded and checked, but for the checks run later (on the profiled project)."""
    checks = tuple(check for check in PROJECT_CHECKS if check not in later) if later else PROJECT_CHECKS
    # the expressions' parse results, the texts found free of secrets and the meaning checks' answers that an
    # expression's text decides, kept in definitions/__pycache__/
    with facts_cached(definitions), clean_cached(definitions), meaning_cached(definitions):
        loaded = load_definitions(definitions, warm)
        compiled = Compiled(loaded.project, Report(problems=list(loaded.problems)))
        if loaded.project is not None:
            compiled.report.extend(run(Context(loaded.project, loaded.unresolved), checks, codes()))
    return compiled


def check_project(project: Project) -> Report:
    """The checks of an already loaded project (a test's, or one a profile changed): its problems and warnings."""
    return run(Context(project), PROJECT_CHECKS, codes())


def check_releases(project: Project) -> Report:
    """The checks that judge the Prometheus and Alertmanager releases of a (profiled) project: its warnings for the
    releases it is built for."""
    return run(Context(project), RELEASE_CHECKS, codes())


def load(definitions: Path, later: tuple[CheckModule, ...] = ()) -> Project:
    """The definitions loaded, linked and checked, but for the checks `later` (which the caller runs itself, on the
    project a profile makes of it: obsgen up, RELEASE_CHECKS); ProblemsFound listing every problem if any is an
    error."""
    compiled = _checked(definitions, later=later)
    if compiled.project is None or compiled.report.errors:
        raise ProblemsFound(compiled.report.sorted())
    return compiled.project


def _render(project: Project, report: Report, memo: Memo | None = None) -> Context | None:
    """Every target's documents and their Kubernetes packaging, checked (in the context the checks read); None
    (and problems said) on errors. With memo (a watch), what an edit cannot have changed is kept from its last build."""
    try:
        with keeping(memo):
            rendered = render_all(project)
            rendered |= kubernetes.render(project, rendered)
            context = Context(project, rendered=rendered)
            found = run(context, RENDERED_CHECKS, codes())  # (they take the documents' digests)
    except DefinitionError as error:
        report.problems.append(error.problem())
        return None
    except TemplateError as error:  # an annotation template obsgen evaluates for a rule test
        report.problems.append(Problem(project.stack.location, BUILD_ERROR.code, Level.ERROR, str(error)))
        return None
    report.extend(found)
    return None if found.errors else context


def compile_definitions(definitions: Path, profile: Profile | None = None,
                        warm: WarmModules | None = None) -> Compiled:
    """Load, check, render and check the files; every problem in the report, nothing raised for definitions.
    With warm (a long-lived process), only the modules that changed since its last load run again. The checks that
    judge a release judge the profile's, when it names one (the release the files are written for)."""
    retargeted = profile is not None and profile.names_releases
    with clean_cached(definitions):  # one cache of clean texts for the definitions' values and the files
        compiled = _checked(definitions, warm, RELEASE_CHECKS if retargeted else ())
        if compiled.project is None or compiled.report.errors:
            return compiled
        if profile is not None:
            try:
                compiled.project = apply(compiled.project, profile)
            except DefinitionError as error:  # an imported expression whose ranges cannot be compressed
                compiled.report.problems.append(error.problem())
                return compiled
        if retargeted:  # (no error so far, so no CheckSettings disables an unknown code: run says none twice)
            compiled.report.extend(check_releases(compiled.project))
        context = _render(compiled.project, compiled.report, warm.documents if warm is not None else None)
        if context is not None:
            compiled.rendered, compiled.digests = context.rendered, context.digests
    return compiled


def serialised(rendered: Mapping[str, Any], project: Project) -> dict[str, bytes]:
    """Every output file's bytes, with the header naming the definitions they come from."""
    source = f"{project.root.name}/"
    return {path: serialise(path, document, source) for path, document in sorted(rendered.items())}


def compile_project(project: Project) -> dict[str, bytes]:
    """A checked (possibly profiled) project's files; ProblemsFound when a definition cannot be rendered."""
    report = Report()
    context = _render(project, report)
    if context is None:
        raise ProblemsFound(report.sorted())
    return serialised(context.rendered, project)


def build_files(definitions: Path, out: Path, profile: Profile | None = None, warm: WarmModules | None = None,
                earlier: Mapping[str, bytes | memoryview] | None = None,
                known: dict[str, Known] | None = None) -> tuple[Compiled, dict[str, FileBytes]]:
    """Compile and serialise (reusing the bytes of unchanged documents from out/, or from earlier: the last
    build's files; what is known of them in known, when given); ProblemsFound on any error."""
    compiled = compile_definitions(definitions, profile, warm)
    if compiled.project is None or compiled.rendered is None:
        raise ProblemsFound(compiled.report.sorted())
    return compiled, reuse.serialised(compiled.rendered, compiled.digests, f"{compiled.project.root.name}/", out,
                                      definitions, earlier or {}, warm.written if warm is not None else None, known)


def build(definitions: Path, out: Path, profile: Profile | None = None,
          warm: WarmModules | None = None) -> tuple[Compiled, WriteReport]:
    """Compile and write; ProblemsFound (and out/ untouched) when anything is an error."""
    compiled, files = build_files(definitions, out, profile, warm)
    return compiled, write_tree(files, out)
