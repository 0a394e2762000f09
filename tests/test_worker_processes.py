"""Worker processes of a parallel indexing run: one dying must end the run with a clear
error (never a hang), and none may outlive a run that was killed.

Real triggers only: a worker killed with SIGKILL (as the OOM killer does), a script that
calls ``index_posts`` without an ``if __name__ == "__main__"`` guard (each spawned worker
re-runs it and dies), and the indexing process itself killed with SIGKILL.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer import index_posts
from indexer.run import PARALLEL_MIN_JOBS
from search import Index

N_POSTS = max(240, PARALLEL_MIN_JOBS * 2)  # enough for the parallel path and a few seconds of work
WORDS = ["京都", "抹茶", "紅葉", "写真", "電車", "温泉", "料理", "半導体", "投資", "図書館", "公園", "珈琲"]
PARTICLES = ["は", "が", "を", "に", "で", "と", "の"]
WORKER_DIED = (
    "error: a worker process died while analysing posts (killed, out of memory, or it could not "
    "start); nothing after the last commit was kept; run again, or with --workers 1"
)
# Prints the error line the CLI would print and exits with its status.
DRIVER = """
import sys
from indexer import index_posts
from search.errors import SearchError
try:
    report = index_posts([sys.argv[1]], sys.argv[2], workers=2, wait=0)
except SearchError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(exc.exit_code)
print(report.posts)
"""


def write_archive(folder: Path, count: int, start: int = 0) -> Path:
    rng = random.Random(start)
    for i in range(start, start + count):
        sentences = [
            "".join(rng.choice(WORDS) + rng.choice(PARTICLES) for _ in range(6)) + "行った。"
            for _ in range(40)
        ]
        path = folder / f"post-{i:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: 記事{i}番\n---\n共通の話題。{''.join(sentences)}\n", encoding="utf-8")
    return folder


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, Path]:
    """An index of 10 posts, and N_POSTS new posts the next (parallel) run has to add."""
    posts = write_archive(tmp_path / "posts", 10)
    index = tmp_path / "index"
    assert index_posts([posts], index, workers=1).posts == 10
    write_archive(posts, N_POSTS, start=10)
    return posts, index


def children(pid: int) -> list[int]:
    """Worker processes (multiprocessing spawn children) whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (in a container, nobody may reap orphans)."""
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except OSError:
        return False


def session_alive(sid: int) -> bool:
    try:
        os.killpg(sid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for_workers(proc: subprocess.Popen[str], deadline: float) -> list[int]:
    while time.monotonic() < deadline:
        workers = children(proc.pid)
        if len(workers) == 2:
            return workers
        assert proc.poll() is None, "the run ended before its workers started"
        time.sleep(0.02)
    pytest.fail("no worker processes appeared")


def start(posts: Path, index: Path, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(posts), str(index)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own session: every process of the run can be found and reaped
    )


def reap(proc: subprocess.Popen[str]) -> None:
    if session_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def parallel_supported() -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("finding worker processes needs /proc")


def test_a_worker_killed_mid_run_ends_the_run_with_a_clear_error(
    parallel_supported: None, indexed: tuple[Path, Path], tmp_path: Path
) -> None:
    posts, index = indexed
    proc = start(posts, index, tmp_path)
    try:
        victim = wait_for_workers(proc, time.monotonic() + 60)[0]
        os.kill(victim, signal.SIGKILL)  # what the OOM killer does to the biggest process
        out, err = proc.communicate(timeout=60)  # multiprocessing.Pool would respawn and go on
    finally:
        reap(proc)
    # Killed as soon as it started, long before the run's last post: the run cannot succeed.
    assert proc.returncode == 4 and out == "", err[-2000:]
    assert err.splitlines()[-1] == WORKER_DIED
    assert "Traceback" not in err
    # The index is at its last commit (the 10 posts), and the next run does the work.
    assert Index.open(index).search("共通の話題").total == 10
    assert index_posts([posts], index, workers=2).posts == 10 + N_POSTS


def test_a_script_without_main_guard_fails_fast_instead_of_respawning_forever(
    indexed: tuple[Path, Path], tmp_path: Path
) -> None:
    """Spawned workers re-run an unguarded script's top level: each starts its own indexing
    run, finds the index locked and exits. multiprocessing.Pool replaced them forever."""
    posts, index = indexed
    script = tmp_path / "nightly.py"
    script.write_text(
        DRIVER.replace("sys.argv[1]", repr(str(posts))).replace("sys.argv[2]", repr(str(index)))
    )
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 4, proc.stderr[-2000:]
    assert proc.stderr.splitlines()[-1] == WORKER_DIED
    assert Index.open(index).search("共通の話題").total == 10


def test_workers_exit_when_the_indexing_process_is_killed(
    parallel_supported: None, indexed: tuple[Path, Path], tmp_path: Path
) -> None:
    posts, index = indexed
    proc = start(posts, index, tmp_path)
    try:
        workers = wait_for_workers(proc, time.monotonic() + 60)
        os.kill(proc.pid, signal.SIGKILL)  # the indexing process only, not its workers
        proc.communicate(timeout=30)
        deadline = time.monotonic() + 20
        while any(running(pid) for pid in workers):
            assert time.monotonic() < deadline, "worker processes outlived the killed run"
            time.sleep(0.05)
    finally:
        reap(proc)
    assert Index.open(index).search("共通の話題").total == 10
    assert index_posts([posts], index, workers=2).posts == 10 + N_POSTS
