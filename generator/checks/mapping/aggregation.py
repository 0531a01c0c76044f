"""Aggregations Prometheus cannot compute for a metric's kind are skipped.

An AggregationPolicy asks for functions per level; a histogram has no min or max of its observations (only
buckets, sum and count), so those recording rules are not written.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.aggregation import expand
from generator.model import AggregationPolicy

CODE = "MP009"
NAME = "aggregation"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    for policy in context.project.all(AggregationPolicy):
        for note in expand(policy)[1]:
            yield Finding(policy, note)
