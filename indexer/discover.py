"""Finding the posts of an archive: Markdown files, minus what editors and tools leave behind.

A post's identity is its path relative to the archive root (with several roots, prefixed
by the root's folder name), so two posts with the same slug in different folders are
both kept. Symlinks are followed, but a folder is never entered twice (no loops) and a
file reached twice through links is indexed once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".md", ".markdown")


@dataclass
class Found:
    path: Path
    rel: str


@dataclass
class Discovery:
    files: list[Found] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # by design: backups, hidden files
    problems: list[tuple[str, str]] = field(default_factory=list)  # could not be read


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


def discover(roots: list[Path]) -> Discovery:
    out = Discovery()
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: dict[tuple[int, int], str] = {}
    prefix_roots = len(roots) > 1
    for root in roots:
        prefix = f"{root.resolve().name}/" if prefix_roots else ""
        for dirpath, dirnames, filenames in os.walk(
            root, followlinks=True, onerror=_walk_error(out, root, prefix)
        ):
            here = Path(dirpath)
            try:
                st = os.stat(here)
                key = (st.st_dev, st.st_ino)
            except OSError as exc:
                out.problems.append((_rel(here, root, prefix), f"cannot open folder: {exc.strerror}"))
                dirnames[:] = []
                continue
            if key in seen_dirs:
                out.ignored.append((_rel(here, root, prefix), "folder already visited (symlink loop)"))
                dirnames[:] = []
                continue
            seen_dirs.add(key)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = here / name
                rel = _rel(path, root, prefix)
                reason = ignore_reason(name)
                if reason == "not a Markdown file":
                    continue
                if reason:
                    out.ignored.append((rel, reason))
                    continue
                try:
                    st = os.stat(path)
                except OSError as exc:
                    what = "broken symlink" if path.is_symlink() else f"cannot read: {exc.strerror}"
                    out.problems.append((rel, what))
                    continue
                if not os.path.isfile(path):
                    out.ignored.append((rel, "not a regular file"))
                    continue
                file_key = (st.st_dev, st.st_ino)
                if file_key in seen_files:
                    out.ignored.append((rel, f"same file as {seen_files[file_key]} (symlink)"))
                    continue
                seen_files[file_key] = rel
                out.files.append(Found(path, rel))
    return out


def _rel(path: Path, root: Path, prefix: str) -> str:
    return prefix + path.relative_to(root).as_posix()


def _walk_error(out: Discovery, root: Path, prefix: str):  # type: ignore[no-untyped-def]
    def handler(exc: OSError) -> None:
        name = Path(exc.filename) if exc.filename else root
        try:
            rel = _rel(name, root, prefix)
        except ValueError:
            rel = str(name)
        out.problems.append((rel, f"cannot open folder: {exc.strerror}"))

    return handler
