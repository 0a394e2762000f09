"""Facet counts: how many of the matching posts carry each tag and category, and per year.

A reader narrowing a search wants to see where the matches are (12 in 料理, 3 from 2021)
before clicking, so the counts cover every post the search matches, not only the page
shown. They come from one tantivy aggregation over the fast ``tag``, ``category`` and
``date`` fields, run with the same query that ranks the hits, so filters and partial
(any-words) results count exactly the posts ``total`` counts.

Years are calendar years in the index's time zone: a post written at 00:30 on New Year's
Day in Tokyo counts in the new year, although in UTC it is still the old one. tantivy's date histogram only has fixed intervals (a year
is not one), so the years are range buckets whose bounds are each 1 January 00:00 in the
index's zone, spanning the index's first to last date (looked up once per commit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import tantivy

from search.normalize import fold_key

MAX_NAMES = 100_000  # terms buckets asked for: every tag of any real blog, so counts are exact
NS = 1_000_000_000  # tantivy's date fast field, in aggregations, is nanoseconds since 1970


@dataclass
class Facets:
    """Counts over all matching posts: tags and categories most used first (spellings that
    fold together, AI/ＡＩ, count as one under the most common spelling), years newest first.
    Undated posts are in no year."""

    tags: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: object keys are strings, so years are too (``"2024": 3``)."""
        return {
            "tags": dict(self.tags),
            "categories": dict(self.categories),
            "years": {str(year): n for year, n in self.years.items()},
        }


def merge_spellings(buckets: Iterable[dict[str, Any]]) -> dict[str, int]:
    """tantivy terms buckets → name: count, one entry per folded name, most used first.

    A post never carries two spellings of one name (the indexer keeps the first), so
    adding the spellings' counts counts posts, not tags.
    """
    grouped: dict[str, list[tuple[int, str]]] = {}
    for bucket in buckets:
        grouped.setdefault(fold_key(bucket["key"]), []).append((bucket["doc_count"], bucket["key"]))
    totals = {max(spellings)[1]: sum(c for c, _ in spellings) for spellings in grouped.values()}
    return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


class FacetCounter:
    """Counts facets for one index; remembers the index's span of years per commit."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._span: tuple[object, tuple[int, int] | None] | None = None

    def count(self, searcher: tantivy.Searcher, query: tantivy.Query, commit: object = None) -> Facets:
        """Facets of the posts ``query`` matches in ``searcher``'s snapshot. ``commit``
        identifies the snapshot (any value that changes when the index does)."""
        if searcher.num_docs == 0:
            return Facets()
        span = self._years_span(searcher, commit)
        result = self._aggregate(searcher, query, span)
        if _outside(result.get("y")):
            # A commit landed between the span lookup and this snapshot with a post dated
            # outside it: look the span up again rather than leave that post out.
            span = self._years_span(searcher, commit, fresh=True)
            result = self._aggregate(searcher, query, span)
        years: dict[int, int] = {}
        for bucket in (result.get("y") or {}).get("buckets", []):
            if "from" in bucket and "to" in bucket and bucket["doc_count"]:
                years[int(bucket["key"])] = bucket["doc_count"]
        return Facets(
            tags=merge_spellings(result["t"]["buckets"]),
            categories=merge_spellings(result["c"]["buckets"]),
            years=dict(sorted(years.items(), reverse=True)),
        )

    def _aggregate(
        self, searcher: tantivy.Searcher, query: tantivy.Query, span: tuple[int, int] | None
    ) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "t": {"terms": {"field": "tag", "size": MAX_NAMES}},
            "c": {"terms": {"field": "category", "size": MAX_NAMES}},
        }
        if span is not None:
            first, last = span
            spec["y"] = {"range": {"field": "date", "ranges": self._year_ranges(first, last)}}
        return searcher.aggregate(query, spec)

    def _year_ranges(self, first: int, last: int) -> list[dict[str, Any]]:
        starts = [self._year_start(y) for y in range(first, last + 2)]
        return [
            {"key": str(year), "from": float(lo), "to": float(hi)}
            for year, lo, hi in zip(range(first, last + 1), starts, starts[1:], strict=False)
        ]

    def _year_start(self, year: int) -> int:
        """1 January 00:00 in the index's zone, in nanoseconds (exact as a float: a whole
        second times 10^9 stays below 2^53 in its mantissa until the year 2255)."""
        return int(datetime(year, 1, 1, tzinfo=self.tz).timestamp()) * NS

    def _years_span(
        self, searcher: tantivy.Searcher, commit: object, fresh: bool = False
    ) -> tuple[int, int] | None:
        if not fresh and commit is not None and self._span is not None and self._span[0] == commit:
            return self._span[1]
        stats = searcher.aggregate(tantivy.Query.all_query(), {"d": {"stats": {"field": "date"}}})["d"]
        if not stats["count"]:
            return None  # not remembered: the next commit may bring the first dated post
        first = datetime.fromtimestamp(stats["min"] / NS, self.tz).year
        last = datetime.fromtimestamp(stats["max"] / NS, self.tz).year
        self._span = (commit, (first, last))
        return first, last


def _outside(years: dict[str, Any] | None) -> bool:
    """Whether a post fell in tantivy's open-ended buckets before the first or after the
    last year asked for."""
    if not years:
        return False
    return any(b["doc_count"] and ("from" not in b or "to" not in b) for b in years["buckets"])
