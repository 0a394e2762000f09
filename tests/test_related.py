"""Related posts: same topic found through words (spelling variants included) and tags,
never the post itself or a draft; the --all file for Hugo and Jekyll, incremental."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import SAMPLE_POSTS, write_posts

from cli.main import main
from indexer import index_posts
from search import Index, PostNotFoundError, QuerySyntaxError
from search.explain import find_post
from search.related import RelatedFinder, site_data, site_key

DRAFTS = {"hugo/content/posts/handwired-keyboard.md", "jekyll/_posts/2021-11-27-mirrorless-memo.md"}


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The sample archive with its draft and its unpublished post indexed (--drafts)."""
    where = tmp_path_factory.mktemp("related") / "index"
    index_posts([SAMPLE_POSTS], where, include_drafts=True)
    return Index.open(where)


def all_paths(idx: Index) -> list[str]:
    return [h.path for h in idx.search("", sort="date", limit=1000, snippets=False).hits]


def related(idx: Index, post: str, limit: int = 10) -> list[str]:
    return [h.path for h in idx.related(post, limit)]


def content_only(idx: Index, post: str, limit: int = 3) -> list[str]:
    """Related posts found from the words alone, tags hidden from the method."""
    searcher = idx.searcher()
    _path, addr = find_post(searcher, idx.schema, post)
    finder = RelatedFinder(searcher, idx.schema, use_tags=False)
    return [searcher.doc(a).get_first("path") for _s, a in finder.find(addr, limit)]


def test_never_the_post_itself_nor_a_draft(idx: Index) -> None:
    every = all_paths(idx)
    assert set(every) >= DRAFTS  # drafts are indexed and searchable as before
    assert idx.search("自作キーボード").hits[0].path == "hugo/content/posts/handwired-keyboard.md"
    for path in every:
        found = related(idx, path, 50)
        assert path not in found
        assert not DRAFTS & set(found), path
        assert found, path  # every sample post has some neighbour
    # a draft may ask for its related posts; they are published ones
    assert related(idx, "handwired-keyboard.md") and not DRAFTS & set(related(idx, "handwired-keyboard.md"))


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        # the three 半導体 posts
        (
            "2022-03-21-ai-chip-investment.md",
            {"hugo/content/posts/semiconductor-basics.md", "hugo/content/posts/3nm-2nm-chatgpt.md"},
        ),
        # the three 京都 posts
        (
            "2023-04-02-kyoto-sakura.md",
            {"hugo/content/posts/kyoto-autumn/index.md", "hexo/source/_posts/kyoto-kissaten.md"},
        ),
        # bread
        ("2023-08-19-pan-ichinen.md", {"hugo/content/posts/stay-home-bread.md"}),
        # running
        ("winter-running.md", {"jekyll/_posts/2025-05-18-half-marathon.md"}),
    ],
)
def test_posts_about_the_same_thing_come_first(idx: Index, post: str, expected: set[str]) -> None:
    assert set(related(idx, post, len(expected))) == expected


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        # りんご / リンゴ / 林檎: three spellings, one word
        (
            "2020-10-18-ringo-compote.md",
            {"hugo/content/posts/ringo-satsumaimo.md", "hugo/content/posts/ringo-shiraae.md"},
        ),
        # 引越し / 引っ越し
        ("hon-wo-tebanashita.md", {"jekyll/_posts/2021-05-03-hikkoshi-junbi.md"}),
        # サーバ, コンピュータ, ユーザ / サーバー, コンピューター, ユーザー
        ("2019-03-17-raspberry-pi-home-server.md", {"jekyll/_posts/2024-12-01-linux-backup.md"}),
    ],
)
def test_words_alone_find_the_topic_across_spellings(idx: Index, post: str, expected: set[str]) -> None:
    assert set(content_only(idx, post, len(expected))) == expected


def test_results_are_hits_best_first(idx: Index) -> None:
    hits = idx.related("hugo/content/posts/kyoto-autumn/index.md", 5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.title and h.score > 0 for h in hits)
    assert hits[0].tags and hits[0].date is not None


