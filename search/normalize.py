"""Character-level normalisation: the "char filter" stage of the analysis chain.

Everything that compares text below the word level (substring matching, highlights of
partial matches, tag keys) goes through :func:`fold`, so that ＡＩ, ａｉ and AI, or ｱﾏｿﾞﾝ
and アマゾン, are the same characters. Whitespace is dropped because Markdown hard-wraps
Japanese sentences at arbitrary points: 関西国際\\n空港 must still contain 関西国際空港.

:func:`fold_with_offsets` must give exactly the text :func:`fold` gives (highlights are
found in one and drawn through the other's offsets), so every step of folding is either
per character or, for NFKC, applied to pieces that NFKC provably treats independently.
"""

from __future__ import annotations

import re
import unicodedata

_HIRA_START, _HIRA_END = 0x3041, 0x3096
_KATA_OFFSET = 0x60

_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\uff66-\uff9f]")

# Invisible format characters (category Cf): soft hyphen, zero-width space and joiners,
# bidirectional marks and overrides, word joiner and invisible operators, byte order mark,
# interlinear annotation marks, tag characters. They hold no letters, so folding drops
# them: \u202eサーバ\u202c is サーバ, and text made only of them folds to nothing. The
# prepended concatenation marks (U+0600–0605, 06DD, 070F, 0890–0891, 08E2, 110BD, 110CD)
# are Cf too, but are drawn, and stay.
_FORMAT_RE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

# NFKC joins a character to the one before it only if its decomposition starts with a
# combining mark (class > 0: か + U+3099 → が; ﾞ decomposes to U+3099) or with one of these
# starters, which are the second half of a composition: Indic two-part vowel signs, and
# the Hangul vowel and final jamo (ᄀ + ᅡ → 가, 가 + ᆨ → 각; compatibility jamo such as ㅏ
# decompose to them). Text cut before any other character normalises piece by piece.
_COMPOSING_STARTERS = frozenset(
    "\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0cc2\u0cd5\u0cd6\u0d3e\u0d57\u0dcf\u0ddf\u0fb5\u0fb7"
    "\u102e\u1b35\U00011127\U0001133e\U00011357\U000114b0\U000114ba\U000114bd\U000115af\U00011930"
    + "".join(map(chr, range(0x1161, 0x1176)))  # vowel jamo
    + "".join(map(chr, range(0x11A8, 0x11C3)))  # final jamo
)
_KEEP, _JOIN, _DROP = 0, 1, 2

# Iteration marks repeat the character before them (さゝやか = ささやか, いすゞ = いすず);
# the voiced ones add a dakuten. 々 is left to Sudachi, which knows 時々 and 人々 as words.
_ITERATION = {"ゝ": False, "ヽ": False, "ゞ": True, "ヾ": True}
_ITERATION_RE = re.compile("[ゝヽゞヾ]")


def _expand_iteration(chars: list[str]) -> list[str]:
    """Spell out iteration marks in place, one character for one, so that offset maps built
    beside ``chars`` stay aligned. A mark after anything but kana is left as written."""
    for i, ch in enumerate(chars):
        if ch in _ITERATION and i > 0 and is_kana(chars[i - 1]):
            base = unicodedata.normalize("NFD", chars[i - 1])[0]  # か for が: ゝ never voices
            if _ITERATION[ch]:
                voiced = unicodedata.normalize("NFC", base + "\u3099")
                base = voiced if len(voiced) == 1 else base  # あ has no voiced form
            chars[i] = base
    return chars


def drop_format(text: str) -> str:
    """``text`` without its invisible format characters."""
    return _FORMAT_RE.sub("", text) if _FORMAT_RE.search(text) is not None else text


def strip_format(text: str) -> tuple[str, list[int]]:
    """``text`` without its invisible format characters, and where each character left
    stands in ``text`` (to map offsets in the stripped text back)."""
    pieces: list[str] = []
    where: list[int] = []
    last = 0
    for m in _FORMAT_RE.finditer(text):
        pieces.append(text[last : m.start()])
        where.extend(range(last, m.start()))
        last = m.end()
    pieces.append(text[last:])
    where.extend(range(last, len(text)))
    return "".join(pieces), where


def has_format(text: str) -> bool:
    """True if ``text`` holds an invisible format character."""
    return _FORMAT_RE.search(text) is not None


