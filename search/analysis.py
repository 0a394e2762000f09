"""The one Japanese analyzer, shared by indexing, querying, snippets and explain.

Chain (after Elasticsearch's char filter → tokenizer → token filters):

1. char filter: :func:`search.normalize.fold` (NFKC, case folded, no whitespace or
   invisible format characters) feeds the character n-gram streams that make substring
   search exact.
2. tokenizer: Sudachi, split mode C (the longest units: 関西国際空港 is one word), with
   compounds also split into mode-A parts (関西 / 国際 / 空港) kept as alternative terms.
3. token filters: each word's term is Sudachi's normalised form for Japanese
   (サーバ → サーバー, 引越し → 引っ越し, りんご → 林檎) but the NFKC-lower-cased surface
   for Latin and digits (Sudachi would turn ``go`` into ゴー and ``0.120`` into ``0.12``);
   punctuation and spaces are dropped; function words (particles, auxiliaries, pronouns,
   dependent verbs and adjectives such as する/ある/ない) are kept in the index (phrases
   need them) but flagged so that queries do not require them.

Because the same code produces the terms of a post and of a query, a word is always
split and normalised the same way on both sides.
"""

from __future__ import annotations

import itertools
import operator
import threading
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from importlib import metadata
from typing import NamedTuple

from search.normalize import drop_format, fold, has_format, has_japanese, strip_format, to_katakana

ANALYZER_VERSION = 8
SPLIT_MODE = "C"

# Sudachi refuses inputs above 49,149 bytes; 12,000 characters stay below it even when
# every character takes four bytes. Chunks end at a line break where possible.
CHUNK_CHARS = 12_000
_MISSING = object()
_WORD_CACHE_SIZE = 200_000  # distinct (entry, surface) pairs kept; a few tens of MB at most
_MIN_PART_CHARS = 3  # shorter compounds rarely split into useful parts
# Sudachi reads a run of katakana as one unknown word when punctuation or another word
# touches it (スーパープリキュアモナド！, タイプセーフプリキュアを), yet splits the same run into
# dictionary words when it stands alone, as a query usually does. Such a run is analysed
# alone, so a katakana compound becomes the same words in every context.
_MIN_RESPLIT_CHARS = 4

# Letters and digits typed together are one word (Vim9, HTML5, 3nm, ES2015), and so are
# identifiers joined by these characters (v1.2.3, golang.org/x/crypto, node.js): Sudachi
# splits them into pieces that, searched one by one, match unrelated posts (Vim ... 9月号).
# The pieces are kept as parts, like a compound's. ``+`` and ``#`` may also end one (C++, C#).
_RUN_JOINERS = frozenset("._-/+#")
_RUN_TAIL = frozenset("+#")

# Word kinds.
SKIP, FUNCTION, CONTENT = 0, 1, 2
_SKIP_POS = {"空白", "補助記号"}
_FUNCTION_POS = {"助詞", "助動詞", "代名詞", "連体詞"}
_FUNCTION_POS1 = {"非自立可能", "助動詞語幹"}
# Question words that Sudachi tags as nouns or adverbs: a question asks for them, the answer
# does not contain them.
_INTERROGATIVES = {"何", "何故", "幾つ", "幾ら", "どう", "どんな", "如何", "何人", "何時"}


class Token(NamedTuple):
    """One word of analysed text, with its place in the original string.

    ``start``/``end`` are character offsets into the text given to the analyzer, so a
    highlight can be drawn on the original even when the term is a normalised form.
    A named tuple rather than a frozen dataclass: snippets build tens of thousands per
    second, and a tuple is several times cheaper to create.
    """

    surface: str
    start: int
    end: int
    term: str
    parts: tuple[str, ...]
    alias: str
    reading: str
    kind: int
    pos: tuple[str, ...]
    synonyms: tuple[int, ...] = ()  # Sudachi synonym group ids (パソコン and PC share 14881)

    @property
    def is_content(self) -> bool:
        return self.kind == CONTENT

    @property
    def is_latin(self) -> bool:
        """Letters, digits and identifier punctuation only (no kana, no kanji)."""
        return _is_latin(self.term)


