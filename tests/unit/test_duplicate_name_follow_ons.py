"""A second team's definition of a name already taken is one error (XR001) at its line: what reads the name is
checked against the first definition, so the first team's alerts and SLOs get no warnings of the copy's making."""

from pathlib import Path

from generator.build import compile_definitions
from tests.checks.test_cases import project_with

FIRST_TEAM = '''
from generator.model import Alert, Example, Metric, MetricType, Source

http_requests = Metric(name="http_requests_total", type=MetricType.COUNTER, source=Source.APPLICATION,
                       help="HTTP requests served.", labels=("service", "status"))
SERVER_ERRORS = Alert(
    name="ServerErrors", expr='sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) > 1',
    severity="critical", summary="x", description="x", runbook="x",
    examples=(Example(name="fires", at="5m", fires=True, labels={"service": "api"},
                      series={'http_requests_total{service="api",status="500"}': "0+600x10"}),),
)
'''
SECOND_TEAM = '''
from generator.model import Metric, MetricType, Source

payment_requests = Metric(name="http_requests_total", type=MetricType.COUNTER, source=Source.APPLICATION,
                          help="Payment requests served.", labels=("route", "code"))
'''


def test_a_second_metric_of_a_taken_name_is_one_error_and_no_warning_at_the_first_teams_alert(tmp_path: Path) -> None:
    """payments.py declared http_requests_total again with its own labels; the checks read the copy, and the first
    team's alert at a_first.py got "http_requests_total{status=~"5.."} selects nothing: no http_requests_total series
    carries 'status' (they carry job, instance, route, code)" [SM014] beside the one real error."""
    definitions = project_with(tmp_path, {"a_first.py": FIRST_TEAM, "payments.py": SECOND_TEAM})
    report = compile_definitions(definitions).report
    found = [f"{Path(p.location.file).name}:{p.location.line}: {p.message} [{p.code}]"
             for p in report.problems if Path(p.location.file).name in ("a_first.py", "payments.py")]
    assert found == ["payments.py:4: duplicate metric name 'http_requests_total', also defined at "
                     f"{definitions / 'a_first.py'}:4 [XR001]"]
