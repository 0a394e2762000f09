"""What one ``search serve`` needs to know, in a form that crosses into worker processes.

uvicorn starts each worker process afresh (spawn) and builds the app there from an import
string, so the settings travel as JSON in an environment variable rather than as Python
objects. Every setting is checked once, in :meth:`ServeConfig.check`, before any process
starts, so a bad option is one error line at the terminal, not a crash in each worker.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass

from search.errors import SettingError
from search.permalinks import Permalinks

ENV_VAR = "SEARCH_SERVE_CONFIG"
_ORIGIN = re.compile(r"^https?://[^/\s?#]+$")


@dataclass(frozen=True)
class ServeConfig:
    """``index``: the index folder. ``cors_origins``: origins (``https://blog.example.com``)
    whose pages may call the API from the reader's browser, ``*`` for any; none by default,
    so the API answers only pages it serves itself. ``permalink``/``base_url``: see
    :mod:`search.permalinks`. ``threads``: searches run at once per worker process."""

    index: str
    cors_origins: tuple[str, ...] = ()
    permalink: str = "auto"
    base_url: str = ""
    threads: int = 4

    def check(self) -> None:
        """Raise :class:`SettingError` for a setting that cannot work."""
        for origin in self.cors_origins:
            if origin != "*" and not _ORIGIN.match(origin):
                raise SettingError(
                    f"CORS origin must be scheme://host[:port] with no path (or *), got {origin!r}"
                )
        if not 1 <= self.threads <= 64:
            raise SettingError(f"threads must be between 1 and 64, got {self.threads}")
        self.permalinks()

    def permalinks(self) -> Permalinks:
        return Permalinks(self.permalink, self.base_url)

    def to_env(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServeConfig:
        raw = (environ if environ is not None else os.environ).get(ENV_VAR)
        if not raw:
            raise SettingError(f"${ENV_VAR} is not set; start the server with `search serve`")
        data = json.loads(raw)
        data["cors_origins"] = tuple(data.get("cors_origins", ()))
        return cls(**data)
