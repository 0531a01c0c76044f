"""`obsgen up` brings the whole stack up and prints its URLs; `obsgen down` leaves no process behind."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests

from generator.live.supervisor import Supervisor, alive

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ("prometheus", "alertmanager", "node-exporter", "demo app", "simulated host", "webhook sink", "smtp sink",
              "dashboards")


def _obsgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of running (not zombie) processes that mention text."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError, IndexError):
            continue
        if text in cmdline and state != "Z":
            found.append(cmdline)
    return found


def test_up_prints_every_url_and_down_leaves_no_process_behind(tmp_path: Path) -> None:
    state = tmp_path / "live"
    started = _obsgen("up", "--state-dir", str(state), "--free-ports")
    assert started.returncode == 0, started.stdout + started.stderr
    print(started.stdout)
    seconds = float(re.search(r"up in ([\d.]+) s", started.stdout)[1])  # type: ignore[index]
    assert seconds < 60
    for component in COMPONENTS:
        assert f"  {component} " in started.stdout
    for url in re.findall(r"(http://127\.0\.0\.1:\d+\S*)", started.stdout):
        assert requests.get(url.split("/faults")[0], timeout=5).status_code in (200, 404), url
    dashboards = re.search(r"  dashboards +(http://\S+)/ ", started.stdout)[1]  # type: ignore[index]
    page = requests.get(f"{dashboards}/d/development", timeout=30)
    assert page.status_code == 200 and '"live":{"path":"/ws/development"}' in page.text
    processes = Supervisor.load(state).processes
    assert len(processes) >= 6 and all(alive(p) for p in processes)

    stopped = _obsgen("down", "--state-dir", str(state))
    assert stopped.returncode == 0, stopped.stderr
    assert not [p for p in processes if alive(p)]
    assert _processes_mentioning(str(state)) == []
    assert _obsgen("down", "--state-dir", str(state)).stdout.startswith("obsgen: nothing recorded")
