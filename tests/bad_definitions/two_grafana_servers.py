from generator.model import GrafanaServer

FIRST = GrafanaServer()
SECOND = GrafanaServer(name="other")  # expect: GrafanaServer is already defined at
