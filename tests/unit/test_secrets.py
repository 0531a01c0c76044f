import pytest

from generator.checks import secrets
from generator.core.secret_scan import find
from generator.model.secrets import secret_in_value


@pytest.mark.parametrize("value", [
    "https://hooks.slack.com/services/T000/B000/XXXX",
    "xoxb-1234-abcd",
    "0123456789abcdef0123456789abcdef",
    "https://user:pass@example.com/hook",
    "https://example.com/hook?token=abc",
])
def test_secret_looking_values_are_spotted(value: str) -> None:
    assert secret_in_value(value)


@pytest.mark.parametrize("value", ["https://events.example.com/v2/enqueue", "#alerts", "oncall@example.com",
                                   "/etc/alertmanager/secrets/slack"])
def test_clean_values_pass(value: str) -> None:
    assert secret_in_value(value) == ""


# A reference is what the server reading the file fills in; anything else after `:` in a URL is the password.
@pytest.mark.parametrize("url", ["https://u:${ALERTS_PASSWORD}@h/x", "https://u:$ALERTS_PASSWORD@h/x",
                                 "https://u:${env:ALERTS_PASSWORD}@h/x", "https://u:$__env{ALERTS_PASSWORD}@h/x",
                                 "https://u:$__file{/run/secrets/pw}@h/x", "https://u:{{ $labels.pw }}@h/x",
                                 "https://h/x?token=$API_TOKEN"])
def test_references_the_server_expands_are_no_secret(url: str) -> None:
    assert find(url) == []


@pytest.mark.parametrize("url", ["https://u:$ALERTS_PASSWORD@h/x", "https://u:${ALERTS_PASSWORD}@h/x",
                                 "https://h/x?token=$API_TOKEN"])
def test_alertmanager_expands_no_environment_variable_so_a_reference_there_is_the_secret(url: str) -> None:
    (secret,) = find(url, expands=False)
    assert "not expanded here" in secret.kind
    assert secret_in_value(url)  # a Channel's url is Alertmanager's


@pytest.mark.parametrize(("text", "password"), [
    ("https://alerts:$Hunter2pw@hooks.example.com/alerts", "$Hunter2pw"),
    ("DB: postgresql://app:$upErS3cret99@db:5432/shop", "$upErS3cret99"),
    ("https://u:${lower_case}@h/x", "${lower_case}"),
    ("DB: postgresql://app:upEr'S3cret99@db:5432/shop", "upEr'S3cret99"),
    ("mysql://root:p'w0rd-Q1@db/x", "p'w0rd-Q1"),
    ('dsn=mysql://root:pw"Q1x@db/x', 'pw"Q1x'),
])
def test_a_password_starting_with_a_dollar_or_holding_a_quote_is_found(text: str, password: str) -> None:
    assert password in [secret.value for secret in find(text)]


@pytest.mark.parametrize("text", ['probe_success{instance="http://db:5432",owner="ops@company.com"}',
                                  "'https://grafana.company.com' or ops@company.com",
                                  "See https://grafana.example.com/d/abc?var-job=$job&from=$__from"])
def test_a_port_then_a_quote_is_not_a_password(text: str) -> None:
    assert find(text) == []


def test_only_alertmanagers_files_are_scanned_as_literal() -> None:
    alertmanager = {"receivers": [{"webhook_configs": [{"url": "https://u:$ALERTS_PASSWORD@h/x"}]}]}
    grafana = {"datasources": [{"url": "https://u:$PROMETHEUS_PASSWORD@prometheus:9090"}]}
    assert not secrets._suspect([(grafana, True)])
    assert secrets._suspect([(alertmanager, False)])
    found, _ = secrets._found({"grafana/provisioning/datasources/obsgen.yml": grafana,
                               "alertmanager/alertmanager.yml": alertmanager,
                               "kubernetes/alertmanager/config-secret.yaml": {"stringData": {"a": "x"}}})
    assert [secret.value for secret in found] == ["$ALERTS_PASSWORD"]
