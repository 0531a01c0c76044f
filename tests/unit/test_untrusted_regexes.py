"""Regexes applied to untrusted text (a server's answer, a command's output, a rule, a dashboard, a manifest) run
in linear time: a long run of one character must not make obsgen take minutes. Each is told by how its CPU time
grows from a text of n characters to one of 10 n (tests/linear_time.py): about 10 when linear, 100 when quadratic."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from generator.apply.files import KEY_VALUE, redacted
from generator.apply.http import hide_user_parts
from generator.core.grafana_formats import lucene_escape
from generator.core.lined import lined_json
from generator.core.secret_scan import find
from generator.core.untrusted import ReadError, load_json
from tests.linear_time import LINEAR, growth


@pytest.mark.parametrize("text", [
    lambda n: "a" * n,  # a scheme tried at every letter read the rest of the run each time: 100k took 18 s
    lambda n: "a://" + "x" * n,  # the same after a scheme with no user part
    lambda n: "a://b" * (n // 5),
], ids=["letters", "scheme then letters", "schemes"])
def test_hiding_user_parts_is_linear(text: Callable[[int], str]) -> None:
    assert growth(hide_user_parts, text) < LINEAR


@pytest.mark.parametrize(("text", "hidden"), [
    ("http://admin:pw@h/x", "http://***@h/x"),
    ("`git push https://u:p@g/r x://a@b`", "`git push https://***@g/r x://***@b`"),
    ("ab_c1://u@h a b://@c é://u@h", "ab_c1://***@h a b://@c é://***@h"),
    ("a://b/c@d x", "a://b/c@d x"),  # the @ is past the host
])
def test_user_parts_are_hidden_as_before(text: str, hidden: str) -> None:
    assert hide_user_parts(text) == hidden


def _refused(text: str) -> None:
    with pytest.raises(ValueError):
        load_json(text)


@pytest.mark.parametrize("text", [
    lambda n: '["' + '\\"' * n,  # a string never closed: each escaped quote in it started one anew, read to the end
    lambda n: '{"a": 1, "b": "' + '\\"' * n + "]" * n,
], ids=["unclosed string", "unclosed string then brackets"])
def test_a_json_text_with_an_unclosed_string_is_refused_in_linear_time(text: Callable[[int], str]) -> None:
    # 40k characters took 4.6 s, 1 MiB (an imported dashboard, a server's answer) about an hour
    assert growth(_refused, text) < LINEAR


def _refused_lined(text: str) -> None:
    with pytest.raises(ValueError):
        lined_json(text)


def test_an_imported_dashboard_with_an_unclosed_string_is_refused_in_linear_time() -> None:
    # lined_json (obsgen import's reader of a dashboard file, each object knowing its line) scanned the text with a
    # copy of the old string pattern before parsing: 20k characters took 2.8 s, 40k 12.9 s
    assert growth(_refused_lined, lambda n: '{"a": "' + '\\"' * n) < LINEAR
    assert lined_json('{"a": {"b": "\\"}"},\n "c": [{"d": 1}]}').line_of("c") == 2


def _key_twice_at(text: str) -> None:
    with pytest.raises(ReadError, match="first at line 2") as refused:
        load_json(text)
    assert refused.value.line == text.count("\n") + 1


def test_a_json_object_holding_a_key_twice_is_named_at_its_line_in_linear_time() -> None:
    # the line of each key was counted from the text's start: 1 MiB of keys took 15.6 s, 16 MiB (the bound) an hour
    assert growth(_key_twice_at, lambda n: "{\n" + ",\n".join(f'"k{i}": 1' for i in range(n)) + ',\n"k0": 2}') < LINEAR


@pytest.mark.parametrize("text", [
    lambda n: "-" * n,  # the dashes split every way between a list item's and the key's
    lambda n: "a: x" + " " * n + "y" + " " * n + "\x00",  # the blanks rescanned at each character of the value
], ids=["dashes", "blanks in a value"])
def test_redacting_a_servers_configuration_is_linear(text: Callable[[int], str]) -> None:
    # --dry-run's diff of a running server's configuration: 20k characters took 2.7 s
    assert growth(redacted, text) < LINEAR


@pytest.mark.parametrize(("text", "pairs"), [
    ("- smtp_auth_password: s3cr3t  \n", [("smtp_auth_password", "s3cr3t")]),
    ("---: x\n- - -k-: v w\t\n", [("-", "x"), ("k-", "v w")]),
    ("- : x\nkey :\n", [("-", "x")]),
])
def test_key_value_pairs_are_read_as_before(text: str, pairs: list[tuple[str, str]]) -> None:
    assert [(found["key"], found["value"]) for found in KEY_VALUE.finditer(text)] == pairs


@pytest.mark.parametrize("text", [lambda n: "0" * n + "x", lambda n: "\t" * n + "\x00"], ids=["digits", "blanks"])
def test_lucene_escaping_a_variables_value_is_linear(text: Callable[[int], str]) -> None:
    # a value Prometheus answered or a dashboard held: 20k digits then a letter took 11 s
    assert growth(lucene_escape, text) < LINEAR


@pytest.mark.parametrize(("value", "escaped"), [("12", "12"), (" -1.5e3 ", " -1.5e3 "), ("0x1F", "0x1F"), ("", ""),
                                                ("1.2-3", "1.2\\-3"), ("-", "\\-"), ("+Infinity", "+Infinity")])
def test_a_number_is_left_as_it_is(value: str, escaped: str) -> None:
    assert lucene_escape(value) == escaped


def test_a_password_named_in_prose_is_found_in_linear_time() -> None:
    # `\s*:?\s+` split the blanks after "password" every way: 5k tabs took 0.3 s, x78 for x10 more
    assert growth(find, lambda n: "password" + "\t" * n) < LINEAR
    assert [secret.value for secret in find("the password :Tr0ub4dor-3xKq9 and password:  'Zq8Xw7Ve6U'")] == [
        ":Tr0ub4dor-3xKq9", "Zq8Xw7Ve6U"]
