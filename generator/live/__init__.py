"""The live local stack: real Prometheus, Alertmanager and node-exporter, a demo application and notification sinks."""
