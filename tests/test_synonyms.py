"""A query word also finds its synonyms from Sudachi's synonym groups, ranked below the word."""

from __future__ import annotations

import pytest
from conftest import paths, write_posts

from indexer import index_posts
from search import Index

POSTS = {
    "word.md": "---\ntitle: 買い物\n---\n新しいパソコンを買った。\n",
    "synonym.md": "---\ntitle: 衝動買い\n---\n小さな PC を買った。\n",
    "smartphone.md": "---\ntitle: 機種変更\n---\nスマートフォンを替えた。\n",
    "neither.md": "---\ntitle: 散歩\n---\n公園を歩いた。\n",
}


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> Index:
    base = tmp_path_factory.mktemp("syn")
    write_posts(base / "posts", POSTS)
    index_posts([base / "posts"], base / "index", workers=1)
    return Index.open(base / "index")


def test_synonyms_match_below_the_word(idx: Index) -> None:
    result = idx.search("パソコン")
    assert paths(result) == ["word.md", "synonym.md"]
    hit = result.hits[1]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["PC"]
    assert paths(idx.search("スマホ")) == ["smartphone.md"]


def test_synonyms_can_be_switched_off(idx: Index) -> None:
    assert paths(idx.search("パソコン", synonyms=False)) == ["word.md"]
    assert idx.search("スマホ", synonyms=False).total == 0


def test_explain_names_the_synonym(idx: Index) -> None:
    why = idx.explain("パソコン", post="synonym.md")
    assert why.post is not None and why.post.matched
    assert {w.how for w in why.post.ways} == {"synonym"}
    assert idx.explain("パソコン", post="synonym.md", synonyms=False).post.matched is False


def test_title_scope_keeps_to_the_title(idx: Index) -> None:
    assert idx.search("title:スマホ").total == 0
