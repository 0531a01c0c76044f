"""`obsgen diff --images`' report of its pictures: where their data came from and when, in markdown and text, which
files were drawn, and which parts of a picture did not draw."""

from __future__ import annotations

from pathlib import Path

from generator.analysis.diff.changes import Change, FieldChange
from generator.analysis.diff.compare import DiffReport, Drawing, Failure, Picture
from generator.analysis.diff.files import TouchedFiles
from generator.analysis.diff.render import markdown, text
from tests.conftest import DEMO_NOW

DASHBOARD = "grafana/dashboards/Business/executive.json"
EXECUTIVE = Picture("Executive", Path("images/before/Business/executive.png"),
                    Path("images/after/Business/executive.png"))
ADDED = Picture("Checkout", None, Path("images/after/Business/checkout.png"))


def _report(drawing: Drawing | None) -> DiffReport:
    change = Change("panels", "changed", "Executive / Revenue Trend", DASHBOARD,
                    (FieldChange("query B", "sum(x)", "max(x)"),))
    return DiffReport("HEAD~1", "HEAD", (change,), TouchedFiles((), (), (DASHBOARD,)), drawing)


def _section(markdown_text: str) -> str:
    return markdown_text.split("#### Dashboards before and after\n\n")[1].split("<details>")[0]


def test_markdown_says_the_pictures_show_demo_history_and_when_they_end() -> None:
    section = _section(markdown(_report(Drawing((EXECUTIVE, ADDED), "", DEMO_NOW + 0.75, until_given=False))))
    assert section.startswith(
        "Data from demo history (synthetic, made by obsgen in a temporary Prometheus: not your systems' data); "
        "each dashboard over its own time range ending 2026-01-01 00:00:00 UTC (when drawn). "
        "Changed panels are outlined.\n\n**Executive**\n\n")
    assert section.count("Data from") == 1  # one line for the report, not one per picture
    assert "**Checkout**\n\n![Checkout after](images/after/Business/checkout.png)\n" in section
    assert "incomplete" not in section.lower() and "[!WARNING]" not in section


def test_markdown_names_the_users_prometheus_and_the_time_at_gave() -> None:
    drawing = Drawing((EXECUTIVE,), "https://prometheus.example.com/prom", DEMO_NOW, until_given=True)
    assert _section(markdown(_report(drawing))).startswith(
        "Data from Prometheus at `https://prometheus.example.com/prom`; each dashboard over its own time range ending "
        "2026-01-01 00:00:00 UTC (set by --at). Changed panels are outlined.\n\n**Executive**\n\n"
        "![Executive before](images/before/Business/executive.png) "
        "![Executive after](images/after/Business/executive.png)\n")


def test_text_lists_each_picture_drawn_under_where_its_data_came_from() -> None:
    drawing = Drawing((EXECUTIVE, ADDED), "http://127.0.0.1:9090", DEMO_NOW, until_given=True)
    output = text(_report(drawing))
    assert output.split("\n\nfiles\n")[0].split("\n\n")[-1] == (
        "pictures: data from Prometheus at http://127.0.0.1:9090; each dashboard over its own time range ending "
        "2026-01-01 00:00:00 UTC (set by --at)\n"
        "  Executive\n"
        "      before: images/before/Business/executive.png\n"
        "      after: images/after/Business/executive.png\n"
        "  Checkout\n"
        "      after: images/after/Business/checkout.png")


def test_no_picture_no_pictures_section() -> None:
    for drawing in (None, Drawing((), "", DEMO_NOW, until_given=False)):  # no --images; no dashboard changed
        report = _report(drawing)
        assert "pictures" not in text(report) and "Dashboards before and after" not in markdown(report)


def test_an_incomplete_picture_is_flagged_with_what_did_not_draw_in_both_formats() -> None:
    long_error = "1:5: parse error: unexpected " + "x" * 400
    failures = (Failure("after, panel 'Revenue Trend', query B", 'unknown function with name "sort_by_label"'),
                Failure("after, panel 'Orders', query A", long_error),
                Failure("before, browser console", "TypeError: `series` is\nundefined"))
    broken = Picture("Executive", EXECUTIVE.before, EXECUTIVE.after, failures)
    report = _report(Drawing((broken, ADDED), "", DEMO_NOW, until_given=False))
    section = _section(markdown(report))
    assert ("Changed panels are outlined.\n\n> [!WARNING]\n> **1 of 2 dashboards drawn incompletely**: see the "
            "parts not drawn under each.\n\n**Executive** (incomplete)\n\n") in section
    cut = "1:5: parse error: unexpected " + "x" * (300 - 1 - len("1:5: parse error: unexpected ")) + "…"
    assert ("![Executive after](images/after/Business/executive.png)\n\n"
            "> Not drawn, so missing from the pictures:\n"
            "> - after, panel 'Revenue Trend', query B: `unknown function with name \"sort_by_label\"`\n"
            f"> - after, panel 'Orders', query A: `{cut}`\n"
            "> - before, browser console: `` TypeError: `series` is undefined ``\n\n**Checkout**\n") in section
    assert "**Checkout**\n\n![Checkout after](images/after/Business/checkout.png)\n\n" in section  # complete
    listed = text(report).split("\n  Checkout\n")[0].split("\n  Executive")[1]
    assert listed == (
        "  INCOMPLETE: 3 not drawn\n"
        "      before: images/before/Business/executive.png\n"
        "      after: images/after/Business/executive.png\n"
        "      ! after, panel 'Revenue Trend', query B: unknown function with name \"sort_by_label\"\n"
        f"      ! after, panel 'Orders', query A: {long_error}\n"
        "      ! before, browser console: TypeError: `series` is undefined")
