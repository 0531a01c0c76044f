"""Published detectors' NAB scores on the files the bench scores, from NAB's own results.

NAB's repository keeps, per detector, each file's raw score under each profile at the threshold NAB tuned on
all of its 58 files (``results/<detector>/<detector>_standard_scores.csv``: Detector, Profile, File, Threshold,
Score, ...): in-sample for every file. Normalised over the bench's files as its own figures are (summed raw,
null and perfect), they are the reference the issue names, "the best published detectors", on this corpus.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from generator.exporter.nab import NabScore
from nab.evaluation import total


def read_published(paths: Iterable[Path], profile: str = "standard") -> dict[str, dict[str, float]]:
    """Detector name -> file (``<group>/<name>.csv``) -> raw score under ``profile``."""
    found: dict[str, dict[str, float]] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("Profile") == profile and row.get("File"):
                    found.setdefault(row["Detector"], {})[row["File"]] = float(row["Score"])
    return found


def normalised(raw: Mapping[str, float], files: Mapping[str, NabScore]) -> float | None:
    """The published raw scores of ``files`` (name -> the bench's score of that file, for its null and perfect)
    normalised as a corpus; None unless every file has one."""
    if not files or any(name not in raw for name in files):
        return None
    return total(NabScore(raw[name], score.null, score.perfect, score.windows, 0, 0)
                 for name, score in files.items()).normalized
