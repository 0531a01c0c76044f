from generator.model import (
    AlertingConfig,
    EmailChannel,
    EscalationLevel,
    EscalationPolicy,
    Metric,
    MetricType,
    RecordingRule,
    ScrapeJob,
    Severity,
    Smtp,
    Source,
    Stack,
)

STACK = Stack(name="case", docs_url="https://docs.example.com")
JOBS = [ScrapeJob(name="node", source=Source.NODE_EXPORTER, targets=("localhost:9100",))]
CHANNELS = [EmailChannel(name="email", to=("oncall@example.com",))]
ALERTING = AlertingConfig(
    smtp=Smtp(smarthost="smtp.example.com:587", sender="alertmanager@example.com"),
    severities=(Severity(name="warning", channels=("email",), cooldown="5m"),
                Severity(name="critical", channels=("email",), cooldown="1m")),
)
POLICY = EscalationPolicy(name="default", levels=(EscalationLevel(after="15m", channels=("email",)),))
requests_total = Metric(name="requests_total", type=MetricType.COUNTER, source=Source.APPLICATION, help="Requests.")
load = Metric(name="node_load1", type=MetricType.GAUGE, source=Source.NODE_EXPORTER, help="Load.")
request_rate = RecordingRule(name="job:requests:rate5m", expr="sum by (job) (rate(requests_total[5m]))")
# the stack's own servers are scraped (MP014); cases add the components they declare
SERVERS = [ScrapeJob(name="prometheus", source=Source.PROMETHEUS, targets=("localhost:9090",)),
           ScrapeJob(name="alertmanager", source=Source.ALERTMANAGER, targets=("alertmanager:9093",))]
