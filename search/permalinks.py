"""Where a post lives on the published blog, from the facts the index keeps about it.

A search result is only useful to a reader if it links to the live page, and static site
generators derive that page's address from the post's file name, date and folder. The
index stores the post's path (relative to the archive root), its date (in the post's own
UTC offset, as the author wrote it) and its categories, so a pattern over those covers the
usual set-ups:

====================  ==========================================================
pattern               gives, for ``_posts/2019-01-07-my-post.md`` dated 2019-01-07
====================  ==========================================================
``/:year/:month/:day/:title/``   ``/2019/01/07/my-post/`` (Jekyll ``pretty``, Hexo's default)
``/:section/:slug/``  ``/posts/my-post/`` for ``content/posts/my-post.md`` (Hugo)
``/:path/``           the path under ``content/`` without ``.md`` (Hugo's default)
====================  ==========================================================

Parts: ``:year :month :day`` (zero-padded), ``:i_month :i_day`` (not padded),
``:hour :minute :second``, ``:title`` (the file name without the Jekyll date prefix and
extension; for a Hugo page bundle ``…/my-post/index.md``, the folder's name), ``:slug``
(the same, lower-cased, with every run of characters other than letters and digits made
one hyphen), ``:filename`` (the file name without extension), ``:section`` (the first
folder under ``content/``, else the first folder of the path), ``:categories`` (the
categories, lower-cased, joined by ``/``), ``:path`` (the path under ``content/``, or the
whole path, without extension and without a trailing ``index``), ``:output_ext``
(``.html``). A part with no value (an undated post's ``:year``, no categories) is left out
and the doubled slash it leaves is closed, as Jekyll does.

The index does not store a front-matter ``slug`` or ``permalink``; a post that sets one
gets the address its file name implies.

``auto`` (the default) picks the generator's own default by the post's place in the
archive: ``_posts/`` (Jekyll, Hexo) → ``/:year/:month/:day/:title/``, anything else →
``/:path/`` (Hugo's default, which is ``/:section/:slug/`` for a post directly in a section).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import quote

from search.errors import SettingError

AUTO = "auto"
PRESETS = {
    "jekyll": "/:year/:month/:day/:title/",
    "hexo": "/:year/:month/:day/:title/",
    "hugo": "/:section/:slug/",
    "path": "/:path/",
}
PARTS = (
    "year",
    "month",
    "day",
    "i_month",
    "i_day",
    "hour",
    "minute",
    "second",
    "title",
    "slug",
    "filename",
    "section",
    "categories",
    "path",
    "output_ext",
)
_PART = re.compile(r":([A-Za-z_]+)")
_JEKYLL_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}-(.+)$")
_BUNDLE_STEMS = ("index", "_index")
_CONTENT_ROOTS = ("content",)
_POSTS_FOLDERS = ("_posts",)
# Characters left as they are in a URL path; everything else (Japanese, spaces) is
# percent-encoded as UTF-8, which is how browsers and generators write them.
_SAFE = "/:@-._~!$&'()*+,;="


class Permalinks:
    """Turns a post's path, date and categories into its URL on the live blog.

    ``pattern`` is ``auto``, a preset name (``jekyll``, ``hugo``, ``hexo``, ``path``) or a
    pattern of literal text and ``:parts``; ``base_url`` (``https://blog.example.com`` or
    ``https://user.github.io/blog``) is put in front, so the link works from any page.
    An unknown part raises :class:`SettingError` here, once, rather than per post.
    """

    def __init__(self, pattern: str = AUTO, base_url: str = "") -> None:
        pattern = (pattern or AUTO).strip()
        self.pattern = PRESETS.get(pattern, pattern)
        self.base_url = base_url.strip().rstrip("/")
        if self.base_url and not re.match(r"^https?://[^/\s]+", self.base_url):
            raise SettingError(f"base URL must start with http:// or https://, got {base_url!r}")
        if self.pattern != AUTO:
            _check(self.pattern)

    def url(self, path: str, date: datetime | None = None, categories: Iterable[str] = ()) -> str:
        """The post's URL: ``base_url`` + the pattern filled in, percent-encoded."""
        pattern = self.pattern
        if pattern == AUTO:
            pattern = PRESETS["jekyll"] if _is_dated_posts_folder(path) else PRESETS["path"]
        values = _values(path, date, list(categories))
        filled = _PART.sub(lambda m: values.get(m.group(1), ""), pattern)
        filled = re.sub(r"/{2,}", "/", filled)
        if not filled.startswith("/"):
            filled = "/" + filled
        return self.base_url + quote(filled, safe=_SAFE)


def _check(pattern: str) -> None:
    unknown = [name for name in _PART.findall(pattern) if name not in PARTS]
    if unknown:
        raise SettingError(
            f"unknown permalink part :{unknown[0]}; use {', '.join(':' + p for p in PARTS)}, "
            f"or one of: {', '.join((AUTO, *PRESETS))}"
        )


def _is_dated_posts_folder(path: str) -> bool:
    return any(folder in _POSTS_FOLDERS for folder in _folders(path))


def _folders(path: str) -> list[str]:
    return [p for p in path.replace("\\", "/").split("/")[:-1] if p]


def _under_content(path: str) -> list[str]:
    """The path's pieces below ``content/`` (Hugo's root), or all of them."""
    pieces = [p for p in path.replace("\\", "/").split("/") if p]
    for i, piece in enumerate(pieces[:-1]):
        if piece in _CONTENT_ROOTS:
            return pieces[i + 1 :]
    return pieces


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


def title_part(path: str) -> str:
    """The file name the generators make a post's address from: ``2019-01-07-my-post.md`` →
    ``my-post``; ``my-post/index.md`` (a Hugo bundle) → ``my-post``."""
    pieces = [p for p in path.replace("\\", "/").split("/") if p]
    if not pieces:
        return ""
    stem = _stem(pieces[-1])
    if stem in _BUNDLE_STEMS and len(pieces) > 1:
        stem = pieces[-2]
    m = _JEKYLL_DATE.match(stem)
    return m.group(1) if m else stem


def slugify(text: str) -> str:
    """Lower case; every run of characters other than letters and digits (any script)
    becomes one hyphen. Japanese letters stay: browsers show them, servers get UTF-8."""
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for ch in text:
        if unicodedata.category(ch)[0] in ("L", "N", "M"):
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def _values(path: str, date: datetime | None, categories: list[str]) -> dict[str, str]:
    under = _under_content(path)
    sections = under[:-1]
    rel = [*under[:-1], _stem(under[-1])] if under else []
    if rel and rel[-1] in _BUNDLE_STEMS:
        rel = rel[:-1]
    title = title_part(path)
    pieces = [p for p in path.replace("\\", "/").split("/") if p]
    values = {
        "title": title,
        "slug": slugify(title),
        "filename": _stem(pieces[-1]) if pieces else "",
        "section": sections[0] if sections else "",
        "categories": "/".join(c.strip().lower() for c in categories if c.strip()),
        "path": "/".join(rel),
        "output_ext": ".html",
    }
    if date is not None:
        values.update(
            year=f"{date.year:04d}",
            month=f"{date.month:02d}",
            day=f"{date.day:02d}",
            i_month=str(date.month),
            i_day=str(date.day),
            hour=f"{date.hour:02d}",
            minute=f"{date.minute:02d}",
            second=f"{date.second:02d}",
        )
    return values


__all__ = ["AUTO", "PARTS", "PRESETS", "Permalinks", "slugify", "title_part"]
