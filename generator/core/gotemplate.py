"""The subset of Prometheus' Go templating obsgen can evaluate to predict annotations in rule tests: labels of the
result, external labels and the external URL (as they are or `| urlquery`), the value as Go prints it,
`printf "%.Nf"`, Prometheus' humanize functions (called or piped), `with $labels.x`, the value or NO_VALUE where it
is NaN (guard_absent_value).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from urllib.parse import quote_plus

from generator.core.humanize import FUNCTIONS, HumanizeError, go_format

_NOT_BLANK = re.compile(r"\S")
_ESCAPED = r"(?:\s*\|\s*(urlquery))?"
"""A label's value piped to Go's urlquery (url.QueryEscape): a query parameter's value, `&`, `#`, `+` and spaces
escaped. Go's, in every Prometheus and Loki; Prometheus' own urlQueryEscape is newer than 2.42's promtool."""
_LABELS = r"\$(labels|externalLabels)\.([a-zA-Z_][a-zA-Z0-9_]*)"
"""A label of the alert's result ($labels) or of the server's external_labels ($externalLabels): which, and its
name."""
_LABEL = re.compile(rf"^{_LABELS}{_ESCAPED}$")
_URL = re.compile(rf"^\$externalURL{_ESCAPED}$")
"""The server's external URL (its --web.external-url), as it is or piped to urlquery."""
_PRINTF = re.compile(r'^printf\s+"(%\.\d+f)"\s+\$value$')
_PIPED_PRINTF = re.compile(r'^printf\s+"(%\.\d+f)"$')
_FUNCTION = re.compile(r"^([a-zA-Z0-9]+)\s+\$value$")
_WITH_LABEL = re.compile(rf"\{{\{{-?\s*with\s+{_LABELS}\s*-?\}}\}}")
"""`{{ with $labels.x }}...{{ . }}...{{ end }}` (a _block): the text, with the label's value for `{{ . }}`, where the
alert has the label (a label some series lack, such as a filesystem's mountpoint)."""
_DOT = re.compile(rf"\{{\{{-?\s*\.{_ESCAPED}\s*-?\}}\}}")
NO_VALUE = "no current value"
"""What a copy's text says for its value while it has none (NaN: an escalation copy while its alert's condition
dips)."""
_IS_NAN = '{{ if eq (printf "%f" $value) "NaN" }}'
"""Whether the value is NaN, with what Prometheus 2.42 defines (its templates have no isNaN): Go's %f writes NaN."""
_ABSENT = re.compile(r'\{\{-?\s*if\s+eq\s+\(printf\s+"%f"\s+\$value\)\s+"NaN"\s*-?\}\}')
"""`{{ if eq (printf "%f" $value) "NaN" }}...{{ else }}...{{ end }}` (a _block), as guard_absent_value writes it."""
_ELSE = re.compile(r"\{\{-?\s*else\s*-?\}\}")
_END = re.compile(r"\{\{-?\s*end\s*-?\}\}")
_VALUE_ACTION = re.compile(r"\{\{(?!-?\s*(?:if|with|range|else|end)\b)(?=[^{}]*?\$value)[^{}]*+\}\}%?")
"""An action printing the value, with a % written right after it (the value's unit, pointless without it): its
text up to the first brace holds $value (a look-ahead), then `}}` ends it (possessive: `[^{}]*` before and after $value
tried each $value of an unclosed action in turn, quadratic)."""


def _past_blanks(text: str, at: int) -> int:
    """Where the blanks (as regexes' \\s counts them) from at end."""
    found = _NOT_BLANK.search(text, at)
    return found.start() if found else len(text)


def _actions(template: str) -> Iterator[tuple[int, int, str]]:
    """Each action's start, end and body, as `\\{\\{-?\\s*(.*?)\\s*-?\\}\\}` finds them (the body on one line; the
    blanks around it, newlines included, and a trim marker's dash outside it), in linear time: that regex tried
    every split of a run of blanks (cubic: `{{` and 10,000 spaces ran for minutes), and read to the text's end again
    from each `{{` of a text with no `}}`. The first `}}` at or after the body's start closes the action (with a
    `-` right before it); it fails where a newline comes before it other than in the blanks right before the
    close. Each search below starts where the last one did or later, so each `find` is done once per place."""
    braces = newline = blanks_from = blanks_to = -1
    start = template.find("{{")
    while start >= 0:
        dash = start + 2 + template.startswith("-", start + 2)
        body_start = _past_blanks(template, dash)
        if braces < body_start:
            braces = template.find("}}", body_start)
            if braces < 0:
                return
        end, close = braces + 2, braces - (braces > body_start and template[braces - 1] == "-")
        if newline < body_start:
            newline = template.find("\n", body_start)
            if newline < 0:
                newline = len(template)
        if newline < close and blanks_from != newline:
            blanks_from, blanks_to = newline, _past_blanks(template, newline)
        if newline > close or blanks_to == close:
            yield start, end, template[body_start:close].rstrip()
            start = template.find("{{", end)
        else:
            start = template.find("{{", start + 1)


def _each_action(template: str, replace: Callable[[str, str], str]) -> str:
    """The template with each action replaced by replace(the action, its body)."""
    parts, done = [], 0
    for start, end, body in _actions(template):
        parts += [template[done:start], replace(template[start:end], body)]
        done = end
    return "".join([*parts, template[done:]])


