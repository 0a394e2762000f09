"""Ctrl-C and SIGTERM end ``search index`` within seconds, whenever they come.

Each run is the real command in a subprocess of its own session, parallel (``--workers 2``),
over real posts of blog-github-pages-env (a generated archive when ../shared/data is absent),
sent SIGINT or SIGTERM at a random (seeded) moment: to the indexing process alone (``kill``),
to its whole process group as a terminal's Ctrl-C does (workers included), to both as
``timeout -s INT`` does (the indexing process gets it twice), or twice in a row as an
impatient user does. Every run must exit within SIGNAL_BOUND seconds with the documented
status (130 SIGINT, 143 SIGTERM), leave no process behind, release the lock (the next run
waits 0 s for it), and leave an index that opens and searches; the last run completes it.

Runs share one index: first-build runs resume from the last commit, and once the index is
complete the next runs are ``--rebuild`` runs, whose interruption must leave the complete
index in place with no half-made generation beside it.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SHARED_DATA

from search import Index
from search.store import META_FILE

RUNS = 20
SEED = 20240917
SIGNAL_BOUND = 10.0  # seconds from the (first) signal to the exit of every process of the run
N_POSTS = 240  # enough for worker processes (PARALLEL_MIN_JOBS) and a few seconds of work
REAL = SHARED_DATA / "blog-github-pages-env" / "content"
SCRIPT = Path(sys.executable).parent / "search"
STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}
HOW = ("process", "group", "timeout", "twice")

_WORDS = [
    "京都",
    "抹茶",
    "紅葉",
    "写真",
    "電車",
    "温泉",
    "料理",
    "半導体",
    "投資",
    "図書館",
    "公園",
    "珈琲",
    "検索",
    "索引",
    "辞書",
    "散歩",
    "映画",
    "音楽",
    "設計",
    "試験",
    "開発",
    "週末",
    "旅行",
    "地図",
    "天気",
    "新聞",
    "小説",
    "自転車",
    "美術館",
    "博物館",
]
_PARTICLES = ["は", "が", "を", "に", "で", "と", "の", "も", "へ", "から"]


def _generated(folder: Path) -> None:
    """Sample-like posts (~6,000 characters each) when the real archive is absent."""
    rng = random.Random(SEED)
    for i in range(N_POSTS):
        paragraphs = [
            "".join(
                "".join(rng.choice(_WORDS) + rng.choice(_PARTICLES) for _ in range(rng.randint(4, 8)))
                + "ました。"
                for _ in range(10)
            )
            for _ in range(12)
        ]
        body = "\n\n".join(f"## 見出し{n}\n\n{p}" for n, p in enumerate(paragraphs))
        path = folder / f"section{i % 4}" / f"post-{i:03d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f'+++\ntitle = "記事{i}"\ndate = "2020-01-01"\n+++\n共通の話題。\n\n{body}\n', "utf-8"
        )


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("interrupt") / "content"
    if REAL.is_dir():
        files = sorted(REAL.rglob("*.md"))
        for src in files[:: len(files) // N_POSTS][:N_POSTS]:  # every section, small and large posts
            dst = folder / src.relative_to(REAL)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    else:
        _generated(folder)
    assert len(list(folder.rglob("*.md"))) == N_POSTS
    return folder


def _command(posts: Path, index: Path, *extra: str) -> list[str]:
    entry = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli.main"]
    return [*entry, "index", "--workers", "2", "--wait", "0", "--index", str(index), *extra, str(posts)]


def _session_alive(sid: int) -> bool:
    """A process of the run's session is still running (zombies do not count: in a container
    the orphaned resource tracker may wait a while for PID 1 to reap it)."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        try:
            os.killpg(sid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":  # fields: state, ppid, pgrp, session
                return True
    return False


def _send(proc: subprocess.Popen[str], sig: int, how: str, rng: random.Random) -> None:
    if how in ("process", "timeout", "twice"):
        proc.send_signal(sig)
    if how in ("group", "timeout"):
        os.killpg(proc.pid, sig)
    if how == "twice":
        time.sleep(rng.uniform(0.01, 0.4))
        if proc.poll() is None:
            proc.send_signal(sig)


def _generations(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.name.startswith("gen-"))


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=180)


