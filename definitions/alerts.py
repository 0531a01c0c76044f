"""ALERT_RULES of the plan: system_critical and business_critical."""

from generator.model import Alert, EveryJobAbsent, Example, Inhibition

from .logs import SCRAPE_JOBS as LOG_SCRAPE_JOBS
from .metrics import (
    HOST_OF_INSTANCE,
    conversion_rate,
    cpu_usage,
    memory_usage,
    node_cpu_seconds,
    node_filesystem_avail,
    node_filesystem_size,
    node_memory_available,
    node_memory_total,
    revenue_hourly,
    revenue_hourly_last_week,
)
from .stack import SCRAPE_JOBS, STACK
from .tracing import SCRAPE_JOBS as TRACING_SCRAPE_JOBS

# --- ALERT_RULES["system_critical"] -------------------------------------------------------------
IDLE = 'node_cpu_seconds_total{instance="web-1",cpu="0",mode="idle"}'
"""One CPU's idle seconds: +3 a minute is 95% busy, +30 is 50%, +59.4 is 1%."""
USAGE = 'instance:cpu_usage:percent{instance="web-1"}'
DIPPY_CPU = " ".join(["10x5", *["95 95 95 95 20"] * 8])
"""A quiet start, then 95% busy with a one-minute dip to 20% every 5 minutes (a batch job's pause)."""
# The plan's `cpu_usage > 90` for 5m and `memory_usage > 95` for 2m, judged on a window (alerts56): compared at each
# evaluation, a dip of one evaluation resets `for`, so 95% busy with a one-minute pause every 5 minutes never paged,
# nor memory alternating 94% and 97%. The median of the last 5 minutes above 90% (more than half of them busy) held
# 5 minutes, and the upper quartile of the last 5 minutes above 95% (more than a quarter of them near OOM) held 2
# minutes, ride through such dips, and a spike of a minute or two stays silent; the price: a host going from idle to
# busy pages about 3 minutes (CPU) and 1 minute (memory) later than the plan's duration alone, and an exporter
# stopped while firing keeps the alert 5 minutes longer (the window still holds its samples; TargetDown tells).
CPU_HIGH = Alert(
    name="CpuHigh", plan_name="cpu_high",
    expr=f"quantile_over_time(0.5, {cpu_usage.name}[5m]) > 90", **{"for": "5m"},
    severity="critical", channels=("email", "slack", "webhook"),
    dashboard="Operations",
    summary='CPU on {{ $labels.instance }} at {{ printf "%.1f" $value }}% (above 90% for 5 minutes)',
    description="{{ $labels.instance }} has been busier than 90% for 5 minutes; requests queue and latency rises.",
    runbook=HOST_OF_INSTANCE + ". Prometheus shows what kind of busy: "
            "`sum by (mode) (rate(node_cpu_seconds_total{instance=\"{{ $labels.instance }}\",mode!=\"idle\"}[5m]))` "
            "(CPUs' worth of each mode; user: programs, system or iowait: the kernel or the disks, steal: another "
            "tenant of the hypervisor). On that host, `top -o %CPU` names the busy process. Scale out or shed load; "
            "check for a runaway deploy or a retry storm (the Operations dashboard's Throughput panel).",
    examples=(
        Example(name="idle 5% (95% busy) for 7 minutes fires",
                series={'node_cpu_seconds_total{instance="web-1",cpu="0",mode="idle"}': "0+3x20"},
                at="11m", fires=True, labels={"instance": "web-1"}, value=95),
        Example(name="95% for 4 minutes is still pending",
                series={'instance:cpu_usage:percent{instance="web-1"}': "95x10"}, at="4m", fires=False),
        Example(name="85% never fires",
                series={'instance:cpu_usage:percent{instance="web-1"}': "85x20"}, at="15m", fires=False),
        # the four questions (alerts50): a quiet night, its series gone, a flapping condition, a Prometheus restart
        # (node-exporter stopped: the 5m window holds its last samples 5 minutes more, then keep_firing_for's 5)
        Example(name="a quiet night (1% busy) never fires", at="59m", fires=False, series={IDLE: "0+59.4x60"}),
        Example(name="its series gone at 95% (node-exporter stopped) still fires 4 minutes after (keep_firing_for)",
                at="24m", fires=True, labels={"instance": "web-1"}, value=95, series={USAGE: "95x20 stale"}),
        Example(name="its series gone at 95% has resolved 12 minutes after: TargetDown tells", at="32m", fires=False,
                series={USAGE: "95x20 stale"}),
        Example(name="firing, then dipping to 85% for a minute every 5 minutes, keeps firing",
                at="33m", fires=True, labels={"instance": "web-1"}, value=95,
                series={USAGE: " ".join(["95x10", *["85 95 95 95 95"] * 6])}),
        Example(name="Prometheus down 4 minutes at 95% keeps firing (no resolve, no second page)", at="23m",
                fires=True, labels={"instance": "web-1"}, value=95, series={USAGE: "95x15 _x3 95x20"}),
        # 10 minutes without samples: the 5-minute window of the recorded usage bridges all but a minute of it and
        # keep_firing_for the rest, so promtool keeps it firing; a real restart of over 4 minutes is pending its
        # `for` again (Alertmanager resolves it at endsAt, 4 resend intervals, and a `for` within
        # --rules.alert.for-grace-period is not restored) and pages again 5 minutes after
        Example(name="Prometheus down 10 minutes at 95% is firing 10 minutes after it is back", at="35m",
                fires=True, labels={"instance": "web-1"}, value=95, series={IDLE: "0+3x15 _x9 75+3x20"}),
        # a dip every 5 minutes from the start (alerts56): judged on a window, not on each evaluation
        Example(name="95% with a one-minute dip to 20% every 5 minutes from a quiet start fires", at="40m",
                fires=True, labels={"instance": "web-1"}, value=95, series={USAGE: DIPPY_CPU}),
        Example(name="one spike (2 minutes at 100%) on a quiet night does not fire", at="20m", fires=False,
                series={USAGE: "10x10 100x2 10x20"}),
        Example(name="a burst of 4 minutes at 100% on a quiet night does not fire", at="20m", fires=False,
                series={USAGE: "10x10 100x4 10x20"}),
    ),
)

