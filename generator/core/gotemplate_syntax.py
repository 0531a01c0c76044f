"""Go text/template syntax as Prometheus parses alert annotations and labels, and Alertmanager its notification
templates: what they refuse, refused here.

A port of the checks text/template's lexer and parser make (actions closed, strings terminated, control
structures balanced, functions and variables defined), with the functions each consumer adds to Go's and the
variables it declares. Evaluation is gotemplate's job; this only says whether the consumer would load the template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GO_FUNCTIONS = frozenset({"and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js",
                          "urlquery", "call", "eq", "ne", "lt", "le", "gt", "ge"})
PROMETHEUS_FUNCTIONS = frozenset({
    "query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match", "title", "toUpper",
    "toLower", "graphLink", "tableLink", "sortByLabel", "humanize", "humanize1024", "humanizeDuration",
    "humanizePercentage", "humanizeTimestamp", "toTime", "pathPrefix", "externalURL", "parseDuration",
    "stripPort", "stripDomain"})
"""Prometheus 2.42's template functions (template/template.go), promtool's here: toDuration and now came in later
releases, urlQueryEscape in 3.x (prometheus/prometheus#17404); Go's urlquery escapes a query value in any."""
ALERTMANAGER_FUNCTIONS = frozenset({"toUpper", "toLower", "title", "join", "match", "safeHtml", "reReplaceAll",
                                    "stringSlice"})
"""Alertmanager 0.25's (template/template.go DefaultFuncs), amtool's here: trimSpace came in 0.26, date, tz,
since, humanizeDuration, toJson, urlUnescape... later; none of Prometheus' humanize functions or queries."""


@dataclass(frozen=True)
class Consumer:
    """What parses the templates: whose functions they are (for messages), the functions it adds to Go's and the
    variables it declares."""

    whose: str
    functions: frozenset[str]
    variables: frozenset[str]


PROMETHEUS = Consumer("Prometheus'", PROMETHEUS_FUNCTIONS,
                      frozenset({"$", "$labels", "$value", "$externalLabels", "$externalURL"}))
"""Alert annotations and labels: the variables are those its alert header declares (rules/alerting.go)."""
ALERTMANAGER = Consumer("Alertmanager's", ALERTMANAGER_FUNCTIONS, frozenset({"$"}))
"""Notification templates, given the notification's data (.Alerts, .GroupLabels, ...) and no variables."""
OPENING = frozenset({"if", "range", "with", "define", "block"})

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\\n]|\\.)+')
  | (?P<declare>:=|=)
  | (?P<punct>[|(),])
  | (?P<variable>\$[A-Za-z0-9_]*)
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)
  | (?P<number>[-+]?(?:0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+)i?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)


class TemplateSyntaxError(ValueError):
    """The template would not load in its consumer; the message says why, as Go's parser would."""


def _actions(template: str) -> list[str]:
    """The text inside each {{ }}, trim markers removed; comments dropped."""
    found, at = [], 0
    while (start := template.find("{{", at)) >= 0:
        end = template.find("}}", start + 2)
        if end < 0:
            raise TemplateSyntaxError("unclosed action: a '{{' without its '}}'")
        body = template[start + 2:end]
        if body.startswith("- ") or body.startswith("-\t") or body.startswith("-\n"):
            body = body[2:]
        if body.endswith(" -") or body.endswith("\t-") or body.endswith("\n-"):
            body = body[:-2]
        body = body.strip()
        if body.startswith("/*"):
            if not body.endswith("*/"):
                raise TemplateSyntaxError("unclosed comment")
        else:
            found.append(body)
        at = end + 2
    return found


