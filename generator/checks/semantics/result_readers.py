"""The possible-labels readers the meaning checks share within a build (SM011, SM012, SM014): each node's and each
recording rule's labels are derived once for all of them, not once per check and per alert reading a rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.checks.base import Context
from generator.derive.result_labels import Labels, possible_labels_reader

Reader = Callable[[Any], Labels]


def _readers(context: Context) -> dict[bool, Reader]:
    return {here: possible_labels_reader(context.project, here) for here in (True, False)}


def possible_labels_of(context: Context, deployed_here: bool = True) -> Reader:
    """The build's reader of the labels a parsed node's result can carry (derive/result_labels.possible_labels);
    deployed_here False for an imported rule, judged by what its aggregations keep."""
    return context.derived(_readers)[deployed_here]
