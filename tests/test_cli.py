"""The `search` command: output shapes, exit statuses, and one red line for mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_posts

from cli.main import main

POSTS = {
    "_posts/2025-03-01-ai.md": "---\ntitle: AIチップの話\ntags: [AI, 半導体]\ncategories: [技術]\n---\n"
    "ＡＩチップへの投資が続く。\n",
    "_posts/2024-01-01-pan.md": "---\ntitle: パン\ntags: [料理]\n---\n美味しいパンの焼き方。\n",
}


@pytest.fixture
def indexed(tmp_path: Path) -> Path:
    write_posts(tmp_path / "posts", POSTS)
    index = tmp_path / "index"
    result = CliRunner().invoke(
        main, ["index", str(tmp_path / "posts"), "--index", str(index), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "added 2" in result.output
    return index


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_query_json_shape(indexed: Path) -> None:
    code, out, _ = run("query", "AI", "--index", str(indexed), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 1 and data["partial"] is False
    (hit,) = data["hits"]
    assert set(hit) >= {"path", "title", "date", "tags", "categories", "score", "snippet", "highlights"}
    assert hit["date"] == "2025-03-01T00:00:00+09:00"
    assert hit["tags"] == ["AI", "半導体"] and hit["categories"] == ["技術"]
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["ＡＩ"]


def test_query_table_output_and_no_results(indexed: Path) -> None:
    code, out, _ = run("query", "パン", "--index", str(indexed))
    assert code == 0 and "1 post found" in out and "美味しいパンの焼き方" in out
    code, out, _ = run("query", "存在しない言葉", "--index", str(indexed))
    assert code == 0 and "no posts found" in out


def test_minus_word_excludes_and_unknown_long_option_is_a_usage_error(indexed: Path) -> None:
    code, out, _ = run("query", "AI", "OR", "パン", "-焼き方", "--index", str(indexed), "--json")
    assert code == 0
    assert [h["path"] for h in json.loads(out)["hits"]] == ["_posts/2025-03-01-ai.md"]
    code, _, err = run("query", "パン", "--limt", "3", "--index", str(indexed))
    assert code == 2 and "no such option: --limt" in err


def test_tags_and_stats(indexed: Path) -> None:
    code, out, _ = run("tags", "--index", str(indexed), "--json")
    assert code == 0 and json.loads(out) == {"AI": 1, "半導体": 1, "料理": 1}
    code, out, _ = run("stats", "--index", str(indexed), "--json")
    stats = json.loads(out)
    assert code == 0 and stats["posts"] == 2 and stats["analyzer"]["split_mode"] == "C"
    assert stats["first_date"].startswith("2024-01-01") and stats["last_date"].startswith("2025-03-01")


def test_index_option_and_environment_variable(indexed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEARCH_INDEX", str(indexed))
    code, out, _ = run("query", "パン", "--json")
    assert code == 0 and json.loads(out)["total"] == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", "x", "--since", "yesterday"], 1, "cannot read date"),
        (["query", "tag:"], 1, "needs a value"),
        (["query", "x", "--sort", "popular"], 2, "Invalid value"),
        (["query", "x", "--limit", "0"], 2, "Invalid value"),
    ],
)
def test_user_mistakes_are_one_line_errors(indexed: Path, args: list[str], code: int, message: str) -> None:
    exit_code, _, err = run(*args, "--index", str(indexed))
    assert exit_code == code
    assert message in err
    assert "Traceback" not in err


def test_no_index_yet(tmp_path: Path) -> None:
    code, _, err = run("query", "x", "--index", str(tmp_path / "none"))
    assert code == 1
    assert err.strip().startswith("error: no index at") and len(err.strip().splitlines()) == 1


def test_missing_posts_folder(tmp_path: Path) -> None:
    code, _, err = run("index", str(tmp_path / "missing"), "--index", str(tmp_path / "i"))
    assert code == 1 and "does not exist" in err


SCRIPT = Path(sys.executable).parent / "search"


@pytest.mark.skipif(
    not SCRIPT.exists(), reason="console script not installed beside this Python (pip install -e .)"
)
def test_installed_console_script(indexed: Path) -> None:
    proc = subprocess.run(
        [str(SCRIPT), "query", "--json", "--index", str(indexed), "パン"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["hits"][0]["path"] == "_posts/2024-01-01-pan.md"
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "query", "x", "--index", str(indexed.parent / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "error:" in proc.stderr


@pytest.mark.parametrize("encoding", ["ascii", "euc_jp", "shift_jis"])
def test_output_on_a_terminal_that_is_not_utf8(indexed: Path, encoding: str) -> None:
    # A title with an emoji and a table with box drawing on an EUC-JP (or ASCII) terminal:
    # what the terminal can show is shown, the rest replaced; never UnicodeEncodeError.
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": encoding, "LANG": "C"}
    for args in (["query", "AI"], ["tags"], ["stats"], ["explain", "AI", "--post", "2025-03-01-ai.md"]):
        proc = subprocess.run(
            [sys.executable, "-m", "cli.main", *args, "--index", str(indexed)],
            capture_output=True,
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert proc.returncode == 0, proc.stderr.decode(encoding, "replace")
        assert b"Traceback" not in proc.stderr
        text = proc.stdout.decode(encoding)
        if encoding != "ascii" and args[0] == "query":
            assert "AIチップの話" in text
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "query", "AI", "--json", "--index", str(indexed)],
        capture_output=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert json.loads(proc.stdout)["hits"][0]["title"] == "AIチップの話"  # escaped, not replaced


@pytest.mark.parametrize("query", ["", "   ", "　", "OR", "OR OR", "|"])
def test_empty_query_is_an_error(indexed: Path, query: str) -> None:
    code, _, err = run("query", query, "--index", str(indexed))
    assert code == 1
    assert err.strip().startswith("error: empty query") and len(err.strip().splitlines()) == 1


def test_filters_alone_browse_posts(indexed: Path) -> None:
    code, out, _ = run("query", "tag:AI", "--index", str(indexed), "--json")
    assert code == 0 and json.loads(out)["total"] == 1


def test_a_dash_and_one_letter_is_an_unknown_option(indexed: Path) -> None:
    # `-n 5` is a habit from other tools, not "exclude the word n".
    code, _, err = run("query", "-n", "5", "AI", "--index", str(indexed))
    assert code == 2 and "no such option: -n" in err
    code, out, _ = run("query", "AI", '-"n"', "--index", str(indexed), "--json")
    assert code == 0 and json.loads(out)["total"] == 1
    code, out, _ = run("query", "AI", "-パン", "--index", str(indexed), "--json")
    assert code == 0 and json.loads(out)["total"] == 1


def test_index_option_pointing_at_a_file(indexed: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    code, _, err = run("query", "AI", "--index", str(a_file))
    assert code == 1
    assert "is a file, not an index folder" in err and "Errno" not in err


def test_an_argument_in_another_encoding_is_one_line(indexed: Path) -> None:
    # What Python makes of the bytes of a Shift_JIS or Latin-1 terminal: lone surrogates.
    bad = b"\x82\xa0\xff".decode("utf-8", "surrogateescape")
    for args in (["query", bad], ["query", f"tag:{bad}"], ["related", bad], ["explain", "x", "--post", bad]):
        code, _, err = run(*args, "--index", str(indexed))
        assert code == 1, args
        assert err.startswith("error: ") and "not valid text" in err and len(err.strip().splitlines()) == 1


def test_options_alone_browse_posts_without_query_words(indexed: Path) -> None:
    code, out, _ = run("query", "--sort", "date", "--index", str(indexed), "--json")
    assert code == 0 and [h["title"] for h in json.loads(out)["hits"]] == ["AIチップの話", "パン"]
    code, out, _ = run("query", "--tag", "料理", "--index", str(indexed), "--json")
    assert code == 0 and json.loads(out)["total"] == 1
    code, _, err = run("query", "--index", str(indexed))
    assert code == 1 and err.startswith("error: empty query")


def test_folders_named_in_another_encoding_are_one_line(tmp_path: Path) -> None:
    odd = tmp_path / b"posts\xff".decode("utf-8", "surrogateescape")
    write_posts(odd, POSTS)
    code, _, err = run("index", str(odd), "--index", str(tmp_path / "index"), "--workers", "1")
    assert code == 1 and "is not named in UTF-8" in err and len(err.strip().splitlines()) == 1
    code, _, err = run("index", str(tmp_path), "--index", str(odd / "index"), "--workers", "1")
    assert code == 1 and "index location" in err and "is not named in UTF-8" in err
    assert not (odd / "index").exists()
