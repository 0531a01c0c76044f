"""Putting out/ onto running servers and reading back what they run: Prometheus, Alertmanager, Grafana."""
