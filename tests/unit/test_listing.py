"""core/listing: the text a message shows of a long value (preview notes, apply's drift lines share it)."""

from __future__ import annotations

from generator.core.listing import shortened


def test_a_text_within_the_limit_is_kept_and_a_longer_one_is_cut_to_the_limit() -> None:
    assert shortened("abcde", 5) == "abcde"
    assert shortened("abcdef", 5) == "ab..."
    assert len(shortened("x" * 5000, 60)) == 60