MEMORY = 'instance:memory_usage:percent{instance="db-1"}'
MEMORY_HIGH = Alert(
    name="MemoryHigh", plan_name="memory_critical",
    expr=f"quantile_over_time(0.75, {memory_usage.name}[5m]) > 95", **{"for": "2m"},
    severity="emergency", channels=("email", "slack", "webhook"),
    dashboard="Operations",
    summary='Memory on {{ $labels.instance }} {{ printf "%.1f" $value }}% used (above 95%)',
    description="{{ $labels.instance }} has less than 5% memory available; the OOM killer is next.",
    runbook=HOST_OF_INSTANCE + ". On that host, `ps aux --sort=-rss | head` names the largest resident processes; "
            "the Operations dashboard's Memory Usage panel shows how it grew (a slow climb: a leak; a step: a deploy "
            "or a batch job). Restart a leaking worker; add memory or move load away.",
    examples=(
        Example(name="97% used for 3 minutes fires",
                series={'node_memory_MemAvailable_bytes{instance="db-1"}': "3x10",
                        'node_memory_MemTotal_bytes{instance="db-1"}': "100x10"},
                at="3m", fires=True, labels={"instance": "db-1"}, value=97),
        Example(name="97% used for 1 minute is pending",
                series={'instance:memory_usage:percent{instance="db-1"}': "97x10"}, at="1m", fires=False),
        # the four questions and the dips (alerts56): judged on a window, not on each evaluation
        Example(name="alternating 94% and 97% every minute from a quiet start fires", at="12m", fires=True,
                labels={"instance": "db-1"}, value=97, series={MEMORY: "50x3 " + " ".join(["94 97"] * 10)}),
        Example(name="a quiet night (40% used) never fires", at="59m", fires=False, series={MEMORY: "40x60"}),
        Example(name="one minute at 97% on a quiet night does not fire", at="12m", fires=False,
                series={MEMORY: "50x5 97 50x10"}),
        Example(name="Prometheus down 4 minutes at 97% keeps firing (no resolve, no second page)", at="14m",
                fires=True, labels={"instance": "db-1"}, value=97, series={MEMORY: "97x5 _x3 97x10"}),
        Example(name="its series gone at 97% (node-exporter stopped) has resolved 12 minutes after: TargetDown tells",
                at="22m", fires=False, series={MEMORY: "97x10 stale"}),
    ),
)

