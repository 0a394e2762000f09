"""The char filter's offset map: highlights are drawn on the original through it.

If ``fold_with_offsets`` disagrees with ``fold`` or loses an offset, every highlight after
that point is shifted, or highlighting raises on the last characters of a post.
"""

from __future__ import annotations

import unicodedata

import pytest

from search.normalize import _COMPOSING_STARTERS, _FORMAT_RE, fold, fold_with_offsets

# Every code point of the BMP and of the supplementary planes that real text uses:
# SMP (emoji, historic scripts), SIP (CJK extension B+), TIP, and the tag characters.
_PLANES = [range(0x0, 0x10000), range(0x10000, 0x20000), range(0x20000, 0x40000), range(0xE0000, 0xE0080)]
_ALL = [chr(cp) for plane in _PLANES for cp in plane]

# Prepended concatenation marks are format characters (Cf) that are drawn: they stay.
_VISIBLE_FORMAT = set(
    "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd"
)


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" and ch not in _VISIBLE_FORMAT


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
    if any(_invisible(ch) for ch in folded):
        return f"{text!r}: an invisible format character survives folding: {folded!r}"
    return None


@pytest.mark.parametrize(
    "context",
    [
        "{}",
        "あ{}い",  # between kana
        "カ{}ゞ",  # before an iteration mark
        "a{}b",  # between Latin letters
        "Α{}Σ",  # between Greek capitals: a final-sigma rule would depend on what X is
        "{}\u0301",  # before a combining mark
        "\u1100{}",  # after a leading Hangul jamo, which a vowel jamo joins
        "가{}",  # after a Hangul syllable, which a final jamo joins
    ],
)
def test_offsets_match_fold_for_every_code_point(context: str) -> None:
    failures = []
    for ch in _ALL:
        problem = _check(context.format(ch))
        if problem:
            failures.append(problem)
    assert not failures, f"{len(failures)} failures, e.g. " + "; ".join(failures[:5])


@pytest.mark.parametrize(
    "text",
    [
        "ΟΔΟΣ",  # str.lower() writes a final sigma at a word end, a character alone cannot
        "ΟΔΟΣ ΟΔΟΣ.",
        "\u1100\u1161",  # conjoining jamo: NFKC composes them into 가
        "\u1100\u1161\u11a8",
        "가\u11a8",  # syllable + trailing jamo: 각
        "ㄱㅏ",  # compatibility jamo become conjoining jamo under NFKC, and compose
        "ｶ\u200bﾞ",  # a format character between a letter and the mark that voices it
        "\u0f72\u0f73",  # a vowel sign whose decomposition starts with a combining mark
        "e\u0301\u0323x",  # marks reordered by NFKC
    ],
)
def test_offsets_match_fold_where_context_used_to_matter(text: str) -> None:
    assert _check(text) is None


def test_case_variants_of_greek_fold_alike() -> None:
    assert fold("ΟΔΟΣ") == fold("οδος") == fold("Οδοσ") == "οδοσ"


def test_hangul_jamo_fold_and_map_to_one_syllable() -> None:
    folded, starts, ends = fold_with_offsets("あ\u1100\u1161い")
    assert folded == fold("あ가い") == "あ가い"
    assert (starts, ends) == ([0, 1, 3], [1, 3, 4])


@pytest.mark.parametrize(
    ("text", "folded", "starts"),
    [
        ("\u202eサーバ\u202c", "サーバ", [1, 2, 3]),  # right-to-left override and its end
        ("サー\u200bバー", "サーバー", [0, 1, 3, 4]),  # zero-width space
        ("inter\u00adnational", "international", [0, 1, 2, 3, 4, *range(6, 14)]),  # soft hyphen
        ("\ufeffAI", "ai", [1, 2]),  # byte order mark
        ("a\u2060\u2061\u2062\u2063\u2064b", "ab", [0, 6]),
        ("\u200f", "", []),
        ("\u200b\u200c\u200d\u200e\u202a\u202b\u202d\u2066\u2069", "", []),
    ],
)
def test_invisible_format_characters_are_dropped(text: str, folded: str, starts: list[int]) -> None:
    assert fold(text) == folded
    assert fold_with_offsets(text)[0] == folded
    assert fold_with_offsets(text)[1] == starts
    assert _check(text) is None


def test_only_whitespace_and_invisible_format_characters_fold_to_nothing() -> None:
    assert [ch for ch in _ALL if not fold(ch) and not ch.isspace() and not _invisible(ch)] == []
    assert [ch for ch in _ALL if _invisible(ch) and not _FORMAT_RE.match(ch)] == []
    # fold looks for them only in text that its first pass leaves unprintable:
    # no format character changes under NFKC or casefold, or is whitespace or printable.
    assert [
        ch
        for ch in _ALL
        if _FORMAT_RE.match(ch)
        and (
            unicodedata.normalize("NFKC", ch) != ch or ch.casefold() != ch or ch.isspace() or ch.isprintable()
        )
    ] == []


def test_every_starter_that_composes_with_the_one_before_is_known() -> None:
    # The second half of every canonical pair, if it is a starter (combining class 0), can
    # join the character before it under NFKC; a newer Unicode in Python may add some.
    second_halves = set()
    for ch in _ALL:
        decomposition = unicodedata.decomposition(ch).split()
        if len(decomposition) == 2 and not decomposition[0].startswith("<"):
            second = chr(int(decomposition[1], 16))
            if unicodedata.combining(second) == 0:
                second_halves.add(second)
    assert second_halves <= _COMPOSING_STARTERS


def test_visible_format_characters_stay() -> None:
    assert fold("\u0600١٢") == "\u0600١٢"  # the Arabic number sign is drawn above the digits


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
