"""Searching a small fixture archive whose every post is known: AND, phrases, filters, sorting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import paths, write_posts

from indexer import index_posts
from search import Index, InvalidDateError, QuerySyntaxError

POSTS = {
    "_posts/2025-03-01-ai-chip.md": """
        ---
        title: AIチップの投資ブーム
        date: 2025-03-01 10:00:00 +0900
        tags: [AI, 半導体, 投資]
        categories: [技術]
        author: 山田花子
        ---
        各社がAIチップの開発に巨額の投資をしている。TSMCの3nmプロセスが鍵だ。
        """,
    "_posts/2024-12-31-chip-only.md": """
        ---
        title: ポテトチップスの食べ比べ
        date: 2024-12-31 23:30
        tags: [料理, おやつ]
        categories: [料理]
        author: Taro Sato
        ---
        年末にポテトチップスを食べ比べた。投資の話は一切ない。
        """,
    "_posts/2025-01-01-invest.md": """
        ---
        title: 新年の投資計画
        date: 2025-01-01
        tags: [投資, 暮らし]
        categories: [日記]
        author: 山田花子
        ---
        今年は積立投資を続ける。家計簿もつける。
        """,
    "content/posts/bread.md": """
        +++
        title = "パン作りの記録"
        date = 2023-05-05T08:00:00+09:00
        tags = ["料理", "パン"]
        categories = ["料理"]
        +++
        美味しいパンの焼き方をまとめる。強力粉と水とイーストだけ。
        """,
    "content/posts/bread-2.md": """
        +++
        title = "週末の台所"
        date = "2023-06-10T12:00:00+09:00"
        tags = ["料理", "暮らし"]
        +++
        焼き方を変えたら、パンが美味しい仕上がりになった。
        """,
    "content/posts/draft.md": """
        +++
        title = "書きかけのAIチップ記事"
        date = 2025-02-02
        tags = ["AI"]
        draft = true
        +++
        AIチップについてまだ考え中。
        """,
    "hexo/source/_posts/airport.md": """
        ---
        title: 関西への旅
        date: 2022-08-09 18:45:00
        tags:
          - 旅行
          - 関西
        categories:
          - [旅行, 国内]
        ---
        関西国際空港に着いてから京都へ向かった。
        """,
    "hexo/source/_posts/untitled-2019.md": """
        ---
        date: 2019-04-01
        tags: "読書 小説"
        ---
        # 春の読書メモ

        小説を三冊読んだ。
        """,
}


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> Index:
    base = tmp_path_factory.mktemp("search")
    write_posts(base / "posts", POSTS)
    index_posts([base / "posts"], base / "index", workers=1)
    return Index.open(base / "index")


def test_words_typed_without_spaces_mean_all_of_them(idx: Index) -> None:
    result = idx.search("AIチップ投資")
    assert paths(result) == ["_posts/2025-03-01-ai-chip.md"]
    assert not result.partial


def test_several_words_are_anded(idx: Index) -> None:
    # ポテトチップス contains チップ: the substring guarantee finds it, as grep would.
    assert set(paths(idx.search("チップ 投資", limit=20))) == {
        "_posts/2025-03-01-ai-chip.md",
        "_posts/2024-12-31-chip-only.md",
    }
    assert paths(idx.search("積立 投資")) == ["_posts/2025-01-01-invest.md"]
    assert paths(idx.search("ポテト 投資")) == ["_posts/2024-12-31-chip-only.md"]


def test_quoted_phrase_requires_the_words_in_order(idx: Index) -> None:
    phrase = idx.search('"美味しいパンの焼き方"')
    assert paths(phrase) == ["content/posts/bread.md"]
    loose = idx.search("美味しい パン 焼き方", limit=20)
    assert set(paths(loose)) == {"content/posts/bread.md", "content/posts/bread-2.md"}


def test_drafts_are_not_indexed(idx: Index) -> None:
    assert "content/posts/draft.md" not in paths(idx.search("AIチップ", limit=50))
    assert idx.stats().posts == len(POSTS) - 1


def test_tag_filter_is_case_and_width_insensitive(idx: Index) -> None:
    for tag in ("AI", "ai", "ＡＩ"):
        assert paths(idx.search("チップ", tags=[tag])) == ["_posts/2025-03-01-ai-chip.md"]
    assert paths(idx.search("", tags=["投資", "暮らし"])) == ["_posts/2025-01-01-invest.md"]


def test_category_filter_reads_nested_hexo_categories(idx: Index) -> None:
    assert paths(idx.search("", categories=["国内"])) == ["hexo/source/_posts/airport.md"]
    assert set(paths(idx.search("", categories=["料理"], limit=20))) == {
        "_posts/2024-12-31-chip-only.md",
        "content/posts/bread.md",
    }


def test_author_filter(idx: Index) -> None:
    assert set(paths(idx.search("投資", author="山田花子", limit=20))) == {
        "_posts/2025-03-01-ai-chip.md",
        "_posts/2025-01-01-invest.md",
    }
    assert paths(idx.search("投資", author="taro sato")) == ["_posts/2024-12-31-chip-only.md"]


def test_date_bounds_are_inclusive_days_in_tokyo_time(idx: Index) -> None:
    # 2024-12-31 23:30 (Tokyo) is the last minute of 2024 there, though 14:30 UTC.
    assert paths(idx.search("", until="2024-12-31", since="2024-12-31")) == ["_posts/2024-12-31-chip-only.md"]
    assert paths(idx.search("", since="2025-01-01", until="2025-01-01")) == ["_posts/2025-01-01-invest.md"]
    after = paths(idx.search("", since=date(2025, 1, 1), limit=20))
    assert set(after) == {"_posts/2025-03-01-ai-chip.md", "_posts/2025-01-01-invest.md"}
    exact = datetime(2025, 3, 1, 1, 0, tzinfo=UTC)  # = 10:00 in Tokyo
    assert paths(idx.search("", since=exact, until=exact)) == ["_posts/2025-03-01-ai-chip.md"]
    assert idx.search("", since=exact + timedelta(seconds=1), until="2025-03-01").total == 0


def test_query_syntax_filters_and_exclusion(idx: Index) -> None:
    assert paths(idx.search("tag:AI チップ")) == ["_posts/2025-03-01-ai-chip.md"]
    assert paths(idx.search("投資 -チップ")) == ["_posts/2025-01-01-invest.md"]
    assert set(paths(idx.search("ポテト OR 京都", limit=20))) == {
        "_posts/2024-12-31-chip-only.md",
        "hexo/source/_posts/airport.md",
    }
    assert paths(idx.search("since:2025-02-01 until:2025-12-31")) == ["_posts/2025-03-01-ai-chip.md"]
    assert paths(idx.search("title:読書")) == ["hexo/source/_posts/untitled-2019.md"]


def test_sort_by_date_is_newest_first(idx: Index) -> None:
    result = idx.search("", sort="date", limit=3)
    assert paths(result) == [
        "_posts/2025-03-01-ai-chip.md",
        "_posts/2025-01-01-invest.md",
        "_posts/2024-12-31-chip-only.md",
    ]


def test_offset_pages_through_results(idx: Index) -> None:
    everything = paths(idx.search("", sort="date", limit=20))
    pages = paths(idx.search("", sort="date", limit=3)) + paths(
        idx.search("", sort="date", limit=3, offset=3)
    )
    assert pages == everything[:6]
    assert idx.search("", sort="date", limit=3, offset=3).total == len(everything)


def test_no_post_has_every_word_gives_partial_matches(idx: Index) -> None:
    result = idx.search("京都 パン 焼き方")
    assert result.partial
    assert result.hits and paths(result)[0] in {"content/posts/bread.md", "content/posts/bread-2.md"}
    assert "hexo/source/_posts/airport.md" in paths(idx.search("京都 パン 焼き方", limit=20))


def test_title_falls_back_to_first_heading(idx: Index) -> None:
    hit = idx.search("小説").hits[0]
    assert hit.title == "春の読書メモ"
    assert hit.tags == ["読書", "小説"]


def test_hit_carries_metadata(idx: Index) -> None:
    hit = idx.search("関西国際空港").hits[0]
    assert hit.path == "hexo/source/_posts/airport.md"
    assert hit.date == datetime(2022, 8, 9, 18, 45, tzinfo=hit.date.tzinfo)
    assert hit.date.utcoffset() == timedelta(hours=9)
    assert hit.categories == ["旅行", "国内"]
    assert hit.tags == ["旅行", "関西"]


def test_tags_counts(idx: Index) -> None:
    tags = idx.tags()
    assert tags["料理"] == 3
    assert tags["投資"] == 2
    assert "AI" in tags and tags["AI"] == 1  # the draft's tag is not counted


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"sort": "popular"}, QuerySyntaxError),
        ({"limit": 0}, QuerySyntaxError),
        ({"offset": -1}, QuerySyntaxError),
        ({"since": "last tuesday"}, InvalidDateError),
        ({"since": "2025-13-01"}, InvalidDateError),
        ({"since": "2025-02-01", "until": "2025-01-01"}, InvalidDateError),
    ],
)
def test_bad_arguments_raise_clear_errors(idx: Index, kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        idx.search("投資", **kwargs)
    assert "\n" not in str(info.value)


def test_bad_query_syntax_is_explained_or_read_literally(idx: Index) -> None:
    with pytest.raises(QuerySyntaxError):
        idx.search("tag:")
    with pytest.raises(InvalidDateError):
        idx.search("since:yesterday")
    for odd in ('"unclosed 投資', "投資 OR", "- 投資", "foo:bar", "***", "：", "(投資"):
        idx.search(odd)  # must not raise
    assert "_posts/2025-01-01-invest.md" in paths(idx.search('"unclosed 投資', limit=20))


def test_a_tag_given_as_a_string_is_one_tag(sample_index) -> None:  # type: ignore[no-untyped-def]
    as_list = sample_index.search("", tags=["AI"], limit=50)
    as_string = sample_index.search("", tags="AI", limit=50)
    assert as_list.total > 0
    assert [h.path for h in as_string.hits] == [h.path for h in as_list.hits]
    assert (
        sample_index.search("", categories="技術").total == sample_index.search("", categories=["技術"]).total
    )


@pytest.mark.parametrize("query", ["", "  ", "OR", "| OR"])
def test_empty_query_raises_unless_browsing(sample_index, query: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QuerySyntaxError, match="empty query"):
        sample_index.search(query)
    assert sample_index.search(query, sort="date").total == sample_index.stats().posts