# --- the host alerts' own inputs ----------------------------------------------------------------
# CpuHigh, MemoryHigh and DiskAlmostFull compare node-exporter's series: a renamed or vanished series (an exporter
# upgrade, a collector switched off) leaves all three silent with the target up, and TargetDown silent too
HOST_JOB = "node"
HOST_INPUTS = (node_cpu_seconds, node_memory_available, node_memory_total, node_filesystem_avail,
               node_filesystem_size)
"""The series the host alerts read (through instance:cpu_usage:percent and instance:memory_usage:percent)."""
NODE = f'job="{HOST_JOB}",instance="web-1:9100"'
NODE_UP = f"up{{{NODE}}}"
HOST_SERIES = {f'node_cpu_seconds_total{{{NODE},cpu="0",mode="idle"}}': "0+30x30",
               f"node_memory_MemAvailable_bytes{{{NODE}}}": "4x30", f"node_memory_MemTotal_bytes{{{NODE}}}": "10x30",
               f'node_filesystem_avail_bytes{{{NODE},device="/dev/sda1",fstype="ext4",mountpoint="/"}}': "40x30",
               f'node_filesystem_size_bytes{{{NODE},device="/dev/sda1",fstype="ext4",mountpoint="/"}}': "100x30"}
HOST_METRICS_MISSING = Alert(
    name="HostMetricsMissing",
    expr=f'up{{job="{HOST_JOB}"}} == 1 unless on (instance) ('
         + " and on (instance) ".join(f"rate({m.name}[5m])" if m.type == "counter" else m.name for m in HOST_INPUTS)
         + ")",
    **{"for": "15m"},
    severity="warning",
    dashboard="Operations", panel="System Overview",
    summary="{{ $labels.instance }} is scraped but lacks series CpuHigh, MemoryHigh or DiskAlmostFull read",
    description="Job {{ $labels.job }} answers on {{ $labels.instance }}, but for 15 minutes one of "
                + ", ".join(metric.name for metric in HOST_INPUTS)
                + " is missing there: the host's CPU, memory or disk alerts cannot fire.",
    # Prometheus answers which ones it has, wherever the reader is: the scrape address is reachable from Prometheus'
    # network only (and in Kubernetes through kube-rbac-proxy, with a ServiceAccount's token)
    runbook="See which of the series named above Prometheus has from `{{ $labels.instance }}`: "
            '`count by (__name__) ({instance="{{ $labels.instance }}",__name__=~"'
            + "|".join(metric.name for metric in HOST_INPUTS)
            + '"})` lists those there; the one missing is not. A node-exporter upgrade renames series, a collector '
            "flag (--no-collector.*) removes them: fix the exporter's version or flags, or the recording rules "
            "(instance:cpu_usage:percent, instance:memory_usage:percent) and DiskAlmostFull.",
    examples=(
        Example(name="memory series renamed by an exporter upgrade fires after 15 minutes", at="16m", fires=True,
                series={NODE_UP: "1x30", **{s: v for s, v in HOST_SERIES.items() if "MemAvailable" not in s}},
                labels={"job": HOST_JOB, "instance": "web-1:9100"}, value=1),
        Example(name="every series there does not", at="20m", fires=False, series={NODE_UP: "1x30", **HOST_SERIES}),
        Example(name="a series missing for 10 minutes (a collector failing, then back) does not", at="16m",
                fires=False, series={NODE_UP: "1x30", **{s: "_x9 10x20" if "MemTotal" in s else v
                                                         for s, v in HOST_SERIES.items()}}),
        Example(name="node-exporter down is TargetDown's alone", at="20m", fires=False, series={NODE_UP: "0x30"}),
        Example(name="a Prometheus restart (10 minutes without samples of anything) does not", at="25m",
                fires=False, series={NODE_UP: "1x5 _x9 1x15", **{s: "0+30x5 _x9 450+30x15" if "cpu" in s else
                                                                    "{0}x5 _x9 {0}x15".format(v.split("x")[0])
                                                                    for s, v in HOST_SERIES.items()}}),
    ),
)

