"""Running the app: one process, or several sharing one listening socket (uvicorn).

Several processes, not only threads, because the per-hit snippet work is Python that
holds the GIL, so one process cannot put much more than one core to work. Each process
opens the index itself; tantivy's files and Sudachi's dictionary are memory-mapped, so the
page cache holds one copy for all of them.
"""

from __future__ import annotations

import os

from search.index import Index
from search.web.config import ENV_VAR, ServeConfig

MAX_CONNECTIONS = 512  # open connections per process; beyond it uvicorn answers 503


def check(config: ServeConfig) -> Index:
    """Check the settings and open the index before any process starts, so a bad option or
    a missing index is one :class:`search.errors.SearchError`, not a traceback from every
    worker process."""
    config.check()
    return Index.open(config.index)


def serve(
    config: ServeConfig,
    host: str = "127.0.0.1",
    port: int = 8080,
    workers: int = 1,
    access_log: bool = True,
    index: Index | None = None,
) -> None:
    """Serve until interrupted (``index``: the one :func:`check` opened, reused by a
    single process)."""
    import uvicorn

    from search.web.app import create_app

    index = index or check(config)
    common = {
        "host": host,
        "port": port,
        "access_log": access_log,
        "limit_concurrency": MAX_CONNECTIONS,
        "server_header": False,
        "log_level": "info",
    }
    if workers <= 1:
        uvicorn.run(create_app(config, index), **common)
        return
    # Worker processes are spawned and build their own app from the settings in the
    # environment (a spawned process inherits no Python objects).
    os.environ[ENV_VAR] = config.to_env()
    uvicorn.run("search.web.app:create_app_from_env", factory=True, workers=workers, **common)
