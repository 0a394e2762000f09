"""The embeddable entry point: open an index once, then search it many times.

    from search import Index
    idx = Index.open(".search-index")
    result = idx.search("AIチップ 投資", tags=["AI"], since="2025-01-01", limit=10)

The Sudachi dictionary and the tantivy reader are loaded once per :class:`Index` and
reused; each search sees the latest committed state of the index, including a rebuild
that switched to a new generation while this object was open.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Literal

import tantivy

from search.analysis import Analyzer
from search.dates import get_timezone
from search.errors import QuerySyntaxError
from search.explain import Explanation, explain_query, find_post
from search.facets import FacetCounter, merge_spellings
from search.filters import Filters
from search.query import ParsedQuery, parse_query, user_names
from search.ranking import Plan, QueryBuilder, Weights, recency_factor
from search.related import RelatedFinder, check_limit
from search.results import Hit, IndexStats, SearchResult
from search.snippets import SnippetMaker
from search.store import META_FILE, check_compatible, open_tantivy, read_meta

DEFAULT_LOCATION = ".search-index"
ENV_VAR = "SEARCH_INDEX"
Sort = Literal["relevance", "date"]
SORTS = ("relevance", "date")
MODES = ("auto", "all", "any")
MAX_LIMIT = 10_000
RECENCY_WINDOW = 200
EXPLAIN_DEPTH = 1_000  # explain reports a post's rank if it is among this many hits


def default_index_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--index`` wins, then ``$SEARCH_INDEX``, then ``.search-index`` in the current directory."""
    return Path(explicit or os.environ.get(ENV_VAR) or DEFAULT_LOCATION)


