"""`obsgen apply` refusing or undoing what a server could not use, against the real prometheus and
prometheus-alertmanager (and small stand-ins for a wrong URL): every server keeps the previous build, the report
names every server, and nothing is printed that holds a secret."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.apply import alertmanager, prometheus, reload
from generator.apply.files import collect
from generator.apply.http import Api, Connection
from generator.cli.app import app
from tests import servers
from tests.e2e.test_apply import (
    DEFINITIONS,
    FIRST_ALERTMANAGER,
    FIRST_PROMETHEUS,
    _break_cpu_high,
    _build,
    _config_dir,
    _obsgen,
)

SIGN_IN = b"<html><body>Sign in</body></html>"
REBUILT = ("this out/ is the build `obsgen up` made for the releases installed when it started: restart the live stack "
           "(`obsgen down`, then `obsgen up`) to build it for %s, or apply the out/ `obsgen build` writes from the "
           "definitions")
"""What a refusal advises for a release a build profile set (`obsgen up`'s), given the server's product and release."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """out/ (its secrets written beside it) and the Alertmanager port it points Prometheus at."""
    port = servers.free_port()
    return _build(DEFINITIONS, tmp_path_factory.mktemp("built") / "out", port), port


@contextmanager
def _stand_in(kind: str) -> Iterator[str]:
    """A URL that is not Prometheus: "sign-in" answers every request 200 with a web page (an SSO proxy, Grafana's
    SPA behind a missing path prefix); "lookalike" serves Prometheus' reload gauge and accepts reloads, but its API
    answers {} (a proxy or another product on the port)."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body, kind_of = SIGN_IN, "text/html"
            if kind == "lookalike":
                body, kind_of = ((b"prometheus_config_last_reload_successful 1\n", "text/plain")
                                 if self.path == "/metrics" else (b"{}", "application/json"))
            servers.answer(self, 200, body, kind_of)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    with servers.serving(Handler) as url:
        yield url


def _lines(stdout: str) -> str:
    return " ".join(stdout.split())


def test_secret_files_missing_on_the_server_refuse_alertmanager_before_anything_changes(tmp_path: Path,
                                                                                        built: tuple[Path, int]
                                                                                        ) -> None:
    # definitions/ reads Slack URLs and passwords from /etc/alertmanager-secrets, which this machine lacks:
    # Alertmanager 0.25 would load the configuration and fail every notification
    out = _build(DEFINITIONS, tmp_path / "out", built[1], secrets=False)
    config = _config_dir(tmp_path / "etc-alertmanager", "alertmanager.yml", FIRST_ALERTMANAGER)
    with servers.alertmanager(config, tmp_path, port=built[1]) as am:
        applied = _obsgen("apply", "--out", str(out), "--alertmanager-url", am.url,
                          "--alertmanager-dir", str(config.parent))

    assert applied.returncode == 1
    assert "alertmanager refused" in _lines(applied.stdout) and "nothing copied, not reloaded" in applied.stdout
    assert ("/etc/alertmanager-secrets/slack/ops.url (receivers[" in applied.stdout
            and "api_url_file) does not exist" in applied.stdout)
    assert "/etc/alertmanager-secrets/smtp_password (global.smtp_auth_password_file) does not exist" in applied.stdout
    assert sorted(p.name for p in config.parent.iterdir()) == ["alertmanager.yml"]
    assert config.read_text() == FIRST_ALERTMANAGER


def test_out_built_for_other_releases_is_refused_before_anything_changes(tmp_path: Path, built: tuple[Path, int]
                                                                         ) -> None:
    """out/ built for Alertmanager 0.34.1 and Prometheus 3.15.0 (the shipped Stack's) onto Debian's 0.25 and 2.42:
    each server's refusal names both its releases and where out/'s was set (this test's build profile, as `obsgen up`
    sets both, not Stack.*_version), says what to do about a profile's (no line of the definitions sets it), and
    nothing is copied; --force applies it with a warning naming each. A patch release apart is no other release."""
    out = _build(DEFINITIONS, tmp_path / "out", built[1], alertmanager_version="0.34.1", prometheus_version="3.15.0")
    am_config = _config_dir(tmp_path / "etc-alertmanager", "alertmanager.yml", FIRST_ALERTMANAGER)
    prom_config = _config_dir(tmp_path / "etc-prometheus", "prometheus.yml", FIRST_PROMETHEUS)
    with servers.alertmanager(am_config, tmp_path, port=built[1]) as am, \
            servers.prometheus(prom_config, tmp_path) as prom:
        args = ("apply", "--out", str(out), "--alertmanager-url", am.url, "--alertmanager-dir", str(am_config.parent),
                "--prometheus-url", prom.url, "--prometheus-dir", str(prom_config.parent))
        refused = _obsgen(*args)
        assert refused.returncode == 1
        assert (f"alertmanager refused {am_config.parent}: nothing copied, not reloaded: the server runs Alertmanager "
                "0.25.0, but out/alertmanager was built for 0.34.1 (the build profile's alertmanager_version): its "
                "notifications' links, group keys and regexes are written for 0.34.1; "
                + REBUILT % "Alertmanager 0.25.0" + ", or pass --force to apply it anyway") in _lines(refused.stdout), \
            refused.stdout
        assert (f"prometheus refused {prom_config.parent}: nothing copied, not reloaded: the server runs Prometheus "
                "2.42.0, but out/prometheus was built for 3.15.0 (the build profile's prometheus_version): its rules "
                "and configuration (PromQL functions, regexes, settings) are written for 3.15.0; "
                + REBUILT % "Prometheus 2.42.0" + ", or pass --force to apply it anyway") in _lines(refused.stdout), \
            refused.stdout
        assert "Profile." not in refused.stdout
        assert am_config.read_text() == FIRST_ALERTMANAGER and prom_config.read_text() == FIRST_PROMETHEUS
        api = Api(Connection("alertmanager", am.url, retries=0))
        declared = '{{ define "obsgen.links.alertmanager_version" }}%s{{ end }}'
        assert reload.other_release(alertmanager.SERVER, api.get("/api/v2/status"), out / "alertmanager",
                                    {alertmanager.TEMPLATE: (declared % "0.25.1").encode()}) == ""

        forced = _obsgen(*args, "--force")
        assert forced.returncode == 0, forced.stdout
        assert ("WARNING: the server runs Alertmanager 0.25.0, but out/alertmanager was built for 0.34.1 "
                "(the build profile's alertmanager_version)") in forced.stdout
        assert ("WARNING: the server runs Prometheus 2.42.0, but out/prometheus was built for 3.15.0 "
                "(the build profile's prometheus_version)") in forced.stdout
        assert forced.stdout.count("(applied anyway: --force)") == 2
        assert am_config.read_text() == (out / "alertmanager/alertmanager.yml").read_text()
        assert prom_config.read_text() == (out / "prometheus/prometheus.yml").read_text()


def test_a_url_answering_a_sign_in_page_stops_apply_before_any_server_changes(tmp_path: Path,
                                                                              built: tuple[Path, int]) -> None:
    out, port = built
    am_config = _config_dir(tmp_path / "etc-alertmanager", "alertmanager.yml", FIRST_ALERTMANAGER)
    prom_config = _config_dir(tmp_path / "etc-prometheus", "prometheus.yml", FIRST_PROMETHEUS)
    with servers.alertmanager(am_config, tmp_path, port=port) as am, _stand_in("sign-in") as wrong_url:
        applied = _obsgen("apply", "--out", str(out), "--alertmanager-url", am.url, "--alertmanager-dir",
                          str(am_config.parent), "--prometheus-url", wrong_url, "--prometheus-dir",
                          str(prom_config.parent))

    assert applied.returncode == 1 and "error:" not in applied.stderr
    assert (f"prometheus failed {prom_config.parent}: nothing changed: {wrong_url} answers, but not as prometheus: "
            "its /metrics has no prometheus_config_last_reload_successful") in _lines(applied.stdout)
    assert (f"alertmanager refused {am_config.parent}: nothing copied: prometheus could not take its part, so every "
            "server stays on the previous build") in _lines(applied.stdout)
    assert am_config.read_text() == FIRST_ALERTMANAGER and prom_config.read_text() == FIRST_PROMETHEUS
    assert sorted(p.name for p in prom_config.parent.iterdir()) == ["prometheus.yml"]


def test_an_answer_of_the_wrong_shape_after_copying_puts_the_previous_files_back(tmp_path: Path,
                                                                                 built: tuple[Path, int]) -> None:
    config = _config_dir(tmp_path / "etc-prometheus", "prometheus.yml", FIRST_PROMETHEUS)
    with _stand_in("lookalike") as url:
        applied = _obsgen("apply", "--out", str(built[0]), "--prometheus-url", url, "--prometheus-dir",
                          str(config.parent))

    assert applied.returncode == 1 and "error:" not in applied.stderr
    assert (f"prometheus failed {config.parent}: reloaded, but could not verify: prometheus: GET /api/v1/status/config "
            f"answered 200: no data.yaml in the answer: is {url} Prometheus?; previous files restored and reloaded"
            ) in _lines(applied.stdout)
    assert sorted(p.name for p in config.parent.iterdir()) == ["prometheus.yml"]
    assert config.read_text() == FIRST_PROMETHEUS


def test_a_prometheus_refusal_leaves_alertmanager_on_the_previous_build_too(tmp_path: Path,
                                                                            built: tuple[Path, int]) -> None:
    out, port = built
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    _break_cpu_high(broken / "prometheus/rules/alerts.yml")
    am_config = _config_dir(tmp_path / "etc-alertmanager", "alertmanager.yml", FIRST_ALERTMANAGER)
    prom_config = _config_dir(tmp_path / "etc-prometheus", "prometheus.yml", FIRST_PROMETHEUS)
    with servers.alertmanager(am_config, tmp_path, port=port) as am, \
            servers.prometheus(prom_config, tmp_path) as prom:
        am_api = Api(Connection("alertmanager", am.url))
        reloaded = reload.gauge(am_api, "alertmanager_config_last_reload_success_timestamp_seconds")
        applied = _obsgen("apply", "--out", str(broken), "--alertmanager-url", am.url, "--alertmanager-dir",
                          str(am_config.parent), "--prometheus-url", prom.url, "--prometheus-dir",
                          str(prom_config.parent))
        assert reload.gauge(am_api, "alertmanager_config_last_reload_success_timestamp_seconds") == reloaded

    assert applied.returncode == 1
    assert "prometheus refused" in _lines(applied.stdout) and "unclosed left parenthesis" in applied.stdout
    assert "\n\n" not in applied.stdout  # promtool's blank lines are not copied into the report
    assert ("alertmanager refused " f"{am_config.parent}: nothing copied: prometheus could not take its part"
            in _lines(applied.stdout))
    assert collect(am_config.parent, alertmanager.SERVER.patterns) == {"alertmanager.yml": FIRST_ALERTMANAGER.encode()}
    assert collect(prom_config.parent, prometheus.SERVER.patterns) == {"prometheus.yml": FIRST_PROMETHEUS.encode()}


def test_a_link_in_out_is_refused_and_dry_run_prints_no_secret(tmp_path: Path, built: tuple[Path, int]) -> None:
    out, port = built
    secret = tmp_path / "secret.txt"
    secret.write_text("slack_token=xoxb-SECRET-12345\n")
    linked = tmp_path / "linked"
    shutil.copytree(out, linked)
    (linked / "alertmanager/templates/leak.tmpl").symlink_to(secret)
    # a server configuration from before obsgen, with its secrets inline
    served = _config_dir(tmp_path / "etc-alertmanager", "alertmanager.yml",
                         "global:\n  smtp_auth_password: hunter2-inline-secret\n  slack_api_url: "
                         "https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/AbCdEfGhIjKlMnOpQrStUvWx\n"
                         + FIRST_ALERTMANAGER)
    dirs = ("--alertmanager-dir", str(served.parent))
    with servers.alertmanager(served, tmp_path, port=port) as am:
        for dry_run in (("--dry-run",), ()):
            refused = _obsgen("apply", *dry_run, "--out", str(linked), "--alertmanager-url", am.url, *dirs)
            assert refused.returncode == 2 and "xoxb-SECRET" not in refused.stdout + refused.stderr
            assert "leak.tmpl is a symbolic link" in refused.stderr
        assert sorted(p.name for p in served.parent.iterdir()) == ["alertmanager.yml"]

        planned = _obsgen("apply", "--dry-run", "--out", str(out), "--alertmanager-url", am.url, *dirs)

    assert planned.returncode == 0 and "-  smtp_auth_password: <redacted>" in planned.stdout
    assert "hunter2" not in planned.stdout and "AbCdEfGhIjKl" not in planned.stdout


def test_credentials_in_a_url_are_never_printed(tmp_path: Path, built: tuple[Path, int]) -> None:
    config = _config_dir(tmp_path / "etc-prometheus", "prometheus.yml", FIRST_PROMETHEUS)
    applied = _obsgen("apply", "--out", str(built[0]), "--retries", "0",
                      "--prometheus-url", "http://admin:s3cretpw@127.0.0.1:1", "--prometheus-dir", str(config.parent),
                      "--grafana-url", "http://admin:s3cretpw@127.0.0.1:1")

    assert applied.returncode == 1 and "cannot reach prometheus at http://***@127.0.0.1:1" in applied.stdout
    assert "s3cretpw" not in applied.stdout + applied.stderr


def test_dry_run_plans_nothing_for_a_server_it_cannot_reach(tmp_path: Path, built: tuple[Path, int]) -> None:
    config = _config_dir(tmp_path / "etc-prometheus", "prometheus.yml", FIRST_PROMETHEUS)
    planned = _obsgen("apply", "--dry-run", "--out", str(built[0]), "--retries", "0",
                      "--prometheus-url", "http://127.0.0.1:1", "--prometheus-dir", str(config.parent))

    assert planned.returncode == 1
    assert (f"prometheus would fail {config.parent}: nothing changed: cannot reach prometheus at http://127.0.0.1:1"
            in _lines(planned.stdout))


@pytest.mark.parametrize(("option", "value"), [("--timeout", "0"), ("--timeout", "-1"), ("--retries", "-1")])
def test_a_timeout_or_retry_count_no_request_can_use_is_a_usage_error(tmp_path: Path, option: str, value: str) -> None:
    result = CliRunner().invoke(app, ["apply", "--prometheus-url", "http://127.0.0.1:1", "--prometheus-dir",
                                      str(tmp_path), option, value])

    assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.stderr


def _server_user() -> tuple[int, int] | None:
    try:
        entry = pwd.getpwnam("prometheus")  # the user Debian's packages run both servers as
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


@pytest.mark.skipif(os.geteuid() != 0 or _server_user() is None or shutil.which("runuser") is None,
                    reason="needs root, the prometheus user and runuser")
def test_alertmanager_running_as_its_own_user_still_reads_what_apply_wrote(tmp_path: Path,
                                                                          built: tuple[Path, int]) -> None:
    # the recommended setup: the configuration root:prometheus 0640 in a root:prometheus 0750 directory
    uid, gid = _server_user() or (0, 0)
    base = Path(tempfile.mkdtemp(prefix="obsgen-owner-"))  # outside pytest's 0700 directory, which it cannot enter
    try:
        base.chmod(0o755)
        config = _config_dir(base / "etc-alertmanager", "alertmanager.yml", FIRST_ALERTMANAGER)
        (base / "data").mkdir()
        os.chown(base / "data", uid, gid)
        for path, mode in ((config.parent, 0o750), (config, 0o640)):
            os.chown(path, 0, gid)
            path.chmod(mode)
        port = built[1]
        argv = ["runuser", "-u", "prometheus", "--", "prometheus-alertmanager", f"--config.file={config}",
                f"--storage.path={base / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=", "--log.level=warn"]
        with servers.run(argv, "/-/ready", port, tmp_path, "alertmanager-as-prometheus") as am:
            applied = _obsgen("apply", "--out", str(built[0]), "--alertmanager-url", am.url,
                              "--alertmanager-dir", str(config.parent))

        assert applied.returncode == 0, applied.stdout
        assert "reloaded and verified" in applied.stdout
        for path, mode in ((config, 0o640), (config.parent / "templates/obsgen.tmpl", 0o640),
                           (config.parent / "templates", 0o750)):
            status = path.stat()
            assert (status.st_uid, status.st_gid, status.st_mode & 0o777) == (0, gid, mode), path
    finally:
        shutil.rmtree(base)
