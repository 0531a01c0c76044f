"""SLOs compiled into recording rules, burn-rate alerts, their promtool scenarios and the overview dashboard."""
