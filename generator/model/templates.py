"""Alert annotations and labels are Go templates that Prometheus parses when it loads the rule; a receiver's
templated fields (an email's recipients, a Slack channel) are Go templates Alertmanager parses when it notifies."""

from typing import Annotated

from pydantic import AfterValidator

from generator.core.gotemplate_syntax import ALERTMANAGER, TemplateSyntaxError, check


def _parses(text: str) -> str:
    try:
        check(text)
    except TemplateSyntaxError as error:
        raise ValueError(f"not a template Prometheus can load: {error}") from None
    return text


def notification_template(text: str) -> str:
    """The text, if Alertmanager can parse it as a template of its notifications (with its own functions, not
    Prometheus'); ValueError otherwise. Alertmanager parses a receiver's fields only when it notifies, so that
    `amtool check-config` passes a template it will fail to send."""
    try:
        check(text, ALERTMANAGER)
    except TemplateSyntaxError as error:
        raise ValueError(f"{text!r} is not a template Alertmanager can send: {error}") from None
    return text


GoTemplate = Annotated[str, AfterValidator(_parses)]
"""Text Prometheus expands as a Go template, with its functions and alert variables; refused if it would not load."""
