"""What a watching build keeps (core/made_once.py): a result only for the same subject and equal inputs, and never
for a document no made() returned in the build."""

from __future__ import annotations

from typing import Any

from generator.core.made_once import Memo, keeping, made


def _sized(subject: Any, inputs: str) -> str:
    return f"{inputs} {len(subject)}"


def test_a_result_is_kept_for_the_same_subject_and_equal_inputs_only() -> None:
    memo, subject, other = Memo(), tuple("ab"), tuple("ab")  # (two objects: equal constants would be one)
    with keeping(memo):
        first = made(_sized, subject, "size")
    with keeping(memo):
        assert made(_sized, subject, "size") is first
        assert made(_sized, other, "size") is not first  # equal, but another object: made again
        assert made(_sized, subject, "length") == "length 2"


def test_a_document_made_elsewhere_is_read_again_each_time() -> None:
    memo, document = Memo(), dict[str, object]({"panels": []})
    with keeping(memo):
        assert made(_sized, document, "keys") == "keys 1"
    document["title"] = "changed in place"
    with keeping(memo):
        assert made(_sized, document, "keys") == "keys 2"


def test_without_a_memo_every_call_makes_its_result() -> None:
    subject = ("a",)
    assert made(_sized, subject, "size") is not made(_sized, subject, "size")
