"""The caches kept across builds can only save time: what they give back equals what would be computed, and a
damaged, stale or edited cache (or out/ file) is computed again."""

from __future__ import annotations

import marshal
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from generator.build import build, compile_definitions
from generator.checks import config_schema, secrets
from generator.checks.base import Context
from generator.checks.secrets import leaks
from generator.core import disk_cache, promql
from generator.core.disk_cache import DiskCache, value_digest
from generator.core.sealed_file import read_sealed, write_sealed
from generator.core.secret_scan import Secret
from generator.core.written_files import FileBytes, Unkept
from generator.package import emit, reuse
from tests.speed.project import node_exporter_project

SHIPPED = Path(__file__).parents[2] / "definitions"
EXPRESSIONS = ("sum by (job) (rate(http_requests_total[5m])) > 0", "max_over_time(up[1h:1m])",
               "sum(rate(errors_total[5m])")


@pytest.fixture(autouse=True)
def bytecode_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caches are written as bytecode is: switched on, as users run obsgen."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def _facts_in_a_new_build(definitions: Path) -> list[promql.Facts]:
    promql._facts.cache_clear()  # what a new process starts with
    with promql.facts_cached(definitions):
        return [promql.facts(expr) for expr in EXPRESSIONS]


def test_promql_facts_come_back_from_the_cache_without_a_parse(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    computed = _facts_in_a_new_build(tmp_path)
    assert computed[2].error.startswith("invalid PromQL") and computed[1].ranges == (3600.0,)
    assert computed[0].selectors == (promql.Selector("http_requests_total", True, "rate", 300.0),)

    def no_parse(expr: str) -> Any:
        raise AssertionError(f"parsed {expr!r}")

    monkeypatch.setattr(promql, "parse", no_parse)
    assert _facts_in_a_new_build(tmp_path) == computed


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "another version", "entries of another shape"])
def test_a_damaged_promql_cache_is_parsed_again(tmp_path: Path, damage: str) -> None:
    computed = _facts_in_a_new_build(tmp_path)
    cache = tmp_path / "__pycache__/obsgen-promql.cache"
    data = cache.read_bytes()
    if damage == "flip a byte":
        cache.write_bytes(data[:-20] + bytes([data[-20] ^ 1]) + data[-19:])
    elif damage == "truncate":
        cache.write_bytes(data[: len(data) // 2])
    else:  # files with a valid digest that this code did not write
        version = orjson.loads(data.partition(b"\n")[2])["version"]
        stored = DiskCache(tmp_path, "promql", "another version" if damage == "another version" else version)
        for expr in EXPRESSIONS:  # wrong facts: taken, they would change the result
            stored.put(expr, ["", [], []] if damage == "another version" else {"error": ""})
        stored.save()
    assert _facts_in_a_new_build(tmp_path) == computed


def test_promql_facts_read_back_keep_the_cached_value_as_their_stored_form(tmp_path: Path) -> None:
    computed = _facts_in_a_new_build(tmp_path)
    version = orjson.loads(read_sealed(tmp_path / "__pycache__/obsgen-promql.cache") or b"")["version"]
    kept = DiskCache(tmp_path, "promql", version)
    promql._facts.cache_clear()
    with promql.facts_cached(tmp_path):
        for expr, facts in zip(EXPRESSIONS, computed, strict=True):
            again = promql.facts(expr)
            assert again == facts and again.stored == facts.stored
            assert again.stored is promql._disk._stored[expr]  # type: ignore[union-attr]  # not made again
    assert DiskCache(tmp_path, "promql", version)._stored == kept._stored  # saved as it was


SELECTOR_ROW: list[Any] = ["up", False, "", None, ["job=\"a\"", "le=\"1\""], 0.0, False, False, False]


@pytest.mark.parametrize("value", [
    ["", [SELECTOR_ROW], []],
    ["", [SELECTOR_ROW], [300, 60.0]],  # ints equal their floats, as the comparison with `stored` found
])
def test_promql_facts_read_back_from_a_value_stored_holds(value: list[Any]) -> None:
    facts = promql.Facts.from_stored(value)
    assert facts.stored == value
    assert facts.selectors[0].matchers == frozenset(SELECTOR_ROW[4])


@pytest.mark.parametrize("value", [
    ["", [[*SELECTOR_ROW[:4], ["le=\"1\"", "job=\"a\""], *SELECTOR_ROW[5:]]], []],  # a set not sorted
    ["", [[*SELECTOR_ROW[:4], ["job=\"a\"", "job=\"a\""], *SELECTOR_ROW[5:]]], []],  # repeated
    ["", [SELECTOR_ROW[:-1]], []],  # a field short
    ["", [{"name": "up"}], []],
    ["", {"up": SELECTOR_ROW}, []],
    [5, [], []],  # an error that is not a string
    ["", [], ["5m"]],  # a window that is not seconds
    ["", [SELECTOR_ROW]],
])
def test_promql_facts_refuse_a_value_stored_never_holds(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        promql.Facts.from_stored(value)


def _serialised(documents: dict[str, Any], out: Path, definitions: Path, source: str = "definitions/",
                earlier: Mapping[str, bytes | memoryview] | None = None) -> dict[str, bytes]:
    """reuse.serialised with the documents' digests, as the build's checks took them."""
    digests = {path: value_digest(document) for path, document in documents.items()}
    return {path: _bytes(data) for path, data in
            reuse.serialised(documents, digests, source, out, definitions, earlier).items()}


def _bytes(data: FileBytes) -> bytes:
    """A file's bytes (reused ones are the earlier build's memoryview, compared by content all the same)."""
    assert not isinstance(data, Unkept), data  # only a watching build's `written` gives one
    return bytes(data)


def test_serialised_bytes_are_reused_only_for_the_same_document_and_the_same_out_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    documents: dict[str, Any] = {"a.yml": {"groups": [{"name": "x", "interval": 1}]}, "b.json": {"v": [1, 2]}}
    first = _serialised(documents, out, tmp_path)
    assert first == {path: emit.serialise(path, doc) for path, doc in documents.items()}
    out.mkdir()
    for path, data in first.items():
        (out / path).write_bytes(data)
    assert _serialised(documents, out, tmp_path) == first

    (out / "b.json").write_bytes(b"edited by hand\n")
    changed = {"a.yml": {"groups": [{"name": "x", "interval": 1.0}]}, "b.json": documents["b.json"]}
    again = _serialised(changed, out, tmp_path)
    assert again == {path: emit.serialise(path, doc) for path, doc in changed.items()}
    assert b"interval: 1.0" in again["a.yml"]


def test_serialised_bytes_missing_from_out_are_taken_from_the_earlier_build_only_when_they_are_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    documents: dict[str, Any] = {"a.yml": {"groups": []}, "b.json": {"v": [1, 2]}}
    first = _serialised(documents, out, tmp_path)
    emitted: list[str] = []

    def serialise(path: str, *args: Any) -> bytes:
        emitted.append(path)
        return emit.serialise(path, *args)

    monkeypatch.setattr(reuse, "emit", SimpleNamespace(serialise=serialise, __file__=emit.__file__))
    earlier = {path: memoryview(data) for path, data in first.items()}
    assert _serialised(documents, out, tmp_path, earlier=earlier) == first and emitted == []
    earlier["a.yml"] = memoryview(b"groups: [planted]\n")  # a record's bytes that are not what was serialised
    assert _serialised(documents, out, tmp_path, earlier=earlier) == first and emitted == ["a.yml"]


def test_serialised_bytes_are_not_reused_under_another_source_in_the_header(tmp_path: Path) -> None:
    out, documents = tmp_path / "out", dict[str, Any]({"a.yml": {"groups": []}})
    out.mkdir()
    (out / "a.yml").write_bytes(_serialised(documents, out, tmp_path)["a.yml"])
    renamed = _serialised(documents, out, tmp_path, "renamed/")
    assert renamed == {"a.yml": emit.serialise("a.yml", {"groups": []}, "renamed/")}


def test_a_build_marshals_each_rendered_document_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marshalled: list[Any] = []

    def dumps(value: Any, version: int) -> bytes:
        marshalled.append(value)
        return marshal.dumps(value, version)

    monkeypatch.setattr(disk_cache, "marshal", SimpleNamespace(dumps=dumps))
    definitions = node_exporter_project(tmp_path, kubernetes=True)
    for _ in range(2):  # into a new out/, then into the unchanged one
        compiled, _ = build(definitions, tmp_path / "out")
        assert compiled.rendered is not None and len(marshalled) == len(compiled.rendered) > 0
        marshalled.clear()


def test_a_path_outside_out_is_refused_before_any_file_is_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="would reach outside out/"):
        _serialised({"../definitions/secret.yml": {"a": 1}}, tmp_path / "out", tmp_path)


def test_the_secret_scan_remembers_only_clean_texts_and_finds_a_new_secret(tmp_path: Path) -> None:
    definitions = node_exporter_project(tmp_path, kubernetes=False)
    compiled = compile_definitions(definitions)
    assert compiled.project is not None and compiled.rendered is not None
    assert leaks(Context(compiled.project, rendered=compiled.rendered)) == []
    cache = definitions / "__pycache__/obsgen-secrets.cache"
    assert cache.exists()
    leaked = {**compiled.rendered, "alertmanager/extra.yml": {"url": "https://ops:Zq8vLr2mWx4Tn@example.com/hook"}}
    for _ in range(2):  # the second time with the first's cache
        (leak,) = leaks(Context(compiled.project, rendered=leaked))
        assert leak.secret.value == "Zq8vLr2mWx4Tn" and leak.output == "alertmanager/extra.yml"
    assert b"Zq8vLr2mWx4Tn" not in cache.read_bytes()
    assert leaks(Context(compiled.project, rendered=compiled.rendered)) == []


def test_after_an_edit_only_the_changed_documents_are_scanned(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    definitions = node_exporter_project(tmp_path, kubernetes=False)
    compiled = compile_definitions(definitions)
    assert compiled.project is not None and compiled.rendered is not None
    assert leaks(Context(compiled.project, rendered=compiled.rendered)) == []  # every document found clean
    edited = {**compiled.rendered, "alertmanager/extra.yml": {"receivers": [{"name": "edited"}]}}
    scanned: list[str] = []

    def find(text: str, hex_keys: bool = True, expands: bool = True) -> list[Secret]:
        scanned.append(text)
        return []

    monkeypatch.setattr(secrets, "find", find)
    assert leaks(Context(compiled.project, rendered=edited)) == []
    assert scanned and all("edited" in text or text == "" for text in scanned)  # the new document alone
    scanned.clear()
    assert leaks(Context(compiled.project, rendered=edited)) == [] and scanned == []  # the same build again


def test_a_document_suspect_alone_is_judged_with_the_others(tmp_path: Path) -> None:
    """A Grafana uid (32 hex digits, like a PagerDuty key) quoted in another document is still an identifier."""
    definitions = node_exporter_project(tmp_path, kubernetes=False)
    compiled = compile_definitions(definitions)
    assert compiled.project is not None and compiled.rendered is not None
    uid = "0123456789abcdef0123456789abcdef"
    quoted = {**compiled.rendered, "grafana/a.json": {"uid": uid}, "grafana/b.json": {"link": uid}}
    assert leaks(Context(compiled.project, rendered=quoted)) == []
    (leak,) = leaks(Context(compiled.project, rendered={**compiled.rendered, "grafana/b.json": {"link": uid}}))
    assert leak.secret.value == uid and leak.output == "grafana/b.json"


def _loaded_in_two_builds(definitions: Path, module: str) -> list[bool]:
    """Whether each of two builds, each in a process of its own (the second with the first's caches), loaded a
    module."""
    return [shown == "True" for shown in _evaluated_in_two_builds(definitions, f"{module!r} in sys.modules")]


def _evaluated_in_two_builds(definitions: Path, expression: str) -> list[str]:
    """An expression's value after each of two builds, each in a process of its own (the second with the first's
    caches)."""
    code = ("import sys; sys.dont_write_bytecode = False\nfrom generator.build import compile_definitions\n"
            f"compiled = compile_definitions(__import__('pathlib').Path({str(definitions)!r}))\n"
            "assert compiled.rendered is not None, compiled.report.sorted()\n"
            f"print({expression})")
    return [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
            for _ in range(2)]


def _forget_clean_texts(definitions: Path) -> None:
    """The texts found clean by the import of the project's rules (and the plugins' patterns: the first build
    finds them with the plugins, as a project's first build does)."""
    (definitions / "__pycache__" / "obsgen-secrets.cache").unlink(missing_ok=True)


def test_a_build_of_texts_all_found_clean_before_never_loads_detect_secrets(tmp_path: Path) -> None:
    definitions = node_exporter_project(tmp_path, kubernetes=False)
    _forget_clean_texts(definitions)
    # the first build scans every text; the second knows them clean
    assert _loaded_in_two_builds(definitions, "detect_secrets") == [True, False]


def test_a_build_that_scans_loads_detect_secrets_plugins_but_not_its_file_scanner(tmp_path: Path) -> None:
    # the first build of each project scans with every format plugin; SecretsCollection, its filters and the
    # gibberish model (the package's __init__) are never used
    (tmp_path / "plugin").mkdir()
    (tmp_path / "scanner").mkdir()
    plugin, scanner = (node_exporter_project(tmp_path / name, kubernetes=False) for name in ("plugin", "scanner"))
    _forget_clean_texts(plugin)
    assert _loaded_in_two_builds(plugin, "detect_secrets.plugins.slack") == [True, False]
    assert _loaded_in_two_builds(scanner, "detect_secrets.core.secrets_collection") == [False, False]


def test_a_build_without_logs_or_traces_builds_no_config_schema_model(tmp_path: Path) -> None:
    definitions = node_exporter_project(tmp_path, kubernetes=False)
    # no Loki, Tempo or collector config to check: the schemas' base models are imported (SchemaError's package)
    # but never validate anything, so their validators are not built
    built = "__import__('generator.checks.schemas', fromlist=['Strict']).Strict.__pydantic_complete__"
    assert _loaded_in_two_builds(definitions, "generator.checks.schemas") == [True, True]
    assert _evaluated_in_two_builds(definitions, built) == ["False", "False"]


def test_a_cache_another_process_rewrote_is_read_again_not_remembered(tmp_path: Path) -> None:
    mine = DiskCache(tmp_path, "kind", "v1")
    mine.put("expr", "mine")
    mine.save()
    assert DiskCache(tmp_path, "kind", "v1").get("expr") == "mine"  # remembered: the file is as this process left it
    write_sealed(tmp_path / "__pycache__/obsgen-kind.cache",
                 orjson.dumps({"version": "v1", "entries": {"expr": "theirs"}}))  # another build's save
    assert DiskCache(tmp_path, "kind", "v1").get("expr") == "theirs"
    assert DiskCache(tmp_path, "kind", "v2").get("expr") is None  # remembered under another version: not taken


def test_configs_found_valid_before_are_neither_validated_nor_their_models_built(tmp_path: Path) -> None:
    """The collector, Tempo and Loki models take a third of a build after an edit that leaves those configs alone."""
    definitions = tmp_path / "definitions"
    shutil.copytree(SHIPPED, definitions, ignore=shutil.ignore_patterns("__pycache__"))
    assert _loaded_in_two_builds(definitions, "generator.checks.schemas.otelcol") == [True, False]


def test_a_config_changed_since_it_was_found_valid_is_validated_again(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(SHIPPED, definitions, ignore=shutil.ignore_patterns("__pycache__"))
    compiled = compile_definitions(definitions)
    assert compiled.project is not None and compiled.rendered is not None
    assert list(config_schema.check(Context(compiled.project, rendered=compiled.rendered))) == []
    broken = {**compiled.rendered, "otelcol/config.yaml": {**compiled.rendered["otelcol/config.yaml"], "extra": 1}}
    (finding,) = config_schema.check(Context(compiled.project, rendered=broken))
    assert finding.message.startswith("otelcol/config.yaml: ") and "extra" in finding.message


def test_a_build_after_an_edit_loads_detect_secrets_only_for_a_text_a_plugin_could_report(tmp_path: Path) -> None:
    # the plugins report only what their patterns find, and the patterns are kept with the clean texts: a new
    # text none of them matches (a one-alert edit's rule file) is scanned without importing detect-secrets
    definitions = node_exporter_project(tmp_path, kubernetes=False)
    rules = definitions / "node_exporter_prometheus_rule.py"
    code = ("import sys; sys.dont_write_bytecode = False\nfrom generator.build import compile_definitions\n"
            f"compiled = compile_definitions(__import__('pathlib').Path({str(definitions)!r}))\n"
            "print('detect_secrets' in sys.modules, sorted({p.code for p in compiled.report.problems}))")

    def built() -> str:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()

    first = built().split(" ", 1)[1]  # (the import of the rules has scanned their texts already)
    rules.write_text(rules.read_text().replace('for_="1h"', 'for_="61m"', 1))
    assert built() == f"False {first}"  # a new text scanned, without the plugins
    token = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
    rules.write_text(rules.read_text().replace("annotations={", f'annotations={{"hint": "{token}", ', 1))
    loaded, codes = built().split(" ", 1)
    assert loaded == "True" and "SC001" in codes  # a pattern matched: the plugins ran, and the token is reported


@pytest.mark.parametrize("text", [
    "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "AKIAIOSFODNN7EXAMPLE and more",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "eyJhbGciOi.not-a-jwt.x",
    "-----BEGIN RSA PRIVATE KEY-----", "https://user:Tr0ub4dor-3xKq9@db.example.com/shop",
    "sum(rate(http_requests_total[5m])) by (job) > 0.05", "npm_abcdefghijklmnopqrstuvwxyz0123456789",
    "sk-proj-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst",
])
def test_the_plugins_find_the_same_with_their_patterns_kept(tmp_path: Path, text: str) -> None:
    from generator.core import secret_scan

    without = secret_scan.find(text)  # no cache: every text goes to the plugins
    with secret_scan.clean_cached(tmp_path) as cache:
        assert secret_scan.find("the first text of a project") == []
        assert secret_scan.DENYLISTS in cache  # the plugins' patterns, found and kept
    with secret_scan.clean_cached(tmp_path):
        assert secret_scan.find(text) == without  # a new text, judged with the kept patterns


def test_the_plugins_patterns_stay_kept_through_a_build_of_texts_all_found_clean(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # edit, a build that finds every text clean (a comment edited), edit again: the third still has the patterns,
    # so its new text is judged without importing detect-secrets
    from generator.core import secret_scan

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    with secret_scan.clean_cached(tmp_path):
        assert secret_scan.find("the rules after an edit") == []  # a new text: the patterns found and kept
    with secret_scan.clean_cached(tmp_path):
        assert secret_scan.find("the rules after an edit") == []  # known clean: no plugin, no pattern asked
    with secret_scan.clean_cached(tmp_path) as cache:
        assert cache.get(secret_scan.DENYLISTS) is not None


def test_a_sealed_file_is_its_owners_alone(tmp_path: Path) -> None:
    """A cache may hold what the user's processes compiled or ran (code_cache's regex texts, the command record): no
    other user of the machine reads it, whatever the umask."""
    path = tmp_path / "__pycache__" / "obsgen-kind.cache"
    assert write_sealed(path, b"payload")
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_sealed(path) == b"payload"