@dataclass(slots=True)
class IndexTerms:
    """What one piece of text contributes to the index, as whitespace-joined term strings.

    tantivy-py cannot call a Python tokenizer, so the terms are handed over joined by
    spaces and split again by tantivy's whitespace tokenizer, which keeps their order as
    positions (phrase queries need them).
    """

    words: str
    alts: str
    aliases: str
    synonyms: str
    grams: str
    unigrams: str
    reading: str


def bigrams(folded: str) -> list[str]:
    """Overlapping character pairs: a string of n ≥ 2 characters is the phrase of its n-1 pairs."""
    return list(map(operator.add, folded, folded[1:]))  # C-speed: this runs over every post


def latin_term(surface: str) -> str:
    return unicodedata.normalize("NFKC", surface).lower()


def synonym_term(group: int) -> str:
    """The index term of a Sudachi synonym group: words of one group share it."""
    return f"s{group}"


_LATIN: dict[str, bool] = {}


def _is_latin(term: str) -> bool:
    known = _LATIN.get(term)
    if known is None:
        known = (
            term.isascii()
            and any(ch.isalnum() for ch in term)
            and all(ch.isalnum() or ch in _RUN_JOINERS for ch in term)
        )
        if len(_LATIN) < 100_000:
            _LATIN[term] = known
    return known


