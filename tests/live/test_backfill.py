"""Backfilled history: the demo's past, written as OpenMetrics that promtool turns into blocks."""

from __future__ import annotations

from pathlib import Path

from generator.derive.time_compression import apply
from generator.live.backfill import History, openmetrics, read_over_ranges, write_raw
from generator.live.demo.business import BusinessModel
from generator.model.profile import Profile
from generator.model.project import Project

MODELLED = BusinessModel(epoch=0.0).series_names()


def test_history_covers_twice_the_longest_range_over_the_demos_series(project: Project) -> None:
    fast = apply(project, Profile(time_scale=1 / 60))
    history = History.for_rules(fast, MODELLED, end=1_000_000.0)
    assert history.end - history.start == 2 * (7 * 86400 / 60)  # avg_over_time(job:revenue:increase1h[7d]) at 60x
    assert history.step == 15  # rate(...[1m]) at 60x: four samples a window
    assert [rule.name for rule in read_over_ranges(fast, MODELLED)] == ["job:revenue:increase1h"]


def test_ranges_over_series_the_demo_does_not_write_are_ignored(project: Project) -> None:
    assert read_over_ranges(project, frozenset()) == []
    assert History.for_rules(project, frozenset(), end=7200.0).start == 0.0  # the default: an hour, twice


def test_openmetrics_history_carries_the_scrape_labels_and_ends_with_eof() -> None:
    text = openmetrics(BusinessModel(epoch=0.0), History(0.0, 60.0, 15.0), {"job": "api", "instance": "h:1"})
    assert text.splitlines()[-2].endswith(" 60.000")  # the last sample is where the live demo takes over
    assert text.endswith("# EOF\n")
    line = next(line for line in text.splitlines() if line.startswith("revenue_total"))
    assert line.startswith('revenue_total{instance="h:1",job="api",product_category="books"} 0.000000 0.000')
    assert text.count('sales_sessions_total{instance="h:1",job="api",user_segment="new"}') == 5


def test_promtool_turns_the_history_into_blocks(tmp_path: Path) -> None:
    samples = write_raw(BusinessModel(epoch=0.0), History(0.0, 3600.0, 15.0), {"job": "api"}, tmp_path / "data",
                        tmp_path)
    assert samples > 1000
    assert any((block / "meta.json").exists() for block in (tmp_path / "data").iterdir())
