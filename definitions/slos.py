"""The plan's success targets as SLOs, compiled into burn-rate alerts, error-budget rules and a dashboard.

"Metrics collection: 99.9% uptime" is two objectives of the pipeline (scrapes that succeed, rule
evaluations that succeed): one ratio over both would let thousands of rule evaluations drown out a
handful of failed scrapes. The scrapes' is the uptime of the pipeline's own servers, Prometheus and the
Alertmanagers, each up while one replica of it answers: an SLO pages on the users' pain (Sloth, pint), and one
dead target of many (node-exporter, the sidecar exporter, one Alertmanager of the pair, which the other stands in
for) is TargetDown's warning. Counting every target's scrapes, one dead exporter of the live stack's five targets
paged the director within a minute (report-pipeline55). Checkout and API latency are the platform's user-facing
promises; alert delivery is the last step of the plan's "under 30 s from detection to notification".
"""

from generator.model import SLO, BoolGaugeSLI, LatencySLI, RatioSLI, RecordingRule, SLOAlerting

from .metrics import http_request_duration

# Page alerts are critical and climb the default escalation policy; tickets are warnings (email).
ALERTING = SLOAlerting(page_severity="critical", page_escalation="default", ticket_severity="warning")
PIPELINE_JOBS = "prometheus|alertmanager"  # the metrics system's own servers; its exporters are its sources
JOB_UP = RecordingRule(
    name="job:up:max", unit="bool",
    help="1 while at least one target of the job answers its scrapes: the job's service is up (a replica of a "
         "pair standing in for the other).",
    expr="max by (job) (up)",
)

SLOS = [
    # obsgen: disable=SM009 job:up:max is 0, not absent, while a job's targets are down: no TargetDown to mute
    SLO(
        service="metrics-pipeline", name="scrapes", objective=99.9, plan_name="metrics_collection_uptime",
        description="Prometheus and Alertmanager answer their scrapes (one replica of each at least)",
        sli=BoolGaugeSLI(gauge=f'{JOB_UP.name}{{job=~"{PIPELINE_JOBS}"}}', test_labels={"job": "prometheus"}),
        alerting=ALERTING,
    ),
    SLO(
        service="metrics-pipeline", name="rule-evaluations", objective=99.9, plan_name="metrics_collection_uptime",
        description="Recording and alerting rules evaluate without error",
        sli=RatioSLI(errors="prometheus_rule_evaluation_failures_total", total="prometheus_rule_evaluations_total"),
        alerting=ALERTING,
    ),
    SLO(
        service="checkout", name="availability", objective=99.9,
        description="Checkout requests are answered without a server error",
        sli=RatioSLI(errors='http_requests_total{service="api",endpoint="/api/checkout",status=~"5.."}',
                     total='http_requests_total{service="api",endpoint="/api/checkout"}',
                     error_labels={"status": "500"}, good_labels={"status": "200"}),
        alerting=ALERTING,
    ),
    SLO(
        service="api", name="latency", objective=99,
        description="API requests are served within 250 ms",
        # 0.25 is a declared bucket of http_request_duration_seconds; 0.3 would be refused.
        sli=LatencySLI(histogram=http_request_duration, threshold=0.25, matchers={"service": "api"}),
        alerting=ALERTING,
    ),
    SLO(
        service="alertmanager", name="delivery", objective=99.5, plan_name="alert_latency",
        description="Alertmanager delivers notifications without a failed attempt",
        sli=RatioSLI(errors="alertmanager_notifications_failed_total", total="alertmanager_notifications_total"),
        alerting=ALERTING,
    ),
]
