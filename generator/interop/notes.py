"""What a dashboard conversion mapped or kept verbatim, grouped so that 300 panels make a few lines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

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
