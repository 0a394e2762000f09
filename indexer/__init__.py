"""Turning a folder of Markdown blog posts into a search index.

from indexer import index_posts
report = index_posts(["sample_posts"], ".search-index")
print(report.summary())
"""

from indexer.run import IndexReport, index_posts

__all__ = ["IndexReport", "index_posts"]
