"""An indexing run: find posts, analyse what changed (in worker processes), write, commit.

Safety rules, in order of importance:

* posts are only ever read;
* the index on disk is always a committed, queryable state: changes are committed in
  batches, a crash loses at most the batch in progress, and the next run redoes it
  (change detection compares file content hashes with what the index holds);
* a rebuild (``--rebuild``, or an index made by another analyzer version) writes a new
  generation and switches to it only when complete;
* one run at a time (:class:`indexer.lock.IndexLock`); readers are never blocked;
* SIGINT and SIGTERM stop a run within about a second, at any moment, with no worker
  process left behind (see :class:`_Interrupts`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from indexer.discover import SUFFIXES, discover
from indexer.lock import IndexLock
from indexer.posts import LoadedPost, PostOptions, load_post
from search.analysis import Analyzer
from search.dates import DEFAULT_TIMEZONE, get_timezone
from search.documents import AnalyzedPost, analyze_post, content_hash, path_id, to_document
from search.errors import IndexFormatError, IndexNotFoundError, IndexWriteError, SearchError
from search.index import default_index_path
from search.store import (
    REBUILD_HINT,
    IndexMeta,
    create_tantivy,
    new_generation,
    open_tantivy,
    read_meta,
    write_meta,
)

# Bytes read per file. Larger files are cut (and the cut is reported); a 10 MB Markdown
# post is almost certainly an export accident, not prose someone will search.
MAX_FILE_BYTES = 10 * 1024 * 1024
NO_POSTS_LOOKED_FOR = " and ".join(f"*{suffix}" for suffix in SUFFIXES) + " files"
COMMIT_EVERY = 2_000  # posts per commit: the most a crash can make the next run redo
COMMIT_SECONDS = 60.0
PARALLEL_MIN_JOBS = 48  # below this, starting worker processes costs more than it saves
CHUNK = 4  # posts per task sent to a worker
QUEUED_PER_WORKER = 32  # tasks in flight per worker: enough to keep workers busy through a
# commit (about a second at 2,000 posts), few enough to bound memory (~15 MB of results)
WRITER_HEAP = 256_000_000
STOP_SECONDS = 5.0  # the longest a stopped run waits for each step of its workers' end
POLL_SECONDS = 0.2  # how often the run looks for a signal while it waits for results

ProgressFn = Callable[[int, int], None]


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    renamed: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    drafts: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    rebuilt: str | None = None  # why the index was rebuilt from scratch, if it was
    posts: int = 0
    elapsed: float = 0.0
    index: str = ""

    def summary(self) -> str:
        parts = [
            f"added {self.added}",
            f"updated {self.updated}",
            f"deleted {self.deleted}",
            f"renamed {self.renamed}",
            f"unchanged {self.unchanged}",
            f"drafts {len(self.drafts)}",
            f"skipped {len(self.skipped)}",
            f"ignored {len(self.ignored)}",
        ]
        if self.ignored:  # README.md ignored is a surprise worth naming; --verbose lists them all
            names = [path for path, _ in self.ignored[:2]]
            parts[-1] += f" ({', '.join(names)}{', …' if len(self.ignored) > 2 else ''})"
        return f"{', '.join(parts)}; {self.posts} posts in index ({self.elapsed:.2f}s)"


@dataclass(frozen=True)
class _Job:
    path: str
    rel: str
    known_hash: int | None
    mtime_ns: int
    options: PostOptions
    section: str | None = None


@dataclass
class _Result:
    rel: str
    post: AnalyzedPost | None = None
    unchanged: bool = False
    skip: str | None = None
    draft: str | None = None
    read_error: str | None = None
    warnings: list[str] = field(default_factory=list)


def index_posts(
    sources: Iterable[str | os.PathLike[str]] = (),
    index_dir: str | os.PathLike[str] | None = None,
    *,
    rebuild: bool = False,
    include_drafts: bool = False,
    timezone: str | None = None,
    workers: int | None = None,
    wait: float = 30.0,
    progress: ProgressFn | None = None,
    include_root_docs: bool = False,
    exclude: Iterable[str] = (),
) -> IndexReport:
    """Create or update the index at ``index_dir`` from the Markdown posts under ``sources``.

    Without ``sources`` the folders of the previous run are used. Only new, changed and
    deleted posts are touched. Raises :class:`search.errors.SearchError` subclasses for
    problems that stop the run; problems with single posts are in the report instead.
    README/LICENSE-like files at the root of a posts folder are not posts unless
    ``include_root_docs``; ``exclude`` patterns leave out more (see :mod:`indexer.discover`).
    """
    started = time.monotonic()
    root = default_index_path(index_dir)
    report = IndexReport(index=str(root))
    _check_index_location(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexWriteError(f"cannot create index folder {root}: {exc.strerror}") from exc
    if not os.access(root, os.W_OK):
        raise IndexWriteError(f"cannot write to index folder {root} (read-only)")

    with IndexLock(root, wait):
        meta, why_new = _current_meta(root, rebuild)
        roots = _roots(sources, meta)
        tz_name = timezone or (meta.timezone if meta else DEFAULT_TIMEZONE)
        get_timezone(tz_name)
        if meta is not None and why_new is None and meta.timezone != tz_name:
            why_new = f"time zone changed from {meta.timezone} to {tz_name}"
        options = PostOptions(timezone=tz_name, include_drafts=include_drafts)
        source_list = [str(r) for r in roots]

        writer: _Writer | None = None
        try:
            if meta is None or why_new is not None:
                report.rebuilt = why_new  # None only for a first build
                with _writing(root):
                    generation = new_generation(root)
                    tindex = create_tantivy(root / generation)
                    new_meta = IndexMeta.fresh(generation, tz_name, source_list)
                    if meta is None:
                        # First build: publish the empty index now, so progress is committed and
                        # searchable as it goes and survives a crash.
                        write_meta(root, new_meta)
                state: dict[int, tuple[int, int, int]] = {}
            else:
                new_meta = meta
                new_meta.sources = source_list
                tindex = open_tantivy(root / meta.generation)
                state = _existing_state(tindex)

            found = discover(roots, include_root_docs=include_root_docs, exclude=exclude)
            if state and not found.files and not found.problems:
                # An unmounted share or a wrong folder looks exactly like "every post was
                # deleted"; a nightly run must not empty the index on that guess.
                folders = ", ".join(str(r) for r in roots)
                raise SearchError(
                    f"no posts found in {folders}, but the index has {len(state)}: not deleting them "
                    "(is the folder mounted?); to empty the index on purpose, use --rebuild"
                )
            report.ignored = found.ignored
            report.skipped.extend(found.problems)
            for folder in roots:
                if not any(f.path.is_relative_to(folder) for f in found.files):
                    report.warnings.append(
                        (str(folder), f"no posts found (looked for {NO_POSTS_LOOKED_FOR})")
                    )
            unreadable = {path_id(rel) for rel, _ in found.problems}
            jobs: list[_Job] = []
            present: set[int] = set()
            for f in found.files:
                pid = path_id(f.rel)
                present.add(pid)
                try:
                    st = f.path.stat()
                except OSError as exc:
                    report.skipped.append((f.rel, f"cannot read: {exc.strerror}"))
                    unreadable.add(pid)
                    continue
                known = state.get(pid)
                if known is not None and known[1] == st.st_mtime_ns and known[2] == st.st_size:
                    report.unchanged += 1
                    continue
                jobs.append(
                    _Job(str(f.path), f.rel, known[0] if known else None, st.st_mtime_ns, options, f.section)
                )

            writer = _Writer(tindex)
            added_hashes: dict[int, str] = {}
            with contextlib.closing(_run_jobs(jobs, workers)) as results:  # stops the workers on errors
                for done, result in enumerate(results, start=1):
                    pid = path_id(result.rel)
                    report.warnings.extend((result.rel, w) for w in result.warnings)
                    if result.read_error is not None:
                        report.skipped.append((result.rel, result.read_error))
                        unreadable.add(pid)  # keep what the index has; the file may come back
                    elif result.unchanged:
                        report.unchanged += 1
                    elif result.draft is not None:
                        report.drafts.append((result.rel, result.draft))
                        present.discard(pid)  # a post that became a draft leaves the index
                    elif result.skip is not None:
                        report.skipped.append((result.rel, result.skip))
                        present.discard(pid)
                    elif result.post is not None:
                        writer.replace(pid, result.post)
                        if pid in state:
                            report.updated += 1
                        else:
                            report.added += 1
                            added_hashes[result.post.record.content_hash] = result.rel
                    if progress:
                        progress(done, len(jobs))
            gone = [pid for pid in state if pid not in present and pid not in unreadable]
            for pid in _outside(tindex, gone, found.unlisted):
                chash = state[pid][0]
                writer.delete(pid)
                if chash in added_hashes:
                    report.renamed += 1
                    report.added -= 1
                    added_hashes.pop(chash)
                else:
                    report.deleted += 1
            writer.commit(final=True)
            with _writing(root):
                write_meta(root, new_meta)
        except BaseException:
            # Errors and interruptions alike (a second Ctrl-C must not leave this half done;
            # it takes milliseconds): drop the uncommitted changes and the unpublished
            # generation, if any; index.json still names the last commit.
            with _Interrupts():
                if writer is not None:
                    writer.abandon()
                _drop_unnamed_generations(root)
            raise
        with _Interrupts():
            _drop_unnamed_generations(root)  # the generation a rebuild replaced
        tindex.reload()
        report.posts = tindex.searcher().num_docs
    report.elapsed = time.monotonic() - started
    return report


@contextlib.contextmanager
def _writing(root: Path) -> Iterator[None]:
    """Creating a generation or publishing index.json: a full disk or a read-only folder
    becomes the one-line IndexWriteError (exit 4); the caller removes the half-made
    generation (on a full disk the space matters)."""
    try:
        yield
    except (OSError, ValueError) as exc:  # tantivy reports I/O errors as ValueError
        raise IndexWriteError(f"writing the index failed ({exc}); the last commit is intact") from exc


def _check_index_location(root: Path) -> None:
    """An index location that is (or lies inside) a file is a mistake to name in one line,
    not ``[Errno 20] Not a directory`` from somewhere inside the run."""
    _check_text(root, "index location")
    for place in (root, *root.parents):
        if place.exists():
            if not place.is_dir():
                raise SearchError(f"index location {root} is not a folder ({place} is a file)")
            return


def _current_meta(root: Path, rebuild: bool) -> tuple[IndexMeta | None, str | None]:
    """The index's description and, if it cannot be updated in place, why."""
    try:
        meta = read_meta(root)
    except IndexNotFoundError:
        return None, None
    except IndexFormatError as exc:
        # Unreadable or dangling index.json: start over, and say so (a quiet cron run
        # would otherwise rebuild every post without a word).
        return None, f"{str(exc).removesuffix('; ' + REBUILD_HINT)}; rebuilding"
    if rebuild:
        return meta, "--rebuild"
    mismatch = meta.mismatch()
    return meta, (f"{mismatch}; rebuilding" if mismatch else None)


