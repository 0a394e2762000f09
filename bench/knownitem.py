"""Known-item search over a real blog archive: find the post a reader remembers.

    python -m bench.quality --known-item ../shared/data/blog-vim-jp.github.io --out bench/results

The query is something a reader remembers of one post, and that post is the only right
answer. The remembered text is removed from the indexed copy of the post, otherwise the
benchmark would only test that an exact copy of the query is found.

Query kinds:

* ``title``: the post's title is the query. The indexed copy gets the neutral title
  :data:`NEUTRAL_TITLE` (an em dash: the analyzer makes no word of it). The title is not
  deleted, because :mod:`indexer.posts` falls back to the first heading and then to the
  file name when a post has none, and either could leak the answer (Jekyll slugs are often
  the title in English). Where the title is repeated verbatim as the body's first heading,
  that heading line is removed too, and where the excerpt the indexer reads (front matter
  ``excerpt``/``description``/``summary``) contains the title verbatim, the title is cut
  out of it (29 posts of blog-github-pages-env have a description like 「…のブックマーク。」).
  The front matter is edited in place, one value changed, in its own dialect (Jekyll YAML,
  Hakyll YAML closed by ``...``, Hugo TOML); a post whose parsed front matter then differs
  in anything else is skipped. Posts whose title (folded) is shared with another post (the
  monthly 「Vim Magazine 3 月号」) have several right answers and are skipped.
* ``sentence``: a sentence of the post's first paragraphs is the query, as a reader would
  type it (without its final 。/！/？). It is the first sentence of the first five text
  blocks of the readable text (:func:`indexer.plaintext.markdown_to_text`) that is 15–80
  characters long, ends in 。！？!?, appears verbatim (no inline markup, not wrapped) exactly
  once in the file, and appears in no other post (folded comparison): a boilerplate
  sentence of near-identical release posts has many right answers. It is deleted from the
  Markdown source; the post is otherwise unchanged.

Removing every queried title at once would give an archive in which no post has a title,
which changes what titles weigh. So the queried posts are split into ``folds`` groups and
one index is built per group, with only that group's titles (and another group's
sentences: a post never loses both at once) removed; every index holds every post. Each
query runs through :meth:`search.Index.search` (``limit=10, snippets=False``) as a library
user would call it, and, in the same run, through SQLite FTS5 trigram
(:mod:`bench.fts5`) over the same indexed copies.
"""

from __future__ import annotations

import bisect
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.fts5 import Fts5Trigram, post_text
from indexer import index_posts
from indexer.discover import discover
from indexer.frontmatter import parse_front_matter
from indexer.plaintext import markdown_to_text
from indexer.posts import PostOptions, load_post
from search import Index
from search.documents import PostRecord
from search.errors import SearchError
from search.normalize import fold
from search.ranking import Weights

KINDS = ("title", "sentence")
NEUTRAL_TITLE = "—"  # U+2014: no word, no bigram; not empty, so no fallback to heading or file name
EXCERPT_KEYS = ("excerpt", "description", "summary")  # the keys indexer.posts reads, in order
SENTENCE_MIN, SENTENCE_MAX = 15, 80
SENTENCE_BLOCKS = 5  # text blocks (paragraphs, list items, headings) searched for a sentence
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]+")
_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*\r?$", re.M)
_TOML_TABLE = re.compile(r"^\s*\[")
DEEP = 100  # for a miss: how far down the expected post is looked for


# -- metrics --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return statistics.median(ordered) if q == 0.5 else ordered[int(q * (len(ordered) - 1))]


@dataclass
class EngineScores:
    mrr10: float
    recall10: float
    latency_ms_p50: float  # top 10, ranking only
    latency_ms_p95: float

    @classmethod
    def of(cls, ranks: list[int | None], latencies: list[float]) -> EngineScores:
        n = max(1, len(ranks))
        return cls(
            mrr10=sum(1.0 / r for r in ranks if r is not None and r <= 10) / n,
            recall10=sum(1 for r in ranks if r is not None and r <= 10) / n,
            latency_ms_p50=percentile(latencies, 0.5),
            latency_ms_p95=percentile(latencies, 0.95),
        )


