"""Alertmanager inhibit rules that keep one SLO incident one notification.

A fast burn fires every burn window at once: the 1h and 6h pages (each climbing its own escalation ladder) and
the 1d and 3d tickets. The shortest window firing says it all: within an urgency, it mutes the longer windows
(level by level, so its own ladder is the one that climbs), and any page mutes the SLO's tickets. A longer window
still firing once the short one resolves (a slow burn after the fast one) is notified then.

The SLI's inputs gone (its absent alert, absent.py) mute nothing, and nothing mutes it (it has no window label).
Its page comes first, saying the burn alerts resolve for want of inputs; muting their resolution would orphan it
for good: Alertmanager never sends a resolution it muted, even once the muting alert is gone
(prometheus/alertmanager#2754), so the page's incident would stay open in PagerDuty.
"""

from __future__ import annotations

from typing import Any

from generator.core.duration import parse_seconds
from generator.model.conventions import ESCALATION_LEVEL_LABEL
from generator.model.slo import SLO, WINDOW_LABEL


def inhibitions(slo: SLO) -> list[dict[str, Any]]:
    """The SLO's inhibit rules (alertmanager.yml's inhibit_rules entries), shortest window first."""
    own = [f'{name}="{value}"' for name, value in sorted(slo.series_labels.items())]
    by_urgency: dict[str, list[str]] = {}
    for burn in sorted(slo.alerting.windows, key=lambda burn: parse_seconds(burn.long)):
        by_urgency.setdefault(burn.urgency, []).append(burn.long)
    rules = [{"source_matchers": [*own, f'{WINDOW_LABEL}="{shorter}"'],
              "target_matchers": [*own, f'{WINDOW_LABEL}=~"{"|".join(windows[rank + 1:])}"'],
              "equal": [ESCALATION_LEVEL_LABEL]}
             for windows in by_urgency.values() for rank, shorter in enumerate(windows[:-1])]
    if "page" in by_urgency and "ticket" in by_urgency:
        rules.append({"source_matchers": [*own, f'{WINDOW_LABEL}=~"{"|".join(by_urgency["page"])}"'],
                      "target_matchers": [*own, f'{WINDOW_LABEL}=~"{"|".join(by_urgency["ticket"])}"']})
    return rules
