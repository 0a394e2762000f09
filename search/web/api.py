"""What the JSON API means, apart from HTTP: its parameters, their caps, and its answers.

Kept free of the web framework so that the rules a reader's request is held to (and the
error each broken rule gets) are plain functions over a parameter mapping, and so the
same shapes can be produced by anything else that embeds the library.

Caps exist because the API faces the public: a search box never needs a 2,000-character
query or 10,000 hits a page, and each would cost the server far more than a reader's
search should. Every violation is a :class:`search.errors.SearchError` whose message is
returned to the caller with status 400; nothing a caller sends can cause a 500.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from search.errors import (
    AnalyzerMismatchError,
    IndexFormatError,
    IndexNotFoundError,
    PostNotFoundError,
    QuerySyntaxError,
    SearchError,
)
from search.index import Index
from search.permalinks import Permalinks
from search.results import Hit

MAX_QUERY_CHARS = 200  # characters of q (a long question is about 60)
DEFAULT_LIMIT = 10
MAX_LIMIT = 50  # hits per page
MAX_OFFSET = 1_000  # deepest first hit a page may start at
MAX_FILTER_VALUES = 10  # tag= or category= values in one request
MAX_VALUE_CHARS = 100  # characters of one tag, category, author, date or path value
DEFAULT_RELATED = 5
MAX_RELATED = 20

Params = Mapping[str, Sequence[str]]


def status_for(error: SearchError) -> int:
    """The HTTP status of a library error: the caller's mistake (400), a post that is not
    there (404), or an index the server cannot read right now (503, the operator's job)."""
    if isinstance(error, PostNotFoundError):
        return 404
    if isinstance(error, IndexNotFoundError | IndexFormatError | AnalyzerMismatchError):
        return 503
    return 400


class SearchAPI:
    """The answers behind ``/api/*`` for one open :class:`search.Index`."""

    def __init__(self, index: Index, permalinks: Permalinks | None = None) -> None:
        self.index = index
        self.permalinks = permalinks or Permalinks()

    def search(self, params: Params) -> dict[str, Any]:
        """``search query --json``'s object, plus ``facets`` over every matching post,
        ``limit``/``offset`` as applied, and each hit's ``url``."""
        query = _text(params, "q", MAX_QUERY_CHARS)
        limit = _int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int(params, "offset", 0, 0, MAX_OFFSET)
        want_facets = _flag(params, "facets", True)
        result = self.index.search(
            query,
            tags=_values(params, "tag"),
            categories=_values(params, "category"),
            author=_values(params, "author"),
            since=_text(params, "since", MAX_VALUE_CHARS) or None,
            until=_text(params, "until", MAX_VALUE_CHARS) or None,
            sort=_text(params, "sort", MAX_VALUE_CHARS) or "relevance",  # type: ignore[arg-type]
            limit=limit,
            offset=offset,
            facets=want_facets,
        )
        body = result.to_dict()
        body["hits"] = [self.hit(h) for h in result.hits]
        body["limit"], body["offset"] = limit, offset
        return body

    def related(self, params: Params) -> dict[str, Any]:
        path = _text(params, "path", 1_000)
        if not path:
            raise QuerySyntaxError("path is required: the post's path as the index stores it")
        limit = _int(params, "limit", DEFAULT_RELATED, 1, MAX_RELATED)
        return {"path": path, "hits": [self.hit(h) for h in self.index.related(path, limit=limit)]}

    def tags(self) -> dict[str, Any]:
        return {"tags": self.index.tags()}

    def health(self) -> dict[str, Any]:
        """Cheap enough for a load balancer to ask every few seconds; opening a new commit
        on the way, so a broken index shows here first. ``worker`` is the answering
        process, to see that every worker is up."""
        searcher = self.index.searcher()
        return {
            "status": "ok",
            "posts": searcher.num_docs,
            "updated": self.index.meta.updated,
            "worker": os.getpid(),
        }

    def hit(self, hit: Hit) -> dict[str, Any]:
        out = hit.to_dict()
        out["url"] = self.permalinks.url(hit.path, hit.date, hit.categories)
        return out


def _all(params: Params, name: str) -> list[str]:
    values = params.get(name) or []
    return [values] if isinstance(values, str) else list(values)


def _text(params: Params, name: str, cap: int) -> str:
    values = _all(params, name)
    if len(values) > 1:
        raise QuerySyntaxError(f"{name} given {len(values)} times; give it once")
    value = values[0].strip() if values else ""
    if len(value) > cap:
        raise QuerySyntaxError(f"{name} is {len(value)} characters long; at most {cap} are allowed")
    return value


def _values(params: Params, name: str) -> list[str]:
    values = [v.strip() for v in _all(params, name) if v.strip()]
    if len(values) > MAX_FILTER_VALUES:
        raise QuerySyntaxError(f"at most {MAX_FILTER_VALUES} {name} values, got {len(values)}")
    for v in values:
        if len(v) > MAX_VALUE_CHARS:
            raise QuerySyntaxError(f"a {name} value is {len(v)} characters; at most {MAX_VALUE_CHARS}")
    return values


def _int(params: Params, name: str, default: int, lo: int, hi: int) -> int:
    raw = _text(params, name, 20)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QuerySyntaxError(f"{name} must be a whole number from {lo} to {hi}, got {raw!r}") from None
    if not lo <= value <= hi:
        raise QuerySyntaxError(f"{name} must be from {lo} to {hi}, got {value}")
    return value


def _flag(params: Params, name: str, default: bool) -> bool:
    raw = _text(params, name, 10).lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise QuerySyntaxError(f"{name} must be 1 or 0, got {raw!r}")