def _tokens(action: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    while at < len(action):
        match = _TOKEN.match(action, at)
        if match is None:
            raise TemplateSyntaxError(f"unexpected {action[at]!r} in {{{{{action}}}}}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append((kind, match.group()))
        at = match.end()
    return tokens


def _pipeline(tokens: list[tuple[str, str]], declared: set[str], action: str, consumer: Consumer) -> None:
    """Functions known, variables declared, parentheses balanced, no empty command."""
    depth = 0
    expecting_command = True
    assigns = next((i for i, (kind, text) in enumerate(tokens) if kind == "declare" and text == ":="), 0)
    declared.update(text for kind, text in tokens[:assigns] if kind == "variable")  # range $i, $x := ...
    for index, (kind, text) in enumerate(tokens):
        if kind == "declare":
            if index == 0 or tokens[index - 1][0] != "variable":
                raise TemplateSyntaxError(f"{text} without a variable before it in {{{{{action}}}}}")
            continue
        if kind == "variable":
            if index >= assigns and text.split(".")[0] not in declared:
                raise TemplateSyntaxError(f"undefined variable {text!r}")
        elif kind == "word" and text not in GO_FUNCTIONS | consumer.functions | {"true", "false", "nil"}:
            raise TemplateSyntaxError(f"function {text!r} not defined ({consumer.whose} are: "
                                      f"{', '.join(sorted(consumer.functions))})")
        elif kind == "punct":
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
                if depth < 0:
                    raise TemplateSyntaxError(f"unexpected ')' in {{{{{action}}}}}")
            elif text == "|" and expecting_command:
                raise TemplateSyntaxError(f"missing command before '|' in {{{{{action}}}}}")
        expecting_command = kind == "punct" and text in "|("
    if depth:
        raise TemplateSyntaxError(f"unclosed '(' in {{{{{action}}}}}")
    if tokens and expecting_command:
        raise TemplateSyntaxError(f"missing command after '|' in {{{{{action}}}}}")


def check(template: str, consumer: Consumer = PROMETHEUS) -> None:
    """TemplateSyntaxError if the consumer (Prometheus' rules, Alertmanager's notifications) would refuse the
    template; nothing otherwise."""
    open_blocks: list[str] = []
    declared = set(consumer.variables)
    for action in _actions(template):
        tokens = _tokens(action)
        if not tokens:
            raise TemplateSyntaxError("missing value for command: an empty {{ }}")
        kind, word = tokens[0]
        if kind == "word" and word in OPENING:
            if len(tokens) == 1:
                raise TemplateSyntaxError(f"missing value for {word}")
            open_blocks.append(word)
            if word in ("define", "block"):
                if tokens[1][0] not in ("string", "raw"):
                    raise TemplateSyntaxError(f"{word} needs a quoted template name")
                tokens = tokens[2:]
            else:
                tokens = tokens[1:]
        elif kind == "word" and word == "end":
            if len(tokens) > 1 or not open_blocks:
                raise TemplateSyntaxError("unexpected {{end}}")
            open_blocks.pop()
            continue
        elif kind == "word" and word == "else":
            if not open_blocks or open_blocks[-1] not in ("if", "range", "with"):
                raise TemplateSyntaxError("unexpected {{else}}")
            tokens = tokens[2:] if len(tokens) > 1 and tokens[1][1] in ("if", "with") else tokens[1:]
            if not tokens and len(_tokens(action)) > 1:
                raise TemplateSyntaxError("missing value for else if")
        elif kind == "word" and word in ("break", "continue"):
            if "range" not in open_blocks:
                raise TemplateSyntaxError(f"{{{{{word}}}}} outside {{{{range}}}}")
            continue
        elif kind == "word" and word == "template":
            if len(tokens) < 2 or tokens[1][0] not in ("string", "raw"):
                raise TemplateSyntaxError("template needs a quoted template name")
            tokens = tokens[2:]
        _pipeline(tokens, declared, action, consumer)
    if open_blocks:
        raise TemplateSyntaxError(f"unexpected EOF: {{{{{open_blocks[-1]}}}}} without its {{{{end}}}}")


GUARDS = frozenset({"if", "with"})
MOVES_DOT = frozenset({"with", "range", "define", "block"})
LABELS = ("$labels", ".Labels")
"""The alert's labels in a rule template: the variable Prometheus' header declares, the field of the alert's dot."""
EXTERNAL_LABELS = ("$externalLabels", ".ExternalLabels")
"""The server's external_labels in a rule template (rules/alerting.go: `{{$externalLabels := .ExternalLabels}}`)."""


def _label_read(tokens: list[tuple[str, str]], index: int, dot_is_alert: bool, source: tuple[str, str]) -> str:
    """The label the token at index reads from the source's labels ('' for none): `$labels.x`, `.Labels.x`,
    `index $labels "x"` (or their $externalLabels and .ExternalLabels)."""
    variable, field = source
    kind, text = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else ("", "")
    if kind == "variable" and text == variable and following[0] == "field" and following[1] != ".":
        return following[1].split(".")[1]
    if kind == "field" and dot_is_alert and text.startswith(f"{field}."):
        return text.split(".")[2]
    if kind == "word" and text == "index" and index + 2 < len(tokens):
        labels, key = tokens[index + 1], tokens[index + 2]
        if (labels == ("variable", variable) or (dot_is_alert and labels == ("field", field))) \
                and key[0] in ("string", "raw"):
            return key[1][1:-1]
    return ""


def label_reads(template: str, source: tuple[str, str] = LABELS) -> list[str]:
    """The alert labels a Prometheus rule template prints, in order: `$labels.x`, `.Labels.x` and
    `index $labels "x"` (with source=EXTERNAL_LABELS, the server's external labels it prints); not a label an
    enclosing if or with tests (`{{ with $labels.x }}` handles a missing label on purpose), nor `.Labels` where with
    or range has moved the dot (`{{ with query "..." }}`); none for a template that does not parse (the model
    refuses those)."""
    try:
        found: list[str] = []
        blocks: list[tuple[bool, set[str]]] = []  # per open block: whether it moved the dot, the labels it tests
        for action in _actions(template):
            tokens = _tokens(action)
            first = tokens[0][1] if tokens and tokens[0][0] == "word" else ""
            if first == "end":
                blocks = blocks[:-1]
                continue
            reads = [label for index in range(len(tokens))
                     if (label := _label_read(tokens, index, not any(moved for moved, _ in blocks), source))]
            if first in GUARDS | MOVES_DOT:
                blocks.append((first in MOVES_DOT, set(reads) if first in GUARDS else set()))
            elif first == "else" and blocks:
                blocks[-1][1].update(reads)
            if first in GUARDS or first == "else":
                continue
            tested = set().union(*(labels for _, labels in blocks))
            found += [label for label in reads if label not in tested]
        return found
    except TemplateSyntaxError:
        return []


def reads_value(template: str) -> bool:
    """Whether a Prometheus rule template reads the alert's value (`$value`, or `.Value` where the dot is the
    alert's); False for a template that does not parse."""
    try:
        blocks: list[bool] = []  # per open block: whether it moved the dot
        for action in _actions(template):
            tokens = _tokens(action)
            first = tokens[0][1] if tokens and tokens[0][0] == "word" else ""
            dot_is_alert = not any(blocks)
            if any(token == ("variable", "$value") or (dot_is_alert and token == ("field", ".Value"))
                   for token in tokens):
                return True
            if first == "end":
                blocks = blocks[:-1]
            elif first in OPENING:
                blocks.append(first in MOVES_DOT)
        return False
    except TemplateSyntaxError:
        return False