class Analyzer:
    """Sudachi-based analyzer. Create one per process; it is safe to use from many threads.

    The dictionary (about 80 MB, memory-mapped) loads on first use and is shared; each
    thread gets its own Sudachi tokenizer because one tokenizer cannot be used concurrently.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._pos_cache: dict[int, tuple[int, tuple[str, ...]]] = {}
        self._words: dict[tuple[int, int, str], tuple | None] = {}  # type: ignore[type-arg]
        self._symbols: dict[str, tuple] = {}  # type: ignore[type-arg]

    @cached_property
    def _dictionary(self):  # type: ignore[no-untyped-def]
        from sudachipy import Dictionary

        return Dictionary(dict="core")

    @cached_property
    def _mode_a(self):  # type: ignore[no-untyped-def]
        from sudachipy import SplitMode

        return SplitMode.A

    def _tokenizer(self):  # type: ignore[no-untyped-def]
        tok = getattr(self._local, "tokenizer", None)
        if tok is None:
            from sudachipy import SplitMode

            tok = self._dictionary.tokenizer(SplitMode.C)
            self._local.tokenizer = tok
        return tok

    @staticmethod
    def fingerprint() -> dict[str, str | int]:
        """Everything that decides which terms a text becomes; stored with every index."""
        return {
            "analyzer_version": ANALYZER_VERSION,
            "split_mode": SPLIT_MODE,
            "sudachipy": metadata.version("sudachipy"),
            "dictionary": "core " + metadata.version("sudachidict_core"),
        }

    # -- morpheme walk -------------------------------------------------------------

    def _pos(self, pid: int) -> tuple[int, tuple[str, ...]]:
        info = self._pos_cache.get(pid)
        if info is None:
            pos = tuple(self._dictionary.pos_of(pid))
            if pos[0] in _SKIP_POS:
                kind = SKIP
            elif pos[0] in _FUNCTION_POS or pos[1] in _FUNCTION_POS1:
                kind = FUNCTION  # particles, auxiliaries, する/ある/ない/ください, よう
            else:
                kind = CONTENT
            info = (kind, pos)
            self._pos_cache[pid] = info
        return info

    def _terms(self, surface: str, normalized: str) -> tuple[str, str | None]:
        """Primary term and an optional alias (Amazon's alias is アマゾン)."""
        folded = latin_term(surface) if surface else ""
        if folded and not has_japanese(folded):
            alias = latin_term(normalized)
            return folded, (alias if alias != folded and has_japanese(alias) else None)
        return latin_term(normalized), None

    def _walk(self, text: str):  # type: ignore[no-untyped-def]
        """Yield (surface, start, end, word) per kept morpheme, where word is the shared tuple
        (term, parts, alias, reading, kind, pos).

        This loop runs for every morpheme of every post and snippet, so it is kept tight:
        the same dictionary entry with the same surface always becomes the same word, and
        caching it skips most of the per-morpheme work (Sudachi calls, NFKC, the mode-A
        split) on the second and later occurrences.
        """
        words = self._words
        pos_cache = self._pos_cache
        for offset, chunk in _chunks(text):
            last_span = (offset, offset)
            for m in self._tokenize(chunk):
                pid = m.part_of_speech_id()
                kind, pos = pos_cache.get(pid) or self._pos(pid)
                surface = m.surface()
                if kind == SKIP:
                    # ㈱ ① ㍻ are one symbol to Sudachi, but 株, 1 and 平成 to a reader.
                    inner = self._symbols.get(surface)
                    if inner is None:
                        inner = self._symbols[surface] = tuple(self._compatibility_words(surface))
                    if inner:
                        start, end = offset + m.begin(), offset + m.end()
                        for expanded, word in inner:
                            yield expanded, start, end, word
                    continue
                if surface:
                    start, end = offset + m.begin(), offset + m.end()
                    last_span = (start, end)
                else:  # ㈱ becomes ( 株 ) with empty surfaces: point them at the visible character
                    start, end = last_span
                key = (m.word_id(), pid, surface)
                word = words.get(key, _MISSING)
                if word is _MISSING:
                    word = self._katakana_pieces(m, surface) or self._word(m, surface, kind, pos)
                    if len(words) >= _WORD_CACHE_SIZE:
                        words.clear()
                    words[key] = word
                if word is None:
                    continue
                if word.__class__ is list:  # an unknown katakana run, as its words
                    for piece, p_start, p_end, piece_word in word:
                        yield piece, start + p_start, start + p_end, piece_word
                    continue
                yield surface, start, end, word

    def _katakana_pieces(self, m, surface: str) -> list | None:  # type: ignore[no-untyped-def,type-arg]
        """The words of an unknown katakana run that Sudachi splits into dictionary words
        when it stands alone, as (surface, start, end, word) within the run; else None."""
        if len(surface) < _MIN_RESPLIT_CHARS or not _all_katakana(surface) or not m.is_oov():
            return None
        alone = self._tokenize(surface)
        if len(alone) < 2 or any(p.is_oov() for p in alone):
            return None
        return list(self._walk(surface))

    def _word(self, m, surface: str, kind: int, pos: tuple[str, ...]):  # type: ignore[no-untyped-def]
        """(term, parts, alias, reading, kind, pos, synonyms) for a morpheme, or None if it
        has no term."""
        term, alias = self._terms(surface, m.normalized_form())
        if not term or term.isspace():
            return None
        if term in _INTERROGATIVES:
            kind = FUNCTION
        parts: tuple[str, ...] = ()
        if kind == CONTENT and len(surface) >= _MIN_PART_CHARS and pos[0] == "名詞":
            split = m.split(self._mode_a)
            if len(split) > 1:
                parts = tuple(self._terms(p.surface(), p.normalized_form())[0] for p in split)
        if " " in term or " " in (alias or ""):
            # Dictionary entries such as "Web server" hold a space, but index terms are
            # joined by spaces: the term is the words run together, each word a part.
            parts = parts or tuple(term.split())
            term, alias = "".join(term.split()), "".join((alias or "").split())
        reading = m.reading_form() if has_japanese(term) else ""
        synonyms = tuple(m.synonym_group_ids()) if kind == CONTENT else ()
        return term, parts, alias or "", reading, kind, pos, synonyms

    def _compatibility_words(self, surface: str):  # type: ignore[no-untyped-def]
        """(shown surface, word) of the words inside a symbol."""
        expanded = unicodedata.normalize("NFKC", surface)
        words = "".join(ch if ch.isalnum() else " " for ch in expanded)  # (株) is a symbol too
        if words == surface or not words.strip():
            return
        for _s, _b, _e, word in self._walk(words):
            yield expanded, word

    def _tokenize(self, chunk: str):  # type: ignore[no-untyped-def]
        from sudachipy import errors as sudachi_errors

        try:
            return list(self._tokenizer().tokenize(chunk))
        except sudachi_errors.SudachiError:
            # Sudachi's second limit applies after its own normalisation (㍻ → 平成 grows);
            # halve the chunk and analyse the halves.
            if len(chunk) < 2:
                return []
            mid = len(chunk) // 2
            first = self._tokenize(chunk[:mid])
            second = self._tokenize(chunk[mid:])
            return first + [_Shifted(m, mid) for m in second]

    # -- public API ----------------------------------------------------------------

    def _runs(self, text: str):  # type: ignore[no-untyped-def]
        """:meth:`_walk`, with letters and digits typed together joined into one word.

        Invisible format characters (zero-width space, bidirectional marks, soft hyphen…)
        are no words and split none: they are removed before Sudachi reads the text, and
        the offsets mapped back, so a word's span covers any inside it (its surface does not).
        """
        if not has_format(text):
            return self._latin_runs(text)
        return self._mapped_runs(text)

    def _mapped_runs(self, text: str):  # type: ignore[no-untyped-def]
        stripped, where = strip_format(text)
        n = len(stripped)
        for surface, start, end, word in self._latin_runs(stripped):
            begin = where[start] if start < n else len(text)
            yield surface, begin, (where[end - 1] + 1 if end > start else begin), word

    def _latin_runs(self, text: str):  # type: ignore[no-untyped-def]
        run: list[tuple] = []  # type: ignore[type-arg]
        latin = _LATIN
        for item in self._walk(text):
            word = item[3]
            if word[4] == CONTENT:
                is_latin = latin.get(word[0])
                if is_latin is None:
                    is_latin = _is_latin(word[0])
                if is_latin:
                    if run and not _continues(text, run[-1][2], item[1]):
                        yield from _flushed(text, run)
                        run = []
                    run.append(item)
                    continue
            if run:
                yield from _flushed(text, run)
                run = []
            yield item
        if run:
            yield from _flushed(text, run)

    def tokens(self, text: str) -> list[Token]:
        """Analyse ``text`` into words with character offsets (snippets, explain)."""
        return [Token(surface, start, end, *word) for surface, start, end, word in self._runs(text)]

    def query_tokens(self, text: str) -> list[Token]:
        """:meth:`tokens` of a query, where the verb of a compound particle (つい in
        について) is a function word: a reader who types ジェネリクスについて asks for
        ジェネリクス, not for posts that say について. The words are the same as the index's;
        only which of them the query requires differs."""
        out = self.tokens(text)
        for i in range(1, len(out)):
            following = out[i + 1] if i + 1 < len(out) else None
            if out[i].kind == CONTENT and _compound_particle(out[i - 1], out[i], following):
                out[i] = out[i]._replace(kind=FUNCTION)
        return out

    def index_terms(self, text: str) -> IndexTerms:
        """Analyse one field value of a post into the term strings the index stores."""
        words: list[str] = []
        alts: list[str] = []
        aliases: list[str] = []
        synonyms: list[str] = []
        readings: list[str] = []
        for _s, _b, _e, (term, parts, alias, reading, _k, _p, groups) in self._runs(text):
            words.append(term)
            if parts:
                alts.extend(parts)
            if alias:
                aliases.append(alias)
            if groups:
                synonyms.extend(map(synonym_term, groups))
            if reading:
                readings.append(reading)
        folded = fold(text)
        return IndexTerms(
            words=" ".join(words),
            alts=" ".join(alts),
            aliases=" ".join(aliases),
            synonyms=" ".join(synonyms),
            grams=" ".join(bigrams(folded)),
            unigrams=" ".join(folded),
            reading=" ".join(bigrams("".join(readings))),
        )

    def words(self, text: str) -> str:
        """Only the word terms (tags, code), for fields that need no substring search."""
        return " ".join(w[3][0] for w in self._runs(text))

    def part_surfaces(self, word: str) -> list[str]:
        """The mode-A pieces of ``word`` as written (関西国際空港 → 関西, 国際, 空港)."""
        morphemes = self._tokenize(drop_format(word))
        if len(morphemes) != 1:
            return []
        return [m.surface() for m in morphemes[0].split(self._mode_a)]

    @staticmethod
    def reading_key(kana: str) -> str:
        """A kana query in the form readings are indexed in (katakana, folded)."""
        return to_katakana(fold(kana))


# Compound particles (複合辞): a particle and a verb that together work as one particle,
# 「設定について」「技術に関して」「雨によって」「ネットを通じて」. Sudachi splits them into
# に + つい + て, and the verb would count as a content word: a query 「ジェネリクスについて」
# would require posts to contain について, and a question would rank posts by it. Keyed by
# (particle, the verb's normalised form); the value is the word that must follow (None:
# any, for the attributive 「に関する」「による」 too). Sudachi's normalised form already
# tells 「について」(つく) from 「身に付いて」(付く) and 「による」(よる) from 「寄る」.
_COMPOUND_PARTICLES: dict[tuple[str, str], str | None] = {
    ("に", "つく"): "て",
    ("に", "関する"): None,
    ("に", "対する"): None,
    ("に", "よる"): None,
    ("に", "おく"): "て",
    ("に", "基づく"): None,
    ("に", "伴う"): None,
    ("に", "際する"): None,
    ("に", "応じる"): None,
    ("に", "比べる"): "て",
    ("を", "通じる"): None,
    ("を", "巡る"): None,
}


def _compound_particle(prev: Token, verb: Token, following: Token | None) -> bool:
    if prev.pos[0] != "助詞" or verb.pos[0] != "動詞":
        return False
    key = (prev.surface, verb.term)
    if key not in _COMPOUND_PARTICLES:
        # にとって is written in kana; 手に取って, in kanji, is a verb
        return (
            key == ("に", "取る")
            and verb.surface == "とっ"
            and following is not None
            and following.surface == "て"
        )
    needed = _COMPOUND_PARTICLES[key]
    return needed is None or (following is not None and following.surface == needed)


def _all_katakana(text: str) -> bool:
    return all("\u30a1" <= ch <= "\u30fc" for ch in text)


class _Shifted:
    """A morpheme from the second half of a re-split chunk, with offsets moved to match."""

    __slots__ = ("_m", "_shift")

    def __init__(self, morpheme, shift: int) -> None:  # type: ignore[no-untyped-def]
        self._m = morpheme
        self._shift = shift

    def begin(self) -> int:
        return self._m.begin() + self._shift

    def end(self) -> int:
        return self._m.end() + self._shift

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._m, name)


