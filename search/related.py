"""Related posts (関連記事): the posts most about the same things as a given post.

The method is the vector-space one a search engine has at hand: describe the post by its
most distinctive terms and search for them.

1. **What the post is about.** At index time each post keeps a *term bag*: its analysed
   words (title, excerpt, body, tag words, code), with counts, and its compound parts
   (空港 of 関西国際空港), minus terms that never help (particles and other short kana,
   numbers, single letters). Reading it back costs a fraction of a millisecond, where
   running Sudachi over the stored text again would cost ten or more.
2. **Which terms.** Each term scores ``(1 + ln tf) × idf``, where tf adds up its
   occurrences weighted by where they stand (a title word counts more than a body word)
   and idf comes from the live index. Terms found in no other post, or in more than a
   fifth of all posts (the blog's everyday vocabulary), are dropped; the best
   :attr:`RelatedWeights.max_terms` are kept, which bounds the cost of the search.
3. **The query.** Each kept term is searched in the title, tag and body words (weighted
   as in ordinary search) and among compound parts (lower), boosted by its score relative
   to the best term, so the post's central topic dominates. Every tag the post carries
   adds a constant ``tag × idf(tag)``: sharing a rare tag is strong evidence, sharing the
   blog's most common one weak. The post itself and drafts are excluded.

tantivy's own more-like-this query is the baseline this is measured against
(``bench/related.py``): it picks terms by tf·idf from the words alone, knows nothing of
titles, tags or compounds, and on the real archive finds fewer posts sharing a topic.

The rest of this module writes one file of related posts for every post, for a static
site to render at build time (:func:`site_data`), incrementally where it can.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import json
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

import tantivy
from tantivy import Occur, Query

from search.errors import QuerySyntaxError
from search.normalize import fold_key

if TYPE_CHECKING:
    from search.index import Index

# -- the term bag -----------------------------------------------------------------------

# Fields whose terms describe a post, in the order they are stored in the bag.
BAG_FIELDS = ("title_w", "excerpt_w", "body_w", "tags_w", "code_w", "alt")
_ONLY_DIGITS_AND_MARKS = re.compile(r"^[\W\d_]+$")
_SHORT_HIRAGANA = re.compile(r"^[\u3041-\u309f]{1,2}$")


def telling(term: str) -> bool:
    """Whether a term can say what a post is about: not a particle or auxiliary (short
    hiragana: の, は, する), not a number or mark, not a single letter."""
    if len(term) == 1 and term.isascii():
        return False
    return not (_SHORT_HIRAGANA.match(term) or _ONLY_DIGITS_AND_MARKS.match(term))


_telling = functools.lru_cache(maxsize=200_000)(telling)


def encode_bag(fields: dict[str, list[str]]) -> str:
    """The stored term bag of an analysed post: one line per field, ``field term count …``.

    Terms never contain whitespace (tantivy splits the same strings on it), so spaces and
    line breaks are safe separators.
    """
    lines = []
    for name in BAG_FIELDS:
        # Count every term, then judge each distinct one once: far fewer calls than terms.
        counts = Counter(itertools.chain.from_iterable(value.split() for value in fields.get(name, ())))
        kept = [f"{t} {n}" for t, n in counts.most_common() if _telling(t)]
        if kept:
            lines.append(" ".join([name, *kept]))
    return "\n".join(lines)


def decode_bag(text: str) -> dict[str, dict[str, int]]:
    bag: dict[str, dict[str, int]] = {}
    for line in text.splitlines():
        name, *rest = line.split(" ")
        bag[name] = {rest[i]: int(rest[i + 1]) for i in range(0, len(rest) - 1, 2)}
    return bag


# -- finding related posts ------------------------------------------------------------------


@dataclass(frozen=True)
class RelatedWeights:
    """What counts, and how much. Chosen on the blog-github-pages-env archive against both
    the tag-overlap and the tags-hidden figures of ``bench/related.py``."""

    # How much one occurrence in the post tells about its topic, by where it stands.
    source: tuple[tuple[str, float], ...] = (
        ("title_w", 4.0),
        ("excerpt_w", 2.0),
        ("body_w", 1.0),
        ("tags_w", 4.0),
        ("code_w", 0.2),
        ("alt", 0.3),
    )
    # How a chosen term is matched in the other posts (as in search.ranking.Weights; the
    # excerpt is left out: its words are nearly always in the body, and it made no
    # difference but the cost).
    title: float = 3.0
    tags: float = 2.0
    body: float = 1.0
    alt: float = 0.5
    tag: float = 3.0  # each tag the posts share: tag × idf(tag)
    max_terms: int = 50
    max_df_share: float = 0.2  # terms in more posts than this share are everyday vocabulary


MAX_RELATED = 100
# In a small archive a fifth of the posts is a handful, and the words of its main topics
# (旅行 in a travel blog) are in more: below this many posts, idf alone weighs them.
MIN_CEILING = 10
MAX_LOOKUPS = 600  # term look-ups per post at most (the longest posts have 10,000 terms)


class RelatedFinder:
    """Related posts on one searcher snapshot; remembers the document frequencies it looks
    up, so that computing the related posts of every post stays fast."""

    def __init__(
        self,
        searcher: tantivy.Searcher,
        schema: tantivy.Schema,
        weights: RelatedWeights | None = None,
        *,
        use_tags: bool = True,
    ) -> None:
        self.searcher = searcher
        self.schema = schema
        self.weights = weights or RelatedWeights()
        self.use_tags = use_tags  # False: words only (the benchmark's tags-hidden run)
        self.total = searcher.num_docs
        self._df: dict[tuple[str, str], int] = {}

    def df(self, field_name: str, term: str) -> int:
        key = (field_name, term)
        n = self._df.get(key)
        if n is None:
            n = self._df[key] = self.searcher.doc_freq(field_name, term)
        return n

    def idf(self, n: int) -> float:
        return math.log(1 + (self.total - n + 0.5) / (n + 0.5))

    def posts_with(self, term: str) -> int:
        """In how many posts ``term`` occurs: as a word of the body, else of a title, else
        as a compound part (one lookup for most terms; a word of a title is nearly always
        in its body too)."""
        return self.df("body_w", term) or self.df("title_w", term) or self.df("alt", term)

    def terms(self, bag: dict[str, dict[str, int]]) -> list[tuple[str, float]]:
        """The post's most telling terms with their scores, best first.

        Terms are looked up in order of their weight in the post, and the look-ups stop
        when even the rarest possible term (in two posts) could not beat the ones kept:
        long posts have thousands of distinct terms, and most cannot make the cut.
        """
        tf: Counter[str] = Counter()
        for name, weight in self.weights.source:
            if name == "tags_w" and not self.use_tags:
                continue
            for term, n in bag.get(name, {}).items():
                tf[term] += weight * n
        ceiling = max(MIN_CEILING, self.weights.max_df_share * self.total)
        best_idf = self.idf(2)
        keep = self.weights.max_terms
        scored: list[tuple[float, str]] = []  # a min-heap of the best ``keep``
        for looked, (term, weight) in enumerate(tf.most_common()):
            if looked >= MAX_LOOKUPS or (
                len(scored) == keep and _saturate(weight) * best_idf <= scored[0][0]
            ):
                break
            n = self.posts_with(term)
            if 2 <= n <= ceiling:  # 1: only this post has it
                item = (_saturate(weight) * self.idf(n), term)
                if len(scored) < keep:
                    heapq.heappush(scored, item)
                elif item > scored[0]:
                    heapq.heapreplace(scored, item)
        return [(term, score) for score, term in sorted(scored, reverse=True)]

    def query(self, doc: tantivy.Document) -> Query | None:
        """The weighted query for posts like ``doc``, or None if it has nothing to go on."""
        w = self.weights
        clauses: list[tuple[Occur, Query]] = []
        terms = self.terms(decode_bag(doc.get_first("bag") or ""))
        if terms:
            best = terms[0][1]
            for term, score in terms:
                ways = [
                    Query.boost_query(self._term("title_w", term), w.title),
                    Query.boost_query(self._term("body_w", term), w.body),
                    Query.boost_query(self._term("alt", term), w.alt),
                ]
                if self.use_tags:
                    ways.append(self._presence("tags_w", term, w.tags))
                clauses.append(
                    (Occur.Should, Query.boost_query(Query.disjunction_max_query(ways), score / best))
                )
        if self.use_tags:
            for tag in {fold_key(t) for t in doc.get_all("tag")}:
                n = self.df("tag_key", tag)
                if n >= 2:
                    clauses.append((Occur.Should, self._presence("tag_key", tag, w.tag)))
        if not clauses:
            return None
        clauses.append((Occur.MustNot, self._term("path", doc.get_first("path"))))
        clauses.append((Occur.MustNot, Query.term_query(self.schema, "draft", True)))
        return Query.boolean_query(clauses)

    def find(self, addr: tantivy.DocAddress, limit: int) -> list[tuple[float, tantivy.DocAddress]]:
        """(score, address) of the posts most like the one at ``addr``, best first."""
        q = self.query(self.searcher.doc(addr))
        if q is None:
            return []
        return [(float(s), a) for s, a in self.searcher.search(q, limit, count=False).hits]

    def _term(self, field_name: str, value: str) -> Query:
        return Query.term_query(self.schema, field_name, value)

    def _presence(self, field_name: str, value: str, weight: float) -> Query:
        """A match in a field of a few words (tags, excerpt): weight × idf, whatever the
        field's length (see search.ranking.PRESENCE_FIELDS for why not BM25)."""
        return Query.const_score_query(
            self._term(field_name, value), weight * self.idf(self.df(field_name, value))
        )


