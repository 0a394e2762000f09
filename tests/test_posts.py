"""Interpreting one post: the front-matter dialects of Jekyll, Hugo and Hexo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from indexer.posts import PostOptions, load_post

JST = timezone(timedelta(hours=9))
OPTS = PostOptions()


def load(text: str, rel: str = "post.md", **opts: object):  # type: ignore[no-untyped-def]
    options = PostOptions(**opts) if opts else OPTS  # type: ignore[arg-type]
    return load_post(text.encode("utf-8"), rel, options)


def test_tags_as_list_or_separated_string() -> None:
    assert load("---\ntags: [AI, 半導体]\n---\nx").record.tags == ["AI", "半導体"]
    assert load("---\ntags: 料理 レシピ 和食\n---\nx").record.tags == ["料理", "レシピ", "和食"]
    assert load("---\ntags: GHC, 型\n---\nx").record.tags == ["GHC", "型"]
    assert load("---\ntags: Machine Learning, AI\n---\nx").record.tags == ["Machine Learning", "AI"]
    assert load("---\ntags: [AI, ai, ＡＩ]\n---\nx").record.tags == ["AI"]


def test_category_singular_and_hexo_nested_lists() -> None:
    assert load("---\ncategory: blog\n---\nx").record.categories == ["blog"]
    assert load("---\ncategories:\n  - [旅行, 国内]\n  - 日記\n---\nx").record.categories == [
        "旅行",
        "国内",
        "日記",
    ]


def test_drafts_and_unpublished_are_skipped_unless_asked() -> None:
    assert load("---\ndraft: true\n---\nx").draft == "draft: true"
    assert load("+++\ndraft = true\n+++\nx").draft == "draft: true"
    assert load("---\npublished: false\n---\nx").draft == "published: false"
    assert load("---\ndraft: 'yes'\n---\nx").record is None
    assert load("---\ndraft: false\n---\nx").record is not None
    assert load("---\ndraft: true\n---\nx", include_drafts=True).record is not None


def test_date_from_front_matter_or_jekyll_file_name() -> None:
    assert load("---\ndate: 2025-12-21 02:31:31 +0000\n---\nx").record.date == datetime(
        2025, 12, 21, 2, 31, 31, tzinfo=UTC
    )
    assert load("---\ntitle: t\n---\nx", rel="_posts/2023-04-02-hello.md").record.date == datetime(
        2023, 4, 2, tzinfo=JST
    )
    assert load("---\ntitle: t\n---\nx").record.date is None


def test_unreadable_date_falls_back_with_a_warning() -> None:
    post = load("---\ndate: someday\n---\nx", rel="2020-01-02-a.md")
    assert post.record.date == datetime(2020, 1, 2, tzinfo=JST)
    assert any("cannot read date 'someday'" in w and "file name" in w for w in post.warnings)
    post = load("---\ndate: someday\n---\nx")
    assert post.record.date is None
    assert any("without a date" in w for w in post.warnings)


def test_naive_dates_use_the_configured_zone() -> None:
    post = load("---\ndate: 2020-08-09 18:45:00\n---\nx", timezone="UTC")
    assert post.record.date == datetime(2020, 8, 9, 18, 45, tzinfo=UTC)


def test_title_fallbacks() -> None:
    assert load("---\ntitle: 題名\n---\n# 見出し").record.title == "題名"
    assert load("---\ntags: [a]\n---\n\n## 最初の *見出し*\n本文").record.title == "最初の 見出し"
    assert load("本文だけ", rel="_posts/2023-04-02-my-slug.md").record.title == "my-slug"
    assert load("本文だけ", rel="content/posts/bundle/index.md").record.title == "bundle"
    numeric = load("---\ntitle: 2024\n---\nx")
    assert numeric.record.title == "2024" and any("title is a number" in w for w in numeric.warnings)


def test_author_excerpt_and_description() -> None:
    post = load('+++\ndescription = "説明文"\n[author]\nname = "山田"\n+++\n本文')
    assert post.record.excerpt == "説明文" and post.record.author == "山田"
    assert load("---\nexcerpt: 抜粋\nauthor: [A, B]\n---\nx").record.author == "A, B"


def test_body_is_readable_text_and_code_is_separate() -> None:
    post = load("---\ntitle: t\n---\n本文 [リンク](https://x.example)\n\n```\ncode_here()\n```\n")
    assert post.record.body == "本文 リンク"
    assert post.record.code == "code_here()"


def test_empty_and_front_matter_only() -> None:
    assert load("").skip == "empty file"
    only = load("---\ntitle: 題だけ\n---\n")
    assert only.record.title == "題だけ" and any("no body text" in w for w in only.warnings)
