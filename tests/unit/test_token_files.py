"""A token file is read with a bound and only when it is a regular file: `apply --prometheus-token-file /dev/zero`
is one error line, not a read until the memory runs out."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from generator.apply.http import TOKEN_BYTES, Credentials

ROOT = Path(__file__).resolve().parents[2]
MEMORY = 2 * 2**30


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def test_apply_with_a_token_file_that_is_a_device_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "token").symlink_to("/dev/zero")
    (tmp_path / "served").mkdir()

    result = subprocess.run(
        [sys.executable, "-m", "generator", "apply", "--out", str(ROOT / "out"), "--dry-run",
         "--prometheus-url", "http://127.0.0.1:9", "--prometheus-dir", str(tmp_path / "served"),
         "--prometheus-token-file", str(tmp_path / "token")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, preexec_fn=_limited,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"})

    assert result.returncode == 2, result.stderr  # apply's exit status for a configuration it cannot use
    assert result.stderr == (f"error: prometheus token file {tmp_path / 'token'}: it is a character device, not a "
                             "regular file\n")


def test_a_fifo_token_file_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "token")

    with pytest.raises(ValueError, match="it is a FIFO, not a regular file"):
        Credentials.load("GRAFANA", tmp_path / "token")


def test_a_token_file_over_the_bound_is_refused(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("x" * (TOKEN_BYTES + 1))

    with pytest.raises(ValueError, match=r"is over the limit of 0\.0625 MiB"):
        Credentials.load("GRAFANA", tmp_path / "token")


def test_a_token_file_is_read_and_stripped(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("glsa_abc\n")

    assert Credentials.load("GRAFANA", tmp_path / "token").token == "glsa_abc"
