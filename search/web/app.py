"""The ASGI app behind ``search serve``: the JSON API, the search page and its files.

Searches are CPU work in the library (Sudachi for snippets, tantivy for ranking), so each
runs on a worker thread, at most ``threads`` at once per process; the event loop only
moves bytes. More throughput comes from more processes (``--workers``), each with its own
:class:`search.Index` over the same folder on disk: every search checks for a newer commit
and reloads, so the nightly ``search index`` shows up in every process without a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from search.errors import SearchError
from search.index import Index
from search.web.api import SearchAPI, status_for
from search.web.config import ServeConfig

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("search.web")

# The page loads only its own script and style and calls only its own API. Framing is
# allowed on purpose: embedding the page in a blog with an iframe is a documented use.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'"
)


def create_app(config: ServeConfig, index: Index | None = None) -> Starlette:
    """The app for one worker process. ``index`` may be passed by a caller that already
    opened it (tests, an embedding program); otherwise it is opened here, once."""
    config.check()
    api = SearchAPI(index or Index.open(config.index), config.permalinks())
    state: dict[str, anyio.CapacityLimiter] = {}

    def endpoint(work: Callable[[Request], dict[str, Any]]) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            limiter = state.get("limiter")
            if limiter is None:  # made in the event loop, on the first request
                limiter = state.setdefault("limiter", anyio.CapacityLimiter(config.threads))
            try:
                body = await anyio.to_thread.run_sync(work, request, limiter=limiter)
            except SearchError as exc:
                return error(status_for(exc), str(exc))
            except BaseException as exc:
                if type(exc).__name__ != "PanicException":  # tantivy's panics are BaseException
                    raise
                log.exception("tantivy panicked on %s", request.url)
                return error(500, "internal error")
            return JSONResponse(body, headers={"Cache-Control": "no-cache"})

        return handle

    def params(request: Request) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            out.setdefault(key, []).append(value)
        return out

    async def page(_request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": PAGE_POLICY})

    routes = [
        Route("/", page),
        Route("/api/search", endpoint(lambda r: api.search(params(r)))),
        Route("/api/related", endpoint(lambda r: api.related(params(r)))),
        Route("/api/tags", endpoint(lambda _r: api.tags())),
        Route("/healthz", endpoint(lambda _r: api.health())),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(_NoSniff)]
    if config.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.cors_origins),
                allow_methods=["GET"],
                max_age=600,
            )
        )
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )


def create_app_from_env() -> Starlette:
    """uvicorn's factory in each worker process (settings from ``$SEARCH_SERVE_CONFIG``)."""
    return create_app(ServeConfig.from_env())


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"Cache-Control": "no-store"})


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("error answering %s", request.url, exc_info=exc)
    return error(500, "internal error")


class _NoSniff:
    """``X-Content-Type-Options: nosniff`` on every answer, so a browser never runs a JSON
    answer (which quotes post text) as a script or a page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.app(scope, receive, send_with_header)