def _saturate(tf: float) -> float:
    """1 + ln tf: the tenth occurrence of a word says less than the second (continued
    linearly below one occurrence, where code and part weights put rare terms)."""
    return 1 + math.log(tf) if tf >= 1 else tf


def check_limit(limit: int) -> None:
    if not (1 <= limit <= MAX_RELATED):
        raise QuerySyntaxError(f"limit must be between 1 and {MAX_RELATED}, got {limit}")


# -- a file of related posts for every post ---------------------------------------------------

Format = Literal["json", "hugo", "jekyll"]
FORMATS = ("json", "hugo", "jekyll")
STATE_VERSION = 1  # bump when the method or the file's shape changes: forces a full recompute
# A changed post may enter the lists of the posts it is close to. They are found as the
# posts close to it (closeness is nearly symmetric), this many times the list length deep.
NEIGHBOURHOOD = 3
FULL_SHARE = 0.2  # when more posts than this changed, recomputing everything is as cheap


@dataclass
class Entry:
    """One related post in the file; ``path`` is the same kind of key as the file's keys."""

    path: str
    title: str
    date: str | None
    score: float


@dataclass
class SiteData:
    """The file's text and what it took. ``state`` is what the next run needs to be
    incremental; keep it beside the file (the CLI writes ``.NAME.state``)."""

    text: str
    state: str
    posts: int
    recomputed: int
    unchanged: bool  # same posts, same options as the previous run: nothing to write


