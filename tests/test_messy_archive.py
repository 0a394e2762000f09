"""A messy archive, as old blogs really are: every odd file is indexed or skipped, and the
report names the file and the reason. The rest stays searchable and no post is changed.

The archive is generated here (Shift_JIS and EUC-JP through Python's codecs, broken front
matter, binary junk, symlinks, editor backups), indexed once per module with the real
analyzer and a real index on disk, and every file's fate is checked.
"""

from __future__ import annotations

import codecs
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import tree_hashes, unprivileged

from indexer import IndexReport, index_posts
from indexer.discover import ROOT_DOC
from indexer.posts import MAX_TEXT_CHARS
from indexer.run import MAX_FILE_BYTES
from search import Index
from search.results import Hit

# Enough Japanese for charset detection to be sure (short texts are where it guesses).
JP = (
    "今日は京都の古い寺を訪ねて、抹茶と和菓子を楽しみました。"
    "秋の紅葉がとても美しく、写真をたくさん撮りました。"
    "帰りに錦市場で漬物を買い、夜は鴨川のほとりを散歩しました。"
)
PARAGRAPH = "長文の段落です。" * 125  # 1,000 characters, one line, no spaces
HUGE_PARAGRAPHS = MAX_TEXT_CHARS // 1_000 + 20  # readable text beyond the text cap


def _text(s: str) -> bytes:
    return s.encode("utf-8")


