"""SQLite FTS5 with the ``trigram`` tokenizer: the substring baseline of the quality benchmarks.

Every quality set (question collections and known-item sets) measures this baseline in the
same run as our engine, over the same indexed text, because a figure is only meaningful
against a baseline taken on the same machine, data and queries.

What it indexes: for each post, the title and the readable text our indexer extracted
(excerpt/description, tags and body as :func:`indexer.posts.load_post` reads them, so
Markdown, URLs and shortcodes are gone exactly as in our index). Code blocks are left out:
our engine keeps them in a separate low-weight field, and the baseline is the plain
"title + text" setup a site owner would build.

How it queries: an OR of the query's trigrams, each quoted (so no character of the query
is read as FTS5 syntax), ranked by ``bm25()`` with its default column weights. The
trigrams are every three-character window of the query as typed, whitespace runs folded to
one space: the tokenizer makes the same windows of the indexed text, spaces included, so
``Vim 8.0`` can match through ``m 8``. A query shorter than three characters has no
trigram; it becomes a ``LIKE '%query%'`` substring filter, which the trigram tokenizer
answers by a full scan and cannot rank (rows come in insertion order); such queries are
counted (``like_queries``) so a reader of the results knows how many there were.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field


def trigrams(query: str) -> list[str]:
    """The distinct three-character windows of ``query`` (whitespace runs as one space)."""
    text = " ".join(query.split())
    return list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))


def quoted(term: str) -> str:
    """An FTS5 string literal: the term between double quotes, inner quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: str) -> str | None:
    """``"abc" OR "bcd" OR …`` for ``query``, or None when it has no trigram."""
    grams = trigrams(query)
    return " OR ".join(quoted(g) for g in grams) if grams else None


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class Fts5Run:
    """Ranked keys of one query and the time the query took in SQLite."""

    keys: list[str]
    ms: float
    like: bool = False


@dataclass
class Fts5Trigram:
    """An in-memory FTS5 trigram table of posts, each known by a key (its path or id)."""

    con: sqlite3.Connection = field(default_factory=lambda: sqlite3.connect(":memory:"))
    keys: list[str] = field(default_factory=list)
    like_queries: int = 0

    def __post_init__(self) -> None:
        self.con.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='trigram')")

    def add(self, key: str, title: str, body: str) -> None:
        self.keys.append(key)
        self.con.execute(
            "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", (len(self.keys), title, body)
        )

    def finish(self) -> None:
        """Merge the b-trees once all posts are in (as a site would after a full build)."""
        self.con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        self.con.commit()

    def search(self, query: str, limit: int = 10) -> Fts5Run:
        expression = match_expression(query)
        text = " ".join(query.split())
        started = time.perf_counter()
        if expression is not None:
            rows = self.con.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (expression, limit)
            ).fetchall()
        elif text:
            pattern = _like_pattern(text)
            rows = self.con.execute(
                "SELECT rowid FROM fts WHERE title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\' "
                "ORDER BY rowid LIMIT ?",
                (pattern, pattern, limit),
            ).fetchall()
        else:
            rows = []
        ms = (time.perf_counter() - started) * 1000
        if expression is None:
            self.like_queries += 1
        return Fts5Run([self.keys[r[0] - 1] for r in rows], ms, like=expression is None)

    def close(self) -> None:
        self.con.close()


def post_text(excerpt: str, tags: list[str], body: str) -> str:
    """The readable text of a post as one FTS5 column: excerpt, tags, then the body."""
    return "\n".join(part for part in (excerpt, " ".join(tags), body) if part)
