"""docs/live-stack.md's acknowledgement drill says when CpuHigh fires after its fault as `obsgen latency` bounds it
for the live stack: it said "fires at 5 s", and an on-call engineer trying it (`obsgen up` on a shared machine)
watched CpuHigh pending at 28 s and firing at 51 s, with no page, and wondered whether the ack had eaten it."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from generator.cli.app import app

ROOT = Path(__file__).resolve().parents[2]


def test_the_drill_says_when_cpu_high_fires_as_obsgen_latency_bounds_it_at_60x() -> None:
    doc = (ROOT / "docs/live-stack.md").read_text()
    said = re.search(r"# CpuHigh fires within (\d+) s, climbs to level 3 a minute later", doc)
    assert said, "the drill's fault line says when CpuHigh fires"
    assert f"\n{said[1]} s is `obsgen latency --time-scale 60 --scrape-interval 1s`'s `detect` for CpuHigh" in doc
    result = CliRunner().invoke(app, ["latency", "--definitions", str(ROOT / "definitions"), "--time-scale", "60",
                                      "--scrape-interval", "1s"])
    lines = [line.split() for line in result.stdout.splitlines()]
    header, *rows = [words for words in lines if words[:1] in (["alert"], ["CpuHigh"])]
    assert rows and header[0] == "alert", result.stdout
    assert rows[0][header.index("detect")] == said[1]