@dataclass
class _State:
    version: int
    options: dict[str, Any]
    posts: dict[str, int]  # path → content hash
    related: dict[str, list[dict[str, Any]]]  # path → entries, keyed by stored paths
    digest: str = ""  # of the text written
    extra: dict[str, Any] = field(default_factory=dict)


def site_key(path: str, fmt: Format, sources: list[str], strip_prefix: str = "") -> str:
    """The key a site's template can look a post up by.

    Hugo's ``.File.Path`` is relative to the ``content`` folder (``posts/a.md``); Jekyll's
    ``page.path`` is relative to the site's source folder (``_posts/2024-01-01-a.md``).
    The index stores paths relative to the folder that was indexed, so for Hugo the part
    after a ``content/`` folder is taken, and for Jekyll ``_posts/`` is put back when that
    folder itself was indexed. ``strip_prefix`` removes a leading folder first, for other
    layouts.
    """
    if strip_prefix:
        path = path.removeprefix(strip_prefix.rstrip("/") + "/")
    if fmt == "hugo":
        parts = path.split("/")
        if "content" in parts[:-1]:
            return "/".join(parts[parts.index("content") + 1 :])
    elif fmt == "jekyll" and len(sources) == 1 and PurePosixPath(sources[0]).name == "_posts":
        return f"_posts/{path}"
    return path


