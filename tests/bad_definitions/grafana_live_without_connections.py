from generator.model import GrafanaServer

GRAFANA = GrafanaServer(live=True, live_max_connections=0)  # expect: live=True needs live_max_connections >= 1
