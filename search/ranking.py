"""From a parsed query to a tantivy query: what each word may match, and how it scores.

Each word the analyzer finds in the query may match a post in four ways, best first:

1. **word**: the same normalised word in title, tags, excerpt, body or code (BM25, weighted
   title > tags > excerpt > body > code);
2. **part / alias**: a part of a compound (空港 in 関西国際空港) or an alias (アマゾン for Amazon);
3. **substring**: the folded characters anywhere in the text, through the character-bigram
   fields: this is what guarantees that a post containing the query string is found, as
   grep would find it;
4. **reading**: a kana query against Sudachi's readings of the text (はんどうたい → 半導体).

Words typed together or apart must all be present (``all`` mode). If no post has all of
them, :class:`search.index.Index` retries in ``any`` mode, where the words are optional and
posts with more and rarer words score higher; the result is then flagged ``partial``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal

import tantivy
from tantivy import Occur, Query

from search.analysis import Analyzer, Token, bigrams, synonym_term
from search.dates import date_mentions, mentioned_dates
from search.errors import QuerySyntaxError
from search.normalize import fold, has_katakana, is_kana
from search.query import MAX_QUERY_WORDS, Clause, ParsedQuery, Text

Mode = Literal["all", "any"]


@dataclass(frozen=True)
class Weights:
    """Score multipliers. Field weights follow the reader's sense of importance; the match
    weights keep whole words above parts, parts above substrings, substrings above readings."""

    title: float = 2.0
    tags: float = 1.5
    excerpt: float = 1.25
    body: float = 1.0
    code: float = 0.3
    alt: float = 0.5
    gram: float = 0.25
    reading: float = 0.15
    synonym: float = 0.4  # 0 turns synonyms off
    proximity: float = 0.5
    tie_breaker: float = 0.0
    # ``any`` mode (questions, partial matches) adds bonuses on top of BM25: a constant for a
    # post that has every word, and for each pair of query words standing together in it
    # as in the query (一番 高い 山) one of ``pair_idf`` × the rarer word's IDF (``pairs``
    # when pair_idf is 0). Not BM25, because the point is "has it", not "how often"; sizes
    # chosen on the question and known-item sets (bench/quality.py, README).
    all_words: float = 12.0
    pairs: float = 8.0
    pair_slop: int = 0
    pair_idf: float = 1.0
    # The query's character bigrams as a bag, at low weight (every plan).
    gram_bag: float = 0.05
    date_match: float = 60.0  # a post dated in the month or on the day the query names
    # Keyword queries with this many content words rank posts with any of them (those with
    # all first) instead of requiring all: a long remembered list rarely matches word for word.
    loose_words: int = 4
    shared_idf: bool = True
    # A clause typed together scores the best of its ways (its words, its exact string, its
    # reading), not their sum: the string 32ビット/64ビット is the same evidence as its words,
    # and counting it twice let long shared boilerplate outweigh a rare word (bench/sweep.py).
    clause_max: bool = True

    def word_fields(self, scope: str | None) -> list[tuple[str, float]]:
        if scope == "title":
            return [("title_w", self.title)]
        return [
            ("title_w", self.title),
            ("tags_w", self.tags),
            ("excerpt_w", self.excerpt),
            ("body_w", self.body),
            ("code_w", self.code),
        ]


def gram_fields(scope: str | None) -> list[str]:
    return ["title_g"] if scope == "title" else ["title_g", "body_g"]


def reading_field(scope: str | None) -> str:
    return "title_reading" if scope == "title" else "reading"


def phrase_fields(scope: str | None) -> list[str]:
    """Where words standing together count: a title scope keeps them in the title."""
    return ["title_w"] if scope == "title" else ["title_w", "body_w"]


@dataclass(frozen=True)
class Way:
    """One way a query word or phrase can match: kept separate so explain can score each."""

    how: str  # word | alias | part | substring | reading | phrase
    field: str
    term: str
    query: Query


@dataclass
class MatchSpec:
    """What a hit's text should be searched for when drawing highlights."""

    words: set[str] = field(default_factory=set)
    needles: set[str] = field(default_factory=set)
    readings: set[str] = field(default_factory=set)
    synonyms: set[int] = field(default_factory=set)


