"""How obsgen decides a running Prometheus runs the files in out/."""

from __future__ import annotations

from generator.apply import rules
from generator.apply.prometheus import config_differences

RULES = b"""groups:
- name: alerts
  rules:
  - alert: CpuHigh
    expr: instance:cpu_usage:percent{job="node",instance!=""} > 90
    for: 5m
    labels: {severity: critical}
    annotations: {summary: busy}
"""


def _loaded(query: str, duration: float = 300, interval: float = 15) -> list[dict[str, object]]:
    return [{"name": "alerts", "file": "/etc/prometheus/rules/alerts.yml", "interval": interval, "rules": [
        {"type": "alerting", "name": "CpuHigh", "query": query, "duration": duration,
         "labels": {"severity": "critical"}, "annotations": {"summary": "busy"}}]}]


def test_expressions_compare_as_prometheus_prints_them_back() -> None:
    assert rules.canonical('sum by (job) (rate(x{z="1",a=~"b,}"}[24h] offset 5m))') == \
        rules.canonical('sum by (job)(rate(x{a=~"b,}",z="1"}[1d] offset 5m))')
    assert rules.canonical("a > 90") != rules.canonical("a > 92")


def test_rules_as_loaded_match_the_file() -> None:
    expected = rules.from_files({"rules/alerts.yml": RULES}, evaluation_interval=15)
    loaded = rules.from_api(_loaded('instance:cpu_usage:percent{instance!="",job="node"} > 90'))
    assert rules.differences(expected, loaded) == []


def test_a_changed_threshold_duration_or_interval_is_named() -> None:
    expected = rules.from_files({"rules/alerts.yml": RULES}, evaluation_interval=15)
    loaded = rules.from_api(_loaded('instance:cpu_usage:percent{instance!="",job="node"} > 80', 60, 30))
    assert rules.differences(expected, loaded) == [
        "group alerts, alerts.yml: evaluated every 30s on the server, 15s in out/",
        'rule CpuHigh (group alerts, alerts.yml): expr is `instance:cpu_usage:percent{instance!="",job="node"} > 80`'
        ' on the server, `instance:cpu_usage:percent{job="node",instance!=""} > 90` in out/',
        "rule CpuHigh (group alerts, alerts.yml): for is 1m on the server, 5m in out/",
    ]
    assert rules.differences(expected, {}) == ["rule group alerts (alerts.yml) is not loaded"]


def test_loaded_config_may_add_defaults_show_secrets_masked_and_reformat_durations() -> None:
    ours = {"global": {"scrape_interval": "60s"}, "rule_files": ["rules/*.yml"],
            "remote_write": [{"url": "http://lts/write", "basic_auth": {"password": "p"}}]}
    live = {"global": {"scrape_interval": "1m", "scrape_timeout": "10s"}, "rule_files": ["/etc/prometheus/rules/*.yml"],
            "remote_write": [{"url": "http://lts/write", "basic_auth": {"password": "<secret>"}}]}
    assert config_differences(ours, live) == []


def test_a_setting_the_server_lacks_or_holds_otherwise_is_named() -> None:
    ours = {"global": {"evaluation_interval": "15s"}, "scrape_configs": [{"job_name": "node"}, {"job_name": "api"}]}
    live = {"global": {"evaluation_interval": "30s"}, "scrape_configs": [{"job_name": "node"}]}
    assert config_differences(ours, live) == ["global.evaluation_interval is '30s' on the server, '15s' in out/",
                                              "scrape_configs has 1 entry on the server, 2 in out/"]


def test_a_list_the_server_holds_as_something_else_is_named_as_what_it_is() -> None:
    """cli52 counted the server's entries through core.wording.counted, which formats a number: a server's None or
    text where out/ has a list raised TypeError/ValueError, so apply's verification failed (and restored the previous
    files) and status could not say the difference."""
    ours = {"scrape_configs": [{"job_name": "node"}, {"job_name": "api"}], "rule_files": ["rules/*.yml"]}
    live = {"scrape_configs": None, "rule_files": "rules/*.yml"}
    assert config_differences(ours, live) == ["scrape_configs is None on the server, 2 entries in out/",
                                              "rule_files is 'rules/*.yml' on the server, 1 entry in out/"]


def test_an_empty_setting_is_the_same_as_one_the_server_leaves_out() -> None:
    ours = {"global": {"scrape_interval": "1m", "external_labels": {}}, "remote_write": []}
    live = {"global": {"scrape_interval": "1m"}}
    assert config_differences(ours, live) == []
    assert config_differences({"global": {"external_labels": {"a": "b"}}}, live) == [
        "global.external_labels is not set on the server, {'a': 'b'} in out/"]


def test_a_rule_file_that_is_no_utf8_is_refused_at_the_line_of_its_byte() -> None:
    data = b"groups:\n- name: a\n  rules: []\n# caf\xe9\n"
    try:
        rules.document("rules/bad.yml", data)
    except rules.MalformedFile as error:
        assert (error.line, error.reason) == (4, "not UTF-8 text (invalid continuation byte: byte 0xe9)")
    else:
        raise AssertionError("a rule file that is not UTF-8 was read")
