"""GD009 says what Prometheus does for a scraped series: a panel reading one over [$__interval] draws a value at every
step of Grafana's shortest step (the provisioned timeInterval, 15 s) when its job scrapes as often, and gaps when
the job scrapes every 1m; rate() over [$__interval] of that job draws nothing, and over [$__rate_interval] with the
query's min step at the job's interval (the fix GD009 gives) a value at every step. promtool samples the series at
the job's interval and runs the panel's query at each step, as a range query does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from generator.checks.lint import RULES, lint
from generator.checks.lint.dashboard_json import LintContext
from generator.checks.lint.scrape_intervals import Scraped
from generator.core.duration import format_seconds
from tests.grafana.test_recorded_step import provisioned_step
from tests.servers import promtool_test

GD009 = next(rule for rule in RULES if rule.CODE == "GD009")
SERIES = 'queue_depth{job="batch",queue="orders"}'


def _steps(every: float) -> list[str]:
    """Grafana's steps over two minutes from 5m on, `every` seconds apart."""
    return [format_seconds(5 * 60 + every * k) for k in range(int(120 // every) + 1)]


def _panel(expr: str, **target: Any) -> dict[str, Any]:
    return {"panels": [{"type": "timeseries", "id": 1, "title": "Queue",
                        "targets": [{"refId": "A", "expr": expr, **target}]}]}


def _findings(dashboard: dict[str, Any], scrape_every: float) -> list[str]:
    context = LintContext(scraped={"queue_depth": (Scraped("batch", "stack.py:30", scrape_every, own_interval=True,
                                                           labels={"job": "batch"}),)},
                          min_step=provisioned_step())
    return [message for _, message in lint(dashboard, context, GD009)]


def _missing_steps(query: str, scrape_every: float, steps: list[str], tmp_path: Path) -> set[str]:
    """The steps at which promtool's query returns nothing, the series scraped every scrape_every seconds."""
    every = format_seconds(scrape_every)
    test = {"rule_files": [], "evaluation_interval": every, "tests": [{
        "interval": every,
        "input_series": [{"series": SERIES, "values": f"5+1x{int(600 // scrape_every)}"}],
        "promql_expr_test": [{"expr": f"count({query})", "eval_time": step, "exp_samples": [{"labels": "{}",
                                                                                             "value": 1}]}
                             for step in steps]}]}
    result = promtool_test(test, tmp_path / f"scraped-{every}.yml")
    missing = set(re.findall(r"time: (\S+),\n\s+exp: \{\} 1E\+00\n\s+got: nil", result.stdout + result.stderr))
    assert (result.returncode == 0) == (not missing), result.stdout + result.stderr
    return missing


def _at_shortest_step(expr: str) -> str:
    """The expression as Grafana sends it at the shortest step: $__interval is the provisioned timeInterval."""
    return expr.replace("$__interval", format_seconds(provisioned_step()))


def test_a_job_scraped_at_the_shortest_step_draws_every_step_and_gd009_passes_it(tmp_path: Path) -> None:
    expr = "avg_over_time(queue_depth[$__interval])"
    step = provisioned_step()
    assert _missing_steps(_at_shortest_step(expr), step, _steps(step), tmp_path) == set()
    assert _findings(_panel(expr), step) == []


def test_a_job_scraped_every_minute_draws_gaps_and_gd009_names_it(tmp_path: Path) -> None:
    expr = "avg_over_time(queue_depth[$__interval])"
    gaps = _missing_steps(_at_shortest_step(expr), 60.0, _steps(provisioned_step()), tmp_path)
    # between two scrapes (5m, 6m) the 15 s windows hold no sample; at a scrape the line is drawn
    assert {"5m30s", "5m45s", "6m30s", "6m45s"} <= gaps and not {"5m", "6m", "7m"} & gaps, gaps
    (message,) = _findings(_panel(expr), 60.0)
    assert "scrape job 'batch' (stack.py:30), scraped every 1m (its own interval)" in message, message
    assert 'set the panel\'s min interval to 1m (extra={"interval": "1m"})' in message, message
    assert _findings({"panels": [_panel(expr)["panels"][0] | {"interval": "1m"}]}, 60.0) == []


def test_rate_over_interval_of_a_minute_job_draws_nothing_and_the_fix_gd009_gives_draws_every_step(
        tmp_path: Path) -> None:
    expr = "rate(queue_depth[$__interval])"
    steps = _steps(provisioned_step())
    assert _missing_steps(_at_shortest_step(expr), 60.0, steps, tmp_path) == set(steps)
    (message,) = _findings(_panel(expr), 60.0)
    assert "use [$__rate_interval] and the query's min step at 1m" in message, message
    # the fix: the query's min step at the job's 1m makes the step 1m and, for Grafana (grafana/grafana#77234),
    # $__rate_interval = max($__interval + min step, 4 x min step) = 4m
    fixed = _panel("rate(queue_depth[$__rate_interval])", interval="1m")
    assert _findings(fixed, 60.0) == []
    min_step = 60.0
    rate_interval = format_seconds(max(min_step + min_step, 4 * min_step))
    assert _missing_steps(f"rate(queue_depth[{rate_interval}])", 60.0, _steps(min_step), tmp_path) == set()


def test_rate_interval_without_the_min_step_misses_a_minute_job_and_gd009_says_so(tmp_path: Path) -> None:
    # $__rate_interval at the shortest step: max(15s + 15s, 4 x 15s) = 1m, one scrape of the job in most windows
    ds = provisioned_step()
    window = format_seconds(max(ds + ds, 4 * ds))
    steps = _steps(ds)
    missing = _missing_steps(f"rate(queue_depth[{window}])", 60.0, steps, tmp_path)
    between = {step for step in steps if step.endswith("s")}  # 5m15s, not 5m
    assert between <= missing, (between, missing)  # only a step on a scrape may see two (a closed window)
    (message,) = _findings(_panel("rate(queue_depth[$__rate_interval])"), 60.0)
    assert f"$__rate_interval is {window}" in message and "set the query's min step at 1m" in message, message

