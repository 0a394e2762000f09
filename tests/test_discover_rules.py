"""What counts as a post, and what a post's folder says about it.

* Repository documents (README, LICENSE, CHANGELOG, CONTRIBUTING…) at the root of a posts
  folder are not posts: ignored by default, counted in the summary, listed with --verbose;
  ``include_root_docs`` / ``--include-root-docs`` indexes them, ``exclude`` / ``--exclude``
  leaves out more.
* A post without categories under a Hugo ``content/`` folder gets its section (the first
  folder under ``content/``) as category; not year folders, not ``posts``/``blog``, not Jekyll.
* An existing folder without posts is a warning, exit 0; ``--index`` naming a file is one line.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_POSTS, SHARED_DATA, write_posts

from cli.main import main
from indexer import index_posts
from indexer.discover import ROOT_DOC, discover
from search import Index
from search.errors import SearchError

POST = "---\ntitle: {title}\n---\n{title}の本文。\n"
ROOT_DOCS = [
    "README.md",
    "readme.markdown",
    "LICENSE.md",
    "License.md",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
    "README.ja.md",
    "CODE_OF_CONDUCT.md",
]


def _paths(index: Path) -> list[str]:
    return sorted(h.path for h in Index.open(index).search("", sort="date", limit=100, snippets=False).hits)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A blog repository indexed at its root: posts plus the documents every repository has."""
    files = {name: f"# {name}\nこのリポジトリの説明。\n" for name in ROOT_DOCS}
    files |= {
        "hello.md": POST.format(title="はじめまして"),
        "notes/README.md": POST.format(title="ノートの索引"),  # not at the root: a post
        "readme-writing.md": POST.format(title="READMEの書き方"),  # a post about READMEs
        "drafts/idea.md": POST.format(title="下書きの案"),
    }
    return write_posts(tmp_path / "repo", files)


def test_root_documents_are_not_posts_and_the_summary_says_so(repo: Path, tmp_path: Path) -> None:
    report = index_posts([repo], tmp_path / "index", workers=1)
    assert _paths(tmp_path / "index") == [
        "drafts/idea.md",
        "hello.md",
        "notes/README.md",
        "readme-writing.md",
    ]
    assert sorted(report.ignored) == sorted((name, ROOT_DOC) for name in ROOT_DOCS)
    assert "ignored 8 (CHANGELOG.md, CODE_OF_CONDUCT.md, …)" in report.summary()


