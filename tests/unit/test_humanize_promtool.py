"""obsgen's port of Prometheus' humanize functions against the real thing: promtool renders the same values through
an alert's annotations and compares them with gotemplate's text (exp_annotations), so any byte of difference fails."""

import json
import math
import random
from pathlib import Path

import yaml

from generator.core.gotemplate import NO_VALUE, guard_absent_value, render
from tests.servers import promtool_test

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 59.99, 60.0, 61.0, 3599.9, 3600.0, 86399.0, 86400.0, 90061.5,
         54321.0, -54321.0, 999.95, 1000.0, 1023.0, 1024.0, 1025.0, 1048576.0, 0.001, 0.0009999, 1e-9, 1e-24,
         1e-30, 1e24, 1e27, 1e30, 0.25, 0.9999, 0.97345, 97.345, 1e15, 1733390000.0, 1733390000.123456,
         -86400.5, 12345.0, 0.00012345, math.nan, math.inf, -math.inf]
PIPELINES = {
    "humanize": "{{ humanize $value }}",
    "humanize1024": "{{ $value | humanize1024 }}",
    "duration": "{{ $value | humanizeDuration }}",
    "percentage": "{{ $value | humanizePercentage }}",
    "timestamp": "{{ humanizeTimestamp $value }}",
    "printf": '{{ printf "%.1f" $value }}',
    "piped_printf": '{{ $value | printf "%.0f" }}',
    "value": "{{ $value }}",
}


def _values() -> list[float]:
    """The edge cases, then values of every magnitude PromQL carries, both signs, from a fixed seed."""
    rng = random.Random(36)
    spread = [rng.choice((1, -1)) * rng.uniform(1, 10) * 10.0 ** rng.randint(-27, 27) for _ in range(300)]
    return EDGES + spread


def _literal(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    return "-0" if value == 0 and math.copysign(1, value) < 0 else repr(value)


def _annotations(value: float) -> dict[str, str]:
    """Every pipeline Prometheus can render for the value: humanizeTimestamp refuses what overflows int64
    nanoseconds, and obsgen refuses durations past 2^63 s (Go's int64 conversion is the CPU's there)."""
    return {key: text for key, text in PIPELINES.items()
            if not (key == "timestamp" and abs(value) >= 9e9) and not (key == "duration" and abs(value) >= 9e18)}


def test_humanize_functions_print_what_prometheus_prints(tmp_path: Path) -> None:
    values = _values()
    rules = [{"alert": f"V{n}", "expr": f"vector({_literal(value)})", "annotations": _annotations(value)}
             for n, value in enumerate(values)]
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "values", "rules": rules}]}))
    expected = [{"eval_time": "0m", "alertname": f"V{n}", "exp_alerts": [{
        "exp_labels": {},
        "exp_annotations": {key: render(text, {}, value) for key, text in _annotations(value).items()}}]}
        for n, value in enumerate(values)]
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": [
        {"interval": "1m", "input_series": [{"series": "unused", "values": "0"}], "alert_rule_test": expected}]}
    result = promtool_test(document, tmp_path / "test.yml")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_url_escaped_labels_print_what_prometheus_prints(tmp_path: Path) -> None:
    """A label's value through Go's urlquery, alone and in a with block."""
    texts = ["a&b #c", "web-1:9100", "100% /tmp?x=1+2", "~._-", "café ✓", "", "a\tb"]
    annotations = {"label": "{{ $labels.x | urlquery }}",
                   "with": "{{ with $labels.x }}&var-x={{ . | urlquery }}{{ end }}"}
    rules = [{"alert": f"L{n}", "annotations": annotations,
              "expr": f'label_replace(vector(1), "x", {json.dumps(text, ensure_ascii=False)}, "", "")'}
             for n, text in enumerate(texts)]
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "labels", "rules": rules}]}))
    expected = [{"eval_time": "0m", "alertname": f"L{n}", "exp_alerts": [{
        "exp_labels": {"x": text} if text else {},
        "exp_annotations": {key: render(template, {"x": text}, None) for key, template in annotations.items()}}]}
        for n, text in enumerate(texts)]
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": [
        {"interval": "1m", "input_series": [{"series": "unused", "values": "0"}], "alert_rule_test": expected}]}
    result = promtool_test(document, tmp_path / "test.yml")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert render(annotations["with"], {"x": "a&b #c"}, None) == "&var-x=a%26b+%23c"


def test_a_guarded_value_reads_no_current_value_where_prometheus_has_nan(tmp_path: Path) -> None:
    """An escalation copy's text (guard_absent_value) as Prometheus renders it: NO_VALUE, its % gone, for NaN;
    the value as the alert shows it otherwise."""
    values = [math.nan, 95.0, 0.5, math.inf, -0.0]
    annotations = {key: guard_absent_value(f"at {text}% (above 90%)") for key, text in PIPELINES.items()
                   if key != "timestamp"}
    rules = [{"alert": f"G{n}", "expr": f"vector({_literal(value)})", "annotations": annotations}
             for n, value in enumerate(values)]
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "guarded", "rules": rules}]}))
    expected = [{"eval_time": "0m", "alertname": f"G{n}", "exp_alerts": [{
        "exp_labels": {}, "exp_annotations": {key: render(text, {}, value) for key, text in annotations.items()}}]}
        for n, value in enumerate(values)]
    assert {render(text, {}, math.nan) for text in annotations.values()} == {f"at {NO_VALUE} (above 90%)"}
    assert "NaN" not in str(expected) and "at 95.0% (above 90%)" in str(expected[1])
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": [
        {"interval": "1m", "input_series": [{"series": "unused", "values": "0"}], "alert_rule_test": expected}]}
    result = promtool_test(document, tmp_path / "test.yml")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
