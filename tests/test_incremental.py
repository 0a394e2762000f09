"""Re-indexing touches only what changed; an index from another analyzer is never mixed in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import paths, tree_hashes, write_posts

from indexer import index_posts
from search import AnalyzerMismatchError, Index, IndexNotFoundError, SearchError

POSTS = {
    "a.md": "---\ntitle: 京都の旅\ntags: [旅行]\n---\n京都で抹茶を飲んだ。\n",
    "b.md": "---\ntitle: パン\ntags: [料理]\n---\n食パンを焼いた。\n",
    "c/d.md": "---\ntitle: 半導体\ntags: [技術]\n---\n半導体の記事。\n",
}


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, Path]:
    return write_posts(tmp_path / "posts", POSTS), tmp_path / "index"


def test_first_run_adds_everything_second_run_nothing(archive: tuple[Path, Path]) -> None:
    posts, index = archive
    first = index_posts([posts], index, workers=1)
    assert (first.added, first.updated, first.deleted, first.unchanged) == (3, 0, 0, 0)
    second = index_posts([posts], index, workers=1)
    assert (second.added, second.updated, second.deleted, second.unchanged) == (0, 0, 0, 3)
    assert second.posts == 3


def test_edit_add_delete_rename(archive: tuple[Path, Path]) -> None:
    posts, index = archive
    index_posts([posts], index, workers=1)
    idx = Index.open(index)
    (posts / "b.md").write_text("---\ntitle: パン\n---\nフランスパンを焼いた。\n", encoding="utf-8")
    (posts / "new.md").write_text("---\ntitle: 新しい記事\n---\n北海道へ行った。\n", encoding="utf-8")
    (posts / "a.md").unlink()
    (posts / "c" / "d.md").rename(posts / "c" / "moved.md")
    report = index_posts([posts], index, workers=1)
    assert (report.added, report.updated, report.deleted, report.renamed) == (1, 1, 1, 1)
    assert report.posts == 3
    # The already-open Index sees the new commit.
    assert paths(idx.search("フランスパン")) == ["b.md"]
    assert idx.search("食パン", mode="all").total == 0  # (a partial match on パン remains)
    assert paths(idx.search("北海道")) == ["new.md"]
    assert idx.search("京都").total == 0
    assert paths(idx.search("半導体")) == ["c/moved.md"]


def test_touched_but_unchanged_file_is_not_reindexed(archive: tuple[Path, Path]) -> None:
    posts, index = archive
    index_posts([posts], index, workers=1)
    os.utime(posts / "a.md", ns=(1, 1))
    report = index_posts([posts], index, workers=1)
    assert (report.updated, report.unchanged) == (0, 3)


def test_post_that_becomes_a_draft_leaves_the_index(archive: tuple[Path, Path]) -> None:
    posts, index = archive
    index_posts([posts], index, workers=1)
    (posts / "a.md").write_text(
        "---\ntitle: 京都の旅\ndraft: true\n---\n京都で抹茶を飲んだ。\n", encoding="utf-8"
    )
    report = index_posts([posts], index, workers=1)
    assert report.deleted == 1 and report.posts == 2
    assert report.drafts == [("a.md", "draft: true")] and report.skipped == []
    assert Index.open(index).search("京都").total == 0
    assert index_posts([posts], index, workers=1, include_drafts=True).added == 1


def test_rerun_without_folder_reuses_the_previous_sources(archive: tuple[Path, Path]) -> None:
    posts, index = archive
    index_posts([posts], index, workers=1)
    (posts / "e.md").write_text("# 追加\n本文\n", encoding="utf-8")
    assert index_posts([], index, workers=1).added == 1


def test_posts_are_never_modified(archive: tuple[Path, Path]) -> None:
    posts, index = archive
    before = tree_hashes(posts)
    index_posts([posts], index, workers=1)
    index_posts([posts], index, workers=1, rebuild=True)
    assert tree_hashes(posts) == before


def test_opening_a_missing_index_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="search index"):
        Index.open(tmp_path / "nothing-here")


def _pretend_other_analyzer(index: Path) -> None:
    meta_path = index / "index.json"
    meta = json.loads(meta_path.read_text())
    meta["analyzer"]["analyzer_version"] = 0
    meta["analyzer"]["dictionary"] = "core 20200101"
    meta_path.write_text(json.dumps(meta))


def test_index_from_another_analyzer_is_refused_then_rebuilt(archive: tuple[Path, Path]) -> None:
    posts, index = archive
    index_posts([posts], index, workers=1)
    _pretend_other_analyzer(index)
    with pytest.raises(AnalyzerMismatchError) as info:
        Index.open(index)
    assert "--rebuild" in str(info.value) and "dictionary" in str(info.value)
    report = index_posts([posts], index, workers=1)
    assert report.rebuilt and "analyzer changed" in report.rebuilt
    assert report.added == 3
    assert paths(Index.open(index).search("抹茶")) == ["a.md"]
    generations = [p.name for p in index.iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 1


def test_rebuild_switches_generation_under_an_open_reader(archive: tuple[Path, Path]) -> None:
    posts, index = archive
    index_posts([posts], index, workers=1)
    idx = Index.open(index)
    assert idx.search("抹茶").total == 1
    (posts / "a.md").unlink()
    index_posts([posts], index, workers=1, rebuild=True)
    assert idx.search("抹茶").total == 0
    assert idx.search("半導体").total == 1


def test_an_empty_posts_folder_does_not_empty_the_index(archive: tuple[Path, Path], tmp_path: Path) -> None:
    """An unmounted share looks like every post deleted; the nightly run must refuse."""
    posts, index = archive
    index_posts([posts], index, workers=1)
    empty = tmp_path / "mountpoint"
    empty.mkdir()
    with pytest.raises(SearchError) as info:
        index_posts([empty], index, workers=1)
    assert "not deleting them" in str(info.value) and "--rebuild" in str(info.value)
    assert Index.open(index).search("", sort="date", limit=10).total == 3
    emptied = index_posts([empty], index, workers=1, rebuild=True)
    assert emptied.posts == 0 and Index.open(index).search("", sort="date", limit=10).total == 0
