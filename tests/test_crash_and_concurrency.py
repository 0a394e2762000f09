"""Cron-safe indexing: a run killed at any point, two runs at once, searches during a run,
an index that cannot be written, and an index built by another analyzer version.

Everything runs for real: indexing happens in subprocesses (``python -c`` calling
:func:`indexer.index_posts`, or the installed ``search`` script) on a generated archive
of Japanese posts, killed with SIGKILL at points chosen by watching the index's commits.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import tantivy
from conftest import tree_hashes, unprivileged

from indexer import index_posts
from indexer.lock import IndexLock
from search import AnalyzerMismatchError, Index
from search.analysis import Analyzer
from search.errors import IndexFormatError
from search.store import META_FILE

N_POSTS = 330
BATCH = 50  # commit size of the killed runs, so there are several commits to kill between
SCRIPT = Path(sys.executable).parent / "search"
needs_script = pytest.mark.skipif(
    not SCRIPT.exists(), reason="console script not installed beside this Python"
)

_WORDS = (
    "京都 大阪 東京 北海道 沖縄 寺 神社 抹茶 和菓子 紅葉 桜 写真 電車 新幹線 旅館 温泉 料理 ラーメン "
    "寿司 天ぷら 蕎麦 うどん 珈琲 紅茶 パン 半導体 人工知能 投資 経済 技術 開発 設計 試験 検索 索引 "
    "辞書 文章 週末 散歩 公園 美術館 博物館 図書館 映画 音楽"
)
_PARTICLES = "は が を に で と の も へ から まで"
WORDS, PARTICLES = _WORDS.split(), _PARTICLES.split()
ENDINGS = ("した。", "です。", "ました。", "だった。")

# Runs indexer.index_posts in a fresh process, with a small commit batch, and prints the report.
DRIVER = """
import json, sys
import indexer.run as run
run.COMMIT_EVERY = int(sys.argv[3])
r = run.index_posts([sys.argv[1]], sys.argv[2], rebuild=sys.argv[4] == "rebuild", workers=2)
print(json.dumps({"added": r.added, "unchanged": r.unchanged, "posts": r.posts, "rebuilt": r.rebuilt}))
"""


def write_archive(folder: Path, count: int, start: int = 0, extra: str = "") -> Path:
    """``count`` posts of generated Japanese (~1,300 characters each), deterministic."""
    rng = random.Random(start)
    for i in range(start, start + count):
        paragraphs = [
            "".join(
                "".join(rng.choice(WORDS) + rng.choice(PARTICLES) for _ in range(rng.randint(4, 9)))
                + rng.choice(ENDINGS)
                for _ in range(8)
            )
            for _ in range(6)
        ]
        path = folder / f"p{i // 100}" / f"post-{i:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(paragraphs)
        path.write_text(
            f"---\ntitle: 記事{i}番\ntags: [{rng.choice(WORDS)}]\ndate: 2020-01-01\n---\n{extra}{body}\n",
            encoding="utf-8",
        )
    return folder


def start_driver(
    posts: Path, index: Path, cwd: Path, batch: int = BATCH, rebuild: bool = False
) -> subprocess.Popen[str]:
    """The run in its own session, so that its worker processes can be watched (and reaped)."""
    args = [sys.executable, "-c", DRIVER, str(posts), str(index), str(batch), "rebuild" if rebuild else "-"]
    with open(cwd / "driver.err", "ab") as err:
        return subprocess.Popen(
            args, cwd=cwd, stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True
        )


def kill_when(proc: subprocess.Popen[str], ready: Callable[[], bool], timeout: float = 120) -> bool:
    """SIGKILL ``proc`` (the indexing process only, as the OOM killer would) once ``ready()``.

    Returns False if the run finished first. Its worker processes must then exit by
    themselves; anything left in the session after 20 s fails the test (and is killed)."""
    deadline = time.monotonic() + timeout
    killed = False
    while time.monotonic() < deadline:
        if ready():
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
            break
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the kill point was never reached")
    proc.wait(timeout=30)
    if proc.stdout:
        proc.stdout.close()
    deadline = time.monotonic() + 20
    while _session_alive(proc.pid):
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("worker processes outlived the killed indexing run")
        time.sleep(0.05)
    return killed


def _session_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def committed_docs(index: Path) -> int:
    """Posts in the last commit of the index's current generation (-1: no index yet)."""
    try:
        meta = json.loads((index / META_FILE).read_text(encoding="utf-8"))
        return tantivy.Index.open(str(index / meta["generation"])).searcher().num_docs
    except (OSError, ValueError):
        return -1