@dataclass
class KindReport:
    kind: str
    queries: int
    ours: EngineScores
    fts5: EngineScores
    examined: int  # posts looked at (all indexed posts, or until the sample was full)
    skipped: dict[str, int] = field(default_factory=dict)  # why examined posts were not asked
    fts5_like_queries: int = 0  # queries under 3 characters: FTS5 ran them as an unranked LIKE
    errors: int = 0  # queries our engine refused (SearchError); counted as misses


@dataclass
class KnownItemReport:
    archive: str
    name: str
    posts: int  # posts in every index
    folds: int
    seed: int
    sample: int | None
    neutral_title: str
    kinds: dict[str, KindReport]
    index_seconds: float  # our indexer, all folds
    fts5_build_seconds: float
    seconds: float  # the whole run
    misses: list[dict[str, object]] = field(default_factory=list)  # queries not ranked first

    def summary(self) -> dict[str, object]:
        """The report without the per-query misses (those go to their own file)."""
        out = asdict(self)
        out.pop("misses")
        return out

    def table(self) -> str:
        head = f"{self.name}: {self.posts} posts, {self.folds} folds, {self.seconds:.0f} s"
        rows = [("kind", "queries", "engine", "MRR@10", "Recall@10", "p50 ms", "p95 ms")]
        for kind in self.kinds.values():
            for engine, s in (("ours", kind.ours), ("FTS5 trigram", kind.fts5)):
                rows.append(
                    (
                        kind.kind,
                        str(kind.queries),
                        engine,
                        f"{s.mrr10:.3f}",
                        f"{s.recall10:.3f}",
                        f"{s.latency_ms_p50:.2f}",
                        f"{s.latency_ms_p95:.2f}",
                    )
                )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        skipped = [f"  {k.kind} skipped: {k.skipped}" for k in self.kinds.values() if k.skipped]
        return "\n".join([head, *lines, *skipped])


# -- reading the archive ----------------------------------------------------------------------


@dataclass
class SourcePost:
    rel: str
    data: bytes
    record: PostRecord | None  # None: the indexer does not index it (draft, empty)
    text: str = ""  # the decoded file, line endings as in the file

    @property
    def folded(self) -> str:
        rec = self.record
        return fold(f"{rec.title}\n{rec.excerpt}\n{' '.join(rec.tags)}\n{rec.body}") if rec else ""


def read_archive(root: Path) -> list[SourcePost]:
    """The posts the indexer would find under ``root``, minus the data folder's README.md."""
    found = discover([root])
    posts = []
    for f in sorted(found.files, key=lambda f: f.rel):
        if f.rel.lower() == "readme.md":
            continue
        data = f.path.read_bytes()
        loaded = load_post(data, f.rel, PostOptions())
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = ""  # never rewritten: only posts we can edit as UTF-8 become queries
        posts.append(SourcePost(f.rel, data, loaded.record, text))
    return posts


def set_name(archive: Path) -> str:
    """blog-vim-jp.github.io → vim-jp, blog-haskell-jp-blog → haskell-jp."""
    name = archive.resolve().name
    name = name.removeprefix("blog-").removesuffix(".github.io").removesuffix("-blog")
    return name or archive.name


# -- rewriting one post -----------------------------------------------------------------------


class CannotRewrite(Exception):
    """This post cannot have the remembered text removed cleanly (the reason is the message)."""


