"""A diff report as text for a terminal, or as Markdown for a pull-request comment."""

from __future__ import annotations

from itertools import groupby

from generator.analysis.diff.changes import Change
from generator.analysis.diff.compare import DiffReport

_SIGN = {"added": "+", "removed": "-", "changed": "~"}
_MAX_FILES = 50


def _sections(report: DiffReport) -> list[tuple[str, list[Change]]]:
    return [(section, list(changes)) for section, changes in groupby(report.changes, key=lambda c: c.section)]


def _headline(report: DiffReport) -> str:
    count = len(report.changes)
    return (f"{count} change{'s' * (count != 1)} in {len(report.files)} generated "
            f"file{'s' * (len(report.files) != 1)}")


def text(report: DiffReport) -> str:
    """Plain text: sections, one line per thing, one indented line per changed field, then the files."""
    lines = [f"obsgen diff {report.base} -> {report.head}: {_headline(report)}"]
    for section, changes in _sections(report):
        lines += ["", section]
        for change in changes:
            where = f"  ({change.where})" if change.where and change.action != "changed" else ""
            lines.append(f"  {_SIGN[change.action]} {change.name}{where}")
            lines += [f"      {f.field}: {f.old or '(none)'} -> {f.new or '(none)'}" for f in change.fields]
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


def markdown(report: DiffReport) -> str:
    """Markdown for a pull-request comment: a table per changed thing, files folded away."""
    lines = [f"### obsgen diff `{report.base}` → `{report.head}`", "", f"**{_headline(report)}**"]
    if not report.changed:
        lines += ["", "No generated output changes."]
    for section, changes in _sections(report):
        lines += ["", f"#### {section.capitalize()}", ""]
        for change in changes:
            where = f" in `{change.where}`" if change.where else ""
            lines.append(f"- **{change.action}** `{change.name}`{where}")
            if change.fields:
                lines += ["", "  | field | before | after |", "  |---|---|---|"]
                lines += [f"  | {f.field} | {_cell(f.old)} | {_cell(f.new)} |" for f in change.fields]
                lines.append("")
    files = report.files
    if len(files):
        listed = [f"`{mark}` {path}" for mark, paths in (("A", files.added), ("D", files.removed),
                                                          ("M", files.modified)) for path in paths]
        more = len(listed) - _MAX_FILES
        lines += ["", f"<details><summary>{len(files)} generated files touched</summary>", "",
                  *(f"- {item}" for item in listed[:_MAX_FILES]), *([f"- … and {more} more"] if more > 0 else []),
                  "", "</details>"]
    return "\n".join(lines) + "\n"
