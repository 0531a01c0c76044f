"""A panel `obsgen diff --images` outlines as changed, whose query Prometheus refused: its "changed" badge and its
error mark both show, side by side in the header, neither drawn over the other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.preview.browser import Chromium
from generator.preview.page import PAGE_WIDTH, html
from generator.preview.source import DashboardFile

TITLE = "Checkout latency by service and region, 95th percentile over five minutes"
"""Longer than a third of the page: the title must give way (ellipsis), not the marks."""
MARKS = """[...document.querySelectorAll('.panel')].map((panel) => {
  const box = (element) => { const r = element.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const onTop = (element) => { const r = element.getBoundingClientRect();
    return document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2) === element; };
  const problem = panel.querySelector('.problem');
  const badge = [...panel.querySelectorAll('*')].find((e) => e.textContent === 'changed' && !e.children.length);
  return {problemOnTop: problem ? onTop(problem) : null, badgeOnTop: badge ? onTop(badge) : null,
          problem: problem ? box(problem) : null, badge: badge ? box(badge) : null, panel: box(panel),
          title: box(panel.querySelector('h2'))};
})"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_changed_panels_badge_and_its_error_mark_are_both_legible(browser: Chromium, tmp_path: Path) -> None:
    panels = [{"type": "timeseries", "id": number, "title": TITLE, "gridPos": {"x": 8 * number, "y": 0, "w": 8, "h": 6},
               "targets": [{"refId": "A", "expr": "x"}]} for number in range(3)]
    dashboard = DashboardFile(Path("d.json"), "Tests", {"uid": "d", "title": "D", "panels": panels})
    refused: dict[str, Any] = {"time": [], "series": [], "errors": ['A: 1:2: parse error: unexpected "}"']}
    data = {"0": refused, "1": refused, "2": {"time": [], "series": [], "errors": []}}
    page = tmp_path / "d.html"
    page.write_text(html(dashboard, data, {0, 2}))  # 0 changed and refused, 1 refused, 2 changed
    tab = browser.tab()
    tab.load(page.as_uri(), PAGE_WIDTH)
    (tmp_path / "d.png").write_bytes(tab.screenshot())
    both, refused_only, changed_only = tab.evaluate(MARKS)
    assert both["problemOnTop"] is True, f"the error mark is covered ({tmp_path / 'd.png'})"
    assert both["badgeOnTop"] is True and not _overlap(both["problem"], both["badge"])
    assert both["problem"][2] <= both["badge"][0]  # the error mark, then the badge at the header's right end
    for shown in (both, refused_only, changed_only):
        marks = [mark for mark in (shown["problem"], shown["badge"]) if mark]
        assert all(not _overlap(shown["title"], mark) for mark in marks)
        assert all(shown["panel"][0] <= mark[0] and mark[2] <= shown["panel"][2] - 8 for mark in marks)
    assert refused_only["problemOnTop"] is True and refused_only["badge"] is None
    assert changed_only["badgeOnTop"] is True and changed_only["problem"] is None
