import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.core.gotemplate import TemplateError, go_float, readable, render
from generator.core.gotemplate_syntax import EXTERNAL_LABELS, label_reads, reads_value
from generator.model import Stack


@pytest.mark.parametrize(("value", "text"), [(95, "95"), (0.02, "0.02"), (1e6, "1e+06"), (123456, "123456"),
                                             (1e-5, "1e-05"), (-3.25, "-3.25"), (-0.0, "-0")])
def test_floats_print_as_go_prints_them(value: float, text: str) -> None:
    assert go_float(value) == text


def test_labels_and_value_render() -> None:
    assert render("{{ $labels.instance }} at {{ $value }}", {"instance": "a"}, 95.5) == "a at 95.5"
    assert render('{{ printf "%.1f" $value }}%', {}, 95.44) == "95.4%"


def test_missing_label_prints_empty_as_prometheus_does() -> None:
    """Prometheus executes templates with missingkey=zero (promtool renders `{{ $labels.nope }}` as "")."""
    assert render("{{ $labels.nope }} down", {}, None) == " down"


def test_external_labels_are_the_servers_not_the_alerts() -> None:
    """Prometheus gives alert templates `$externalLabels` (its global external_labels) beside `$labels` (the
    result's labels): each is read from its own set, a missing one prints "" (rules/alerting.go)."""
    external = {"platform": "shop & co"}
    assert render("{{ $externalLabels.platform }}/{{ $labels.platform }}", {"instance": "a"}, None, external) == (
        "shop & co/")
    assert render("{{ $externalLabels.platform | urlquery }}", {}, None, external) == "shop+%26+co"
    assert render("{{ with $externalLabels.platform }}in {{ . }}{{ end }}", {}, None, external) == "in shop & co"
    assert render("{{ with $externalLabels.region }}in {{ . }}{{ end }}", {"region": "eu"}, None, external) == ""
    assert render("{{ $externalLabels.platform }}", {"platform": "a"}, None) == ""
    assert readable("{{ $externalLabels.platform }} down") == "<platform> down"


def test_the_external_url_is_the_servers() -> None:
    """`$externalURL` is the server's --web.external-url (rules/alerting.go), as it is or query-escaped."""
    url = "http://prometheus.example:9090/prom"
    assert render("{{ $externalURL }}/alerts", {}, None, None, url) == "http://prometheus.example:9090/prom/alerts"
    assert render("{{ $externalURL | urlquery }}", {}, None, None, url) == (
        "http%3A%2F%2Fprometheus.example%3A9090%2Fprom")
    assert readable("see {{ $externalURL }}/alerts") == "see <externalURL>/alerts"


@pytest.mark.parametrize(("given", "seen"), [
    ("http://localhost:9090", "http://localhost:9090"), ("http://localhost:9090/", "http://localhost:9090"),
    ("https://example.com/prometheus//", "https://example.com/prometheus"),
    ("https://example.com/a/b", "https://example.com/a/b")])
def test_the_external_url_prometheus_prints_drops_the_path_s_trailing_slash(given: str, seen: str) -> None:
    """cmd/prometheus computeExternalURL: strings.TrimRight(path, "/")."""
    assert Stack(name="s", docs_url="https://docs.example.com", prometheus_url=given).prometheus_external_url == seen


def test_unsupported_actions_are_refused() -> None:
    with pytest.raises(TemplateError, match="cannot be predicted"):
        render('{{ query "up" | first | value }}', {}, 1.0)
    with pytest.raises(TemplateError, match="cannot be predicted"):
        render("{{ $value | toUpper }}", {}, 1.0)
    with pytest.raises(TemplateError, match="given text"):  # Go parses "1k" back as a float and fails
        render("{{ $value | humanize | humanize }}", {}, 1000.0)
    with pytest.raises(TemplateError, match="past int64"):
        render("{{ $value | humanizeDuration }}", {}, 1e19)


