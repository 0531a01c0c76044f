"""bench/nab/published.py: NAB's published detectors normalised over the bench's 24 NAB files.

bench/nab/published_scores.csv holds, per detector and profile, the raw score NAB's repository publishes for
each file of realAWSCloudwatch and realKnownCause (results/<detector>/<detector>_<profile>_scores.csv). Scored
with the bench's own null and perfect per file (from ../shared/data/nab's windows), they give the table
below, which the report of issue 19 and the README quote: ARTime, the scoreboard's best at 74.9 on NAB's 58
files, is 67.3 on these 24.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from nab.corpus import Corpus  # bench/'s, on sys.path once _bench() ran

ROOT = Path(__file__).resolve().parents[2]

# detector -> profile -> (realAWSCloudwatch, realKnownCause, overall), NAB's thresholds (in-sample); NAB's null
# detector is committed for the standard profile only (it scores 0 under every profile by definition)
EXPECTED = {
    "ARTime": {
        "standard": (69.476, 63.879, 67.306),
        "reward_low_FP_rate": (58.958, 52.173, 56.327),
        "reward_low_FN_rate": (75.206, 70.656, 73.442),
    },
    "bayesChangePt": {
        "standard": (42.428, 1.450, 26.539),
        "reward_low_FP_rate": (13.522, 0.787, 8.584),
        "reward_low_FN_rate": (50.962, 22.905, 40.083),
    },
    "contextOSE": {
        "standard": (71.518, 41.755, 59.977),
        "reward_low_FP_rate": (67.651, 37.991, 56.150),
        "reward_low_FN_rate": (75.836, 49.378, 65.577),
    },
    "earthgeckoSkyline": {
        "standard": (58.117, 32.922, 48.347),
        "reward_low_FP_rate": (45.246, 27.697, 38.441),
        "reward_low_FN_rate": (64.300, 35.983, 53.320),
    },
    "expose": {
        "standard": (2.296, 13.526, 6.651),
        "reward_low_FP_rate": (2.797, 5.147, 3.708),
        "reward_low_FN_rate": (15.041, 21.797, 17.661),
    },
    "htmjava": {
        "standard": (66.075, 52.191, 60.691),
        "reward_low_FP_rate": (57.778, 40.116, 50.929),
        "reward_low_FN_rate": (70.716, 59.356, 66.311),
    },
    "knncad": {
        "standard": (60.692, 45.241, 54.700),
        "reward_low_FP_rate": (53.067, 27.941, 43.324),
        "reward_low_FN_rate": (64.906, 54.722, 60.957),
    },
    "null": {
        "standard": (0.000, 0.000, 0.000),
    },
    "numenta": {
        "standard": (73.419, 55.468, 66.459),
        "reward_low_FP_rate": (65.788, 49.271, 59.383),
        "reward_low_FN_rate": (76.724, 61.540, 70.836),
    },
    "numentaTM": {
        "standard": (69.598, 49.021, 61.619),
        "reward_low_FP_rate": (57.961, 32.648, 48.146),
        "reward_low_FN_rate": (74.176, 55.488, 66.930),
    },
    "randomCutForest": {
        "standard": (57.564, 43.079, 51.947),
        "reward_low_FP_rate": (44.901, 16.022, 33.703),
        "reward_low_FN_rate": (64.693, 47.827, 58.153),
    },
    "relativeEntropy": {
        "standard": (50.022, 49.932, 49.987),
        "reward_low_FP_rate": (43.964, 39.303, 42.157),
        "reward_low_FN_rate": (53.348, 56.095, 54.413),
    },
    "skyline": {
        "standard": (49.293, 10.133, 34.108),
        "reward_low_FP_rate": (42.229, 6.810, 28.495),
        "reward_low_FN_rate": (56.195, 12.018, 39.065),
    },
    "twitterADVec": {
        "standard": (38.481, 26.696, 33.911),
        "reward_low_FP_rate": (25.494, 21.464, 23.931),
        "reward_low_FN_rate": (45.654, 30.078, 39.614),
    },
    "windowedGaussian": {
        "standard": (31.240, 13.355, 24.305),
        "reward_low_FP_rate": (4.921, 9.860, 6.836),
        "reward_low_FN_rate": (41.938, 15.921, 31.850),
    },
}


def _bench() -> ModuleType:
    """bench/forecast_nab.py, which puts bench/ on sys.path for its nab package."""
    spec = importlib.util.spec_from_file_location("forecast_nab", ROOT / "bench" / "forecast_nab.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    _bench()
    from nab.corpus import DEFAULT_DATA, load_corpus

    if not DEFAULT_DATA.is_dir():  # a clone without the corpus beside it (CI's): the bench cannot run either
        pytest.skip(f"{DEFAULT_DATA}: the NAB corpus of ../shared/data/nab is not beside this clone")
    return load_corpus(DEFAULT_DATA, ["realAWSCloudwatch", "realKnownCause"])


def test_the_committed_published_scores_give_the_table(corpus: Corpus) -> None:
    from nab.published import COMMITTED, published_table, read_published

    found: dict[str, dict[str, tuple[float | None, ...]]] = {}
    for profile in ("standard", "reward_low_FP_rate", "reward_low_FN_rate"):
        for detector, figures in published_table(corpus, read_published([COMMITTED], profile), profile).items():
            found.setdefault(detector, {})[profile] = tuple(figures.values())
    assert {d: set(p) for d, p in found.items()} == {d: set(p) for d, p in EXPECTED.items()}
    for detector, profiles in EXPECTED.items():
        for profile, expected in profiles.items():
            assert found[detector][profile] == pytest.approx(expected, abs=5e-4), (detector, profile)


def test_nabs_null_detector_scores_each_file_as_the_bench_null(corpus: Corpus) -> None:
    """NAB's own null detector (no detection) has, file by file, the raw score the bench normalises with."""
    from nab.evaluation import profile_score
    from nab.published import COMMITTED, read_published

    null = read_published([COMMITTED])["null"]
    standard = corpus.profiles["standard"]
    bench_null = {s.name: profile_score(s, np.zeros(s.values.size, dtype=np.bool_), standard).null
                  for s in corpus.series}
    assert len(bench_null) == 24 and null == bench_null


def test_published_alone_prints_the_committed_table(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    from nab.published import COMMITTED

    _bench().print_published(corpus, [COMMITTED])
    out = capsys.readouterr().out
    artime = [line.split() for line in out.splitlines() if line.startswith("ARTime ")]
    assert artime[0][1:] == ["69.5", "63.9", "67.3"] and artime[1][1:] == ["59.0", "52.2", "56.3"]
    assert "published standard (NAB, in-sample)" in out and "realKnownCause" in out
