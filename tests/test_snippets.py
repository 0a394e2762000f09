"""Snippets come from the original text; highlights mark exactly the characters that matched."""

from __future__ import annotations

import pytest
from conftest import write_posts

from indexer import index_posts
from search import Index

LONG_INTRO = "これは前置きの文章です。" * 30

POSTS = {
    "wide.md": "---\ntitle: 全角の記事\n---\nこの記事はＡＩについて書いた。ＰＣも使う。\n",
    "half.md": "---\ntitle: 半角カナ\n---\n請求書には「ｱﾏｿﾞﾝ ｻｰﾊﾞｰ代」と書いてあった。\n",
    "server.md": "---\ntitle: サーバの話\n---\n自宅のサーバを新しいコンピューターに替えた。\n",
    "long.md": f"---\ntitle: 長い記事\n---\n{LONG_INTRO}\n\n最後の段落で半導体の話をする。\n",
    "era.md": "---\ntitle: 元号\n---\n㍻30年に㈱を設立した。\n",
    "airport.md": "---\ntitle: 旅\n---\n関西国際空港から出発した。\n",
}


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> Index:
    base = tmp_path_factory.mktemp("snip")
    write_posts(base / "posts", POSTS)
    index_posts([base / "posts"], base / "index", workers=1)
    return Index.open(base / "index")


def marked(hit) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit.snippet[s:e] for s, e in hit.highlights]


def only_hit(idx: Index, query: str):  # type: ignore[no-untyped-def]
    result = idx.search(query)
    assert result.total == 1, [h.path for h in result.hits]
    return result.hits[0]


@pytest.mark.parametrize("query", ["AI", "ai", "ＡＩ"])
def test_full_width_text_is_marked_in_full_width(idx: Index, query: str) -> None:
    assert marked(only_hit(idx, query)) == ["ＡＩ"]


@pytest.mark.parametrize("query", ["アマゾン", "ｱﾏｿﾞﾝ"])
def test_half_width_katakana_is_marked_whole(idx: Index, query: str) -> None:
    hit = only_hit(idx, query)
    assert hit.path == "half.md"
    assert marked(hit) == ["ｱﾏｿﾞﾝ"]


def test_variant_spelling_is_marked_as_written(idx: Index) -> None:
    hits = {h.path: h for h in idx.search("サーバー").hits}
    assert marked(hits["server.md"]) == ["サーバ"]
    assert marked(hits["half.md"]) == ["ｻｰﾊﾞｰ"]  # the half-width spelling is the same word
    hit = only_hit(idx, "コンピュータ")
    assert marked(hit) == ["コンピューター"]


def test_snippet_window_moves_to_the_match(idx: Index) -> None:
    hit = only_hit(idx, "半導体")
    assert hit.snippet.startswith("…")
    assert marked(hit) == ["半導体"]
    assert len(hit.snippet) <= 150


def test_compatibility_characters(idx: Index) -> None:
    assert marked(only_hit(idx, "平成")) == ["㍻"]
    assert "㈱" in marked(only_hit(idx, "株"))[0]


def test_part_of_a_compound_marks_only_the_part(idx: Index) -> None:
    assert marked(only_hit(idx, "空港")) == ["空港"]


def test_title_highlights(idx: Index) -> None:
    hit = only_hit(idx, "元号")
    assert [hit.title[s:e] for s, e in hit.title_highlights] == ["元号"]


def test_no_snippets_when_not_wanted(idx: Index) -> None:
    hit = idx.search("半導体", snippets=False).hits[0]
    assert hit.snippet == "" and hit.highlights == []


def test_highlights_after_a_voiced_iteration_mark(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # あ has no voiced form, so ゞ after it once folded to two characters with one offset:
    # every highlight after it shifted, and a match at the very end raised IndexError.
    write_posts(
        tmp_path / "posts", {"kana.md": "---\ntitle: 踊り字\n---\n踊り字の例：あゞ、みすゞ。変換表\n"}
    )
    index_posts([tmp_path / "posts"], tmp_path / "index", workers=1)
    idx = Index.open(tmp_path / "index")
    hit = only_hit(idx, "変換表")
    assert marked(hit) == ["変換表"]
    hit = only_hit(idx, "あゞ")
    assert marked(hit) == ["あゞ"]


@pytest.fixture(scope="module")
def prose_and_code(tmp_path_factory: pytest.TempPathFactory) -> Index:
    base = tmp_path_factory.mktemp("prose")
    posts = {
        "errors.md": "---\ntitle: 例外の扱い\n---\nGo でエラーを処理する方法です。ここでは簡単に書く。\n",
        "crypto.md": "---\ntitle: メモ\n---\nファイルを暗号化で守り、署名で確かめる。\n",
        "tool.md": "---\ntitle: 整形\n---\n保存する前に整形する。\n\n```sh\ncd project\ngofmt -l -w ./cmd\n```\n",
        "install.md": "---\ntitle: 導入\n---\nWindows 版 Vim のインストール方法をまとめる。設定について書く。\n",
        "books.md": "---\ntitle: 読書\n---\n技術に関する本と、ジェネリクスについての記事を読んだ。\n",
    }
    write_posts(base / "posts", posts)
    index_posts([base / "posts"], base / "index", workers=1)
    return Index.open(base / "index")


@pytest.mark.parametrize(
    ("query", "allowed"),
    [
        ("Goでエラーを処理するにはどうすればいいですか", {"Go", "エラー", "処理"}),
        ("暗号化 で 署名", {"暗号化", "署名"}),
        # A clause typed apart is marked as a string, without the particles at its ends.
        ("Windows 版 Vim のインストール方法", {"Windows", "版", "Vim", "インストール方法"}),
        ("設定について教えてください", {"設定"}),  # について is a particle, つい no word
    ],
)
def test_questions_highlight_content_words_only(prose_and_code: Index, query: str, allowed: set[str]) -> None:
    hit = prose_and_code.search(query).hits[0]
    shown = marked(hit)
    assert shown and set(shown) <= allowed, shown


def test_a_match_only_in_code_shows_the_code_line(prose_and_code: Index) -> None:
    hit = only_hit(prose_and_code, "gofmt")
    assert hit.snippet == "gofmt -l -w ./cmd" and hit.snippet_in_code
    assert marked(hit) == ["gofmt"]
    prose = only_hit(prose_and_code, "整形")
    assert not prose.snippet_in_code and "整形" in marked(prose)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("関する", ["関する"]),  # a particle in 「に関する」, yet the word asked for is marked
        ("ジェネリクスについて", ["ジェネリクス"]),  # not the particles after it
    ],
)
def test_marks_follow_the_words_asked_for(prose_and_code: Index, query: str, expected: list[str]) -> None:
    assert marked(only_hit(prose_and_code, query)) == expected
