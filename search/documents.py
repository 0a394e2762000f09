"""From a post's readable parts to an index document.

The indexer decides *what* a post says (title, body text, tags, date); this module decides
*how* that is stored: which analysed strings go into which field. Analysis happens in
:func:`analyze_post`, which returns a plain picklable object so that worker processes can
do the Sudachi work and the process that owns the index writer only adds documents.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import tantivy

from search.analysis import Analyzer
from search.normalize import fold_key
from search.related import encode_bag


@dataclass(slots=True)
class PostRecord:
    """Everything the index keeps about one post, before analysis."""

    path: str
    title: str
    body: str
    excerpt: str = ""
    code: str = ""
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    author: str = ""
    date: datetime | None = None
    draft: bool = False  # indexed with --drafts: searchable, never a related post
    content_hash: int = 0
    mtime_ns: int = 0
    size: int = 0


@dataclass(slots=True)
class AnalyzedPost:
    record: PostRecord
    fields: dict[str, list[str]]


def path_id(path: str) -> int:
    """64-bit key of a post path: numeric, so a whole index's paths read fast from a fast field."""
    digest = hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def content_hash(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def analyze_post(analyzer: Analyzer, record: PostRecord) -> AnalyzedPost:
    """Run the analyzer over every text of a post (the expensive, parallelisable part)."""
    f: dict[str, list[str]] = {
        name: []
        for name in (
            "title_w",
            "excerpt_w",
            "body_w",
            "tags_w",
            "code_w",
            "title_g",
            "body_g",
            "uni",
            "alt",
            "alias",
            "syn",
            "reading",
            "title_reading",
        )
    }
    for source, word_field, gram_field in (
        (record.title, "title_w", "title_g"),
        (record.excerpt, "excerpt_w", "body_g"),
        (record.body, "body_w", "body_g"),
    ):
        if not source:
            continue
        terms = analyzer.index_terms(source)
        f[word_field].append(terms.words)
        f[gram_field].append(terms.grams)
        f["uni"].append(terms.unigrams)
        f["alt"].append(terms.alts)
        f["alias"].append(terms.aliases)
        f["syn"].append(terms.synonyms)
        f["reading"].append(terms.reading)
        if word_field == "title_w":
            f["title_reading"].append(terms.reading)
    for tag in record.tags:
        f["tags_w"].append(analyzer.words(tag))
    if record.code:
        f["code_w"].append(analyzer.words(record.code))
    f["bag"] = [encode_bag(f)]
    return AnalyzedPost(record, {k: [v for v in vs if v] for k, vs in f.items()})


def to_document(post: AnalyzedPost) -> tantivy.Document:
    rec = post.record
    doc = tantivy.Document()
    doc.add_text("path", rec.path)
    doc.add_integer("pid", path_id(rec.path))
    doc.add_integer("chash", rec.content_hash)
    doc.add_integer("mtime", rec.mtime_ns)
    doc.add_unsigned("size", rec.size)
    doc.add_text("title", rec.title)
    doc.add_text("body", rec.body)
    if rec.code:
        doc.add_text("code", rec.code)
    if rec.excerpt:
        doc.add_text("excerpt", rec.excerpt)
    if rec.date is not None:
        doc.add_date("date", rec.date)
        doc.add_text("date_text", rec.date.isoformat())
    for tag in rec.tags:
        doc.add_text("tag", tag)
        doc.add_text("tag_key", fold_key(tag))
    for cat in rec.categories:
        doc.add_text("category", cat)
        doc.add_text("category_key", fold_key(cat))
    if rec.author:
        doc.add_text("author", rec.author)
        doc.add_text("author_key", fold_key(rec.author))
    if rec.draft:
        doc.add_boolean("draft", True)
    for name, values in post.fields.items():
        for value in values:
            doc.add_text(name, value)
    return doc
