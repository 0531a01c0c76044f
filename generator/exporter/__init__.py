"""Sidecar exporter: forecasting, anomaly scores and capacity recommendations for Prometheus series."""
