"""A diff report as text for a terminal, or as Markdown for a pull-request comment."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from difflib import SequenceMatcher
from itertools import groupby
from pathlib import Path

from generator.analysis.diff.changes import Change, FieldChange
from generator.analysis.diff.compare import DiffReport, Drawing, Failure, Picture
from generator.analysis.diff.dashboards import TEXT
from generator.analysis.diff.expr_diff import as_html, as_text, expr_diff
from generator.analysis.diff.pagerduty import SECTION as PAGERDUTY
from generator.analysis.diff.pagerduty import WARNING as ORPHANED
from generator.core.wording import counted

_SIGN = {"added": "+", "removed": "-", "changed": "~", "renamed": "renamed"}
_WHOLE = ("added", "removed")
"""Actions whose thing is shown whole, a field by its one value; the others by before and after."""
_MAX_FILES = 50
_SHORT = 60
"""An expression change shorter than this reads best as before -> after; a longer one is shown once, marked."""
_LONGEST_FAILURE = 300
"""A failure's line is cut here in markdown: a Prometheus error can quote a whole query."""


def _is_promql(change: FieldChange) -> bool:
    return change.field == "expr" or change.field.startswith("query ")


def _value(change: Change, field: FieldChange) -> str:
    """An added thing's value, a removed thing's old value; a text panel's by its length."""
    value = field.new if change.action == "added" else field.old
    return f"{len(value.splitlines())} lines" if field.field == TEXT else value


def _changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """The lines of a text only before, and only after, a change, in order (the unchanged ones left out)."""
    before, after = old.splitlines(), new.splitlines()
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += before[i1:i2]
            added += after[j1:j2]
    return removed, added


def _sections(report: DiffReport) -> list[tuple[str, list[Change]]]:
    return [(section, list(changes)) for section, changes in groupby(report.changes, key=lambda c: c.section)]


def _headline(report: DiffReport) -> str:
    count = len(report.changes)
    return f"{counted(count, 'change')} in {counted(len(report.files), 'generated file')}"


def _orphaning(report: DiffReport) -> str:
    """The warning a reviewer must not miss, "" when no paging route's incidents would be orphaned."""
    count = sum(change.section == PAGERDUTY for change in report.changes)
    return (f"WARNING: {counted(count, 'PagerDuty route')}: {ORPHANED} (see {PAGERDUTY} below)"
            if count else "")


def _sides(field: FieldChange) -> tuple[FieldChange, str, str]:
    """A changed field with its before and after as a table shows them: a text panel's changed lines only."""
    if field.field != TEXT:
        return field, field.old, field.new
    removed, added = _changed_lines(field.old, field.new)
    return field, "\n".join(removed), "\n".join(added)


def _text_fields(change: Change) -> list[str]:
    lines = []
    for f in change.fields:
        if change.action in _WHOLE:
            lines.append(f"{f.field}: {_value(change, f)}")
        elif _is_promql(f) and f.old and f.new and max(len(f.old), len(f.new)) > _SHORT:
            lines.append(f"{f.field}: {as_text(expr_diff(f.old, f.new))}")
        elif f.field == TEXT:
            removed, added = _changed_lines(f.old, f.new)
            lines += [f"{f.field}:", *(f"  - {line}" for line in removed), *(f"  + {line}" for line in added)]
        else:
            lines.append(f"{f.field}: {f.old or '(none)'} -> {f.new or '(none)'}")
    return lines


