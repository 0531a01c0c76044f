"""A scrape job over https with basic auth, a CA and a server name, written by prometheus.yml's target and
scraped by the real Prometheus; its secrets only ever as files (a literal one is refused at its file:line).

The target is python's https server with a certificate made here (openssl) for a name that is not 127.0.0.1's, so
Prometheus verifies it only through tls_config's ca_file and server_name, and answers /metrics only to the right
basic auth."""

from __future__ import annotations

import base64
import http.server
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import compile_definitions
from generator.checks.tools import commands
from generator.model import ClusterEndpoint, Kubernetes, ScrapeJob, Source
from generator.model.conventions import PROMETHEUS_CONFIG
from generator.model.kubernetes import SERVICE_ACCOUNT_TOKEN
from generator.model.project import Project
from generator.model.stack import ScrapeAuthorization, ScrapeBasicAuth, ScrapeTLS
from generator.package.kubernetes import servers
from generator.targets.prometheus import CLIENT_SETTINGS, config
from tests.edits import edit
from tests.gitops.helpers import copy_definitions
from tests.servers import https_server, prometheus

USER, PASSWORD = "scraper", "Corr3ct-H0rse-Battery"
SERVER_NAME = "scrape.test"
LITERAL = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # a GitHub token's form: any scanner knows it