def site_data(
    index: Index,
    fmt: Format = "json",
    *,
    limit: int = 5,
    strip_prefix: str = "",
    previous_state: str | None = None,
    previous_text: str | None = None,
    full: bool = False,
) -> SiteData:
    """Related posts of every non-draft post, as the text of a Hugo/Jekyll data file.

    Incremental: given the state of the previous run (and the text it wrote, to notice a
    file edited or lost since), only posts that changed, posts whose list held a changed
    post, and posts close to a changed post are recomputed; everything else is reused.
    When no post changed and the options are the same, ``unchanged`` is True and nothing
    needs writing. What is not propagated: a new post also shifts every term's idf by a
    hair, which could reorder lists far from it; ``full=True`` recomputes everything.
    """
    if fmt not in FORMATS:
        raise QuerySyntaxError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    check_limit(limit)
    searcher = index.searcher()
    finder = RelatedFinder(searcher, index.schema)
    options = json.loads(  # as it reads back from the state file (tuples become lists)
        json.dumps(
            {
                "format": fmt,
                "limit": limit,
                "strip_prefix": strip_prefix,
                "schema": index.meta.schema_version,
                "analyzer": index.meta.analyzer,
                "weights": asdict(finder.weights),
            }
        )
    )
    posts = _published(searcher, index.schema)
    hashes = {path: chash for path, (chash, _addr) in posts.items()}
    prev = None if full else _read_state(previous_state, options)

    if (
        prev is not None
        and prev.posts == hashes
        and previous_text is not None
        and _digest(previous_text) == prev.digest  # the file is still what was written
    ):
        return SiteData(previous_text, previous_state or "", len(posts), 0, unchanged=True)

    related = _reusable(prev, posts, hashes, finder, limit) if prev is not None else {}
    todo = [path for path in posts if path not in related]
    for path in todo:
        related[path] = [_entry(searcher.doc(a), score) for score, a in finder.find(posts[path][1], limit)]
    ordered = {path: related[path] for path in sorted(posts)}
    text = _render(ordered, fmt, index.meta.sources, strip_prefix)
    state = _State(STATE_VERSION, options, hashes, ordered, digest=_digest(text))
    return SiteData(
        text, json.dumps(asdict(state), ensure_ascii=False), len(posts), len(todo), unchanged=False
    )


def _reusable(
    prev: _State,
    posts: dict[str, tuple[int, tantivy.DocAddress]],
    hashes: dict[str, int],
    finder: RelatedFinder,
    limit: int,
) -> dict[str, list[dict[str, Any]]]:
    """The lists of the previous run that still hold: not of a changed post, naming no
    changed post, and not of a post close to a changed one (which it might now list)."""
    changed = {p for p in hashes.keys() | prev.posts.keys() if hashes.get(p) != prev.posts.get(p)}
    if len(changed) > FULL_SHARE * max(1, len(posts)):
        return {}
    stale = {p for p in changed if p in posts}
    for c in list(stale):
        near = finder.find(posts[c][1], limit * NEIGHBOURHOOD)
        stale.update(finder.searcher.doc(a).get_first("path") for _s, a in near)
    return {
        path: entries
        for path, entries in prev.related.items()
        if path in posts and path not in stale and not any(e["path"] in changed for e in entries)
    }


def _published(
    searcher: tantivy.Searcher, schema: tantivy.Schema
) -> dict[str, tuple[int, tantivy.DocAddress]]:
    """path → (content hash, address) of every post that is not a draft."""
    n = searcher.num_docs
    if n == 0:
        return {}
    q = Query.boolean_query(
        [
            (Occur.Must, Query.all_query()),
            (Occur.MustNot, Query.term_query(schema, "draft", True)),
        ]
    )
    addrs = [a for _s, a in searcher.search(q, n, count=False).hits]
    hashes = searcher.fast_field_values("chash", addrs)
    return {searcher.doc(a).get_first("path"): (int(h), a) for a, h in zip(addrs, hashes, strict=True)}


def _entry(doc: tantivy.Document, score: float) -> dict[str, Any]:
    return asdict(
        Entry(
            doc.get_first("path"), doc.get_first("title") or "", doc.get_first("date_text"), round(score, 3)
        )
    )


def _render(related: dict[str, list[dict[str, Any]]], fmt: Format, sources: list[str], strip: str) -> str:
    def key(p: str) -> str:
        return site_key(p, fmt, sources, strip)

    data = {key(p): [{**e, "path": key(e["path"])} for e in entries] for p, entries in related.items()}
    if fmt == "jekyll":
        import yaml

        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_state(text: str | None, options: dict[str, Any]) -> _State | None:
    """The previous run's state if it can be built on (same version and options)."""
    if not text:
        return None
    try:
        state = _State(**json.loads(text))
    except (ValueError, TypeError):
        return None  # unreadable: start over rather than fail a nightly run
    if state.version != STATE_VERSION or state.options != options:
        return None
    return state
