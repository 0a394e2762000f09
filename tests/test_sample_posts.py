"""The bundled sample archive (facts listed in docs/sample-posts.md), searched as a reader would."""

from __future__ import annotations

from conftest import SAMPLE_POSTS, paths

from search import Index

RASPI = "jekyll/_posts/2019-03-17-raspberry-pi-home-server.md"
BACKUP = "jekyll/_posts/2024-12-01-linux-backup.md"
AICHIP = "jekyll/_posts/2022-03-21-ai-chip-investment.md"
TAINAN = "hugo/content/posts/tainan-trip.md"
ZENKAKU = "hugo/content/posts/zenkaku-assistant.md"
KAKEIBO = "jekyll/_posts/2022-09-10-kakeibo-python.md"
PAN = "jekyll/_posts/2023-08-19-pan-ichinen.md"
STAY_HOME_BREAD = "hugo/content/posts/stay-home-bread.md"
RINGO = {
    "jekyll/_posts/2020-10-18-ringo-compote.md",
    "hugo/content/posts/ringo-satsumaimo.md",
    "hugo/content/posts/ringo-shiraae.md",
}
HIKKOSHI = {"jekyll/_posts/2021-05-03-hikkoshi-junbi.md", "hexo/source/_posts/hon-wo-tebanashita.md"}


def all_paths(idx: Index, query: str, **kw: object) -> set[str]:
    return set(paths(idx.search(query, limit=100, **kw)))  # type: ignore[arg-type]


def test_every_published_post_is_indexed_and_drafts_are_not(sample_index: Index) -> None:
    files = [p for p in SAMPLE_POSTS.rglob("*.md")]
    assert sample_index.stats().posts == len(files) - 2
    everything = all_paths(sample_index, "", sort="date")
    assert "hugo/content/posts/handwired-keyboard.md" not in everything
    assert "jekyll/_posts/2021-11-27-mirrorless-memo.md" not in everything


def test_dates_span_the_years_and_come_from_file_names(sample_index: Index) -> None:
    stats = sample_index.stats()
    assert stats.first_date.year == 2019 and stats.last_date.year == 2026
    hit = sample_index.search("Raspberry Pi").hits[0]
    assert hit.path == RASPI and hit.date.date().isoformat() == "2019-03-17"


def test_ai_chip_investment(sample_index: Index) -> None:
    result = sample_index.search("AIチップ投資")
    assert paths(result)[0] == AICHIP
    assert result.hits[0].highlights


def test_long_vowel_variants_find_each_other(sample_index: Index) -> None:
    for q in ("サーバ", "サーバー"):
        found = all_paths(sample_index, q)
        assert {RASPI, BACKUP, KAKEIBO} <= found
    for q in ("コンピュータ", "コンピューター"):
        assert {RASPI, BACKUP} <= all_paths(sample_index, q)


def test_width_variants(sample_index: Index) -> None:
    for q in ("AI", "ＡＩ", "ai"):
        assert ZENKAKU in all_paths(sample_index, q)
    assert KAKEIBO in all_paths(sample_index, "アマゾン")


def test_okurigana_and_kana_kanji_variants(sample_index: Index) -> None:
    assert all_paths(sample_index, "引越し") >= HIKKOSHI
    assert all_paths(sample_index, "引っ越し") >= HIKKOSHI
    for q in ("りんご", "リンゴ", "林檎"):
        assert all_paths(sample_index, q) >= RINGO


def test_part_of_a_compound(sample_index: Index) -> None:
    found = all_paths(sample_index, "空港")
    assert TAINAN in found
    standalone = {"jekyll/_posts/2019-08-24-hokkaido-summer.md", "hexo/source/_posts/helsinki-week.md"}
    assert standalone <= found
    ranked = paths(sample_index.search("空港", limit=10))
    assert ranked.index(TAINAN) > max(ranked.index(p) for p in standalone)


def test_phrase_versus_all_words(sample_index: Index) -> None:
    assert paths(sample_index.search('"美味しいパンの焼き方"')) == [PAN]
    assert {PAN, STAY_HOME_BREAD} <= all_paths(sample_index, "美味しい パン 焼き方")


def test_tag_filter_and_counts(sample_index: Index) -> None:
    tags = sample_index.tags()
    assert tags["料理"] >= 5 and "AI" in tags
    ai_posts = all_paths(sample_index, "", tags=["AI"])
    assert AICHIP in ai_posts and ZENKAKU not in ai_posts
