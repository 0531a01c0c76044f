"""Rule groups in rule files compared with the groups Prometheus reports loaded (/api/v1/rules)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from generator.core.duration import format_seconds, parse_seconds
from generator.core.promql import parse
from generator.core.untrusted import error_line, utf8_text, yaml_mapping


def canonical(expr: str) -> str:
    """An expression as Prometheus prints it back: parsed and printed, label matchers sorted (as Go sorts them)."""
    tree = parse(expr)
    text = str(tree)
    for selector in _selectors(tree):
        matchers = selector.matchers.matchers
        if len(matchers) > 1:
            name = selector.name or ""
            ordered = "{" + ",".join(sorted(str(m) for m in matchers)) + "}"
            text = text.replace(name + str(selector.matchers), name + ordered)
    return text


def _selectors(node: Any) -> list[Any]:
    kind = type(node).__name__
    if kind == "VectorSelector":
        return [node]
    children: list[Any] = []
    for attr in ("expr", "lhs", "rhs", "vector_selector", "param"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, str | int | float):
            children.append(child)
    children += list(getattr(node, "args", None) or [])
    return [selector for child in children for selector in _selectors(child)]


@dataclass(frozen=True)
class Rule:
    """The parts of a rule both a rule file and the rules API show."""

    kind: str
    """alerting or recording."""
    name: str
    expr: str
    """As written (in the file) or as Prometheus prints it (from the API)."""
    duration: float
    """Seconds an alert must hold before it fires (`for`)."""
    labels: dict[str, str]
    annotations: dict[str, str]
    keep_firing_for: float = 0.0
    """Seconds an alert keeps firing after its condition clears (`keep_firing_for`)."""


@dataclass(frozen=True)
class Group:
    """A rule group, keyed by its file's name and its own name."""

    file: str
    """The rule file's name, without its directory (the server reports it joined to its own)."""
    name: str
    interval: float
    """Seconds between evaluations."""
    rules: tuple[Rule, ...]
    limit: int = 0
    """Most alerts or series one rule may produce (0: no limit)."""


class MalformedFile(ValueError):
    """A file of out/ that is not what Prometheus reads; says which (relative to its server's directory) and why."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}{f':{line}' if line else ''}: {reason}")
        self.path, self.line, self.reason = path, line, reason

    def under(self, root: Path) -> ValueError:
        """The same error naming the file under root (out/prometheus)."""
        return MalformedFile(str(root / self.path), self.line, self.reason)


@lru_cache(maxsize=64)
def document(path: str, data: bytes) -> dict[str, Any]:
    """A YAML file of out/ as a mapping; MalformedFile (with its line) when it is not one. Read once per text and
    shared, so never changed by its callers: one obsgen apply looks at a prometheus.yml in four steps (the files it
    names, the notifier watched across the reload, the check before and the verification after it)."""
    try:
        return yaml_mapping(utf8_text(data))
    except ValueError as error:  # ReadError at its line
        raise MalformedFile(path, error_line(error), str(error)) from None


def from_files(files: dict[str, bytes], evaluation_interval: float) -> dict[tuple[str, str], Group]:
    """Groups declared in rule files (relative path -> YAML), with the global interval where they set none;
    MalformedFile for a file that is not a rule file."""
    groups: dict[tuple[str, str], Group] = {}
    for path, data in sorted(files.items()):
        try:
            groups |= _groups(path, document(path, data), evaluation_interval)
        except MalformedFile:
            raise
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            what = f"no {error}" if isinstance(error, KeyError) else str(error)
            raise MalformedFile(path, 0, f"not a rule file Prometheus reads: {what}") from None
    return groups


def _groups(path: str, document: dict[str, Any], evaluation_interval: float) -> dict[tuple[str, str], Group]:
    groups: dict[tuple[str, str], Group] = {}
    for group in document.get("groups") or []:
        rules = tuple(
            Rule("alerting" if "alert" in rule else "recording", rule.get("alert") or rule["record"],
                 str(rule["expr"]).strip(), parse_seconds(rule.get("for", "0s")),
                 {k: str(v) for k, v in (rule.get("labels") or {}).items()},
                 {k: str(v) for k, v in (rule.get("annotations") or {}).items()},
                 parse_seconds(rule.get("keep_firing_for", "0s")))
            for rule in group.get("rules") or []
        )
        interval = parse_seconds(group["interval"]) if group.get("interval") else evaluation_interval
        name = PurePosixPath(path).name
        groups[(name, group["name"])] = Group(name, group["name"], interval, rules, int(group.get("limit") or 0))
    return groups


def from_api(groups: list[dict[str, Any]]) -> dict[tuple[str, str], Group]:
    """Groups as /api/v1/rules reports them."""
    loaded: dict[tuple[str, str], Group] = {}
    for group in groups:
        rules = tuple(
            Rule(rule["type"], rule["name"], rule["query"], float(rule.get("duration", 0)),
                 dict(rule.get("labels") or {}), dict(rule.get("annotations") or {}),
                 float(rule.get("keepFiringFor", 0)))
            for rule in group["rules"]
        )
        name = PurePosixPath(group["file"]).name
        loaded[(name, group["name"])] = Group(name, group["name"], float(group["interval"]), rules,
                                              int(group.get("limit") or 0))
    return loaded


def _rule_differences(where: str, ours: Rule, live: Rule) -> list[str]:
    found = []
    if canonical(ours.expr) != canonical(live.expr):
        found.append(f"rule {ours.name} ({where}): expr is `{live.expr}` on the server, `{ours.expr}` in out/")
    for field, setting in (("duration", "for"), ("keep_firing_for", "keep_firing_for")):
        mine, theirs = getattr(ours, field), getattr(live, field)
        if mine != theirs:
            found.append(f"rule {ours.name} ({where}): {setting} is {format_seconds(theirs)} on the server, "
                         f"{format_seconds(mine)} in out/")
    for field, label in (("kind", "type"), ("labels", "labels"), ("annotations", "annotations")):
        mine, theirs = getattr(ours, field), getattr(live, field)
        if mine != theirs:
            found.append(f"rule {ours.name} ({where}): {label} is {theirs!r} on the server, {mine!r} in out/")
    return found


def differences(expected: dict[tuple[str, str], Group], loaded: dict[tuple[str, str], Group]) -> list[str]:
    """Every way the loaded groups differ from the expected ones, one sentence each."""
    found = [f"rule group {name} ({file}) is not loaded" for file, name in sorted(set(expected) - set(loaded))]
    found += [f"rule group {name} ({file}) is loaded but not in out/"
              for file, name in sorted(set(loaded) - set(expected))]
    for key in sorted(set(expected) & set(loaded)):
        ours, live = expected[key], loaded[key]
        where = f"group {ours.name}, {ours.file}"
        if ours.interval != live.interval:
            found.append(f"{where}: evaluated every {live.interval:g}s on the server, {ours.interval:g}s in out/")
        if ours.limit != live.limit:
            found.append(f"{where}: limit is {live.limit} on the server, {ours.limit} in out/")
        if [r.name for r in ours.rules] != [r.name for r in live.rules]:
            found.append(f"{where}: rules {[r.name for r in live.rules]} on the server, "
                         f"{[r.name for r in ours.rules]} in out/")
            continue
        for mine, theirs in zip(ours.rules, live.rules, strict=True):
            found += _rule_differences(where, mine, theirs)
    return found