def _blocks(template: str, head: re.Pattern[str], closes: list[re.Pattern[str]],
            replace: Callable[[re.Match[str], list[str]], str]) -> str:
    """The template with each block replaced by replace(its head, the text before each close): what the regex
    `head(.*?)close(.*?)...` (DOTALL) replaces, in linear time. That regex read to the end again from each head with
    no closes after it (quadratic); but each close is the first after the one before, so once a head has none, no
    later head has either, and the search stops."""
    pieces: list[str] = []
    done = 0
    while (opened := head.search(template, done)) is not None:
        texts, at = [], opened.end()
        for close in closes:
            closed = close.search(template, at)
            if closed is None:
                return "".join([*pieces, template[done:]])
            texts.append(template[at:closed.start()])
            at = closed.end()
        pieces += [template[done:opened.start()], replace(opened, texts)]
        done = at
    return "".join([*pieces, template[done:]])


class TemplateError(ValueError):
    """A template action outside the supported subset."""


def go_float(value: float) -> str:
    """Go's %v of a float64: strconv's 'g' with the shortest digits, exponent form outside [-4, 6)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digit_tuple, exp = Decimal(repr(float(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    exponent = len(digits) - 1 + int(exp)
    prefix = "-" if sign else ""
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{prefix}0.{'0' * (-exponent - 1)}{digits}"
    whole = digits[: exponent + 1].ljust(exponent + 1, "0")
    fraction = digits[exponent + 1 :]
    return f"{prefix}{whole}{'.' + fraction if fraction else ''}"


def _shown_label(value: str, escape: str | None) -> str:
    """A label's value as the action prints it: as it is, or as Go's url.QueryEscape writes it (space as +, the
    bytes of UTF-8 outside A-Z a-z 0-9 - _ . ~ as %XX)."""
    return quote_plus(value, safe="") if escape else value


def guard_absent_value(template: str) -> str:
    """The template saying NO_VALUE where it would print the value (and a % after it) while the value is NaN:
    "CPU on web-1 at no current value (above 90%)", where Go would print "at NaN% (above 90%)"."""
    return _VALUE_ACTION.sub(lambda shown: f"{_IS_NAN}{NO_VALUE}{{{{ else }}}}{shown[0]}{{{{ end }}}}", template)


def readable(template: str) -> str:
    """The template as a person reads it where no alert fills it (a runbook): `<instance>` for a label, `<value>`
    for the value, `<externalURL>` for the server's URL; other actions are left as written."""

    def action(written: str, body: str) -> str:
        if label := _LABEL.match(body):
            return f"<{label.group(2)}>"
        if _URL.match(body):
            return "<externalURL>"
        return "<value>" if "$value" in body else written

    template = _blocks(template, _WITH_LABEL, [_END], lambda head, texts: _DOT.sub(f"<{head.group(2)}>", texts[0]))
    return _each_action(_blocks(template, _ABSENT, [_ELSE, _END], lambda _head, texts: texts[1]), action)


def _shown_value(body: str, value: float | None) -> str | None:
    """The text of an action that shows the value (`$value`, `printf "%.Nf" $value`, `humanize $value`,
    `$value | humanizeDuration`, ...); None for any other action."""
    first, *rest = (command.strip() for command in body.split("|"))
    printf = _PRINTF.match(first)
    function = _FUNCTION.match(first)
    if first != "$value" and not printf and not (function and function.group(1) in FUNCTIONS):
        return None
    if not all(command in FUNCTIONS or _PIPED_PRINTF.match(command) for command in rest):
        return None
    if value is None:
        raise TemplateError(f"{{{{ {body} }}}} needs the example's value=")
    shown: float | str = value
    for command in [first, *rest]:
        if isinstance(shown, str):  # Go would parse the text back as a float; obsgen does not predict that
            raise TemplateError(f"{{{{ {body} }}}}: {command} is given text, not the value")
        try:
            if command in FUNCTIONS:
                shown = FUNCTIONS[command](shown)
            elif function and command == first:
                shown = FUNCTIONS[function.group(1)](shown)
            elif spec := (_PRINTF.match(command) or _PIPED_PRINTF.match(command)):
                shown = go_format(spec.group(1), shown)
        except HumanizeError as error:
            raise TemplateError(f"{{{{ {body} }}}}: {error}") from error
    return go_float(shown) if isinstance(shown, float) else shown


def render(template: str, labels: Mapping[str, str], value: float | None,
           external_labels: Mapping[str, str] | None = None, external_url: str = "") -> str:
    """The text Prometheus would produce, given the labels of the alert's result, the server's external_labels and
    its external URL; TemplateError for actions outside the subset."""
    variables = {"labels": labels, "externalLabels": external_labels or {}}

    def action(_written: str, body: str) -> str:
        if label := _LABEL.match(body):
            # Prometheus expands annotations with missingkey=zero: a label the alert lacks prints "", not Go's
            # "<no value>" (promtool's rule tests compare with what Prometheus renders)
            return _shown_label(variables[label.group(1)].get(label.group(2), ""), label.group(3))
        if url := _URL.match(body):
            return _shown_label(external_url, url.group(1))
        shown = _shown_value(body, value)
        if shown is None:
            raise TemplateError(
                f"template action {{{{ {body} }}}} cannot be predicted for the rule test "
                "(use $labels.<name>, $externalLabels.<name>, $externalURL, $value, printf \"%.Nf\" $value, "
                "$value | <Prometheus' humanize function> or with $labels.<name> ... end)")
        return shown

    def with_label(head: re.Match[str], texts: list[str]) -> str:
        given = variables[head.group(1)].get(head.group(2), "")
        return _DOT.sub(lambda dot: _shown_label(given, dot.group(1)), texts[0]) if given else ""

    def absent(_head: re.Match[str], texts: list[str]) -> str:
        return texts[0] if value is not None and math.isnan(value) else texts[1]

    guarded = _blocks(template, _ABSENT, [_ELSE, _END], absent)
    return _each_action(_blocks(guarded, _WITH_LABEL, [_END], with_label), action)
