"""Query syntax: what a reader types into the search box, as a small tree.

Supported (documented in the README):

* ``AIチップ 投資`` - several words: all of them (AND); Japanese typed without spaces is
  split by the analyzer later, so ``AIチップ投資`` works too.
* ``"exact phrase"`` (also 「…」 and “…”) - the words in that order.
* ``A OR B`` (also ``A | B``), ``-word`` / ``-"phrase"`` to exclude.
* ``tag:AI``, ``category:技術``, ``author:山田``, ``title:京都``, ``since:2025-01-01``,
  ``until:2025-12-31``; values may be quoted: ``tag:"machine learning"``.

Anything that is not valid syntax is read literally (``foo:bar``, a lone ``-``, an
unclosed quote), except a field with no value or a bad date, which get a clear error.
This module only parses; :mod:`search.ranking` decides what the words match.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from search.errors import QuerySyntaxError
from search.normalize import drop_format

# Caps on the work one query may cause (a search box on the web is open to anyone): a
# query's cost grows with its words and the length of its phrases, and no reader types
# more than a long sentence. Documented in the README.
MAX_QUERY_CHARS = 1_000
MAX_QUERY_WORDS = 100

FILTER_KEYS = ("tag", "category", "author", "since", "until")
FIELD_KEYS = ("title",)
_OPEN_QUOTES = {'"': '"', "「": "」", "『": "』", "“": "”"}
_OR_WORDS = {"OR", "|", "||"}


@dataclass(frozen=True)
class Text:
    """Words typed together (``phrase=False``) or a quoted phrase, optionally in one field."""

    text: str
    phrase: bool = False
    field: str | None = None


@dataclass(frozen=True)
class Clause:
    """One AND-ed part of the query: any of ``alternatives`` (OR), or none of them if negated."""

    alternatives: tuple[Text, ...]
    negated: bool = False


@dataclass
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    raw: str = ""
    literal: bool = False
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]

    @property
    def negative(self) -> list[Clause]:
        return [c for c in self.clauses if c.negated]

    @property
    def positive_alternatives(self) -> list[Text]:
        return [alt for c in self.clauses if not c.negated for alt in c.alternatives]

    @property
    def has_operators(self) -> bool:
        """Quoted phrases or exclusions: syntax that a sentence may contain by accident."""
        return any(c.negated or any(a.phrase for a in c.alternatives) for c in self.clauses)


@dataclass
class _Piece:
    text: str
    quoted: bool


def user_text(value: object, what: str = "query") -> str:
    """``value`` if it is text tantivy and Sudachi can take, else :class:`QuerySyntaxError`.

    A command-line argument in another encoding than the terminal's arrives in Python as
    lone surrogates (``\udcff``), which no encoder accepts; a library caller may pass a
    number or bytes. Either must be one clear line, not a traceback deep in the index.
    """
    if not isinstance(value, str):
        raise QuerySyntaxError(f"{what} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QuerySyntaxError(
            f"{what} is not valid text (bytes in another encoding than the terminal's?)"
        ) from None
    return value


def user_names(value: object, what: str) -> list[str]:
    """Tag, category or author names: one name as a string, or several in a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [user_text(value, what)]
    if isinstance(value, (bytes, int, float)) or not hasattr(value, "__iter__"):
        raise QuerySyntaxError(f"{what} must be a name or a list of names, not {type(value).__name__}")
    return [user_text(v, what) for v in value]


