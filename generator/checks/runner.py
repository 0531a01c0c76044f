"""One runner for every check, as pint's: each check's findings become problems with its code and the line of
the field at fault; problems switched off (for one definition or the project) are set aside, with their reason."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from generator.checks.base import CheckModule, Context, Finding
from generator.core.errors import Code, Level, Location, Problem
from generator.core.source_state import state
from generator.load.locate import call_at, locate
from generator.model import CheckSettings, Definition

DISABLE = re.compile(r"#\s*obsgen:\s*disable=(?P<codes>[A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*)(?:\s+(?P<reason>\S.*))?")
"""`# obsgen: disable=GD002 because the panel is a heading` on a definition's lines, or on the line above it."""
UNKNOWN_CODE = Code("CK001", "cannot-disable", Level.ERROR, """A disable names no check, or one the build needs.

`CheckSettings(disable={...})` and `# obsgen: disable=CODE reason` comments switch checks off by code. A code no
check has (a typo, or a check since renamed) would switch nothing off while looking as if it did; and the checks
whose guarantees the targets rely on (names defined and unique, expressions that parse) cannot be switched off:
`obsgen check --list` marks them `always`.

Fix: use a code `obsgen check --list` prints, and fix what an `always` check finds.""")
NO_REASON = Code("CK002", "disable-without-reason", Level.ERROR, """A disable comment gives no reason.

A problem switched off for one definition stays switched off for everyone who edits it later; the reason tells
them whether it still holds.

Fix: say why after the code: `# obsgen: disable=GD002 the row's title says it`.""")
DISABLE_CODES = (UNKNOWN_CODE, NO_REASON)


@dataclass
class Report:
    """Every problem found, and those switched off with the reason given."""

    problems: list[Problem] = field(default_factory=list)
    disabled: list[tuple[Problem, str]] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop a build."""
        return [problem for problem in self.problems if problem.level is Level.ERROR]

    def extend(self, other: Report) -> None:
        """Add another report's problems."""
        self.problems += other.problems
        self.disabled += other.disabled

    def sorted(self) -> list[Problem]:
        """Problems by file and line."""
        return sorted(self.problems, key=lambda problem: problem.order)


def _lines(file: str) -> tuple[str, ...]:
    """The file's lines, or none at all when no line switches a check off (most files: nothing to look up)."""
    return _lines_in(file, state(file))


@lru_cache(maxsize=1024)  # small: the lines of files with a disable comment only
def _lines_in(file: str, _: tuple[int, int]) -> tuple[str, ...]:
    try:
        text = Path(file).read_text(errors="replace")
    except OSError:
        return ()
    return tuple(text.splitlines()) if DISABLE.search(text) else ()


def _comment_disables(finding: Finding) -> dict[str, str]:
    """Codes switched off by comments on the definition's lines: code -> reason ('' when none is given)."""
    at = finding.at
    if isinstance(at, Definition) and not _lines(at.location.file):
        return {}  # no disable comment in its file: its lines need not be found (a parse of the file)
    if isinstance(at, Definition):
        location = at.location
        call = call_at(*at.site) if at.site and at.site[0].co_filename == location.file else None
        first, last = (call.lineno, call.end_lineno or call.lineno) if call else (location.line, location.line)
    else:
        location, first, last = at, at.line, at.line
    found: dict[str, str] = {}
    for text in _lines(location.file)[max(first - 2, 0):last]:
        match = DISABLE.search(text)
        if match:
            for code in re.split(r"\s*,\s*", match["codes"]):
                found[code] = (match["reason"] or "").strip()
    return found


def _place(finding: Finding) -> Location:
    if isinstance(finding.at, Definition):
        return locate(finding.at, *finding.field)
    return finding.at


def _findings(module: CheckModule, context: Context) -> list[Finding]:
    """A check's findings; a check that fails is itself a finding, never a traceback (and a bug to report)."""
    try:
        return list(module.check(context))
    except Exception as error:
        return [Finding(context.project.stack, f"check {module.CODE} {module.NAME} could not run "
                                               f"({type(error).__name__}: {error}); please report this")]


def run(context: Context, checks: Sequence[CheckModule], known_codes: Iterable[str]) -> Report:
    """Every finding of the checks as a problem; those disabled by comment or CheckSettings set aside."""
    project_wide = {code: reason for settings in context.project.all(CheckSettings)
                    for code, reason in settings.disable.items()}
    report = Report()
    codes = set(known_codes)
    for settings in context.project.all(CheckSettings):
        for code in settings.disable:
            if code not in codes:
                report.problems.append(Problem(settings.location, UNKNOWN_CODE.code, Level.ERROR,
                                               f"CheckSettings disables {code}, which is no check's code "
                                               "(obsgen check --list)"))
    for module in checks:
        if any(context.unresolved.any_of(kind) for kind in getattr(module, "READS_EVERY", ())):
            continue  # what it finds missing may be what the failed statement defined: that one error says it
        switchable = getattr(module, "SWITCHABLE", True)
        seen: set[Problem] = set()
        for finding in _findings(module, context):
            problem = Problem(_place(finding), module.CODE, module.LEVEL, finding.message, finding.related)
            if problem in seen:
                continue  # one line per place and message (an example's two series of one undefined name)
            seen.add(problem)
            local = _comment_disables(finding)
            if not switchable and (module.CODE in local or module.CODE in project_wide):
                report.problems.append(problem)
                report.problems.append(Problem(problem.location, UNKNOWN_CODE.code, Level.ERROR,
                                               f"{module.CODE} cannot be switched off: the build relies on it"))
            elif module.CODE in local and not local[module.CODE]:
                report.problems.append(Problem(problem.location, NO_REASON.code, Level.ERROR,
                                               f"`obsgen: disable={module.CODE}` needs a reason after the code"))
            elif module.CODE in local or module.CODE in project_wide:
                report.disabled.append((problem, local.get(module.CODE) or project_wide[module.CODE]))
            else:
                report.problems.append(problem)
    return report
