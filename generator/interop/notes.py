"""What a dashboard conversion mapped or kept verbatim, grouped so that 300 panels make a few lines."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from generator.core.lined import line_of

SHOWN = 8  # subjects named per line; the rest are counted


@dataclass
class Notes:
    """Warnings of one conversion, by topic, each with the subjects (panels, keys) it applies to."""

    topics: dict[str, list[str]] = field(default_factory=dict)
    where: str = ""  # the JSON path being read, for an error about it

    def add(self, topic: str, subject: str = "") -> None:
        """Record a topic, once per subject it applies to."""
        self.topics.setdefault(topic, []).append(subject)

    def lines(self) -> list[str]:
        """One line per topic: the subjects named (x count when repeated), the rest counted."""
        found = []
        for topic, subjects in self.topics.items():
            counted = Counter(s for s in subjects if s)
            named = [f"{s} x{n}" if n > 1 else s for s, n in counted.most_common(SHOWN)]
            more = f" and {len(counted) - SHOWN} more" if len(counted) > SHOWN else ""
            found.append(f"{topic}: {', '.join(named)}{more}" if named else topic)
        return found


PANEL_WHERE = re.compile(r"panel (.*) \(id (.*)\)")
STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def where_line(data: Any, where: str) -> int:
    """The line of the node of a dashboard's source JSON (core.lined: 0 when its objects do not know theirs) that
    Notes.where names: a JSON path (templating.list[2], panels[0].panels[1], rows[3]) or a panel by title and id
    (found among the panels, rows and rows' panels); the dashboard's own line when it names none of them."""
    matched = PANEL_WHERE.fullmatch(where)
    if matched is not None:
        listed = [item for key in ("panels", "rows") for item in _items(data.get(key))]
        for panel in listed + [inner for item in listed for inner in _items(item.get("panels"))]:
            if repr(panel.get("title")) == matched.group(1) and str(panel.get("id")) == matched.group(2):
                return line_of(panel, default=line_of(data))
        return line_of(data)
    node, line = data, line_of(data)
    for key, index in STEP.findall(where):
        node = node.get(key) if key and isinstance(node, dict) else \
            node[int(index)] if index and isinstance(node, list) and int(index) < len(node) else None
        line = line_of(node, default=line)
    return line


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
