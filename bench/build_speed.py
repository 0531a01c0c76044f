"""Build time of definitions/ and of a synthetic project with 250 alerts and 250 recording rules.

Each build runs in a fresh process (interpreter start, import, load, validate, parse PromQL,
serialise, write out/); medians and minima of several runs, all measured in this one run. "full" builds
pass --full (nothing replayed from the last build's record: the cost of a build after any edit);
"replayed" ones are the unchanged project's.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
GOALS = {"definitions/ (the plan)": 1.0, "synthetic 250 alerts + 250 rules": 2.0}


def synthetic_project(directory: Path, alerts: int = 250, rules: int = 250) -> Path:
    """A definitions package shaped like a mid-sized real one."""
    directory.mkdir(parents=True)
    (directory / "__init__.py").write_text("")
    (directory / "base.py").write_text(textwrap.dedent('''
        from generator.model import AlertingConfig, EmailChannel, Severity, Smtp, Stack
        STACK = Stack(name="synthetic", docs_url="https://docs.example.com")
        CHANNELS = [EmailChannel(name="email", to=("oncall@example.com",))]
        ALERTING = AlertingConfig(severities=(Severity(name="warning", channels=("email",), cooldown="5m"),
                                              Severity(name="critical", channels=("email",), cooldown="1m")),
                                  smtp=Smtp(smarthost="smtp.example.com:587", sender="alerts@example.com"))
    '''))
    lines = ["from generator.model import Alert, Example, Metric, MetricType, RecordingRule, Source", ""]
    for i in range(rules):
        lines.append(f'm{i} = Metric(name="app_requests_{i}_total", type=MetricType.COUNTER, '
                     f'source=Source.APPLICATION, help="Requests {i}.", labels=("service", "status"))')
        lines.append(f'r{i} = RecordingRule(name="service:app_errors_{i}:ratio_rate5m", group="rules-{i % 10}", '
                     f'expr=\'sum by (service) (rate(app_requests_{i}_total{{status=~"5.."}}[5m])) '
                     f'/ sum by (service) (rate(app_requests_{i}_total[5m]))\')')
    for i in range(alerts):
        rule = f"service:app_errors_{i % rules}:ratio_rate5m"
        lines.append(textwrap.dedent(f'''
            a{i} = Alert(name="ErrorsHigh{i}", metric=r{i % rules}, op=">", threshold=0.05, **{{"for": "5m"}},
                severity="{"critical" if i % 3 else "warning"}", group="alerts-{i % 10}",
                summary="{{{{ $labels.service }}}} errors above 5%", description="Errors of service {i}.",
                runbook="Check the service.",
                examples=(Example(name="fires", series={{'{rule}{{service="s"}}': "0.1x10"}}, at="6m", fires=True),
                          Example(name="quiet", series={{'{rule}{{service="s"}}': "0.01x10"}}, at="6m",
                                  fires=False)))'''))
    (directory / "rules.py").write_text("\n".join(lines) + "\n")
    return directory


def time_build(definitions: Path, out: Path, *options: str) -> list[float]:
    """Wall times of RUNS fresh-process builds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator", "build", "--quiet", "--definitions", str(definitions),
                        "--out", str(out), *options], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        projects = {
            "definitions/ (the plan)": ROOT / "definitions",
            "synthetic 250 alerts + 250 rules": synthetic_project(Path(tmp) / "synthetic"),
        }
        baseline = time_build(ROOT / "definitions", Path(tmp) / "warmup")  # warm the OS file cache
        del baseline
        print(f"{'project':<36} {'build':<9} {'median s':>9} {'min s':>7} {'goal s':>7} {'median/goal':>12}")
        for name, definitions in projects.items():
            for kind, options in (("full", ("--full",)), ("replayed", ())):
                times = time_build(definitions, Path(tmp) / f"out-{len(name)}", *options)
                median = statistics.median(times)
                print(f"{name:<36} {kind:<9} {median:9.3f} {min(times):7.3f} {GOALS[name]:7.1f} "
                      f"{median / GOALS[name]:12.2f}")


if __name__ == "__main__":
    main()
