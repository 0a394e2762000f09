"""Snippets of a post's original text with the matched characters highlighted.

tantivy's own snippets show the indexed (normalised) terms with byte offsets, which is
wrong for Japanese: a reader searching コンピュータ must see the post's コンピューター marked
where it stands. So the passage is chosen and marked here, on the stored original text:

1. find the folded query strings in the folded text (cheap, no Sudachi) and pick the
   window holding the most distinct ones;
2. analyse only that window with Sudachi and mark (a) folded substrings, mapped back to
   original characters (ＡＩ, ｱﾏｿﾞﾝ, ㍻ keep their own width), (b) words whose normalised
   form or compound part is a query word (サーバ for サーバー), (c) words whose reading
   contains a kana query (半導体 for はんどうたい).

Offsets are Python string indices (code points) into ``Snippet.text``.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field

from search.analysis import Analyzer, Token
from search.normalize import fold_with_offsets
from search.ranking import MatchSpec

_log = logging.getLogger(__name__)

WIDTH = 140
_LEAD = 24  # characters of context shown before the first match
_FALLBACK_SCAN = 6_000  # characters Sudachi may read to find a match no substring shows
_MAX_OCCURRENCES = 400
_BREAKS = "\n。！？!?"
_MAX_CODE_LINES = 2_000  # lines of code scanned for a match, to bound the work per hit


@dataclass
class Snippet:
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


class SnippetMaker:
    def __init__(self, analyzer: Analyzer, width: int = WIDTH) -> None:
        self.analyzer = analyzer
        self.width = width

    def highlight(self, text: str, spec: MatchSpec) -> list[tuple[int, int]]:
        """Spans of ``text`` that match the query (used whole for titles).

        Highlighting is decoration: if it fails on some text nobody foresaw, the reader
        still gets the result, unmarked, and the failure is logged for us to fix.
        """
        if not text:
            return []
        try:
            return _merge(self._spans(text, spec, self.analyzer.tokens(text)))
        except Exception:
            _log.warning("highlighting failed; shown without highlights", exc_info=True)
            return []

    def snippet(self, text: str, spec: MatchSpec) -> Snippet:
        """The passage of ``text`` that best shows the query, with its matches marked."""
        if not text:
            return Snippet("")
        try:
            return self._snippet(text, spec)
        except Exception:
            _log.warning("snippet failed; shown from the start of the post", exc_info=True)
            end = min(len(text), self.width)
            return Snippet(" ".join(text[:end].split("\n")) + ("…" if end < len(text) else ""))

    def _snippet(self, text: str, spec: MatchSpec) -> Snippet:
        start = self._locate(text, spec)
        start, end = self._window(text, start)
        segment = text[start:end]
        spans = self.highlight(segment, spec)
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(text) else ""
        shown = prefix + " ".join(segment.split("\n")) + suffix
        shift = len(prefix)
        return Snippet(shown, [(s + shift, e + shift) for s, e in spans])

    # -- choosing the passage ---------------------------------------------------------

    def _locate(self, text: str, spec: MatchSpec) -> int:
        """Character offset of the best place to start looking; 0 when nothing is found."""
        probe = unicodedata.normalize("NFKC", text).lower()
        scale = len(text) / len(probe) if probe else 1.0
        hits: list[tuple[int, int]] = []
        for needle_id, needle in enumerate(sorted(n for n in spec.needles if n)):
            pos = probe.find(needle)
            count = 0
            while pos >= 0 and count < _MAX_OCCURRENCES:
                hits.append((int(pos * scale), needle_id))
                pos = probe.find(needle, pos + 1)
                count += 1
        if hits:
            return _densest(hits, self.width - _LEAD)
        return self._locate_by_words(text, spec)

    def _locate_by_words(self, text: str, spec: MatchSpec) -> int:
        head = text[:_FALLBACK_SCAN]
        tokens = self.analyzer.tokens(head)
        for t in tokens:
            if (
                t.term in spec.words
                or t.alias in spec.words
                or spec.words.intersection(t.parts)
                or (t.synonyms and spec.synonyms.intersection(t.synonyms))
            ):
                return t.start
        for s, _e in _reading_spans(tokens, spec):
            return s
        return 0

    def _window(self, text: str, first_match: int) -> tuple[int, int]:
        n = len(text)
        if n <= self.width:
            return 0, n
        start = max(0, first_match - _LEAD)
        cut = max(text.rfind(ch, start, first_match) for ch in _BREAKS)
        if cut >= 0:
            start = cut + 1
        start = min(start, max(0, n - self.width))
        while start < n and text[start].isspace():
            start += 1
        return start, min(n, start + self.width)

    # -- marking ------------------------------------------------------------------------

    def _spans(self, text: str, spec: MatchSpec, tokens: list[Token]) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        folded, starts, ends = fold_with_offsets(text)
        for needle in spec.needles:
            if not needle:
                continue
            pos = folded.find(needle)
            while pos >= 0:
                spans.append((starts[pos], ends[pos + len(needle) - 1]))
                pos = folded.find(needle, pos + 1)
        substring_spans = list(spans)
        for t in tokens:
            if t.start == t.end:
                continue
            if (
                t.term in spec.words
                or (t.alias and t.alias in spec.words)
                or (t.synonyms and spec.synonyms.intersection(t.synonyms))
                or (spec.words.intersection(t.parts) and not _overlaps(t.start, t.end, substring_spans))
            ):
                spans.append((t.start, t.end))
        spans += _reading_spans(tokens, spec)
        if spec.words:
            # A question's で and です are not what the reader looks for: when the query has
            # content words, a mark must cover at least one content word of the text.
            content = [(t.start, t.end) for t in tokens if t.is_content and t.start < t.end]
            spans = [(s, e) for s, e in spans if _overlaps(s, e, content)]
        return spans

    def code_line(self, code: str, spec: MatchSpec) -> Snippet | None:
        """The first line of a post's code blocks that matches, for a post that matches only
        there (its prose snippet would show no mark at all)."""
        for line in code.split("\n")[:_MAX_CODE_LINES]:
            stripped = line.strip()
            if not stripped:
                continue
            spans = self.highlight(stripped, spec)
            if spans:
                start, end = self._window(stripped, spans[0][0])
                shown = stripped[start:end]
                prefix = "…" if start else ""
                suffix = "…" if end < len(stripped) else ""
                moved = [(s - start + len(prefix), e - start + len(prefix)) for s, e in spans if s < end]
                return Snippet(
                    prefix + shown + suffix, [(s, min(e, len(prefix) + len(shown))) for s, e in moved]
                )
        return None


def _reading_spans(tokens: list[Token], spec: MatchSpec) -> list[tuple[int, int]]:
    if not spec.readings:
        return []
    chars: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(tokens):
        chars.append(t.reading)
        owner.extend([i] * len(t.reading))
    stream = "".join(chars)
    spans = []
    for key in spec.readings:
        pos = stream.find(key) if key else -1
        while pos >= 0:
            first, last = tokens[owner[pos]], tokens[owner[pos + len(key) - 1]]
            spans.append((first.start, last.end))
            pos = stream.find(key, pos + 1)
    return spans


def _densest(hits: list[tuple[int, int]], width: int) -> int:
    """Start of the window (of ``width`` characters) holding the most distinct needles."""
    hits.sort()
    best_start, best_score = hits[0][0], (-1, 0)
    counts: dict[int, int] = {}
    lo = 0
    for hi, (pos, needle) in enumerate(hits):
        counts[needle] = counts.get(needle, 0) + 1
        while pos - hits[lo][0] > width:
            old = hits[lo][1]
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
            lo += 1
        score = (len(counts), hi - lo + 1)
        if score > best_score:
            best_score, best_start = score, hits[lo][0]
    return best_start


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