# A job with no target at all (scaled to zero, dropped from discovery, or scraped under another name) has no `up`:
# JobDown cannot see it, its SLIAbsent pages fire, and RevenueDrop reads its revenue gone as 0 and pages again an
# hour later. JobMissing is that one page: it fires a minute before the absent pages (2m) and mutes them and
# RevenueDrop of the job. It mutes nothing silently: where the job is renamed (or scraped by another Prometheus) it
# pages itself, saying so, until the definitions follow. Its condition, when=EveryJobAbsent(), is written by obsgen
# over the scrape jobs of the project as compiled, so a job a build or a live stack does not scrape is never asked
# about (generator/derive/job_missing.py). A job with static targets always has `up` (0 when unreachable: JobDown's
# case), so it fires for a job discovered with no target left, or one the Prometheus running has no scrape config of.
# (Defined before RevenueDrop: the demo history cuts every job's `up` for its episode, which must stay out of
# RevenueDrop's hour.)
JOBS = tuple(job.name for job in (*SCRAPE_JOBS, *TRACING_SCRAPE_JOBS, *LOG_SCRAPE_JOBS))
"""Every scrape job the definitions declare, for the examples: Prometheus has an `up` series for each target of
each."""
ALL_UP = {f'up{{job="{job}",instance="{job}:9"}}': "1x30" for job in JOBS}
"""Every job with one target answering."""
API_UP_ALONE = next(series for series in ALL_UP if 'job="api"' in series)
JOB_MISSING = Alert(
    name="JobMissing",
    when=EveryJobAbsent(),  # absent(up{job="prometheus"}) or ... over the jobs compiled
    **{"for": "1m"}, keep_firing_for="5m",  # before the absent pages' 2m; outlasts RevenueDrop's recovery as JobDown
    severity="critical",
    dashboard="Meta-monitoring",
    summary="No target of job {{ $labels.job }} is scraped",
    description="Prometheus has had no target of job {{ $labels.job }} for a minute: scaled to zero, dropped from "
                "service discovery, or scraped under another name. Every series of the job is gone; the job's "
                "SLIAbsent pages and RevenueDrop are muted while this fires, and 5 minutes after.",
    runbook="Look for the job on Prometheus' Targets and Service Discovery pages. Scaled to zero or dropped from "
            "discovery: bring its targets back (or remove its ScrapeJob from definitions/ if it is gone for good). "
            "Not there at all (a job of static targets is never missing otherwise): the running Prometheus has no "
            "scrape config for it; apply the configuration built with this rule. "
            "Renamed, or now scraped by another Prometheus: give the ScrapeJob in definitions/ the new name, or "
            "move it, and rebuild; until then this page is what says so. For a week after a rename RevenueDrop "
            "pages for the old name (its revenue read as 0 against last week's) and has no last week to compare "
            "the new name with: silence RevenueDrop of the old job for the week, and watch the new one's revenue "
            "on the Executive dashboard.",
    examples=(
        Example(name="every job with a target does not fire", at="20m", fires=False, series=ALL_UP),
        Example(name="the api's targets gone (scaled to zero) fires after a minute", at="8m", fires=True,
                labels={"job": "api"}, value=1, series={**ALL_UP, API_UP_ALONE: "1x5 stale"}),
        Example(name="the api scraped as api-v2 (renamed) fires, naming api", at="8m", fires=True,
                labels={"job": "api"}, value=1,
                series={**{s: v for s, v in ALL_UP.items() if s != API_UP_ALONE},
                        'up{job="api-v2",instance="api:9"}': "1x30"}),
        Example(name="its target gone for one evaluation (re-discovered) does not", at="8m", fires=False,
                series={**ALL_UP, API_UP_ALONE: "1x5 stale 1x20"}),
        Example(name="every target of the job down (`up` 0: JobDown's and the absent pages') does not", at="20m",
                fires=False, series={**ALL_UP, API_UP_ALONE: "0x30"}),
        Example(name="6 minutes after its targets are back it has resolved", at="16m", fires=False,
                series={**ALL_UP, API_UP_ALONE: "1x2 stale _x4 1x20"}),
        Example(name="a Prometheus restart (4 minutes without samples) does not", at="9m", fires=False,
                series={s: "1x5 _x3 1x10" for s in ALL_UP}),
    ),
)

# --- ALERT_RULES["business_critical"] -----------------------------------------------------------
# Business traffic has a daily and weekly rhythm and Poisson noise: an alert compares like with like (the same
# hour last week), only when there is enough traffic for a halving to mean something, and reads 0, not
# nothing, when the counters stop being written (a broken checkout must keep the alert firing).
MIN_SESSIONS_PER_MINUTE = 40
"""Below this, 10 minutes hold fewer than 40 orders at the usual 10%: halving them is noise, not a signal."""
MIN_ORDERS_PER_HOUR = 100
"""Below this (in the same hour last week), half the revenue is within an hour's normal noise."""

