"""What a dashboard conversion mapped or kept verbatim, grouped so that 300 panels make a few lines, each subject
named with the line it is written at in the file imported (a 3,000-line dashboard's panel is found by its line)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from generator.core.lined import line_of

SHOWN = 8  # subjects named per line; the rest are counted


class Placed(str):
    """A panel or row being read as an error names it (`panel 'CPU' (id 3)`), with the JSON path it was read from
    (`path`, as the readers index it): two panels of one title and id (none, often) are each found at their own."""

    path: str

    def __new__(cls, text: str, path: str = "") -> Placed:
        made = super().__new__(cls, text)
        made.path = path
        return made


@dataclass
class Notes:
    """Warnings of one conversion, by topic, each with the subjects (panels, keys) it applies to and where each is
    written: the line of the node being read (`where`, or the one a note names) in the dashboard as `written` in
    its file (read by core.lined; without lines, every note is the dashboard's).

    Once the dashboard is `shaped` (grafana_shape left out the values of lists of objects that are no objects),
    a JSON path indexes those lists as the readers do: `kept` gives the index each item had as written."""

    topics: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    where: str = ""  # the JSON path or panel (a Placed) being read, for an error or a note about it
    written: Any = None
    shaped: bool = False
    kept: dict[str, list[int]] = field(default_factory=dict)  # a list's path as written -> its items' indices kept
    placed: dict[int, str] = field(default_factory=dict)  # id() of a panel the upgrade made -> the path it read
    _found: dict[str, int] = field(default_factory=dict)  # where -> its line, each found once
    _panels: dict[tuple[str, str], int] | None = None  # (title's repr, id) -> line, the first panel so

    def written_path(self, path: str) -> str:
        """A JSON path as the readers index it (once shaped) with each list index as written in the file."""
        if not self.shaped or not self.kept or PANEL_WHERE.fullmatch(path):
            return path
        written = ""
        for key, index in STEP.findall(path):
            if key:
                written += f".{key}" if written else key
                continue
            indices = self.kept.get(written)
            written += f"[{indices[int(index)] if indices is not None and int(index) < len(indices) else index}]"
        return written

    def placing(self, panel: dict[str, Any]) -> Placed:
        """Where a panel or row the upgrade made is being read: by its title and id, at the path it was read from."""
        return Placed(f"panel {panel.get('title')!r} (id {panel.get('id')})", self.placed.get(id(panel), ""))

    def line(self, where: str) -> int:
        """The line of the node `where` names (see where_line; a Placed by its path), the dashboard's when it names
        none."""
        where = self.written_path(getattr(where, "path", "") or where)
        if where not in self._found:
            if self._panels is None and PANEL_WHERE.fullmatch(where):
                self._panels = _panel_lines(self.written)
            self._found[where] = where_line(self.written, where, self._panels)
        return self._found[where]

    def add(self, topic: str, subject: str = "", at: str | None = None) -> None:
        """Record a topic, once per subject it applies to, at the line of the node being read (of `at`, a JSON
        path or panel as `where` names them, when given)."""
        self.topics.setdefault(topic, []).append((subject, self.line(self.where if at is None else at)))

    def lines(self) -> list[tuple[int, str]]:
        """(line, text), one per topic: the subjects named (x count when repeated) with their lines, the rest
        counted with theirs; the line is the first subject's (the first noted, for a topic without one)."""
        found = []
        for topic, said in self.topics.items():
            places: dict[str, list[int]] = {}
            for subject, line in said:
                if subject and line and line not in places.setdefault(subject, []):
                    places[subject].append(line)
            counted = Counter(subject for subject, _ in said if subject)
            shown = counted.most_common(SHOWN)
            first = places.get(shown[0][0]) if shown else [line for _, line in said if line]
            line = first[0] if first else line_of(self.written)

            def at(lines: list[int], line: int = line) -> str:
                return "" if lines in ([], [line]) else f" (line {lines[0]})" if len(lines) == 1 else \
                    f" (lines {', '.join(map(str, lines))})"

            named = [f"{s} x{n}" if n > 1 else s for s, n in shown]
            named = [f"{text}{at(places.get(s, []))}" for text, (s, _) in zip(named, shown, strict=True)]
            rest = sorted({line for s in counted if s not in dict(shown) for line in places.get(s, [])})
            more = f" and {len(counted) - SHOWN} more{at(rest, 0)}" if len(counted) > SHOWN else ""
            found.append((line, f"{topic}: {', '.join(named)}{more}" if named else topic))
        return found


PANEL_WHERE = re.compile(r"panel (.*) \(id (.*)\)")
STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _panel_lines(data: Any) -> dict[tuple[str, str], int]:
    """(title's repr, id as text) -> line of the panels, rows and rows' panels of a dashboard, the first of each."""
    data = data if isinstance(data, dict) else {}
    listed = [item for key in ("panels", "rows") for item in _items(data.get(key))]
    found: dict[tuple[str, str], int] = {}
    for panel in listed + [inner for item in listed for inner in _items(item.get("panels"))]:
        found.setdefault((repr(panel.get("title")), str(panel.get("id"))), line_of(panel, default=line_of(data)))
    return found


def where_line(data: Any, where: str, panels: dict[tuple[str, str], int] | None = None) -> int:
    """The line of the node of a dashboard's source JSON (core.lined: 0 when its objects do not know theirs) that
    Notes.where names: a JSON path (templating.list[2], panels[0].panels[1], rows[3], a key's line for a value that
    is no object) or a panel by title and id (found among the panels, rows and rows' panels: `panels`, as
    _panel_lines finds them); the dashboard's own line when it names none of them."""
    matched = PANEL_WHERE.fullmatch(where)
    if matched is not None:
        panels = _panel_lines(data) if panels is None else panels
        return panels.get((matched.group(1), matched.group(2)), line_of(data))
    node, line = data, line_of(data)
    for key, index in STEP.findall(where):
        if key and isinstance(node, dict):
            node, line = node.get(key), line_of(node, key, default=line)
        else:
            node = node[int(index)] if index and isinstance(node, list) and int(index) < len(node) else None
        line = line_of(node, default=line)
    return line


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
