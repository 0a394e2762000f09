"""The analyzer: one split and one normal form for a word, on both sides of the index."""

from __future__ import annotations

import pytest

from search.analysis import Analyzer, IndexTerms
from search.normalize import drop_format, has_format


def terms(analyzer: Analyzer, text: str) -> list[str]:
    return [t.term for t in analyzer.tokens(text) if t.is_content]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("サーバ", "サーバー"),
        ("コンピュータ", "コンピューター"),
        ("引越し", "引っ越し"),
        ("附属", "付属"),
        ("りんご", "リンゴ"),
        ("ダメ", "だめ"),
        ("ＡＩ", "AI"),
        ("ａｉ", "AI"),
        ("ｱﾏｿﾞﾝ", "アマゾン"),
        ("Amazon", "amazon"),
        ("人人", "人々"),
        ("２０２４", "2024"),
    ],
)
def test_spelling_variants_become_one_term(analyzer: Analyzer, a: str, b: str) -> None:
    assert terms(analyzer, a) == terms(analyzer, b)


def test_latin_and_numbers_keep_their_surface(analyzer: Analyzer) -> None:
    # Sudachi's normalised forms would turn these into ゴー, MOD/mod and 0.12.
    assert terms(analyzer, "go mod tidy") == ["go", "mod", "tidy"]
    assert terms(analyzer, "Go 0.120") == ["go", "0.120"]
    assert terms(analyzer, "GitHub") == ["github"]


def test_compounds_keep_their_parts(analyzer: Analyzer) -> None:
    (token,) = analyzer.tokens("関西国際空港")
    assert token.term == "関西国際空港"
    assert token.parts == ("関西", "国際", "空港")


def test_particles_are_indexed_but_not_content(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("日本で一番高い山はどこですか")
    assert [t.surface for t in tokens if not t.is_content] == ["で", "は", "どこ", "です", "か"]
    assert [t.surface for t in analyzer.tokens("存在しない") if not t.is_content] == ["し", "ない"]
    assert "山" in [t.term for t in tokens if t.is_content]


def test_offsets_point_into_the_original_text(analyzer: Analyzer) -> None:
    text = "ＡＩとｱﾏｿﾞﾝの㍻"
    for t in analyzer.tokens(text):
        assert text[t.start : t.end] == t.surface


def test_long_text_is_analysed_in_chunks_with_correct_offsets(analyzer: Analyzer) -> None:
    line = "東京の空港で半導体の記事を読んだ。\n"
    text = line * 4000  # about 68,000 characters, over Sudachi's 49,149-byte limit
    tokens = analyzer.tokens(text)
    assert len([t for t in tokens if t.term == "半導体"]) == 4000
    for t in tokens[-5:]:
        assert text[t.start : t.end] == t.surface
    terms_ = analyzer.index_terms(text)
    assert terms_.words.count("半導体") == 4000


def test_pathological_input_that_grows_when_normalised(analyzer: Analyzer) -> None:
    text = "㍿" * 20_000  # each expands to four characters inside Sudachi
    assert analyzer.index_terms(text).unigrams  # no exception


def test_fingerprint_names_the_versions(analyzer: Analyzer) -> None:
    fp = analyzer.fingerprint()
    assert fp["split_mode"] == "C"
    assert fp["sudachipy"] and str(fp["dictionary"]).startswith("core ")


def test_dictionary_entries_with_a_space_become_one_term_without_it(analyzer: Analyzer) -> None:
    # Index terms are joined by spaces: a term holding one would never match its own query.
    (token,) = [t for t in analyzer.tokens("Web server") if t.is_content]
    assert " " not in token.term and token.parts == ("web", "server")


@pytest.mark.parametrize(
    ("run", "context"),
    [
        ("スーパープリキュアモナド", "力！{}！"),
        ("タイプセーフプリキュア", "「{}」を支える技術"),
        ("ハイブリッドクラウド", "{}の導入"),
    ],
)
def test_a_katakana_run_is_the_same_words_in_every_context(
    analyzer: Analyzer, run: str, context: str
) -> None:
    # Touched by punctuation or a particle, Sudachi reads these runs as one unknown word,
    # alone (as typed into a search box) as dictionary words: a post would then not hold
    # the query's words.
    text = context.format(run)
    alone = terms(analyzer, run)
    assert len(alone) > 1
    inside = [t for t in analyzer.tokens(text) if t.is_content]
    at = text.index(run)
    in_run = [t for t in inside if at <= t.start and t.end <= at + len(run)]
    assert [t.term for t in in_run] == alone
    assert all(text[t.start : t.end] == t.surface for t in in_run)
    assert "".join(t.surface for t in in_run) == run


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("\u202eサーバ\u202c", "サーバ"),  # a right-to-left override around a word
        ("サー\u200bバー", "サーバー"),  # zero-width space inside a word
        ("inter\u00adnational", "international"),  # soft hyphen
        ("\ufeffVim\u20609", "Vim9"),  # byte order mark, word joiner
        ("関西\u200d国際空港 \u200e", "関西国際空港"),
    ],
)
def test_invisible_format_characters_are_no_words_and_split_none(
    analyzer: Analyzer, text: str, plain: str
) -> None:
    assert [t.term for t in analyzer.tokens(text)] == [t.term for t in analyzer.tokens(plain)]
    assert analyzer.index_terms(text) == analyzer.index_terms(plain)
    for t in analyzer.tokens(text):  # spans lie on the original, from a visible character to one
        assert t.surface == drop_format(text[t.start : t.end])
        assert not has_format(text[t.start]) and not has_format(text[t.end - 1])


def test_offsets_skip_format_characters(analyzer: Analyzer) -> None:
    (token,) = analyzer.tokens("\u202eサーバ\u202c")
    assert (token.surface, token.start, token.end) == ("サーバ", 1, 4)
    (token,) = analyzer.tokens("サー\u200bバー")
    assert (token.term, token.start, token.end) == ("サーバー", 0, 5)


@pytest.mark.parametrize("text", ["\u200f", "\u202e\u202c", "\u200b \ufeff", "\u00ad", "\u2060\u2061"])
def test_text_of_only_format_characters_has_no_words(analyzer: Analyzer, text: str) -> None:
    assert analyzer.tokens(text) == []
    assert analyzer.index_terms(text) == IndexTerms("", "", "", "", "", "", "")
    assert analyzer.words(text) == ""


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("設定について", "つい"),
        ("技術に関して", "関し"),
        ("技術に関する本", "関する"),
        ("雨によって", "よっ"),
        ("会議において", "おい"),
        ("私にとって", "とっ"),
        ("ネットを通じて", "通じ"),
        ("予算に応じて", "応じ"),
    ],
)
def test_the_verb_of_a_compound_particle_is_no_content_word(analyzer: Analyzer, text: str, verb: str) -> None:
    tokens = {t.surface: t for t in analyzer.query_tokens(text)}
    assert not tokens[verb].is_content


@pytest.mark.parametrize(
    ("text", "verb"), [("手に取って", "取っ"), ("駅に着いて", "着い"), ("ここについた", "つい")]
)
def test_the_same_verbs_elsewhere_stay_content_words(analyzer: Analyzer, text: str, verb: str) -> None:
    tokens = {t.surface: t for t in analyzer.query_tokens(text)}
    assert tokens[verb].is_content