def docs_in_other_generation(index: Path, current: str) -> int:
    """Posts committed so far in a generation that a rebuild is writing beside ``current``."""
    for gen in index.glob("gen-*"):
        if gen.name != current:
            try:
                return tantivy.Index.open(str(gen)).searcher().num_docs
            except ValueError:
                return -1
    return -1


def assert_consistent(index: Path, expected: int | None = None) -> int:
    """The index opens, answers queries, and holds each post once; returns its post count."""
    idx = Index.open(index)
    everything = idx.search("", sort="date", limit=10_000, snippets=False)
    found = [hit.path for hit in everything.hits]
    assert len(found) == len(set(found)) == everything.total, "a post is in the index twice"
    result = idx.search("京都 抹茶")
    assert result.total <= everything.total
    assert (result.total > 0) == (everything.total > 0) and not result.partial
    if expected is not None:
        assert everything.total == expected
    return everything.total


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """N_POSTS generated posts and a complete index of them, built once for the module."""
    base = tmp_path_factory.mktemp("archive")
    posts = write_archive(base / "posts", N_POSTS)
    report = index_posts([posts], base / "index", workers=2)
    assert report.posts == N_POSTS
    return posts, base / "index"


def copy_index(archive: tuple[Path, Path], dest: Path) -> Path:
    shutil.copytree(archive[1], dest)
    return dest


# -- (a) SIGKILL ---------------------------------------------------------------------------


def test_first_build_killed_at_several_points_then_finished(
    archive: tuple[Path, Path], tmp_path: Path
) -> None:
    posts, _ = archive
    before = tree_hashes(posts)
    index = tmp_path / "index"
    seen: list[int] = []
    # Kill points: as soon as the run has published its empty index, after its first
    # commit, half way, and at the final commit (which may be too late to catch).
    for ready in (
        lambda: (index / META_FILE).exists(),
        lambda: committed_docs(index) >= BATCH,
        lambda: committed_docs(index) >= N_POSTS // 2,
        lambda: committed_docs(index) >= N_POSTS,
    ):
        kill_when(start_driver(posts, index, tmp_path), ready)
        count = assert_consistent(index)
        assert count % BATCH == 0 or count == N_POSTS, f"{count} posts: not a commit boundary"
        assert count >= (seen[-1] if seen else 0), "a later run lost committed posts"
        seen.append(count)
    assert seen[1] >= BATCH and seen[2] >= N_POSTS // 2

    proc = start_driver(posts, index, tmp_path)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, (tmp_path / "driver.err").read_text()
    report = json.loads(out)
    assert report["posts"] == N_POSTS
    assert report["added"] == N_POSTS - seen[-1] and report["unchanged"] == seen[-1]
    assert_consistent(index, N_POSTS)
    assert len(list(index.glob("gen-*"))) == 1
    assert tree_hashes(posts) == before


def test_killed_rebuild_leaves_the_old_index_in_place(archive: tuple[Path, Path], tmp_path: Path) -> None:
    posts, _ = archive
    index = copy_index(archive, tmp_path / "index")
    generation = json.loads((index / META_FILE).read_text())["generation"]
    proc = start_driver(posts, index, tmp_path, rebuild=True)
    assert kill_when(proc, lambda: docs_in_other_generation(index, generation) >= BATCH)
    # Readers still get the complete old generation, not half of the new one.
    assert json.loads((index / META_FILE).read_text())["generation"] == generation
    assert_consistent(index, N_POSTS)
    # The next ordinary run keeps the old generation (nothing changed) and clears the debris.
    report = index_posts([posts], index, workers=1)
    assert (report.added, report.unchanged, report.posts) == (0, N_POSTS, N_POSTS)
    assert [p.name for p in index.glob("gen-*")] == [generation]


# -- (b) two runs at once ------------------------------------------------------------------


