"""Generated promtool scenarios: constant error rates through each SLO's real rules, and which alerts fire when."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.build import build
from generator.checks import tools
from generator.core.disk_cache import DiskCache, source_digest
from generator.derive.slo.feed import Segment, input_series
from generator.derive.slo.scenarios import burn_scenario, clean_scenario, ratio_at, reset_scenario
from generator.model import SLO
from tests.slo.conftest import DEFINITIONS
from tests.slo.tiny import write


def _promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
                          env=tools.tool_environment())


def test_a_14_4x_page_fires_within_5_minutes_of_its_hour_filling(slos: list[SLO]) -> None:
    slo = slos[2]
    scenario = burn_scenario(slo, slo.alerting.windows[0])
    before, after = scenario.checks
    burn_started = scenario.segments[0].minutes
    assert (before.minute - burn_started, after.minute - burn_started) == (50, 60)
    assert before.firing == frozenset() and after.firing == {"1h"}
    assert len(before.asserted) == len(after.asserted) == 4


def test_a_burn_just_over_1x_opens_only_the_3d_ticket_after_days(slos: list[SLO]) -> None:
    slo = slos[2]
    scenario = burn_scenario(slo, slo.alerting.windows[3])
    burning_hours = (scenario.checks[1].minute - scenario.segments[0].minutes) / 60
    assert scenario.checks[1].firing == {"3d"} and 2 < burning_hours / 24 < 3
    assert "1.1x burn" in scenario.name


def test_a_3x_ticket_fires_with_the_3d_one_because_both_mean_3_days_of_budget(slos: list[SLO]) -> None:
    slo = slos[2]
    one_day, three_days = slo.alerting.windows[2:]
    assert one_day.factor(slo.window) * 1 == three_days.factor(slo.window) * 3
    assert burn_scenario(slo, one_day).checks[1].firing == {"1d", "3d"}


def test_the_reset_scenario_shows_the_short_window_ending_the_page(slos: list[SLO]) -> None:
    scenario = reset_scenario(slos[0])
    fired, reset = scenario.checks
    assert fired.firing == {"1h"} and reset.firing == frozenset() and reset.asserted == {"1h"}
    assert scenario.values[0].expr.endswith("_sli_error:ratio_rate1h > bool (14.4 * 0.001)")


def test_the_clean_scenario_asserts_every_alert_silent(slos: list[SLO]) -> None:
    checks = clean_scenario(slos[0]).checks
    assert all(check.firing == frozenset() and len(check.asserted) == 4 for check in checks)


def test_window_ratios_count_the_minutes_the_window_covers() -> None:
    segments = (Segment(60, Decimal(0)), Segment(30, Decimal("0.01")))
    assert ratio_at(segments, 90, 60) == pytest.approx(0.005)
    assert ratio_at(segments, 90, 5) == pytest.approx(0.01)
    assert ratio_at(segments, 10, 60) == 0


_segments = st.lists(st.builds(Segment, st.integers(0, 500),
                               st.decimals(0, 1, places=10, allow_nan=False, allow_infinity=False)), max_size=5)


@given(_segments, st.integers(0, 3000), st.integers(1, 3000))
def test_a_window_ratio_is_the_exact_mean_of_the_minutes_it_covers(segments: list[Segment], minute: int,
                                                                   window: int) -> None:
    """Segment arithmetic gives, bit for bit, the mean of the per-minute ratios (the scenarios' predictions are
    promtool's expectations: a rounding difference would flip one near a threshold)."""
    minutes = [segment.error_ratio for segment in segments for _ in range(segment.minutes)]
    covered = minutes[max(0, minute - window):minute]
    assert ratio_at(segments, minute, window) == (float(sum(covered) / len(covered)) if covered else 0.0)


def test_input_series_continue_counters_across_segments(slos: list[SLO]) -> None:
    segments = [Segment(4, Decimal(0)), Segment(4, Decimal("0.5"))]
    series = input_series(slos[2].sli, segments, every=2)
    assert list(series.values()) == ["0+0x2 1000+1000x1", "0+2000x2 5000+1000x1"]
    assert input_series(slos[0].sli, segments, every=2) == {'job:up:max{job="prometheus"}': "1x2 0.5x1"}


def _alert_checks(test: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Alert name -> the ALERTS samples each of its checks expects (empty: not firing)."""
    checks: dict[str, list[dict[str, Any]]] = {}
    for check in test["promql_expr_test"]:
        if name := re.match(r'ALERTS\{alertname="([^"]+)"', check["expr"]):
            checks.setdefault(name.group(1), []).extend(check["exp_samples"])
    return checks


def _expected_firing(test: dict[str, Any]) -> set[str]:
    return {name for name, samples in _alert_checks(test).items() if samples}


def test_scenarios_cover_every_burn_alert_and_the_clean_case(out: Path, slos: list[SLO]) -> None:
    for slo in slos:
        tests = [test for path in sorted((out / "prometheus/tests").glob(f"slo-{slo.slug}-scenarios*.yml"))
                 for test in yaml.safe_load(path.read_text())["tests"]]
        fired = set().union(*map(_expected_firing, tests))
        assert fired == {slo.alert(burn) for burn in slo.alerting.windows}
        clean = next(test for test in tests if "no failed events" in test["name"])
        assert not _expected_firing(clean)
        assert set(_alert_checks(clean)) == fired


def test_promtool_checks_the_slo_rules(out: Path, slos: list[SLO]) -> None:
    files = [f"prometheus/rules/slo-{slo.slug}.yml" for slo in slos]
    result = _promtool("check", "rules", *files, cwd=out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS: 19 rules found") == len(slos)


def test_promtool_passes_every_slo_example_and_scenario(out: Path, slos: list[SLO]) -> None:
    tests = sorted(f"promtool test rules {path.name}" for slo in slos
                   for path in (out / "prometheus/tests").glob(f"slo-{slo.slug}*.yml"))
    assert len(tests) == 4 * len(slos)  # alert examples, scenarios, the slower scenarios, the inputs vanishing
    # run as `obsgen check` runs them, taking a pass it keeps for the same bytes and the same promtool binary:
    # tests/e2e/test_check.py's run on the committed out/ (this one's twin under make test) keeps one for each,
    # which spares the 60 s of CPU they cost (the slower scenarios 8 s each); not kept, they run here
    passed = DiskCache(DEFINITIONS, "tools", source_digest(tools.__file__))
    results = tools.run_all(out, passed=passed, select=lambda command: command.name in tests)
    assert sorted(result.name for result in results) == tests
    failures = [f"{result.name}:\n{result.output}" for result in results if not result.ok]
    assert not failures, "\n".join(failures)
    assert sum(result.output.count("SUCCESS") for result in results) == len(tests)


def test_other_windows_objectives_and_sli_kinds_pass_their_own_scenarios(tmp_path: Path) -> None:
    """A 28-day latency SLO on an integral bucket, and a gauge SLO with custom windows down to 2 minutes."""
    out = tmp_path / "out"
    build(write(tmp_path, '''
        SLOW = SLO(service="api", name="latency", objective=99.5, window="28d", description="within 1 s",
                   sli=LatencySLI(histogram=LATENCY, threshold=1))
        UP = SLO(service="pipe", name="up", objective=99.9, description="scrapes succeed",
                 sli=BoolGaugeSLI(gauge='up{job="pipe"}'),
                 alerting=SLOAlerting(windows=(BurnWindow(urgency="page", long="30m", short="2m", budget_percent=1),
                                               BurnWindow(urgency="ticket", long="12h", short="1h", budget_percent=5))))
    '''), out)
    rules = sorted(str(p.relative_to(out)) for p in (out / "prometheus/rules").glob("slo-*.yml"))
    tests = sorted(str(p.relative_to(out)) for p in (out / "prometheus/tests").glob("slo-*.yml"))
    assert rules == ["prometheus/rules/slo-api-latency.yml", "prometheus/rules/slo-pipe-up.yml"]
    checked = _promtool("check", "rules", *rules, cwd=out)
    assert checked.returncode == 0 and "SUCCESS: 19 rules found" in checked.stdout
    assert "SUCCESS: 15 rules found" in checked.stdout  # 2 rates, 6 ratios (2m..12h, 30d), 4 budget, 3 alerts
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda path: _promtool("test", "rules", path, cwd=out), tests))
    assert all(r.returncode == 0 for r in results), "\n".join(r.stdout + r.stderr for r in results)
    assert '"1|1\\\\.0"' in (out / "prometheus/rules/slo-api-latency.yml").read_text()
