"""obsgen: observability as code, compiled into the open-source monitoring stack's configuration."""
