"""Speed at archive scale (issue #5): indexing, memory, incremental runs, query latency,
the cold CLI, side by side with SQLite FTS5 (trigram) and raw Sudachi tokenisation.

    python -m bench.speed --sizes 1k,10k --out bench/results/speed-2026-11-28.json
    python -m bench.speed --sizes 100k --single-sample 10000 --out bench/results/speed-100k.json

For each size the archive is made by :mod:`bench.corpus` under ``--corpus-root`` (reused
when already built with the same size and seed), then:

* a full index through :func:`indexer.index_posts` with the default (parallel) workers, and
  again with ``workers=1`` for the speedup; each run is a child process whose whole process
  tree is polled in ``/proc`` for peak RSS (sum over the tree; also PSS, which counts the
  shared, memory-mapped dictionary once);
* index size on disk against the Markdown bytes;
* an incremental run with nothing changed, then one with 1% of the posts changed;
* query latency p50/p95/p99 over ``--queries`` varied queries through :class:`search.Index`,
  ranking only (``snippets=False``) and with snippets, top 10;
* ``search query`` wall time from a cold process (median of ``--cli-runs``);
* SQLite FTS5 ``trigram`` on the same posts and queries (filters through tag and date
  columns), and raw Sudachi mode C tokenisation of the same text in one process.

Results are printed as a table and written as JSON to ``--out``. Corpora and indexes live
under ``/tmp``, never in the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import tomllib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml

from bench import corpus

JST = timezone(timedelta(hours=9))
FRONT = re.compile(r"\A(---|\+\+\+)\n(.*?)\n\1\n", re.S)


# -- helpers -------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    if q == 0.5:
        return statistics.median(ordered)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def dist(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(pct(values, 0.5), 3),
        "p95": round(pct(values, 0.95), 3),
        "p99": round(pct(values, 0.99), 3),
        "mean": round(statistics.fmean(values), 3) if values else float("nan"),
    }


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def post_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.md"))


def split_post(text: str) -> tuple[dict, str]:
    m = FRONT.match(text)
    if not m:
        return {}, text
    meta = yaml.safe_load(m.group(2)) if m.group(1) == "---" else tomllib.loads(m.group(2))
    return meta or {}, text[m.end() :]


def post_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=JST)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=JST)
    if isinstance(value, str):
        try:
            d = datetime.fromisoformat(value)
        except ValueError:
            return None
        return d if d.tzinfo else d.replace(tzinfo=JST)
    return None


# -- indexing in a measured child process ---------------------------------------------------


def _tree(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry))
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _kb(path: str, key: bytes) -> int:
    try:
        with open(path, "rb") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_indexing(posts: Path, index: Path, workers: int | None, poll: float = 0.2) -> dict:
    """``index_posts`` in a child process; peak RSS/PSS of its whole process tree."""
    cmd = [sys.executable, "-m", "bench.speed", "--child-index", str(posts), str(index), str(workers or 0)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    peak = {"rss": 0, "pss": 0, "procs": 0}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            pids = _tree(proc.pid)
            rss = sum(_kb(f"/proc/{p}/status", b"VmRSS:") for p in pids)
            pss = sum(_kb(f"/proc/{p}/smaps_rollup", b"Pss:") for p in pids)
            peak["rss"] = max(peak["rss"], rss)
            peak["pss"] = max(peak["pss"], pss)
            peak["procs"] = max(peak["procs"], len(pids))
            done.wait(poll)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    out, _ = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    if proc.returncode != 0:
        raise RuntimeError(f"indexing child failed ({proc.returncode}): {' '.join(cmd)}")
    result = json.loads(out.strip().splitlines()[-1])
    result["process_wall_seconds"] = round(wall, 3)  # with interpreter start and imports
    result["peak_tree_rss_mb"] = round(peak["rss"] / 1024, 1)
    result["peak_tree_pss_mb"] = round(peak["pss"] / 1024, 1)
    result["max_processes"] = peak["procs"]
    return result


def child_index(posts: str, index: str, workers: int) -> None:
    # Memory is read from /proc by the parent: getrusage's ru_maxrss would include the RSS
    # this process inherited from the benchmark process it was forked from.
    from indexer import index_posts

    t0 = time.perf_counter()
    report = index_posts([posts], index, workers=workers or None)
    elapsed = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 3),
                "added": report.added,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "deleted": report.deleted,
                "skipped": len(report.skipped),
                "posts": report.posts,
            }
        )
    )


def subset(posts: list[Path], root: Path, n: int, dest: Path) -> Path:
    """The first ``n`` posts, hard-linked into ``dest`` (same text, no copy)."""
    if dest.exists():
        shutil.rmtree(dest)
    for p in posts[:n]:
        target = dest / p.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(p, target)
    return dest


def change_posts(posts: list[Path], fraction: float, seed: int) -> dict[Path, bytes]:
    """Edit ``fraction`` of the posts (a sentence appended); returns the originals."""
    rng = random.Random(seed)
    chosen = rng.sample(posts, max(1, int(len(posts) * fraction)))
    originals = {}
    for p in chosen:
        data = p.read_bytes()
        originals[p] = data
        p.write_bytes(data + f"\n追記: この記事は{rng.randrange(1, 28)}日に更新しました。\n".encode())
    return originals


# -- queries ---------------------------------------------------------------------------------


def make_queries(posts: list[Path], tags: list[str], n: int, seed: int) -> list[dict]:
    """Varied queries: 1–4 corpus nouns, phrases from post text, questions from the labelled
    collections; some with tag and/or date filters, some sorted by date."""
    from sudachipy import Dictionary, SplitMode

    rng = random.Random(seed)
    tok = Dictionary(dict="core").tokenizer(SplitMode.C)
    counts: dict[str, int] = {}
    phrases: list[str] = []
    for p in rng.sample(posts, min(300, len(posts))):
        _meta, body = split_post(p.read_text(encoding="utf-8"))
        ms = tok.tokenize(body[:6000])
        for i, m in enumerate(ms):
            pos = m.part_of_speech()
            s = m.surface()
            if pos[0] == "名詞" and pos[1] in ("普通名詞", "固有名詞") and len(s) >= 2 and not s.isascii():
                counts[s] = counts.get(s, 0) + 1
                if rng.random() < 0.05 and i + 2 < len(ms):
                    span = [ms[j] for j in range(i, i + rng.randint(2, 3))]
                    if all(x.part_of_speech()[0] not in ("補助記号", "空白") for x in span):
                        text = "".join(x.surface() for x in span)
                        if len(text) >= 3 and "\n" not in text:
                            phrases.append(text)
    words = sorted(counts)
    weights = [counts[w] for w in words]
    questions: list[str] = []
    for name in corpus.COLLECTIONS:
        with (corpus.DATA_DIR / name / "queries.jsonl").open(encoding="utf-8") as fh:
            questions.extend(json.loads(line)["query"] for line in fh if line.strip())
    questions.sort()
    tag_weights = [1.0 / (r + 1) ** 0.9 for r in range(len(tags))]

    def word() -> str:
        return rng.choices(words, weights)[0] if rng.random() < 0.5 else rng.choice(words)

    out: list[dict] = []
    for _ in range(n):
        r = rng.random()
        q: dict = {"tags": [], "since": None, "until": None, "sort": "relevance"}
        if r < 0.6:
            k = rng.choices([1, 2, 3, 4], [4, 3, 2, 1])[0]
            terms = list(dict.fromkeys(word() for _ in range(k)))
            q.update(kind=f"words{len(terms)}", text=" ".join(terms), terms=terms)
        elif r < 0.8 and phrases:
            ph = rng.choice(phrases)
            q.update(kind="phrase", text=f'"{ph}"', terms=[ph])
        else:
            qs = rng.choice(questions)
            q.update(kind="question", text=qs, terms=[qs])
        if q["kind"] != "question":
            if rng.random() < 0.25:
                q["tags"] = [rng.choices(tags, tag_weights)[0]]
            if rng.random() < 0.25:
                y = rng.randint(2008, 2024)
                q["since"] = f"{y}-01-01"
                q["until"] = f"{min(2025, y + rng.randint(0, 2))}-12-31"
            if rng.random() < 0.12:
                q["sort"] = "date"
        out.append(q)
    return out


def filtered(q: dict) -> bool:
    return bool(q["tags"] or q["since"])


def run_queries(index_dir: Path, queries: list[dict]) -> dict:
    from search import Index

    idx = Index.open(index_dir)
    for q in queries[:30]:  # warm-up: caches, page cache, lazy imports
        idx.search(q["text"], tags=q["tags"], since=q["since"], until=q["until"], sort=q["sort"])
    rank: list[float] = []
    snip: list[float] = []
    by_kind: dict[str, list[float]] = {}
    filt: list[float] = []
    totals: list[int] = []
    for q in queries:
        kw = {"tags": q["tags"], "since": q["since"], "until": q["until"], "sort": q["sort"], "limit": 10}
        t0 = time.perf_counter()
        res = idx.search(q["text"], snippets=False, **kw)
        t1 = time.perf_counter()
        idx.search(q["text"], snippets=True, **kw)
        t2 = time.perf_counter()
        ms = (t1 - t0) * 1000
        rank.append(ms)
        snip.append((t2 - t1) * 1000)
        kind = q["kind"] if q["kind"] in ("phrase", "question") else "words"
        by_kind.setdefault(kind, []).append(ms)
        if q["sort"] == "date":
            by_kind.setdefault("sort_date", []).append(ms)
        if filtered(q):
            filt.append(ms)
        totals.append(res.total)
        q["_ours_ms"] = ms
    return {
        "ranking_ms": dist(rank),
        "snippets_ms": dist(snip),
        "ranking_ms_by_kind": {k: dist(v) for k, v in sorted(by_kind.items())},
        "ranking_ms_filtered": dist(filt),
        "median_total_hits": statistics.median(totals),
        "zero_hit_queries": sum(1 for t in totals if t == 0),
    }


def cli_cold(index_dir: Path, query: str, runs: int) -> dict:
    script = Path(sys.executable).parent / "search"
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(script), "query", query, "--index", str(index_dir)], capture_output=True, text=True
        )
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise RuntimeError(f"search query failed: {proc.stderr.strip()}")
    return {
        "query": query,
        "runs": [round(t, 3) for t in times],
        "median_s": round(statistics.median(times), 3),
    }


# -- SQLite FTS5 trigram ---------------------------------------------------------------------


def fts5_build(posts: list[Path], db: Path) -> dict:
    if db.exists():
        db.unlink()
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE meta(id INTEGER PRIMARY KEY, path TEXT, title TEXT, date INTEGER);
        CREATE INDEX meta_date ON meta(date);
        CREATE TABLE tags(tag TEXT, id INTEGER);
        CREATE INDEX tags_tag ON tags(tag, id);
        CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='trigram');
        """
    )
    with con:
        for i, p in enumerate(posts, start=1):
            meta, body = split_post(p.read_text(encoding="utf-8"))
            title = str(meta.get("title", ""))
            when = post_datetime(meta.get("date"))
            con.execute(
                "INSERT INTO meta VALUES (?,?,?,?)",
                (i, str(p), title, int(when.timestamp()) if when else None),
            )
            con.executemany("INSERT INTO tags VALUES (?,?)", [(str(t), i) for t in meta.get("tags") or []])
            con.execute("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)", (i, title, body))
    con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    con.commit()
    con.close()
    return {"seconds": round(time.perf_counter() - t0, 3), "bytes": db.stat().st_size}