@pytest.fixture
def https_target(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An https server (certificate for SERVER_NAME, self-signed) serving /metrics to USER:PASSWORD only: its port
    and its certificate (the CA that verifies it)."""
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.headers.get("Authorization") == expected
            self.send_response(200 if ok else 401)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(b"app_up 1\n" if ok else b"Unauthorized\n")

        def log_message(self, *args: Any) -> None:
            pass

    with https_server(Handler, tmp_path, SERVER_NAME) as served:
        yield served


def _job(name: str, port: int, ca: Path, password_file: Path) -> ScrapeJob:
    return ScrapeJob(name=name, source=Source.APPLICATION, targets=(f"127.0.0.1:{port}",), scheme="https",
                     tls_config=ScrapeTLS(ca_file=str(ca), server_name=SERVER_NAME),
                     basic_auth=ScrapeBasicAuth(username=USER, password_file=str(password_file)))


def test_prometheus_scrapes_https_with_basic_auth_from_files(
        project: Project, https_target: tuple[int, Path], tmp_path: Path) -> None:
    """up == 1 with the right password file, up == 0 with a wrong one; prometheus.yml names the files only."""
    port, ca = https_target
    right, wrong = tmp_path / "right-password", tmp_path / "wrong-password"
    right.write_text(PASSWORD + "\n")  # Prometheus trims the trailing newline, as a file written by hand ends
    wrong.write_text("not-the-password")
    jobs = (_job("secure", port, ca, right), _job("secure-wrong", port, ca, wrong))
    others = tuple(obj for obj in project.objects if not isinstance(obj, ScrapeJob))
    rendered = config(replace(project, objects=(*others, *jobs)))
    scrapes = rendered["scrape_configs"]
    assert scrapes[0] == {"job_name": "secure", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}],
                          "scheme": "https", "tls_config": {"ca_file": str(ca), "server_name": SERVER_NAME},
                          "basic_auth": {"username": USER, "password_file": str(right)}}
    text = yaml.safe_dump({"global": {"scrape_interval": "1s", "scrape_timeout": "1s"}, "scrape_configs": scrapes})
    assert PASSWORD not in text
    path = tmp_path / "prometheus.yml"
    path.write_text(text)
    checked = subprocess.run(["promtool", "check", "config", str(path)], capture_output=True, text=True,
                             timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with prometheus(path, tmp_path) as server:
        deadline = time.monotonic() + 30
        while True:
            up = {sample["metric"]["job"]: sample["value"][1]
                  for sample in server.get("/api/v1/query", query="up").json()["data"]["result"]}
            if len(up) == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert up == {"secure": "1", "secure-wrong": "0"}, up


LITERALS = [  # each new field given a secret typed in, and what the refusal says
    ({"basic_auth": {"username": USER, "password": LITERAL}}, "inlined secret in 'password'"),
    ({"basic_auth": {"username": USER, "password_file": LITERAL}}, "a token, not the name of a file"),
    ({"basic_auth": {"username": USER, "password_file": "hunter2"}}, "absolute path of a file"),
    ({"basic_auth": {"username": LITERAL, "password_file": "/run/secrets/pw"}}, "'username' inlines"),
    ({"authorization": {"credentials": LITERAL}}, "inlined secret in 'credentials'"),
    ({"authorization": {"credentials_file": LITERAL}}, "a token, not the name of a file"),
    ({"authorization": {"credentials_file": f"/run/{LITERAL}"}}, "'credentials_file' inlines"),
    ({"tls_config": {"ca_file": LITERAL}}, "a token, not the name of a file"),
    ({"tls_config": {"cert_file": f"/x/{LITERAL}", "key_file": "/x/key.pem"}}, "'cert_file' inlines"),
    ({"tls_config": {"cert_file": "/x/cert.pem", "key_file": LITERAL}}, "a token, not the name of a file"),
    ({"tls_config": {"server_name": LITERAL}}, "'server_name' inlines"),
]


@pytest.mark.parametrize(("fields", "message"), LITERALS)
def test_a_secret_typed_into_a_field_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        ScrapeJob.model_validate({"name": "api", "source": Source.APPLICATION, "targets": ("api:8000",),
                                  "scheme": "https", **fields})
    assert LITERAL not in str(refused.value).replace("input_value=", "").split("[type=")[0]


@pytest.mark.parametrize(("fields", "message"), [
    ({"tls_config": ScrapeTLS(server_name="api.test")}, "needs scheme='https'"),
    ({"scheme": "https", "authorization": ScrapeAuthorization(credentials_file="/t"),
      "basic_auth": ScrapeBasicAuth(username="u", password_file="/p")}, "Prometheus takes one"),
    ({"scheme": "https", "tls_config": {"ca_file": "/ca.pem", "insecure_skip_verify": True}}, "verifies nothing"),
    ({"scheme": "https", "tls_config": {"cert_file": "/cert.pem"}}, "cert_file and key_file go together"),
])
def test_a_client_that_cannot_be_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ScrapeJob.model_validate({"name": "api", "source": Source.APPLICATION, "targets": ("api:8000",), **fields})


def test_a_typed_password_is_refused_at_its_line_and_never_reaches_out(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    edit(definitions / "stack.py", 'targets=("api:8000",)',
         f'targets=("api:8000",), scheme="https", basic_auth={{"username": "shop", "password": "{LITERAL}"}}')
    line = next(number for number, text in enumerate((definitions / "stack.py").read_text().splitlines(), start=1)
                if '"api:8000"' in text)  # the api job's, wherever the shipped file has it
    compiled = compile_definitions(definitions)
    errors = [f"{Path(p.location.file).name}:{p.location.line}: {p.message}" for p in compiled.report.errors]
    assert any(error.startswith(f"stack.py:{line}: ") and "inlined secret in 'password'" in error
               for error in errors), errors
    assert compiled.rendered is None and all(LITERAL not in error for error in errors), errors


def test_the_build_checks_a_config_naming_files_of_prometheus_container(project: Project, tmp_path: Path) -> None:
    """The build's promtool check config reads the syntax: the token file is in Prometheus' container, not here."""
    job = ScrapeJob(name="api", source=Source.APPLICATION, targets=("api:8000",), scheme="https",
                    authorization=ScrapeAuthorization(credentials_file="/run/secrets/absent-api-token"))
    others = tuple(obj for obj in project.objects if not isinstance(obj, ScrapeJob))
    out = tmp_path / "out"
    (out / "prometheus").mkdir(parents=True)
    (out / PROMETHEUS_CONFIG).write_text(yaml.safe_dump(config(replace(project, objects=(*others, job)))))
    (command,) = [command for command in commands(out) if command.name == "promtool check config"]
    checked = subprocess.run(command.argv, cwd=out, capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_cluster_scrapes_as_the_job_unless_cluster_says_otherwise(project: Project) -> None:
    job = ScrapeJob(name="api", source=Source.APPLICATION, targets=("api:8000",), scheme="https",
                    basic_auth=ScrapeBasicAuth(username=USER, password_file="/run/secrets/api-password"))
    told = job.model_copy(update={"cluster": ClusterEndpoint(scheme="https", bearer_token_file=SERVICE_ACCOUNT_TOKEN)})
    for scrape, expected in ((job, {"scheme": "https", "basic_auth": {"username": USER,
                                                                      "password_file": "/run/secrets/api-password"}}),
                             (told, {"scheme": "https", "authorization": {"type": "Bearer",
                                                                          "credentials_file": SERVICE_ACCOUNT_TOKEN}})):
        others = tuple(obj for obj in project.objects if not isinstance(obj, ScrapeJob))
        shown = replace(project, objects=(*others, scrape))
        secret = servers(shown, Kubernetes(), {PROMETHEUS_CONFIG: config(shown)})[
            "kubernetes/prometheus/scrape-configs-secret.yaml"]
        (cluster,) = yaml.safe_load(secret["stringData"]["scrape-configs.yaml"])
        assert {key: cluster[key] for key in CLIENT_SETTINGS if key in cluster} == expected, cluster


def test_a_secret_typed_into_cluster_is_refused_at_its_line_not_a_traceback(tmp_path: Path) -> None:
    """ClusterEndpoint's server_name (or a token as its file's path) is read into the cluster's ScrapeTLS and
    ScrapeAuthorization, which refuse it: refused at the definition, as the job's own fields are, the build never
    raising out of packaging (before: a ValidationError's traceback from ScrapeJob.in_cluster; before that, the
    token written to out/kubernetes/)."""
    definitions = copy_definitions(tmp_path)
    edit(definitions / "stack.py", "insecure_skip_verify=True)", f'server_name="{LITERAL}")')
    compiled = compile_definitions(definitions)
    errors = [f"{Path(p.location.file).name}:{p.location.line}: {p.message}" for p in compiled.report.errors]
    assert any(error.startswith("stack.py:") and "'server_name' inlines" in error for error in errors), errors
    assert compiled.rendered is None and all(LITERAL not in error for error in errors), errors
    with pytest.raises(ValueError, match="'bearer_token_file' inlines"):
        ClusterEndpoint(scheme="https", bearer_token_file=f"/run/{LITERAL}")
