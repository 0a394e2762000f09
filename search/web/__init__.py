"""Serving a blog's readers over HTTP: the JSON API and the search page of ``search serve``.

    from search.web import ServeConfig, create_app
    app = create_app(ServeConfig(index=".search-index", cors_origins=("https://blog.example.com",)))
    # any ASGI server runs ``app``; ``search.web.server.serve`` runs it with uvicorn

Imported only by callers who serve: ``import search`` does not load the web stack.
"""

from search.web.api import SearchAPI
from search.web.app import create_app
from search.web.config import ServeConfig

__all__ = ["SearchAPI", "ServeConfig", "create_app"]
