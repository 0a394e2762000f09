"""Post URLs on the live blog, from the path, date and categories the index stores."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from search.errors import SearchError, SettingError
from search.permalinks import Permalinks, slugify, title_part

JST = timezone(timedelta(hours=9))
JAN7 = datetime(2019, 1, 7, 23, 30, tzinfo=JST)


def test_jekyll_pattern_takes_the_slug_from_the_file_name_and_the_date_in_the_posts_offset() -> None:
    links = Permalinks("/:year/:month/:day/:title/")
    # 23:30 in Tokyo is still the 7th there (14:30 UTC): the author's date, not UTC's.
    assert links.url("jekyll/_posts/2019-01-07-my-post.md", JAN7) == "/2019/01/07/my-post/"
    assert links.url("_posts/2019-1-7-my-post.markdown", JAN7) == "/2019/01/07/my-post/"


def test_hugo_sections_and_page_bundles() -> None:
    links = Permalinks("hugo", base_url="https://blog.example.com/")
    assert links.url("content/posts/go-cli-tool.md") == "https://blog.example.com/posts/go-cli-tool/"
    assert (
        links.url("site/content/posts/kyoto-autumn/index.md")
        == "https://blog.example.com/posts/kyoto-autumn/"
    )
    assert links.url("content/notes/Rust Tips.md") == "https://blog.example.com/notes/rust-tips/"
    # Without a content/ folder (the index built from inside it) the first folder is the section.
    assert links.url("posts/go-cli-tool.md") == "https://blog.example.com/posts/go-cli-tool/"


def test_auto_follows_each_generators_default_by_the_posts_place() -> None:
    links = Permalinks()
    assert links.url("jekyll/_posts/2019-01-07-my-post.md", JAN7) == "/2019/01/07/my-post/"
    assert links.url("hexo/source/_posts/kyoto-kissaten.md", JAN7) == "/2019/01/07/kyoto-kissaten/"
    assert links.url("hugo/content/posts/2020/tainan-trip.md", JAN7) == "/posts/2020/tainan-trip/"
    assert links.url("hugo/content/about/_index.md") == "/about/"


def test_japanese_names_are_percent_encoded_as_utf8_and_categories_join_as_folders() -> None:
    links = Permalinks("/:categories/:year/:title:output_ext", base_url="https://user.github.io/blog")
    url = links.url("_posts/2024-07-15-京都 旅.md", JAN7, ["Travel", "日記"])
    assert (
        url
        == "https://user.github.io/blog/travel/%E6%97%A5%E8%A8%98/2019/%E4%BA%AC%E9%83%BD%20%E6%97%85.html"
    )


def test_parts_without_a_value_are_left_out_without_doubled_slashes() -> None:
    links = Permalinks("/:categories/:year/:month/:day/:title/")
    assert links.url("_posts/2019-01-07-my-post.md", None, []) == "/my-post/"


def test_unpadded_and_time_parts() -> None:
    links = Permalinks("/:year/:i_month/:i_day/:hour:minute-:filename")
    assert links.url("_posts/2019-01-07-my-post.md", JAN7) == "/2019/1/7/2330-2019-01-07-my-post"


@pytest.mark.parametrize("pattern", ["/:year/:titel/", "/:Year/"])
def test_an_unknown_part_is_one_clear_error_when_the_pattern_is_given(pattern: str) -> None:
    with pytest.raises(SettingError, match="unknown permalink part") as err:
        Permalinks(pattern)
    assert isinstance(err.value, SearchError)
    assert ":title" in str(err.value)


def test_a_base_url_must_be_an_http_address() -> None:
    with pytest.raises(SettingError, match="http"):
        Permalinks("jekyll", base_url="blog.example.com")


def test_title_and_slug() -> None:
    assert title_part("a/_posts/2020-02-11-memo.md") == "memo"
    assert title_part("content/posts/hokkaido-winter/index.md") == "hokkaido-winter"
    assert slugify("ＡＩチップ　と Python 3.12!") == "aiチップ-と-python-3-12"
