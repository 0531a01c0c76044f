"""Grafana dashboard JSON of any schema version, and grafanalib dashboards, read into the model."""
