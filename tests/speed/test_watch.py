"""`obsgen build --watch` after a series of saves leaves out/ byte for byte as a full build of the same definitions
(a module that changed runs again, and so does one importing it)."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from generator.build import build
from tests.speed.project import node_exporter_project

RULES = "prometheus/rules/ruleset-node-exporter-rules.yml"
FINISHED = re.compile(r"^obsgen: (\d+ written|\d+ problems)")
EXTRA = '''
from generator.model import ImportedAlert, RuleGroup, RuleSet

from .timings import FOR

EXTRA = RuleSet(name="extra", source="extra.yaml", groups=(RuleGroup(name="extra", rules=(
    ImportedAlert(name="NodeTextfileScrapeFailing", expr="node_textfile_scrape_error == 1", for_=FOR,
                  labels={"severity": "warning"}),)),))
'''


def _like_a_terminal() -> None:
    """Ctrl-C reaches a command typed at a terminal; a test run as a script's background job inherits SIGINT
    ignored, and the watch (rightly) keeps ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Watcher:
    """A running `obsgen build --watch`, read line by line."""

    def __init__(self, definitions: Path, out: Path) -> None:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}  # as users run it
        self.process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--watch", "--quiet",
                                         "-d", str(definitions), "-o", str(out)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                        preexec_fn=_like_a_terminal)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def build_finished(self) -> list[str]:
        """The lines of the next build, up to its summary."""
        said: list[str] = []
        while not (said and FINISHED.match(said[-1])):
            said.append(self.lines.get(timeout=120))
        return said

    def stop(self, signum: int = signal.SIGINT) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:  # it did not stop: the test fails, and leaves nothing running
                self.process.kill()
                self.process.wait()


def _files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def _save(path: Path, text: str, mtime_ns: int | None = None, pause: float = 0.0) -> None:
    """Save as editors do (a new file renamed over the old one), optionally with a given modification time, and
    pause seconds between the two (a loaded machine's, or an editor's)."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text)
    if mtime_ns is not None:
        os.utime(temporary, ns=(mtime_ns, mtime_ns))
    time.sleep(pause)
    os.replace(temporary, path)


def test_watch_after_a_series_of_edits_leaves_out_as_a_full_build(tmp_path: Path) -> None:
    definitions, out = node_exporter_project(tmp_path, kubernetes=True), tmp_path / "out"
    rules = definitions / "node_exporter_prometheus_rule.py"
    second = (int(time.time()) - 10) * 1_000_000_000
    os.utime(rules, ns=(second + 1000, second + 1000))
    watcher = Watcher(definitions, out)
    try:
        assert watcher.build_finished()[-1].startswith("obsgen: ")
        # a save of the same size within the same second: Python's bytecode check alone would run the old code
        _save(rules, rules.read_text().replace('for_="1h"', 'for_="2h"', 1), mtime_ns=second + 2000)
        said = watcher.build_finished()
        assert said[0] == f"changed: {rules}" and f"  wrote {out}/{RULES}" in said
        assert "for: 2h" in (out / RULES).read_text()

        _save(definitions / "timings.py", 'FOR = "5m"\n')
        watcher.build_finished()
        _save(definitions / "extra.py", EXTRA)
        said = watcher.build_finished()
        assert f"  wrote {out}/prometheus/rules/ruleset-extra.yml" in said
        _save(definitions / "timings.py", 'FOR = "7m"\n')  # extra.py, unchanged, imports it: it runs again
        watcher.build_finished()
        assert "for: 7m" in (out / "prometheus/rules/ruleset-extra.yml").read_text()
        before = _files(out)

        # a syntax error, its temporary file there alone longer than a look (CI x123 saw it alone for 2 ms): the
        # editor's file is no save, and the one build is the rename's
        _save(definitions / "extra.py", EXTRA.replace("groups=(", "groups=((", 1), pause=0.5)
        said = watcher.build_finished()
        assert any(line.startswith(f"error: {definitions}/extra.py:") for line in said), said
        assert said[-1].endswith(f"{out}/ left as it was") and _files(out) == before

        _save(definitions / "extra.py", EXTRA.replace("for_=FOR", 'for_="10m"'))
        watcher.build_finished()
        assert "for: 10m" in (out / "prometheus/rules/ruleset-extra.yml").read_text()
        (definitions / "extra.py").unlink()
        said = watcher.build_finished()
        assert f"  removed {out}/prometheus/rules/ruleset-extra.yml" in said
        _save(rules, rules.read_text().replace('for_="2h"', 'for_="3h"', 1))
        watcher.build_finished()
    finally:
        code = watcher.stop()
    assert code == 0
    build(definitions, tmp_path / "full")
    assert _files(out) == _files(tmp_path / "full")
    assert "for: 3h" in (out / RULES).read_text()
    assert not (tmp_path / ".out.spare").exists()  # the tree each rebuild kept to make the next in goes with it


def test_ctrl_c_or_sigterm_at_any_moment_of_a_rebuild_ends_the_watch_with_0_and_out_whole(tmp_path: Path) -> None:
    definitions = node_exporter_project(tmp_path, kubernetes=True)
    rules = definitions / "node_exporter_prometheus_rule.py"
    moments = ((0.0, signal.SIGINT), (0.02, signal.SIGINT), (0.05, signal.SIGTERM), (0.1, signal.SIGINT))
    for hours, (delay, signum) in enumerate(moments, start=1):  # before, early in and late in the rebuild
        out = tmp_path / f"out-{hours}"
        watcher = Watcher(definitions, out)
        watcher.build_finished()
        build(definitions, tmp_path / f"before-{hours}")
        _save(rules, rules.read_text().replace(f'for_="{hours}h"', f'for_="{hours + 1}h"', 1))
        time.sleep(delay)
        assert watcher.stop(signum) == 0, f"{signal.Signals(signum).name} {delay} s after a save"
        build(definitions, tmp_path / f"after-{hours}")
        assert _files(out) in (_files(tmp_path / f"before-{hours}"), _files(tmp_path / f"after-{hours}"))


def test_an_editors_own_files_are_no_save(tmp_path: Path) -> None:
    """vim's swap file (rewritten as one types), an editor's temporary save, emacs' lock and autosave, a backup and
    vim's directory probe change nothing a build reads; a module and a file it may read beside it do."""
    from generator.cli.watch import snapshot

    names = [".rules.py.swp", ".#rules.py", "#rules.py#", "rules.py~", "4913", "rules.py", "panels.json"]
    for name in names:
        (tmp_path / name).write_text("x")
    assert sorted(Path(path).name for path in snapshot(tmp_path)) == ["panels.json", "rules.py"]
