"""`obsgen import` reads within bounds (size, aliases, nesting) and is transactional under kill -9."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from generator.build import load
from generator.core.errors import DefinitionError
from generator.importer import reading
from generator.importer.write import import_files
from tests.importer.conftest import ROOT, base_definitions, loaded_strings

KUBE_PROMETHEUS = sorted((ROOT / "tests/gitops/fixtures/kube-prometheus").glob("*-prometheusRule.yaml"))
ALIAS_BOMB = "".join(f'{name}: &{name} [{", ".join([f"*{previous}"] * 9)}]\n'
                     for previous, name in zip("abcdefgh", "bcdefghi", strict=True))
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + ALIAS_BOMB


def obsgen_import(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "import", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def rule_file(annotation: str) -> dict[str, object]:
    return {"groups": [{"name": "big", "rules": [{"alert": "Big", "expr": "vector(1) > 0",
                                                   "annotations": {"description": annotation}}]}]}


def test_a_4_mib_string_is_imported_whole(tmp_path: Path, definitions: Path) -> None:
    text = "x" * (4 * 2**20)
    source = tmp_path / "big.yaml"
    source.write_text(yaml.safe_dump(rule_file(text), width=2**30))

    import_files([source], definitions)

    assert text in loaded_strings(definitions)


@pytest.mark.parametrize(("name", "content", "line", "message"), [
    ("bomb.yaml", ALIAS_BOMB, 6, "aliases here expand to more than 100000 values, more than the file writes (*e "
                                 "alone is 66430): an alias bomb?"),
    ("deep.yaml", "[" * 100_000 + "]" * 100_000, 1, "nested deeper than 64 levels"),
    ("deep.json", "[\n" * 100_000 + "]" * 100_000, 65, "nested deeper than 64 levels"),
    ("hidden.yaml", 'a: "' + "]" * 1000 + '"\nb: ' + "[" * 100_000, 2, "nested deeper than 64 levels"),
    ("quoted.yaml", '["]", ' * 50_000 + "1" + "]" * 50_000, 1, "nested deeper than 64 levels"),
    ("quoted.json", '["\\"]", ' * 50_000 + "1" + "]" * 50_000, 1, "nested deeper than 64 levels"),
    ("broken.yaml", "groups:\n- name: g\n  rules: [\n", 4, "while parsing a flow node: did not find expected node"),
    ("broken.json", '{"title": "x",\n "panels": [}', 2, "Expecting value: line 2 column 13"),
    ("big.yaml", "# " + "x" * 2**20, 0, "over the import limit of 0.5 MiB (raise it with --max-size)"),
    ("latin1.yaml", "groups:\n- name: caf\xe9\n  rules: []\n", 2, "not UTF-8 text (invalid continuation byte: "
                                                                   "byte 0xe9)"),
    ("latin1.json", '{"title": "x",\n "uid": "caf\xe9"}', 2, "not UTF-8 text"),
    ("nul.yaml", "groups:\n- name: caf\u00e9\n  rules: []\n# \x00\n", 4, "unacceptable character #x0000"),
], ids=["alias bomb", "deep YAML", "deep JSON", "closers before openers", "quoted closers between openers",
        "escaped quotes between JSON openers", "YAML syntax error", "JSON syntax error", "over the size limit",
        "not UTF-8", "JSON not UTF-8", "NUL in YAML"])
def test_unreadable_input_is_one_error_line(tmp_path: Path, name: str, content: str, line: int, message: str) -> None:
    definitions = base_definitions(tmp_path)
    before = sorted(definitions.iterdir())
    source = tmp_path / name
    source.write_bytes(content.encode("latin-1" if name.startswith("latin1") else "utf-8"))

    result = obsgen_import(str(source), "--max-size", "0.5", cwd=tmp_path)

    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    where = f"{name}:{line}" if line else name  # line 0: the file as a whole
    assert result.stderr.startswith(f"error: {where}: cannot import: "), result.stderr
    assert message in result.stderr
    assert sorted(definitions.iterdir()) == before


def test_the_size_limit_is_raised_by_the_flag(tmp_path: Path) -> None:
    base_definitions(tmp_path)
    source = tmp_path / "padded.yaml"
    source.write_text("# " + "x" * 2**20 + "\n" + yaml.safe_dump(rule_file("padded")))

    result = obsgen_import(str(source), "--max-size", "2", cwd=tmp_path)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["../escaped", "sub/module", "x.y", "Upper", "_private", ""])
def test_a_module_name_that_could_leave_definitions_is_refused(tmp_path: Path, module: str) -> None:
    base_definitions(tmp_path)
    source = tmp_path / "rules.yaml"
    source.write_text(yaml.safe_dump(rule_file("plain")))

    result = obsgen_import(str(source), "--module", module, cwd=tmp_path) if module else None

    if result is not None:
        assert result.returncode != 0 and "is not lower_snake_case" in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*.py")) == ["__init__.py", "_alert.py", "stack.py"]


def _import_kube_prometheus(definitions: Path) -> None:
    import_files(KUBE_PROMETHEUS, definitions)


def test_a_kill_at_any_moment_leaves_definitions_as_they_were_or_complete(tmp_path: Path) -> None:
    definitions = base_definitions(tmp_path)
    before = {p.name: p.read_bytes() for p in definitions.glob("*.py")}
    started = time.perf_counter()
    import_files(KUBE_PROMETHEUS, definitions)
    duration = time.perf_counter() - started
    complete = {p.name: p.read_bytes() for p in definitions.glob("*.py")}
    fork = multiprocessing.get_context("fork")
    rng = random.Random(14)
    seen = []
    for _ in range(12):
        for extra in set(complete) - set(before):
            (definitions / extra).unlink(missing_ok=True)
        child = fork.Process(target=_import_kube_prometheus, args=(definitions,))
        child.start()
        time.sleep(rng.uniform(0, duration * 1.2))
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join()
        found = {p.name: p.read_bytes() for p in definitions.glob("*.py")}
        seen.append("old" if found == before else "complete" if found == complete else "partial")
        load(definitions)

    assert "partial" not in seen, seen


def test_the_files_of_one_import_are_bounded_together_naming_the_file_that_passes_the_bound(tmp_path: Path) -> None:
    # Each file within --max-size, but a directory of 1,000 of them was read whole: 16 GiB held at once.
    definitions = base_definitions(tmp_path)
    before = sorted(definitions.iterdir())
    sources = tmp_path / "many"
    sources.mkdir()
    for index in range(4):
        (sources / f"rules{index}.yaml").write_text(f"# {'x' * 400_000}\n" + yaml.safe_dump(rule_file(str(index))))

    result = obsgen_import(*sorted(str(p) for p in sources.iterdir()), "--max-size", "0.5", "--max-total", "1",
                           cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr == ("error: many/rules2.yaml: cannot import: with this file the import reads "
                             "more than its limit of 1 MiB for all its files together (raise it with --max-total, or "
                             "import fewer files at a time)\n")
    assert sorted(definitions.iterdir()) == before
    raised = obsgen_import(*sorted(str(p) for p in sources.iterdir()), "--max-size", "0.5", "--max-total", "2",
                           cwd=tmp_path)
    assert raised.returncode == 0, raised.stderr


def test_the_objects_of_one_import_are_bounded_together(tmp_path: Path, definitions: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_TOTAL_OBJECTS", 25)  # 40,000 objects are minutes of converting
    panels = [{"type": "text", "title": f"t{i}", "options": {"content": "x"}} for i in range(9)]
    paths = []
    for index in range(3):  # 10 objects each: the dashboard and its panels
        paths.append(tmp_path / f"d{index}.json")
        paths[-1].write_text(json.dumps({"title": f"D{index}", "panels": panels}))
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [
        {"record": f"r:{i}", "expr": "vector(1)"} for i in range(6)]}]}))

    with pytest.raises(DefinitionError, match=r"d2.json: cannot import: with this file's 10 dashboards, variables, "
                                              r"panels and queries the import holds more than the 25 "):
        import_files(paths, definitions)
    with pytest.raises(DefinitionError, match=r"rules.yaml: cannot import: with this file's 6 rules the import "):
        import_files([*paths[:2], rules], definitions)
    assert import_files(paths[:2], definitions).dashboards == 2  # 20 objects: within


def test_the_import_help_names_both_bounds_of_all_files_together() -> None:
    shown = subprocess.run([sys.executable, "-m", "generator", "import", "--help"], capture_output=True, text=True,
                           timeout=60, env={**os.environ, "COLUMNS": "200"}).stdout
    assert "--max-total" in shown and "Most read from all the files together, in MiB" in shown
    assert f"{reading.MAX_TOTAL_OBJECTS:,} rules" in shown