class Index:
    def __init__(self, root: Path, analyzer: Analyzer | None = None, weights: Weights | None = None) -> None:
        self.root = root
        self.analyzer = analyzer or Analyzer()
        self._weights = weights
        self._meta_stamp: tuple[int, int] | None = None
        self._reopening = threading.Lock()
        self._open()

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, weights: Weights | None = None) -> Index:
        """Open an existing index; raises a :class:`search.errors.SearchError` if there is none
        or if it was built by a different analyzer (its terms would silently not match)."""
        return cls(default_index_path(path), weights=weights)

    def _open(self) -> None:
        # Everything is made first and assigned after, so that a search running on another
        # thread while a rebuild is switched to sees the old generation or the new one.
        meta = read_meta(self.root)
        check_compatible(self.root, meta)
        tindex = open_tantivy(self.root / meta.generation)
        tz = get_timezone(meta.timezone)
        builder = QueryBuilder(tindex.schema, self.analyzer, self._weights, tz=tz)
        stamp = self._stamp()
        self.meta, self._tindex, self.schema, self.tz, self.builder = meta, tindex, tindex.schema, tz, builder
        self.snippets = SnippetMaker(self.analyzer)
        self.facet_counter = FacetCounter(tz)
        self._finder: tuple[object, RelatedFinder] | None = None
        self._meta_stamp = stamp
        self._seen_commit: tuple[int, int, int] | None = None

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.root / META_FILE)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_ino

    def searcher(self) -> tantivy.Searcher:
        """A snapshot of the latest commit (reopening if a rebuild switched generations)."""
        with self._reopening:  # one thread reopens or reloads; the others wait for it
            if self._stamp() != self._meta_stamp:
                self._open()
            commit = self._commit_stamp()
            if commit != self._seen_commit:  # reloading costs a few tenths of a millisecond
                self._tindex.reload()
                self._seen_commit = commit
            return self._tindex.searcher()

    def _commit_stamp(self) -> tuple[int, int, int] | None:
        """tantivy replaces its meta.json (atomic rename: a new inode) on every commit."""
        try:
            st = os.stat(self.root / self.meta.generation / "meta.json")
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, st.st_ino

    # -- searching ------------------------------------------------------------------------

    def search(
        self,
        query: str = "",
        *,
        tags: str | Iterable[str] = (),
        categories: str | Iterable[str] = (),
        author: str | Iterable[str] | None = None,
        since: object = None,
        until: object = None,
        sort: Sort = "relevance",
        limit: int = 10,
        offset: int = 0,
        mode: Literal["auto", "all", "any"] = "auto",
        snippets: bool = True,
        recency: float = 0.0,
        synonyms: bool = True,
        facets: bool = False,
    ) -> SearchResult:
        """Ranked posts for ``query`` (see :mod:`search.query` for the syntax).

        ``since``/``until`` take a ``date``, ``datetime`` or string and are inclusive.
        ``mode="auto"`` requires all words and falls back to the best partial matches when
        no post has them all (``result.partial``).
        ``recency`` > 0 favours newer posts within relevance order: a hit's score is
        multiplied by ``1 + recency × 0.5 ** (age in years)`` (see
        :func:`search.ranking.recency_factor`); ``sort="date"`` ignores relevance instead.
        ``synonyms`` lets a word also match its Sudachi synonyms (パソコン for PC), below
        the word itself.
        ``facets=True`` adds ``result.facets``: tag, category and year counts over every
        matching post (see :mod:`search.facets`).
        """
        if sort not in SORTS:
            raise QuerySyntaxError(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
        if not (1 <= limit <= MAX_LIMIT):
            raise QuerySyntaxError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        if offset < 0:
            raise QuerySyntaxError(f"offset must be 0 or more, got {offset}")
        if not recency >= 0:
            raise QuerySyntaxError(f"recency must be 0 or more, got {recency}")
        parsed, filter_queries = self._prepare(query, tags, categories, author, since, until)
        self._require_text(parsed, filter_queries, browsing=sort == "date")
        searcher = self.searcher()
        if recency and sort == "relevance":
            # Re-rank the best RECENCY_WINDOW hits: far enough down that an old perfect
            # match and a new good one both compete, cheap enough to stay in milliseconds.
            window = max(RECENCY_WINDOW, offset + limit)
            parsed, plan, found, partial = self._execute(
                searcher, parsed, filter_queries, mode, sort, window, 0, synonyms
            )
            page = self._by_recency(searcher, found.hits, recency)[offset : offset + limit]
        else:
            parsed, plan, found, partial = self._execute(
                searcher, parsed, filter_queries, mode, sort, limit, offset, synonyms
            )
            page = found.hits
        hits = [self._hit(searcher, score, addr, plan, snippets) for score, addr in page]
        result = SearchResult(total=found.count or 0, hits=hits, partial=partial and bool(hits), query=query)
        if facets:
            result.facets = self.facet_counter.count(searcher, plan.query, self._seen_commit)
        return result

    def explain(
        self,
        query: str,
        post: str | None = None,
        *,
        tags: str | Iterable[str] = (),
        categories: str | Iterable[str] = (),
        author: str | Iterable[str] | None = None,
        since: object = None,
        until: object = None,
        mode: Literal["auto", "all", "any"] = "auto",
        synonyms: bool = True,
    ) -> Explanation:
        """How ``query`` is analysed and, given ``post`` (its path, or the end of it), how that
        post matches or why it does not. See :mod:`search.explain`."""
        parsed, filter_queries = self._prepare(query, tags, categories, author, since, until)
        self._require_text(parsed, filter_queries, browsing=False)
        searcher = self.searcher()
        parsed, plan, found, partial = self._execute(
            searcher, parsed, filter_queries, mode, "relevance", EXPLAIN_DEPTH, 0, synonyms
        )
        return explain_query(
            self.builder.bind(searcher, self._weights_for(synonyms)),
            searcher,
            parsed,
            plan,
            found,
            partial,
            filter_queries,
            query=query,
            post=post,
        )

    def related(self, path: str, limit: int = 10) -> list[Hit]:
        """The posts most about the same things as the post at ``path`` (its stored path, or
        the end of it, as for :meth:`explain`), best first; never itself, never a draft.
        See :mod:`search.related`."""
        check_limit(limit)
        finder = self.related_finder(self.searcher())
        searcher = finder.searcher
        _path, addr = find_post(searcher, self.schema, path)
        found = finder.find(addr, limit)
        return [self._hit(searcher, score, a, None, False) for score, a in found]

    def related_finder(self, searcher: tantivy.Searcher) -> RelatedFinder:
        """One finder per commit, so its term statistics are looked up once, not per call."""
        cached, commit = self._finder, self._seen_commit
        if cached is not None and commit is not None and cached[0] == commit:
            return cached[1]
        finder = RelatedFinder(searcher, self.schema)
        self._finder = (commit, finder)
        return finder

    def _prepare(
        self,
        query: str,
        tags: str | Iterable[str],
        categories: str | Iterable[str],
        author: str | Iterable[str] | None,
        since: object,
        until: object,
    ) -> tuple[ParsedQuery, list[tantivy.Query]]:
        parsed = parse_query(query or "")
        authors = user_names(author, "author")
        tags = user_names(tags, "tag")  # tags="golang" is one tag, not 6 letters
        categories = user_names(categories, "category")
        filters = Filters.from_user(
            self.tz,
            tags=[*tags, *parsed.tags],
            categories=[*categories, *parsed.categories],
            authors=[*authors, *parsed.authors],
            since=since if since not in (None, "") else parsed.since,
            until=until if until not in (None, "") else parsed.until,
        )
        return parsed, filters.queries(self.schema)

    @staticmethod
    def _require_text(parsed: ParsedQuery, filter_queries: list[tantivy.Query], browsing: bool) -> None:
        """A blank box or a bare OR would otherwise list every post as if each matched; only
        filters or an explicit newest-first listing (``sort="date"``) browse without words."""
        if not parsed.clauses and not filter_queries and not browsing:
            raise QuerySyntaxError("empty query: type a word to search for, or a filter such as tag:NAME")

    def _execute(
        self,
        searcher: tantivy.Searcher,
        parsed: ParsedQuery,
        filter_queries: list[tantivy.Query],
        mode: str,
        sort: Sort,
        limit: int,
        offset: int,
        synonyms: bool = True,
    ) -> tuple[ParsedQuery, Plan, tantivy.SearchResult, bool]:
        """Pick the plan (all words, or the best partial matches) and run it."""
        if mode not in MODES:
            raise QuerySyntaxError(f"unknown mode {mode!r}; use one of: {', '.join(MODES)}")
        builder = self.builder.bind(searcher, self._weights_for(synonyms))
        plan = builder.build(parsed, filter_queries, "all")
        if plan.natural and parsed.has_operators and not parsed.literal:
            # A sentence: its quotes and dashes are punctuation, not phrase and exclusion.
            parsed = parse_query(parsed.raw, literal=True)
            plan = builder.build(parsed, filter_queries, "all")
        if mode == "all" or plan.content_words < 2:
            found = self._run(searcher, plan, sort, limit, offset)
            if found.count or mode == "all":
                return parsed, plan, found, False
            split = builder.split_compounds(parsed)
            if split is None:
                return parsed, plan, found, False
            # 電子署名法 is in no post, but its parts 電子 署名 法 are: the best partial match.
            plan = builder.build(split, filter_queries, "any")
            return split, plan, self._run(searcher, plan, sort, limit, offset), True
        if mode == "auto" and not plan.loose:
            # Keywords: all of them. Only if no post has them all, the best partial matches.
            found = self._run(searcher, plan, sort, limit, offset)
            if found.count:
                return parsed, plan, found, False
            partial = True
        else:
            # A question or sentence: rank every post with some of its words, those with all
            # of them first; it is partial when none has them all.
            partial = (
                searcher.search(tantivy.Query.const_score_query(plan.query, 1.0), 1, count=True).count == 0
            )
        plan = builder.build(parsed, filter_queries, "any")
        return parsed, plan, self._run(searcher, plan, sort, limit, offset), partial

    def _weights_for(self, synonyms: bool) -> Weights:
        weights = self.builder.weights
        return weights if synonyms else dataclasses.replace(weights, synonym=0.0)

    def _by_recency(
        self, searcher: tantivy.Searcher, hits: list[tuple[float, tantivy.DocAddress]], weight: float
    ) -> list[tuple[float, tantivy.DocAddress]]:
        now = datetime.now(self.tz)
        rescored = []
        for score, addr in hits:
            text = searcher.doc(addr).get_first("date_text")
            age = (now - datetime.fromisoformat(text)).total_seconds() / 86400 if text else None
            rescored.append((score * recency_factor(age, weight), addr))
        return sorted(rescored, key=lambda pair: -pair[0])

    def _run(
        self, searcher: tantivy.Searcher, plan: Plan, sort: Sort, limit: int, offset: int
    ) -> tantivy.SearchResult:
        if sort == "date" or not plan.has_text:
            return searcher.search(
                plan.query, limit, count=True, order_by_field="date", order=tantivy.Order.Desc, offset=offset
            )
        return searcher.search(plan.query, limit, count=True, offset=offset)

    def _hit(
        self,
        searcher: tantivy.Searcher,
        key: object,
        addr: tantivy.DocAddress,
        plan: Plan | None,
        snippets: bool,
    ) -> Hit:
        doc = searcher.doc(addr)
        title = doc.get_first("title") or ""
        body = doc.get_first("body") or ""
        excerpt = doc.get_first("excerpt") or ""
        date_text = doc.get_first("date_text")
        score = float(key) if isinstance(key, float) else 0.0
        hit = Hit(
            path=doc.get_first("path"),
            title=title,
            date=datetime.fromisoformat(date_text) if date_text else None,
            tags=doc.get_all("tag"),
            categories=doc.get_all("category"),
            author=doc.get_first("author") or "",
            excerpt=excerpt,
            score=score,
            snippet="",
        )
        if snippets and plan is not None:
            snip = self.snippets.snippet(body or excerpt, plan.spec)
            if not snip.highlights and plan.has_text:
                code = doc.get_first("code")
                in_code = self.snippets.code_line(code, plan.spec) if code else None
                if in_code is not None:
                    snip, hit.snippet_in_code = in_code, True
            hit.snippet, hit.highlights = snip.text, snip.highlights
            hit.title_highlights = self.snippets.highlight(title, plan.spec)
        return hit

    # -- browsing ---------------------------------------------------------------------------

    def tags(self) -> dict[str, int]:
        """Tag → number of posts, most used first. Spellings that fold together (AI, ＡＩ)
        count as one tag, shown in its most common spelling."""
        return self._counts("tag")

    def categories(self) -> dict[str, int]:
        return self._counts("category")

    def _counts(self, field_name: str) -> dict[str, int]:
        searcher = self.searcher()
        if searcher.num_docs == 0:
            return {}
        agg = searcher.aggregate(
            tantivy.Query.all_query(), {"c": {"terms": {"field": field_name, "size": 100_000}}}
        )
        return merge_spellings(agg["c"]["buckets"])

    def stats(self) -> IndexStats:
        searcher = self.searcher()
        first = last = None
        if searcher.num_docs:
            for order in (tantivy.Order.Asc, tantivy.Order.Desc):
                res = searcher.search(
                    tantivy.Query.exists_query("date"), 1, order_by_field="date", order=order
                )
                if res.hits:
                    text = searcher.doc(res.hits[0][1]).get_first("date_text")
                    value = datetime.fromisoformat(text) if text else None
                    if order == tantivy.Order.Asc:
                        first = value
                    else:
                        last = value
        size = sum(p.stat().st_size for p in (self.root / self.meta.generation).rglob("*") if p.is_file())
        return IndexStats(
            posts=searcher.num_docs,
            size_bytes=size,
            first_date=first,
            last_date=last,
            analyzer=self.meta.analyzer,
            location=str(self.root),
            timezone=self.meta.timezone,
            sources=self.meta.sources,
            updated=self.meta.updated,
        )


__all__ = ["Index", "ParsedQuery", "default_index_path"]
