"""Facet counts: every matching post counted once, filters respected, years in the index's zone."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_posts

from cli.main import main
from indexer import index_posts
from search import Index
from search.index import MAX_LIMIT
from search.normalize import fold_key


def brute_force(idx: Index, query: str, **kwargs: object) -> tuple[int, dict, dict, dict]:
    """Counts made by reading every matching hit, spellings grouped by folded name."""
    result = idx.search(query, limit=MAX_LIMIT, snippets=False, **kwargs)  # type: ignore[arg-type]
    assert len(result.hits) == result.total
    tags: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    years: Counter[int] = Counter()
    for hit in result.hits:
        tags.update({fold_key(t) for t in hit.tags})
        categories.update({fold_key(c) for c in hit.categories})
        if hit.date is not None:
            years[hit.date.astimezone(idx.tz).year] += 1
    return result.total, dict(tags), dict(categories), dict(years)


def folded(counts: dict[str, int]) -> dict[str, int]:
    return {fold_key(name): n for name, n in counts.items()}


@pytest.mark.parametrize(
    ("query", "kwargs"),
    [
        ("", {"sort": "date"}),  # browsing: every post, newest first
        ("京都", {}),
        ("旅行 OR 料理", {}),
        ("", {"tags": ["暮らし"]}),
        ("", {"since": "2022-01-01", "until": "2024-12-31", "sort": "date"}),
        ("写真", {"categories": ["旅行"], "sort": "date"}),
        ("日本で一番高い山はどこですか", {}),  # a question: any-words plan
        ("京都 半導体 ランニング", {}),  # no post has all three: partial
    ],
)
def test_counts_equal_a_count_over_every_matching_post(
    sample_index: Index, query: str, kwargs: dict[str, object]
) -> None:
    result = sample_index.search(query, facets=True, limit=3, **kwargs)  # type: ignore[arg-type]
    total, tags, categories, years = brute_force(sample_index, query, **kwargs)
    assert result.total == total > 0
    assert result.facets is not None
    assert folded(result.facets.tags) == tags
    assert folded(result.facets.categories) == categories
    assert result.facets.years == years


def test_partial_results_count_what_total_counts(sample_index: Index) -> None:
    result = sample_index.search("京都 半導体 ランニング", facets=True)
    assert result.partial
    assert result.facets is not None
    assert sum(result.facets.years.values()) == result.total  # every sample post is dated


def test_filters_narrow_the_counts(sample_index: Index) -> None:
    everything = sample_index.search("", sort="date", facets=True).facets
    travel = sample_index.search("", tags=["旅行"], facets=True).facets
    assert everything is not None and travel is not None
    assert travel.tags["旅行"] == sum(travel.years.values()) == everything.tags["旅行"]
    assert all(n <= everything.tags[t] for t, n in travel.tags.items())
    assert travel.tags["料理"] < everything.tags["料理"]
    assert set(travel.categories) < set(everything.categories)


def test_order_and_json_shape(sample_index: Index) -> None:
    result = sample_index.search("", sort="date", facets=True)
    assert result.facets is not None
    counts = list(result.facets.tags.values())
    assert counts == sorted(counts, reverse=True)
    assert list(result.facets.years) == sorted(result.facets.years, reverse=True)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["facets"]["years"] == {str(y): n for y, n in result.facets.years.items()}
    assert "facets" not in sample_index.search("", sort="date").to_dict()


TZ_POSTS = {
    "a.md": "---\ntitle: 元日の深夜\ndate: 2021-01-01T00:30:00+09:00\ntags: [AI]\n---\n年越しの記録。\n",
    "b.md": "---\ntitle: 大晦日の夜\ndate: 2020-12-31T23:30:00+09:00\ntags: [ＡＩ]\n---\n年越しの記録。\n",
    "c.md": "---\ntitle: ニューヨークの大晦日\ndate: 2020-12-31T20:00:00-05:00\ntags: [ai, 旅行]\n---\n年越しの記録。\n",
    "d.md": "---\ntitle: 日付のない記録\ntags: [AI]\n---\n年越しの記録。\n",
}


@pytest.fixture(scope="module")
def tz_indexes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Index]:
    folder = write_posts(tmp_path_factory.mktemp("tz") / "posts", TZ_POSTS)
    out = {}
    for zone in ("Asia/Tokyo", "UTC"):
        where = folder.parent / zone.replace("/", "-")
        index_posts([folder], where, workers=1, timezone=zone)
        out[zone] = Index.open(where)
    return out


def test_years_are_counted_in_the_index_time_zone(tz_indexes: dict[str, Index]) -> None:
    tokyo = tz_indexes["Asia/Tokyo"].search("年越し", facets=True).facets
    utc = tz_indexes["UTC"].search("年越し", facets=True).facets
    assert tokyo is not None and utc is not None
    # a: 00:30 on 1 January in Tokyo is 2020 in UTC; b: 23:30 on 31 December stays 2020;
    # c: 20:00 on 31 December in New York is already 2021 in Tokyo and in UTC; d: undated.
    assert tokyo.years == {2021: 2, 2020: 1}
    assert utc.years == {2021: 1, 2020: 2}


def test_spellings_that_fold_together_count_as_one_tag(tz_indexes: dict[str, Index]) -> None:
    facets = tz_indexes["Asia/Tokyo"].search("", sort="date", facets=True).facets
    assert facets is not None
    assert facets.tags == {"AI": 4, "旅行": 1}  # AI ×2, ＡＩ, ai: shown as the most common spelling


def test_cli_shows_facets_in_the_table_and_in_json(tmp_path: Path, tz_indexes: dict[str, Index]) -> None:
    index = str(tz_indexes["Asia/Tokyo"].root)
    runner = CliRunner()
    shown = runner.invoke(main, ["query", "年越し", "--index", index, "--facets"])
    assert shown.exit_code == 0, shown.output
    assert "facets" in shown.stdout and "AI 4" in shown.stdout and "2021 2" in shown.stdout
    data = json.loads(runner.invoke(main, ["query", "年越し", "--index", index, "--facets", "--json"]).stdout)
    assert data["facets"] == {"tags": {"AI": 4, "旅行": 1}, "categories": {}, "years": {"2021": 2, "2020": 1}}
    plain = json.loads(runner.invoke(main, ["query", "年越し", "--index", index, "--json"]).stdout)
    assert "facets" not in plain