def _continues(text: str, prev_end: int, start: int) -> bool:
    """Whether a Latin piece starting at ``start`` belongs to the run ending at ``prev_end``:
    nothing between them, or one joining character (1.2, org/x, draft-ietf)."""
    if start == prev_end:
        return True
    return start == prev_end + 1 and text[prev_end] in _RUN_JOINERS


def _flushed(text: str, run: list[tuple]):  # type: ignore[no-untyped-def,type-arg]
    """:func:`_joined`, skipping its work for the common run of one piece with no tail."""
    if len(run) == 1:
        end = run[0][2]
        if end >= len(text) or text[end] not in _RUN_TAIL:
            return run
    return _joined(text, run)


def _joined(text: str, run: list[tuple]):  # type: ignore[no-untyped-def,type-arg]
    """One word for a run of Latin pieces; a single piece passes through unchanged.

    A slash joins only in paths and addresses (golang.org/x/crypto); without a dot it is
    the list separator of Japanese technical prose (Go/Rust/Python), and separates words.
    """
    start, end = run[0][1], run[-1][2]
    if "." not in text[start:end]:
        cut = next((i for i in range(1, len(run)) if text[run[i - 1][2] : run[i][1]] == "/"), 0)
        if cut:
            yield from _joined(text, run[:cut])
            yield from _joined(text, run[cut:])
            return
    tail = end
    while tail < len(text) and tail - end < 2 and text[tail] in _RUN_TAIL:
        tail += 1
    if len(run) == 1 and tail == end:
        yield run[0]
        return
    surface = text[start:tail]
    if surface != surface.strip() or any(b[1] < a[2] for a, b in itertools.pairwise(run)):
        yield from run  # expanded symbols (①②) or overlapping pieces: leave them as they are
        return
    first = run[0][3]
    parts = tuple(dict.fromkeys(item[3][0] for item in run))
    yield surface, start, tail, (latin_term(surface), parts, "", "", CONTENT, first[5], ())


def _chunks(text: str):  # type: ignore[no-untyped-def]
    """Split long text for Sudachi at line breaks (else sentence ends), keeping offsets."""
    n = len(text)
    start = 0
    while start < n:
        end = min(n, start + CHUNK_CHARS)
        if end < n:
            cut = text.rfind("\n", start + CHUNK_CHARS // 2, end)
            if cut < 0:
                cut = text.rfind("。", start + CHUNK_CHARS // 2, end)
            if cut >= 0:
                end = cut + 1
        yield start, text[start:end]
        start = end