def test_signals_at_random_moments_end_the_run_quickly_and_cleanly(archive: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    fresh = tmp_path / "fresh"  # first-build runs, each resuming from the last commit
    built = tmp_path / "built"  # a complete index that interrupted --rebuild runs must keep
    started = time.monotonic()
    first = _run(_command(archive, built), tmp_path)
    full_run = time.monotonic() - started
    assert first.returncode == 0 and f"{N_POSTS} posts in index" in first.stdout, first.stderr
    # Signals land within the time a whole run takes on this machine, so that most of them
    # find it working however fast or loaded the machine is.
    latest = 0.3 + 0.8 * max(full_run - 0.3, 0.3)
    interrupted = 0
    for run in range(RUNS):
        sig = signal.SIGTERM if rng.random() < 0.3 else signal.SIGINT
        how = HOW[run % len(HOW)]
        moment = rng.uniform(0.3, latest)  # from 0.3 s: the first ~0.1 s is Python starting up
        rebuild = run % 2 == 1
        index = built if rebuild else fresh
        proc = subprocess.Popen(
            _command(archive, index, *(["--rebuild"] if rebuild else [])),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # like a terminal's foreground job: its own process group
        )
        label = f"run {run}: {signal.Signals(sig).name} to {how} at {moment:.2f}s, rebuild={rebuild}"
        try:
            time.sleep(moment)
            sent = proc.poll() is None
            if sent:
                _send(proc, sig, how, rng)
            deadline = time.monotonic() + SIGNAL_BOUND
            try:
                out, err = proc.communicate(timeout=SIGNAL_BOUND)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{label}: still running {SIGNAL_BOUND:g}s after the signal")
            while _session_alive(proc.pid):
                assert time.monotonic() < deadline, f"{label}: a worker process outlived the run"
                time.sleep(0.05)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        finished = "posts in index" in out  # the run completed before the signal took effect
        assert "Traceback" not in err, f"{label}\n{err}"
        if finished:
            # A signal in the last milliseconds, once the work is done and reported, may still
            # end the process by its default action (or click's "Aborted!" for Ctrl-C).
            assert proc.returncode in (0, 1, -sig, STATUS[sig]), f"{label}: status {proc.returncode}\n{err}"
        else:
            assert sent and proc.returncode == STATUS[sig], f"{label}: status {proc.returncode}\n{err}"
            assert err.splitlines()[-1].startswith("error: interrupted"), f"{label}\n{err}"
            interrupted += 1
        if not (index / META_FILE).exists():  # stopped before the first build's first commit
            assert not rebuild and _generations(index) == [], label
            continue
        idx = Index.open(index)  # at its last commit: opens and searches
        posts = idx.stats().posts
        assert idx.search("", sort="date", limit=1_000, snippets=False).total == posts
        assert len(_generations(index)) == 1, f"{label}: half-made generation left: {_generations(index)}"
        if rebuild:
            assert posts == N_POSTS, f"{label}: an interrupted rebuild must keep the old index"
        elif finished:
            shutil.rmtree(fresh)  # start over, so that later first-build runs have work to interrupt
    assert interrupted >= RUNS // 2, (
        f"most signals should land while the run is working: {interrupted} of {RUNS}"
    )
    print(f"{interrupted} of {RUNS} runs interrupted (a whole run: {full_run:.1f} s)")

    final = _run(_command(archive, fresh), tmp_path)  # the next run completes the work
    assert final.returncode == 0, final.stderr
    assert f"{N_POSTS} posts in index" in final.stdout
    assert Index.open(fresh).stats().posts == N_POSTS
    again = _run(_command(archive, fresh), tmp_path)
    assert again.returncode == 0 and f"unchanged {N_POSTS}," in again.stdout, again.stderr
