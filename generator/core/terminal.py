"""Text printed to a terminal that quotes what files or servers hold, with what a terminal would act on (escape
sequences, bells, bidi overrides) escaped. Standard library only: the command line, apply and the exporter's
commands print through it, and a replayed build imports it."""

from __future__ import annotations


def shown(text: str, keep: str = "") -> str:
    """text with what a terminal would act on (escape sequences, bells, line breaks, bidi overrides) escaped as
    Python writes it, but the characters in keep: messages may quote names read from imported files."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char in keep else repr(char)[1:-1] for char in text)


def said(text: str) -> str:
    """Command output quoting what files or servers hold (a diff's values, a listing's names, a tool's output, a
    server's rule errors and alerts), escaped as a problem's message is: of what a terminal acts on, only line
    breaks and tabs are kept."""
    return shown(text, keep="\n\t")