SHOP = 'sales_conversions_total{job="shop",product_category="books",user_segment="new"}'
SESSIONS = 'sales_sessions_total{job="shop",user_segment="new"}'

CONVERSION_DROP = Alert(
    name="ConversionRateLow", plan_name="conversion_drop",
    expr=f"{conversion_rate.name} < 0.05 and on (job) "
         f"sum by (job) (rate(sales_sessions_total[10m])) * 60 >= {MIN_SESSIONS_PER_MINUTE}",
    **{"for": "3m"}, keep_firing_for="5m",  # hovering around 5% would fire and resolve (an email) every few minutes
    severity="warning", channels=("email",),
    dashboard="Executive",
    summary="Conversion rate {{ $value | humanizePercentage }} over 10 minutes (below 5%)",
    description="Fewer than 5% of the shopping sessions of the last 10 minutes ended in an order (held 3 minutes): "
                "checkout, payment or search may be broken.",
    runbook="See how checkout answers: "
            '`sum by (status) (rate(http_requests_total{service="api",endpoint="/api/checkout"}[10m]))` '
            "(5xx: checkout broken, the Operations dashboard's Error Rates panel; few requests at all: search or "
            "cart stop users before it). Then the payment provider's status page and the last deploy.",
    examples=(
        Example(name="2% conversion for 10 minutes fires",
                series={SHOP: "0+2x30", SESSIONS: "0+100x30"}, at="10m", fires=True, labels={"job": "shop"},
                value=0.02),
        Example(name="conversion falling from 12% to 1% fires within 12 minutes",
                series={SHOP: "0+12x20 240+1x20", SESSIONS: "0+100x40"}, at="32m", fires=True,
                labels={"job": "shop"}, value=0.01),
        Example(name="orders no longer counted while sessions go on fires (reads 0)",
                series={SHOP: "0+12x10 stale", SESSIONS: "0+100x40"}, at="30m", fires=True,
                labels={"job": "shop"}, value=0),
        # 4.5% with one busy minute lifting the 10-minute ratio to 5.1% for 3 minutes (20m-22m): without
        # keep_firing_for it resolved at 20m and fired again at 26m, a second email for one incident
        Example(name="conversion hovering around 5% keeps firing through a moment above it",
                series={SHOP: "0+4.5x19 96 100.5 105 105+4.5x10", SESSIONS: "0+100x35"}, at="22m", fires=True,
                labels={"job": "shop"}, value=0.045),
        Example(name="12% conversion never fires",
                series={SHOP: "0+12x30", SESSIONS: "0+100x30"}, at="20m", fires=False),
        Example(name="30 sessions a minute are too few to judge",
                series={SHOP: "0x30", SESSIONS: "0+30x30"}, at="20m", fires=False),
    ),
)

# An outage of the job (every target down, or gone) explains the revenue it lost: RevenueDrop compares the hour
# with the same share of last week's hour as the job answered in, so after an outage of more than an hour (paged by
# the job's SLIAbsent alerts, which mute it meanwhile) it does not page again when the job is back and the hour
# still holds the outage; a drop that outlasts the recovery pages. Minutes with one target of the job answering
# (1 of 20 pods down) or a gap under 5 minutes (a deploy's failed scrape) count in full, and a job with no `up` this
# hour (scraped elsewhere, or gone longer than the hour) is judged on the whole hour: its SLIAbsent page mutes it.
JOB_UP_SHARE = ("(count_over_time((count by (job) (max_over_time(up[5m]) == 1))[1h:1m])"
                " / on () group_left () count_over_time(vector(1)[1h:1m])"
                f" or on (job) 0 * {revenue_hourly_last_week.name} + 1)")
