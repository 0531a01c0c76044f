"""A diff report as text for a terminal, or as Markdown for a pull-request comment."""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import groupby

from generator.analysis.diff.changes import Change, FieldChange
from generator.analysis.diff.compare import DiffReport
from generator.analysis.diff.dashboards import TEXT
from generator.analysis.diff.expr_diff import as_html, as_text, expr_diff
from generator.analysis.diff.pagerduty import SECTION as PAGERDUTY
from generator.analysis.diff.pagerduty import WARNING as ORPHANED

_SIGN = {"added": "+", "removed": "-", "changed": "~"}
_MAX_FILES = 50
_SHORT = 60
"""An expression change shorter than this reads best as before -> after; a longer one is shown once, marked."""


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
    return (f"{count} change{'s' * (count != 1)} in {len(report.files)} generated "
            f"file{'s' * (len(report.files) != 1)}")


def _orphaning(report: DiffReport) -> str:
    """The warning a reviewer must not miss, "" when no paging route's incidents would be orphaned."""
    count = sum(change.section == PAGERDUTY for change in report.changes)
    return (f"WARNING: {count} PagerDuty route{'s' * (count != 1)}: {ORPHANED} (see {PAGERDUTY} below)"
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
        if change.action != "changed":
            lines.append(f"{f.field}: {_value(change, f)}")
        elif _is_promql(f) and f.old and f.new and max(len(f.old), len(f.new)) > _SHORT:
            lines.append(f"{f.field}: {as_text(expr_diff(f.old, f.new))}")
        elif f.field == TEXT:
            removed, added = _changed_lines(f.old, f.new)
            lines += [f"{f.field}:", *(f"  - {line}" for line in removed), *(f"  + {line}" for line in added)]
        else:
            lines.append(f"{f.field}: {f.old or '(none)'} -> {f.new or '(none)'}")
    return lines


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
    if change.action != "changed":
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


def _markdown_pictures(report: DiffReport) -> list[str]:
    if not report.pictures:
        return []
    lines = ["", "#### Dashboards before and after", "", "Changed panels are outlined.", ""]
    for picture in report.pictures:
        shown = [f"![{picture.title} {side}]({path.as_posix()})"
                 for side, path in (("before", picture.before), ("after", picture.after)) if path is not None]
        lines += [f"**{picture.title}**", "", " ".join(shown), ""]
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
            lines.append(f"- **{change.action}** `{change.name}`{where}")
            lines += _markdown_fields(change)
    lines += _markdown_pictures(report)
    files = report.files
    if len(files):
        listed = [f"`{mark}` {path}" for mark, paths in (("A", files.added), ("D", files.removed),
                                                          ("M", files.modified)) for path in paths]
        more = len(listed) - _MAX_FILES
        lines += ["", f"<details><summary>{len(files)} generated files touched</summary>", "",
                  *(f"- {item}" for item in listed[:_MAX_FILES]), *([f"- … and {more} more"] if more > 0 else []),
                  "", "</details>"]
    return "\n".join(lines) + "\n"
