"""``title:`` means in the title, whichever way a word matches (word, part, substring, reading)."""

from __future__ import annotations

import pytest
from conftest import paths, write_posts

from indexer import index_posts
from search import Index

POSTS = {
    "title-server.md": "---\ntitle: 自宅サーバー構築\n---\n家の片隅に置いた機械の話。\n",
    "body-server.md": "---\ntitle: 週末の作業\n---\n古いサーバを片付けた。サーバーは重い。\n",
    "title-chip.md": "---\ntitle: 半導体の基礎\n---\n材料の話から始める。\n",
    "body-chip.md": "---\ntitle: 読書記録\n---\n半導体の本を読んだ。\n",
    "title-airport.md": "---\ntitle: 関西国際空港の朝\n---\n早起きした。\n",
    "body-airport.md": "---\ntitle: 旅の記録\n---\n関西国際空港から出発した。\n",
}


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> Index:
    base = tmp_path_factory.mktemp("scope")
    write_posts(base / "posts", POSTS)
    index_posts([base / "posts"], base / "index", workers=1)
    return Index.open(base / "index")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:サーバ", ["title-server.md"]),  # kana: word, substring and reading ways
        ("title:さーばー", ["title-server.md"]),
        ("title:はんどうたい", ["title-chip.md"]),  # reading of 半導体
        ("title:空港", ["title-airport.md"]),  # part of a compound
        ("title:国際空", ["title-airport.md"]),  # substring
        ('title:"関西国際空港の朝"', ["title-airport.md"]),
    ],
)
def test_title_scope_restricts_every_way_of_matching(idx: Index, query: str, expected: list[str]) -> None:
    assert paths(idx.search(query)) == expected


@pytest.mark.parametrize(
    ("query", "both"), [("サーバ", "server"), ("はんどうたい", "chip"), ("空港", "airport")]
)
def test_without_scope_both_match(idx: Index, query: str, both: str) -> None:
    assert sorted(paths(idx.search(query))) == [f"body-{both}.md", f"title-{both}.md"]
