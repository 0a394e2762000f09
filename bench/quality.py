"""Retrieval quality on a labelled collection, through the normal indexing and search path.

    python -m bench.quality ../shared/data/jsquad-test
    python -m bench.quality ../shared/data/jaquad-train --json bench/results/jaquad.json
    python -m bench.quality --known-item ../shared/data/blog-vim-jp.github.io --out bench/results
    python -m bench.quality --all --out bench/results


A collection folder holds ``docs.jsonl`` (id, title, text) and ``queries.jsonl`` (qid,
query, doc_ids). Each doc becomes a Markdown post with front matter in a temporary
archive, the archive is indexed with :func:`indexer.index_posts`, and every query runs
through :meth:`search.Index.search` exactly as a library user would call it.

Printed: MRR@10, Recall@10, Recall@100, nDCG@10, median and p95 query latency, and the
partial-word check: queries made of the parts of compound words found in the collection,
with recall against grep's answer (the posts whose folded text contains the query). The
same queries also run, in the same run, through SQLite FTS5 trigram over the same indexed
text (:mod:`bench.fts5`): MRR@10, Recall@10 and latency of that baseline.

``--known-item ARCHIVE`` measures known-item search on a real blog archive instead (see
:mod:`bench.knownitem`): the title or a first-paragraph sentence of a post is the query, the
post the answer, that text removed from the indexed copy. ``--all`` runs every known-item
set and both question sets and writes their JSON and one markdown table (the README's).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from bench.corpus import DATA_DIR
from bench.fts5 import Fts5Trigram, post_text
from bench.knownitem import KINDS, KnownItemReport, evaluate_known_item, percentile
from indexer import index_posts
from indexer.plaintext import markdown_to_text
from indexer.posts import PostOptions, load_post
from search import Index
from search.analysis import Analyzer
from search.normalize import fold
from search.ranking import Weights


@dataclass
class QualityReport:
    collection: str
    docs: int
    queries: int
    mrr10: float
    recall10: float
    recall100: float
    ndcg10: float
    latency_ms_p50: float  # top 10, ranking only
    latency_ms_p95: float
    snippet_latency_ms_p50: float  # top 10 with snippets and highlights, as the CLI shows them
    snippet_latency_ms_p95: float
    partial_queries: int
    partial_recall: float
    partial_misses: list[dict[str, object]] = field(default_factory=list)
    index_seconds: float = 0.0
    fts5_mrr10: float = 0.0  # SQLite FTS5 trigram, same text, same queries, same run
    fts5_recall10: float = 0.0
    fts5_latency_ms_p50: float = 0.0
    fts5_latency_ms_p95: float = 0.0
    fts5_like_queries: int = 0  # queries under 3 characters (an unranked LIKE scan)
    seconds: float = 0.0  # the whole evaluation

    def table(self) -> str:
        rows = [
            ("collection", self.collection),
            ("docs / queries", f"{self.docs} / {self.queries}"),
            ("MRR@10", f"{self.mrr10:.3f}"),
            ("Recall@10", f"{self.recall10:.3f}"),
            ("Recall@100", f"{self.recall100:.3f}"),
            ("nDCG@10", f"{self.ndcg10:.3f}"),
            ("query latency p50 / p95 (ms)", f"{self.latency_ms_p50:.2f} / {self.latency_ms_p95:.2f}"),
            (
                "  with snippets p50 / p95 (ms)",
                f"{self.snippet_latency_ms_p50:.2f} / {self.snippet_latency_ms_p95:.2f}",
            ),
            ("FTS5 trigram MRR@10 / Recall@10", f"{self.fts5_mrr10:.3f} / {self.fts5_recall10:.3f}"),
            (
                "FTS5 query latency p50 / p95 (ms)",
                f"{self.fts5_latency_ms_p50:.2f} / {self.fts5_latency_ms_p95:.2f}",
            ),
            ("partial-word queries", str(self.partial_queries)),
            ("partial-word recall vs grep", f"{self.partial_recall:.3f}"),
            ("index time (s)", f"{self.index_seconds:.1f}"),
            ("whole run (s)", f"{self.seconds:.0f}"),
        ]
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_archive(docs: list[dict], folder: Path) -> None:
    for doc in docs:
        title = doc["title"].replace("\\", "\\\\").replace('"', '\\"')
        (folder / f"{doc['id']}.md").write_text(
            f'---\ntitle: "{title}"\n---\n{doc["text"]}\n', encoding="utf-8"
        )


def doc_id(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".md")


def ranking_metrics(ranked: list[str], relevant: set[str]) -> tuple[float, float, float, float]:
    rr = next((1.0 / (i + 1) for i, d in enumerate(ranked[:10]) if d in relevant), 0.0)
    r10 = len(relevant.intersection(ranked[:10])) / len(relevant)
    r100 = len(relevant.intersection(ranked[:100])) / len(relevant)
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return rr, r10, r100, dcg / ideal


def partial_word_queries(docs: list[dict], analyzer: Analyzer, count: int, seed: int = 7) -> list[str]:
    """Parts of compound words found in the collection (関西 of 関西国際空港): the queries a
    word-only index misses wherever the part never stands alone."""
    parts: set[str] = set()
    for doc in docs:
        for token in analyzer.tokens(doc["text"]):
            if not token.parts:
                continue
            for part in analyzer.part_surfaces(token.surface):
                if len(part) >= 2 and part != token.surface:
                    parts.add(part)
    ordered = sorted(parts)
    random.Random(seed).shuffle(ordered)
    return ordered[:count]


def grep_answer(query: str, folded_docs: dict[str, tuple[str, str]]) -> set[str]:
    needle = fold(query)
    return {d for d, (title, body) in folded_docs.items() if needle in title or needle in body}


def evaluate(
    collection: Path,
    *,
    limit_queries: int | None = None,
    partial_count: int = 300,
    weights: Weights | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> QualityReport:
    started_run = time.perf_counter()
    docs = load_jsonl(collection / "docs.jsonl")
    queries = load_jsonl(collection / "queries.jsonl")[:limit_queries]
    with tempfile.TemporaryDirectory(prefix="quality-") as tmp:
        archive = Path(tmp) / "posts"
        archive.mkdir()
        write_archive(docs, archive)
        started = time.perf_counter()
        index_posts([archive], Path(tmp) / "index", workers=workers)
        index_seconds = time.perf_counter() - started
        idx = Index.open(Path(tmp) / "index", weights=weights)

        sums = [0.0, 0.0, 0.0, 0.0]
        latencies: list[float] = []
        snippet_latencies: list[float] = []
        for n, q in enumerate(queries):
            relevant = set(q["doc_ids"])
            ranked = [doc_id(h.path) for h in idx.search(q["query"], limit=100, snippets=False).hits]
            for i, value in enumerate(ranking_metrics(ranked, relevant)):
                sums[i] += value
            if n < 500:  # latency of a page of 10: ranking alone, then as the CLI shows it
                t0 = time.perf_counter()
                idx.search(q["query"], limit=10, snippets=False)
                t1 = time.perf_counter()
                idx.search(q["query"], limit=10)
                t2 = time.perf_counter()
                latencies.append((t1 - t0) * 1000)
                snippet_latencies.append((t2 - t1) * 1000)
            if progress and n % 200 == 0:
                print(f"  {n}/{len(queries)} queries", file=sys.stderr)

        fts_scores, fts_latencies, fts_like = _fts5_baseline(archive, docs, queries)

        folded = {d["id"]: (fold(d["title"]), fold(markdown_to_text(d["text"]).text)) for d in docs}
        pq = partial_word_queries(docs, idx.analyzer, partial_count)
        found_total = expected_total = 0
        misses: list[dict[str, object]] = []
        for query in pq:
            expected = grep_answer(query, folded)
            if not expected:
                continue
            got = {doc_id(h.path) for h in idx.search(query, limit=10_000, snippets=False).hits}
            hit = expected & got
            found_total += len(hit)
            expected_total += len(expected)
            if hit != expected:
                misses.append({"query": query, "missing": sorted(expected - got)[:5]})

    n = max(1, len(queries))
    return QualityReport(
        collection=collection.name,
        docs=len(docs),
        queries=len(queries),
        mrr10=sums[0] / n,
        recall10=sums[1] / n,
        recall100=sums[2] / n,
        ndcg10=sums[3] / n,
        latency_ms_p50=percentile(latencies, 0.5),
        latency_ms_p95=percentile(latencies, 0.95),
        snippet_latency_ms_p50=percentile(snippet_latencies, 0.5),
        snippet_latency_ms_p95=percentile(snippet_latencies, 0.95),
        partial_queries=len(pq),
        partial_recall=found_total / expected_total if expected_total else 1.0,
        partial_misses=misses[:20],
        index_seconds=index_seconds,
        fts5_mrr10=fts_scores[0] / n,
        fts5_recall10=fts_scores[1] / n,
        fts5_latency_ms_p50=percentile(fts_latencies, 0.5),
        fts5_latency_ms_p95=percentile(fts_latencies, 0.95),
        fts5_like_queries=fts_like,
        seconds=time.perf_counter() - started_run,
    )


def _fts5_baseline(
    archive: Path, docs: list[dict], queries: list[dict]
) -> tuple[list[float], list[float], int]:
    """FTS5 trigram over the posts as our indexer read them: (MRR@10, Recall@10) sums,
    latencies, and how many queries were too short for a trigram."""
    fts = Fts5Trigram()
    for doc in docs:
        rel = f"{doc['id']}.md"
        rec = load_post((archive / rel).read_bytes(), rel, PostOptions()).record
        if rec is not None:
            fts.add(doc_id(rel), rec.title, post_text(rec.excerpt, rec.tags, rec.body))
    fts.finish()
    for q in queries[:3]:  # warm-up
        fts.search(q["query"])
    sums = [0.0, 0.0]
    latencies: list[float] = []
    for q in queries:
        run = fts.search(q["query"], 10)
        latencies.append(run.ms)
        rr, r10, _, _ = ranking_metrics(run.keys, set(q["doc_ids"]))
        sums[0] += rr
        sums[1] += r10
    like = fts.like_queries
    fts.close()
    return sums, latencies, like


def parse_weights(pairs: list[str]) -> Weights | None:
    if not pairs:
        return None
    types = {f.name: f.type for f in fields(Weights)}
    values: dict[str, float | int | bool] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if key not in types:
            raise SystemExit(f"unknown weight {key!r}; known: {', '.join(sorted(types))}")
        kind = str(types[key])
        if kind == "bool":
            values[key] = value.lower() in ("1", "true", "yes")
        elif kind == "int":
            values[key] = int(value)
        else:
            values[key] = float(value)
    return Weights(**values)


# -- every set in one run ------------------------------------------------------------------


@dataclass(frozen=True)
class KnownItemSet:
    folder: str
    folds: int
    sample: int | None  # queries per kind; None: every post where the kind is possible


# Folds keep the posts without their title at about a tenth of the archive or fewer where
# the indexing time allows (vim-jp: 5 folds of ~60, a sixth of 349 posts, so that the CI
# gate stays under a minute); github-pages-env takes ~1 min per index, hence a sample.
KNOWN_ITEM_SETS = (
    KnownItemSet("blog-vim-jp.github.io", folds=5, sample=None),
    KnownItemSet("blog-haskell-jp-blog", folds=10, sample=None),
    KnownItemSet("blog-github-pages-env", folds=3, sample=300),
)
QUESTION_SETS = ("jsquad-test", "jaquad-train")


def write_known_item(report: KnownItemReport, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    summary = out / f"knownitem-{report.name}.json"
    misses = out / f"knownitem-{report.name}-misses.json"
    summary.write_text(json.dumps(report.summary(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    misses.write_text(json.dumps(report.misses, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary, misses


def _better(ours: float, fts: float) -> tuple[str, str]:
    """Both MRR figures, the higher one in bold."""
    a, b = f"{ours:.3f}", f"{fts:.3f}"
    return (f"**{a}**", b) if ours > fts else (a, f"**{b}**") if fts > ours else (a, b)


def _ms(p50: float, p95: float) -> str:
    return f"{p50:.1f} / {p95:.1f}"


def summary_markdown(
    known: list[KnownItemReport], questions: list[QualityReport], seconds: dict[str, float], started: str
) -> str:
    """The combined table: this engine and FTS5 trigram on every set, measured in one run."""
    lines = [
        f"Measured {started} by `python -m bench.quality --all`, shared 2-core machine.",
        "",
        "| set | kind | queries | MRR@10 ours | MRR@10 FTS5 | Recall@10 ours | Recall@10 FTS5 "
        "| p50 / p95 ms ours | p50 / p95 ms FTS5 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in known:
        for k in r.kinds.values():
            ours, fts = _better(k.ours.mrr10, k.fts5.mrr10)
            lines.append(
                f"| {r.name} ({r.posts} posts) | {k.kind} | {k.queries} | {ours} | "
                f"{fts} | {k.ours.recall10:.3f} | {k.fts5.recall10:.3f} | "
                f"{_ms(k.ours.latency_ms_p50, k.ours.latency_ms_p95)} | "
                f"{_ms(k.fts5.latency_ms_p50, k.fts5.latency_ms_p95)} |"
            )
    for q in questions:
        ours, fts = _better(q.mrr10, q.fts5_mrr10)
        lines.append(
            f"| {q.collection} ({q.docs} docs) | question | {q.queries} | {ours} | "
            f"{fts} | {q.recall10:.3f} | {q.fts5_recall10:.3f} | "
            f"{_ms(q.latency_ms_p50, q.latency_ms_p95)} | {_ms(q.fts5_latency_ms_p50, q.fts5_latency_ms_p95)} |"
        )
    lines += ["", "| part | seconds |", "|---|---|"]
    lines += [f"| {part} | {secs:.0f} |" for part, secs in seconds.items()]
    partial = ", ".join(f"{q.collection} {q.partial_recall:.3f}" for q in questions)
    setup = "; ".join(
        f"{r.name} {r.folds} folds" + (f", {r.sample} sampled posts per kind" if r.sample else "")
        for r in known
    )
    lines += [
        "",
        f"Partial-word recall (ours): {partial}.",
        f"Known-item: the query (title, or a first-paragraph sentence) is removed from the indexed "
        f"copy of its post, one index per fold ({setup}; seed {known[0].seed if known else '—'}). "
        "FTS5: trigram tokenizer over title + readable text, OR of the quoted query trigrams, "
        "bm25. Latency: top 10, ranking only, this run.",
    ]
    return "\n".join(lines) + "\n"


def run_all(data: Path, out: Path, workers: int | None, weights: Weights | None) -> int:
    started = time.strftime("%Y-%m-%d %H:%M")
    seconds: dict[str, float] = {}
    known = []
    for spec in KNOWN_ITEM_SETS:
        t0 = time.perf_counter()
        report = evaluate_known_item(
            data / spec.folder,
            folds=spec.folds,
            sample=spec.sample,
            weights=weights,
            workers=workers,
            progress=True,
        )
        seconds[f"known-item {report.name}"] = time.perf_counter() - t0
        write_known_item(report, out)
        print(report.table(), flush=True)
        known.append(report)
    questions = []
    for name in QUESTION_SETS:
        t0 = time.perf_counter()
        report = evaluate(data / name, weights=weights, workers=workers, progress=True)
        seconds[f"questions {name}"] = time.perf_counter() - t0
        (out / f"quality-{name}.json").write_text(
            json.dumps(asdict(report), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(report.table(), flush=True)
        questions.append(report)
    seconds["total"] = sum(seconds.values())
    table = summary_markdown(known, questions, seconds, started)
    (out / "quality-summary.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection", type=Path, nargs="?", help="a question collection folder")
    parser.add_argument(
        "--known-item", type=Path, metavar="ARCHIVE", help="known-item mode on this blog archive"
    )
    parser.add_argument("--all", action="store_true", help="every known-item set and question set")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of the sets (for --all)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the JSON results")
    parser.add_argument("--kinds", default=",".join(KINDS), help="known-item query kinds")
    parser.add_argument("--folds", type=int, default=5, help="known-item: indexes built per archive")
    parser.add_argument("--sample", type=int, default=None, help="known-item: at most N queries per kind")
    parser.add_argument("--seed", type=int, default=10, help="known-item: which posts, which folds")
    parser.add_argument("--queries", type=int, default=None, help="only the first N queries")
    parser.add_argument("--partial", type=int, default=300, help="number of partial-word queries")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override a ranking weight"
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the report as JSON here")
    parser.add_argument("--min-mrr", type=float, default=None, help="exit 1 if MRR@10 is below this")
    parser.add_argument(
        "--min-partial-recall", type=float, default=None, help="exit 1 if partial recall is below"
    )
    args = parser.parse_args(argv)
    weights = parse_weights(args.set)
    if args.all:
        return run_all(args.data, args.out or Path("bench/results"), args.workers, weights)
    if args.known_item is not None:
        kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
        if not kinds or set(kinds) - set(KINDS) or args.folds < 1:
            print(f"--kinds takes {', '.join(KINDS)}; --folds at least 1", file=sys.stderr)
            return 2
        if not args.known_item.is_dir():
            print(f"no archive folder at {args.known_item}", file=sys.stderr)
            return 2
        known = evaluate_known_item(
            args.known_item,
            kinds=kinds,
            folds=args.folds,
            sample=args.sample,
            seed=args.seed,
            weights=weights,
            workers=args.workers,
            progress=True,
        )
        print(known.table())
        if args.out:
            for written in write_known_item(known, args.out):
                print(f"wrote {written}")
        worst = min((k.ours.mrr10 for k in known.kinds.values()), default=0.0)
        return 1 if args.min_mrr is not None and worst < args.min_mrr else 0
    if args.collection is None:
        parser.error("give a collection folder, --known-item ARCHIVE or --all")
    if not (args.collection / "docs.jsonl").exists():
        print(f"no docs.jsonl in {args.collection}", file=sys.stderr)
        return 2
    report = evaluate(
        args.collection,
        limit_queries=args.queries,
        partial_count=args.partial,
        weights=weights,
        workers=args.workers,
        progress=True,
    )
    print(report.table())
    for miss in report.partial_misses[:5]:
        print(f"  partial miss: {miss}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(asdict(report), ensure_ascii=False, indent=2), encoding="utf-8")
    failed = (args.min_mrr is not None and report.mrr10 < args.min_mrr) or (
        args.min_partial_recall is not None and report.partial_recall < args.min_partial_recall
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
