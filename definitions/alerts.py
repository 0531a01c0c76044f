"""ALERT_RULES of the plan: system_critical and business_critical."""

from generator.model import Alert, Example

from .metrics import conversion_rate, cpu_usage, memory_usage, revenue_hourly

# --- ALERT_RULES["system_critical"] -------------------------------------------------------------
CPU_HIGH = Alert(
    name="CpuHigh", plan_name="cpu_high",
    metric=cpu_usage, op=">", threshold=90, **{"for": "5m"},
    severity="critical", channels=("email", "slack", "webhook"), escalation="default",
    dashboard="Operations",
    summary="CPU on {{ $labels.instance }} above 90% for 5 minutes",
    description="{{ $labels.instance }} has been busier than 90% for 5 minutes; requests queue and latency rises.",
    runbook="Find the busy process (`top`, the Operations dashboard's CPU panel); scale out or shed load; "
            "check for a runaway deploy or a retry storm.",
    examples=(
        Example(name="idle 5% (95% busy) for 7 minutes fires",
                series={'node_cpu_seconds_total{instance="web-1",cpu="0",mode="idle"}': "0+3x20"},
                at="11m", fires=True, labels={"instance": "web-1"}),
        Example(name="95% for 4 minutes is still pending",
                series={'instance:cpu_usage:percent{instance="web-1"}': "95x10"}, at="4m", fires=False),
        Example(name="85% never fires",
                series={'instance:cpu_usage:percent{instance="web-1"}': "85x20"}, at="15m", fires=False),
    ),
)

MEMORY_HIGH = Alert(
    name="MemoryHigh", plan_name="memory_critical",
    metric=memory_usage, op=">", threshold=95, **{"for": "2m"},
    severity="emergency", channels=("email", "slack", "webhook"), escalation="default",
    dashboard="Operations",
    summary="Memory on {{ $labels.instance }} above 95%",
    description="{{ $labels.instance }} has less than 5% memory available; the OOM killer is next.",
    runbook="Identify the largest resident process; restart a leaking worker; add memory or move load away.",
    examples=(
        Example(name="97% used for 3 minutes fires",
                series={'node_memory_MemAvailable_bytes{instance="db-1"}': "3x10",
                        'node_memory_MemTotal_bytes{instance="db-1"}': "100x10"},
                at="3m", fires=True, labels={"instance": "db-1"}),
        Example(name="97% used for 1 minute is pending",
                series={'instance:memory_usage:percent{instance="db-1"}': "97x10"}, at="1m", fires=False),
    ),
)

# --- ALERT_RULES["business_critical"] -----------------------------------------------------------
CONVERSION_DROP = Alert(
    name="ConversionRateLow", plan_name="conversion_drop",
    metric=conversion_rate, op="<", threshold=0.05, **{"for": "10m"},
    severity="warning", channels=("email",), escalation="default",
    dashboard="Executive",
    summary="Conversion rate below 5% for 10 minutes",
    description="Fewer than 5% of shopping sessions end in an order: checkout, payment or search may be broken.",
    runbook="Check checkout errors on the Operations dashboard, payment provider status and the last deploy.",
    examples=(
        Example(name="2% conversion for 15 minutes fires",
                series={'sales_conversions_total{job="shop",product_category="books",user_segment="new"}': "0+2x80",
                        'sales_sessions_total{job="shop",user_segment="new"}': "0+100x80"},
                at="75m", fires=True, labels={"job": "shop"}),
        Example(name="12% conversion never fires",
                series={'job:conversion_rate:ratio_rate1h{job="shop"}': "0.12x30"}, at="20m", fires=False),
    ),
)

REVENUE_DROP = Alert(
    name="RevenueDrop", plan_name="revenue_anomaly",
    expr=f"{revenue_hourly.name} < 0.5 * avg_over_time({revenue_hourly.name}[7d])", **{"for": "15m"},
    severity="critical", channels=("email", "slack"), escalation="default",
    dashboard="Executive",
    summary="Hourly revenue below half of its 7-day average",
    description="Revenue in the last hour is less than 50% of the average hourly revenue of the past week.",
    runbook="Compare orders and sessions on the Executive dashboard; check payment and checkout errors; "
            "rule out a tracking outage before escalating to the business.",
    examples=(
        Example(name="a week at 1000/h then 300/h fires", interval="4m",
                series={'job:revenue:increase1h{job="shop"}': "1000x2520 300x15"},
                at="7d50m", fires=True, labels={"job": "shop"}),
        Example(name="a steady week does not fire", interval="4m",
                series={'job:revenue:increase1h{job="shop"}': "1000x2535"}, at="7d50m", fires=False),
    ),
)