def _fts_string(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def fts5_sql(q: dict) -> tuple[str, list, str]:
    """The FTS5 equivalent of a query: AND of the words (phrases are substrings for trigram);
    words under 3 characters cannot use the trigram index and become LIKE filters; a question
    is an OR of its trigrams ranked by bm25 (as the peers in issue #3)."""
    where: list[str] = []
    params: list = []
    match: str | None = None
    if q["kind"] == "question":
        text = re.sub(r"[\s?？、。「」『』()（）]", "", q["text"])
        grams = list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))
        match = " OR ".join(_fts_string(g) for g in grams) or None
        how = "match"
    else:
        long_terms = [t for t in q["terms"] if len(t) >= 3]
        short_terms = [t for t in q["terms"] if len(t) < 3]
        if long_terms:
            match = " AND ".join(_fts_string(t) for t in long_terms)
        for t in short_terms:
            where.append("(f.title LIKE ? OR f.body LIKE ?)")
            params += [f"%{t}%", f"%{t}%"]
        how = "match+like" if long_terms and short_terms else ("match" if long_terms else "like-scan")
    if match:
        where.insert(0, "fts MATCH ?")
        params.insert(0, match)
    for tag in q["tags"]:
        where.append("f.rowid IN (SELECT id FROM tags WHERE tag = ?)")
        params.append(tag)
    if q["since"]:
        lo = datetime.fromisoformat(q["since"]).replace(tzinfo=JST)
        hi = datetime.fromisoformat(q["until"]).replace(tzinfo=JST) + timedelta(days=1)
        where.append("f.rowid IN (SELECT id FROM meta WHERE date >= ? AND date < ?)")
        params += [int(lo.timestamp()), int(hi.timestamp())]
    order = "m.date DESC" if q["sort"] == "date" else ("bm25(fts)" if match else "f.rowid")
    sql = (
        "SELECT m.path, m.title FROM fts f JOIN meta m ON m.id = f.rowid "
        f"WHERE {' AND '.join(where) or '1'} ORDER BY {order} LIMIT 10"
    )
    return sql, params, how


