"""A runbook page is read by a person, where no alert fills a Go template: its "What to do" shows `<job>` for
`{{ $labels.job }}` as its description does. JobDown's said `up{job="{{ $labels.job }}"}`, which an on-call engineer
pasting it into Prometheus gets a parse error for."""

from __future__ import annotations

from generator.model import conventions
from generator.model.project import Project
from generator.targets import docs, loki


def test_no_runbook_page_shows_an_unfilled_go_template(project: Project) -> None:
    pages = {**docs.render(project), **loki.runbooks(project)}
    assert [name for name, page in pages.items() if "{{" in page] == []
    job_down = pages[conventions.runbook_page("JobDown")]
    assert "Check the job's targets on Prometheus' Targets page (`up{job=\"<job>\"}`)." in job_down