def _huge_post() -> bytes:
    """Over both caps: more readable text than MAX_TEXT_CHARS, more bytes than MAX_FILE_BYTES.

    The bytes beyond the text come from an inline base64 image, the usual export accident,
    and a marker after it must not be indexed."""
    paragraphs = [f"冒頭マーカー{PARAGRAPH[6:]}"] + [PARAGRAPH] * (HUGE_PARAGRAPHS - 2)
    paragraphs.append(f"後半マーカー{PARAGRAPH[6:]}")
    head = "---\ntitle: 巨大な記事\n---\n" + "\n\n".join(paragraphs) + "\n\n"
    image = '<img src="data:image/png;base64,' + "QUJD" * (MAX_FILE_BYTES // 4) + '">\n'
    data = _text(head + image + "\n末尾マーカーの段落。\n")
    assert len(data) > MAX_FILE_BYTES
    return data


def _files() -> dict[str, bytes]:
    return {
        # Encodings and line endings
        "legacy/sjis.md": (
            "---\ntitle: シフトJISの日記\ntags: [旅行, 京都]\n---\n" + f"しふとじす記事。{JP}\n"
        ).encode("cp932"),
        "legacy/eucjp.md": ("---\ntitle: EUCの日記\ntags: 旅行\n---\n" + f"いーゆーしー記事。{JP}\n").encode(
            "euc_jp"
        ),
        "legacy/jis.md": ("---\ntitle: JISの日記\n---\n" + f"じすこーど記事。{JP}\n").encode("iso2022_jp"),
        "legacy/utf16.md": ("---\ntitle: UTF16の日記\n---\nゆーてぃーえふ記事。\n").encode("utf-16"),
        "bom.md": codecs.BOM_UTF8 + _text("---\ntitle: BOM付き\ntags: [BOM]\n---\nぼむ付き記事。\n"),
        "crlf.md": _text("---\r\ntitle: 改行コード\r\ntags: [Windows]\r\n---\r\nくるりふ記事。\r\n"),
        "cut.md": _text("---\ntitle: 途中で切れた\n---\nきれた記事。最後の文字")[:-1],
        # Front matter that cannot be used: the text is indexed without it
        "bad-yaml.md": _text("---\ntitle: [閉じない括弧\ntags: x\n---\nやむる壊れ記事。\n"),
        "list-yaml.md": _text("---\n- 一つ目\n- 二つ目\n---\nりすと記事。\n"),
        "unclosed.md": _text("---\ntitle: 閉じない\nあんくろーず記事。\n"),
        "bad-toml.md": _text('+++\ntitle = "閉じない文字列\n+++\nとむる壊れ記事。\n'),
        # Values of the wrong kind
        "_posts/2021-04-05-bad-date.md": _text(
            "---\ntitle: 日付が読めない\ndate: いつか\n---\nひづけ記事。\n"
        ),
        "no-date.md": _text("---\ntitle: 日付なし\ndate: someday\n---\nひづけなし記事。\n"),
        # Dates an index cannot hold: Hugo's zero date ("none"), a typo far in the future
        "hugo-zero.md": _text(
            '+++\ntitle = "ゼロの日付"\ndate = 0001-01-01T00:00:00Z\n+++\nぜろひづけ記事。\n'
        ),
        "_posts/2022-02-22-far.md": _text("---\ntitle: 遠い未来\ndate: 20222-02-22\n---\nみらい記事。\n"),
        "far-yaml.md": _text("---\ntitle: 遠い未来２\ndate: 9999-12-31\n---\nみらい記事。\n"),
        "tags-number.md": _text("---\ntitle: 数字のタグ\ntags: 42\n---\nすうじたぐ記事。\n"),
        "tags-mapping.md": _text("---\ntitle: 辞書のタグ\ntags: {lang: ja}\n---\nじしょたぐ記事。\n"),
        "title-number.md": _text("---\ntitle: 2024\n---\nすうじたいとる記事。\n"),
        # Nothing, or nothing to read
        "empty.md": b"",
        "blank.md": b" \n\n",
        "front-matter-only.md": _text("---\ntitle: 前付けだけの記事\n---\n"),
        "junk.md": bytes(range(256)) * 8,
        "huge.md": _huge_post(),
        # Same permalink, different files: identity is the path
        "a/same-slug.md": _text("---\ntitle: 同名A\npermalink: /same/\n---\nぱーまりんく記事。Aです。\n"),
        "b/same-slug.md": _text("---\ntitle: 同名B\npermalink: /same/\n---\nぱーまりんく記事。Bです。\n"),
        # Symlink targets and what editors and tools leave behind
        "real.md": _text("---\ntitle: 本物\n---\nほんもの記事。\n"),
        "post.md~": _text("---\ntitle: バックアップ\n---\nばっくあっぷ記事。\n"),
        ".#post.md": _text("user@host.1234:1700000000"),
        "#post.md#": _text("---\ntitle: 自動保存\n---\nじどうほぞん記事。\n"),
        ".DS_Store": b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00",
        ".git/HEAD": _text("ref: refs/heads/main\n"),
        ".git/notes.md": _text("# ぎっと内部\nぎっと記事。\n"),
        "notes.txt": _text("てきすと記事。\n"),
        # What a repository keeps at its root: documents about it, not posts
        "README.md": _text("# このブログについて\nりーどみー記事。\n"),
        "LICENSE": _text("らいせんす記事。\n"),
    }


def _make_links(folder: Path) -> None:
    os.symlink("real.md", folder / "link-to-real.md")  # sorts first: the real path must still win
    os.symlink(".", folder / "loop")
    os.symlink("missing.md", folder / "dangling.md")


# Indexed posts and the warnings each must get (in this order).
INDEXED: dict[str, list[str]] = {
    "legacy/sjis.md": ["decoded as Shift_JIS (CP932)"],
    "legacy/eucjp.md": ["decoded as EUC-JP"],
    "legacy/jis.md": ["decoded as ISO-2022-JP"],
    "legacy/utf16.md": ["decoded as UTF-16"],
    "bom.md": [],
    "crlf.md": [],
    "cut.md": [],
    "bad-yaml.md": ["invalid YAML front matter at line 3: "],  # the rest is PyYAML's or libyaml's wording
    "list-yaml.md": ["front matter is a list, not a mapping of keys to values; indexed the text without it"],
    "unclosed.md": ["front matter opened by --- is never closed; indexed the text without it"],
    "bad-toml.md": ["invalid TOML front matter: "],
    "_posts/2021-04-05-bad-date.md": ["cannot read date 'いつか'; used the file name's date"],
    "no-date.md": ["cannot read date 'someday'; indexed without a date"],
    "hugo-zero.md": [
        "date '0001-01-01T00:00:00+00:00' is outside the dates a post may have (1700-01-01 to 2199-12-31);"
        " indexed without a date"
    ],
    "_posts/2022-02-22-far.md": ["cannot read date '20222-02-22'; used the file name's date"],
    "far-yaml.md": [
        "date '9999-12-31' is outside the dates a post may have (1700-01-01 to 2199-12-31);"
        " indexed without a date"
    ],
    "tags-number.md": ["tags is a number (42); used it as a name"],
    "tags-mapping.md": ["tags is a dict, expected a list or a string; ignored"],
    "title-number.md": ["title is a number (2024); used it as text"],
    "front-matter-only.md": ["no body text (only front matter); indexed the title"],
    "huge.md": [
        "file larger than 10 MB; read only the start",
        f"very long post: indexed the first {MAX_TEXT_CHARS:,} of "
        f"{HUGE_PARAGRAPHS * 1_000 + HUGE_PARAGRAPHS - 1:,} characters",
    ],
    "a/same-slug.md": [],
    "b/same-slug.md": [],
    "real.md": [],
}
# Library-worded reasons (PyYAML, tomllib) are checked by their start and end only.
PREFIX_ONLY = {"bad-yaml.md", "bad-toml.md"}
SKIPPED = {
    "empty.md": "empty file",
    "blank.md": "empty file",
    "junk.md": "not a text file: binary data (contains NUL bytes)",
    "dangling.md": "broken symlink",
}
IGNORED = {
    "post.md~": "editor backup file",
    "#post.md#": "editor backup file",
    ".#post.md": "editor lock file",
    ".DS_Store": "hidden file",
    "loop": "symlink loop (leads back to .)",
    "link-to-real.md": "same file as real.md (symlink)",
    "README.md": ROOT_DOC,
}
# Never a post and not worth a line in the report: inside .git/, not Markdown.
SILENT = {".git/notes.md", ".git/HEAD", "notes.txt", "LICENSE"}


def make_archive(folder: Path) -> Path:
    for rel, data in _files().items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    _make_links(folder)
    return folder


Messy = tuple[Path, IndexReport, Index, dict[str, str]]  # posts, first report, index, file hashes


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Messy:
    base = tmp_path_factory.mktemp("messy")
    posts = make_archive(base / "posts")
    before = tree_hashes(posts)
    report = index_posts([posts], base / "index", workers=1)
    return posts, report, Index.open(base / "index"), before


def _warnings_by_file(report: IndexReport) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for rel, message in report.warnings:
        grouped.setdefault(rel, []).append(message)
    return grouped


def _all_posts(idx: Index) -> dict[str, Hit]:
    result = idx.search("", sort="date", limit=1_000, snippets=False)
    return {hit.path: hit for hit in result.hits}


def test_every_file_is_accounted_for_with_its_reason(messy: Messy) -> None:
    _posts, report, idx, _ = messy
    assert sorted(_all_posts(idx)) == sorted(INDEXED)
    assert (report.added, report.posts, report.updated, report.deleted) == (len(INDEXED), len(INDEXED), 0, 0)

    assert sorted(report.skipped) == sorted(SKIPPED.items())
    assert sorted(report.ignored) == sorted(IGNORED.items())
    assert report.drafts == [] and report.rebuilt is None

    warned = _warnings_by_file(report)
    assert set(warned) == {rel for rel, w in INDEXED.items() if w}, "warnings only for files that need them"
    for rel, expected in INDEXED.items():
        got = warned.get(rel, [])
        if rel in PREFIX_ONLY:
            assert len(got) == 1 and got[0].startswith(expected[0]), (rel, got)
            assert got[0].endswith("; indexed the text without it"), (rel, got)
        else:
            assert got == expected, rel
    reported = {rel for rel, _ in [*report.skipped, *report.warnings, *report.ignored]}
    assert not reported & SILENT


def test_legacy_encodings_are_decoded_and_searchable(messy: Messy) -> None:
    _, _, idx, _ = messy
    posts = _all_posts(idx)
    for rel, title, word in [
        ("legacy/sjis.md", "シフトJISの日記", "しふとじす記事"),
        ("legacy/eucjp.md", "EUCの日記", "いーゆーしー記事"),
        ("legacy/jis.md", "JISの日記", "じすこーど記事"),
        ("legacy/utf16.md", "UTF16の日記", "ゆーてぃーえふ記事"),
        ("bom.md", "BOM付き", "ぼむ付き記事"),
        ("crlf.md", "改行コード", "くるりふ記事"),
    ]:
        assert posts[rel].title == title, rel
        assert [h.path for h in idx.search(f'"{word}"').hits] == [rel]
    assert posts["legacy/sjis.md"].tags == ["旅行", "京都"]
    assert posts["legacy/eucjp.md"].tags == ["旅行"]
    assert posts["bom.md"].tags == ["BOM"] and posts["crlf.md"].tags == ["Windows"]
    # The decoded text is right, not merely decodable: a word from the shared passage.
    assert {h.path for h in idx.search('"錦市場で漬物"').hits} == {
        "legacy/sjis.md",
        "legacy/eucjp.md",
        "legacy/jis.md",
    }
    # A UTF-8 file cut inside its last character keeps everything before it.
    assert posts["cut.md"].title == "途中で切れた"
    assert idx.search('"最後の文"', snippets=True).hits[0].snippet.endswith("最後の文")


def test_broken_front_matter_keeps_the_text(messy: Messy) -> None:
    _, _, idx, _ = messy
    for rel, word in [
        ("bad-yaml.md", "やむる壊れ記事"),
        ("list-yaml.md", "りすと記事"),
        ("unclosed.md", "あんくろーず記事"),
        ("bad-toml.md", "とむる壊れ記事"),
    ]:
        assert [h.path for h in idx.search(f'"{word}"').hits] == [rel]
    posts = _all_posts(idx)
    # No usable title in the front matter: the file name stands in.
    assert posts["bad-yaml.md"].title == "bad-yaml" and posts["bad-toml.md"].title == "bad-toml"


def test_values_of_the_wrong_kind(messy: Messy) -> None:
    _, _, idx, _ = messy
    posts = _all_posts(idx)
    assert posts["_posts/2021-04-05-bad-date.md"].date == datetime.fromisoformat("2021-04-05T00:00:00+09:00")
    assert posts["no-date.md"].date is None
    # One date beyond what the index holds once failed the whole run (exit 4, nothing indexed).
    assert posts["hugo-zero.md"].date is None and posts["far-yaml.md"].date is None
    assert posts["_posts/2022-02-22-far.md"].date == datetime.fromisoformat("2022-02-22T00:00:00+09:00")
    assert idx.search("みらい記事 since:1600-01-01 until:9999-12-31").total == 1  # bounds moved to the edges
    assert posts["tags-number.md"].tags == ["42"]
    assert [h.path for h in idx.search("", tags=["42"]).hits] == ["tags-number.md"]
    assert posts["tags-mapping.md"].tags == []
    assert posts["title-number.md"].title == "2024"
    assert [h.path for h in idx.search("title:前付けだけ").hits] == ["front-matter-only.md"]


def test_caps_on_huge_files(messy: Messy) -> None:
    _, _, idx, _ = messy
    assert [h.path for h in idx.search('"冒頭マーカー"').hits] == ["huge.md"]
    assert idx.search('"後半マーカー"', mode="all").total == 0, "text beyond MAX_TEXT_CHARS is not indexed"
    assert idx.search('"末尾マーカー"', mode="all").total == 0, "bytes beyond MAX_FILE_BYTES are not read"


def test_same_permalink_both_kept_and_links_resolve_to_the_real_file(messy: Messy) -> None:
    _, _, idx, _ = messy
    assert sorted(h.path for h in idx.search('"ぱーまりんく記事"').hits) == [
        "a/same-slug.md",
        "b/same-slug.md",
    ]
    assert [h.path for h in idx.search('"ほんもの記事"').hits] == ["real.md"]
    for word in (
        "ばっくあっぷ記事",
        "じどうほぞん記事",
        "ぎっと記事",
        "てきすと記事",
        "りーどみー記事",
        "らいせんす記事",
    ):
        assert idx.search(f'"{word}"', mode="all").total == 0, word


def test_no_post_file_is_modified_and_rerun_changes_nothing(messy: Messy) -> None:
    posts, first, idx, before = messy
    second = index_posts([posts], idx.root, workers=1)
    assert (second.added, second.updated, second.deleted, second.renamed) == (0, 0, 0, 0)
    assert second.unchanged == len(INDEXED) and second.posts == len(INDEXED)
    assert sorted(second.skipped) == sorted(first.skipped), "skipped files are reported every run"
    assert tree_hashes(posts) == before, "a post file was changed, added or removed"


# -- the cron command line -----------------------------------------------------------------

SCRIPT = Path(sys.executable).parent / "search"


@pytest.mark.skipif(not SCRIPT.exists(), reason="console script not installed beside this Python")
def test_cron_quiet_run_prints_only_warnings_and_exits_0(tmp_path: Path) -> None:
    """``search index --quiet`` on the messy archive plus unreadable files, as cron runs it."""
    posts = make_archive(tmp_path / "posts")
    secret = posts / "secret.md"
    secret.write_text("---\ntitle: 秘密\n---\nひみつ記事。\n", encoding="utf-8")
    closed = posts / "closed"
    closed.mkdir()
    (closed / "inside.md").write_text("# 閉じた\nとじた記事。\n", encoding="utf-8")
    bad_name = os.fsencode(posts) + b"/\x93\xfa\x8bL.md"  # 日記.md in Shift_JIS, from an old zip
    with open(bad_name, "wb") as fh:
        fh.write(_text("---\ntitle: 名前が変\n---\nへんななまえ記事。\n"))
    before = tree_hashes(posts)
    prefix = unprivileged()
    secret.chmod(0)
    closed.chmod(0)
    try:
        proc = subprocess.run(
            [*prefix, str(SCRIPT), "index", "--quiet", str(posts), "--index", str(tmp_path / "index")],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
    finally:
        secret.chmod(0o644)
        closed.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    expected = {f"skipped {rel}: {reason}" for rel, reason in SKIPPED.items()}
    expected |= {
        "skipped secret.md: cannot read: Permission denied",
        "skipped closed: cannot open folder: Permission denied",
        "skipped \\x93\\xfa\\x8bL.md: file name is not UTF-8; rename the file to index it",
    }
    expected |= {f"warning {rel}: {w}" for rel, ws in INDEXED.items() for w in ws if rel not in PREFIX_ONLY}
    lines = proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr
    library_worded = [line for line in lines if line not in expected]
    assert sorted(set(lines) - set(library_worded)) == sorted(expected)
    assert len(library_worded) == len(PREFIX_ONLY)
    for line in library_worded:
        assert re.fullmatch(r"warning bad-(yaml|toml)\.md: invalid (YAML|TOML) front matter.*", line), line
    assert tree_hashes(posts) == before
    assert Index.open(tmp_path / "index").stats().posts == len(INDEXED)
