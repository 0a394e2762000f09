"""Shared fixtures: real Sudachi, real tantivy indexes on disk, real files in tmp folders."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer import index_posts
from search import Index
from search.analysis import Analyzer

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_POSTS = ROOT / "sample_posts"
SHARED_DATA = ROOT.parent / "shared" / "data"


def write_posts(folder: Path, posts: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: content}``; str content is dedented and UTF-8 encoded."""
    for rel, content in posts.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        else:
            path.write_bytes(content)
    return folder


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


DROP_DAC = "-dac_override,-dac_read_search"


def unprivileged() -> list[str]:
    """A command prefix under which file permissions apply. Root reads and writes anything,
    so as root the capabilities that bypass permissions are dropped for the child process
    (util-linux setpriv); skips the test where that cannot be done."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which bypasses file permissions, and setpriv is missing to drop that")
    prefix = [setpriv, "--bounding-set", DROP_DAC, "--inh-caps", DROP_DAC]
    if subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root, which bypasses file permissions, and setpriv cannot drop that here")
    return prefix


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


BuildFn = Callable[..., Index]


@pytest.fixture
def build(tmp_path: Path) -> BuildFn:
    """Write posts into tmp/posts, index them into tmp/index, return the opened Index."""

    def _build(posts: dict[str, str | bytes], **kwargs: object) -> Index:
        folder = write_posts(tmp_path / "posts", posts)
        index_posts([folder], tmp_path / "index", workers=1, **kwargs)  # type: ignore[arg-type]
        return Index.open(tmp_path / "index")

    return _build


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The bundled sample archive, indexed once for the whole session."""
    where = tmp_path_factory.mktemp("sample") / "index"
    index_posts([SAMPLE_POSTS], where)
    return Index.open(where)


def paths(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.path for h in result.hits]