def test_root_documents_can_be_included_and_more_excluded(repo: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    report = index_posts([repo], index, workers=1, include_root_docs=True, exclude=["drafts", "*-writing.md"])
    assert _paths(index) == sorted(["hello.md", "notes/README.md", *ROOT_DOCS])
    assert sorted(report.ignored) == [
        ("drafts", "excluded by pattern drafts"),
        ("readme-writing.md", "excluded by pattern *-writing.md"),
    ]
    # The next run with the defaults takes the documents out and the excluded posts back in.
    again = index_posts([repo], index, workers=1)
    assert (again.deleted, again.added) == (len(ROOT_DOCS), 2)
    assert _paths(index) == ["drafts/idea.md", "hello.md", "notes/README.md", "readme-writing.md"]


def test_cli_lists_ignored_documents_with_verbose_and_takes_the_options(repo: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    result = CliRunner().invoke(main, ["index", str(repo), "--index", index, "--workers", "1", "-v"])
    assert result.exit_code == 0, result.output
    assert "ignored README.md: repository document, not a post (index it with --include-root-docs)" in (
        result.stderr.splitlines()
    )
    assert "ignored 8 (" in result.stdout
    result = CliRunner().invoke(
        main,
        [
            "index",
            str(repo),
            "--index",
            index,
            "--include-root-docs",
            "--exclude",
            "notes/*",
            "--exclude",
            "drafts",
        ],
    )
    assert result.exit_code == 0, result.output
    assert _paths(tmp_path / "index") == sorted(["hello.md", "readme-writing.md", *ROOT_DOCS])


# -- Hugo sections as categories -----------------------------------------------------------

NO_CATEGORY = '+++\ntitle = "{t}"\n+++\n{t}の本文。\n'
SITE = {
    "content/golang/iter.md": NO_CATEGORY.format(t="イテレータ"),
    "content/golang/typed.md": '+++\ntitle = "型"\ncategories = ["言語"]\n+++\n型の話。\n',
    "content/golang/bundle/index.md": NO_CATEGORY.format(t="束ねた記事"),
    "content/remark/2024/05/note.md": NO_CATEGORY.format(t="五月の覚え書き"),
    "content/2023/old.md": NO_CATEGORY.format(t="年のフォルダ"),
    "content/posts/plain.md": NO_CATEGORY.format(t="ふつうの記事"),
    "content/about.md": NO_CATEGORY.format(t="このサイトについて"),
    "content/trip/index.md": NO_CATEGORY.format(t="旅の記事"),  # a page bundle, not a section
    "_posts/2024/2024-01-02-jekyll.md": "---\ntitle: ジキル\n---\nジキルの記事。\n",
    "notes/golang/memo.md": NO_CATEGORY.format(t="メモ"),  # not under content/
}
SECTIONS = {
    "golang/iter.md": ["golang"],
    "golang/typed.md": ["言語"],  # the front matter wins
    "golang/bundle/index.md": ["golang"],
    "remark/2024/05/note.md": ["remark"],
    "2023/old.md": [],
    "posts/plain.md": [],
    "about.md": [],
    "trip/index.md": [],
}


def _categories(index: Path) -> dict[str, list[str]]:
    return {
        h.path: h.categories
        for h in Index.open(index).search("", sort="date", limit=100, snippets=False).hits
    }


def test_hugo_sections_become_categories_of_posts_without_one(tmp_path: Path) -> None:
    site = write_posts(tmp_path / "site", SITE)
    index_posts([site / "content"], tmp_path / "content-index", workers=1)
    assert _categories(tmp_path / "content-index") == SECTIONS
    # The site's root indexed instead: the same sections; Jekyll's and other folders give none.
    index_posts([site], tmp_path / "site-index", workers=1)
    expected = {f"content/{path}": cats for path, cats in SECTIONS.items()}
    expected |= {"_posts/2024/2024-01-02-jekyll.md": [], "notes/golang/memo.md": []}
    assert _categories(tmp_path / "site-index") == expected
    assert Index.open(tmp_path / "site-index").categories() == {"golang": 2, "remark": 1, "言語": 1}


def test_sample_posts_keep_their_own_categories() -> None:
    """Every sample post has categories; none gets `posts`, `content` or a generator's name."""
    found = discover([SAMPLE_POSTS])
    assert all(f.section is None for f in found.files)
    assert found.ignored == []


HUGO = SHARED_DATA / "blog-github-pages-env"


def test_real_hugo_archive_root_sections_and_readme() -> None:
    """Indexing blog-github-pages-env at its root: README.md is not a post, and every post
    (none has categories) is filed under its section folder."""
    if not (HUGO / "content").is_dir():
        pytest.skip(f"real archive {HUGO} is not present (evaluation data in ../shared/data)")
    found = discover([HUGO])
    assert found.ignored == [("README.md", ROOT_DOC)] and found.problems == []
    by_section = Counter(f.section for f in found.files)
    on_disk = Counter(p.relative_to(HUGO / "content").parts[0] for p in (HUGO / "content").rglob("*.md"))
    assert by_section == on_disk and len(found.files) == 2112
    assert {"bookmarks", "golang", "remark", "release", "openpgp"} <= set(by_section)


# -- nothing to index, nowhere to write -----------------------------------------------------


def test_a_folder_without_posts_is_a_warning_not_an_error(tmp_path: Path) -> None:
    empty = write_posts(tmp_path / "empty", {"notes.txt": "メモ\n", "README.md": "# 説明\n"})
    report = index_posts([empty], tmp_path / "index", workers=1)
    assert report.posts == 0
    assert report.warnings == [(str(empty), "no posts found (looked for *.md and *.markdown files)")]
    result = CliRunner().invoke(main, ["index", str(empty), "--index", str(tmp_path / "index2")])
    assert result.exit_code == 0, result.output
    assert (
        f"warning {empty}: no posts found (looked for *.md and *.markdown files)"
        in result.stderr.splitlines()
    )


def test_index_location_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    posts = write_posts(tmp_path / "posts", {"a.md": POST.format(title="記事")})
    taken = tmp_path / "taken"
    taken.write_text("not an index\n")
    for where in (taken, taken / "inside"):
        with pytest.raises(SearchError) as info:
            index_posts([posts], where, workers=1)
        assert str(info.value) == f"index location {where} is not a folder ({taken} is a file)"
        result = CliRunner().invoke(main, ["index", str(posts), "--index", str(where)])
        assert result.exit_code == 1
        assert result.stderr == f"error: index location {where} is not a folder ({taken} is a file)\n"
    assert taken.read_text() == "not an index\n"
