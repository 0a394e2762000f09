"""Compare ranking settings on every quality set, building each index only once.

    python -m bench.sweep --config 'title=1.5' --config 'title=2.5 tags=2' [--cache DIR]

``bench.quality --all`` rebuilds every index for each run (about 5 minutes), which makes
comparing a dozen settings slow. Ranking settings (:class:`search.ranking.Weights`) do
not change what is indexed, so this builds the same indexes as ``--all`` once (the same
query plans, folds and edits: :func:`bench.knownitem.plan_queries` with the same seed),
keeps them in ``--cache`` (keyed by analyzer and schema version, so an analyzer change
rebuilds them; after a change to the data, the indexer or the query plans, delete it), and runs every query of every set under each setting. It prints MRR@10
per set and the mean over the known-item sets, with the first setting (the code's
defaults unless given) as the baseline of each row. It is a tool for choosing weights;
the figures to report are ``bench.quality --all``'s, which also measures FTS5 in the
same run.

JaQuAD runs its first ``--jaquad`` questions (1,000 by default) to keep a sweep short.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import DATA_DIR
from bench.knownitem import KINDS, plan_queries, read_archive, set_name, write_fold
from bench.quality import KNOWN_ITEM_SETS, QUESTION_SETS, doc_id, load_jsonl, parse_weights, write_archive
from indexer import index_posts
from search import Index
from search.analysis import ANALYZER_VERSION
from search.errors import SearchError
from search.ranking import Weights
from search.schema import SCHEMA_VERSION


@dataclass
class Case:
    """One query with its right answers, on one of a set's indexes."""

    set_name: str
    index: Path
    query: str
    relevant: frozenset[str]
    key: str  # "path" for known-item sets (post paths), "id" for question sets (doc ids)


def _build(archive: Path, index: Path) -> None:
    if (index / "ready").exists():
        return
    shutil.rmtree(index, ignore_errors=True)
    index_posts([archive], index)
    (index / "ready").write_text("ok")


def _wanted(name: str, sets: list[str]) -> bool:
    return not sets or any(s in name for s in sets)


def known_item_cases(data: Path, cache: Path, sets: list[str] | None = None) -> list[Case]:
    cases: list[Case] = []
    for spec in KNOWN_ITEM_SETS:
        root = data / spec.folder
        if not _wanted(set_name(root), sets or []):
            continue
        posts = read_archive(root)
        planned, _skipped, _candidates = plan_queries(posts, KINDS, spec.folds, spec.sample, 10)
        name = set_name(root)
        for f in range(spec.folds):
            edits = {q.expected: q.edited for q in planned if q.fold == f}
            base = cache / name / f"fold-{f}"
            if not (base / "index" / "ready").exists():
                shutil.rmtree(base, ignore_errors=True)
                write_fold(posts, edits, base / "posts")
                print(f"indexing {name} fold {f + 1}/{spec.folds}", file=sys.stderr, flush=True)
                _build(base / "posts", base / "index")
            for q in planned:
                if q.fold == f:
                    cases.append(
                        Case(f"{name} {q.kind}", base / "index", q.text, frozenset([q.expected]), "path")
                    )
    return cases


def question_cases(data: Path, cache: Path, jaquad: int, sets: list[str] | None = None) -> list[Case]:
    cases: list[Case] = []
    for name in QUESTION_SETS:
        if not _wanted(name, sets or []):
            continue
        base = cache / name
        if not (base / "index" / "ready").exists():
            shutil.rmtree(base, ignore_errors=True)
            (base / "posts").mkdir(parents=True)
            write_archive(load_jsonl(data / name / "docs.jsonl"), base / "posts")
            print(f"indexing {name}", file=sys.stderr, flush=True)
            _build(base / "posts", base / "index")
        queries = load_jsonl(data / name / "queries.jsonl")
        if name.startswith("jaquad"):
            queries = queries[:jaquad]
        cases += [Case(name, base / "index", q["query"], frozenset(q["doc_ids"]), "id") for q in queries]
    return cases


def run(cases: list[Case], weights: Weights | None) -> dict[str, float]:
    """MRR@10 per set under ``weights``."""
    opened: dict[Path, Index] = {}
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for case in cases:
        idx = opened.get(case.index)
        if idx is None:
            idx = opened[case.index] = Index.open(case.index, weights=weights)
        try:
            hits = idx.search(case.query, limit=10, snippets=False).hits
        except SearchError:
            hits = []
        keys = [h.path if case.key == "path" else doc_id(h.path) for h in hits]
        rr = next((1.0 / (i + 1) for i, k in enumerate(keys) if k in case.relevant), 0.0)
        sums[case.set_name] = sums.get(case.set_name, 0.0) + rr
        counts[case.set_name] = counts.get(case.set_name, 0) + 1
    return {name: sums[name] / counts[name] for name in sums}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", action="append", default=[], help="'key=value key=value' (repeatable)")
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/jbs-sweep"))
    parser.add_argument("--jaquad", type=int, default=1000, help="JaQuAD questions to run")
    parser.add_argument(
        "--sets", default="", help="only sets whose name contains one of these (comma-separated)"
    )
    args = parser.parse_args(argv)

    cache = args.cache / f"analyzer-{ANALYZER_VERSION}-schema-{SCHEMA_VERSION}"
    sets = args.sets.split(",") if args.sets else []
    cases = known_item_cases(args.data, cache, sets) + question_cases(args.data, cache, args.jaquad, sets)
    configs = args.config or [""]
    results: list[tuple[str, dict[str, float]]] = []
    for config in configs:
        t0 = time.perf_counter()
        scores = run(cases, parse_weights(config.split()))
        results.append((config or "defaults", scores))
        print(f"{config or 'defaults'}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)

    names = list(results[0][1])
    known = [n for n in names if " " in n]
    print("| setting | " + " | ".join(names) + " | known-item mean |")
    print("|---" * (len(names) + 2) + "|")
    base = results[0][1]
    base_mean = sum(base[n] for n in known) / max(1, len(known))
    for label, scores in results:
        mean = sum(scores[n] for n in known) / max(1, len(known))
        cells = [
            f"{scores[n]:.3f}" + ("" if scores is base else f" ({scores[n] - base[n]:+.3f})") for n in names
        ]
        delta = "" if scores is base else f" ({mean - base_mean:+.3f})"
        print(f"| {label} | " + " | ".join(cells) + f" | {mean:.3f}{delta} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