@dataclass
class Plan:
    query: Query
    spec: MatchSpec
    content_words: int
    has_text: bool
    analysed: list[tuple[Text, list[Token]]] = field(default_factory=list)
    natural: bool = False
    ignored: list[Text] = field(default_factory=list)  # words typed apart that are only particles
    loose: bool = False  # rank posts with any of the words (questions, long keyword lists)


# Fields most posts leave empty or keep to a few words. BM25's length normalisation would
# judge them against an average length near zero and crush their scores (a tag would count
# less than a word deep in the body), so a match there scores as one occurrence in a field
# of average length: weight × idf.
PRESENCE_FIELDS = frozenset({"tags_w", "excerpt_w"})
# A long question scores only its rarest words one by one (all of them still count for the
# every-word and side-by-side bonuses): the common ones add little to the ranking but make
# every post that has them a candidate. Same MRR on JSQuAD and JaQuAD, p99 ~15 % lower.
MAX_OPTIONAL_WORDS = 6
MAX_BAG_GRAMS = 64


class QueryBuilder:
    def __init__(
        self,
        schema: tantivy.Schema,
        analyzer: Analyzer,
        weights: Weights | None = None,
        searcher: tantivy.Searcher | None = None,
        tz: tzinfo = UTC,
    ) -> None:
        self.schema = schema
        self.analyzer = analyzer
        self.weights = weights or Weights()
        self.searcher = searcher
        self.tz = tz
        self._df: dict[tuple[str, str], int] = {}
        # A bound builder serves one search, which may build the all-words and the any-words
        # plan of the same query: analyse each text and build each word's query once.
        self._tokens: dict[str, list[Token]] = {}
        self._words: dict[tuple[Token, str | None, bool, bool], Query] = {}

    def bind(self, searcher: tantivy.Searcher, weights: Weights | None = None) -> QueryBuilder:
        """A builder for queries on ``searcher``'s snapshot, whose term statistics it uses."""
        return QueryBuilder(self.schema, self.analyzer, weights or self.weights, searcher, self.tz)

    def tokens(self, text: str) -> list[Token]:
        found = self._tokens.get(text)
        if found is None:
            found = self._tokens[text] = self.analyzer.query_tokens(text)
        return found

    def df(self, field_name: str, term: str) -> int:
        """Posts with ``term`` in ``field_name`` in the bound snapshot (0 when unbound)."""
        key = (field_name, term)
        n = self._df.get(key)
        if n is None:
            n = self._df[key] = self.searcher.doc_freq(field_name, term) if self.searcher is not None else 0
        return n

    def idf(self, field_name: str, term: str) -> float:
        total = self.searcher.num_docs if self.searcher is not None else 1
        n = self.df(field_name, term)
        return math.log(1 + (total - n + 0.5) / (n + 0.5))

    def shared_idf(self, term: str) -> float:
        """One IDF for a word in every field (BM25F-style), from the posts that have it in
        their title or body: a word common in bodies but rare in titles would otherwise
        score about ten times more in another post's title than it says about that post."""
        total = self.searcher.num_docs if self.searcher is not None else 1
        n = max(self.df("body_w", term), self.df("title_w", term))
        return math.log(1 + (total - n + 0.5) / (n + 0.5))

    def _field_term(self, field_name: str, term: str, weight: float) -> Query:
        q = self._term(field_name, term)
        if self.searcher is None:
            return Query.boost_query(q, weight)
        shared = self.weights.shared_idf
        if field_name in PRESENCE_FIELDS:
            idf = self.shared_idf(term) if shared else self.idf(field_name, term)
            return Query.const_score_query(q, weight * idf)
        if shared and self.df(field_name, term):
            # tantivy scores BM25 with the field's own IDF: rescale it to the shared one.
            weight *= self.shared_idf(term) / max(self.idf(field_name, term), 1e-6)
        return Query.boost_query(q, weight)

    # -- leaves --------------------------------------------------------------------

    def _term(self, field_name: str, value: str) -> Query:
        return Query.term_query(self.schema, field_name, value)

    def _phrase(self, field_name: str, words: list[tuple[int, str]], slop: int = 0) -> Query:
        if len(words) == 1:  # tantivy panics on one-term phrases
            return self._term(field_name, words[0][1])
        return Query.phrase_query(self.schema, field_name, words, slop)

    def substring(self, folded: str, scope: str | None = None) -> Query | None:
        """Posts whose folded text contains ``folded``: exact, through the bigram fields."""
        if not folded:
            return None
        if len(folded) == 1:
            return self._term("uni", folded)
        grams = list(enumerate(bigrams(folded)))
        return _any([self._phrase(f, grams) for f in gram_fields(scope)])

    def reading(self, kana: str, scope: str | None = None) -> Query | None:
        key = self.analyzer.reading_key(kana)
        if len(key) < 2:
            return None
        return self._phrase(reading_field(scope), list(enumerate(bigrams(key))))

    def word_ways(
        self, token: Token, scope: str | None, substring: bool = True, joined: bool = False
    ) -> list[Way]:
        """Every way one query word may match, each with its weighted query (see module doc).

        ``joined``: the word is one piece of a katakana run typed together (ショート of
        ショートコード); it then does not match English words through their katakana form
        or synonyms, which would find posts with "short" in one place and "code" in another.
        """
        w = self.weights
        fields = w.word_fields(scope)
        ways = [Way("word", f, token.term, self._field_term(f, token.term, fw)) for f, fw in fields]
        if token.alias:
            ways += [
                Way("alias", f, token.alias, self._field_term(f, token.alias, fw * w.alt)) for f, fw in fields
            ]
            if scope is None:  # server → サーバー inside ウェブサーバー
                ways.append(
                    Way(
                        "alias",
                        "alt",
                        token.alias,
                        Query.boost_query(self._term("alt", token.alias), w.alt * w.alt),
                    )
                )
        if scope is None:
            ways.append(
                Way("part", "alt", token.term, Query.boost_query(self._term("alt", token.term), w.alt))
            )
            if not joined and has_katakana(token.term):
                ways.append(
                    Way(
                        "alias",
                        "alias",
                        token.term,
                        Query.boost_query(self._term("alias", token.term), w.alt),
                    )
                )
            if w.synonym and token.synonyms and not joined:
                ways += [
                    Way("synonym", "syn", term, Query.boost_query(self._term("syn", term), w.synonym))
                    for term in map(synonym_term, token.synonyms)
                ]
        if substring:
            ways += self._substring_ways(fold(token.surface) or token.term, scope)
        return ways

    def word(self, token: Token, scope: str | None, mode: Mode = "all", joined: bool = False) -> Query:
        """One query word: the best of its whole-word, part, substring and reading matches.

        In ``any`` mode (questions, partial matches) a word that the index holds as a word
        or a part skips the substring match: ranking there is about which posts have the
        most words, the substring guarantee belongs to keyword search, and substring
        phrases over a question's every word were half the cost of answering it.
        """
        substring = mode == "all" or not self._known(token, scope)
        key = (token, scope, substring, joined)
        q = self._words.get(key)
        if q is None:
            ways = self.word_ways(token, scope, substring, joined)
            q = Query.disjunction_max_query([w.query for w in ways], self.weights.tie_breaker)
            self._words[key] = q
        return q

    def split_compounds(self, parsed: ParsedQuery) -> ParsedQuery | None:
        """The query with each compound word replaced by what is left of it when one end is
        dropped (電子署名法 → 電子署名, 署名法; a two-part word → its parts), or None if it
        has no compound. For a compound no post contains, the posts with most of it are
        the best partial match: 電子署名 before posts that merely mention 法."""
        clauses = []
        changed = False
        for clause in parsed.clauses:
            alternatives = []
            for alt in clause.alternatives:
                tokens = self.tokens(alt.text)
                if not alt.phrase and not clause.negated and any(t.parts for t in _content(tokens)):
                    words = [" ".join(self._shorter(t)) if t.parts else t.surface for t in _content(tokens)]
                    alt = Text(" ".join(words), field=alt.field)
                    changed = True
                alternatives.append(alt)
            clauses.append(Clause(tuple(alternatives), clause.negated))
        return dataclasses.replace(parsed, clauses=clauses) if changed else None

    def _shorter(self, token: Token) -> list[str]:
        pieces = self.analyzer.part_surfaces(token.surface) or list(token.parts)
        if len(pieces) < 3:
            return pieces
        return ["".join(pieces[:-1]), "".join(pieces[1:])]

    def _dates_named(self, alts: list[Text]) -> list[Query]:
        """A bonus for posts dated in a month or on a day the query names (「2017 年 7 月号」,
        「2019-02-19 のブックマーク」): monthly and dated posts rarely repeat their date in
        the text, but a reader remembers it."""
        text = " ".join(alt.text for alt in alts if not alt.phrase)
        return [
            Query.const_score_query(self._dated(start, end), self.weights.date_match)
            for start, end in mentioned_dates(unicodedata.normalize("NFKC", text), self.tz)[:4]
        ]

    def _dated(self, start: datetime, end: datetime) -> Query:
        return Query.range_query(self.schema, "date", tantivy.FieldType.Date, start, end, include_upper=False)

    def date_words(self, alts: list[Text]) -> dict[int, list[tuple[int, int, Query, str]]]:
        """For each alternative (by id), the spans of its text that name a date, each with
        the query for posts dated then: a word of a named date is also matched by the
        post's date (2023-04-23 のブックマーク finds the bookmarks of that day, whose text
        does not repeat it)."""
        out: dict[int, list[tuple[int, int, Query, str]]] = {}
        if not self.weights.date_match:
            return out
        offsets, pieces, at = [], [], 0
        for alt in alts:
            offsets.append(at)
            pieces.append(alt.text)
            at += len(alt.text) + 1
        joined = " ".join(pieces)
        for m_start, m_end, start, end in date_mentions(joined, self.tz)[:4]:
            dated = Query.const_score_query(self._dated(start, end), 0.0)
            label = start.strftime("%Y-%m-%d" if end - start <= timedelta(days=1) else "%Y-%m")
            for alt, base in zip(alts, offsets, strict=True):
                lo, hi = max(m_start - base, 0), min(m_end - base, len(alt.text))
                if lo < hi and not alt.phrase:
                    out.setdefault(id(alt), []).append((lo, hi, dated, label))
        return out

    def _gram_bag(self, alts: list[Text]) -> Query | None:
        """The query's character bigrams as a bag (BM25 over the bigram fields, no order):
        credit for text that shares the query's characters where the words differ."""
        grams = list(dict.fromkeys(g for alt in alts for g in bigrams(fold(alt.text))))[:MAX_BAG_GRAMS]
        if not grams:
            return None
        w = self.weights.gram_bag
        return _any([Query.boost_query(self._term(f, g), w) for g in grams for f in ("title_g", "body_g")])

    def _pair_bonus(self, a: Token, b: Token) -> float:
        """The bonus for two query words found side by side. With ``pair_idf`` it grows with
        the rarer word's IDF: 32 ビット side by side says little, 7.3.969 リリース a lot."""
        w = self.weights
        if not w.pair_idf or self.searcher is None:
            return w.pairs
        return w.pair_idf * max(self.shared_idf(a.term), self.shared_idf(b.term))

    def _rarest(self, content: list[Token]) -> list[Token]:
        ranked = sorted(content, key=lambda t: self.df("body_w", t.term))
        keep = {id(t) for t in ranked[:MAX_OPTIONAL_WORDS]}
        return [t for t in content if id(t) in keep]

    def _known(self, token: Token, scope: str | None) -> bool:
        fields = ["title_w"] if scope == "title" else ["body_w", "title_w", "alt"]
        return any(self.df(f, token.term) for f in fields)

    def _substring_ways(self, folded: str, scope: str | None) -> list[Way]:
        sub = self.substring(folded, scope)
        if sub is None:
            return []
        where = "uni" if len(folded) == 1 else "+".join(gram_fields(scope))
        shown = folded if len(folded) == 1 else " ".join(bigrams(folded))
        return [Way("substring", where, shown, Query.boost_query(sub, self.weights.gram))]

    def text_ways(self, text: Text, tokens: list[Token]) -> list[Way]:
        """Ways a whole clause may match besides its words one by one: as a phrase, as a
        string of characters, or by reading (kana queries)."""
        folded = fold(text.text)
        ways: list[Way] = []
        if text.phrase:
            if tokens:
                words = [(i, t.term) for i, t in enumerate(tokens)]
                joined = " ".join(t.term for t in tokens)
                ways += [
                    Way("phrase", f, joined, Query.boost_query(self._phrase(f, words), fw))
                    for f, fw in self.weights.word_fields(text.field)
                    if f != "code_w"
                ]
            return ways + self._substring_ways(folded, text.field)
        if len(_content(tokens)) != 1:
            ways += self._substring_ways(folded, text.field)
        if is_kana(folded):
            rq = self.reading(folded, text.field)
            if rq is not None:
                shown = " ".join(bigrams(self.analyzer.reading_key(folded)))
                where = reading_field(text.field)
                ways.append(Way("reading", where, shown, Query.boost_query(rq, self.weights.reading)))
        return ways

    # -- clauses -------------------------------------------------------------------

    def _note(self, text: Text, tokens: list[Token], spec: MatchSpec) -> None:
        """Record what highlights should look for in a hit's text."""
        folded = fold(text.text)
        written = not text.phrase and _as_written(text, tokens)
        if text.phrase or written or not any(t.is_content for t in tokens):
            needle = folded
        else:
            needle = _content_string(text.text, tokens)
        if needle:
            spec.needles.add(needle)
        if text.phrase:
            return
        if is_kana(needle):  # ジェネリクスについて: the reading of ジェネリクス, not of the particles
            spec.readings.add(self.analyzer.reading_key(needle))
        if written:
            return
        for t in _content(tokens):
            spec.words.add(t.term)
            spec.needles.add(fold(t.surface) or t.term)
            spec.needles.add(t.term)
            if self.weights.synonym and text.field is None:
                spec.synonyms.update(t.synonyms)

    def text(
        self,
        text: Text,
        tokens: list[Token],
        mode: Mode,
        dated: list[tuple[int, int, Query, str]] | None = None,
    ) -> Query | None:
        """Query for one clause alternative (words typed together, or a phrase). ``dated``:
        spans of the text that name a date, whose words the post's date may stand for."""
        alternatives: list[Query] = []
        content = _content(tokens)
        # In ``any`` mode a phrase no post has exactly still finds the posts with most of it.
        loose_phrase = text.phrase and mode == "any"
        if (
            content
            and (not text.phrase or loose_phrase)
            and not (mode == "all" and _as_written(text, tokens))
        ):
            if mode == "any" and self.searcher is not None and len(content) > MAX_OPTIONAL_WORDS:
                content = self._rarest(content)
            joined = joined_kana(tokens)
            word_qs = [self.word(t, text.field, mode, id(t) in joined) for t in content]
            if dated:
                word_qs = [
                    _any([q, *(d for lo, hi, d, _label in dated if t.start < hi and lo < t.end)]) or q
                    for t, q in zip(content, word_qs, strict=True)
                ]
            if len(word_qs) == 1:
                alternatives.append(word_qs[0])
            elif mode == "any":
                alternatives.append(_any(word_qs))
            else:
                clauses = [(Occur.Must, q) for q in word_qs]
                near = self._proximity(tokens, content, text.field)
                if near is not None:
                    clauses.append((Occur.Should, near))
                alternatives.append(Query.boolean_query(clauses))
        alternatives += [w.query for w in self.text_ways(text, tokens)]
        if self.weights.clause_max and len(alternatives) > 1:
            return Query.disjunction_max_query(alternatives, 0.0)
        return _any(alternatives)

    def _proximity(self, tokens: list[Token], content: list[Token], scope: str | None) -> Query | None:
        """Bonus when the words stand together, as in the query (small gaps allowed)."""
        if len(content) < 2:
            return None
        index = {id(t): i for i, t in enumerate(tokens)}
        words = [(index[id(t)], t.term) for t in content]
        base = words[0][0]
        words = [(i - base, term) for i, term in words]
        return Query.boost_query(
            _any([self._phrase(f, words, slop=2) for f in phrase_fields(scope)]), self.weights.proximity
        )

    # -- whole query -----------------------------------------------------------------

    def build(self, parsed: ParsedQuery, filters: list[Query], mode: Mode = "all") -> Plan:
        """The tantivy query for ``parsed``.

        ``all``: every clause must match. ``any``: any clause or word may match, ranked by
        how many (and how rare) words match, with a bonus for posts that have them all.
        """
        spec = MatchSpec()
        analysed = [(alt, self.tokens(alt.text)) for c in parsed.clauses for alt in c.alternatives]
        words = sum(len(tokens) for _alt, tokens in analysed)
        if words > MAX_QUERY_WORDS:
            raise QuerySyntaxError(f"query too long: {words} words (at most {MAX_QUERY_WORDS})")
        tokens_of = {id(alt): tokens for alt, tokens in analysed}
        positive_alts = [alt for c in parsed.positive for alt in c.alternatives]
        has_content = any(t.is_content for alt in positive_alts for t in tokens_of[id(alt)])

        or_sides = {id(alt) for c in parsed.positive if len(c.alternatives) > 1 for alt in c.alternatives}

        def kept(alt: Text) -> bool:
            """A word typed apart that is only particles (関西空港 の ラーメン) is not required
            when the query has real words; alone (の), or as one side of an OR, it is
            searched as it is."""
            return (
                alt.phrase
                or not has_content
                or id(alt) in or_sides
                or any(t.is_content for t in tokens_of[id(alt)])
            )

        for alt in positive_alts:
            if kept(alt):
                self._note(alt, tokens_of[id(alt)], spec)

        date_words = self.date_words([alt for alt in positive_alts if kept(alt)])

        def clause_queries(clauses: list, clause_mode: Mode) -> list[Query]:  # type: ignore[type-arg]
            out = []
            for clause in clauses:
                alts = [
                    self.text(alt, tokens_of[id(alt)], clause_mode, date_words.get(id(alt)))
                    for alt in clause.alternatives
                    if clause.negated or kept(alt)
                ]
                q = _any([a for a in alts if a is not None])
                if q is not None:
                    out.append(q)
            return out

        positives = clause_queries(parsed.positive, "all")
        negatives = clause_queries(parsed.negative, "all")
        content_words = sum(
            max(1, len(tokens)) if alt.phrase else 1 if _as_written(alt, tokens) else len(_content(tokens))
            for alt, tokens in analysed
            if alt in positive_alts and kept(alt)
        )
        clauses: list[tuple[Occur, Query]] = [(Occur.Must, Query.const_score_query(f, 0.0)) for f in filters]
        if positives and mode == "any" and content_words > 1:
            clauses.append((Occur.Must, _any(clause_queries(parsed.positive, "any"))))
            if self.weights.pairs:
                pair_qs = []
                for alt, tokens in analysed:
                    if alt.phrase or alt not in positive_alts or not kept(alt):
                        continue
                    position = {id(t): i for i, t in enumerate(tokens)}
                    content = _content(tokens)
                    for a, b in itertools.pairwise(content):
                        gap = position[id(b)] - position[id(a)]
                        where = [
                            self._phrase(f, [(0, a.term), (gap, b.term)], slop=self.weights.pair_slop)
                            for f in phrase_fields(alt.field)
                        ]
                        # A pair counts once, in the title or the body.
                        either = _any(where)
                        pair_qs.append(Query.const_score_query(either, self._pair_bonus(a, b)))
                if pair_qs:
                    clauses.append((Occur.Should, _any(pair_qs)))
            if self.weights.all_words:
                every = Query.boolean_query([(Occur.Must, q) for q in positives])
                clauses.append((Occur.Should, Query.const_score_query(every, self.weights.all_words)))
        elif positives:
            clauses += [(Occur.Must, q) for q in positives]
        elif not filters:  # only exclusions: start from every post
            clauses.append((Occur.Must, Query.all_query()))
        if positives and self.weights.date_match:
            clauses += [(Occur.Should, q) for q in self._dates_named(positive_alts)]
        if positives and self.weights.gram_bag:
            bag = self._gram_bag(positive_alts)
            if bag is not None:
                clauses.append((Occur.Should, bag))
        clauses += [(Occur.MustNot, q) for q in negatives]
        natural = _is_natural(parsed, analysed, content_words)
        return Plan(
            query=Query.boolean_query(clauses),
            spec=spec,
            content_words=content_words,
            has_text=bool(positives),
            analysed=analysed,
            natural=natural,
            ignored=[alt for alt in positive_alts if not kept(alt)],
            loose=natural
            or (content_words >= self.weights.loose_words and not any(alt.phrase for alt in positive_alts)),
        )


