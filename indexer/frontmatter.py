"""The one front-matter parser: YAML between ``---`` lines, TOML between ``+++`` lines.

Real archives bend the format: a YAML block may end with the document-end marker ``...``
and then a ``---`` line (Hakyll), files start with a BOM or use CRLF, a post may have no
front matter at all. Values are returned as parsed; interpreting them (dates, tags) is
the job of :mod:`indexer.posts`. YAML timestamps are *not* resolved here, so every date
string reaches the one date parser in :mod:`search.dates` unchanged.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: about ten times faster, which is a fifth
# of a worker's time on an archive of short posts.
_Base = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that leaves timestamps as strings (``2025-12-21 02:31:31 +0000`` is not
    a valid YAML timestamp, and mixing two date parsers gives two behaviours)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class FrontMatter:
    data: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    kind: str | None = None  # "yaml", "toml" or None
    closer: str | None = None  # the line that ended the block: "---", "..." (Hakyll) or "+++"
    error: str | None = None  # why the block could not be used (the body is still returned)


_FENCES = {"---": ("yaml", ("---", "...")), "+++": ("toml", ("+++",))}


def parse_front_matter(text: str) -> FrontMatter:
    """Split ``text`` (already decoded, LF line endings) into front matter and body."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first_end = text.find("\n")
    first = (text if first_end < 0 else text[:first_end]).rstrip()
    if first not in _FENCES:
        return FrontMatter(body=text)
    kind, closers = _FENCES[first]
    lines = text.split("\n")
    close_at = None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in closers:
            close_at = i
            break
    if close_at is None:
        return FrontMatter(body=text, kind=kind, error=f"front matter opened by {first} is never closed")
    raw = "\n".join(lines[1:close_at])
    body_start = close_at + 1
    if lines[close_at].rstrip() == "...":
        # Hakyll style: `...` ends the YAML document, and a `---` line may follow it.
        j = body_start
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and lines[j].rstrip() == "---":
            body_start = j + 1
    body = "\n".join(lines[body_start:])
    data, error = _load(kind, raw)
    return FrontMatter(data=data, body=body, kind=kind, closer=lines[close_at].rstrip(), error=error)


def _load(kind: str, raw: str) -> tuple[dict[str, Any], str | None]:
    try:
        value = yaml.load(raw, Loader=_Loader) if kind == "yaml" else tomllib.loads(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, f"invalid YAML front matter{where}: {problem}"
    except tomllib.TOMLDecodeError as exc:
        return {}, f"invalid TOML front matter: {exc}"
    except (ValueError, RecursionError) as exc:
        return {}, f"unreadable {kind.upper()} front matter: {exc}"
    if value is None:
        return {}, None
    if not isinstance(value, dict):
        return {}, f"front matter is a {type(value).__name__}, not a mapping of keys to values"
    return value, None
