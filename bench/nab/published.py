"""Published detectors' NAB scores on the files the bench scores, from NAB's own results.

NAB's repository keeps, per detector, each file's raw score under each profile at the threshold NAB tuned on
all of its 58 files (``results/<detector>/<detector>_<profile>_scores.csv``: Detector, Profile, File,
Threshold, Score, ...): in-sample for every file. Normalised over the bench's files as its own figures are
(summed raw, null and perfect, as NAB's scoreboard normalises its corpus), they are the reference the issue
names, "the best published detectors", on this corpus.

``published_scores.csv`` beside this module holds those rows for the 24 files of realAWSCloudwatch and
realKnownCause, with the NAB commit each detector's file was read at: for each, a version whose 58-file total
gives the figure of NAB's ``results/final_results.json`` (normalised with NAB's null -116, or -232 for
reward_low_FN_rate, and perfect 116). bayesChangePt is not in that scoreboard (its rows are the one version
stored); random is left out (only its results on NAB's older 32-file corpus were found), and so is Fixed10
(about 98.5 here: it flags nearly every row of every window, which no streaming detector can).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from generator.exporter.nab import NabScore
from nab.corpus import Corpus
from nab.evaluation import profile_score, total

COMMITTED = Path(__file__).with_name("published_scores.csv")
"""NAB's published raw scores of the bench's 24 files, every detector and profile (see the module doc)."""


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


def published_table(
    corpus: Corpus, published: Mapping[str, Mapping[str, float]], profile: str = "standard"
) -> dict[str, dict[str, float | None]]:
    """Detector -> group (each of the corpus' groups, then "overall") -> its normalised published score.

    Null and perfect are each file's score without any detection under ``profile``: they depend on the
    windows and the profile only."""
    weights = corpus.profiles[profile]
    empty = {s.name: profile_score(s, np.zeros(s.values.size, dtype=np.bool_), weights) for s in corpus.series}
    groups = {group: {s.name: empty[s.name] for s in corpus.series if group in ("overall", s.group)}
              for group in [*corpus.groups, "overall"]}
    return {detector: {group: normalised(raw, files) for group, files in groups.items()}
            for detector, raw in sorted(published.items(), key=lambda item: item[0].lower())}
