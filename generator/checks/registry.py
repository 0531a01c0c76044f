"""Every check, and every code a problem can carry: what `obsgen check --list` prints and docs/checks/ documents.

Adding a check is one module (in xref/ for references, mapping/ for what the stack does differently from what
was asked, notify/ for who is told and how, semantics/ for what alerts and panels mean, lint/ for dashboards)
listed here, and one case file tests/checks/cases/<CODE>.yml.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.checks import config_schema, lint, secrets
from generator.checks.base import CheckModule
from generator.checks.mapping import (
    aggregation,
    assumed_service,
    client_side_apply,
    compose_files_in_cluster,
    cooldown,
    dashboard_themes,
    datasource_clash,
    exporter_scraped,
    governing_service,
    kube_prometheus_object,
    kubernetes,
    log_stream_labels,
    pagerduty_webhook,
    retention_tiers,
    rule_sets,
    scrape_grant_elsewhere,
    slo_windows,
    token_review,
    tracing,
    unknown_service_port,
    unscraped_component,
    unscraped_job,
    unverified_scrape,
)
from generator.checks.notify import (
    inhibition_race,
    inhibition_unmatched,
    log_service_not_grouped,
    placeholder_link,
    shared_slack_webhook,
    unsendable_severity,
    unsilenceable_label_value,
    warning_with_escalation,
)
from generator.checks.runner import DISABLE_CODES
from generator.checks.semantics import (
    absent_page_of_several_jobs,
    alert_without_condition,
    annotation_numbers,
    counter_state_labels,
    flat_baseline,
    for_outlasts_window,
    gauge_named_total,
    impossible_matcher,
    lookback_gaps,
    panel_threshold_off_alert,
    quantile_without_le,
    range_samples,
    rate_of_gauge,
    recorded_baseline,
    slow_job_flaps,
    template_labels,
    threshold_direction,
    undefined_external_label,
    uninitialised_sli_input,
    unpaired_target_down,
    value_in_label,
    vanishing_series,
    vector_matching,
    window_longer_than_for,
)
from generator.checks.xref import (
    alert_in_tested_rule_set,
    alert_without_panel,
    at_most_one,
    collector_buffers,
    counter_without_rate,
    duplicate_name,
    email_without_smtp,
    heartbeat_escalation,
    invalid_logql,
    invalid_promql,
    merged_ports,
    name_clash,
    plain_http_to_https,
    reserved_title,
    sli_series_kind,
    undefined_series,
    undefined_variable,
    unknown_channel,
    unknown_dashboard,
    unknown_database,
    unknown_escalation_policy,
    unknown_service,
    unknown_severity,
    unmappable_host,
    unpredictable_annotation,
    unused_service_port,
)
from generator.core.errors import BUILD_ERROR, Level
from generator.load.codes import CODES as LOADER_CODES

PROJECT_CHECKS: tuple[CheckModule, ...] = (
    duplicate_name, at_most_one, name_clash, unknown_severity, unknown_channel, unknown_escalation_policy,
    heartbeat_escalation, unknown_dashboard, unknown_database, unknown_service, invalid_promql, undefined_series,
    counter_without_rate,
    undefined_variable, email_without_smtp, reserved_title, unpredictable_annotation, invalid_logql, sli_series_kind,
    alert_in_tested_rule_set, collector_buffers, unmappable_host, merged_ports,
    plain_http_to_https, unused_service_port,
    cooldown, retention_tiers, kubernetes, assumed_service, unknown_service_port, datasource_clash, token_review,
    scrape_grant_elsewhere, dashboard_themes, governing_service,
    tracing, slo_windows, rule_sets, exporter_scraped,
    aggregation, alert_without_panel, pagerduty_webhook, unscraped_job, unscraped_component, log_stream_labels,
    unverified_scrape, compose_files_in_cluster,
    warning_with_escalation, unsendable_severity, shared_slack_webhook, log_service_not_grouped, placeholder_link,
    unsilenceable_label_value, inhibition_race, inhibition_unmatched,
    flat_baseline, vanishing_series, counter_state_labels, threshold_direction, window_longer_than_for,
    annotation_numbers, slow_job_flaps, uninitialised_sli_input, unpaired_target_down, absent_page_of_several_jobs,
    template_labels, vector_matching, alert_without_condition, impossible_matcher, value_in_label,
    undefined_external_label, range_samples, lookback_gaps, panel_threshold_off_alert,
    quantile_without_le, rate_of_gauge, for_outlasts_window, recorded_baseline, gauge_named_total,
)
"""Checks of the loaded project, run before anything is rendered."""
RELEASE_CHECKS: tuple[CheckModule, ...] = tuple(check for check in PROJECT_CHECKS if getattr(check, "RELEASES", False))
"""The checks of the project that judge its Prometheus and Alertmanager releases (RELEASES = True, checks/base.py):
a build for a profile naming releases runs them on the profiled project."""
RENDERED_CHECKS: tuple[CheckModule, ...] = (*lint.CHECKS, config_schema, secrets, kube_prometheus_object,
                                           client_side_apply)
"""Checks of what the targets rendered, run before anything is written."""


@dataclass(frozen=True)
class Entry:
    """One code as listed and documented."""

    code: str
    name: str
    level: Level
    doc: str
    reported_by: str
    switchable: bool = True

    @property
    def summary(self) -> str:
        """The first line of its documentation."""
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""


def catalogue() -> Iterator[Entry]:
    """Every code, in code order."""
    entries = [Entry(code.code, code.name, code.level, code.doc, "the loader", False) for code in LOADER_CODES]
    entries += [Entry(m.CODE, m.NAME, m.LEVEL, m.__doc__ or "", "a check of the project",
                      getattr(m, "SWITCHABLE", True)) for m in PROJECT_CHECKS]
    entries += [Entry(m.CODE, m.NAME, m.LEVEL, m.__doc__ or "", "a check of the rendered files")
                for m in RENDERED_CHECKS]
    entries += [Entry(code.code, code.name, code.level, code.doc, "the check runner", False) for code in DISABLE_CODES]
    entries.append(Entry(BUILD_ERROR.code, BUILD_ERROR.name, BUILD_ERROR.level, BUILD_ERROR.doc, "the targets", False))
    yield from sorted(entries, key=lambda entry: entry.code)


def codes() -> set[str]:
    """Every known code."""
    return {entry.code for entry in catalogue()}