def recency_factor(age_days: float | None, weight: float, half_life_days: float = 365.0) -> float:
    """How much a post's relevance is raised for being new: ``1 + weight`` today, half of
    that extra a year ago, a quarter two years ago. Undated posts get no raise; posts dated
    in the future count as new."""
    if age_days is None or weight <= 0:
        return 1.0
    return 1.0 + weight * 0.5 ** (max(age_days, 0.0) / half_life_days)


def joined_kana(tokens: list[Token]) -> set[int]:
    """ids of the katakana words typed right against another katakana word."""
    out: set[int] = set()
    for a, b in itertools.pairwise(tokens):
        if a.end == b.start and has_katakana(a.surface) and has_katakana(b.surface):
            out.update((id(a), id(b)))
    return out


def _as_written(text: Text, tokens: list[Token]) -> bool:
    """A clause whose words are no good guide, so that only its whole string and its
    reading are searched (its words still rank partial matches):

    * several words and none a content word: a compound particle or an ending typed alone
      (について, ではない), whose words would each match nearly every post;
    * hiragana that Sudachi could only split into fragments and particles (はんどうたい →
      はん / どう / たい, はんどうたいのニュース), whose words would match posts that merely
      contain はん;
    * the kana end of a sentence broken at a space, starting with a particle
      (「2022-11-06 のブックマーク」, 「gpgpdump 0.3.0 をリリースした」).

    Katakana words with particles (ジェネリクスについて) are those words, and are searched
    by them."""
    if len(tokens) < 2:
        return False
    content = [t for t in tokens if t.is_content]
    if not content:
        return True
    return (
        len(content) < len(tokens)
        and is_kana(fold(text.text))
        and (not tokens[0].is_content or not all(has_katakana(t.surface) for t in content))
    )