"""The share of the last hour's minutes in which at least one target of the job had answered a scrape within 5
minutes (a deploy's failed scrape or a missing minute is no outage), over the minutes counted, not a constant 60, so
that the live stack's compressed windows and steps keep it a share."""
REVENUE_SEEN = f"({revenue_hourly.name} or on (job) 0 * {revenue_hourly_last_week.name})"
"""The last hour's revenue, 0 when revenue_total is not there at all."""
REVENUE = 'revenue_total{job="shop",product_category="books"}'
ORDERS = 'sales_conversions_total{job="shop",product_category="books",user_segment="new"}'
UP = 'up{job="shop",instance="shop:8080"}'
AFTER = 60  # samples after the outage (4 hours)
REVENUE_DROP = Alert(
    name="RevenueDrop", plan_name="revenue_anomaly",
    # below half of last week's hour, and below half of the part of it in which the job answered (the first alone
    # is the comparison the demo history and the panel read; the second is never the weaker)
    expr=f"{REVENUE_SEEN} < 0.5 * {revenue_hourly_last_week.name} and on (job)"
         f" {REVENUE_SEEN} < 0.5 * ({revenue_hourly_last_week.name} * on (job) {JOB_UP_SHARE}) and on (job)"
         f" sum by (job) (rate(sales_conversions_total[1h] offset 1w)) * 3600 >= {MIN_ORDERS_PER_HOUR}",
    **{"for": "15m"},
    severity="critical", channels=("email", "slack"),
    dashboard="Executive",
    summary="Revenue of the last hour {{ humanize $value }}, below half of the same hour last week",
    description="Revenue in the last hour is less than half of the same hour a week ago (a busy enough hour: "
                f"at least {MIN_ORDERS_PER_HOUR} orders then); no revenue at all counts as 0. Minutes in which no "
                "target of the job answered (an outage, paged by its own alert) are taken out of last week's hour too.",
    runbook="Compare orders and sessions on the Executive dashboard; check payment and checkout errors; "
            "rule out a tracking outage before escalating to the business. Revenue 0 for a job renamed in the last "
            "week is the rename (last week's revenue is under the old name, and the new name has none to compare "
            "with until a week after): silence RevenueDrop of the old job for the week, and watch the new one's "
            "revenue on the Executive dashboard.",
    examples=(
        Example(name="a week at 6000/h then 1800/h with the job up fires", interval="4m",
                series={REVENUE: "0+400x2550 1020000+120x50", ORDERS: "0+20x2600", UP: "1x2600"},
                at="1w4h", fires=True, labels={"job": "shop"}, value=1800),
        # 92 minutes down from 1w2h04m (up 0, revenue_total gone), back at 1w3h36m with its counter from 0: before,
        # the hour still held the outage until 1w4h08m and RevenueDrop, muted while the SLIAbsent page fired, paged
        # after it resolved
        Example(name="20 minutes after a 92-minute outage, revenue back, does not fire", interval="4m",
                series={REVENUE: f"0+400x2550 stale _x22 0+400x{AFTER}", UP: f"1x2550 0x23 1x{AFTER}",
                        ORDERS: "0+20x2700"}, at="1w3h56m", fires=False),
        Example(name="revenue at a fifth of last week's after a 92-minute outage fires within 45 minutes",
                interval="4m", series={REVENUE: f"0+400x2550 stale _x22 0+80x{AFTER}", UP: f"1x2550 0x23 1x{AFTER}",
                                       ORDERS: "0+20x2700"}, at="1w4h20m", fires=True, labels={"job": "shop"},
                value=880),
        Example(name="revenue at a third after a deploy (one failed scrape, counter from 0) fires", interval="4m",
                series={REVENUE: "0+400x2550 stale 0+120x60", UP: "1x2550 0 1x60", ORDERS: "0+20x2700"},
                at="1w4h", fires=True, labels={"job": "shop"}, value=1800),
        Example(name="revenue no longer counted at all fires (reads 0)", interval="4m",
                series={REVENUE: "0+400x2550 stale", ORDERS: "0+20x2600"},
                at="1w4h", fires=True, labels={"job": "shop"}, value=0),
        # a deploy: the counter starts again at 0 and is missing while the application is down; increase() counts
        # across the reset, so the hour holds what was sold before and after it (at 1w3h12m the hour has held the
        # restart, 1w2h44m-1w2h56m, for the whole `for`)
        Example(name="the application restarting (12 minutes down, its counter back at 0) does not fire",
                interval="4m", series={REVENUE: "0+400x2560 stale _x2 400+400x40", ORDERS: "0+20x2600"},
                at="1w3h12m", fires=False),
        Example(name="a steady week does not fire", interval="4m",
                series={REVENUE: "0+400x2600", ORDERS: "0+20x2600"}, at="1w3h", fires=False),
        Example(name="an hour of fewer than 100 orders last week is not judged", interval="4m",
                series={REVENUE: "0+400x2550 1020000+120x50", ORDERS: "0+4x2600"}, at="1w3h", fires=False),
    ),
)

