"""Nightly re-runs over an archive whose files change under it: a file or folder that
cannot be read tonight keeps its posts in the index (they are not known to be gone), and
a named pipe with a post's name never blocks the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import tree_hashes, unprivileged, write_posts

from indexer import index_posts
from search import Index

SCRIPT = Path(sys.executable).parent / "search"
needs_script = pytest.mark.skipif(
    not SCRIPT.exists(), reason="console script not installed beside this Python"
)

POSTS = {
    "kept.md": "---\ntitle: 残る記事\n---\nのこる記事の本文。\n",
    "edited.md": "---\ntitle: 編集前\n---\nへんしゅうまえの本文。\n",
    "removed.md": "---\ntitle: 消える記事\n---\nきえる記事の本文。\n",
    "locked/a.md": "---\ntitle: 鍵A\n---\nかぎのかかった記事。一つ目。\n",
    "locked/deeper/b.md": "---\ntitle: 鍵B\n---\nかぎのかかった記事。二つ目。\n",
    "locked-not/c.md": "---\ntitle: 似た名前\n---\nにたなまえの記事。\n",
}


def index_cmd(
    posts: Path, index: Path, *extra: str, prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(prefix or []), str(SCRIPT), "index", str(posts), "--index", str(index), "--workers", "1", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=index.parent,
    )


def indexed(index: Path) -> dict[str, str]:
    """path → title of every post in the index."""
    return {
        h.path: h.title for h in Index.open(index).search("", sort="date", limit=100, snippets=False).hits
    }


@needs_script
def test_unreadable_file_and_folder_keep_their_posts_until_readable_again(tmp_path: Path) -> None:
    posts = write_posts(tmp_path / "posts", POSTS)
    index = tmp_path / "index"
    index_posts([posts], index, workers=1)
    assert len(indexed(index)) == len(POSTS)

    prefix = unprivileged()
    (posts / "edited.md").write_text("---\ntitle: 編集後\n---\nへんしゅうごの本文。\n", encoding="utf-8")
    (posts / "removed.md").unlink()
    before = tree_hashes(posts)
    (posts / "edited.md").chmod(0)
    (posts / "locked").chmod(0)
    try:
        proc = index_cmd(posts, index, "--quiet", prefix=prefix)
    finally:
        (posts / "edited.md").chmod(0o644)
        (posts / "locked").chmod(0o755)
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    assert sorted(proc.stderr.splitlines()) == [
        "skipped edited.md: cannot read: Permission denied",
        "skipped locked: cannot open folder: Permission denied",
    ]
    # Only the post that is really gone left the index; the unreadable ones kept what the
    # index had (the old title of edited.md), and a folder whose name merely starts the
    # same way was not taken for the locked one.
    assert indexed(index) == {
        "kept.md": "残る記事",
        "edited.md": "編集前",
        "locked/a.md": "鍵A",
        "locked/deeper/b.md": "鍵B",
        "locked-not/c.md": "似た名前",
    }
    assert Index.open(index).search('"かぎのかかった記事"').total == 2

    # Readable again: the edit is picked up, and nothing else is re-read or re-added.
    report = index_posts([posts], index, workers=1)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 1, 0, 4)
    assert report.skipped == []
    assert indexed(index)["edited.md"] == "編集後"
    assert tree_hashes(posts) == before


@needs_script
def test_a_named_pipe_with_a_post_name_does_not_block_the_run(tmp_path: Path) -> None:
    """Opening a FIFO for reading waits for a writer forever: a cron run would never end."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    posts = write_posts(tmp_path / "posts", {"real.md": "---\ntitle: 本物\n---\nほんもの。\n"})
    os.mkfifo(posts / "pipe.md")
    os.symlink("pipe.md", posts / "link-to-pipe.md")
    proc = index_cmd(posts, tmp_path / "index", "--verbose")
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stderr.splitlines()) == [
        "ignored link-to-pipe.md: not a regular file",
        "ignored pipe.md: not a regular file",
    ]
    assert list(indexed(tmp_path / "index")) == ["real.md"]