def _roots(sources: Iterable[str | os.PathLike[str]], meta: IndexMeta | None) -> list[Path]:
    roots = [Path(s) for s in sources]
    if not roots:
        if meta is None or not meta.sources:
            raise SearchError(
                "no posts folder given (and no earlier run to take it from): search index POSTS_DIR"
            )
        roots = [Path(s) for s in meta.sources]
    for r in roots:
        if not r.is_dir():
            raise SearchError(f"posts folder {r} does not exist or is not a folder")
    resolved = [r.resolve() for r in roots]
    for r in resolved:
        _check_text(r, "posts folder")
    return resolved


def _check_text(path: Path, what: str) -> None:
    """The index stores its folders' names as text, and tantivy takes only UTF-8 paths: a
    folder named in another encoding (bytes Python holds as lone surrogates) is refused in
    one line before anything is written. Post file names in other encodings are skipped
    one by one instead (:mod:`indexer.discover`)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "replace")
        raise SearchError(f"{what} {shown} is not named in UTF-8; rename it or use another folder") from None


def _existing_state(tindex: tantivy.Index) -> dict[int, tuple[int, int, int]]:
    """pid → (content hash, mtime, size) of every indexed post, from fast fields only."""
    searcher = tindex.searcher()
    n = searcher.num_docs
    if n == 0:
        return {}
    addrs = [addr for _, addr in searcher.search(tantivy.Query.all_query(), n, count=False).hits]
    pids = searcher.fast_field_values("pid", addrs)
    hashes = searcher.fast_field_values("chash", addrs)
    mtimes = searcher.fast_field_values("mtime", addrs)
    sizes = searcher.fast_field_values("size", addrs)
    return {p: (h, m, s) for p, h, m, s in zip(pids, hashes, mtimes, sizes, strict=True)}


def _outside(tindex: tantivy.Index, pids: list[int], folders: list[str]) -> list[int]:
    """The posts of ``pids`` that are not under one of ``folders`` ("" is a whole root).

    A folder that could not be listed (permissions changed, a share not mounted yet) says
    nothing about the posts in it: like an unreadable file, they stay in the index until a
    run can see that they are gone, instead of vanishing for a night.
    """
    if not pids or not folders:
        return pids
    prefixes = tuple(f"{folder}/" if folder else "" for folder in folders)
    searcher = tindex.searcher()
    outside = []
    for pid in pids:
        hits = searcher.search(tantivy.Query.term_query(tindex.schema, "pid", pid), 1).hits
        path = searcher.doc(hits[0][1]).get_first("path") if hits else None
        if path is None or not path.startswith(prefixes):
            outside.append(pid)
    return outside


def _drop_unnamed_generations(root: Path) -> None:
    """Remove the generations index.json does not name: one a rebuild replaced, or one an
    interrupted run left half made. Without a readable index.json nothing is removed,
    except when there is none at all (a first build stopped before its first commit)."""
    try:
        named: str | None = read_meta(root).generation
    except IndexNotFoundError:
        named = None
    except IndexFormatError:
        return
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("gen-") and child.name != named:
            shutil.rmtree(child, ignore_errors=True)


class _Writer:
    """Batched, explicit commits (``with index.writer()`` would commit on errors too)."""

    def __init__(self, tindex: tantivy.Index) -> None:
        try:
            self._w = tindex.writer(WRITER_HEAP, 1)
        except ValueError as exc:
            raise IndexWriteError(f"cannot open the index for writing: {exc}") from exc
        self._pending = 0
        self._last = time.monotonic()

    def replace(self, pid: int, post: AnalyzedPost) -> None:
        self._guard(
            lambda: (self._w.delete_documents_by_term("pid", pid), self._w.add_document(to_document(post)))
        )
        self._pending += 1
        if self._pending >= COMMIT_EVERY or time.monotonic() - self._last > COMMIT_SECONDS:
            self.commit()

    def delete(self, pid: int) -> None:
        self._guard(lambda: self._w.delete_documents_by_term("pid", pid))
        self._pending += 1

    def commit(self, final: bool = False) -> None:
        self._guard(self._w.commit)
        self._pending = 0
        self._last = time.monotonic()
        if final:
            self._guard(self._w.wait_merging_threads)
            self._w = None

    def abandon(self) -> None:
        """Drop the uncommitted changes and release tantivy's writer lock now.

        Rolling back keeps the lock; only ``wait_merging_threads`` gives the writer up.
        Otherwise the traceback of the error keeps the writer alive until the garbage
        collector runs, and a long-running process that calls ``index_posts`` again (after
        a full disk, say) fails with ``LockBusy``.
        """
        if self._w is not None:
            with contextlib.suppress(BaseException):  # the original error matters more
                self._w.rollback()
            with contextlib.suppress(BaseException):
                self._w.wait_merging_threads()
            self._w = None

    def _guard(self, action: Callable[[], object]) -> None:
        try:
            action()
        except (OSError, ValueError) as exc:
            raise IndexWriteError(f"writing the index failed ({exc}); the last commit is intact") from exc
        except BaseException as exc:
            if type(exc).__name__ == "PanicException":
                raise IndexWriteError(f"writing the index failed ({exc}); the last commit is intact") from exc
            raise


# -- the per-post work, run in worker processes ------------------------------------------

_ANALYZER: Analyzer | None = None


def _process(job: _Job) -> _Result:
    global _ANALYZER
    try:
        with open(job.path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return _Result(job.rel, read_error=f"cannot read: {exc.strerror or exc}")
    warnings: list[str] = []
    if len(data) > MAX_FILE_BYTES:
        data = _cut_at_line(data, MAX_FILE_BYTES)
        warnings.append(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; read only the start")
    if job.known_hash is not None and content_hash(data) == job.known_hash:
        return _Result(job.rel, unchanged=True)
    loaded: LoadedPost = load_post(data, job.rel, job.options, mtime_ns=job.mtime_ns, section=job.section)
    warnings.extend(loaded.warnings)
    if loaded.record is None:
        return _Result(job.rel, skip=loaded.skip, draft=loaded.draft, warnings=warnings)
    if _ANALYZER is None:
        _ANALYZER = Analyzer()
    return _Result(job.rel, post=analyze_post(_ANALYZER, loaded.record), warnings=warnings)


def _cut_at_line(data: bytes, limit: int) -> bytes:
    """The first ``limit`` bytes, ending at a line break when there is one.

    A cut inside a multi-byte character (UTF-8, Shift_JIS, EUC-JP) would make the whole
    file undecodable and the post would be skipped as "not text"; a line feed byte never
    occurs inside a character in those encodings.
    """
    head = data[:limit]
    end = head.rfind(b"\n")
    return head[: end + 1] if end > 0 else head


def _run_jobs(jobs: list[_Job], workers: int | None) -> Iterator[_Result]:
    """Results of ``jobs`` in any order, from worker processes when there are enough jobs.

    A ``ProcessPoolExecutor``, not ``multiprocessing.Pool``: when a worker dies (killed by
    the OOM killer, a crash, or a worker that cannot start, such as a script without an
    ``if __name__ == "__main__"`` guard), Pool silently starts another one forever and the
    run hangs; the executor fails every pending task with ``BrokenProcessPool`` instead,
    which ends the run with a clear error and the index at its last commit.
    """
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    if n_workers <= 1 or len(jobs) < PARALLEL_MIN_JOBS:
        for job in jobs:
            yield _process(job)
        return
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with _Interrupts() as interrupts:
        pool = ProcessPoolExecutor(
            n_workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )
        pending: set[Future[list[_Result]]] = set()
        submitted = 0
        finished = False
        try:
            while interrupts.caught is None and (submitted < len(chunks) or pending):
                while submitted < len(chunks) and len(pending) < n_workers * QUEUED_PER_WORKER:
                    pending.add(_submit(pool, chunks[submitted]))
                    submitted += 1
                done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from future.result()
            finished = interrupts.caught is None
        except BrokenProcessPool as exc:
            if interrupts.caught is None:  # else the workers died of the same signal: an interruption
                raise IndexWriteError(
                    "a worker process died while analysing posts (killed, out of memory, or it could not "
                    "start); nothing after the last commit was kept; run again, or with --workers 1"
                ) from exc
        finally:
            _stop_workers(pool, finished)
        interrupts.deliver()


class _Interrupts:
    """SIGINT and SIGTERM noted while worker processes run, and acted on once they are stopped.

    A signal handler that raises in the middle of the executor's own code can leave it
    unable to stop. Seen with ``timeout -s INT``, which signals the process and then its
    whole process group, so the indexing process gets SIGINT twice (as it does from a
    second Ctrl-C): the second KeyboardInterrupt broke off the ``Thread.join`` in
    ``ProcessPoolExecutor.shutdown``, and Python 3.11 then marks the still-running manager
    thread as stopped (the interrupted join releases the thread's own state lock).
    Interpreter exit no longer waits for that thread; multiprocessing's exit handler closes
    the task queue before the manager has sent the workers their stop messages, and the
    process waits forever for workers that wait forever for a task.

    So while workers run, a signal only sets :attr:`caught`; the run stops its workers
    itself (:func:`_stop_workers`), restores the previous handlers and then raises the
    signal again, which has its usual effect (KeyboardInterrupt, or the handler the program
    installed, or the default action). Only the main thread receives signals; elsewhere
    this does nothing.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.caught: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                previous = signal.getsignal(sig)
                if previous not in (signal.SIG_IGN, None):  # an ignored signal stays ignored
                    self._previous[sig] = previous
                    signal.signal(sig, self._note)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._restore()

    def deliver(self) -> None:
        """Restore the previous handlers, then act on the noted signal, if any."""
        self._restore()
        if self.caught is not None:
            signal.raise_signal(self.caught)

    def _note(self, signum: int, frame: object) -> None:
        if self.caught is None:
            self.caught = signum

    def _restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()


def _stop_workers(pool: ProcessPoolExecutor, finished: bool) -> None:
    """End the pool's worker processes: gracefully when every task is done, else at once.

    A stopped run keeps nothing after its last commit, so the tasks in flight are not worth
    waiting for (a chunk of long posts can take seconds): the workers are killed. The
    executor has no public way to do that before Python 3.14, hence its private
    ``_processes``, ``_executor_manager_thread`` and ``_result_queue`` (all three in 3.11
    to 3.14), read defensively.
    """
    if finished:
        pool.shutdown(wait=True)
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    multiprocessing.connection.wait([p.sentinel for p in processes], timeout=STOP_SECONDS)
    # A worker killed while sending a result leaves half a message in the result pipe, and
    # the manager thread would wait for the rest forever (a non-daemon thread: the process
    # could not exit). With every worker gone, closing this process's writing end of the
    # pipe, its last one, turns that wait into end-of-file and the manager ends.
    writer = getattr(results, "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()
    if manager is not None:
        manager.join(STOP_SECONDS)


def _submit(pool: ProcessPoolExecutor, chunk: list[_Job]) -> Future[list[_Result]]:
    """``pool.submit``, with SIGINT and SIGTERM blocked: a submit may start a worker, and a
    started process keeps the signal mask, so a Ctrl-C during its start-up (seconds on a busy
    machine, before :func:`_worker_start` ignores signals) waits instead of killing it with
    a traceback. This process still notes the signal, through another thread or on unblocking."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _Interrupts.SIGNALS)
    try:
        return pool.submit(_process_chunk, chunk)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _process_chunk(jobs: list[_Job]) -> list[_Result]:
    return [_process(job) for job in jobs]


def _worker_start(parent: int) -> None:
    """Leave signals to the indexing process, and exit when it is gone.

    A terminal's Ctrl-C reaches the whole process group, workers included; a worker that
    died of it mid-task could leave the executor's queues locked. Workers ignore SIGINT and
    SIGTERM and the indexing process stops them (:func:`_stop_workers`). When that process
    is gone (SIGKILL, power off of a container) they would otherwise block forever on the
    task queue, each holding a loaded dictionary, and every killed nightly run would leave
    two more behind.
    """
    for sig in _Interrupts.SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _Interrupts.SIGNALS)  # blocked since start-up

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
