"""Alert annotations and labels are Go templates that Prometheus parses when it loads the rule."""

from typing import Annotated

from pydantic import AfterValidator

from generator.core.gotemplate_syntax import TemplateSyntaxError, check


def _parses(text: str) -> str:
    try:
        check(text)
    except TemplateSyntaxError as error:
        raise ValueError(f"not a template Prometheus can load: {error}") from None
    return text


GoTemplate = Annotated[str, AfterValidator(_parses)]
"""Text Prometheus expands as a Go template, with its functions and alert variables; refused if it would not load."""
