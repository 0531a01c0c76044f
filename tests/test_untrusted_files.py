"""Every reader of a file obsgen did not just write in memory (out/ as GitOps ships it, a live stack's state
directory, a sink's record, the out/ a ref's own generator writes for a diff) reads it as core.untrusted does:
within a size bound, a nesting bound, and a key written twice refused at its line; the command says `file:line:
why` and exits non-zero, never a traceback, never the last key silently kept."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.checks import telemetry, tools
from generator.cli.app import app
from generator.live import stack
from generator.live.ledger import Routing
from generator.live.recording import Recording
from generator.live.supervisor import Process, Starting, Supervisor
from generator.model.project import Project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped() -> Project:
    """The shipped definitions, loaded (a database read through SHOP_DATABASE_URL, a tracing policy)."""
    from generator.build import load

    return load(ROOT / "definitions")
TWICE = "mapping key 'receiver' is written twice (first at line 2)"
MAX_FILE_BYTES = 16 * 2**20
"""core.untrusted's bound on one file (written out: the old tree, which this test must fail on, lacks it)."""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=obsgen test", "-c", "user.email=test@example.com", *args], cwd=repo,
                   check=True, capture_output=True)


def _obsgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def _clean_failure(result: subprocess.CompletedProcess[str] | object, *words: str) -> str:
    """The command failed with one `error:` line holding every word, and no traceback."""
    stderr = str(getattr(result, "stderr", ""))
    code = getattr(result, "returncode", getattr(result, "exit_code", 0))
    assert code != 0, stderr
    assert "Traceback" not in stderr, stderr
    assert isinstance(getattr(result, "exception", None), SystemExit | None), getattr(result, "exception", None)
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and all(word in errors[0] for word in words), stderr
    return errors[0]


# --- generator/live/ledger.py: out/alertmanager/alertmanager.yml ---------------------------------------------------

def test_the_ledger_refuses_a_routing_tree_with_a_key_written_twice_at_its_line(tmp_path: Path) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text("route:\n  receiver: ops\n  receiver: oncall\nreceivers:\n- name: ops\n- name: oncall\n")

    with pytest.raises(ValueError) as raised:
        Routing(config)

    assert str(raised.value) == f"{config}:3: mapping key 'receiver' is written twice (first at line 2); the last " \
                                "one would silently win"


# --- generator/live/supervisor.py: the state directory's state.json, read by down, status, up, ack ------------------

def test_down_names_a_state_file_holding_a_key_twice_at_its_line(tmp_path: Path) -> None:
    state_dir = tmp_path / "live"
    state_dir.mkdir()
    (state_dir / "state.json").write_text('{"processes": [],\n "info": {},\n "processes": []}\n')

    result = CliRunner().invoke(app, ["down", "--state-dir", str(state_dir)])

    _clean_failure(result, f"{state_dir}/state.json:3: key 'processes' is written twice in one object (first at "
                           "line 1)", "damaged")


def test_down_refuses_a_state_file_over_its_bound_unread(tmp_path: Path) -> None:
    state_dir = tmp_path / "live"
    state_dir.mkdir()
    (state_dir / "state.json").write_text('{"processes": [], "info": {"x": "' + "x" * 2**20 + '"}}')

    result = CliRunner().invoke(app, ["down", "--state-dir", str(state_dir)])

    _clean_failure(result, f"{state_dir}/state.json: 1.0 MiB is over the limit of 1 MiB")


# --- generator/live/recording.py: a sink's JSON Lines record ---------------------------------------------------------

def test_a_record_with_a_key_written_twice_is_refused_at_its_line_and_a_partial_last_line_waits(tmp_path: Path) -> None:
    record = tmp_path / "webhook.jsonl"
    record.write_text('{"path": "/a", "received": 1}\n{"path": "/a"}\n{"path": "/b"')
    assert Recording(record).records() == [{"path": "/a", "received": 1}, {"path": "/a"}]  # the last is being written

    record.write_text('{"path": "/a", "received": 1}\n{"path": "/a",\t"path": "/b"}\n')
    with pytest.raises(ValueError, match=rf"^{record}:2: key 'path' is written twice in one object"):
        Recording(record).records()


def test_a_recording_parses_only_what_was_appended_and_starts_over_on_a_new_file(tmp_path: Path) -> None:
    record = tmp_path / "webhook.jsonl"
    record.write_text('{"n": 1}\n{"n": 2')
    recording = Recording(record)
    assert recording.records() == [{"n": 1}]
    with record.open("a") as file:
        file.write('}\n{"n": 3}\n{"n": 4,\t"n": 5}\n')
    with pytest.raises(ValueError, match=rf"^{record}:4: key 'n' is written twice"):  # the file's own line
        recording.records()
    replaced = tmp_path / "new.jsonl"
    replaced.write_text('{"n": 9}\n')
    replaced.replace(record)  # obsgen up starts a new record
    assert recording.records() == [{"n": 9}]
    record.write_text("")  # cut
    assert recording.records() == []
    with record.open("a") as file:
        file.write('{"n": 10}\n')
    assert recording.records() == [{"n": 10}]


