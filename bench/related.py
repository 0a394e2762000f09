"""Related posts (issue #11): do the related posts share the post's topic, and how fast?

    python -m bench.related --out bench/results/related.json
    python -m bench.related --index /tmp/idx --no-site-data     # reuse an index, skip the file runs

The archive (default ``../shared/data/blog-github-pages-env/content``) is indexed into a
temporary folder, then the related posts of every post are computed by:

* **ours**: :meth:`search.Index.related` (terms by tf·idf from the stored term bag, field
  weights, tags);
* **ours, tags hidden**: the same method told nothing about tags (no tag words, no shared
  tags): the figure that shows whether the *content* similarity finds the same topics;
* **tag-only baseline**: posts ranked by the idf-weighted number of tags they share with
  the post, ties broken by date (newest first);
* **more-like-this**: tantivy's ``more_like_this_document_fields_query`` on the post's raw
  words (the Sudachi words of title and body, as indexed), with tantivy's default
  parameters and again with ones suited to short posts (``min_doc_frequency=2,
  min_term_frequency=1, max_query_terms=30``).

Figures, over the posts that have tags: the share of the top 5 / top 10 related posts that
share at least one tag with the post (``share`` counts over the posts returned,
``precision`` over 5 or 10 slots, so a method that returns fewer is not flattered), and the
chance level (the share for posts drawn at random). Over every post: the share in the
same section of the blog (golang, remark, release…). A method that only reproduces tags
wins the tag figure trivially, which is why the tags-hidden run is the one to compare
with more-like-this. Latency: p50/p95 per call (find, plus reading the related posts'
titles), as ratios against the tag-only baseline measured in the same run.

Then, unless ``--no-site-data``: the time of ``search related --all`` (full, no change,
one post edited and re-indexed) on a copy of the archive.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from bench.speed import dist
from indexer import index_posts
from search import Index
from search.analysis import Analyzer
from search.normalize import fold_key
from search.related import RelatedFinder, site_data

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTS = ROOT.parent / "shared" / "data" / "blog-github-pages-env" / "content"
KS = (5, 10)
MLT_TUNED = {"min_doc_frequency": 2, "min_term_frequency": 1, "max_query_terms": 30}

Method = Callable[[str, tantivy.DocAddress, int], list[str]]


class Corpus:
    """Every post of the index: its address, tags, section and raw words."""

    def __init__(self, idx: Index, analyzer: Analyzer) -> None:
        self.idx = idx
        self.searcher = idx.searcher()
        s = self.searcher
        addrs = [a for _s, a in s.search(Query.all_query(), s.num_docs, count=False).hits]
        self.addr: dict[str, tantivy.DocAddress] = {}
        self.tags: dict[str, set[str]] = {}
        self.section: dict[str, str] = {}
        self.when: dict[str, float] = {}  # timestamp, 0 for undated posts
        self.by_addr: dict[tuple[int, int], str] = {}
        self.words: dict[str, dict[str, str]] = {}
        for a in addrs:
            doc = s.doc(a)
            path = doc.get_first("path")
            self.addr[path] = a
            self.tags[path] = {fold_key(t) for t in doc.get_all("tag")}
            self.section[path] = path.split("/", 1)[0]
            text = doc.get_first("date_text")
            self.when[path] = datetime.fromisoformat(text).timestamp() if text else 0.0
            self.by_addr[(a.segment_ord, a.doc)] = path
            # The words exactly as the title_w and body_w fields hold them.
            self.words[path] = {
                "title_w": analyzer.index_terms(doc.get_first("title") or "").words,
                "body_w": analyzer.index_terms(doc.get_first("body") or "").words,
            }
        self.paths = sorted(self.addr)
        self.tag_df: dict[str, int] = defaultdict(int)
        for tags in self.tags.values():
            for t in tags:
                self.tag_df[t] += 1


def ours(c: Corpus) -> Method:
    def run(path: str, _addr: tantivy.DocAddress, k: int) -> list[str]:
        return [h.path for h in c.idx.related(path, k)]

    return run


def ours_without_tags(c: Corpus) -> Method:
    finder = RelatedFinder(c.searcher, c.idx.schema, use_tags=False)

    def run(_path: str, addr: tantivy.DocAddress, k: int) -> list[str]:
        return [c.searcher.doc(a).get_first("path") for _s, a in finder.find(addr, k)]

    return run


def tag_only(c: Corpus) -> Method:
    n = len(c.paths)
    schema = c.idx.schema

    def run(path: str, _addr: tantivy.DocAddress, k: int) -> list[str]:
        tags = c.tags[path]
        if not tags:
            return []
        clauses = [
            (
                Occur.Should,
                Query.const_score_query(
                    Query.term_query(schema, "tag_key", t),
                    math.log(1 + (n - c.tag_df[t] + 0.5) / (c.tag_df[t] + 0.5)),
                ),
            )
            for t in tags
        ]
        clauses.append((Occur.MustNot, Query.term_query(schema, "path", path)))
        hits = c.searcher.search(Query.boolean_query(clauses), n, count=False).hits
        found = [(round(s, 6), c.by_addr[(a.segment_ord, a.doc)]) for s, a in hits]
        found.sort(key=lambda sp: (-sp[0], -c.when[sp[1]]))
        top = [p for _s, p in found[:k]]
        for p in top:  # like the other methods, read what a page would show
            c.searcher.doc(c.addr[p]).get_first("title")
        return top

    return run


def more_like_this(c: Corpus, **params: int) -> Method:
    schema = c.idx.schema

    def run(path: str, _addr: tantivy.DocAddress, k: int) -> list[str]:
        words = c.words[path]
        fields = {f: [text] for f, text in words.items() if text}
        if not fields:
            return []
        q = Query.more_like_this_document_fields_query(schema, fields, **params)
        out = []
        for _s, a in c.searcher.search(q, k + 1, count=False).hits:
            p = c.searcher.doc(a).get_first("path")
            if p != path:
                out.append(p)
        return out[:k]

    return run


def evaluate(c: Corpus, method: Method, k_max: int, timed: bool) -> dict:
    lists: dict[str, list[str]] = {}
    times: list[float] = []
    for path in c.paths:
        t = time.perf_counter()
        lists[path] = method(path, c.addr[path], k_max)
        times.append((time.perf_counter() - t) * 1000)
    out: dict = {"posts": len(lists)}
    tagged = [p for p in c.paths if c.tags[p]]
    for k in KS:
        shared = returned = 0
        same_section = all_returned = 0
        for p in c.paths:
            top = lists[p][:k]
            assert p not in top, f"{p} is its own related post"
            same_section += sum(c.section[r] == c.section[p] for r in top)
            all_returned += len(top)
            if c.tags[p]:
                shared += sum(bool(c.tags[r] & c.tags[p]) for r in top)
                returned += len(top)
        out[f"top{k}"] = {
            "tag_share": round(shared / returned, 4) if returned else None,
            "tag_precision": round(shared / (k * len(tagged)), 4),
            "returned_per_tagged_post": round(returned / len(tagged), 2),
            "same_section_share": round(same_section / all_returned, 4) if all_returned else None,
        }
    if timed:
        out["latency_ms"] = dist(times)
    return out


def chance(c: Corpus) -> dict:
    """Shares for a post drawn at random among the others."""
    tagged = [p for p in c.paths if c.tags[p]]
    by_tag: dict[str, set[str]] = defaultdict(set)
    for p in c.paths:
        for t in c.tags[p]:
            by_tag[t].add(p)
    n = len(c.paths)
    tag_share = sum((len(set().union(*(by_tag[t] for t in c.tags[p]))) - 1) / (n - 1) for p in tagged) / len(
        tagged
    )
    sections: dict[str, int] = defaultdict(int)
    for p in c.paths:
        sections[c.section[p]] += 1
    section_share = sum((sections[c.section[p]] - 1) / (n - 1) for p in c.paths) / n
    return {"tag_share": round(tag_share, 4), "same_section_share": round(section_share, 4)}


def site_data_runs(posts: Path, work: Path) -> dict:
    """search related --all on a copy of the archive: full, unchanged, one post edited."""
    copy = work / "posts"
    shutil.copytree(posts, copy)
    index_dir = work / "site-index"
    index_posts([copy], index_dir)
    idx = Index.open(index_dir)
    out: dict = {}
    t = time.perf_counter()
    full = site_data(idx, "hugo", limit=5)
    out["full_s"] = round(time.perf_counter() - t, 3)
    out["posts"] = full.posts
    t = time.perf_counter()
    again = site_data(idx, "hugo", limit=5, previous_state=full.state, previous_text=full.text)
    out["unchanged_s"] = round(time.perf_counter() - t, 3)
    assert again.unchanged
    victim = sorted(copy.rglob("*.md"))[len(full.text) % 97]
    with open(victim, "a", encoding="utf-8") as fh:
        fh.write("\n追記：この記事にも関連する話を少し書き足した。\n")
    index_posts([copy], index_dir)
    t = time.perf_counter()
    edited = site_data(idx, "hugo", limit=5, previous_state=full.state, previous_text=full.text)
    out["one_post_edited_s"] = round(time.perf_counter() - t, 3)
    out["one_post_edited_recomputed"] = edited.recomputed
    fresh = site_data(idx, "hugo", limit=5, full=True)
    out["one_post_edited_lists_equal_to_full_recompute"] = round(
        _agreement(json.loads(edited.text), json.loads(fresh.text)), 4
    )
    out["file_bytes"] = len(full.text.encode("utf-8"))
    return out


def _agreement(a: dict, b: dict) -> float:
    keys = a.keys() | b.keys()
    same = sum([e["path"] for e in a.get(k, [])] == [e["path"] for e in b.get(k, [])] for k in keys)
    return same / len(keys)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=Path, default=DEFAULT_POSTS)
    ap.add_argument("--index", type=Path, help="use this index of --posts instead of building one")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "related.json")
    ap.add_argument("--no-site-data", action="store_true", help="skip the search related --all runs")
    args = ap.parse_args()
    if not args.posts.is_dir():
        raise SystemExit(f"no archive at {args.posts} (see ../shared/data/README.md)")

    with tempfile.TemporaryDirectory(prefix="bench-related-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        if args.index is None:
            index_posts([args.posts], work / "index")
            idx = Index.open(work / "index")
        else:
            idx = Index.open(args.index)
        print(f"indexed in {time.perf_counter() - started:.1f}s; reading the posts' words…", flush=True)
        c = Corpus(idx, Analyzer())
        methods: dict[str, Method] = {
            "tag_only_baseline": tag_only(c),
            "ours": ours(c),
            "ours_tags_hidden": ours_without_tags(c),
            "more_like_this_default": more_like_this(c),
            "more_like_this_tuned": more_like_this(c, **MLT_TUNED),
        }
        for m in methods.values():  # warm caches (dictionary pages, df caches) evenly
            for p in random.Random(0).sample(c.paths, 50):
                m(p, c.addr[p], max(KS))
        results: dict = {}
        for name, m in methods.items():
            results[name] = evaluate(c, m, max(KS), timed=True)
            print(name, json.dumps(results[name]), flush=True)
        base = results["tag_only_baseline"]["latency_ms"]
        for r in results.values():
            r["latency_vs_tag_only"] = {q: round(r["latency_ms"][q] / base[q], 2) for q in ("p50", "p95")}
        report = {
            "date": date.today().isoformat(),
            "machine": f"{platform.node()} {platform.machine()}, Python {platform.python_version()}",
            "archive": str(args.posts),
            "posts": len(c.paths),
            "posts_with_tags": sum(bool(t) for t in c.tags.values()),
            "chance": chance(c),
            "methods": results,
            "more_like_this_tuned_params": MLT_TUNED,
        }
        if not args.no_site_data:
            report["site_data"] = site_data_runs(args.posts, work)
            print("site data", json.dumps(report["site_data"]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
