"""Imported rule sets in a time-compressed build: their `for`s and ranges shrink exactly as obsgen's own alerts'."""

from __future__ import annotations

import pytest

from generator.build import load
from generator.core.duration import scale
from generator.derive.time_compression import apply, with_objects
from generator.importer.write import import_files
from generator.model import Alert, ImportedAlert, RuleSet
from generator.model.profile import Profile
from generator.model.project import Project
from generator.scaffold import create
from generator.targets import rulesets
from tests.gitops.helpers import FIXTURES, KUBE_PROMETHEUS

EVERY_FIELD = FIXTURES / "verbatim/every-field.rules.yml"
UP = Profile(time_scale=1 / 60, scrape_interval="1s")  # obsgen up's 60x


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A new project with kube-prometheus' rules and a rule file using every field imported."""
    root = tmp_path_factory.mktemp("compressed")
    create(root, "compressed")
    import_files([*KUBE_PROMETHEUS, EVERY_FIELD], root / "definitions")
    return load(root / "definitions")


def _imported_alerts(project: Project) -> list[tuple[str, ImportedAlert]]:
    return [(rule_set.name, alert) for rule_set in project.all(RuleSet) for alert in rule_set.alerts()]


def test_imported_alerts_compress_as_an_equal_obsgen_alert_does(imported: Project) -> None:
    # each imported alert beside an obsgen Alert with its `for`, expression and keep_firing_for, both compressed
    # by one profile: an imported 15m `for` must not stay 15 real minutes while obsgen's own alerts fire in seconds
    model = next(iter(imported.all(Alert)))
    twins = [model.model_copy(update={"name": f"Twin{index}", "expr": alert.expr, "for_": alert.for_ or "0s",
                                      "keep_firing_for": alert.keep_firing_for or "0s", "heartbeat": None})
             for index, (_, alert) in enumerate(_imported_alerts(imported))]
    fast = apply(with_objects(imported, (*imported.objects, *twins)), UP)
    compressed = {alert.name: alert for alert in fast.all(Alert)}
    pairs = zip(_imported_alerts(imported), _imported_alerts(fast), strict=True)
    checked = 0
    for index, ((_, before), (_, after)) in enumerate(pairs):
        twin = compressed[f"Twin{index}"]
        assert after.expr == twin.expr, before.name
        assert after.for_ == (None if before.for_ is None else twin.for_), before.name
        assert after.keep_firing_for == (None if before.keep_firing_for is None else twin.keep_firing_for)
        checked += before.expr != after.expr
        assert after.for_ in (None, "0s") or after.for_ != before.for_, before.name  # not left in real time
    assert checked > 50  # kube-prometheus' [5m] ranges did shrink


def test_an_imported_groups_interval_compresses_and_its_query_offset_does_not(imported: Project) -> None:
    before = next(rs for rs in imported.all(RuleSet) if any(g.name == "every-group-field" for g in rs.groups))
    after = next(rs for rs in apply(imported, UP).all(RuleSet) if rs.name == before.name)
    group, fast = before.groups[0], after.groups[0]
    assert group.interval is not None and fast.interval == scale(group.interval, UP.time_scale) != group.interval
    assert (fast.query_offset, fast.limit, fast.labels) == (group.query_offset, group.limit, group.labels)
    records = [rule for rule in fast.rules if not isinstance(rule, ImportedAlert)]
    assert [rule.expr for rule in records] == [rule.expr for rule in group.rules if not isinstance(rule, ImportedAlert)]


def test_the_default_build_writes_imported_rules_as_the_source_wrote_them(imported: Project) -> None:
    written = rulesets.render(apply(imported, Profile()))
    assert written == rulesets.render(imported)
    every_field = next(document for path, document in written.items() if "every-field" in path)
    assert every_field["groups"][0]["interval"] == "1m"  # as the fixture says
    assert [rule.get("for") for rule in every_field["groups"][0]["rules"]] == ["0s", "15m", None]
