"""Retrieval quality on a labelled collection, through the normal indexing and search path.

    python -m bench.quality ../shared/data/jsquad-test
    python -m bench.quality ../shared/data/jaquad-train --json bench/results/jaquad.json

A collection folder holds ``docs.jsonl`` (id, title, text) and ``queries.jsonl`` (qid,
query, doc_ids). Each doc becomes a Markdown post with front matter in a temporary
archive, the archive is indexed with :func:`indexer.index_posts`, and every query runs
through :meth:`search.Index.search` exactly as a library user would call it.

Printed: MRR@10, Recall@10, Recall@100, nDCG@10, median and p95 query latency, and the
partial-word check: queries made of the parts of compound words found in the collection,
with recall against grep's answer (the posts whose folded text contains the query).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from indexer import index_posts
from indexer.plaintext import markdown_to_text
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
            ("partial-word queries", str(self.partial_queries)),
            ("partial-word recall vs grep", f"{self.partial_recall:.3f}"),
            ("index time (s)", f"{self.index_seconds:.1f}"),
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
        latency_ms_p50=_percentile(latencies, 0.5),
        latency_ms_p95=_percentile(latencies, 0.95),
        snippet_latency_ms_p50=_percentile(snippet_latencies, 0.5),
        snippet_latency_ms_p95=_percentile(snippet_latencies, 0.95),
        partial_queries=len(pq),
        partial_recall=found_total / expected_total if expected_total else 1.0,
        partial_misses=misses[:20],
        index_seconds=index_seconds,
    )


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return statistics.median(ordered) if q == 0.5 else ordered[int(q * (len(ordered) - 1))]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection", type=Path)
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
    if not (args.collection / "docs.jsonl").exists():
        print(f"no docs.jsonl in {args.collection}", file=sys.stderr)
        return 2
    report = evaluate(
        args.collection,
        limit_queries=args.queries,
        partial_count=args.partial,
        weights=parse_weights(args.set),
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
