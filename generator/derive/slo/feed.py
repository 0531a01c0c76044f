"""promtool input series that make an SLI show a chosen error ratio, minute by minute."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from generator.model.sli import BoolGaugeSLI, Feed, LatencySLI, RatioSLI

EVENTS_PER_MINUTE = Decimal(1000)


@dataclass(frozen=True)
class Segment:
    """A stretch of constant traffic: its length in minutes and the share of failed events."""

    minutes: int
    error_ratio: Decimal


def _per_minute(feed: Feed, error_ratio: Decimal) -> Decimal:
    if feed is Feed.ALL:
        return EVENTS_PER_MINUTE
    if feed is Feed.BAD:
        return EVENTS_PER_MINUTE * error_ratio
    if feed is Feed.GOOD:
        return EVENTS_PER_MINUTE * (1 - error_ratio)
    return 1 - error_ratio  # GOOD_SHARE: a gauge, not a counter


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def values(feed: Feed, segments: Sequence[Segment], every: int = 1) -> str:
    """promtool's expanding notation for one series: a sample every `every` minutes, from 0 to the end."""
    parts = []
    counter = Decimal(0)
    for index, segment in enumerate(segments):
        step = _per_minute(feed, segment.error_ratio) * (every if feed is not Feed.GOOD_SHARE else 1)
        samples = segment.minutes // every + (1 if index == 0 else 0)  # the first segment also has t=0
        if feed is Feed.GOOD_SHARE:
            parts.append(f"{_text(step)}x{samples - 1}")
            continue
        start = counter if index == 0 else counter + step
        parts.append(f"{_text(start)}+{_text(step)}x{samples - 1}")
        counter = start + step * (samples - 1)
    return " ".join(parts)


def input_series(sli: RatioSLI | LatencySLI | BoolGaugeSLI, segments: Sequence[Segment],
                 every: int = 1) -> dict[str, str]:
    """Every series the SLI reads, sampled every `every` minutes, with each segment's error ratio."""
    if not segments or any(segment.minutes < every or segment.minutes % every for segment in segments):
        raise ValueError(f"segments must last a positive multiple of {every} minutes")
    return {series.selector: values(series.feed, segments, every) for series in sli.test_series()}
