"""`obsgen apply` reads both Alertmanager configurations as the running release does; a server whose /api/v2/status
reports no release (a build without version information, a proxy in front of it) is taken to run the release out/
was built for, as obsgen.tmpl declares it (model.stack.alertmanager_built_for), not the stack's default."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

from generator.apply.alertmanager import orphaned_incidents
from generator.apply.http import Api, Connection
from tests.servers import answer_json_text, serving

PAGING = {"receiver": "pd", "group_by": ["slo", "slo2"]}
RUNNING = json.dumps({"route": {**PAGING, "routes": [{**PAGING, "matchers": ['team="db"']}]},
                      "receivers": [{"name": "pd", "pagerduty_configs": [{"routing_key_file": "/k"}]}]})
NEW = RUNNING.replace('team=\\"db\\"', 'team=\\"db\\", tier=\\"1\\"')
GROUP_LABELS = {"slo": "y", "slo2": "x"}
GROUPS = [{"receiver": {"name": "pd"}, "labels": GROUP_LABELS,
           "alerts": [{"labels": {"alertname": "Down", "team": "db", "tier": "1", **GROUP_LABELS}}]}]
DECLARED = '{{ define "obsgen.links.alertmanager_version" }}0.25.0{{ end }}\n'


def _answering() -> type[BaseHTTPRequestHandler]:
    status = json.dumps({"config": {"original": RUNNING}, "versionInfo": {}}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer_json_text(self, 200, status if self.path.startswith("/api/v2/status") else
                             json.dumps(GROUPS).encode())

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def test_a_server_reporting_no_release_is_read_as_the_release_out_was_built_for() -> None:
    """0.25 writes a group's labels in the order of their `name="value"` strings (`slo2="x"` before `slo="y"`), 0.34
    in their names' order: the warning names the group as the declared 0.25 writes it."""
    files = {"alertmanager.yml": NEW.encode(), "templates/obsgen.tmpl": DECLARED.encode()}
    with serving(_answering()) as url:
        api = Api(Connection("alertmanager", url, retries=0))
        [warning] = orphaned_incidents(api, files, api.get("/api/v2/status"))
    assert warning.startswith('PagerDuty group {slo2="x", slo="y"} of receiver pd'), warning
