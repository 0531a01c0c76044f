"""Which detector parameters transfer between groups: each varied alone around one parameter set, per group.

``python bench/forecast_nab.py --sensitivity`` prints it around the in-sample choice. For every field of
``DetectorParams``, each value the grid gives that field is tried with every other field at the chosen set,
and the NAB standard score (corpus-normalised) is printed per group and overall. A parameter whose best value
differs between groups is one the cross-validation cannot carry from one group to the other: tuned on one
group it lands on the other's worse value, and the held-out figure falls below the in-sample one by that much.
A diagnosis of the grid as it is, not a choice: nothing here feeds the detector.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from generator.exporter.anomaly import DetectorParams
from generator.exporter.nab import NabScore
from nab.evaluation import total


def one_at_a_time(base: DetectorParams, grid: Sequence[DetectorParams]) -> list[tuple[str, float, DetectorParams]]:
    """(field, value, parameter set) for each value ``grid`` gives each field, the other fields as in ``base``.

    Values in ascending order; a field with a single value in the grid is left out (nothing to compare). A set
    may lie outside the grid where the grid ties fields together (re-arm and gap come in pairs).
    """
    out: list[tuple[str, float, DetectorParams]] = []
    for field in dataclasses.fields(DetectorParams):
        values = sorted({getattr(p, field.name) for p in grid})
        if len(values) > 1:
            out.extend((field.name, value, dataclasses.replace(base, **{field.name: value})) for value in values)
    return out


def sensitivity_table(
    base: DetectorParams, grid: Sequence[DetectorParams], groups: Mapping[str, Sequence[int]],
    score: Callable[[int, DetectorParams], NabScore],
) -> list[str]:
    """Lines: per field and value, the NAB standard of each group (label -> file indices) and of all of them.

    ``*`` marks ``base``'s value, ``^`` each column's best value of that field (the lowest on ties); a
    field's last line says whether the groups agree on their best value.
    """
    columns = {**groups, "overall": sorted({i for files in groups.values() for i in files})}
    width = max(len(label) for label in columns) + 2
    lines = ["NAB standard with one parameter varied around the set chosen on all files "
             "(* that set's value, ^ the best value in that column):",
             f"{'parameter':<20} {'value':>9}" + "".join(f"{label:>{width}}" for label in columns)]
    rows = one_at_a_time(base, grid)
    for field in dict.fromkeys(name for name, _, _ in rows):
        mine = [(value, params) for name, value, params in rows if name == field]
        table = [[total(score(i, params) for i in files).normalized for files in columns.values()]
                 for _, params in mine]
        best = [_first_best([row[c] for row in table]) for c in range(len(columns))]
        for r, (value, _) in enumerate(mine):
            mark = "*" if value == getattr(base, field) else " "
            shown = f"{value / 3600:g} h" if field.endswith("_seconds") else f"{value:g}"
            cells = "".join(f"{table[r][c]:>{width - 1}.2f}{'^' if best[c] == r else ' '}" for c in range(len(columns)))
            lines.append(f"{field:<20} {shown:>8}{mark}" + cells)
        agree = len({best[c] for c in range(len(groups))}) == 1
        lines.append(f"{'':<30}groups {'agree' if agree else 'DISAGREE'} on {field}")
    return lines


def _first_best(scores: Sequence[float]) -> int:
    """Index of the highest score, the first on ties (as the cross-validation's choose)."""
    return max(range(len(scores)), key=lambda r: (scores[r], -r))
