"""Japanese full-text search over a blog archive: the embeddable library.

from search import Index
idx = Index.open(".search-index")
for hit in idx.search("AIチップ 投資", tags=["AI"]).hits:
    print(hit.title, hit.snippet)
"""

from search.errors import (
    AnalyzerMismatchError,
    IndexLockedError,
    IndexNotFoundError,
    InvalidDateError,
    QuerySyntaxError,
    SearchError,
)
from search.index import Index, default_index_path
from search.results import Hit, IndexStats, SearchResult

__all__ = [
    "AnalyzerMismatchError",
    "Hit",
    "Index",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexStats",
    "InvalidDateError",
    "QuerySyntaxError",
    "SearchError",
    "SearchResult",
    "default_index_path",
]
