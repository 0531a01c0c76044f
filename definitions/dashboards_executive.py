"""EXECUTIVE_DASHBOARD and DASHBOARD_CONFIG["dashboards"]["executive"]: revenue, conversion, users, health."""

from generator.model import Dashboard, Legend, Metric, MetricType, Panel, Query, Row, Source
from generator.model.conventions import NOT_ESCALATION

from .alerts import MIN_ORDERS_PER_HOUR, MIN_SESSIONS_PER_MINUTE
from .business import revenue_today
from .dashboards_platform import HEARTBEAT_NAMES, HEARTBEATS
from .forecasts import FORECASTS
from .metrics import (
    conversion_rate,
    error_ratio,
    product_sales,
    revenue_hourly,
    revenue_hourly_last_week,
)
from .slos import SLOS

REVENUE_DAY = "UTC"
"""The day Revenue Today counts: the exporter binds :today as its run's 00:00 UTC (generator/exporter/sql.py)."""

active_users = Metric(name="active_users", type=MetricType.GAUGE, source=Source.APPLICATION,
                      help="Users with a session active in the last 5 minutes.", labels=("user_segment",),
                      whole=True)

REVENUE_FORECAST = next(f for f in FORECASTS if f.name == "revenue_hourly")
CHECKOUT = {slo.key: slo for slo in SLOS}["checkout_availability"]

