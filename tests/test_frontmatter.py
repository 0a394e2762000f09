"""Front matter dialects: YAML, TOML, Hakyll's `...` ending, and broken blocks."""

from __future__ import annotations

from datetime import datetime

from indexer.frontmatter import parse_front_matter


def test_yaml() -> None:
    fm = parse_front_matter("---\ntitle: こんにちは\ntags: [a, b]\ndate: 2025-12-21\n---\n本文\n")
    assert fm.kind == "yaml" and fm.error is None
    assert fm.data == {"title": "こんにちは", "tags": ["a", "b"], "date": "2025-12-21"}
    assert fm.body == "本文\n"


def test_yaml_dates_stay_strings_for_the_one_date_parser() -> None:
    fm = parse_front_matter(
        "---\ndate: 2025-12-21 02:31:31 +0000\nother: 2001-12-14t21:59:43.10-05:00\n---\n"
    )
    assert fm.data["date"] == "2025-12-21 02:31:31 +0000"
    assert isinstance(fm.data["other"], str)


def test_toml() -> None:
    fm = parse_front_matter(
        '+++\ntitle = "題"\ndate = 2024-03-10T09:30:00+09:00\n[author]\nname = "x"\n+++\n本文'
    )
    assert fm.kind == "toml" and fm.error is None
    assert isinstance(fm.data["date"], datetime)
    assert fm.data["author"] == {"name": "x"}
    assert fm.body == "本文"


def test_hakyll_document_end_then_dashes() -> None:
    fm = parse_front_matter("---\ntitle: 型\ndate: August 8, 2017\n...\n---\n\n本文\n")
    assert fm.data == {"title": "型", "date": "August 8, 2017"}
    assert fm.body.strip() == "本文"


def test_bom_and_no_front_matter() -> None:
    assert parse_front_matter("\ufeff---\ntitle: t\n---\nx").data == {"title": "t"}
    fm = parse_front_matter("# 見出し\n本文")
    assert fm.kind is None and fm.data == {} and fm.body == "# 見出し\n本文"


def test_invalid_yaml_keeps_the_body_and_says_where() -> None:
    fm = parse_front_matter("---\ntitle: [unclosed\ntags: a\n---\n本文")
    assert fm.error and "invalid YAML" in fm.error and "line" in fm.error
    assert fm.data == {} and fm.body == "本文"


def test_not_a_mapping_and_unclosed() -> None:
    assert "not a mapping" in (parse_front_matter("---\n- a\n- b\n---\nx").error or "")
    unclosed = parse_front_matter("---\ntitle: x\n本文だけ")
    assert unclosed.error and "never closed" in unclosed.error
    assert "本文だけ" in unclosed.body


def test_invalid_toml() -> None:
    fm = parse_front_matter('+++\ntitle = "x\n+++\nbody')
    assert fm.error and "TOML" in fm.error and fm.body == "body"
