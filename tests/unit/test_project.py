from pathlib import Path

from generator.build import check_project, load
from generator.model import Alert, Metric
from generator.model.project import Project

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


def test_every_definition_knows_its_file_and_line(project: Project) -> None:
    cpu = project.alerts["CpuHigh"]
    assert project.relative(cpu.location).file == "definitions/alerts.py"
    line = (DEFINITIONS / "alerts.py").read_text().splitlines()[cpu.location.line - 1]
    assert "CPU_HIGH = Alert(" in line


def test_the_plans_names_stay_findable(project: Project) -> None:
    plan = {a.plan_name: a.name for a in project.all(Alert)}
    assert plan == plan | {"cpu_high": "CpuHigh", "memory_critical": "MemoryHigh",
                           "conversion_drop": "ConversionRateLow", "revenue_anomaly": "RevenueDrop"}
    assert project.recording_rules["instance:cpu_usage:percent"].plan_name == "cpu_usage"


def test_aggregation_policy_expands_into_recording_rules(project: Project) -> None:
    assert "service:http_request_duration_seconds:p95_5m" in project.recording_rules
    assert "service:http_request_duration_seconds:p99_1d" in project.recording_rules


def test_mappings_are_reported_as_warnings(project: Project) -> None:
    text = "\n".join(map(str, check_project(project).problems))
    assert "cooldown" not in text  # its cooldowns map one-to-one onto route timings (MP001 says those that do not)
    assert "retention raw=1h" in text
    assert "no min/max of observations" in text


def test_loading_twice_gives_equal_projects() -> None:
    first, second = load(DEFINITIONS), load(DEFINITIONS)
    assert [o.model_dump() for o in first.objects] == [o.model_dump() for o in second.objects]
    assert isinstance(first.metrics["node_cpu_seconds_total"], Metric)

