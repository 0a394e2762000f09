"""Character-level normalisation: the "char filter" stage of the analysis chain.

Everything that compares text below the word level (substring matching, highlights of
partial matches, tag keys) goes through :func:`fold`, so that ＡＩ, ａｉ and AI, or ｱﾏｿﾞﾝ
and アマゾン, are the same characters. Whitespace is dropped because Markdown hard-wraps
Japanese sentences at arbitrary points: 関西国際\\n空港 must still contain 関西国際空港.
"""

from __future__ import annotations

import re
import unicodedata

_HIRA_START, _HIRA_END = 0x3041, 0x3096
_KATA_OFFSET = 0x60

# Characters that belong to the preceding one for normalisation: combining marks and the
# half-width voiced/semi-voiced sound marks (ｶﾞ is two code points that NFKC turns into ガ).
_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\uff66-\uff9f]")

_JOINERS = {"\uff9e", "\uff9f", "\u3099", "\u309a"}


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


def fold(text: str) -> str:
    """NFKC, lower case, iteration marks spelled out, whitespace removed: the text that
    substring search runs on."""
    folded = "".join(unicodedata.normalize("NFKC", text).lower().split())
    if _ITERATION_RE.search(folded):
        folded = "".join(_expand_iteration(list(folded)))
    return folded


def fold_key(text: str) -> str:
    """Fold a tag, category or author name into the key that filters compare."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return " ".join(folded.split())


def fold_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """Like :func:`fold`, plus each folded character's span in ``text``.

    Highlights are found in folded text but must be drawn on the original, where one
    character can become several (㍻ → 平成) or two can become one (ｶﾞ → ガ).
    """
    if text.isascii():
        out: list[str] = []
        starts: list[int] = []
        for i, ch in enumerate(text):
            if not ch.isspace():
                out.append(ch.lower())
                starts.append(i)
        return "".join(out), starts, [s + 1 for s in starts]

    out_chars: list[str] = []
    starts = []
    ends: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        folded, _ = _char(ch)
        j = i + 1
        if j < n and _char(text[j])[1]:  # ｶﾞ, か + combining mark: fold them together
            while j < n and _char(text[j])[1]:
                j += 1
            piece = text[i:j]
            folded = "".join(unicodedata.normalize("NFKC", piece).lower().split())
        for out in folded:
            out_chars.append(out)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(_expand_iteration(out_chars)), starts, ends


_CHARS: dict[str, tuple[str, bool]] = {}


def _char(ch: str) -> tuple[str, bool]:
    """A character's folded form (whitespace: empty) and whether it joins the one before."""
    info = _CHARS.get(ch)
    if info is None:
        joiner = ch in _JOINERS or unicodedata.combining(ch) != 0
        info = ("".join(unicodedata.normalize("NFKC", ch).lower().split()), joiner)
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