def _front_block(text: str) -> tuple[list[str], int, str]:
    """The file's lines (with their endings), the index of the closing line, and the kind."""
    lines = text.splitlines(keepends=True)
    if not lines:
        raise CannotRewrite("empty file")
    first = lines[0].lstrip("\ufeff").rstrip("\r\n").rstrip()
    if first not in ("---", "+++"):
        raise CannotRewrite("no front matter")
    closers = ("---", "...") if first == "---" else ("+++",)
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n").rstrip() in closers:
            return lines, i, "yaml" if first == "---" else "toml"
    raise CannotRewrite("front matter never closed")


def _key_line(lines: list[str], close: int, kind: str, key: str) -> int | None:
    pattern = re.compile(rf"^{re.escape(key)}\s*{':' if kind == 'yaml' else '='}")
    for i in range(1, close):
        if kind == "toml" and _TOML_TABLE.match(lines[i]):
            return None  # past the top-level keys
        if pattern.match(lines[i]):
            return i
    return None


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _quoted_value(kind: str, key: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}: "{escaped}"' if kind == "yaml" else f'{key} = "{escaped}"'


def _excerpt_key(meta: dict) -> str | None:
    for key in EXCERPT_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return key
    return None


def _same(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def without_title(post: SourcePost) -> str:
    """The post's text with the title neutral, and no verbatim copy of it in the first
    heading or the excerpt; raises :class:`CannotRewrite`."""
    assert post.record is not None
    original = parse_front_matter(post.text.replace("\r\n", "\n"))
    raw_title = original.data.get("title")
    if not isinstance(raw_title, str) or not raw_title.strip():
        raise CannotRewrite("no title")
    title = post.record.title
    lines, close, kind = _front_block(post.text)
    at = _key_line(lines, close, kind, "title")
    if at is None:
        raise CannotRewrite("title key not found on a line of its own")
    end = at + 1
    if kind == "yaml":  # a folded or wrapped value continues on indented lines
        while end < close and lines[end][:1] in (" ", "\t"):
            end += 1
    lines[at:end] = [_quoted_value(kind, "title", NEUTRAL_TITLE) + _ending(lines[at])]
    close -= end - at - 1
    changed = {"title"}
    ekey = _excerpt_key(original.data)
    if ekey and fold(title) in fold(original.data[ekey]):
        at = _key_line(lines, close, kind, ekey)
        if at is None or raw_title not in lines[at]:
            raise CannotRewrite("title inside the excerpt, not removable verbatim")
        lines[at] = lines[at].replace(raw_title, "")
        changed.add(ekey)
    head, body = "".join(lines[: close + 1]), "".join(lines[close + 1 :])
    m = _ATX.search(body)
    if m and _same(markdown_to_text(m.group(0).strip()).text, title):  # heading attributes dropped
        cut_end = m.end() + (1 if body[m.end() : m.end() + 1] == "\n" else 0)
        body = body[: m.start()] + body[cut_end:]
    text = head + body
    _check_front_matter(original.data, text, changed)
    rec = load_post(text.encode("utf-8"), post.rel, PostOptions()).record
    if rec is None or rec.title != NEUTRAL_TITLE:
        raise CannotRewrite("neutral title not read back")
    if fold(title) in fold(rec.excerpt):
        raise CannotRewrite("title still in the excerpt")
    first_line = rec.body.split("\n", 1)[0]
    if _same(first_line, title):
        raise CannotRewrite("title repeated as the first line of the body (not an ATX heading)")
    return text


def _check_front_matter(before: dict, text: str, changed: set[str]) -> None:
    after = parse_front_matter(text.replace("\r\n", "\n"))
    if after.error or set(after.data) != set(before):
        raise CannotRewrite("front matter changed beyond the title")
    for key, value in before.items():
        if key not in changed and after.data[key] != value:
            raise CannotRewrite(f"front matter key {key!r} changed")


@dataclass
class Sentence:
    query: str  # as typed: the sentence without its final punctuation
    source: str  # the exact text removed from the Markdown


def _sentences(block: str):  # type: ignore[no-untyped-def]
    for m in _SENTENCE.finditer(block):
        sentence = m.group(0).strip()
        query = sentence.rstrip("。！？!?").strip()
        if SENTENCE_MIN <= len(query) <= SENTENCE_MAX:
            yield Sentence(query, sentence)


class FoldedCorpus:
    """Every post's folded text in one string, to ask "which posts contain this?" fast."""

    def __init__(self, posts: list[SourcePost]) -> None:
        parts, self.starts = [], []
        offset = 0
        for p in posts:
            self.starts.append(offset)
            parts.append(p.folded)
            offset += len(parts[-1]) + 1
        self.text = "\x00".join(parts)

    def holders(self, needle: str) -> set[int]:
        found: set[int] = set()
        at = self.text.find(needle)
        while at >= 0:
            found.add(bisect.bisect_right(self.starts, at) - 1)
            at = self.text.find(needle, at + 1)
        return found


def pick_sentence(post: SourcePost, index: int, corpus: FoldedCorpus) -> tuple[Sentence, str]:
    """The remembered sentence and the post's text without it; raises :class:`CannotRewrite`."""
    assert post.record is not None
    blocks = post.record.body.split("\n")[:SENTENCE_BLOCKS]
    lines, close, _kind = _front_block(post.text)
    head, body = "".join(lines[: close + 1]), "".join(lines[close + 1 :])
    reason = "no sentence of 15–80 characters in the first paragraphs"
    for block in blocks:
        for s in _sentences(block):
            if post.text.count(s.source) != 1 or s.source not in body:
                reason = "sentence not verbatim in the Markdown (markup or line wrap)"
                continue
            needle = fold(s.query)
            if corpus.holders(needle) - {index}:
                reason = "sentence also in another post"
                continue
            text = head + body.replace(s.source, "", 1)
            rec = load_post(text.encode("utf-8"), post.rel, PostOptions()).record
            if rec is None or needle in fold(f"{rec.title}\n{rec.excerpt}\n{rec.body}"):
                reason = "sentence still readable after removal"
                continue
            return s, text
    raise CannotRewrite(reason)


# -- the run ------------------------------------------------------------------------------------


@dataclass
class Query:
    kind: str
    text: str
    expected: str  # path of the post
    fold: int
    edited: str  # the post's text with the remembered part removed


def plan_queries(
    posts: list[SourcePost], kinds: tuple[str, ...], folds: int, sample: int | None, seed: int
) -> tuple[list[Query], dict[str, dict[str, int]], dict[str, int]]:
    """The queries of each kind, each assigned to a fold; why posts were skipped; how many
    posts were examined per kind."""
    rng = random.Random(seed)
    skipped: dict[str, Counter[str]] = {k: Counter() for k in kinds}
    candidates: dict[str, int] = {}
    queries: list[Query] = []
    title_fold: dict[str, int] = {}
    indexed = [i for i, p in enumerate(posts) if p.record is not None]
    for kind in kinds:
        order = list(indexed)
        rng.shuffle(order)  # the same seed gives the same queries
        made: list[Query] = []
        if kind == "title":
            counts = Counter(fold(posts[i].record.title) for i in indexed)  # type: ignore[union-attr]
        corpus = FoldedCorpus(posts) if kind == "sentence" else None
        for i in order:
            if sample is not None and len(made) >= sample:
                break
            post = posts[i]
            assert post.record is not None
            try:
                if not post.text:
                    raise CannotRewrite("not UTF-8")
                if kind == "title":
                    if counts[fold(post.record.title)] > 1:
                        raise CannotRewrite("duplicate title (several right answers)")
                    made.append(Query(kind, post.record.title, post.rel, 0, without_title(post)))
                else:
                    assert corpus is not None
                    sentence, edited = pick_sentence(post, i, corpus)
                    made.append(Query(kind, sentence.query, post.rel, 0, edited))
            except CannotRewrite as exc:
                skipped[kind][str(exc)] += 1
        candidates[kind] = len(made) + sum(skipped[kind].values())
        for n, q in enumerate(made):
            q.fold = n % folds
            if kind == "title":
                title_fold[q.expected] = q.fold
            elif title_fold.get(q.expected) == q.fold:
                q.fold = (q.fold + 1) % folds  # never both removed from one post in one index
        queries.extend(made)
    return queries, {k: dict(v) for k, v in skipped.items()}, candidates


@dataclass
class _Outcome:
    query: Query
    ours_ranked: list[str]
    ours_ms: float
    fts_ranked: list[str]
    fts_ms: float
    fts_like: bool
    error: str | None = None
    absent: list[str] = field(default_factory=list)  # query pieces the indexed copy lacks


_PIECE_SEPARATORS = re.compile(r"[\s、。，．,!！?？:：;；/／・「」『』【】()（）\[\]\"“”'〜~-]+")


def absent_pieces(query: str, folded_post: str) -> list[str]:
    """The parts of ``query`` (split at spaces and punctuation) that the indexed post does
    not contain as a substring: a miss whose date or version is not in the post at all
    cannot be fixed by ranking, only by matching something else (its date, say)."""
    pieces = (fold(p) for p in _PIECE_SEPARATORS.split(query))
    return [p for p in dict.fromkeys(pieces) if p and p not in folded_post]


def _rank(ranked: list[str], expected: str) -> int | None:
    return ranked.index(expected) + 1 if expected in ranked else None


def write_fold(posts: list[SourcePost], edits: dict[str, str], archive: Path) -> None:
    """The archive as one fold indexes it: every post, the edited ones with their edits."""
    for p in posts:
        target = archive / p.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(edits[p.rel].encode("utf-8") if p.rel in edits else p.data)


def run_fold(
    posts: list[SourcePost],
    planned: list[Query],
    queries: list[Query],
    tmp: Path,
    weights: Weights | None,
    workers: int | None,
    timings: dict[str, float],
) -> list[_Outcome]:
    """Write the archive with the edits of every query ``planned`` for this fold, index it
    both ways, run ``queries`` (the planned ones of the kinds asked for)."""
    edits = {q.expected: q.edited for q in planned}
    archive, index_dir = tmp / "posts", tmp / "index"
    write_fold(posts, edits, archive)
    started = time.perf_counter()
    index_posts([archive], index_dir, workers=workers)
    timings["index"] += time.perf_counter() - started
    idx = Index.open(index_dir, weights=weights)

    started = time.perf_counter()
    fts = Fts5Trigram()
    indexed_text: dict[str, str] = {}  # the queried posts' text as indexed, folded
    for p in posts:
        # The same reading of the same bytes as the indexer's (unchanged posts were read once).
        rec = (
            load_post(edits[p.rel].encode("utf-8"), p.rel, PostOptions()).record
            if p.rel in edits
            else p.record
        )
        if rec is not None:
            fts.add(rec.path, rec.title, post_text(rec.excerpt, rec.tags, rec.body))
            if p.rel in edits:
                indexed_text[p.rel] = fold(f"{rec.title}\n{post_text(rec.excerpt, rec.tags, rec.body)}")
    fts.finish()
    timings["fts5"] += time.perf_counter() - started

    for q in queries[:3]:  # warm-up: dictionary pages, caches
        _ours(idx, q.text, 10)
        fts.search(q.text)
    out = []
    for q in queries:
        t0 = time.perf_counter()
        ranked, error = _ours(idx, q.text, 10)
        ours_ms = (time.perf_counter() - t0) * 1000
        run = fts.search(q.text, 10)
        outcome = _Outcome(q, ranked, ours_ms, run.keys, run.ms, run.like, error)
        if _rank(ranked, q.expected) != 1:
            if error is None:
                outcome.ours_ranked = _ours(idx, q.text, DEEP)[0]
            outcome.absent = absent_pieces(q.text, indexed_text.get(q.expected, ""))
        if _rank(run.keys, q.expected) != 1:
            outcome.fts_ranked = fts.search(q.text, DEEP).keys
        out.append(outcome)
    fts.close()
    return out


def _ours(idx: Index, query: str, limit: int) -> tuple[list[str], str | None]:
    try:
        return [h.path for h in idx.search(query, limit=limit, snippets=False).hits], None
    except SearchError as exc:
        return [], f"{type(exc).__name__}: {exc}"


def evaluate_known_item(
    archive: Path,
    *,
    kinds: tuple[str, ...] = KINDS,
    folds: int = 5,
    sample: int | None = None,
    seed: int = 10,
    weights: Weights | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> KnownItemReport:
    started = time.perf_counter()
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if progress else (lambda msg: None)
    posts = read_archive(archive)
    # Every kind is planned and its edits made, whichever kinds are run: the indexes, and so
    # the title figures of the CI gate (title only) and of a full run, are the same.
    planned, skipped, candidates = plan_queries(posts, KINDS, folds, sample, seed)
    queries = [q for q in planned if q.kind in kinds]
    titles = {p.rel: p.record.title for p in posts if p.record is not None}
    log(f"{set_name(archive)}: {len(posts)} posts, {len(queries)} queries, {folds} folds")
    timings = {"index": 0.0, "fts5": 0.0}
    outcomes: list[_Outcome] = []
    for f in range(folds):
        in_fold = [q for q in queries if q.fold == f]
        if not in_fold:
            continue
        edits = [q for q in planned if q.fold == f]
        with tempfile.TemporaryDirectory(prefix="knownitem-") as tmp:
            outcomes.extend(run_fold(posts, edits, in_fold, Path(tmp), weights, workers, timings))
        log(f"  fold {f + 1}/{folds}: {len(in_fold)} queries, {time.perf_counter() - started:.0f} s")

    reports: dict[str, KindReport] = {}
    misses: list[dict[str, object]] = []
    for kind in kinds:
        mine = [o for o in outcomes if o.query.kind == kind]
        ours = [_rank(o.ours_ranked, o.query.expected) for o in mine]
        fts = [_rank(o.fts_ranked, o.query.expected) for o in mine]
        reports[kind] = KindReport(
            kind=kind,
            queries=len(mine),
            ours=EngineScores.of(ours, [o.ours_ms for o in mine]),
            fts5=EngineScores.of(fts, [o.fts_ms for o in mine]),
            examined=candidates.get(kind, 0),
            skipped=skipped.get(kind, {}),
            fts5_like_queries=sum(1 for o in mine if o.fts_like),
            errors=sum(1 for o in mine if o.error),
        )
        for o, r_ours, r_fts in zip(mine, ours, fts, strict=True):
            if r_ours == 1:
                continue
            first = o.ours_ranked[0] if o.ours_ranked else None
            fts_first = o.fts_ranked[0] if o.fts_ranked else None
            misses.append(
                {
                    "kind": kind,
                    "query": o.query.text,
                    "expected": o.query.expected,
                    "ours_rank": r_ours,  # None: not in the top 100
                    "ours_first": first,
                    "ours_first_title": titles.get(first) if first else None,
                    "fts5_rank": r_fts,
                    "fts5_first": fts_first,
                    "fts5_first_title": titles.get(fts_first) if fts_first else None,
                    "absent_from_post": o.absent,
                    "fold": o.query.fold,
                    **({"error": o.error} if o.error else {}),
                }
            )
    return KnownItemReport(
        archive=str(archive),
        name=set_name(archive),
        posts=sum(1 for p in posts if p.record is not None),
        folds=folds,
        seed=seed,
        sample=sample,
        neutral_title=NEUTRAL_TITLE,
        kinds=reports,
        index_seconds=round(timings["index"], 2),
        fts5_build_seconds=round(timings["fts5"], 2),
        seconds=round(time.perf_counter() - started, 1),
        misses=misses,
    )