def fts5_queries(db: Path, queries: list[dict]) -> dict:
    con = sqlite3.connect(db)
    for q in queries[:30]:
        sql, params, _ = fts5_sql(q)
        con.execute(sql, params).fetchall()
    lat: list[float] = []
    by_how: dict[str, list[float]] = {}
    ours_same: list[float] = []
    fts_matchable: list[float] = []
    ours_matchable: list[float] = []
    for q in queries:
        sql, params, how = fts5_sql(q)
        t0 = time.perf_counter()
        con.execute(sql, params).fetchall()
        ms = (time.perf_counter() - t0) * 1000
        lat.append(ms)
        by_how.setdefault(how, []).append(ms)
        ours_same.append(q.get("_ours_ms", float("nan")))
        if how == "match":
            fts_matchable.append(ms)
            ours_matchable.append(q.get("_ours_ms", float("nan")))
    con.close()
    return {
        "query_ms": dist(lat),
        "query_ms_by_plan": {k: dist(v) for k, v in sorted(by_how.items())},
        "matchable_only": {"fts5_ms": dist(fts_matchable), "ours_ms": dist(ours_matchable)},
        "note": "trigram cannot match terms under 3 characters: they become LIKE filters "
        "(a full scan when the query has no longer term)",
    }


# -- raw Sudachi -------------------------------------------------------------------------------


