"""One post file → a :class:`search.documents.PostRecord`, or the reason it is skipped.

Front matter varies by generator and by author: ``tags`` as a list or as one string,
``category`` vs ``categories``, Hexo's nested category lists, dates in every format, a
title that YAML read as a number. Each oddity is accepted where the intent is clear and
reported as a warning naming the file, so a nightly run never stops on one bad post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from indexer.decode import NotText, decode_post
from indexer.frontmatter import parse_front_matter
from indexer.plaintext import markdown_to_text
from search.dates import date_from_filename, get_timezone, parse_datetime
from search.documents import PostRecord, content_hash
from search.errors import DateOutOfRangeError, InvalidDateError
from search.normalize import fold_key

# Readable text kept per post. The longest real post in our test archives has ~80,000
# characters; 300,000 leaves room for long posts while bounding memory and index size.
MAX_TEXT_CHARS = 300_000
_LIST_SEPARATORS = re.compile(r"\s*[,、，]\s*")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass
class PostOptions:
    timezone: str = "Asia/Tokyo"
    include_drafts: bool = False


@dataclass
class LoadedPost:
    record: PostRecord | None = None
    skip: str | None = None
    draft: str | None = None  # why the post counts as unpublished (not a problem: not a warning)
    warnings: list[str] = field(default_factory=list)


def load_post(
    data: bytes, rel_path: str, options: PostOptions, mtime_ns: int = 0, section: str | None = None
) -> LoadedPost:
    """Interpret the bytes of the post at ``rel_path`` (its identity in the index).

    ``section`` (its Hugo section folder, :func:`indexer.discover.hugo_section`) is its
    category when the front matter names none: Hugo blogs file posts by folder instead.
    """
    out = LoadedPost()
    if not data.strip():
        out.skip = "empty file"
        return out
    try:
        decoded = decode_post(data)
    except NotText as exc:
        out.skip = f"not a text file: {exc}"
        return out
    if decoded.encoding != "utf-8":
        out.warnings.append(f"decoded as {decoded.encoding}")
    fm = parse_front_matter(decoded.text)
    if fm.error:
        out.warnings.append(fm.error + "; indexed the text without it")
    meta = fm.data
    draft = _draft_reason(meta, out.warnings)
    if draft and not options.include_drafts:
        out.draft = draft
        return out

    plain = markdown_to_text(fm.body)
    text = plain.text
    if len(text) > MAX_TEXT_CHARS:
        out.warnings.append(
            f"very long post: indexed the first {MAX_TEXT_CHARS:,} of {len(text):,} characters"
        )
        text = text[:MAX_TEXT_CHARS]
    tz = get_timezone(options.timezone)
    name = PurePosixPath(rel_path).name
    title = _title(meta.get("title"), fm.body, rel_path, out.warnings)
    excerpt = _first_text(meta, ("excerpt", "description", "summary"), out.warnings)
    if not text and not excerpt:
        out.warnings.append("no body text (only front matter); indexed the title")
    out.record = PostRecord(
        path=rel_path,
        title=title,
        body=text,
        excerpt=excerpt,
        code=plain.code[:MAX_TEXT_CHARS],
        tags=_names(meta, ("tags", "tag"), out.warnings, spaces_split=fm.closer != "..."),
        categories=_names(meta, ("categories", "category"), out.warnings, spaces_split=fm.closer != "...")
        or ([section] if section else []),
        author=_author(meta.get("author"), out.warnings),
        date=_date(meta, name, tz, out.warnings),
        draft=draft is not None,
        content_hash=content_hash(data),
        mtime_ns=mtime_ns,
        size=len(data),
    )
    return out


def _draft_reason(meta: dict[str, Any], warnings: list[str]) -> str | None:
    if _boolean(meta.get("draft"), "draft", warnings) is True:
        return "draft: true"
    if _boolean(meta.get("published"), "published", warnings) is False:
        return "published: false"
    return None


def _boolean(value: Any, key: str, warnings: list[str]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    warnings.append(f"{key} should be true or false, got {value!r}; ignored")
    return None


def _title(value: Any, body: str, rel_path: str, warnings: list[str]) -> str:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    if isinstance(value, bool) or (value is not None and not isinstance(value, (int, float, str))):
        warnings.append(f"title is a {type(value).__name__}, not text; used the heading or file name")
    elif isinstance(value, (int, float)):
        warnings.append(f"title is a number ({value}); used it as text")
        return str(value)
    m = _HEADING.search(body)
    if m:
        heading = markdown_to_text(m.group(1)).text
        if heading:
            return heading
    path = PurePosixPath(rel_path)
    stem = path.parent.name if path.stem in ("index", "_index") and path.parent.name else path.stem
    return re.sub(r"^\d{4}-\d{1,2}-\d{1,2}-", "", stem) or stem


def _first_text(meta: dict[str, Any], keys: tuple[str, ...], warnings: list[str]) -> str:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return markdown_to_text(value).text
        if value is not None and not isinstance(value, str):
            warnings.append(f"{key} is a {type(value).__name__}, not text; ignored")
    return ""


def _names(
    meta: dict[str, Any], keys: tuple[str, ...], warnings: list[str], spaces_split: bool = True
) -> list[str]:
    """Tags or categories: a list, a nested list (Hexo), or one comma/space separated string.

    Without commas, Jekyll reads ``tags: a b`` as two tags, but Hakyll (whose front matter
    is the one closed by ``...``) splits on commas only, so ``tags: Haskell Implementors'
    Workshop`` is one tag there; ``spaces_split=False`` reads it that way.
    """
    for key in keys:
        if key not in meta or meta[key] is None:
            continue
        value = meta[key]
        items: list[Any]
        if isinstance(value, str):
            if _LIST_SEPARATORS.search(value):
                items = _LIST_SEPARATORS.split(value)
            else:
                items = value.split() if spaces_split else [value]
        elif isinstance(value, (list, tuple)):
            items = list(_flatten(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            warnings.append(f"{key} is a number ({value}); used it as a name")
            items = [value]
        else:
            warnings.append(f"{key} is a {type(value).__name__}, expected a list or a string; ignored")
            return []
        names: list[str] = []
        seen: set[str] = set()
        for item in items:
            if isinstance(item, dict):
                warnings.append(f"{key} contains a mapping ({item!r}); ignored that entry")
                continue
            name = " ".join(str(item).split())
            key_form = fold_key(name)
            if name and key_form not in seen:
                seen.add(key_form)
                names.append(name)
        return names
    return []


def _flatten(values: Any):  # type: ignore[no-untyped-def]
    for v in values:
        if isinstance(v, (list, tuple)):
            yield from _flatten(v)
        elif v is not None:
            yield v


def _author(value: Any, warnings: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        name = value.get("name") or value.get("display_name")
        return str(name).strip() if name else ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v).strip() for v in value if isinstance(v, (str, int)))
    warnings.append(f"author is a {type(value).__name__}; ignored")
    return ""


def _date(meta: dict[str, Any], file_name: str, tz, warnings: list[str]):  # type: ignore[no-untyped-def]
    value = meta.get("date")
    from_name = date_from_filename(file_name, tz)
    if value is None or value == "":
        return from_name
    fallback = "used the file name's date" if from_name else "indexed without a date"
    try:
        return parse_datetime(value, tz)
    except DateOutOfRangeError as exc:  # Hugo's zero date 0001-01-01 means "no date"
        warnings.append(f"{exc}; {fallback}")
    except InvalidDateError:
        warnings.append(f"cannot read date {value!r}; {fallback}")
    return from_name