EXECUTIVE_DASHBOARD = Dashboard(
    name="Executive", plan_name="executive", folder="Business", tags=("executive", "business"),
    description="Business at a glance for leadership: today's revenue, conversion against its 15% target, "
                "user satisfaction against 8.5, active users and whether the platform is healthy.",
    refresh="30s", time_range="24h", themes=("light", "dark", "auto"),
    rows=(
        Row(title="KPIs", panels=(
            # a shop in Madrid reading "today" as its own day would miss its first one or two hours (and count the
            # last ones of its yesterday) without the title
            Panel(title=f"Revenue Today ({REVENUE_DAY})", kind="big_number", plan_name="revenue_daily",
                  unit="currencyUSD", decimals=0,
                  description=f"Revenue of the orders placed since 00:00 {REVENUE_DAY} (not the browser's midnight) "
                              "that are completed (refunds and cancellations left out), summed by the shop's "
                              "database at the exporter's last run: until its first run after midnight (every "
                              f"{revenue_today.interval}, then a scrape) it still shows the last day's total.",
                  queries=Query(expr=f"sum({revenue_today.name})", instant=True)),
            Panel(title="Conversion Rate", kind="gauge", plan_name="conversion_rate", unit="percentunit",
                  decimals=1, min=0, max=0.3, thresholds=((0.05, "orange"), (0.15, "green")),
                  description="Share of shopping sessions that end in an order over the last 10 minutes; "
                              "the plan's target is 15%; below 5% for 3 minutes ConversionRateLow emails a warning "
                              f"(when at least {MIN_SESSIONS_PER_MINUTE} sessions a minute start).",
                  queries=Query(expr=f"avg({conversion_rate.name})", instant=True)),  # now, not its last value (GD011)
            Panel(title="User Satisfaction", kind="gauge", plan_name="user_satisfaction", unit="none",
                  decimals=1, min=1, max=10, thresholds=((7, "orange"), (8.5, "green")),
                  description="Average satisfaction score (1-10) over the last hour; the plan's target is 8.5.",
                  queries=Query(expr="avg(job:user_satisfaction_score:avg_1h)", instant=True)),
            Panel(title="Active Users", kind="stat", unit="short",
                  description="Users with a session active in the last 5 minutes, all segments.",
                  queries=Query(expr=f"sum({active_users.name})", instant=True)),  # the trend: by segment
        )),
        Row(title="Trends", panels=(
            Panel(title="Revenue Trend", kind="line", plan_name="revenue_hourly", unit="currencyUSD", time_range="24h",
                  description="Revenue per hour against the same hour last week; RevenueDrop fires when the hour "
                              "falls below half of it for 15 minutes (in hours that had at least "
                              f"{MIN_ORDERS_PER_HOUR} orders last week). No revenue counted reads 0, as the alert "
                              "reads it.",
                  queries=(Query(expr=f"sum({revenue_hourly.name} or on (job) 0 * {revenue_hourly_last_week.name})",
                                 legend="revenue, last hour"),
                           Query(expr=f"sum({revenue_hourly_last_week.name})", legend="same hour last week"))),
            Panel(title="Revenue vs Forecast", kind="line", unit="currencyUSD",
                  description="Hourly revenue against the sidecar exporter's seasonal forecast and its 95% band. "
                              "ForecastAnomaly fires on the anomaly score (Operations, Anomaly Scores) above 1 for "
                              "10 minutes, not on leaving the band.",
                  queries=(Query(expr=REVENUE_FORECAST.expr, legend="revenue, last hour"),
                           *(Query(expr=f'{series}{{forecast="{REVENUE_FORECAST.name}"}}', legend=legend)
                             for series, legend in (("obsgen_forecast", "forecast"),
                                                    ("obsgen_forecast_lower", "band low"),
                                                    ("obsgen_forecast_upper", "band high"))))),
            # one bar per product over the whole range (instant, table: Grafana's x is the product label); a range
            # query would draw a bar per step, none of them a product's total. Its one value field is "Value": no
            # legend, the title and the bars' labels say what is counted
            Panel(title="Top Products", kind="bar", plan_name="product_sales", unit="short", legend=Legend(show=False),
                  description="Units sold of the 10 best-selling products over the selected time range.",
                  queries=Query(expr="topk(10, sum by (product) "
                                     f"(increase({product_sales.name}[$__range])))",
                                legend="{{product}}", instant=True, format="table")),
            Panel(title="Conversion Trend", kind="line", unit="percentunit",
                  description="Conversion rate over the last 10 minutes, per job, red below the 5% alert threshold.",
                  thresholds=((None, "red"), (0.05, "green")), queries=Query(expr=conversion_rate, legend="{{job}}")),
            Panel(title="Active Users by Segment", kind="line", unit="short", stacked=True,
                  description="Active users per user segment, stacked.",
                  queries=Query(expr=f"sum by (user_segment) ({active_users.name})", legend="{{user_segment}}")),
        )),
        Row(title="System health", panels=(
            # What customers get, over the window their promise is kept over (scrape targets up is not it).
            Panel(title="Checkout Availability", kind="stat", unit="percentunit", decimals=3,
                  thresholds=((CHECKOUT.target, "green"),),
                  description=f"Checkout requests answered without a server error over the last {CHECKOUT.window}; "
                              f"red below the {CHECKOUT.objective:g}% objective (the checkout SLO's).",
                  queries=Query(expr=f"1 - {CHECKOUT.error_ratio_shown(CHECKOUT.window)}", instant=True)),
            Panel(title="Error Ratio", kind="stat", unit="percentunit", decimals=2,
                  thresholds=((0.01, "orange"), (0.05, "red")),
                  description="Share of requests answered with a 5xx, worst service, over 5 minutes.",
                  queries=Query(expr=f"max({error_ratio.name})", instant=True)),
            Panel(title="Latency p95", kind="stat", unit="s", decimals=2, thresholds=((0.5, "orange"), (1, "red")),
                  description="95th percentile request latency over 5 minutes, slowest service.",
                  queries=Query(expr="max(service:http_request_duration_seconds:p95_5m)", instant=True)),
            Panel(title="Firing Critical Alerts", kind="stat", unit="none", thresholds=((1, "red"),),
                  description="Critical and emergency alerts firing now, all dashboards (an escalated alert once); "
                              f"0 while the {HEARTBEAT_NAMES} heartbeat fires, No data when it does not (rules not "
                              "evaluated).",
                  queries=Query(expr=f'count(ALERTS{{alertstate="firing",severity=~"critical|emergency",'
                                     f'{NOT_ESCALATION}}}) or on () 0 * count(ALERTS{{alertstate="firing",'
                                     f'alertname=~"{HEARTBEATS}"}})', instant=True)),
        )),
    ),
)
