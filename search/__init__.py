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
    PostNotFoundError,
    QuerySyntaxError,
    SearchError,
)
from search.facets import Facets
from search.index import Index, default_index_path
from search.results import Hit, IndexStats, SearchResult

__all__ = [
    "AnalyzerMismatchError",
    "Facets",
    "Hit",
    "Index",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexStats",
    "InvalidDateError",
    "PostNotFoundError",
    "QuerySyntaxError",
    "SearchError",
    "SearchResult",
    "default_index_path",
]