def raw_sudachi(posts: list[Path]) -> dict:
    from sudachipy import Dictionary, SplitMode

    tok = Dictionary(dict="core").tokenizer(SplitMode.C)
    texts = []
    for p in posts:  # reading and front matter stay outside the timed part: this is the floor
        meta, body = split_post(p.read_text(encoding="utf-8"))
        texts.append(f"{meta.get('title', '')}\n{body}")
    total_bytes = sum(len(t.encode("utf-8")) for t in texts)
    morphemes = 0
    t0 = time.perf_counter()
    for text in texts:
        for start in range(0, len(text), 12_000):
            morphemes += len(tok.tokenize(text[start : start + 12_000]))
    secs = time.perf_counter() - t0
    return {
        "seconds": round(secs, 3),
        "text_mb": round(total_bytes / 1e6, 2),
        "mb_per_s": round(total_bytes / 1e6 / secs, 3),
        "morphemes": morphemes,
    }


# -- one size ------------------------------------------------------------------------------------


def run_size(label: str, args: argparse.Namespace) -> dict:
    n = corpus.parse_size(label)
    work = args.work / label
    work.mkdir(parents=True, exist_ok=True)
    root = args.corpus_root / label
    log = lambda msg: print(f"[{label}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    log("corpus …")
    t0 = time.perf_counter()
    manifest = corpus.ensure(n, root, args.seed)
    posts = post_files(root)
    text_bytes = sum(p.stat().st_size for p in posts)
    res: dict = {
        "size": label,
        "posts": len(posts),
        "markdown_mb": round(text_bytes / 1e6, 2),
        "corpus_seconds": round(time.perf_counter() - t0, 1),
        "corpus_seed": manifest["seed"],
    }
    cores = os.cpu_count() or 1

    log("index (parallel) …")
    idx = work / "index"
    shutil.rmtree(idx, ignore_errors=True)
    par = run_indexing(root, idx, args.workers)
    par["posts_per_s"] = round(len(posts) / par["seconds"], 1)
    par["mb_per_s"] = round(text_bytes / 1e6 / par["seconds"], 3)
    res["index_parallel"] = par
    res["index_bytes"] = dir_bytes(idx)
    res["index_mb"] = round(res["index_bytes"] / 1e6, 1)
    res["index_to_text"] = round(res["index_bytes"] / text_bytes, 2)
    log(f"  {par['seconds']} s, peak RSS {par['peak_tree_rss_mb']} MB")

    log("index (workers=1) …")
    single_root, single_posts = root, posts
    if args.single_sample and len(posts) > args.single_sample:
        single_root = subset(posts, root, args.single_sample, work / "single-posts")
        single_posts = posts[: args.single_sample]
    sidx = work / "index-single"
    shutil.rmtree(sidx, ignore_errors=True)
    single = run_indexing(single_root, sidx, 1)
    sbytes = sum(p.stat().st_size for p in single_posts)
    single["posts"] = len(single_posts)
    single["posts_per_s"] = round(len(single_posts) / single["seconds"], 1)
    single["mb_per_s"] = round(sbytes / 1e6 / single["seconds"], 3)
    single["sampled"] = single_root != root
    res["index_single"] = single
    res["parallel_speedup"] = round(par["mb_per_s"] / single["mb_per_s"], 2)
    shutil.rmtree(sidx, ignore_errors=True)
    if single_root != root:
        shutil.rmtree(single_root, ignore_errors=True)
    log(f"  {single['seconds']} s, speedup {res['parallel_speedup']}×")

    log("incremental, nothing changed …")
    res["incremental_nochange"] = run_indexing(root, idx, args.workers)
    log("incremental, 1% changed …")
    originals = change_posts(posts, 0.01, args.seed)
    try:
        res["incremental_1pct"] = run_indexing(root, idx, args.workers)
        res["incremental_1pct"]["changed_posts"] = len(originals)
    finally:
        for p, data in originals.items():
            p.write_bytes(data)  # the archive stays what the manifest says

    log("queries …")
    queries = make_queries(posts, manifest["tags"], args.queries, args.seed)
    res["queries"] = {
        "count": len(queries),
        "kinds": {
            k: sum(1 for q in queries if q["kind"].startswith(k)) for k in ("words", "phrase", "question")
        },
        "filtered": sum(1 for q in queries if filtered(q)),
        "sort_date": sum(1 for q in queries if q["sort"] == "date"),
        "examples": [q["text"] for q in queries[:8]],
    }
    res["ours"] = run_queries(idx, queries)
    log(f"  p50 {res['ours']['ranking_ms']['p50']} ms")

    log("CLI cold …")
    res["cli_cold"] = cli_cold(idx, args.cli_query, args.cli_runs)

    log("FTS5 trigram …")
    db = work / "fts5.db"
    res["fts5"] = fts5_build(posts, db)
    res["fts5"]["mb"] = round(res["fts5"]["bytes"] / 1e6, 1)
    res["fts5"].update(fts5_queries(db, queries))
    db.unlink()

    log("raw Sudachi …")
    res["raw_sudachi"] = raw_sudachi(posts)
    floor = res["raw_sudachi"]["seconds"] / cores
    res["ratios"] = {
        "index_vs_sudachi_per_core": round(par["seconds"] / floor, 2),
        "p50_vs_fts5": round(res["ours"]["ranking_ms"]["p50"] / res["fts5"]["query_ms"]["p50"], 3),
        "p50_vs_fts5_matchable": round(
            res["fts5"]["matchable_only"]["ours_ms"]["p50"] / res["fts5"]["matchable_only"]["fts5_ms"]["p50"],
            3,
        ),
        "parallel_speedup": res["parallel_speedup"],
        "index_vs_fts5_time": round(par["seconds"] / res["fts5"]["seconds"], 2),
    }
    shutil.rmtree(work, ignore_errors=True)
    return res


# -- report ------------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    def row(name: str, f) -> list[str]:  # type: ignore[no-untyped-def]
        cells = []
        for r in results:
            try:
                cells.append(f(r))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("—")
        return [name, *cells]

    rows = [
        ["", *[r["size"] for r in results]],
        row("posts / Markdown MB", lambda r: f"{r['posts']} / {r['markdown_mb']}"),
        row("full index, parallel (s)", lambda r: f"{r['index_parallel']['seconds']:.1f}"),
        row(
            "  posts/s, MB/s",
            lambda r: f"{r['index_parallel']['posts_per_s']:.0f}, {r['index_parallel']['mb_per_s']:.2f}",
        ),
        row(
            "full index, workers=1 (s)",
            lambda r: (
                f"{r['index_single']['seconds']:.1f}"
                + (f" ({r['index_single']['posts']} posts)" if r["index_single"]["sampled"] else "")
            ),
        ),
        row("parallel speedup (target ≥1.7)", lambda r: f"{r['parallel_speedup']:.2f}×"),
        row("raw Sudachi C, 1 process (s)", lambda r: f"{r['raw_sudachi']['seconds']:.1f}"),
        row(
            "index / (Sudachi ÷ cores) (≤1.5)",
            lambda r: f"{r['ratios']['index_vs_sudachi_per_core']:.2f}",
        ),
        row(
            "peak RSS tree / PSS (MB)",
            lambda r: (
                f"{r['index_parallel']['peak_tree_rss_mb']:.0f} / {r['index_parallel']['peak_tree_pss_mb']:.0f}"
            ),
        ),
        row(
            "index size MB (× text)",
            lambda r: f"{r['index_mb']} ({r['index_to_text']}×)",
        ),
        row(
            "incremental, no change (s)",
            lambda r: (
                f"{r['incremental_nochange']['seconds']:.2f} "
                f"({r['incremental_nochange']['process_wall_seconds']:.2f} with start-up)"
            ),
        ),
        row("incremental, 1% changed (s)", lambda r: f"{r['incremental_1pct']['seconds']:.2f}"),
        row(
            "query p50/p95/p99 ms, ranking",
            lambda r: "{p50:.2f} / {p95:.2f} / {p99:.2f}".format(**r["ours"]["ranking_ms"]),
        ),
        row(
            "query p50/p95/p99 ms, snippets",
            lambda r: "{p50:.2f} / {p95:.2f} / {p99:.2f}".format(**r["ours"]["snippets_ms"]),
        ),
        row("CLI cold query, median (s)", lambda r: f"{r['cli_cold']['median_s']:.3f}"),
        row(
            "FTS5 index s / MB",
            lambda r: f"{r['fts5']['seconds']:.1f} / {r['fts5']['mb']}",
        ),
        row(
            "FTS5 p50/p95/p99 ms",
            lambda r: "{p50:.2f} / {p95:.2f} / {p99:.2f}".format(**r["fts5"]["query_ms"]),
        ),
        row("our p50 / FTS5 p50", lambda r: f"{r['ratios']['p50_vs_fts5']:.2f}"),
        row(
            "  same, MATCH-able queries only",
            lambda r: f"{r['ratios']['p50_vs_fts5_matchable']:.2f}",
        ),
    ]
    widths = [max(len(str(x[i])) for x in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(x, widths, strict=True)) for x in rows)


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    import sudachipy
    import tantivy

    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sudachipy": getattr(sudachipy, "__version__", "?"),
        "tantivy": getattr(tantivy, "__version__", "?"),
        "note": "shared, noisy 2-core VM",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k", help="comma-separated: 1k,10k,100k")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument("--corpus-root", type=Path, default=Path("/tmp/bench-corpus"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-speed-work"))
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--workers", type=int, default=None, help="indexing workers (default: CPU count)")
    parser.add_argument(
        "--single-sample",
        type=int,
        default=0,
        metavar="N",
        help="run the workers=1 comparison on the first N posts only (speedup from MB/s)",
    )
    parser.add_argument("--cli-runs", type=int, default=7)
    parser.add_argument("--cli-query", default="消防署")
    parser.add_argument(
        "--child-index", nargs=3, metavar=("POSTS", "INDEX", "WORKERS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child_index:
        posts, index, workers = args.child_index
        child_index(posts, index, int(workers))
        return 0

    started = datetime.now(JST)
    results = []
    for label in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        results.append(run_size(label, args))
        print(table(results), flush=True)
        if args.out:  # after every size, so a long run keeps what it measured
            args.out.parent.mkdir(parents=True, exist_ok=True)
            payload = {
                "started": started.isoformat(timespec="seconds"),
                "machine": machine(),
                "results": results,
            }
            args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
