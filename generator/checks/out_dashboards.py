"""The dashboards of an out/ as Grafana's file provider would load them: every grafana/dashboards/**/*.json a
regular file within a bound, JSON, the shape of a dashboard (dashboard_json.shape_problem), and no two with one uid.

`obsgen check` reads out/ as GitOps ships it, which a hand edit or a pull request may have changed after the build:
a file Grafana refuses must fail the check, as promtool and amtool fail the rest of out/."""

from __future__ import annotations

import json
from pathlib import Path

from generator.checks.lint.dashboard_json import shape_problem
from generator.checks.tools import Result
from generator.core.bounded_read import read_bounded
from generator.core.untrusted import ReadError, load_json
from generator.core.wording import counted

DASHBOARDS = "grafana/dashboards"
MAX_BYTES = 16 * 2**20
"""Largest dashboard file read: Grafana's own limit on a dashboard is far below, the largest shipped is 0.1 MiB."""
NAME = "grafana dashboards parse"


def _problem(path: Path) -> tuple[str, str]:
    """(why the file is not a dashboard Grafana loads or '', its uid)."""
    try:
        document = load_json(read_bounded(path, MAX_BYTES).decode("utf-8"))
    except OSError as error:
        return f"cannot read: {error.strerror or error}", ""
    except json.JSONDecodeError as error:
        return f"not JSON: line {error.lineno}: {error.msg}", ""
    except ReadError as error:  # nested too deep, a key written twice (apply refuses it too)
        return f"not read as written: line {error.line}: {error}", ""
    except ValueError as error:  # not a regular file, too large, not UTF-8
        return str(error), ""
    problem = shape_problem(document)
    return (f"not a Grafana dashboard: {problem}", "") if problem else ("", str(document.get("uid") or ""))


def check(out: Path) -> Result:
    """One result for every dashboard file of out/, listing each that Grafana would refuse."""
    root = out / DASHBOARDS
    files = sorted(path for path in root.rglob("*.json")) if root.is_dir() else []
    problems: list[str] = []
    owners: dict[str, Path] = {}
    for path in files:
        relative = path.relative_to(out).as_posix()
        problem, uid = _problem(path)
        if problem:
            problems.append(f"{relative}: {problem}")
        elif uid and uid in owners:
            problems.append(f"{relative}: uid {uid!r} is also {owners[uid].relative_to(out).as_posix()}'s: Grafana "
                            "loads only one of them")
        elif uid:
            owners[uid] = path
    return Result(f"{NAME} ({counted(len(files), 'file')})", not problems, "\n".join(problems))
