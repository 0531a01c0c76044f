import pytest

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
