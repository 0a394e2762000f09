"""Letters and digits typed together are one word, as a reader of a technical blog means them."""

from __future__ import annotations

import pytest
from conftest import paths, write_posts

from indexer import index_posts
from search import Index

POSTS = {
    "vim9.md": "---\ntitle: 新しいスクリプト言語\ndate: 2019-03-01\n---\nVim9 script で関数を書き直した。\n",
    "magazine-sep.md": "---\ntitle: Vim Magazine 9 月号\ndate: 2019-09-30\n---\nVim の話題をまとめた。2019 年 9 月の号。\n",
    "magazine-oct.md": "---\ntitle: Vim Magazine 10 月号\ndate: 2019-10-31\n---\nVim 9 の噂と Vim の設定。\n",
    "python3.md": "---\ntitle: 移行\n---\nPython3 に移行した。HTML5 と ES2015 も使う。3nm の半導体。v1.2.3 を出した。\n",
    "python-3.md": "---\ntitle: 雑記\n---\nPython の本を 3 冊買った。HTML の 5 章。ES の 2015 年版。3 nm。v1 と 2 と 3。\n",
    "english.md": "---\ntitle: Notes\n---\nA short note. Some code follows.\n",
    "shortcode.md": "---\ntitle: Hugo\n---\nHugo のショートコードを自作した。\n",
}


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> Index:
    base = tmp_path_factory.mktemp("latin")
    write_posts(base / "posts", POSTS)
    index_posts([base / "posts"], base / "index", workers=1)
    return Index.open(base / "index")


def test_vim9_is_one_word(idx: Index) -> None:
    result = idx.search("Vim9")
    # "Vim 9" (with a space) still contains the string, but ranks below the word itself;
    # "Vim" and a 9 elsewhere (9 月号) are not a match.
    assert paths(result) == ["vim9.md", "magazine-oct.md"]
    hit = result.hits[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["Vim9"]


@pytest.mark.parametrize("query", ["Python3", "HTML5", "ES2015", "v1.2.3", "python3", "ＨＴＭＬ５"])
def test_alphanumeric_runs_match_as_typed(idx: Index, query: str) -> None:
    # python-3.md has Python and 3, HTML and 5 ... but never typed together.
    assert paths(idx.search(query)) == ["python3.md"]


def test_a_run_written_with_a_space_ranks_below(idx: Index) -> None:
    # "3 nm" still contains the string 3nm (whitespace is not searched), as grep would find it.
    assert paths(idx.search("3nm")) == ["python3.md", "python-3.md"]


def test_the_parts_of_a_run_still_find_it(idx: Index) -> None:
    # Vim finds the Vim9 post too, below the posts where Vim is a word of its own.
    found = paths(idx.search("Vim"))
    assert set(found) == {"vim9.md", "magazine-sep.md", "magazine-oct.md"}
    assert found[-1] == "vim9.md"


def test_katakana_run_does_not_match_through_english_aliases(idx: Index) -> None:
    # ショート and コード are Sudachi's forms of "short" and "code"; typed together they
    # mean the Japanese word ショートコード, not a post saying short here and code there.
    assert paths(idx.search("ショートコード")) == ["shortcode.md"]
    # Alone, a katakana word still finds the English word it transliterates.
    assert "english.md" in paths(idx.search("コード"))


def test_english_and_katakana_find_each_other_below_the_exact_spelling(tmp_path) -> None:  # type: ignore[no-untyped-def]
    write_posts(
        tmp_path / "posts",
        {
            "english.md": "---\ntitle: メモ\n---\nHTTP の server の設定を見直した。\n",
            "katakana.md": "---\ntitle: 雑記\n---\nウェブサーバーの設定を見直した。\n",
        },
    )
    index_posts([tmp_path / "posts"], tmp_path / "index", workers=1)
    idx = Index.open(tmp_path / "index")
    assert paths(idx.search("server")) == ["english.md", "katakana.md"]
    assert paths(idx.search("サーバー")) == ["katakana.md", "english.md"]
    hit = idx.search("サーバー").hits[1]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["server"]