def test_unknown_ambiguous_and_bad_limit_are_clear_errors(idx: Index) -> None:
    with pytest.raises(PostNotFoundError, match="no indexed post"):
        idx.related("no-such-post.md")
    with pytest.raises(PostNotFoundError, match="several posts"):
        idx.related("index.md")
    with pytest.raises(QuerySyntaxError, match="limit"):
        idx.related("winter-running.md", 0)


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_one_post(idx: Index) -> None:
    code, out, _ = cli("related", "winter-running.md", "--index", str(idx.root), "--limit", "2", "--json")
    assert code == 0
    data = json.loads(out)
    assert [h["path"] for h in data["related"]] == related(idx, "winter-running.md", 2)
    code, out, _ = cli("related", "winter-running.md", "--index", str(idx.root))
    assert code == 0 and "初めてのハーフマラソン完走記" in out
    code, out, err = cli("related", "no-such-post.md", "--index", str(idx.root))
    assert code == 1 and out == ""
    assert err.startswith("error: no indexed post") and err.count("\n") == 1
    code, _, err = cli("related", "--index", str(idx.root))
    assert code == 2 and "--all" in err


def test_all_json_has_a_list_per_published_post(idx: Index, tmp_path: Path) -> None:
    out = tmp_path / "related.json"
    code, said, _ = cli("related", "--all", "--out", str(out), "--index", str(idx.root), "--limit", "3")
    assert code == 0 and "42 posts" in said
    data = json.loads(out.read_text(encoding="utf-8"))
    published = set(all_paths(idx)) - DRAFTS
    assert set(data) == published
    for path, entries in data.items():
        assert len(entries) == 3
        assert [e["path"] for e in entries] == related(idx, path, 3)
        assert {"path", "title", "date", "score"} <= set(entries[0])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".related.json.state", "related.json"]  # no temp file left behind


def test_hugo_keys_are_file_paths_under_content(idx: Index, tmp_path: Path) -> None:
    out = tmp_path / "data" / "related.json"
    out.parent.mkdir()
    code, _, _ = cli("related", "--all", "--format", "hugo", "--out", str(out), "--index", str(idx.root))
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    entries = data["posts/kyoto-autumn/index.md"]  # what Hugo's .File.Path gives for the bundle
    named = [e["path"] for v in data.values() for e in v]
    assert not [p for p in [*data, *named] if p.startswith("hugo/content/")]
    assert "posts/kyoto-autumn/index.md" not in [e["path"] for e in entries]
    assert {e["path"] for e in data["posts/semiconductor-basics.md"]} >= {"posts/3nm-2nm-chatgpt.md"}


def test_jekyll_yaml_keys_are_page_paths(idx: Index, tmp_path: Path) -> None:
    out = tmp_path / "_data" / "related.yml"
    out.parent.mkdir()
    code, _, _ = cli(
        "related", "--all", "--format", "jekyll", "--strip-prefix", "jekyll",
        "--out", str(out), "--index", str(idx.root),
    )  # fmt: skip
    assert code == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    entries = data["_posts/2023-04-02-kyoto-sakura.md"]  # what Jekyll's page.path gives
    assert entries[0]["title"] and entries[0]["date"]
    assert len(data) == 42


def test_site_key_rules() -> None:
    assert site_key("content/posts/a.md", "hugo", ["/site"]) == "posts/a.md"
    assert site_key("posts/a/index.md", "hugo", ["/site/content"]) == "posts/a/index.md"
    assert site_key("2024-01-01-a.md", "jekyll", ["/site/_posts"]) == "_posts/2024-01-01-a.md"
    assert site_key("_posts/2024-01-01-a.md", "jekyll", ["/site"]) == "_posts/2024-01-01-a.md"
    assert site_key("blog/_posts/a.md", "jekyll", ["/x"], strip_prefix="blog/") == "_posts/a.md"
    assert site_key("content/posts/a.md", "json", ["/site"]) == "content/posts/a.md"


POSTS = {
    "_posts/2024-01-01-kyoto.md": "---\ntags: [旅行, 京都]\n---\n京都の寺と庭園を歩いた。紅葉の嵐山。\n",
    "_posts/2024-02-01-kyoto2.md": "---\ntags: [旅行, 京都]\n---\n京都の庭園で紅葉を見た。嵐山の寺。\n",
    "_posts/2024-03-01-pan.md": "---\ntags: [料理, パン]\n---\nパンの生地を発酵させて焼いた。\n",
    "_posts/2024-04-01-pan2.md": "---\ntags: [料理, パン]\n---\nパン生地の発酵とオーブンの温度。\n",
    "_posts/2024-05-01-go.md": "---\ntags: [プログラミング]\n---\nGo言語でCLIツールを書いた。\n",
    "_posts/2024-06-01-go2.md": "---\ntags: [プログラミング]\n---\nGo言語のCLIツールとテスト。\n",
    "_posts/2024-06-02-run.md": "---\ntags: [ランニング]\n---\n冬の朝に川沿いを走った。\n",
    "_posts/2024-06-03-run2.md": "---\ntags: [ランニング]\n---\n川沿いのランニングコース。\n",
    "_posts/2024-06-04-run3.md": "---\ntags: [ランニング]\n---\nマラソンに向けて走る距離を伸ばす。\n",
    "_posts/2024-06-05-camera.md": "---\ntags: [カメラ]\n---\n単焦点レンズで夜景を撮った。\n",
    "_posts/2024-06-06-camera2.md": "---\ntags: [カメラ]\n---\nレンズの手入れと夜景の撮り方。\n",
    "_posts/2024-06-07-camera3.md": "---\ntags: [カメラ]\n---\n三脚を使って夜景を撮る。\n",
}


