"""apply runs the stack's own validators on the files it would copy, on this machine: Prometheus' configuration by
its syntax (the files a scrape job names are the server's, looked for there by apply.referenced) and its rule files
by promtool check rules. The real promtool."""

from __future__ import annotations

from generator.apply import prometheus
from generator.apply.reload import check

CONFIG = b"""global:
  scrape_interval: 15s
rule_files:
- rules/*.yml
scrape_configs:
- job_name: api
  scheme: https
  authorization:
    type: Bearer
    credentials_file: /run/secrets/obsgen-test-absent/api-token
  tls_config:
    cert_file: /run/secrets/obsgen-test-absent/client.crt
    key_file: /run/secrets/obsgen-test-absent/client.key
  static_configs:
  - targets: ['api:8443']
"""
RULES = b"""groups:
- name: api
  rules:
  - alert: ApiDown
    expr: up{job="api"} == 0
    for: 5m
"""


def test_a_config_naming_files_of_the_servers_own_passes_on_a_machine_without_them() -> None:
    # the old tree ran a full `promtool check config` here: "FAILED: error checking authorization credentials or
    # bearer token file ...: no such file or directory", refusing every apply from a machine that is not the server
    assert check(prometheus.SERVER, {prometheus.CONFIG: CONFIG, "rules/api.yml": RULES}) == ""


def test_a_broken_rule_file_is_still_refused_by_promtool_check_rules() -> None:
    broken = RULES.replace(b'== 0', b'== (0')
    problem = check(prometheus.SERVER, {prometheus.CONFIG: CONFIG, "rules/api.yml": broken})
    assert problem.startswith("promtool check rules rejected it:") and "rules/api.yml" in problem, problem
    assert "unclosed left parenthesis" in problem, problem


def test_a_broken_config_is_still_refused_by_its_syntax_check() -> None:
    broken = CONFIG.replace(b"scrape_interval: 15s", b"scrape_interval: 15 parsecs")
    problem = check(prometheus.SERVER, {prometheus.CONFIG: broken})
    assert problem.startswith("promtool check config --syntax-only rejected it:"), problem
    assert "parsecs" in problem, problem
