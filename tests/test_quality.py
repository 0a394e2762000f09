"""Retrieval quality: the eight behaviours a Japanese reader relies on, on a real index.

Each post is written so that exactly one property decides the outcome (one field, one
spelling, one distance), so a failure points at the behaviour that broke.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from indexer import index_posts
from search import Index
from search.errors import PostNotFoundError
from search.normalize import fold
from tests.conftest import paths, write_posts

VARIANTS = [
    ("ＡＩ", "ai"),
    ("ｱﾏｿﾞﾝ", "アマゾン"),
    ("amazon", "Amazon"),
    ("コンピュータ", "コンピューター"),
    ("サーバ", "サーバー"),
    ("引越し", "引っ越し"),
    ("附属", "付属"),
    ("りんご", "リンゴ"),
    ("時々", "時時"),
    ("さゝやか", "ささやか"),
    ("いすゞ", "いすず"),
    ("㈱", "株"),
    ("①", "1"),
    ("㍻", "平成"),
]


def post(title: str, body: str, date: str = "2024-05-01", **meta: object) -> str:
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items()]
    return "\n".join([*lines, "---", body, ""])


POSTS: dict[str, str] = {
    # 2. parts of compounds, and whole words above characters inside other words
    "compound/kix.md": post("出発の日", "関西国際空港から朝の便で出発した。"),
    "compound/airport.md": post("出発の朝", "空港まで電車で行って出発した。"),
    "compound/tmu.md": post("散歩", "東京都立大学のキャンパスを歩いた。"),
    "compound/chip.md": post("新製品", "新しいAIチップの発表を聞いた。"),
    "compound/kyoto.md": post("お茶の時間", "京都で抹茶を飲んで休んだ。"),
    "compound/tocho.md": post("お茶の時間", "東京都庁で抹茶を飲んで休んだ。"),
    # 3. reading search
    "reading/kanji.md": post("工場見学", "半導体の工場を見学した。東京から来た人と話した。"),
    "reading/kana.md": post("ひらがなの日記", "はんどうたいのはなしを、ひらがなだけでかいた。"),
    "reading/rice.md": post("朝の支度", "朝ごはんを食べてから、はんこを押した。"),
    # 4. questions and partial matches
    "nl/fuji.md": post("富士山に登った", "日本で一番高い山は富士山です。標高は3776メートルあります。"),
    "nl/mountains.md": post("山の写真", "日本には山がたくさんあります。写真を撮りに行きました。"),
    "nl/building.md": post("高いビル", "東京で一番高いビルを見上げた。"),
    # 5. query syntax
    "syntax/hanako.md": post(
        "街の本屋", "駅前の本屋で旅行記を買った。", author="花子", categories=["読書"], tags=["本"]
    ),
    "syntax/taro.md": post(
        "旅の準備", "旅行記を読んで旅の準備をした。", author="太郎", categories=["旅行"], tags=["旅"]
    ),
    # 6. field weights: 蕎麦 is in exactly one field of each post
    "field/title.md": post("蕎麦の打ち方入門", "週末に粉と水を用意して道具をそろえた。"),
    "field/tags.md": post("週末の記録", "週末に粉と水を用意して道具をそろえた。", tags=["蕎麦", "料理"]),
    "field/excerpt.md": post("週末の記録", "週末に粉と水を用意して道具をそろえた。", excerpt="蕎麦の話"),
    "field/body.md": post("週末の記録", "週末に粉と水を用意して蕎麦の道具をそろえた。"),
    # 6. words close together above words far apart
    "near/close.md": post("夏の夜", "ロケットの打ち上げを海辺で見た。帰りに駅前で夕飯を食べた。"),
    "near/far.md": post("夏の夜", "ロケットの模型を作った。帰りに駅前で花火の打ち上げを見た。"),
    # 6. recency: same text, ten years apart
    "recent/old.md": post("灯台めぐり", "岬の灯台を訪ねた。", date="2016-04-01"),
    "recent/new.md": post("灯台めぐり", "岬の灯台を訪ねた。", date="2026-04-01"),
    # 7. the passage with the most query words
    "snip/long.md": post(
        "秋の記録",
        "紅葉の季節になった。"
        + "特に何もない一日だった。" * 30
        + "\n\n山で紅葉を写真に撮った。"
        + "その後も特に何もない一日だった。" * 30,
    ),
}
for i, (a, b) in enumerate(VARIANTS):
    POSTS[f"variants/v{i}a.md"] = post(f"表記{i}", f"今日は{a}について書きます。")
    POSTS[f"variants/v{i}b.md"] = post(f"表記{i}", f"今日は{b}について書きます。")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_posts(tmp_path_factory.mktemp("quality") / "posts", POSTS)


@pytest.fixture(scope="module")
def idx(archive: Path) -> Index:
    where = archive.parent / "index"
    index_posts([archive], where, workers=1)
    return Index.open(where)


def found(idx: Index, query: str, **kwargs: object) -> list[str]:
    return paths(idx.search(query, limit=100, snippets=False, **kwargs))  # type: ignore[arg-type]


# 1. spelling variants ------------------------------------------------------------------


@pytest.mark.parametrize(("i", "pair"), list(enumerate(VARIANTS)), ids=[f"{a}={b}" for a, b in VARIANTS])
def test_spelling_variants_match_each_other_both_ways(idx: Index, i: int, pair: tuple[str, str]) -> None:
    for query in pair:
        hits = found(idx, query)
        assert f"variants/v{i}a.md" in hits, query
        assert f"variants/v{i}b.md" in hits, query


# 2. parts of compounds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "post_path"),
    [("空港", "compound/kix.md"), ("都立大学", "compound/tmu.md"), ("チップ", "compound/chip.md")],
)
def test_part_of_a_compound_finds_the_compound(idx: Index, query: str, post_path: str) -> None:
    assert post_path in found(idx, query)


@pytest.mark.parametrize(
    "query", ["空港", "国際空港", "都立大学", "京都", "抹茶", "チップ", "株", "東", "港", "ビル"]
)
def test_every_post_containing_the_string_is_found_as_grep_would(idx: Index, query: str) -> None:
    grep = {
        rel
        for rel, text in POSTS.items()
        if fold(query) in fold(text.split("---", 2)[2]) or fold(query) in fold(text.split("\n")[1][7:])
    }
    assert grep, "the test needs at least one post to contain the query"
    assert grep <= set(found(idx, query))


@pytest.mark.parametrize(
    ("query", "word_post", "inside_post"),
    [("空港", "compound/airport.md", "compound/kix.md"), ("京都", "compound/kyoto.md", "compound/tocho.md")],
)
def test_whole_word_ranks_above_characters_inside_another_word(
    idx: Index, query: str, word_post: str, inside_post: str
) -> None:
    hits = found(idx, query)
    assert hits.index(word_post) < hits.index(inside_post)


# 3. reading search -----------------------------------------------------------------------


def test_kana_query_finds_the_kanji_spelling_below_the_kana_spelling(idx: Index) -> None:
    hits = found(idx, "はんどうたい")
    assert hits[:2] == ["reading/kana.md", "reading/kanji.md"]
    assert "reading/kanji.md" in found(idx, "とうきょう")
    assert "reading/kanji.md" in found(idx, "ハンドウタイ")
    # Sudachi splits はんどうたい into はん / どう / たい; the fragment はん must not be enough.
    assert "reading/rice.md" not in found(idx, "はんどうたい")


# 4. natural language -------------------------------------------------------------------


def test_question_finds_the_answering_post_first(idx: Index) -> None:
    result = idx.search("日本で一番高い山はどこですか", snippets=False)
    assert paths(result)[0] == "nl/fuji.md"
    assert not result.partial  # fuji.md has every content word of the question


def test_question_without_a_complete_answer_is_flagged_partial(idx: Index) -> None:
    result = idx.search("富士山の近くでおいしいラーメンを食べられる店は？", snippets=False)
    assert result.partial
    assert paths(result)[0] == "nl/fuji.md"


def test_short_keyword_queries_stay_and(idx: Index) -> None:
    result = idx.search("日本 山", limit=20, snippets=False)
    assert not result.partial
    assert set(paths(result)) == {"nl/fuji.md", "nl/mountains.md"}


def test_cli_says_when_results_are_partial(idx: Index) -> None:
    out = CliRunner().invoke(main, ["query", "--index", str(idx.root), "富士山", "高層ビル"])
    assert out.exit_code == 0
    assert "partial" in out.output


# 5. query syntax ---------------------------------------------------------------------------


def test_query_syntax(idx: Index) -> None:
    assert found(idx, "旅行記 author:花子") == ["syntax/hanako.md"]
    assert found(idx, "旅行記 category:旅行") == ["syntax/taro.md"]
    assert found(idx, "旅行記 tag:本") == ["syntax/hanako.md"]
    assert found(idx, "「旅の準備」") == ["syntax/taro.md"]
    # 準備 also finds its synonym 用意 (two more posts), ranked below the word itself.
    assert set(found(idx, "本屋 OR 準備")[:2]) == {"syntax/hanako.md", "syntax/taro.md"}
    assert found(idx, "旅行記 -本屋") == ["syntax/taro.md"]
    assert found(idx, "title:本屋") == ["syntax/hanako.md"]
    assert "recent/old.md" not in found(idx, "灯台 since:2020-01-01")
    assert found(idx, "灯台 until:2020-01-01") == ["recent/old.md"]


# 6. ranking ---------------------------------------------------------------------------------


def test_fields_rank_title_then_tags_then_excerpt_then_body(idx: Index) -> None:
    hits = [p for p in found(idx, "蕎麦") if p.startswith("field/")]
    assert hits == ["field/title.md", "field/tags.md", "field/excerpt.md", "field/body.md"]


def test_words_standing_together_rank_above_words_apart(idx: Index) -> None:
    hits = found(idx, "ロケット 打ち上げ")
    assert hits[:2] == ["near/close.md", "near/far.md"]


def test_recency_favours_newer_posts_only_when_asked(idx: Index) -> None:
    assert found(idx, "灯台", recency=1.0)[:2] == ["recent/new.md", "recent/old.md"]
    assert found(idx, "灯台", sort="date")[:2] == ["recent/new.md", "recent/old.md"]
    relevance = idx.search("灯台", snippets=False).hits
    assert relevance[0].score == pytest.approx(relevance[1].score)  # equal text, equal score


# 7. snippets and highlights -------------------------------------------------------------


def marked(hit) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit.snippet[s:e] for s, e in hit.highlights]


def test_snippet_is_the_passage_with_the_most_query_words(idx: Index) -> None:
    hit = idx.search("紅葉 写真").hits[0]
    assert hit.path == "snip/long.md"
    assert "紅葉を写真に撮った" in hit.snippet
    assert {"紅葉", "写真"} <= set(marked(hit))


def test_variant_reading_and_partial_matches_are_highlighted_as_written(idx: Index) -> None:
    by_path = {h.path: h for h in idx.search("コンピュータ").hits}
    assert marked(by_path["variants/v3b.md"]) == ["コンピューター"]
    by_path = {h.path: h for h in idx.search("はんどうたい").hits}
    assert marked(by_path["reading/kanji.md"]) == ["半導体"]
    by_path = {h.path: h for h in idx.search("空港").hits}
    assert marked(by_path["compound/kix.md"]) == ["空港"]


# 8. explain ---------------------------------------------------------------------------------


def test_explain_shows_the_analysis(idx: Index) -> None:
    exp = idx.explain("引越しの準備")
    tokens = exp.clauses[0].tokens
    assert [(t.surface, t.term, t.kind) for t in tokens] == [
        ("引越し", "引っ越し", "content"),
        ("の", "の", "function"),
        ("準備", "準備", "content"),
    ]
    assert tokens[0].reading == "ヒッコシ"
    assert tokens[0].fields["body_w"] == "引っ越し"


def test_explain_says_how_a_post_matched(idx: Index) -> None:
    exp = idx.explain("空港", post="compound/kix.md")
    assert exp.post is not None and exp.post.matched and exp.post.rank == 2
    assert (exp.post.ways[0].how, exp.post.ways[0].field) == ("part", "alt")
    assert exp.post.score == pytest.approx(idx.search("空港").hits[1].score, rel=1e-4)


def test_explain_says_why_a_post_did_not_match(idx: Index) -> None:
    missing = idx.explain("空港 ラーメン", post="kix.md").post
    assert missing is not None and missing.missing == ["ラーメン"]
    filtered = idx.explain("空港", post="kix.md", tags=["料理"]).post
    assert filtered is not None and filtered.filtered_out and not filtered.matched
    excluded = idx.explain("空港 -関西", post="kix.md").post
    assert excluded is not None and excluded.excluded_by == ["関西"] and not excluded.matched
    with pytest.raises(PostNotFoundError):
        idx.explain("空港", post="no-such-post.md")


def test_explain_command(idx: Index) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["explain", "--index", str(idx.root), "空港", "ラーメン", "--post", "kix.md"])
    assert ok.exit_code == 0
    assert "rank 2" in ok.output and "ラーメン: not found" in ok.output
    as_json = runner.invoke(main, ["explain", "--index", str(idx.root), "空港", "--post", "kix.md", "--json"])
    assert json.loads(as_json.output)["post"]["rank"] == 2
    bad = runner.invoke(main, ["explain", "--index", str(idx.root), "空港", "--post", "nope.md"])
    assert bad.exit_code == 1 and "no indexed post" in bad.output and "Traceback" not in bad.output
