"""Several posts folders in one index: every post keeps an identity of its own.

A post's identity is its path, prefixed by its root's folder name when there are several
roots. Two Hugo sites both have a ``content`` folder: their posts must not collide.
"""

from __future__ import annotations

from pathlib import Path

from conftest import write_posts

from indexer import index_posts
from search import Index


def post(title: str, word: str) -> str:
    return f"---\ntitle: {title}\n---\n{word}の記事。\n"


def test_roots_with_the_same_name_keep_their_posts_apart(tmp_path: Path) -> None:
    one = write_posts(
        tmp_path / "site1" / "content",
        {"post.md": post("一つ目", "いちばん"), "only1.md": post("片方", "かたほう")},
    )
    two = write_posts(tmp_path / "site2" / "content", {"post.md": post("二つ目", "にばん")})
    index = tmp_path / "index"
    first = index_posts([one, two], index, workers=1)
    assert (first.added, first.posts) == (3, 3)
    idx = Index.open(index)
    assert [h.path for h in idx.search('"いちばん"').hits] == ["site1/content/post.md"]
    assert [h.path for h in idx.search('"にばん"').hits] == ["site2/content/post.md"]
    assert [h.path for h in idx.search('"かたほう"').hits] == ["site1/content/only1.md"]

    # The identity does not depend on the order the folders are given in.
    again = index_posts([two, one], index, workers=1)
    assert (again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 3)
    # An edit to one site's post.md touches only that post.
    (two / "post.md").write_text(post("二つ目", "にばんめ改訂"), encoding="utf-8")
    edited = index_posts([one, two], index, workers=1)
    assert (edited.updated, edited.unchanged, edited.posts) == (1, 2, 3)
    assert [h.path for h in idx.search('"いちばん"').hits] == ["site1/content/post.md"]
    assert [h.path for h in idx.search('"にばんめ改訂"').hits] == ["site2/content/post.md"]


def test_roots_with_different_names_are_prefixed_by_their_name(tmp_path: Path) -> None:
    posts = write_posts(tmp_path / "a" / "posts", {"p.md": post("投稿", "とうこう")})
    notes = write_posts(tmp_path / "b" / "notes", {"p.md": post("覚え書き", "おぼえがき")})
    index_posts([posts, notes], tmp_path / "index", workers=1)
    everything = Index.open(tmp_path / "index").search("", sort="date", limit=10, snippets=False)
    assert sorted(h.path for h in everything.hits) == ["notes/p.md", "posts/p.md"]
