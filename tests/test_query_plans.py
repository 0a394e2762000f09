"""Which plan a query gets: what a reader who types a remembered line or a rare compound means."""

from __future__ import annotations

import pytest
from conftest import paths, write_posts

from indexer import index_posts
from search import Index

POSTS = {
    "sign.md": "---\ntitle: 署名の話\n---\n電子署名の仕組みを説明する。電子署名は鍵で作る。\n",
    "law.md": "---\ntitle: 法律の本\n---\n法の下の平等について。\n",
    "report.md": "---\ntitle: 週末の記録\n---\n「CRYPTREC Report 2015の公開」他、暗号の話題をまとめた。\n",
    "other-report.md": "---\ntitle: CRYPTREC Report 2015の公開\n---\n報告書が出た。\n",
    "goenv.md": "---\ntitle: 環境変数\n---\ngo env コマンドに -w オプションを付けると設定を書き込める。\n",
    "long-1.md": "---\ntitle: 旅の記録\n---\n京都で抹茶と和菓子を楽しみ、寺を巡った。\n",
    "long-2.md": "---\ntitle: 京都\n---\n京都の寺を巡った。\n",
    "generics.md": "---\ntitle: 型の話\n---\nGo 1.18 でジェネリクスが入った。型パラメータを使う。\n",
    "about.md": "---\ntitle: 雑記\n---\n天気について書く。技術に関しては別の記事で。\n",
    "hanko.md": "---\ntitle: 印鑑\n---\nはんこのニュースを読んだ。どうしたものか。\n",
}


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> Index:
    base = tmp_path_factory.mktemp("plans")
    write_posts(base / "posts", POSTS)
    index_posts([base / "posts"], base / "index", workers=1)
    return Index.open(base / "index")


def test_a_compound_no_post_has_falls_back_to_most_of_it(idx: Index) -> None:
    # No post has 電子署名法; the post with 電子署名 is the best partial match.
    result = idx.search("電子署名法")
    assert result.partial
    assert paths(result)[0] == "sign.md"
    assert idx.search("電子署名法", mode="all").total == 0
    why = idx.explain("電子署名法")
    assert why.partial


def test_quotes_inside_a_sentence_are_punctuation(idx: Index) -> None:
    # Not the phrase 「CRYPTREC Report 2015の公開」 AND the word 他: the remembered line.
    found = paths(idx.search("「CRYPTREC Report 2015の公開」他"))
    assert found[:2] == ["report.md", "other-report.md"] or found[:2] == ["other-report.md", "report.md"]
    # A quoted phrase that stands apart is still a phrase.
    assert paths(idx.search("「CRYPTREC Report 2015の公開」")) in (
        ["other-report.md", "report.md"],
        ["report.md", "other-report.md"],
    )


def test_a_dash_inside_a_sentence_does_not_exclude(idx: Index) -> None:
    assert paths(idx.search("go env コマンドに -w オプションを付ける"))[0] == "goenv.md"
    assert "goenv.md" not in paths(idx.search("go env -w"))  # keywords: -w excludes


def test_long_keyword_lists_rank_posts_with_most_of_the_words(idx: Index) -> None:
    # Four keywords, no post has them all: the post with most of them first, not nothing.
    result = idx.search("京都 抹茶 和菓子 寺 紅葉")
    assert result.partial
    assert set(paths(result)) == {"long-1.md", "long-2.md"}
    # Three keywords still mean all three; only when no post has them all, partial matches.
    assert idx.search("京都 寺 和菓子").total == 1
    assert idx.search("京都 抹茶 紅葉", mode="all").total == 0


def test_a_month_named_in_the_query_favours_posts_of_that_month(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Monthly posts rarely repeat their own date in the text, but a reader remembers it.
    body = "今月のリンク集。プラグインの話題を集めた。\n"
    write_posts(
        tmp_path / "posts",
        {
            "2024-05-31-monthly.md": f"---\ntitle: 月報\ndate: 2024-05-31\n---\n{body}",
            "2024-06-30-monthly.md": f"---\ntitle: 月報\ndate: 2024-06-30\n---\n{body}",
            "2024-07-31-monthly.md": f"---\ntitle: 月報\ndate: 2024-07-31\n---\n{body}",
        },
    )
    index_posts([tmp_path / "posts"], tmp_path / "index", workers=1)
    idx = Index.open(tmp_path / "index")
    assert paths(idx.search("月報 2024 年 6 月号"))[0] == "2024-06-30-monthly.md"
    assert paths(idx.search("2024-07 のリンク集"))[0] == "2024-07-31-monthly.md"
    assert any("2024-06" in note for note in idx.explain("月報 2024 年 6 月号").notes)
    # The date's words are matched by the post's date: no text says 2024-06-30, yet it is
    # required by the keyword plan.
    assert paths(idx.search("2024-06-30 月報")) == ["2024-06-30-monthly.md"]
    assert paths(idx.search("2024-06-30 のリンク集"))[0] == "2024-06-30-monthly.md"
    why = idx.explain("2024-06-30 のリンク集", post="2024-06-30-monthly.md")
    assert [(w.how, w.term) for w in why.post.ways if w.word == "2024-06-30"] == [("date", "2024-06-30")]


@pytest.mark.parametrize("query", ["ジェネリクスについて", "ジェネリクス について", "ジェネリクスに関して"])
def test_a_compound_particle_is_not_a_word_the_post_must_contain(idx: Index, query: str) -> None:
    # 「について」 is に + つい + て to Sudachi; つい once had to be in the post, so only the
    # posts that say について came up, as partial matches, and the post about ジェネリクス not.
    result = idx.search(query)
    assert paths(result) == ["generics.md"] and not result.partial


def test_a_compound_particle_typed_alone_is_matched_as_written(idx: Index) -> None:
    # Its words (に, つい, て) would each match nearly every post, and made it a "sentence".
    assert sorted(paths(idx.search("について"))) == ["about.md", "law.md"]
    assert sorted(paths(idx.search("について OR ジェネリクス"))) == ["about.md", "generics.md", "law.md"]


def test_hiragana_fragments_beside_a_katakana_word_are_still_a_guess(idx: Index) -> None:
    # はんどうたい is はん / どう / たい to Sudachi: a post with はんこ and どう is no match for it.
    assert idx.search("はんどうたいのニュース", mode="all").total == 0