def _fold_piece(text: str) -> str:
    # casefold, not lower: lower is not per character (Σ becomes ς at a word's end), and
    # it keeps ς and σ apart, so ΟΔΟΣ would not find οδος.
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def fold(text: str) -> str:
    """Format characters dropped, NFKC, case folded, iteration marks spelled out, whitespace
    removed: the text that substring search runs on."""
    folded = _fold_piece(text)
    if not folded.isprintable():
        # Format characters are not printable, and NFKC, casefold and split keep them: only
        # text that may hold one (or holds a control or unassigned character) pays for the
        # search, and is folded again without them, before NFKC (か\u200b\u3099 is が).
        folded = _fold_piece(drop_format(text))
    if _ITERATION_RE.search(folded):
        folded = "".join(_expand_iteration(list(folded)))
    return folded


def fold_key(text: str) -> str:
    """Fold a tag, category or author name into the key that filters compare."""
    folded = unicodedata.normalize("NFKC", drop_format(text)).lower()
    return " ".join(folded.split())


def fold_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """Like :func:`fold`, plus each folded character's span in ``text``.

    Highlights are found in folded text but must be drawn on the original, where one
    character can become several (㍻ → 平成) or two can become one (ｶﾞ → ガ). The text is
    folded in pieces that start at a character NFKC does not join to the one before (see
    ``_COMPOSING_STARTERS``), so the pieces' folds put together are :func:`fold`'s; the
    characters of a piece share its span, and a dropped character has no folded output.
    """
    if text.isascii():
        out: list[str] = []
        starts: list[int] = []
        for i, ch in enumerate(text):
            if not ch.isspace():
                out.append(ch.lower())
                starts.append(i)
        return "".join(out), starts, [s + 1 for s in starts]

    out = []
    starts = []
    ends: list[int] = []
    chars = _CHARS
    piece = -1  # where the current piece starts in text
    piece_out = 0  # and in out
    piece_end = 0  # where it ends, once a character has joined it (else 0)
    for i, ch in enumerate(text):
        folded, kind = chars.get(ch) or _char(ch)
        if kind == _JOIN and piece >= 0:
            piece_end = i + 1
            continue
        if kind == _DROP:
            continue
        if piece_end:
            _refold(text, piece, piece_end, piece_out, out, starts, ends)
            piece_end = 0
        piece, piece_out = i, len(out)
        if len(folded) == 1:
            out.append(folded)
            starts.append(i)
            ends.append(i + 1)
        elif folded:
            out.extend(folded)
            starts.extend([i] * len(folded))
            ends.extend([i + 1] * len(folded))
    if piece_end:
        _refold(text, piece, piece_end, piece_out, out, starts, ends)
    result = "".join(out)
    if _ITERATION_RE.search(result):
        result = "".join(_expand_iteration(out))
    return result, starts, ends


def _refold(
    text: str, start: int, end: int, at: int, out: list[str], starts: list[int], ends: list[int]
) -> None:
    """Replace the output from ``at`` on with the fold of ``text[start:end]`` as one piece."""
    folded = _fold_piece(drop_format(text[start:end]))
    del out[at:], starts[at:], ends[at:]
    out.extend(folded)
    starts.extend([start] * len(folded))
    ends.extend([end] * len(folded))


_CHARS: dict[str, tuple[str, int]] = {}


def _char(ch: str) -> tuple[str, int]:
    """A character's folded form (whitespace and format characters: empty) and whether it
    is kept as the start of a piece, joins the piece before it, or is dropped."""
    info = _CHARS.get(ch)
    if info is None:
        if _FORMAT_RE.match(ch):
            info = ("", _DROP)
        else:
            first = unicodedata.normalize("NFKD", ch)[0]
            joins = unicodedata.combining(ch) or unicodedata.combining(first) or first in _COMPOSING_STARTERS
            info = (_fold_piece(ch), _JOIN if joins else _KEEP)
        if len(_CHARS) < 65_536:
            _CHARS[ch] = info
    return info


def to_katakana(text: str) -> str:
    """Hiragana → katakana, so a kana query can be compared with Sudachi's readings."""
    return "".join(chr(ord(ch) + _KATA_OFFSET) if _HIRA_START <= ord(ch) <= _HIRA_END else ch for ch in text)


def is_kana(text: str) -> bool:
    """True for text made only of hiragana, katakana and the long-vowel mark."""
    return bool(text) and all(("\u3041" <= ch <= "\u309f") or ("\u30a0" <= ch <= "\u30ff") for ch in text)


def has_katakana(text: str) -> bool:
    """True if any character is full-width katakana (ー alone does not count)."""
    return any("\u30a1" <= ch <= "\u30fa" for ch in text)


def has_japanese(text: str) -> bool:
    """True if any character is kana (full or half width) or a CJK ideograph (or 々)."""
    return _JAPANESE.search(text) is not None
