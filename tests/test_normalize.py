"""The char filter's offset map: highlights are drawn on the original through it.

If ``fold_with_offsets`` disagrees with ``fold`` or loses an offset, every highlight after
that point is shifted, or highlighting raises on the last characters of a post.
"""

from __future__ import annotations

import pytest

from search.normalize import fold, fold_with_offsets

# Every code point of the BMP and of the supplementary planes that real text uses:
# SMP (emoji, historic scripts), SIP (CJK extension B+), TIP, and the tag characters.
_PLANES = [range(0x0, 0x10000), range(0x10000, 0x20000), range(0x20000, 0x40000), range(0xE0000, 0xE0080)]


def _check(text: str) -> str | None:
    folded, starts, ends = fold_with_offsets(text)
    if folded != fold(text):
        return f"{text!r}: fold_with_offsets gives {folded!r}, fold gives {fold(text)!r}"
    if len(starts) != len(folded) or len(ends) != len(folded):
        return f"{text!r}: {len(folded)} folded characters but {len(starts)}/{len(ends)} offsets"
    if any(not (0 <= s < e <= len(text)) for s, e in zip(starts, ends, strict=True)):
        return f"{text!r}: offsets outside the text: {list(zip(starts, ends, strict=True))}"
    if starts != sorted(starts):
        return f"{text!r}: offsets go backwards: {starts}"
    return None


@pytest.mark.parametrize("context", ["{}", "あ{}い", "カ{}ゞ", "a{}b"])
def test_offsets_match_fold_for_every_code_point(context: str) -> None:
    failures = []
    for plane in _PLANES:
        for cp in plane:
            ch = chr(cp)
            problem = _check(context.format(ch))
            if problem:
                failures.append(problem)
    assert not failures, f"{len(failures)} failures, e.g. " + "; ".join(failures[:5])


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("いすゞ", "いすず"),
        ("さゝやか", "ささやか"),
        ("あゞい", "ああい"),  # あ has no voiced form: the mark repeats the sound unvoiced
        ("ゞ", "ゞ"),  # nothing to repeat
        ("1ゞ", "1ゞ"),  # not kana: left as written
        ("ｶﾞゞ", "ガガ"),
        ("ハヾ", "ハバ"),
    ],
)
def test_iteration_marks(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert _check(text) is None