def test_a_record_nested_too_deep_is_refused_at_its_line(tmp_path: Path) -> None:
    record = tmp_path / "email.jsonl"
    record.write_text('{"subject": "x"}\n{"subject": "y"}\n{"body": ' + "[" * 100 + "]" * 100 + "}\n")

    with pytest.raises(ValueError, match=rf"^{record}:3: nested deeper than 64 levels"):
        Recording(record).records()


# --- generator/live/stack.py: the exporter's databases come from the project, not from a file read back -----------

class _Starts(Supervisor):
    """A supervisor that remembers what it is told to start instead of starting it."""

    def __init__(self, state_dir: Path) -> None:
        super().__init__(state_dir)
        self.started: list[tuple[str, dict[str, str] | None]] = []

    def begin(self, name: str, argv: list[str], ready: Callable[[], bool], url: str = "",
              timeout: float = 30.0, env: dict[str, str] | None = None) -> Starting:
        self.started.append((name, env))
        return Starting(Process(name, 0, 0, argv, str(self.log(name)), url, env or {}), lambda: None, ready, 0, 0)


def test_up_gives_the_exporter_the_demo_database_without_reading_exporter_yml_back(tmp_path: Path,
                                                                                  shipped: Project) -> None:
    out = tmp_path / "out"
    (out / "exporter").mkdir(parents=True)
    (out / stack.EXPORTER_CONFIG).write_text("databases:\n- {name: shop, dsn_env: OTHER}\n" * 2)  # a key twice
    supervisor = _Starts(tmp_path)

    dsn = f"sqlite:///{tmp_path}/shop-demo.db"
    stack._begin_exporter(supervisor, shipped, out, {"prometheus": "http://p", "exporter": "http://e"}, dsn)

    assert supervisor.started == [("exporter", {"SHOP_DATABASE_URL": dsn})]


# --- generator/preview/source.py: `obsgen preview` reads out/grafana ------------------------------------------------

def _grafana(tmp_path: Path) -> Path:
    grafana = tmp_path / "grafana"
    shutil.copytree(ROOT / "out/grafana", grafana)
    return grafana


def test_preview_names_a_dashboard_with_a_key_written_twice_at_its_line(tmp_path: Path) -> None:
    grafana = _grafana(tmp_path)
    bad = grafana / "dashboards/General/twice.json"
    bad.write_text('{"uid": "twice",\n "title": "A",\n "panels": [],\n "title": "B"}\n')

    result = CliRunner().invoke(app, ["preview", "--grafana", str(grafana), "--out", str(tmp_path / "p")])

    _clean_failure(result, f"{bad}:4: not a readable dashboard: key 'title' is written twice in one object (first "
                           "at line 2)")


def test_preview_refuses_a_dashboard_over_the_bound_unread(tmp_path: Path) -> None:
    grafana = _grafana(tmp_path)
    big = grafana / "dashboards/General/big.json"
    big.write_text('{"uid": "big", "title": "' + "x" * MAX_FILE_BYTES + '", "panels": []}')

    result = CliRunner().invoke(app, ["preview", "--grafana", str(grafana), "--out", str(tmp_path / "p")])

    _clean_failure(result, f"{big}: not a readable dashboard: 16.0 MiB is over the limit of 16 MiB")


def test_preview_names_a_datasource_file_with_a_key_written_twice_at_its_line(tmp_path: Path) -> None:
    grafana = _grafana(tmp_path)
    datasources = grafana / "provisioning/datasources/obsgen.yml"
    datasources.write_text(datasources.read_text().replace("    timeInterval: 15s\n",
                                                           "    timeInterval: 15s\n    timeInterval: 1h\n", 1))

    result = CliRunner().invoke(app, ["preview", "--grafana", str(grafana), "--out", str(tmp_path / "p")])

    _clean_failure(result, f"{datasources}:14: mapping key 'timeInterval' is written twice (first at line 13)")


# --- generator/checks/tools.py and telemetry.py: `obsgen check` reads out/'s test files and collector config -------