@needs_script
def test_second_run_gives_up_after_wait_with_one_line(archive: tuple[Path, Path], tmp_path: Path) -> None:
    posts, _ = archive
    index = copy_index(archive, tmp_path / "index")
    with IndexLock(index, 0):  # the real lock, as a run in another process holds it
        started = time.monotonic()
        proc = subprocess.run(
            [str(SCRIPT), "index", str(posts), "--index", str(index), "--wait", "0.5"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
        waited = time.monotonic() - started
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"error: another indexing run is using {index} (waited 0.5s); try again later or raise --wait"
    ]
    assert 0.5 <= waited < 30
    assert_consistent(index, N_POSTS)


@needs_script
def test_two_index_commands_at_once(archive: tuple[Path, Path], tmp_path: Path) -> None:
    posts, _ = archive
    index = tmp_path / "index"

    def run(*extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(SCRIPT), "index", str(posts), "--index", str(index), "--workers", "2", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )

    def lock_holder() -> str:
        try:
            return (index / ".lock").read_text().strip()
        except FileNotFoundError:
            return ""

    first = run()
    deadline = time.monotonic() + 60
    while lock_holder() != str(first.pid):  # the lock file names the run holding it
        assert first.poll() is None and time.monotonic() < deadline, "the first run never took the lock"
        time.sleep(0.01)
    waiting = run("--wait", "120")
    impatient = run("--wait", "0")
    outputs = {
        name: (proc, *proc.communicate(timeout=180))
        for name, proc in [("first", first), ("waiting", waiting), ("impatient", impatient)]
    }

    for name, (_proc, _out, err) in outputs.items():
        assert "Traceback" not in err, name
    proc, out, err = outputs["first"]
    assert proc.returncode == 0 and f"added {N_POSTS}," in out and err == ""
    proc, out, err = outputs["waiting"]
    assert proc.returncode == 0 and "added 0," in out and f"unchanged {N_POSTS}," in out, err
    proc, out, err = outputs["impatient"]
    if proc.returncode == 3:
        assert out == "" and err.splitlines() == [
            f"error: another indexing run is using {index} (waited 0s); try again later or raise --wait"
        ]
    else:  # the first run had already finished: then it simply has nothing to do
        assert proc.returncode == 0 and "added 0," in out, err
    assert_consistent(index, N_POSTS)


# -- (c) searching during a run ------------------------------------------------------------


def test_searches_during_indexing_see_each_commit_and_never_fail(
    archive: tuple[Path, Path], tmp_path: Path
) -> None:
    posts = tmp_path / "posts"
    shutil.copytree(archive[0], posts)  # keeps mtimes: the copied index sees nothing changed
    index = copy_index(archive, tmp_path / "index")
    new = 100
    write_archive(posts, new, start=N_POSTS, extra="新着記念号の記事です。\n\n")
    idx = Index.open(index)
    assert idx.search('"新着記念号"').total == 0

    errors: list[BaseException] = []
    totals: dict[str, list[tuple[float, int]]] = {"new": [], "all": []}  # (when it started, total)
    stop = threading.Event()

    def searching(kind: str) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                if kind == "new":
                    total = idx.search('"新着記念号"', limit=3).total
                else:
                    total = idx.search("", sort="date", limit=1, snippets=False).total
                    idx.tags()
            except BaseException as exc:
                errors.append(exc)
                return
            totals[kind].append((started, total))

    threads = [threading.Thread(target=searching, args=(kind,)) for kind in ("new", "all")]
    for t in threads:
        t.start()
    try:
        proc = start_driver(posts, index, tmp_path, batch=25)
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, (tmp_path / "driver.err").read_text()
        assert json.loads(out)["added"] == new
        updated_at = time.monotonic()
        # A rebuild switches generations under the open Index: counts must never dip.
        proc = start_driver(posts, index, tmp_path, rebuild=True)
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, (tmp_path / "driver.err").read_text()
        assert json.loads(out)["rebuilt"] == "--rebuild"
        time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert errors == []
    during_update = [n for when, n in totals["new"] if when < updated_at]
    after_update = [n for when, n in totals["new"] if when > updated_at]
    assert len(during_update) > 10 and len(after_update) > 10, "the searches did not overlap the runs"
    assert during_update == sorted(during_update), "a search saw posts disappear"
    assert {n % 25 for n in during_update} == {0}, "a search saw a half-written commit"
    assert set(after_update) == {new}, "the rebuild showed a partial or mixed index"
    everything = [n for _, n in totals["all"]]
    assert set(everything) <= {N_POSTS + k for k in range(0, new + 1, 25)}
    assert everything[-1] == N_POSTS + new
    assert idx.search('"新着記念号"').total == new


# -- (d) an index that cannot be written ---------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path]:
    """Three posts, indexed; then a fourth post that the next run should add."""
    posts = write_archive(tmp_path / "posts", 3)
    index = tmp_path / "index"
    index_posts([posts], index, workers=1)
    write_archive(posts, 1, start=3, extra="追加分の記事です。\n\n")
    return posts, index


def _index_cmd(
    posts: Path, index: Path, prefix: Sequence[str] = (), **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """``search index --quiet``, as cron runs it."""
    return subprocess.run(
        [*prefix, str(SCRIPT), "index", "--quiet", str(posts), "--index", str(index), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=index.parent,
        **kwargs,  # type: ignore[call-overload]
    )


@needs_script
@pytest.mark.parametrize("read_only", ["index folder", "generation folder"])
def test_read_only_index_is_a_clear_error_and_stays_intact(small: tuple[Path, Path], read_only: str) -> None:
    posts, index = small
    prefix = unprivileged()
    target = index if read_only == "index folder" else next(index.glob("gen-*"))
    before = _without_lock(tree_hashes(index))
    target.chmod(0o555)
    try:
        proc = _index_cmd(posts, index, prefix)
    finally:
        target.chmod(0o755)
    assert proc.returncode == 4 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    if read_only == "index folder":
        assert line == f"error: cannot write to index folder {index} (read-only)"
    else:
        assert line.startswith("error: writing the index failed (") and "Permission denied" in line
        assert line.endswith("; the last commit is intact")
    assert _without_lock(tree_hashes(index)) == before, "the failed run changed the index"
    assert_consistent(index, 3)
    assert _index_cmd(posts, index).returncode == 0
    assert_consistent(index, 4)


def _without_lock(hashes: dict[str, str]) -> dict[str, str]:
    return {path: digest for path, digest in hashes.items() if path != ".lock"}


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:  # in the child, before exec: writes beyond `limit` bytes fail (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@needs_script
def test_disk_full_is_a_clear_error_and_the_last_commit_survives(small: tuple[Path, Path]) -> None:
    posts, index = small
    (posts / "long.md").write_text("# 長い記事\n" + "満杯になる記事の本文です。\n" * 20_000, encoding="utf-8")
    proc = _index_cmd(posts, index, preexec_fn=_file_size_limit(64_000))
    assert proc.returncode == 4 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("error: writing the index failed (") and "File too large" in line
    assert_consistent(index, 3)
    assert Index.open(index).search('"満杯になる記事"').total == 0
    assert _index_cmd(posts, index).returncode == 0
    assert_consistent(index, 5)
    assert Index.open(index).search('"満杯になる記事"').total == 1


# -- (e) another analyzer or schema version ------------------------------------------------


@needs_script
@pytest.mark.parametrize(
    ("key", "old", "message"),
    [
        ("analyzer", {"analyzer_version": 0}, "analyzer changed (analyzer_version 0 → {analyzer_version})"),
        (
            "analyzer",
            {"dictionary": "core 20200101"},
            "analyzer changed (dictionary 'core 20200101' → '{dictionary}')",
        ),
        ("schema_version", 0, "index format 1/schema 0, this program uses 1/{schema}"),
    ],
)
def test_version_change_is_reported_and_rebuilt_never_mixed(
    small: tuple[Path, Path], key: str, old: object, message: str
) -> None:
    posts, index = small
    meta_path = index / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    old_generation = meta["generation"]
    if key == "analyzer":
        meta["analyzer"].update(old)  # type: ignore[arg-type]
    else:
        meta[key] = old
    meta_path.write_text(json.dumps(meta), encoding="utf-8")

    with pytest.raises(AnalyzerMismatchError, match="rebuild it with `search index --rebuild POSTS_DIR`"):
        Index.open(index)
    proc = _index_cmd(posts, index)
    assert proc.returncode == 0 and proc.stdout == ""
    current = Analyzer.fingerprint()
    expected = message.format(**current, schema=json.loads(meta_path.read_text())["schema_version"])
    assert proc.stderr.splitlines() == [f"rebuilt the index: {expected}; rebuilding"]
    rebuilt = json.loads(meta_path.read_text(encoding="utf-8"))
    assert rebuilt["analyzer"] == current and rebuilt["generation"] != old_generation
    assert [p.name for p in index.glob("gen-*")] == [rebuilt["generation"]], "old terms are gone"
    assert_consistent(index, 4)
    assert Index.open(index).search('"追加分の記事"').total == 1


@pytest.mark.parametrize("damage", ["not JSON", "generation deleted"])
def test_damaged_index_description_is_reported_and_rebuilt(small: tuple[Path, Path], damage: str) -> None:
    posts, index = small
    meta_path = index / META_FILE
    if damage == "not JSON":
        meta_path.write_text("{ not json", encoding="utf-8")
        reason = f"cannot read {meta_path}: "
    else:
        generation = json.loads(meta_path.read_text(encoding="utf-8"))["generation"]
        shutil.rmtree(index / generation)
        reason = f"{meta_path} points at missing {generation}/"
    with pytest.raises(IndexFormatError):
        Index.open(index)
    report = index_posts([posts], index, workers=1)
    assert report.rebuilt is not None, "a quiet run would rebuild everything without a word"
    assert report.rebuilt.startswith(reason) and report.rebuilt.endswith("; rebuilding")
    assert report.added == 4 and report.posts == 4
    assert len(list(index.glob("gen-*"))) == 1
    assert_consistent(index, 4)
