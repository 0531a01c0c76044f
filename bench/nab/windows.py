"""Where a NAB score is lost: each labelled window and false positive of a detections JSON, with its cost.

Usage: ``python bench/nab/windows.py FILE [--data DIR] [--profile standard] [--target 70]``, or
``python bench/forecast_nab.py --windows`` for the held-out detections it has just made.
FILE is what ``bench/forecast_nab.py --json`` writes (per CSV, ``{"file": "<group>/<name>.csv", "flagged":
[timestamps as in the CSV]}``); any detector's flagged timestamps in that shape will do. DIR (default: the
nearest ``shared/data/nab``) gives the CSVs' rows, ``combined_windows.json`` and ``profiles.json``.

Printed per file: each window caught (where in the window its first detection fell, its term of the raw
score and what it loses against a detection at the window's start), each missed window (-fn weight, so
it loses tp + fn against perfect) and each false positive (its cost). Then, per group and overall, the
loss against a perfect detector split into missed windows, late detections and false positives, in raw
units and in points of the normalised score, and how far the score is from ``--target``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from generator.exporter.nab import Outcome, nab_outcomes, scaled_sigmoid  # noqa: E402
from nab.corpus import DEFAULT_DATA, Corpus, Series, load_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Print every file's windows and false positives, then the loss per kind against a perfect detector."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("json", type=Path, help="detections as bench/forecast_nab.py --json writes them")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory in NAB's layout")
    parser.add_argument("--profile", default="standard", help="a profile of DIR/profiles.json")
    parser.add_argument("--target", type=float, default=70.0, help="normalised score to measure the gap to")
    args = parser.parse_args(argv)
    try:
        flagged = {f["file"]: set(f["flagged"]) for f in json.loads(args.json.read_text())["files"]}
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise SystemExit(f"error: {args.json}: not a detections file ({err})") from None
    corpus = load_corpus(args.data, list(dict.fromkeys(name.split("/")[0] for name in flagged)))
    if args.profile not in corpus.profiles:
        raise SystemExit(f"error: {args.data / 'profiles.json'}: no profile {args.profile!r}")
    diagnose(corpus, flagged, corpus.profiles[args.profile], args.target)
    return 0


def diagnose(corpus: Corpus, flagged: dict[str, set[str]], weights: dict[str, float], target: float) -> None:
    """Print each file's windows and false positives (files named in ``flagged``), then the loss per kind."""
    losses: dict[str, dict[str, list[float]]] = {group: {} for group in [*corpus.groups, "overall"]}
    for series in corpus.series:
        if series.name not in flagged:
            continue
        terms = nab_outcomes([stamp in flagged[series.name] for stamp in series.stamps], series.windows, weights)
        print_file(series, terms, weights)
        for group in (series.group, "overall"):
            found = losses[group]
            # NAB: perfect counts every window, null only those outside the probation period
            found.setdefault("perfect", []).append(weights["tpWeight"] * len(series.windows))
            found.setdefault("null", []).extend(-weights["fnWeight"] for t in terms if t.kind != "fp")
            found.setdefault("raw", []).extend(t.value for t in terms)
            for kind in ("fn", "tp", "fp"):
                found.setdefault(kind, []).extend(_loss(t, weights) for t in terms if t.kind == kind)
    print_losses(losses, weights, target)


def _loss(term: Outcome, weights: dict[str, float]) -> float:
    """What the term loses against a perfect detector (every window caught at its start, nothing else)."""
    return weights["tpWeight"] - term.value if term.kind != "fp" else -term.value


def print_file(series: Series, terms: list[Outcome], weights: dict[str, float]) -> None:
    """One line per window and false positive, in row order."""
    print(f"{series.name}: raw {sum(t.value for t in terms):+.3f}")
    for term in terms:
        stamp = series.stamps[term.row]
        if term.kind == "fp":
            after = f"after window {term.window}" if term.window >= 0 else "before the first window"
            print(f"  false positive  {stamp}  {after}  {term.value:+.3f}")
            continue
        start, end = series.windows[term.window]
        label = f"  window {term.window}  {series.stamps[start]} .. {series.stamps[end]}"
        if term.kind == "fn":
            print(f"{label}  MISSED  {term.value:+.3f}  (loses {_loss(term, weights):.3f})")
        else:
            share = 100 * (term.row - start) / max(end - start, 1)
            print(f"{label}  caught at {share:3.0f}% ({stamp})  {term.value:+.3f}  (loses {_loss(term, weights):.3f})")


def print_losses(losses: dict[str, dict[str, list[float]]], weights: dict[str, float], target: float) -> None:
    """Per group: the loss against perfect by kind, raw and in points, the score and the gap to ``target``."""
    print(f"\n{'loss against perfect':<20} {'missed':>16} {'late':>16} {'false pos.':>16} {'score':>7} "
          f"{'to ' + format(target, 'g'):>16}")
    for group, found in losses.items():
        if not found:
            continue
        null = sum(found["null"])
        span = sum(found["perfect"]) - null
        cells = [f"{len(found[k]):>3} {sum(found[k]):6.2f} ({100 * sum(found[k]) / span:4.1f})"
                 for k in ("fn", "tp", "fp")]
        score = 100 * (sum(found["raw"]) - null) / span
        gap = (target - score) * span / 100
        print(f"{group:<20} {' '.join(f'{c:>16}' for c in cells)} {score:7.2f} {gap:7.3f} raw")
    centre = float(scaled_sigmoid([-0.5])[0] / scaled_sigmoid([-1.0])[0]) * weights["tpWeight"]
    print("Each cell: count, raw loss (points of the normalised score); late: what caught windows lose against a "
          "detection at their start;\nto target: the raw score still missing (a missed window caught at its centre "
          f"gains {weights['fnWeight'] + centre:.3f}, one false positive fewer at most {weights['fpWeight']:.3f}).")


if __name__ == "__main__":
    raise SystemExit(main())
