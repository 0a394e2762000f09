"""Result types returned by :meth:`search.Index.search`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from search.facets import Facets


@dataclass
class Hit:
    """One matching post. ``highlights`` are (start, end) character offsets into ``snippet``;
    ``title_highlights`` likewise into ``title``."""

    path: str
    title: str
    date: datetime | None
    tags: list[str]
    categories: list[str]
    author: str
    excerpt: str
    score: float
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)
    title_highlights: list[tuple[int, int]] = field(default_factory=list)
    snippet_in_code: bool = False  # the snippet is a line of a code block (show it as code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "tags": self.tags,
            "categories": self.categories,
            "author": self.author or None,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "highlights": [list(span) for span in self.highlights],
            "title_highlights": [list(span) for span in self.title_highlights],
            "snippet_in_code": self.snippet_in_code,
        }


@dataclass
class SearchResult:
    """``total`` counts every matching post, not only the returned page.

    ``partial`` is True when no post contained all the query's words and the hits are the
    posts with the most (and rarest) of them instead. ``facets`` is set when asked for.
    """

    total: int
    hits: list[Hit]
    partial: bool = False
    query: str = ""
    facets: Facets | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "query": self.query,
            "total": self.total,
            "partial": self.partial,
            "hits": [h.to_dict() for h in self.hits],
        }
        if self.facets is not None:
            out["facets"] = self.facets.to_dict()
        return out


@dataclass
class IndexStats:
    posts: int
    size_bytes: int
    first_date: datetime | None
    last_date: datetime | None
    analyzer: dict[str, Any]
    location: str
    timezone: str
    sources: list[str]
    updated: str
