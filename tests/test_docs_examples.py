"""Every Python example of README.md and docs/ runs, inside a project `obsgen init` wrote, so the docs cannot rot.

A block that starts with `# definitions/<module>.py` is that module: the page's modules are written into the
project, which must then load, build and pass `obsgen check` (promtool and amtool on what it wrote), as the README
promises a newcomer who drops them in. Every other block runs as Python, the page's blocks in order in one
namespace (the configuration guide's blocks use the objects of the blocks before), with the project as working
directory.
The configuration guide's blocks are also one project on their own: written in order into one definitions module,
they build and pass `obsgen check`, and every warning that build prints is one the guide explains.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build
from generator.scaffold import create

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
MODULE = re.compile(r"^# (definitions/\w+\.py)\n")


def _blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text())


def test_the_docs_hold_python_examples() -> None:
    counts = {str(page.relative_to(ROOT)): len(_blocks(page)) for page in PAGES}
    assert counts["README.md"] >= 4 and counts["docs/configuration.md"] >= 10, counts


def _warnings(definitions: Path, out: Path) -> set[str]:
    compiled, _ = build(definitions, out)
    return {problem.message for problem in compiled.report.problems}


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: p.name)
def test_every_python_example_runs_in_an_init_project(page: Path, tmp_path: Path,
                                                      tmp_path_factory: pytest.TempPathFactory,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    create(tmp_path, "docs")
    monkeypatch.chdir(tmp_path)
    modules = [block for block in _blocks(page) if MODULE.match(block)]
    for block in modules:
        (tmp_path / MODULE.match(block).group(1)).write_text(block)  # type: ignore[union-attr]
    namespace: dict[str, object] = {"__name__": f"docs_example_{page.stem}"}
    handlers, level = list(logging.root.handlers), logging.root.level  # an example may configure logging
    try:
        for index, block in enumerate(block for block in _blocks(page) if not MODULE.match(block)):
            exec(compile(block, f"{page.name} python example {index + 1}", "exec"), namespace)
    finally:
        logging.root.handlers[:], logging.root.level = handlers, level
    if modules:
        # the examples show what to write: they add no warning to those of the project obsgen init wrote
        bare = tmp_path_factory.mktemp("bare")
        create(bare, "docs")
        assert _warnings(tmp_path / "definitions", tmp_path / "out") - _warnings(bare / "definitions",
                                                                                  bare / "out") == set()
        assert (tmp_path / "out/prometheus/prometheus.yml").is_file()
        checked = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=tmp_path, capture_output=True,
                                 text=True, timeout=300)
        assert checked.returncode == 0 and "obsgen check: 0 failed" in checked.stdout, checked.stdout
    assert os.getcwd() == str(tmp_path)


def test_the_configuration_guide_is_one_project_that_builds_and_checks(tmp_path: Path) -> None:
    """The guide's examples refer to each other (a metric defined in one section is read in the next), so taken
    together, as the guide's order writes them, they are a project: it builds, its promtool tests and amtool routes
    pass, and each warning the build prints is one the guide names (links its check's page) where it explains it."""
    guide = (ROOT / "docs/configuration.md").read_text()
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions/__init__.py").write_text('"""The configuration guide\'s examples."""\n')
    (tmp_path / "definitions/guide.py").write_text("\n".join(_blocks(ROOT / "docs/configuration.md")))
    built = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    codes = re.findall(r"^warning: .* \[(\w+)\]$", built.stderr, re.MULTILINE)
    assert codes and sorted({code for code in codes if f"(checks/{code}.md)" not in guide}) == [], built.stderr
    checked = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=300)
    assert checked.returncode == 0 and "obsgen check: 0 failed" in checked.stdout, checked.stdout + checked.stderr


def test_the_readme_error_example_is_what_the_build_prints(tmp_path: Path) -> None:
    """The README shows the error a typo in its checkout module gives: that module with that typo prints that line,
    at the line of the field at fault."""
    readme = (ROOT / "README.md").read_text()
    shown = re.search(r"^error: (definitions/\w+\.py):\d+: unknown \w+ '(\w+)'; did you mean '(\w+)'\? \[\w+\]$",
                      readme, re.MULTILINE)
    assert shown is not None
    module, typo, meant = shown.groups()
    create(tmp_path, "docs")
    for block in _blocks(ROOT / "README.md"):
        if (name := MODULE.match(block)) is not None:
            text = block.replace(f'"{meant}"', f'"{typo}"', 1) if name.group(1) == module else block
            (tmp_path / name.group(1)).write_text(text)
    built = subprocess.run([sys.executable, "-m", "generator", "build", "--quiet"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 1 and built.stderr.splitlines() == [shown.group(0)], built.stderr