def parse_query(raw: str, literal: bool = False) -> ParsedQuery:
    """Parse the search box text. Raises :class:`QuerySyntaxError` only for unusable input.

    ``literal``: quotes and a leading ``-`` are plain text, for a query that reads as a
    sentence (a remembered line such as ``go env コマンドに -w を付ける`` or
    ``「CRYPTREC Report 2015の公開」他``), where they are punctuation, not operators.
    Filters (``tag:``…) and ``OR`` keep their meaning.
    """
    user_text(raw)
    if len(raw) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query too long: {len(raw):,} characters (at most {MAX_QUERY_CHARS:,})")
    # Invisible format characters (bidi marks, zero-width spaces) are no words: dropped as
    # folding drops them, so a query of only those is empty, not a match for every post.
    text = unicodedata.normalize("NFKC", drop_format(raw))[: MAX_QUERY_CHARS * 4]  # ㍻ and ﷺ grow
    result = ParsedQuery(raw=raw, literal=literal)
    pending_or = False
    for piece in _split(text, literal):
        if not piece.quoted and piece.text in _OR_WORDS:
            pending_or = bool(result.clauses)
            continue
        clause = _to_clause(piece, result, literal)
        if clause is None:
            continue
        if pending_or and result.clauses:
            prev = result.clauses[-1]
            if prev.negated or clause.negated:
                raise QuerySyntaxError(
                    "cannot combine OR with an excluded (-) word; write the exclusion separately"
                )
            result.clauses[-1] = Clause(prev.alternatives + clause.alternatives)
        else:
            result.clauses.append(clause)
        pending_or = False
    return result


def _to_clause(piece: _Piece, result: ParsedQuery, literal: bool = False) -> Clause | None:
    if piece.quoted:
        return Clause((Text(piece.text, phrase=True),)) if piece.text.strip() else None
    word = piece.text
    negated = False
    if literal:
        pass
    elif word.startswith("-") and len(word) > 1:
        negated, word = True, word[1:]
    elif word.startswith("+") and len(word) > 1:
        word = word[1:]
    key, sep, value = word.partition(":")
    key_l = key.lower()
    if sep and (key_l in FILTER_KEYS or key_l in FIELD_KEYS):
        value, quoted = _unquote(value)
        if not value.strip():
            raise QuerySyntaxError(f"{key_l}: needs a value, e.g. {key_l}:{_EXAMPLES[key_l]}")
        if key_l in FIELD_KEYS:
            return Clause((Text(value, phrase=quoted, field=key_l),), negated)
        if negated:
            raise QuerySyntaxError(f"-{key_l}: is not supported; filters can only include")
        _add_filter(result, key_l, value)
        return None
    if not word.strip("-+"):
        return None  # a lone - or + is punctuation, not an operator
    if literal:
        return Clause((Text(word),))
    value, quoted = _unquote(word)
    return Clause((Text(value, phrase=quoted),), negated)


_EXAMPLES = {
    "tag": "AI",
    "category": "技術",
    "author": "山田",
    "since": "2025-01-01",
    "until": "2025-12-31",
    "title": "京都",
}


def _add_filter(result: ParsedQuery, key: str, value: str) -> None:
    if key == "tag":
        result.tags.append(value)
    elif key == "category":
        result.categories.append(value)
    elif key == "author":
        result.authors.append(value)
    elif key == "since":
        result.since = value
    else:
        result.until = value


def _unquote(value: str) -> tuple[str, bool]:
    if len(value) >= 2 and value[0] in _OPEN_QUOTES and value[-1] == _OPEN_QUOTES[value[0]]:
        return value[1:-1], True
    return value, False


def _split(text: str, literal: bool = False) -> list[_Piece]:
    """Whitespace-separated pieces; a quoted span is one piece even with spaces inside.

    A quoted phrase stands apart: the closing quote must end the text or be followed by a
    space (``「公開」他`` is Japanese punctuation, not a phrase and a word). A quote may
    also start inside a piece (``tag:"machine learning"``, ``-"phrase"``): the piece then
    runs to the closing quote. An unclosed quote is taken literally.
    """
    pieces: list[_Piece] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        ch = text[i]
        if ch in _OPEN_QUOTES and not literal:
            close = text.find(_OPEN_QUOTES[ch], i + 1)
            if close > 0 and (close + 1 == n or text[close + 1].isspace()):
                pieces.append(_Piece(text[i + 1 : close], True))
                i = close + 1
                continue
        j = i
        buf: list[str] = []
        while j < n and not text[j].isspace():
            c = text[j]
            if c in _OPEN_QUOTES and j > i and (not literal or text[j - 1] == ":"):
                close = text.find(_OPEN_QUOTES[c], j + 1)
                if close > 0:
                    buf.append(text[j : close + 1])
                    j = close + 1
                    continue
            buf.append(c)
            j += 1
        pieces.append(_Piece("".join(buf), False))
        i = j
    return pieces
