"""bench/dashboard_volume.py's parts: the fleet, what the dashboards read, the TSDB writing, the loads."""
