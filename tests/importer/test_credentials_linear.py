"""`obsgen import`'s refusal of credentials takes time linear in them: each is placed at its line by bisection of
line starts found once (core/joined.Joined), and the strings of one imported object holding each secret are found
with one walk and one scan of each string (checks/secrets._Strings), placing and naming the same credentials as
before (old code written out below)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from generator.checks import secrets
from generator.core.errors import ProblemsFound
from generator.core.joined import Joined
from generator.core.secret_scan import Secret, distinct, find
from generator.importer import credentials
from generator.importer.reading import Budget, read_text
from tests.linear_time import LINEAR, growth

TOKEN = "Zq8Xw7Ve6Ut5Sr4Qp3On2Ml1"
SLACK = "https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/"


def test_credentials_are_named_at_their_lines_in_linear_time(tmp_path: Path) -> None:
    # the same webhook in n rules: each line was counted from the file's start
    source = tmp_path / "rules.yaml"
    [(secret, _, holding)] = secrets.in_document({"runbook_url": SLACK + TOKEN})

    def refused(text: str) -> None:
        source.write_text(text)
        leaked = [credentials.Credential(source, tmp_path / "rules.py", secret, ("annotations", "runbook_url"),
                                         holding)] * text.count("runbook_url")
        try:
            credentials.refuse(leaked, 2**30)
        except ProblemsFound as refusal:
            assert refusal.problems[-1].location.line == 2 * len(leaked) - 1
        else:
            raise AssertionError("not refused")

    assert growth(refused, lambda n: f"- runbook_url: {SLACK}{TOKEN}\n  summary: {'x' * 200}\n" * n) < LINEAR


def test_credentials_of_one_string_are_named_in_linear_time(tmp_path: Path) -> None:
    # a description holding n webhooks: the description was searched for, escaped and split once per webhook
    source = tmp_path / "rules.yaml"

    def refused(description: str) -> None:
        source.write_text(f"- description: {description}\n")
        leaked = [credentials.Credential(source, tmp_path / "rules.py", Secret("a Slack webhook", url),
                                         ("annotations", "description"), description)
                  for url in description.split()]
        try:
            credentials.refuse(leaked, 2**30)
        except ProblemsFound as refusal:
            assert {problem.location.line for problem in refusal.problems} == {1}
        else:
            raise AssertionError("not refused")

    assert growth(refused, lambda n: " ".join(f"{SLACK}{TOKEN}{i:06d}" for i in range(n)), 100) < LINEAR


def test_secrets_of_one_string_are_placed_in_linear_time() -> None:
    # a description holding n webhooks: the document was walked, and the description scanned, once per secret
    def text(n: int) -> str:
        return json.dumps({"description": " ".join(f"{SLACK}{TOKEN}{i:06d}" for i in range(n)),
                           "other": [f"s{i}" for i in range(n)]})

    assert len(secrets.in_document(json.loads(text(3)))) == 3
    assert growth(lambda written: secrets.in_document(json.loads(written)), text, 20) < LINEAR


def _old_holding(document: Any, secret: Secret) -> tuple[Any, str, bool] | None:
    holding = [(path, text) for path, text in secrets._strings(document) if secret.value in text]
    found = next(((path, text) for path, text in holding
                  if any(other.value == secret.value for other in find(text))), None)
    if found is not None:
        return (*found, True)
    return (*holding[0], False) if holding else None


def _old_distinct(found: list[Secret]) -> list[Secret]:
    unique = list({secret.value: secret for secret in reversed(found)}.values())[::-1]
    return [secret for secret in unique if not any(secret.value in other.value and secret.value != other.value
                                                   for other in unique)]


def test_the_strings_holding_a_secret_are_found_as_before() -> None:
    rng = random.Random(54)
    atoms = ["a", "b", "\n", "ab", "grafana", TOKEN, f"https://admin:{TOKEN}@x.com/", '{"k": "ab"}', "", " "]

    def text() -> str:
        return "".join(rng.choice(atoms) for _ in range(rng.randrange(4)))

    def document(depth: int = 0) -> Any:
        pick = rng.random()
        if depth > 2 or pick < 0.4:
            return text()
        if pick < 0.7:
            return [document(depth + 1) for _ in range(rng.randrange(4))]
        return {text(): document(depth + 1) for _ in range(rng.randrange(4))}

    for _ in range(300):
        made = document()
        strings = secrets._Strings(made)
        for value in ("", "a", "ab", "b\na", "\n", "grafana", TOKEN, "admin", "k", "b a"):
            assert secrets._holding(strings, Secret("k", value)) == _old_holding(made, Secret("k", value)), made


def test_secrets_inside_others_are_left_out_as_before() -> None:
    rng = random.Random(54)
    for _ in range(20000):
        found = [Secret(rng.choice("xy"), "".join(rng.choice("ab\n") for _ in range(rng.randrange(5))))
                 for _ in range(rng.randrange(8))]
        assert distinct(found) == _old_distinct(found), found


def _old_at(source: str, secret: str, holding: str, after: int) -> int:
    lines = [line.strip() for line in holding.splitlines() if secret in line]
    for value in (holding, *lines[:1], secret):
        for written in (value, json.dumps(value)[1:-1]):
            at = source.find(written, after)
            if at >= 0:
                return at
    return -1


def _old_lines(leaked: list[credentials.Credential]) -> list[int]:
    after: dict[tuple[Path, str, str], int] = {}
    lines = []
    for credential in leaked:
        source = read_text(credential.path, Budget(2**20, 2**20)) if credential.path.exists() else ""
        key = (credential.path, credential.secret.value, credential.holding)
        at = _old_at(source, credential.secret.value, credential.holding, after.get(key, 0))
        at = at if at >= 0 else _old_at(source, credential.secret.value, credential.holding, 0)
        after[key] = at + 1
        lines.append(source.count("\n", 0, at) + 1 if at >= 0 else 0)
    return lines


def test_credentials_are_placed_as_before(tmp_path: Path) -> None:
    rng = random.Random(54)
    pieces = ["a", "b", "\n", " ", "ab", '"', "\\", "x\ny", "a b", "\r"]
    paths = [tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "missing.txt"]

    def text(most: int) -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randrange(most)))

    for _ in range(2000):
        for path in paths[:2]:
            path.write_text(text(40))
        leaked = [credentials.Credential(rng.choice(paths), tmp_path / "m.py", Secret("k", text(3)), ("f",), text(6))
                  for _ in range(rng.randrange(8))]
        assert credentials._lines(leaked, 2**20) == _old_lines(leaked), leaked


def test_an_offsets_line_is_counted_as_before() -> None:
    rng = random.Random(54)
    for _ in range(5000):
        text = "".join(rng.choice("a\n\r ") for _ in range(rng.randrange(30)))
        lines = Joined(text.split("\n"))
        assert lines.text == text
        assert [lines.at(at) + 1 for at in range(len(text) + 2)] == [text.count("\n", 0, at) + 1
                                                                     for at in range(len(text) + 2)]


def test_distinct_credentials_are_named_at_their_lines_in_linear_time(tmp_path: Path) -> None:
    # a webhook of its own in each of n rules: each was searched for from the file's start (16,000: 13.7 s)
    source = tmp_path / "rules.yaml"

    def refused(text: str) -> None:
        source.write_text(text)
        leaked = [credentials.Credential(source, tmp_path / "rules.py", Secret("a Slack webhook", url),
                                         ("annotations", "runbook_url"), url)
                  for url in re.findall(r"https://\S+", text)]
        try:
            credentials.refuse(leaked, 2**30)
        except ProblemsFound as refusal:
            assert [problem.location.line for problem in refusal.problems] == list(range(1, 2 * len(leaked), 2))
        else:
            raise AssertionError("not refused")

    def text(n: int) -> str:
        return "".join(f"- runbook_url: {SLACK}{TOKEN}{i:06d}\n  summary: {'x' * 200}\n" for i in range(n))

    assert growth(refused, text, 200) < LINEAR


def test_many_credentials_are_placed_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # every search through the index (_Index), whose windows are short: texts across their edges, out of order
    monkeypatch.setattr(credentials, "INDEXED", 0)
    monkeypatch.setattr(credentials, "LONGEST", 4)
    monkeypatch.setattr(credentials, "WINDOW", 5)
    rng = random.Random(54)
    pieces = ["a", "b", "\n", " ", "ab", '"', "\\", "x\ny", "a b", "\r", "é"]
    paths = [tmp_path / "a.txt", tmp_path / "b.txt"]

    def text(most: int) -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randrange(most)))

    for _ in range(300):
        for path in paths:
            path.write_text(text(40))
        leaked = [credentials.Credential(rng.choice(paths), tmp_path / "m.py", Secret("k", text(3)), ("f",),
                                         text(6) + rng.choice(["", "\ud800"]))  # RE2 reads no lone surrogate
                  for _ in range(rng.randrange(12))]
        assert credentials._lines(leaked, 2**20) == _old_lines(leaked), leaked