# The api job dead (its scrapes failing, its series gone): the SLOs it feeds page for want of inputs within minutes
# (CheckoutAvailabilitySLIAbsent, ApiLatencySLIAbsent, job="api"), and revenue_total gone reads 0 to RevenueDrop, which
# pages on its own ladder once the hour is outage: one dead job, two pages. JobDown, which tells nobody (info), mutes
# it. Not the absent pages themselves: they also fire with the job up (a deploy renamed a histogram's buckets), when
# revenue may really be dropping, and in Alertmanager a silenced (acknowledged) alert still inhibits, so a real drop
# would page nobody for as long as the bucket problem is acknowledged. RevenueDrop stays firing in Prometheus and
# Alertmanager (inhibited) while its job is down, and pages as before when the job answers.
API_UP = 'up{job="api",instance="api:8000"}'
JOB_DOWN = Alert(
    name="JobDown",
    # not absent(up{job=...}): where the job is scraped under another name, or not by this Prometheus, that would
    # fire for good and mute a real drop for good; a job with no target left (scaled to zero) pages twice instead
    expr="max by (job) (up) == 0",
    # the absent pages' 2m and 5m: it fires long before RevenueDrop (an hour of outage, then its 15m `for`), and
    # outlasts the recovery until RevenueDrop's hour no longer reads the outage as a drop (alerts54's examples)
    **{"for": "2m"}, keep_firing_for="5m",
    severity="info",  # no channel: the job's SLIAbsent page (and TargetDown) tell on-call; this only mutes
    dashboard="Meta-monitoring",
    summary="No target of job {{ $labels.job }} answers its scrape",
    description="Every target of job {{ $labels.job }} has failed its scrapes for 2 minutes: the "
                "job is down, and its revenue lost is the outage's, paged by the SLIs the job feeds. It mutes "
                "RevenueDrop of the job while it fires and 5 minutes after.",
    runbook="Nobody is told of it: the job's SLIAbsent page and TargetDown are the ones to act on. Check the job's "
            "targets on Prometheus' Targets page (`up{job=\"{{ $labels.job }}\"}`).",
    examples=(
        Example(name="the only target down for 3 minutes fires", at="8m", fires=True, labels={"job": "api"},
                value=0, series={API_UP: "1x5 0x10"}),
        Example(name="no `up` of the job (scraped elsewhere, or its targets gone) never fires", at="10m",
                fires=False, series={API_UP: "1x5 stale", 'up{job="node",instance="web-1:9100"}': "1x10"}),
        Example(name="the job up with its latency histogram's buckets renamed does not", at="15m", fires=False,
                series={API_UP: "1x20", 'http_request_duration_seconds_bucket{job="api",instance="api:8000",'
                                        'service="api",le="0.25"}': "0+10x5 stale"}),
        Example(name="one target of two down does not", at="15m", fires=False,
                series={API_UP: "0x20", 'up{job="api",instance="api-2:8000"}': "1x20"}),
        Example(name="one failed scrape does not", at="10m", fires=False, series={API_UP: "1x5 0 1x10"}),
        Example(name="4 minutes after the job is back it still fires", at="14m", fires=True,
                labels={"job": "api"}, value=0, series={API_UP: "1x2 0x6 1x10"}),
        Example(name="6 minutes after the job is back it has resolved", at="16m", fires=False,
                series={API_UP: "1x2 0x6 1x10"}),
        Example(name="a Prometheus restart (4 minutes without samples) does not", at="9m", fires=False,
                series={API_UP: "1x5 _x3 1x10"}),
    ),
)
REVENUE_DROP_MUTED = Inhibition(
    name="a job down mutes its RevenueDrop", source={"alertname": JOB_DOWN.name},
    target={"alertname": REVENUE_DROP.name}, equal=("job", *STACK.external_labels))


JOB_MISSING_MUTES = tuple(
    Inhibition(name=f"a job with no target mutes its {what}", source={"alertname": JOB_MISSING.name},
               target=target, equal=("job", *STACK.external_labels))
    for what, target in (("SLIs' absent pages", {"sli": "absent"}), ("RevenueDrop", {"alertname": REVENUE_DROP.name})))
