"""The index directory on disk, shared by the reader (:mod:`search.index`) and the indexer.

Layout::

    .search-index/
        index.json        which generation is current, and the analyzer that built it
        gen-<stamp>/      a tantivy index
        .lock             held by the one indexing run allowed at a time

A full rebuild writes a new generation beside the current one and switches ``index.json``
to it with an atomic rename, so readers see either the old or the new index, never a mix
of old and new terms, and a crash during the rebuild leaves the old one in place.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from search.analysis import Analyzer
from search.errors import AnalyzerMismatchError, IndexFormatError, IndexNotFoundError
from search.schema import SCHEMA_VERSION, build_schema, register_tokenizers

META_FILE = "index.json"
LOCK_FILE = ".lock"
FORMAT = 1
REBUILD_HINT = "rebuild it with `search index --rebuild POSTS_DIR`"


@dataclass
class IndexMeta:
    generation: str
    analyzer: dict[str, Any]
    schema_version: int = SCHEMA_VERSION
    format: int = FORMAT
    timezone: str = "Asia/Tokyo"
    sources: list[str] = field(default_factory=list)
    updated: str = ""

    @classmethod
    def fresh(cls, generation: str, timezone: str, sources: list[str]) -> IndexMeta:
        return cls(generation=generation, analyzer=Analyzer.fingerprint(), timezone=timezone, sources=sources)

    def mismatch(self) -> str | None:
        """Why this index cannot be searched with the running code, or None if it can."""
        if self.format != FORMAT or self.schema_version != SCHEMA_VERSION:
            return (
                f"index format {self.format}/schema {self.schema_version}, "
                f"this program uses {FORMAT}/{SCHEMA_VERSION}"
            )
        current = Analyzer.fingerprint()
        if self.analyzer != current:
            diffs = ", ".join(
                f"{k} {self.analyzer.get(k)!r} → {current.get(k)!r}"
                for k in sorted(set(self.analyzer) | set(current))
                if self.analyzer.get(k) != current.get(k)
            )
            return f"analyzer changed ({diffs})"
        return None


def read_meta(root: Path) -> IndexMeta:
    path = root / META_FILE
    if not root.exists():
        raise IndexNotFoundError(f"no index at {root} yet; create it with `search index POSTS_DIR`")
    if not root.is_dir():
        raise IndexNotFoundError(f"{root} is a file, not an index folder; give --index a folder")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotFoundError(
            f"no index at {root} yet (no {META_FILE}); create it with `search index POSTS_DIR`"
        ) from None
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"cannot read {path}: {exc}") from exc
    try:
        meta = IndexMeta(**raw)
    except TypeError as exc:
        raise IndexFormatError(f"{path} is not an index description this program understands") from exc
    if not (root / meta.generation).is_dir():
        raise IndexFormatError(f"{path} points at missing {meta.generation}/; {REBUILD_HINT}")
    return meta


def check_compatible(root: Path, meta: IndexMeta) -> None:
    reason = meta.mismatch()
    if reason:
        raise AnalyzerMismatchError(f"the index at {root} was built differently: {reason}; {REBUILD_HINT}")


def write_meta(root: Path, meta: IndexMeta) -> None:
    """Replace index.json atomically (write, fsync, rename), so a crash leaves old or new."""
    meta.updated = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    tmp = root / f".{META_FILE}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(asdict(meta), fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, root / META_FILE)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk must not leave a half-written file behind
        raise
    _fsync_dir(root)


def new_generation(root: Path) -> str:
    name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
    (root / name).mkdir(parents=True)
    return name


def open_tantivy(path: Path) -> tantivy.Index:
    index = tantivy.Index.open(str(path))
    register_tokenizers(index)
    return index


def create_tantivy(path: Path) -> tantivy.Index:
    index = tantivy.Index(build_schema(), path=str(path), reuse=False)
    register_tokenizers(index)
    return index


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
