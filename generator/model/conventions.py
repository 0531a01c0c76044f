"""Naming conventions in one place, as Sloth's conventions.go: out/ paths, the URLs alerts link to, and the
labels obsgen gives alerts.

Targets write their files at these paths and packaging (Kubernetes) finds them there, so a path is
spelled once; panels, routes and silences select alerts by these label names.
"""

SEVERITY_LABEL = "severity"
ESCALATION_POLICY_LABEL = "escalation_policy"
"""On an alert that climbs an escalation policy: the policy's name."""
ESCALATION_LEVEL_LABEL = "escalation_level"
"""On an alert's escalation copies: the level reached ("1", "2", ...). A copy keeps the alert's name and labels,
so whatever silences the alert silences its escalation too; the alert itself has no such label."""
NOT_ESCALATION = f'{ESCALATION_LEVEL_LABEL}=""'
"""Matcher selecting alerts themselves, not their escalation copies: counts of alerts use it
(`ALERTS{alertstate="firing",escalation_level=""}`), or each escalated alert counts once per level reached."""
PAGE_SUMMARY_SEPARATOR = " — "
"""Between a PagerDuty event's title (as Slack and email show it) and its first alert's summary, in its summary
field: distinct from the ": " a label value or a summary may hold, so that the title can be read back."""
SLI_LABEL, SLI_ABSENT = "sli", "absent"
"""On every SLO's SLIAbsent alert: sli="absent". With the `job` its inputs are scraped by, it is what the routes
group a dead job's absent pages by (one notification for all the SLOs it feeds) and what their acknowledgement
silences."""
JOB_LABEL = "job"
"""Prometheus' label of a target's scrape job; on an SLIAbsent alert, the one job its watched inputs come from."""


def pages_by_job(labels: dict[str, str]) -> bool:
    """Whether an alert of these labels is an SLIAbsent page naming its job, which the routes group with the other
    pages of the job (a dead job fires the absent page of every SLO it feeds)."""
    return labels.get(SLI_LABEL) == SLI_ABSENT and JOB_LABEL in labels
OBSGEN_LABELS = frozenset({"alertname", SEVERITY_LABEL, ESCALATION_POLICY_LABEL, ESCALATION_LEVEL_LABEL})
"""Labels obsgen sets on alerts itself; definitions set them through fields, never as labels."""

PROMETHEUS_CONFIG = "prometheus/prometheus.yml"
RULES_DIR = "prometheus/rules"
"""Prometheus rule files, one per group (obsgen's) or per rule set."""
ESCALATION_GROUP_PREFIX = "escalation-"
"""Name prefix of the rule groups (and files) of obsgen's escalation copies, escalation-<policy>-<alert group>:
no definition's group may start with it, so none shares a group with the copies."""
RULE_SET_PREFIX = "ruleset-"
"""File-name prefix of an imported rule set's rule file."""
RULE_TESTS_DIR = "prometheus/tests"
"""promtool unit tests."""
ALERTMANAGER_CONFIG = "alertmanager/alertmanager.yml"
ALERTMANAGER_TEMPLATE = "obsgen.tmpl"
"""The notification templates' file name, under alertmanager/templates/."""
DASHBOARDS_DIR = "grafana/dashboards"
GRAFANA_DATASOURCES = "grafana/provisioning/datasources/obsgen.yml"
"""Grafana's data sources, a provisioning file (compose mounts it; Kubernetes packages it for the sidecar)."""
RUNBOOKS_DIR = "docs/runbooks"


def rule_file(group: str) -> str:
    """Where obsgen's rule group is written."""
    return f"{RULES_DIR}/{group}.yml"


def escalation_group(policy: str, alert_group: str) -> str:
    """The rule group of a policy's copies of one alert group's alerts. A policy name has no '-' (lower_snake_case),
    so no two (policy, alert group) pairs share one."""
    return f"{ESCALATION_GROUP_PREFIX}{policy}-{alert_group}"


def own_group(group: str) -> str:
    """A definition's rule group name, refused where it would be an escalation copies' group."""
    if group.startswith(ESCALATION_GROUP_PREFIX):
        raise ValueError(f"group {group!r} starts with {ESCALATION_GROUP_PREFIX!r}, which names obsgen's escalation "
                         f"copies' groups ({ESCALATION_GROUP_PREFIX}<policy>-<alert group>): name it otherwise")
    return group


def rule_set_file(rule_set: str) -> str:
    """Where an imported rule set is written, its groups as in the source."""
    return f"{RULES_DIR}/{RULE_SET_PREFIX}{rule_set}.yml"


def alertmanager_template() -> str:
    """Where the notification templates are written."""
    return f"alertmanager/templates/{ALERTMANAGER_TEMPLATE}"


def dashboard_file(folder: str, uid: str) -> str:
    """Where a dashboard's JSON is written (its folder is a directory, as Grafana's provider reads it)."""
    return f"{DASHBOARDS_DIR}/{folder}/{uid}.json"


def runbook_page(alert_name: str) -> str:
    """An alert's runbook page under out/."""
    return f"{RUNBOOKS_DIR}/{alert_name}.md"


def runbook_url(docs_url: str, alert_name: str) -> str:
    """The runbook_url annotation: the alert's page where out/docs is published (alert_name may be a template)."""
    return f"{docs_url}/runbooks/{alert_name}.md"
