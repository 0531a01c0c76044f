"""A pull request's bytecode never runs instead of its reviewed source.

An unchecked-hash .pyc (PEP 552) committed as generator/__pycache__/__init__.cpython-311.pyc is run by Python
without a look at generator/__init__.py, before any code of obsgen's runs. The Makefile refuses a checkout that
tracks bytecode (make build, make test and .ci/run all go through it), and the venv it makes reads bytecode only
from its own pycache (sys.pycache_prefix, through a .pth), so a .pyc lying in the tree untracked is not read either.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import marshal
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMIT = ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m"]


UNCOMPILED = """
import os, sys, sysconfig
import generator.build, generator.cli.entry
std = sysconfig.get_path("stdlib") + os.sep
print(*sorted(name for name, module in sys.modules.items() if (getattr(module, "__file__", None) or "").startswith(std)
              and getattr(module, "__cached__", None) and not os.path.exists(module.__cached__)))
"""
"""The standard library's modules a build imports whose bytecode is missing where the interpreter reads it."""


def _plant(tree: Path, marker: Path) -> Path:
    """An unchecked-hash .pyc of generator/__init__.py whose code writes `marker`, then does what the source does."""
    source = tree / "generator" / "__init__.py"
    cache = Path(importlib.util.cache_from_source(str(source), optimization=""))
    cache = source.parent / "__pycache__" / cache.name  # the tree's own, whatever this run's pycache_prefix
    cache.parent.mkdir(exist_ok=True)
    code = compile(f"open({str(marker)!r}, 'w').write('planted')\n" + source.read_text(), str(source), "exec")
    flags = (1).to_bytes(4, "little")  # hash-based, check_source unset: never compared with the source
    cache.write_bytes(importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(b"other") + marshal.dumps(code))
    return cache


def _project(tmp_path: Path) -> tuple[Path, Path]:
    """A checkout (Makefile, pyproject.toml, generator/) in git, and a venv of its own that make takes as installed:
    the test's Python with this venv's packages on its path."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(ROOT / "generator", tree / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    subprocess.run([*COMMIT, "reviewed"], cwd=tree, check=True)
    venv = tree / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                   "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "zz-test-packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    digest = subprocess.run("cat pyproject.toml | md5sum | cut -c1-12", shell=True, cwd=tree, check=True,
                            capture_output=True, text=True).stdout.strip()
    (venv / f".installed-{digest}").touch()
    obsgen = venv / "bin" / "obsgen"
    obsgen.write_text(f"#!{venv}/bin/python\nimport sys\n"
                      "from generator.cli.entry import program\nsys.exit(program())\n")
    obsgen.chmod(0o755)
    return tree, venv


def _environment(tree: Path) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPYCACHEPREFIX"}
    return {**environment, "PYTHONPATH": str(tree)}  # the copy's generator/, not the checkout's editable install


def test_make_refuses_a_checkout_that_tracks_bytecode(tmp_path: Path) -> None:
    tree, _ = _project(tmp_path)
    marker = tmp_path / "planted-ran"
    cache = _plant(tree, marker)
    subprocess.run(["git", "add", "-f", str(cache)], cwd=tree, check=True)
    subprocess.run([*COMMIT, "plant"], cwd=tree, check=True)
    made = subprocess.run(["make", "--no-print-directory", "build"], cwd=tree, env=_environment(tree),
                          capture_output=True, text=True, timeout=120)
    assert not marker.exists(), "make build ran the planted bytecode"
    assert made.returncode != 0
    assert "tracks bytecode" in made.stderr and "generator/__pycache__/__init__.cpython-311.pyc" in made.stderr
    assert "Traceback" not in made.stderr


def test_the_venv_never_reads_bytecode_from_the_tree(tmp_path: Path) -> None:
    tree, venv = _project(tmp_path)
    marker = tmp_path / "planted-ran"
    _plant(tree, marker)  # untracked: a tarball's, or one left by a checkout's earlier commit
    subprocess.run(["make", "--no-print-directory", "pycache-prefix"], cwd=tree, env=_environment(tree),
                   check=True, capture_output=True)
    # the interpreter no longer reads the standard library's own __pycache__ either: its bytecode is in the prefix
    # (else, under PYTHONDONTWRITEBYTECODE, which CI sets, every start compiles what obsgen imports from source)
    uncompiled = subprocess.run([str(venv / "bin" / "python"), "-c", UNCOMPILED], cwd=tree, capture_output=True,
                                env=_environment(tree) | {"PYTHONDONTWRITEBYTECODE": "1"}, text=True, timeout=60)
    assert uncompiled.returncode == 0 and uncompiled.stdout.split() == [], uncompiled.stdout + uncompiled.stderr
    for command in ([str(venv / "bin" / "python"), "-m", "generator", "--help"],
                    [str(venv / "bin" / "obsgen"), "--help"]):
        ran = subprocess.run(command, cwd=tree, env=_environment(tree), capture_output=True, text=True, timeout=60)
        assert not marker.exists(), f"{command[0]} ran the planted bytecode"
        assert ran.returncode == 0, ran.stderr


def _tracking(tmp_path: Path, planted: str) -> Path:
    """A checkout of the Makefile and pyproject.toml that tracks the planted file too."""
    tree = tmp_path / "tree"
    (tree / planted).parent.mkdir(parents=True)
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tree / name)
    (tree / planted).write_bytes(b"\x7fELF")
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    subprocess.run([*COMMIT, "plant"], cwd=tree, check=True)
    return tree


def test_make_refuses_a_checkout_that_tracks_an_extension_module(tmp_path: Path) -> None:
    # the importer tries entry.cpython-311-x86_64-linux-gnu.so before entry.py beside it: native code in its place
    planted = f"generator/cli/entry{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    tree = _tracking(tmp_path, planted)
    made = subprocess.run(["make", "--no-print-directory", "-n", "build"], cwd=tree, capture_output=True, text=True,
                          timeout=60)
    assert made.returncode != 0 and "tracks bytecode" in made.stderr and planted in made.stderr, made.stderr


def test_make_clean_alone_cleans_a_checkout_that_tracks_bytecode(tmp_path: Path) -> None:
    # it was refused as well, so the checkout could not be cleaned; it runs no Python
    tree = _tracking(tmp_path, "generator/__pycache__/__init__.cpython-311.pyc")
    cleaned = subprocess.run(["make", "--no-print-directory", "-n", "clean"], cwd=tree, capture_output=True,
                             text=True, timeout=60)
    assert cleaned.returncode == 0 and "rm -rf" in cleaned.stdout, cleaned.stderr
    both = subprocess.run(["make", "--no-print-directory", "-n", "clean", "build"], cwd=tree, capture_output=True,
                          text=True, timeout=60)
    assert both.returncode != 0 and "tracks bytecode" in both.stderr, both.stdout