def _content_string(text: str, tokens: list[Token]) -> str:
    """The folded clause as a string to mark, without the particles at its ends
    (「のインストール方法」 marks インストール方法), or "" when particles stand between its
    words (a question's で and を are not marked; its words are, one by one)."""
    where = [i for i, t in enumerate(tokens) if t.is_content]
    first, last = where[0], where[-1]
    if len(where) != last - first + 1:
        return ""
    start = tokens[first].start if first > 0 else 0
    end = tokens[last].end if last < len(tokens) - 1 else len(text)
    return fold(text[start:end])


def _content(tokens: list[Token]) -> list[Token]:
    """The words a query requires: content words, or all words if it has none (の alone)."""
    return [t for t in tokens if t.is_content] or tokens


def _is_natural(parsed: ParsedQuery, analysed: list[tuple[Text, list[Token]]], content_words: int) -> bool:
    """A question or a sentence rather than keywords: it has function words (particles,
    auxiliaries) among three or more content words, or it ends with a question mark."""
    positive_texts = [alt for c in parsed.positive for alt in c.alternatives if not alt.phrase]
    if any(alt.text.rstrip().endswith(("?", "？")) for alt in positive_texts):
        return True
    has_function = any(not t.is_content for alt, tokens in analysed if alt in positive_texts for t in tokens)
    return has_function and content_words >= 3


def _any(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])
