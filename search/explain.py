"""Why a post does or does not show up: the query as analysed, and each way it matched.

A user who cannot find their post needs to see three things: how their query was split
and normalised (is 引越し the same word as 引っ越し here?), which plan ran (all words, or
partial matches), and for their post which words matched in which field and how much each
contributed, or which word is missing and whether a filter excluded it. The per-way
scores come from running each :class:`search.ranking.Way` on that one post, so they are
the same numbers the ranking adds up (the best way of each word counts, the others are
alternatives that lost; words typed together count once, as the better of the words and
the clause's string).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

import tantivy
from tantivy import Occur, Query

from search.analysis import Token
from search.dates import mentioned_dates
from search.errors import PostNotFoundError
from search.query import ParsedQuery, Text, user_text
from search.ranking import Plan, QueryBuilder, Way, joined_kana

KIND_NAMES = {0: "skip", 1: "function", 2: "content"}


@dataclass
class TokenInfo:
    surface: str
    term: str  # the normalised form that is indexed and searched
    reading: str
    kind: str  # content words must match; function words (particles…) need not
    parts: list[str]
    alias: str
    fields: dict[str, str]  # field → what this word is looked up as there


@dataclass
class ClauseInfo:
    text: str
    phrase: bool
    field: str | None
    negated: bool
    tokens: list[TokenInfo]


@dataclass
class WayScore:
    word: str
    how: str
    field: str
    term: str
    score: float


@dataclass
class PostInfo:
    path: str
    matched: bool  # the post is among the results of this query
    rank: int | None  # 1-based position among the results, if within the explain depth
    score: float | None
    filtered_out: bool  # a tag/category/author/date filter excludes the post
    excluded_by: list[str]  # -words that the post contains
    ways: list[WayScore]  # every way a query word matched this post, best first per word
    missing: list[str]  # content words the post has in no field, in no form
    tantivy: dict[str, Any] | None = None  # tantivy's own explanation of the total score


@dataclass
class Explanation:
    query: str
    plan: str  # "all words" | "partial" | "natural"
    partial: bool
    total: int
    clauses: list[ClauseInfo]
    filters: dict[str, Any]
    post: PostInfo | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def explain_query(
    builder: QueryBuilder,
    searcher: tantivy.Searcher,
    parsed: ParsedQuery,
    plan: Plan,
    found: tantivy.SearchResult,
    partial: bool,
    filter_queries: list[Query],
    *,
    query: str,
    post: str | None,
) -> Explanation:
    tokens_of = {id(alt): toks for alt, toks in plan.analysed}
    clauses = [
        ClauseInfo(
            text=alt.text,
            phrase=alt.phrase,
            field=alt.field,
            negated=clause.negated,
            tokens=[
                _token_info(builder, t, alt, id(t) in joined_kana(tokens_of[id(alt)]))
                for t in tokens_of[id(alt)]
            ],
        )
        for clause in parsed.clauses
        for alt in clause.alternatives
    ]
    if not plan.has_text:
        kind = "filters only"
    elif plan.natural:
        kind = "natural"
    elif plan.loose:
        kind = "many keywords"
    else:
        kind = "partial" if partial else "all words"
    out = Explanation(
        query=query,
        plan=kind,
        partial=partial,
        total=found.count or 0,
        clauses=clauses,
        filters={
            "tags": parsed.tags,
            "categories": parsed.categories,
            "authors": parsed.authors,
            "since": parsed.since,
            "until": parsed.until,
        },
    )
    if plan.natural:
        out.notes.append(
            "read as a sentence: function words need not match; posts with more and rarer words rank first"
        )
    elif plan.loose:
        out.notes.append("many keywords: posts with more and rarer of them rank first, those with all on top")
    if parsed.literal:
        out.notes.append("quotes and dashes inside a sentence are read as punctuation, not as operators")
    if partial and not plan.natural:
        out.notes.append("no post has every word: showing the posts with the most and rarest of them")
    for alt in plan.ignored:
        out.notes.append(f"{alt.text!r} is only particles or auxiliaries: not required")
    if plan.has_text and builder.weights.date_match:
        named = " ".join(alt.text for c in parsed.positive for alt in c.alternatives if not alt.phrase)
        for start, end in mentioned_dates(named, builder.tz)[:4]:
            shown = (
                start.strftime("%Y-%m-%d") if end - start <= timedelta(days=1) else start.strftime("%Y-%m")
            )
            out.notes.append(
                f"posts dated {shown} rank higher (+{builder.weights.date_match:g}): the query names it"
            )
    if post is not None:
        out.post = _explain_post(builder, searcher, parsed, plan, found, filter_queries, post)
    return out


def _token_info(builder: QueryBuilder, token: Token, alt: Text, joined: bool) -> TokenInfo:
    fields: dict[str, str] = {}
    if token.is_content or alt.phrase:
        for way in builder.word_ways(token, alt.field, joined=joined):
            fields.setdefault(way.field, way.term)
    return TokenInfo(
        surface=token.surface,
        term=token.term,
        reading=token.reading,
        kind=KIND_NAMES.get(token.kind, str(token.kind)),
        parts=list(token.parts),
        alias=token.alias,
        fields=fields,
    )


def find_post(
    searcher: tantivy.Searcher, schema: tantivy.Schema, post: str
) -> tuple[str, tantivy.DocAddress]:
    """The indexed post ``post`` names: its exact path, or the one path ending with it."""
    wanted = user_text(post, "post path").replace("\\", "/").removeprefix("./")
    pieces = wanted.strip("/").split("/")
    for i in range(len(pieces)):  # sample_posts/a.md names a.md when the root was sample_posts
        candidate = "/".join(pieces[i:])
        exact = searcher.search(Query.term_query(schema, "path", candidate), 1)
        if exact.hits:
            return candidate, exact.hits[0][1]
    pattern = "(.*/)?" + re.escape(wanted.lstrip("/"))
    candidates = searcher.search(Query.regex_query(schema, "path", pattern), 5)
    paths = [(searcher.doc(addr).get_first("path"), addr) for _s, addr in candidates.hits]
    if not paths:
        raise PostNotFoundError(f"no indexed post at {post!r} (paths are relative to the archive root)")
    if len(paths) > 1:
        names = ", ".join(p for p, _ in paths[:3])
        raise PostNotFoundError(f"{post!r} matches several posts ({names}…); give more of the path")
    return paths[0]


def _explain_post(
    builder: QueryBuilder,
    searcher: tantivy.Searcher,
    parsed: ParsedQuery,
    plan: Plan,
    found: tantivy.SearchResult,
    filter_queries: list[Query],
    post: str,
) -> PostInfo:
    schema = builder.schema
    path, addr = find_post(searcher, schema, post)
    only = Query.const_score_query(Query.term_query(schema, "path", path), 0.0)

    def score_on_post(q: Query) -> float | None:
        res = searcher.search(Query.boolean_query([(Occur.Must, only), (Occur.Must, q)]), 1)
        return res.hits[0][0] if res.hits else None

    rank = score = None
    where = (addr.segment_ord, addr.doc)
    for i, (hit_score, hit_addr) in enumerate(found.hits, start=1):
        if (hit_addr.segment_ord, hit_addr.doc) == where:
            rank, score = i, float(hit_score)
            break
    if score is None:  # beyond the ranked depth, or not a match at all
        score = score_on_post(plan.query)
    matched = score is not None
    filtered_out = any(score_on_post(f) is None for f in filter_queries)

    tokens_of = {id(alt): toks for alt, toks in plan.analysed}
    dated = builder.date_words([alt for alt in parsed.positive_alternatives if alt not in plan.ignored])
    ways: list[WayScore] = []
    missing: list[str] = []
    excluded_by: list[str] = []
    for clause in parsed.clauses:
        for alt in clause.alternatives:
            tokens = tokens_of[id(alt)]
            if alt in plan.ignored:
                continue
            if clause.negated:
                q = builder.text(alt, tokens, "all")
                if q is not None and score_on_post(q) is not None:
                    excluded_by.append(alt.text)
                continue
            alt_ways = _scored(builder.text_ways(alt, tokens), alt.text, score_on_post)
            ways += alt_ways
            if alt.phrase:
                if not alt_ways:
                    missing.append(f'"{alt.text}"')
                continue
            joined = joined_kana(tokens)
            for token in [t for t in tokens if t.is_content] or tokens:
                ways_of = builder.word_ways(token, alt.field, joined=id(token) in joined)
                word_ways = _scored(ways_of, token.surface, score_on_post)
                for lo, hi, query, label in dated.get(id(alt), []):
                    if token.start < hi and lo < token.end and score_on_post(query) is not None:
                        weight = builder.weights.date_match
                        word_ways.append(
                            WayScore(word=token.surface, how="date", field="date", term=label, score=weight)
                        )
                ways += word_ways
                if not word_ways and not alt_ways:
                    missing.append(token.surface)
    tree = json.loads(plan.query.explain(searcher, addr).to_json()) if matched else None
    return PostInfo(
        path=path,
        matched=matched,
        rank=rank,
        score=score,
        filtered_out=filtered_out,
        excluded_by=excluded_by,
        ways=ways,
        missing=missing,
        tantivy=tree,
    )


def _scored(ways: list[Way], word: str, score_on_post) -> list[WayScore]:  # type: ignore[no-untyped-def]
    out = []
    for way in ways:
        s = score_on_post(way.query)
        if s is not None:
            out.append(WayScore(word=word, how=way.how, field=way.field, term=way.term, score=round(s, 4)))
    return sorted(out, key=lambda w: -w.score)
