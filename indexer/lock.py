"""One indexing run at a time per index: an advisory lock on ``<index>/.lock``.

tantivy has its own writer lock, but it fails at once; cron runs that overlap (a slow
night, a manual run) should instead wait a bounded time for the other run to finish.
The kernel releases the lock when its holder dies, even by SIGKILL, so no stale lock
can block the next night.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from search.errors import IndexLockedError, IndexWriteError
from search.store import LOCK_FILE


class IndexLock:
    def __init__(self, root: Path, wait_seconds: float) -> None:
        self.path = root / LOCK_FILE
        self.wait_seconds = wait_seconds
        self._fd: int | None = None

    def __enter__(self) -> IndexLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IndexWriteError(f"cannot create the lock file {self.path}: {exc.strerror}") from exc
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise IndexLockedError(
                        f"another indexing run is using {self.path.parent} "
                        f"(waited {self.wait_seconds:g}s); try again later or raise --wait"
                    ) from None
                time.sleep(0.2)
        # The pid is only for people looking at the file: on a full disk, lock without it.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