def _data_source(drawing: Drawing, prometheus: str) -> str:
    """Where the pictures' data came from and the time they show, for a reviewer to tell demo data from theirs."""
    when = datetime.fromtimestamp(drawing.until, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    source = (f"Prometheus at {prometheus}" if drawing.prometheus else
              "demo history (synthetic, made by obsgen in a temporary Prometheus: not your systems' data)")
    return (f"data from {source}; each dashboard over its own time range ending {when} "
            f"({'set by --at' if drawing.until_given else 'when drawn'})")


def _one_line(error: str) -> str:
    return " ".join(error.split())


def _text_pictures(drawing: Drawing | None) -> list[str]:
    if drawing is None or not drawing.pictures:
        return []
    lines = ["", f"pictures: {_data_source(drawing, drawing.prometheus)}"]
    for picture in drawing.pictures:
        incomplete = f"  INCOMPLETE: {len(picture.failures)} not drawn" if picture.failures else ""
        lines.append(f"  {picture.title}{incomplete}")
        lines += [f"      {side}: {path.as_posix()}" for side, path in _sides_drawn(picture)]
        lines += [f"      ! {failure.where}: {_one_line(failure.error)}" for failure in picture.failures]
    return lines


def _sides_drawn(picture: Picture) -> list[tuple[str, Path]]:
    return [(side, path) for side, path in (("before", picture.before), ("after", picture.after)) if path is not None]


def text(report: DiffReport) -> str:
    """Plain text: sections, one line per thing, one indented line per changed field, then the files."""
    lines = [f"obsgen diff {report.base} -> {report.head}: {_headline(report)}"]
    lines += [warning] if (warning := _orphaning(report)) else []
    for section, changes in _sections(report):
        lines += ["", section]
        for change in changes:
            where = f"  ({change.where})" if change.where and change.action != "changed" else ""
            lines.append(f"  {_SIGN[change.action]} {change.name}{where}")
            lines += [f"      {line}" for line in _text_fields(change)]
            lines += [f"      -> {note}" for note in change.notes]
    lines += _text_pictures(report.drawing)
    files = report.files
    if len(files):
        lines += ["", "files"]
        lines += [f"  {mark} {path}" for mark, paths in (("A", files.added), ("D", files.removed),
                                                          ("M", files.modified)) for path in paths]
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    if not value:
        return "*(none)*"
    escaped = value.replace("|", "\\|").replace("\n", "<br>")
    return f"`{escaped}`" if "`" not in escaped else escaped


def _markdown_fields(change: Change) -> list[str]:
    if change.action in _WHOLE:
        rows = [f"  | {f.field} | {_cell(_value(change, f))} |" for f in change.fields]
        return ["", "  | field | value |", "  |---|---|", *rows, ""] if rows else []
    marked = [f for f in change.fields if _is_promql(f) and f.old and f.new]
    table = [f for f in change.fields if f not in marked]
    lines = [f"  - {f.field}: {as_html(expr_diff(f.old, f.new))}" for f in marked]
    lines += [f"  - {note}" for note in change.notes]
    if table:
        lines += ["", "  | field | before | after |", "  |---|---|---|"]
        lines += [f"  | {f.field} | {_cell(before)} | {_cell(after)} |" for f, before, after in map(_sides, table)]
    return ["", *lines, ""] if lines else []


def _code(text: str) -> str:
    """text as inline code whatever backticks it holds (CommonMark: a longer run of backticks, padded by spaces)."""
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(map(len, re.findall("`+", text))) + 1)
    return f"{fence} {text} {fence}"


def _failure(failure: Failure) -> str:
    """One thing a picture lacks, as markdown: where plain, what was said as code (cut: it can quote a query)."""
    said = _one_line(failure.error)  # or the quote and the list would end at its newline
    said = said if len(said) <= _LONGEST_FAILURE else said[:_LONGEST_FAILURE - 1] + "…"
    return f"> - {failure.where}: {_code(said)}"


def _markdown_pictures(drawing: Drawing | None) -> list[str]:
    if drawing is None or not drawing.pictures:
        return []
    source = _data_source(drawing, _code(drawing.prometheus))
    incomplete = sum(bool(picture.failures) for picture in drawing.pictures)
    lines = ["", "#### Dashboards before and after", "", f"{source[0].upper()}{source[1:]}. Changed panels are "
             "outlined.", ""]
    if incomplete:
        lines += ["> [!WARNING]", f"> **{incomplete} of {counted(len(drawing.pictures), 'dashboard')} drawn "
                  "incompletely**: see the parts not drawn under each.", ""]
    for picture in drawing.pictures:
        shown = [f"![{picture.title} {side}]({path.as_posix()})" for side, path in _sides_drawn(picture)]
        lines += [f"**{picture.title}**{' (incomplete)' if picture.failures else ''}", "", " ".join(shown), ""]
        if picture.failures:
            lines += ["> Not drawn, so missing from the pictures:", *map(_failure, picture.failures), ""]
    return lines


def markdown(report: DiffReport) -> str:
    """Markdown for a pull-request comment: a table per changed thing, files folded away."""
    lines = [f"### obsgen diff `{report.base}` → `{report.head}`", "", f"**{_headline(report)}**"]
    lines += ["", "> [!WARNING]", f"> **{warning}**"] if (warning := _orphaning(report)) else []
    if not report.changed:
        lines += ["", "No generated output changes."]
    for section, changes in _sections(report):
        heading = "PagerDuty incidents a deploy would orphan" if section == PAGERDUTY else section.capitalize()
        lines += ["", f"#### {heading}", ""]
        for change in changes:
            where = f" in `{change.where}`" if change.where else ""
            lines.append(f"- **{change.action}** {_code(change.name)}{where}")
            lines += _markdown_fields(change)
    lines += _markdown_pictures(report.drawing)
    files = report.files
    if len(files):
        listed = [f"`{mark}` {path}" for mark, paths in (("A", files.added), ("D", files.removed),
                                                          ("M", files.modified)) for path in paths]
        more = len(listed) - _MAX_FILES
        lines += ["", f"<details><summary>{len(files)} generated files touched</summary>", "",
                  *(f"- {item}" for item in listed[:_MAX_FILES]), *([f"- … and {more} more"] if more > 0 else []),
                  "", "</details>"]
    return "\n".join(lines) + "\n"
