"""Running the app: one process, or several worker processes on one port.

Several processes, not only threads, because the per-hit snippet work is Python that
holds the GIL, so one process cannot put much more than one core to work. Each process
opens the index itself; tantivy's files and Sudachi's dictionary are memory-mapped, so the
page cache holds one copy for all of them.

Each worker listens on its own socket bound with ``SO_REUSEPORT``, so the kernel spreads
new connections over the workers. With one shared listening socket (uvicorn's own
``--workers``) the first worker to wake accepts a whole burst of connections, and since
browsers and reverse proxies keep connections open, measured here: 8 keep-alive clients
all landed on one of two workers, which then did all the work. Where the platform has no
``SO_REUSEPORT``, uvicorn's shared socket is used instead.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import os
import signal
import socket
import time
from typing import Any

from search.errors import SettingError
from search.index import Index
from search.web.config import ENV_VAR, ServeConfig

MAX_CONNECTIONS = 512  # open connections per process; beyond it uvicorn answers 503
BACKLOG = 2048
QUICK_DEATH_SECONDS = 10.0  # a worker dying this soon after it started is failing, not unlucky
MAX_QUICK_DEATHS = 3
log = logging.getLogger("search.web")


def check(config: ServeConfig, host: str | None = None, port: int | None = None) -> Index:
    """Check the settings, the port and the index before any process starts, so a bad
    option, a port in use or a missing index is one :class:`search.errors.SearchError`,
    not a traceback from every worker process."""
    config.check()
    if host is not None and port is not None:
        _check_port(host, port)
    return Index.open(config.index)


def serve(
    config: ServeConfig,
    host: str = "127.0.0.1",
    port: int = 8080,
    workers: int = 1,
    access_log: bool = True,
    index: Index | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM (``index``: the one :func:`check` opened, reused by a
    single process)."""
    import uvicorn

    from search.web.app import create_app

    index = index or check(config, host, port)
    if workers <= 1:
        uvicorn.run(create_app(config, index), **_uvicorn_options(host, port, access_log))
        return
    # Worker processes are spawned and build their own app from the settings in the
    # environment (a spawned process inherits no Python objects).
    os.environ[ENV_VAR] = config.to_env()
    if not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(
            "search.web.app:create_app_from_env",
            factory=True,
            workers=workers,
            **_uvicorn_options(host, port, access_log),
        )
        return
    _Supervisor(host, port, workers, access_log).run()


def _uvicorn_options(host: str, port: int, access_log: bool) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "access_log": access_log,
        "limit_concurrency": MAX_CONNECTIONS,
        "server_header": False,
        "log_level": "info",
        "backlog": BACKLOG,
    }


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _check_port(host: str, port: int) -> None:
    """A plain bind, without ``SO_REUSEPORT``: it fails if anything listens there already,
    including another ``search serve`` (whose workers would otherwise share the port)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SettingError(
                    f"port {port} on {host} is in use; stop what listens there or use --port"
                ) from None
            raise SettingError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _worker(host: str, port: int, access_log: bool) -> None:
    """One worker process: its own SO_REUSEPORT socket, the app from the environment."""
    import threading

    import uvicorn

    parent = os.getppid()

    def leave_with_parent() -> None:
        # A supervisor killed outright (SIGKILL, OOM) cannot stop its workers; they notice
        # and stop themselves instead of serving on as orphans.
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=leave_with_parent, daemon=True, name="parent-watch").start()

    # IPPROTO_TCP named explicitly: asyncio turns Nagle's algorithm off only on sockets
    # that say they are TCP, and with it on, each answer (headers, then body) waited for
    # the client's delayed ACK: 40 ms added to every request of a keep-alive connection.
    sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    options = _uvicorn_options(host, port, access_log)
    config = uvicorn.Config("search.web.app:create_app_from_env", factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])


class _Supervisor:
    """Starts the workers, replaces one that dies, and stops them all on SIGINT/SIGTERM."""

    def __init__(self, host: str, port: int, workers: int, access_log: bool) -> None:
        self.args = (host, port, access_log)
        self.count = workers
        self.context = multiprocessing.get_context("spawn")
        self.procs: list[tuple[Any, float]] = []
        self.stopping = False

    def _start(self) -> tuple[Any, float]:
        proc = self.context.Process(target=_worker, args=self.args, name="search-serve-worker")
        proc.start()
        return proc, time.monotonic()

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def run(self) -> None:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        quick_deaths = 0
        try:
            self.procs = [self._start() for _ in range(self.count)]
            while not self.stopping:
                time.sleep(0.2)
                for i, (proc, started) in enumerate(self.procs):
                    if proc.is_alive() or self.stopping:
                        continue
                    quick = time.monotonic() - started < QUICK_DEATH_SECONDS
                    quick_deaths = quick_deaths + 1 if quick else 0
                    if quick_deaths >= MAX_QUICK_DEATHS:
                        raise SettingError(
                            f"worker processes keep exiting at start (last exit status {proc.exitcode}); "
                            "see the lines above"
                        )
                    log.warning("worker %s exited (status %s); starting another", proc.pid, proc.exitcode)
                    self.procs[i] = self._start()
        finally:
            for proc, _started in self.procs:
                if proc.is_alive():
                    proc.terminate()  # SIGTERM: uvicorn finishes the requests in flight
            deadline = time.monotonic() + 30
            for proc, _started in self.procs:
                proc.join(max(0.1, deadline - time.monotonic()))
                if proc.is_alive():
                    proc.kill()
                    proc.join()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
