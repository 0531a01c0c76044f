"""Naming conventions in one place, as Sloth's conventions.go: out/ paths, the URLs alerts link to, and the
labels obsgen gives alerts.

Targets write their files at these paths and packaging (Kubernetes) finds them there, so a path is
spelled once; panels, routes and silences select alerts by these label names.
"""

from collections.abc import Mapping
from dataclasses import dataclass

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


@dataclass(frozen=True)
class GroupForm:
    """A form of the rule group names (and so of the files under prometheus/rules/ and prometheus/tests/) obsgen
    writes itself, which no definition's group may take: it would share their evaluation, file and tests."""

    prefix: str
    form: str
    """The names as users read them, e.g. slo-<SLO slug>."""
    holds: str
    """What obsgen writes there."""
    by_prefix: bool = False
    """Whether every name of the prefix is refused (the names are too many, or change with too much, to list);
    otherwise only the names the project generates."""
    and_longer: bool = False
    """Whether each generated name followed by '-' and anything is refused too (files named after the group)."""

    def name(self, *parts: str) -> str:
        """A name of this form: the prefix, then the parts joined by '-'."""
        return self.prefix + "-".join(parts)


ESCALATION_GROUPS = GroupForm("escalation-", "escalation-<policy>-<alert group>",
                              "the escalation copies of the alerts climbing a policy", by_prefix=True)
"""Every alert group times every policy its alerts climb: a group named escalation-... is refused whatever the
alerts, so none breaks when an alert changes group or policy. Its promtool tests are escalation-<policy>.yml."""
SLO_GROUPS = GroupForm("slo-", "slo-<SLO slug>", "an SLO's recording rules and alerts", and_longer=True)
"""slo-<slug> of the project's SLOs, and slo-<slug>-... (their promtool files slo-<slug>-absent.yml,
slo-<slug>-scenarios.yml): other slo-... groups are the definitions' to name."""
AGGREGATION_GROUPS = GroupForm("aggregation-", "aggregation-<policy>-<window>",
                               "an aggregation policy's recording rules over one window")
RULE_SET_FILES = GroupForm("ruleset-", "ruleset-<rule set>", "an imported rule set's groups, as in the source")
"""The file (not a group) of an imported rule set: prometheus/rules/ruleset-<name>.yml."""
GROUP_FORMS = (ESCALATION_GROUPS, SLO_GROUPS, AGGREGATION_GROUPS, RULE_SET_FILES)
"""Every form of rule group (or rule file) name obsgen writes itself."""
RULE_TESTS_DIR = "prometheus/tests"
"""promtool unit tests."""
SLO_ABSENT_TESTS, SLO_SCENARIO_TESTS = "-absent", "-scenarios"
"""What an SLO's own promtool files add to its group's name: slo-<slug>-absent.yml (its inputs vanishing),
slo-<slug>-scenarios[-every-<step>].yml (its burn scenarios). Its group's rule tests are slo-<slug>.yml, so an SLO
whose slug is another's with one of these added would write over the other's (load/reserved.py refuses it; a
-every-... added cannot meet them: such a group's own file is spelled -every-1m, targets/rule_tests.py)."""
SLO_TEST_SUFFIXES = {SLO_ABSENT_TESTS: "its inputs vanishing", SLO_SCENARIO_TESTS: "its burn scenarios"}
"""Each suffix of an SLO's promtool files, and what those files test."""
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
    return ESCALATION_GROUPS.name(policy, alert_group)


def slo_group(slug: str) -> str:
    """The rule group (and file) of an SLO's recording rules and alerts."""
    return SLO_GROUPS.name(slug)


def aggregation_group(policy: str, window: str) -> str:
    """The rule group of an aggregation policy's recording rules over one window."""
    return AGGREGATION_GROUPS.name(policy, window)


def refused_group(group: str, generated: Mapping[str, tuple[GroupForm, str]]) -> str:
    """Why a definition's rule group may not take this name ('' when it may): `generated` maps the names the
    project generates of the forms not refused by prefix to their form and the definition they come from."""
    for form in GROUP_FORMS:
        if form.by_prefix and group.startswith(form.prefix):
            return (f"group {group!r} starts with {form.prefix!r}, which names obsgen's rule groups {form.form} "
                    f"({form.holds}): name it otherwise")
    for name, (form, source) in generated.items():
        if group == name:
            return (f"group {group!r} is a name obsgen generates itself, {form.form}: {form.holds} ({source}); "
                    "the rules would share their rule file, evaluation and promtool tests: name the group otherwise")
        if form.and_longer and group.startswith(f"{name}-"):
            return (f"group {group!r} is a name obsgen generates itself, {form.form}-...: the promtool tests of "
                    f"{name} ({source}) are named so: name the group otherwise")
    return ""


def rule_set_file(rule_set: str) -> str:
    """Where an imported rule set is written, its groups as in the source."""
    return f"{RULES_DIR}/{RULE_SET_FILES.name(rule_set)}.yml"


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