@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project as `obsgen init` writes it, built (its check takes a second or two)."""
    where = tmp_path_factory.mktemp("team")
    assert _obsgen("init", "team", cwd=where).returncode == 0
    assert _obsgen("build", "--quiet", cwd=where / "team").returncode == 0
    return where / "team"


def _checked(team: Path, tmp_path: Path, relative: str, text: str) -> tuple[list[str], str]:
    project = tmp_path / "team"
    shutil.copytree(team, project)
    (project / "out" / relative).parent.mkdir(parents=True, exist_ok=True)
    (project / "out" / relative).write_text(text)
    result = _obsgen("check", "out", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    return lines, "\n".join(lines[lines.index(next(line for line in lines if line.startswith("FAIL"))):])


def test_check_fails_a_routing_test_file_with_a_key_written_twice_at_its_line(team: Path, tmp_path: Path) -> None:
    text = (team / "out/alertmanager/tests/routes.yml").read_text()
    first = text.index("  receiver: ")
    twice = text[:first] + text[first:].replace("\n", "\n" + text[first:].split("\n")[0] + "\n", 1)

    lines, failed = _checked(team, tmp_path, "alertmanager/tests/routes.yml", twice)

    assert "FAIL route tests" in lines, failed
    assert f"out/alertmanager/tests/routes.yml:{text.count(chr(10), 0, first) + 2}: mapping key 'receiver' is " \
           "written twice" in failed


def test_check_fails_a_rule_test_file_nested_too_deep_at_its_line(team: Path, tmp_path: Path) -> None:
    deep = "rule_files: [../rules/alerts.yml]\ntests:\n- input_series: " + "[" * 100 + "]" * 100 + "\n"

    lines, failed = _checked(team, tmp_path, "prometheus/tests/alerts.yml", deep)

    assert "FAIL promtool test rules alerts.yml" in lines, failed
    assert "out/prometheus/tests/alerts.yml:3: nested deeper than 64 levels" in failed


def test_check_fails_a_collector_configuration_with_a_key_written_twice_at_its_line(team: Path,
                                                                                    tmp_path: Path) -> None:
    lines, failed = _checked(team, tmp_path, "otelcol/config.yaml", "receivers: {}\nexporters: {}\nreceivers: {}\n")

    assert "FAIL schema otelcol/config.yaml" in lines, failed
    assert "out/otelcol/config.yaml:3: mapping key 'receivers' is written twice (first at line 1)" in failed


def test_trace_coverage_names_a_collector_configuration_over_the_bound(tmp_path: Path, shipped: Project) -> None:
    out = tmp_path / "out"
    (out / "otelcol").mkdir(parents=True)
    (out / "otelcol/config.yaml").write_text("# " + "x" * MAX_FILE_BYTES + "\n")

    [_memory, coverage] = telemetry.tracing_results(out, shipped)

    assert not coverage.ok and coverage.output == f"{out}/otelcol/config.yaml: 16.0 MiB is over the limit of 16 MiB " \
                                                  "obsgen reads from this file"


def test_a_routing_test_file_of_another_shape_fails_unrun(tmp_path: Path) -> None:
    (tmp_path / "alertmanager/tests").mkdir(parents=True)
    (tmp_path / "alertmanager/tests/routes.yml").write_text("tests:\n- just a name\n")

    [route] = [command for command in tools.commands(tmp_path) if command.name == "route tests"]

    assert tools._run(route, tmp_path) == tools.Result("route tests", False, f"{tmp_path}/alertmanager/tests/routes.yml"
                                                       ": not routing tests: a mapping whose `tests` each have a "
                                                       "name, labels and receiver")


# --- generator/apply/files.py: `obsgen status` reads the files of a server's directory -----------------------------

def test_status_names_a_file_of_the_servers_directory_over_the_bound(tmp_path: Path) -> None:
    etc = tmp_path / "etc-prometheus"
    (etc / "rules").mkdir(parents=True)
    (etc / "prometheus.yml").write_text("# " + "x" * MAX_FILE_BYTES + "\n")

    result = CliRunner().invoke(app, ["status", "--out", str(ROOT / "out"), "--prometheus-dir", str(etc),
                                      "--prometheus-url", "http://127.0.0.1:9", "--retries", "0"])

    _clean_failure(result, f"{etc}/prometheus.yml: 16.0 MiB is over the limit of 16 MiB")


# --- generator/exporter/sql.py: a database's dsn_file or password_file ---------------------------------------------

def test_a_password_file_over_the_bound_is_a_source_down_unread(tmp_path: Path) -> None:
    from generator.exporter.jobs import SourceDown
    from generator.exporter.sql import resolve_url
    from generator.model import Database

    secret = tmp_path / "password"
    secret.write_text("x" * 2**20)

    with pytest.raises(SourceDown, match=rf"^database shop: {secret}: 1.0 MiB, more than the 64 KiB a DSN or password "
                                        "file holds$"):
        resolve_url(Database(name="shop", dsn="postgresql://exporter@db/shop", password_file=str(secret)))


# --- generator/analysis/diff: the out/ each side's build wrote --------------------------------------------------------

GENERATOR = '''\
import pathlib, sys
out = pathlib.Path(sys.argv[sys.argv.index("--out") + 1])
for relative, text in {files!r}.items():
    (out / relative).parent.mkdir(parents=True, exist_ok=True)
    (out / relative).write_text(text)
'''
ROUTES = "route:\n  receiver: ops\nreceivers:\n- name: ops\n- name: oncall\n"


def _side(repo: Path, files: dict[str, str]) -> None:
    """A commit whose own generator writes exactly these files for its build (as a pull request's generator may)."""
    (repo / "generator").mkdir(exist_ok=True)
    (repo / "generator/__init__.py").write_text("")
    (repo / "generator/__main__.py").write_text(GENERATOR.format(files=files))
    (repo / "definitions").mkdir(exist_ok=True)
    (repo / "definitions/README").write_text("definitions of no consequence: the generator ignores them\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "a side")


@pytest.mark.parametrize(("written", "words"), [
    ({"alertmanager/alertmanager.yml": ROUTES.replace("ops\n", "ops\n  receiver: oncall\n", 1)},
     ("head-out/alertmanager/alertmanager.yml:3: " + TWICE,)),
    ({"grafana/dashboards/General/a.json": '{"uid": "a",\n "title": "A",\n "uid": "b"}'},
     ("head-out/grafana/dashboards/General/a.json:3: key 'uid' is written twice in one object",)),
    ({"alertmanager/alertmanager.yml": ROUTES + "# " + "x" * MAX_FILE_BYTES + "\n"},
     ("head-out/alertmanager/alertmanager.yml: 16.0 MiB is over the limit of 16 MiB for one file of out/",)),
], ids=["a key written twice in YAML", "a key written twice in JSON", "a file over the bound"])
def test_diff_names_a_file_a_side_wrote_that_is_not_read_as_written(tmp_path: Path, written: dict[str, str],
                                                                     words: tuple[str, ...]) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    base = {"prometheus/prometheus.yml": "global: {}\n", "alertmanager/alertmanager.yml": ROUTES}
    _side(tmp_path, base)
    _side(tmp_path, {**base, **written})

    # from definitions/: the repository's top holds the sides' generator, which `python -m` would run here too
    result = _obsgen("diff", "HEAD~1", "HEAD", "--definitions", ".", cwd=tmp_path / "definitions")

    assert result.returncode == 2, result.stdout + result.stderr
    _clean_failure(result, *words)
    assert textwrap.dedent(result.stdout) == ""


# --- core.untrusted's parsers called directly: an integer of more digits than Python converts (4300) ------------

TOO_MANY_DIGITS = "9" * 5000
INTEGER_REFUSED = "an integer of 5000 digits, more than the 4300 Python converts; write fewer digits, or quote it"


def test_import_names_an_integer_of_too_many_digits_at_its_line(tmp_path: Path) -> None:
    rules = tmp_path / "old.yml"
    rules.write_text("groups:\n- name: g\n  rules:\n  - alert: Big\n    expr: up == 0\n    labels:\n"
                     f"      id: {TOO_MANY_DIGITS}\n")

    result = CliRunner().invoke(app, ["import", str(rules), "--definitions", str(tmp_path / "definitions")])

    _clean_failure(result, f"{rules}:7: cannot import: {INTEGER_REFUSED}")


def test_the_exporter_configuration_names_an_integer_of_too_many_digits_at_its_line(tmp_path: Path) -> None:
    from generator.exporter.config import ConfigError, load_config

    config = tmp_path / "exporter.yml"
    config.write_text(f"exporter:\n  port: {TOO_MANY_DIGITS}\n")

    with pytest.raises(ConfigError) as raised:
        load_config(config)

    assert str(raised.value).startswith(f"{config}:2: cannot read the exporter configuration: {INTEGER_REFUSED}")


def test_apply_names_a_dashboard_holding_an_integer_of_too_many_digits_at_its_line(tmp_path: Path) -> None:
    from generator.apply.grafana import ApplyInputError, local_dashboards

    dashboard = tmp_path / "grafana/dashboards/ops.json"
    dashboard.parent.mkdir(parents=True)
    dashboard.write_text('{\n  "uid": "ops",\n  "title": "Ops, \\"1234\\"",\n  "version": ' + TOO_MANY_DIGITS + "\n}\n")

    with pytest.raises(ApplyInputError) as raised:
        local_dashboards(tmp_path)

    assert str(raised.value).startswith(f"{dashboard}:4: cannot apply it: {INTEGER_REFUSED}")