@pytest.fixture(scope="module")
def editable(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small Jekyll archive (the _posts folder itself indexed) that tests may change."""
    base = tmp_path_factory.mktemp("editable")
    write_posts(base, POSTS)
    index_posts([base / "_posts"], base / "index", workers=1)
    return base / "_posts", base / "index"


def test_all_is_incremental(editable: tuple[Path, Path], tmp_path: Path) -> None:
    posts, index = editable
    idx = Index.open(index)
    first = site_data(idx, "jekyll", limit=2)
    assert first.recomputed == 12 and not first.unchanged
    data = yaml.safe_load(first.text)
    assert set(data) == {f"_posts/{name.removeprefix('_posts/')}" for name in POSTS}  # page.path keys
    assert data["_posts/2024-01-01-kyoto.md"][0]["path"] == "_posts/2024-02-01-kyoto2.md"

    again = site_data(idx, "jekyll", limit=2, previous_state=first.state, previous_text=first.text)
    assert again.unchanged and again.text == first.text
    # a file edited by hand since is rewritten, without recomputing
    repaired = site_data(idx, "jekyll", limit=2, previous_state=first.state, previous_text="edited")
    assert not repaired.unchanged and repaired.recomputed == 0 and repaired.text == first.text
    # other options: start over
    other = site_data(idx, "jekyll", limit=3, previous_state=first.state, previous_text=first.text)
    assert other.recomputed == 12

    # delete a post and add one: only their neighbourhood is recomputed, and no list names
    # the deleted post any more
    (posts / "2024-06-01-go2.md").unlink()
    write_posts(posts, {"2024-07-01-pan3.md": "---\ntags: [料理, パン]\n---\nパンの発酵を待つ間に。\n"})
    index_posts([posts], index, workers=1)
    later = site_data(idx, "jekyll", limit=2, previous_state=first.state, previous_text=first.text)
    assert 0 < later.recomputed < 12
    data = yaml.safe_load(later.text)
    assert "_posts/2024-06-01-go2.md" not in data and "_posts/2024-07-01-pan3.md" in data
    named = {e["path"] for entries in data.values() for e in entries}
    assert "_posts/2024-06-01-go2.md" not in named
    assert "_posts/2024-07-01-pan3.md" in {e["path"] for e in data["_posts/2024-03-01-pan.md"]}
    # the kyoto posts were not near any change: their lists are reused as they were
    assert data["_posts/2024-01-01-kyoto.md"] == yaml.safe_load(first.text)["_posts/2024-01-01-kyoto.md"]
    # the same lists as a full recompute; the reused ones keep their old scores (idf drift)
    fresh = yaml.safe_load(site_data(idx, "jekyll", limit=2, full=True).text)
    assert {k: [e["path"] for e in v] for k, v in data.items()} == {
        k: [e["path"] for e in v] for k, v in fresh.items()
    }


def test_cli_all_skips_rewriting_an_up_to_date_file(editable: tuple[Path, Path], tmp_path: Path) -> None:
    _posts, index = editable
    out = tmp_path / "related.yml"
    args = ("related", "--all", "--format", "jekyll", "--out", str(out), "--index", str(index))
    code, said, _ = cli(*args)
    assert code == 0 and said.startswith("wrote")
    before = out.stat()
    code, said, _ = cli(*args)
    assert code == 0 and "up to date" in said
    assert out.stat().st_ino == before.st_ino and out.stat().st_mtime_ns == before.st_mtime_ns
    code, said, _ = cli(*args, "--full")
    assert code == 0 and said.startswith("wrote")
    code, _, err = cli("related", "--all", "--index", str(index))
    assert code == 2 and "--out" in err
    shutil.rmtree(tmp_path / "missing", ignore_errors=True)
    code, _, err = cli(
        "related", "--all", "--out", str(tmp_path / "missing" / "r.json"), "--index", str(index)
    )
    assert code == 1 and err.startswith("error: cannot write")
