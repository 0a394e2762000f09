"""Finding the posts of an archive: Markdown files, minus what editors and tools leave behind.

A post's identity is its path relative to the archive root (with several roots, prefixed
by the root's folder name, or by as many of its last folders as it takes to tell roots
with the same name apart), so two posts with the same slug in different folders are
both kept. Symlinks are followed, but a folder is never entered twice (no loops) and a
file reached twice is indexed once, under its real path: links are only walked after
every real folder, so which name wins (and with it a Jekyll file-name date) does not
depend on how the names sort.

Not posts: the documents a repository keeps at its root (README, LICENSE, CHANGELOG,
CONTRIBUTING…, in any case, also ``README.ja.md``), when they are at the root of a posts
folder (``include_root_docs`` indexes them); files and folders matching an ``exclude``
pattern (a pattern with a ``/`` is matched against the path inside the posts folder, one
without against the name, as in .gitignore).

A post's Hugo section (:func:`hugo_section`) is found here, from its place in the folders.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".md", ".markdown")
NOT_UTF8 = "file name is not UTF-8; rename the file to index it"
ROOT_DOC = "repository document, not a post"
_ROOT_DOC = re.compile(
    r"(readme|licen[cs]e|copying|changelog|contributing|code[_-]of[_-]conduct)"
    r"([._-][a-z]{2}([_-][a-z]{2})?)?",  # README.ja, README_zh-CN
    re.I,
)
# Hugo sections that hold the whole blog, or a year: not a category anyone would pick.
NOT_SECTIONS = frozenset({"post", "posts", "blog"})
_YEAR = re.compile(r"\d{4}")


@dataclass
class Found:
    path: Path
    rel: str
    section: str | None = None  # the Hugo section, used as category when a post has none


@dataclass
class Discovery:
    files: list[Found] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # by design: backups, hidden files
    problems: list[tuple[str, str]] = field(default_factory=list)  # could not be read
    # Folders that could not be listed ("" for a root): the posts the index has under them
    # are unknown this time, not deleted.
    unlisted: list[str] = field(default_factory=list)


def ignore_reason(name: str) -> str | None:
    """Why a file name is not a post, or None if it may be one."""
    if name.startswith(".#"):
        return "editor lock file"
    if name.startswith("."):
        return "hidden file"
    if name.endswith("~") or (name.startswith("#") and name.endswith("#")):
        return "editor backup file"
    if not name.lower().endswith(SUFFIXES):
        return "not a Markdown file"
    return None


def is_root_doc(name: str) -> bool:
    """README.md, LICENSE.markdown, readme.ja.md… (a Markdown file named as repositories name them)."""
    stem, dot, suffix = name.rpartition(".")
    return bool(dot) and f".{suffix.lower()}" in SUFFIXES and _ROOT_DOC.fullmatch(stem) is not None


def hugo_section(root_name: str, parts: tuple[str, ...]) -> str | None:
    """The Hugo section of the post at ``parts`` (its path inside a posts folder named
    ``root_name``): the first folder under the folder named ``content`` (the posts folder
    itself, or one inside it). None outside ``content/``, directly in it, for a page bundle
    directly in it (``content/trip/index.md``), for a year (``content/2024/…``) and for the
    sections that hold a whole blog (``posts``, ``post``, ``blog``). Jekyll's ``_posts/2024/``
    and Hexo's ``source/_posts/`` have no ``content/``: their folders are no category.
    """
    folders = (root_name, *parts[:-1])
    if "content" not in folders:
        return None
    inside = folders[folders.index("content") + 1 :]
    if not inside:
        return None
    bundle = parts[-1].lower() in ("index.md", "index.markdown") and len(inside) == 1
    section = inside[0]
    if bundle or _YEAR.fullmatch(section) or section.lower() in NOT_SECTIONS or section.startswith("_"):
        return None
    return section


def discover(roots: list[Path], *, include_root_docs: bool = False, exclude: Iterable[str] = ()) -> Discovery:
    out = Discovery()
    patterns = [p.strip().strip("/") for p in exclude if p.strip().strip("/")]
    seen_dirs: dict[tuple[int, int], str] = {}
    seen_files: dict[tuple[int, int], str] = {}
    for root, prefix in zip(roots, _prefixes(roots), strict=True):
        pending: list[Path] = [root]  # real folders first; symlinked ones are queued behind
        linked: list[tuple[Path, str]] = []  # symlinked files, considered after all real ones
        while pending:
            top = pending.pop(0)
            for dirpath, dirnames, filenames in os.walk(top, onerror=_walk_error(out, root, prefix)):
                here = Path(dirpath)
                here_rel = _rel(here, root, prefix)
                try:
                    st = os.stat(here)
                except OSError as exc:
                    out.problems.append((_shown(here_rel), f"cannot open folder: {exc.strerror}"))
                    out.unlisted.append(here_rel)
                    dirnames[:] = []
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs:
                    out.ignored.append((_shown(here_rel), _revisit(seen_dirs[key], here_rel)))
                    dirnames[:] = []
                    continue
                seen_dirs[key] = here_rel
                subdirs = []
                for d in sorted(d for d in dirnames if not d.startswith(".")):
                    pattern = _excluded(here / d, root, patterns)
                    if pattern is None:
                        subdirs.append(d)
                    else:
                        out.ignored.append(
                            (_shown(_rel(here / d, root, prefix)), f"excluded by pattern {pattern}")
                        )
                pending.extend(here / d for d in subdirs if (here / d).is_symlink())
                dirnames[:] = [d for d in subdirs if not (here / d).is_symlink()]
                for name in sorted(filenames):
                    path = here / name
                    rel = _rel(path, root, prefix)
                    reason = ignore_reason(name)
                    if reason == "not a Markdown file":
                        continue
                    if reason is None and here == root and not include_root_docs and is_root_doc(name):
                        reason = ROOT_DOC
                    if reason is None and (pattern := _excluded(path, root, patterns)) is not None:
                        reason = f"excluded by pattern {pattern}"
                    if reason:
                        out.ignored.append((_shown(rel), reason))
                    elif not _utf8(rel):
                        # tantivy stores paths as UTF-8; one such name must not stop the run.
                        out.problems.append((_shown(rel), NOT_UTF8))
                    elif path.is_symlink():
                        linked.append((path, rel))
                    else:
                        _add_file(out, seen_files, path, rel, _section(root, path))
        for path, rel in linked:
            _add_file(out, seen_files, path, rel, _section(root, path))
    return out


def _excluded(path: Path, root: Path, patterns: list[str]) -> str | None:
    """The first pattern matching ``path`` (a pattern with a slash: its path inside ``root``)."""
    if not patterns:
        return None
    inside = path.relative_to(root).as_posix()
    for pattern in patterns:
        if fnmatch.fnmatchcase(inside if "/" in pattern else path.name, pattern):
            return pattern
    return None


def _section(root: Path, path: Path) -> str | None:
    return hugo_section(root.name, path.relative_to(root).parts)


def _add_file(
    out: Discovery, seen_files: dict[tuple[int, int], str], path: Path, rel: str, section: str | None
) -> None:
    try:
        st = os.stat(path)
    except OSError as exc:
        what = "broken symlink" if path.is_symlink() else f"cannot read: {exc.strerror}"
        out.problems.append((rel, what))
        return
    if not os.path.isfile(path):
        out.ignored.append((rel, "not a regular file"))
        return
    file_key = (st.st_dev, st.st_ino)
    if file_key in seen_files:
        out.ignored.append((rel, f"same file as {seen_files[file_key]} (symlink)"))
        return
    seen_files[file_key] = rel
    out.files.append(Found(path, rel, section))


def _revisit(first: str, rel: str) -> str:
    """Why a folder reached again through a symlink is not walked again."""
    shown = first or "."
    if not first or rel.startswith(first + "/"):
        return f"symlink loop (leads back to {shown})"
    return f"same folder as {shown} (symlink)"


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(rel: str) -> str:
    """A path fit to print: undecodable bytes of a file name become \\xNN escapes."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def _prefixes(roots: list[Path]) -> list[str]:
    """Each root's name, or its last few folders when another root has the same name.

    ``search index site1/content site2/content`` gives ``site1/content/`` and
    ``site2/content/``: with the name alone, both sites' ``post.md`` were one post and one
    of them was silently lost.
    """
    if len(roots) == 1:
        return [""]
    resolved = [root.resolve() for root in roots]
    out = []
    for here in resolved:
        parts = [p for p in here.parts if p != here.anchor]
        n = 1
        while n < len(parts) and any(o != here and o.parts[-n:] == here.parts[-n:] for o in resolved):
            n += 1
        out.append("/".join(parts[-n:]) + "/" if parts else f"{here.as_posix()}")
    return out


def _rel(path: Path, root: Path, prefix: str) -> str:
    rel = path.relative_to(root).as_posix()
    return prefix.rstrip("/") if rel == "." else prefix + rel


def _walk_error(out: Discovery, root: Path, prefix: str):  # type: ignore[no-untyped-def]
    def handler(exc: OSError) -> None:
        name = Path(exc.filename) if exc.filename else root
        try:
            rel = _rel(name, root, prefix)
        except ValueError:
            rel = str(name)
        out.problems.append((rel, f"cannot open folder: {exc.strerror}"))
        out.unlisted.append(rel)

    return handler
