"""How obsgen's messages count things: "1 alert", "2 alerts", never "1 alerts" or an "(s)". Standard library only:
the command line, the checks, apply and the exporter all count through it."""

from __future__ import annotations


def counted(count: float, noun: str, plural: str = "") -> str:
    """count and noun, the noun plural unless count is one: counted(1, "alert") is "1 alert", counted(2, "alert")
    "2 alerts"; plural for a noun that does not take an s (counted(3, "entry", "entries"), counted(2, "series",
    "series")). A float count is written as %g writes it (1.5 days), an int as it is."""
    number = str(count) if isinstance(count, int) else f"{count:g}"
    return f"{number} {plural_of(count, noun, plural)}"


def plural_of(count: float, noun: str, plural: str = "") -> str:
    """The noun alone, as counted writes it after count: for a message whose number comes elsewhere
    ("{done} of {total} ...")."""
    return noun if count == 1 else (plural or f"{noun}s")
