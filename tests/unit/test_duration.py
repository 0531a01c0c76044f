import pytest

from generator.core.duration import format_seconds, parse_seconds, scale


@pytest.mark.parametrize(("text", "seconds"), [("5m", 300), ("1h30m", 5400), ("7d", 604800), ("0s", 0),
                                                ("250ms", 0.25), ("1w2d", 777600)])
def test_parses_prometheus_durations(text: str, seconds: float) -> None:
    assert parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5 m", "1.5h", "m5", "-1m"])
def test_rejects_what_prometheus_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        parse_seconds(text)


@pytest.mark.parametrize("text", ["292y", "106751d23h47m16s854ms"])
def test_reads_durations_up_to_the_longest_prometheus_holds(text: str) -> None:
    assert parse_seconds(text) <= (2**63 - 1) / 1e9


@pytest.mark.parametrize("text", ["293y", "106751d23h47m16s855ms", "222527392m"])
def test_rejects_durations_prometheus_finds_out_of_range(text: str) -> None:
    """promtool check rules: "duration out of range" (Go's int64 nanoseconds); obsgen says so at the definition."""
    with pytest.raises(ValueError, match="longer than the longest duration Prometheus reads"):
        parse_seconds(text)


def test_formats_canonically() -> None:
    assert [format_seconds(s) for s in (0, 90, 300, 3600, 86400 + 60)] == ["0s", "1m30s", "5m", "1h", "1d1m"]


def test_scale_compresses_time_but_never_to_zero() -> None:
    assert scale("15m", 1 / 60) == "15s"
    assert scale("10s", 1 / 60) == "1s"
    assert scale("0s", 1 / 60) == "0s"
