"""Low-level parsing and errors: PromQL, LogQL, Go templates, Grafana variables, durations.

Nothing here imports another part of obsgen.
"""
