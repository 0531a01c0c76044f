"""Property: any string in any field the importer copies comes back exactly after import and load, and runs nothing."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import load
from generator.importer.write import import_files
from generator.model import Dashboard, ImportedAlert, RuleSet
from tests.importer.conftest import base_definitions

# YAML cannot carry lone surrogates; JSON (dashboards) can, as \\ud800 escapes
YAML_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=60)
JSON_TEXT = st.text(min_size=1, max_size=60)
# titles are identities (panel ids derive from them): the converter trims them and names blank ones by kind
TITLE = JSON_TEXT.filter(lambda text: text == text.strip() and bool(text))
EXAMPLES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def imported(document: object) -> list[object]:
    """The objects a load of definitions/ holds after importing the document as its only source file."""
    with tempfile.TemporaryDirectory(prefix="obsgen-property-") as workdir:
        source = Path(workdir) / "source.yaml"
        source.write_text(yaml.safe_dump(document), encoding="utf-8")
        definitions = base_definitions(Path(workdir))
        import_files([source], definitions, module="imported")
        return list(load(definitions).objects)


@EXAMPLES
@given(group=YAML_TEXT, label=YAML_TEXT, annotation=YAML_TEXT.filter(lambda text: "{{" not in text), extra=YAML_TEXT)
def test_rule_strings_survive_import_exactly(group: str, label: str, annotation: str, extra: str) -> None:
    alert = {"alert": "Any", "expr": "vector(1) > 0", "labels": {"team": label},
             "annotations": {"description": annotation}}
    objects = imported({"groups": [{"name": group, "thanos_extra": extra, "rules": [alert]}]})

    rule_set = next(obj for obj in objects if isinstance(obj, RuleSet))
    read = rule_set.groups[0]
    assert (read.name, read.extra["thanos_extra"]) == (group, extra)
    rule = read.rules[0]
    assert isinstance(rule, ImportedAlert), rule
    assert (rule.labels["team"], rule.annotations["description"]) == (label, annotation)


@EXAMPLES
@given(title=TITLE, panel=TITLE, description=JSON_TEXT, legend=JSON_TEXT, link=JSON_TEXT)
def test_dashboard_strings_survive_import_exactly(title: str, panel: str, description: str, legend: str,
                                                  link: str) -> None:
    dashboard = {"title": title, "schemaVersion": 39, "panels": [{
        "type": "timeseries", "title": panel, "description": description, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
        "targets": [{"expr": "up", "legendFormat": legend, "refId": "A"}],
        "links": [{"title": link, "url": "https://example.com"}]}]}
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dashboards"},
                  "data": {"any.json": json.dumps(dashboard)}}
    objects = imported(config_map)

    read = next(obj for obj in objects if isinstance(obj, Dashboard) and obj.lint is False)
    shown = read.all_panels[0]
    assert (read.name, shown.title, shown.description) == (title, panel, description)
    assert (shown.queries[0].legend, shown.links[0].title) == (legend, link)
