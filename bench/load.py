"""Load on `search serve` (issue 11): requests/s and latency at 1, 8 and 32 concurrent
clients on the 10k-post archive, errors under load, and a `search index` commit landing
while readers search.

    python -m bench.load --out bench/results/load-10k.json            # about 5 min

Loopback only, bounded: every phase stops after ``--seconds`` or ``--max-requests``, and
the whole run gives up on the phases left once ``--budget`` seconds have passed.

* The archive is :mod:`bench.corpus`'s (``--corpus-root``, reused when already built),
  hard-linked into ``--work`` so that the posts this benchmark adds never touch it; the
  index is built (or brought up to date) there by the real ``search index``.
* Queries are :func:`bench.speed.make_queries`'s mix (words, phrases, questions; a third
  with tag or date filters, a tenth by date), sent as ``/api/search`` requests with
  facets, snippets and 10 hits, as the search page asks for them.
* Baseline, same run, same queries: :meth:`search.Index.search` in this process with the
  same arguments, one query at a time. Server figures are reported against it: requests/s
  over the baseline's queries/s (one core's worth of library work), p50 over the
  baseline's p50 (what HTTP, JSON and queueing add).
* The clients are asyncio tasks on keep-alive HTTP/1.1 connections in this process (light
  enough to leave the cores to the server; their CPU time is reported). A request is an
  error unless it answers 200 with JSON that has ``hits`` and ``facets``.
* Commit under load: with 8 clients searching, ``search index`` adds ``--new-posts`` posts
  carrying a marker word; a watcher asks for the marker every 50 ms and records when the
  first and the last of them become searchable, without any restart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

from bench import corpus
from bench.speed import JST, _tree, dist, machine, make_queries, post_files

MARKER = "zqloadmarker"  # one Latin word in no generated post: only the commit phase adds it
SEARCH = Path(sys.executable).parent / "search"


# -- the archive, its index and the queries -------------------------------------------------------


def linked_archive(source: Path, dest: Path) -> Path:
    """``source``'s posts hard-linked under ``dest`` (kept between runs; posts added by an
    earlier run are removed, so the index starts from the archive as generated)."""
    extra = dest / "load-extra"
    if extra.exists():
        shutil.rmtree(extra)
    linked = (dest / corpus.MANIFEST).exists() and os.stat(dest / corpus.MANIFEST).st_ino == os.stat(
        source / corpus.MANIFEST
    ).st_ino
    if not linked:  # first run, or the archive was generated anew since
        if dest.exists():
            shutil.rmtree(dest)
        for p in source.rglob("*"):
            target = dest / p.relative_to(source)
            if p.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(p, target)
    return dest


def run_index(posts: Path, index: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [str(SEARCH), "index", "--quiet", "--index", str(index), str(posts)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def request_target(q: dict) -> str:
    params: list[tuple[str, str]] = [("q", q["text"])]
    params += [("tag", t) for t in q["tags"]]
    if q["since"]:
        params += [("since", q["since"]), ("until", q["until"])]
    if q["sort"] != "relevance":
        params.append(("sort", q["sort"]))
    params.append(("limit", "10"))
    return "/api/search?" + urllib.parse.urlencode(params)


def baseline(idx: object, queries: list[dict]) -> dict:
    """The library in this process, the same work each request asks for, one at a time:
    wall-clock latency, and CPU time per query (less disturbed by other load on the machine)."""
    kw = lambda q: {"tags": q["tags"], "since": q["since"], "until": q["until"], "sort": q["sort"]}  # noqa: E731
    for q in queries[:20]:
        idx.search(q["text"], limit=10, facets=True, **kw(q))  # type: ignore[attr-defined]
    times = []
    cpu0 = time.process_time()
    for q in queries:
        t0 = time.perf_counter()
        idx.search(q["text"], limit=10, facets=True, **kw(q))  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t0) * 1000)
    cpu = time.process_time() - cpu0
    mean = sum(times) / len(times)
    return {
        "queries": len(times),
        "latency_ms": dist(times),
        "queries_per_s_one_thread": round(1000 / mean, 1),
        "cpu_ms_per_query": round(cpu * 1000 / len(times), 2),
    }


# -- the server ------------------------------------------------------------------------------------


class Server:
    def __init__(self, index: Path, workers: int, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    *(str(SEARCH), "serve", "--index", str(index), "--port", str(port)),
                    *("--workers", str(workers), "--no-access-log"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"search serve exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("search serve did not start within 90 s")

    def cpu_seconds(self) -> float:
        """utime + stime of the server's whole process tree."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in _tree(self.proc.pid):
            try:
                with open(f"/proc/{pid}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return total / ticks

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the clients -----------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def fetch(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, target: str
) -> tuple[int, bytes, bool]:
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection", "").lower() == "close"


def valid(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"status {status}"
    try:
        data = json.loads(body)
    except ValueError:
        return "not JSON"
    if "hits" not in data or "facets" not in data:
        return "no hits/facets"
    return None


async def client(
    port: int, targets: list[str], start: int, stop_at: float, budget: list[int], tally: Tally
) -> None:
    i = start
    conn = None
    while time.perf_counter() < stop_at and budget[0] > 0:
        budget[0] -= 1
        target = targets[i % len(targets)]
        i += 1
        t0 = time.perf_counter()
        try:
            if conn is None:
                conn = await asyncio.open_connection("127.0.0.1", port)
            status, body, close = await asyncio.wait_for(fetch(*conn, port, target), 30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            tally.error(type(exc).__name__)
            conn = None
            continue
        tally.latencies.append((time.perf_counter() - t0) * 1000)
        problem = valid(status, body)
        if problem:
            tally.error(problem)
        if close:
            conn[1].close()
            conn = None
    if conn is not None:
        conn[1].close()


async def drive(port: int, targets: list[str], clients: int, seconds: float, max_requests: int) -> Tally:
    tally = Tally()
    stop_at = time.perf_counter() + seconds
    budget = [max_requests]
    step = max(1, len(targets) // clients)
    await asyncio.gather(*(client(port, targets, k * step, stop_at, budget, tally) for k in range(clients)))
    return tally


def level(
    server: Server,
    targets: list[str],
    clients: int,
    args: argparse.Namespace,
    idx: object,
    queries: list[dict],
) -> dict:
    # The machine is shared: the baseline is measured again right before each level, so
    # each ratio compares two measurements taken under about the same other load.
    base = baseline(idx, queries)
    cpu0, own0, t0 = server.cpu_seconds(), time.process_time(), time.perf_counter()
    tally = asyncio.run(drive(server.port, targets, clients, args.seconds, args.max_requests))
    wall = time.perf_counter() - t0
    cpu, own = server.cpu_seconds() - cpu0, time.process_time() - own0
    n = len(tally.latencies)
    lat = dist(tally.latencies)
    rps = n / wall
    return {
        "clients": clients,
        "seconds": round(wall, 2),
        "requests": n,
        "errors": sum(tally.errors.values()),
        "error_kinds": tally.errors,
        "requests_per_s": round(rps, 1),
        "latency_ms": lat,
        "rps_vs_baseline": round(rps / base["queries_per_s_one_thread"], 2),
        "p50_vs_baseline_p50": round(lat["p50"] / base["latency_ms"]["p50"], 2),
        "p99_vs_baseline_p99": round(lat["p99"] / base["latency_ms"]["p99"], 2),
        "server_cpu_ms_per_request": round(cpu * 1000 / max(n, 1), 2),
        "server_cpu_vs_baseline_cpu": round(cpu * 1000 / max(n, 1) / base["cpu_ms_per_query"], 2),
        "baseline_adjacent": base,
        "server_cores_busy": round(cpu / wall, 2),
        "client_cpu_share": round(own / wall, 2),
    }


# -- a commit while readers search -----------------------------------------------------------------


def add_posts(posts: Path, sources: list[Path], n: int) -> None:
    extra = posts / "load-extra"
    extra.mkdir(parents=True, exist_ok=True)
    for k, src in enumerate(sources[:n]):
        text = src.read_text(encoding="utf-8") + f"\n\n{MARKER}の記録 その{k}。夜の灯台を見回った。\n"
        (extra / f"load-{k:04d}.md").write_text(text, encoding="utf-8")


async def commit_phase(
    server: Server,
    targets: list[str],
    posts: Path,
    index: Path,
    sources: list[Path],
    args: argparse.Namespace,
) -> dict:
    tally = Tally()
    seen: dict[str, float | None] = {"first": None, "all": None}
    totals: list[int] = []
    loop = asyncio.get_running_loop()
    marker_target = "/api/search?" + urllib.parse.urlencode({"q": MARKER, "limit": "1", "facets": "0"})

    async def watch(stop: asyncio.Event, started: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        while not stop.is_set():
            try:
                status, body, _close = await fetch(reader, writer, server.port, marker_target)
                total = json.loads(body)["total"] if status == 200 else -1
            except (OSError, ValueError, asyncio.IncompleteReadError):
                tally.error("watcher")
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
                continue
            totals.append(total)
            now = time.perf_counter() - started
            if total > 0 and seen["first"] is None:
                seen["first"] = now
            if total == args.new_posts and seen["all"] is None:
                seen["all"] = now
                break
            await asyncio.sleep(0.05)
        writer.close()

    before = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{server.port}{marker_target}").read())[
        "total"
    ]
    add_posts(posts, sources, args.new_posts)
    stop = asyncio.Event()
    started = time.perf_counter()
    budget = [args.max_requests]
    stop_at = started + 300  # the load ends 2 s after the index run, well before this
    load = [
        asyncio.create_task(client(server.port, targets, k * 37, stop_at, budget, tally)) for k in range(8)
    ]
    watcher = asyncio.create_task(watch(stop, started))
    index_seconds = await loop.run_in_executor(None, run_index, posts, index)
    await asyncio.sleep(2)  # searches go on after the commit, too
    budget[0] = 0
    stop.set()
    await asyncio.gather(*load)
    await asyncio.wait_for(watcher, 10)
    wall = time.perf_counter() - started
    return {
        "clients": 8,
        "new_posts": args.new_posts,
        "marker_hits_before": before,
        "marker_hits_after": totals[-1] if totals else None,
        "index_run_seconds": round(index_seconds, 2),
        "first_new_post_searchable_s": round(seen["first"], 2) if seen["first"] is not None else None,
        "all_new_posts_searchable_s": round(seen["all"], 2) if seen["all"] is not None else None,
        "requests": len(tally.latencies),
        "errors": sum(tally.errors.values()),
        "error_kinds": tally.errors,
        "requests_per_s": round(len(tally.latencies) / wall, 1),
        "latency_ms": dist(tally.latencies),
        "restarted": server.proc.poll() is not None,
    }


# -- the run ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument("--corpus-root", type=Path, default=Path("/tmp/bench-corpus"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-load-work"))
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--queries", type=int, default=200, help="each level cycles through them")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--workers", default="1,2", help="server worker processes to measure, e.g. 1,2")
    parser.add_argument("--seconds", type=float, default=15.0, help="per concurrency level")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per concurrency level")
    parser.add_argument("--new-posts", type=int, default=100)
    parser.add_argument("--budget", type=float, default=540.0, help="seconds; later phases are skipped")
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    log = lambda msg: print(f"[load] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    over = lambda: time.perf_counter() - t_start > args.budget  # noqa: E731

    n = corpus.parse_size(args.size)
    log("corpus …")
    manifest = corpus.ensure(n, args.corpus_root / args.size, args.seed)
    work = args.work / args.size
    work.mkdir(parents=True, exist_ok=True)
    posts_dir = linked_archive(args.corpus_root / args.size, work / "posts")
    posts = post_files(posts_dir)
    index = work / "index"
    log("index (search index; incremental when kept from an earlier run) …")
    index_seconds = run_index(posts_dir, index)
    log(f"  {index_seconds:.1f} s")
    log("queries …")
    queries = [
        q for q in make_queries(posts, manifest["tags"], args.queries, args.seed) if len(q["text"]) <= 200
    ]
    targets = [request_target(q) for q in queries]
    log("baseline: the library in this process …")
    from search import Index

    idx = Index.open(index)
    base = baseline(idx, queries)
    log(f"  p50 {base['latency_ms']['p50']} ms, {base['queries_per_s_one_thread']} queries/s")

    results: dict = {
        "started": datetime.now(JST).isoformat(timespec="seconds"),
        "machine": machine(),
        "posts": len(posts),
        "queries": {"count": len(queries), "examples": [q["text"] for q in queries[:6]]},
        "request": "GET /api/search with q, tag/since/until/sort as generated, limit=10, facets and snippets on",
        "baseline_library_in_process": base,
        "servers": [],
        "index_seconds_at_start": round(index_seconds, 1),
    }

    def save() -> None:
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")

    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    for workers in worker_counts:
        if over():
            log(f"budget spent; skipping workers={workers}")
            break
        server = Server(index, workers, free_port(), work / f"serve-{workers}.log")
        try:
            asyncio.run(drive(server.port, targets, 4, 3.0, 200))  # warm-up
            entry: dict = {"workers": workers, "levels": []}
            for clients in [int(c) for c in args.clients.split(",")]:
                if over():
                    break
                log(f"workers={workers} clients={clients} …")
                row = level(server, targets, clients, args, idx, queries)
                entry["levels"].append(row)
                log(
                    f"  {row['requests_per_s']} req/s ({row['rps_vs_baseline']}× baseline), p50 "
                    f"{row['latency_ms']['p50']} ms, p99 {row['latency_ms']['p99']} ms, errors {row['errors']}"
                )
            results["servers"].append(entry)
            save()
            if workers == worker_counts[-1] and not over():
                log(f"commit under load: search index adds {args.new_posts} posts …")
                sources = posts[: args.new_posts]
                results["commit_during_load"] = {"workers": workers} | asyncio.run(
                    commit_phase(server, targets, posts_dir, index, sources, args)
                )
                log(f"  {json.dumps(results['commit_during_load'], ensure_ascii=False)}")
        finally:
            server.stop()
    results["total_seconds"] = round(time.perf_counter() - t_start, 1)
    save()
    print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
