"""A watching build writes an alert over every scrape job (EveryJobAbsent, JobMissing's) over the jobs of each
rebuild: a ScrapeJob saved in another module, which does not run the alert's module again, is asked about, and a
removed one no longer is (rev53b: the module keeping the alert is reused as it ran)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.load.loader import load
from generator.load.warm import WarmModules
from generator.model import Alert
from tests.conftest import ROOT

WATCHED = '''
from generator.model import Alert, EveryJobAbsent
from ._alert import VALID

JOB_MISSING = Alert(**{**VALID, "name": "JobMissing", "expr": "", "when": EveryJobAbsent()})
'''
PAYMENTS = '''
from generator.model import ScrapeJob, Source

PAYMENTS = ScrapeJob(name="payments", source=Source.APPLICATION, targets=("payments:8080",))
'''


def _save(path: Path, text: str, stamp: int) -> None:
    path.write_text(text)
    os.utime(path, ns=(stamp, stamp))  # each save a new modification time, as an editor's


def _job_missing(definitions: Path, warm: WarmModules) -> str:
    loaded = load(definitions, warm)
    assert loaded.project is not None, loaded.problems
    alert = loaded.project.alerts["JobMissing"]
    assert isinstance(alert, Alert)
    return alert.expr


def test_a_scrape_job_saved_in_another_module_is_asked_about_on_the_next_rebuild(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(ROOT / "tests/checks/base", definitions)
    _save(definitions / "watched.py", WATCHED, 1_700_000_000_000_000_000)
    warm = WarmModules()
    assert 'absent(up{job="payments"})' not in _job_missing(definitions, warm)
    _save(definitions / "payments.py", PAYMENTS, 1_700_000_001_000_000_000)
    assert 'absent(up{job="payments"})' in _job_missing(definitions, warm)
    (definitions / "payments.py").unlink()
    assert 'absent(up{job="payments"})' not in _job_missing(definitions, warm)


def test_one_predicate_says_which_objects_are_over_every_job() -> None:
    from generator.derive.job_missing import derived, over_every_job
    from generator.model import EveryJobAbsent, ScrapeJob, Source
    from tests.checks.base._alert import VALID

    every = Alert(**{**VALID, "name": "JobMissing", "expr": "", "when": EveryJobAbsent()})
    plain = Alert(**VALID)
    job = ScrapeJob(name="payments", source=Source.APPLICATION, targets=("payments:8080",))
    assert [over_every_job(obj) for obj in (every, plain, job, "text")] == [True, False, False, False]
    kept, refused = derived([plain, every])
    assert (kept, refused) == ([plain], [every])
    written, none = derived([plain, every, job])
    assert none == [] and written[0] is plain
    assert isinstance(written[1], Alert) and written[1].expr == 'absent(up{job="payments"})'