def test_prometheus_humanize_functions_render_called_or_piped() -> None:
    assert render("in {{ $value | humanizeDuration }}", {}, 54321.0) == "in 15h 5m 21s"
    assert render("in {{ humanizeDuration $value }}", {}, 0.25) == "in 250ms"
    assert render("{{ $value | humanizePercentage }} of requests", {}, 0.0123) == "1.23% of requests"
    assert render("{{ humanize $value }}B, {{ $value | humanize1024 }}B", {}, 2.5e9) == "2.5GB, 2.328GiB"
    assert render("at {{ $value | humanizeTimestamp }}", {}, 1733390000.5) == "at 2024-12-05 09:13:20.5 +0000 UTC"
    assert render('{{ $value | printf "%.0f" }}%', {}, float("nan")) == "NaN%"


@settings(max_examples=300)
@given(st.floats(min_value=60, max_value=1e15))
def test_a_duration_of_a_minute_or_more_adds_up_to_its_whole_seconds(seconds: float) -> None:
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    parts = render("{{ $value | humanizeDuration }}", {}, seconds).split()
    assert sum(int(part[:-1]) * units[part[-1]] for part in parts) == int(seconds)


@settings(max_examples=300)
@given(st.floats(min_value=1e-24, max_value=1e27) | st.floats(min_value=-1e27, max_value=-1e-24))
def test_humanize_keeps_four_significant_digits_under_a_thousand(value: float) -> None:
    text = render("{{ humanize $value }}", {}, value)
    number = text.rstrip("kMGTPEZYmunpfazy")
    assert 1 <= abs(float(number)) <= 1000 and len(number.lstrip("-").replace(".", "").lstrip("0")) <= 4


def test_a_with_block_shows_a_label_only_where_the_alert_has_it() -> None:
    template = "{{ $labels.forecast }}{{ with $labels.mountpoint }} {{ . }}{{ end }} on {{ $labels.instance }}"
    assert render(template, {"forecast": "disk_free", "mountpoint": "/data", "instance": "db-1"}, None) == \
        "disk_free /data on db-1"
    assert render(template, {"forecast": "memory_used", "instance": "db-1"}, None) == "memory_used on db-1"
    assert readable(template) == "<forecast> <mountpoint> on <instance>"


@pytest.mark.parametrize(("template", "labels"), [
    ("{{ $labels.job }} on {{ .Labels.instance }}: {{ index $labels \"pod\" }}", ["job", "instance", "pod"]),
    ("{{ with $labels.mountpoint }} at {{ . }} ({{ $labels.mountpoint }}){{ end }} {{ $labels.device }}", ["device"]),
    ("{{ if $labels.a }}{{ $labels.a }}{{ else if $labels.b }}{{ $labels.b }}{{ end }}{{ $labels.a }}", ["a"]),
    ('{{ with query "up" }}{{ .Labels.instance }}{{ end }}{{ range $labels }}{{ . }}{{ end }}', []),
    ("{{ $value | humanize }} {{ $externalLabels.cluster }}", []),
])
def test_the_labels_a_rule_template_prints(template: str, labels: list[str]) -> None:
    """What alert-meaning checks compare with an expression's labels: a label tested first is handled on purpose,
    and a query's result moves the dot away from the alert."""
    assert label_reads(template) == labels


@pytest.mark.parametrize(("template", "labels"), [
    ("{{ $externalLabels.cluster }} {{ .ExternalLabels.region }} {{ index $externalLabels \"zone\" }}",
     ["cluster", "region", "zone"]),
    ("{{ with $externalLabels.cluster }}{{ . }} {{ $externalLabels.cluster }}{{ end }} {{ $labels.instance }}", []),
    ('{{ range query "up" }}{{ .ExternalLabels.region }}{{ end }}', []),
])
def test_the_external_labels_a_rule_template_prints(template: str, labels: list[str]) -> None:
    """What SM016 compares with the stack's external labels, read as a template's labels are."""
    assert label_reads(template, EXTERNAL_LABELS) == labels


@pytest.mark.parametrize(("template", "reads"), [
    ("{{ $value | humanize }}", True), ('{{ printf "%.1f" .Value }}', True), ("{{ if gt $value 1.0 }}x{{ end }}", True),
    ('{{ with query "up" }}{{ if true }}{{ end }}{{ .Value }}{{ end }}', False), ("{{ $labels.instance }}", False),
])
def test_whether_a_rule_template_reads_the_value(template: str, reads: bool) -> None:
    assert reads_value(template) is reads
