"""The retrieval benchmark as a gate: quality may not silently regress.

Runs ``bench/quality.py`` on the JSQuAD test collection (real Wikipedia paragraphs and
questions nobody on the team wrote) and its known-item mode on a real blog archive
(blog-vim-jp.github.io, titles as queries) through the normal indexing and search path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.knownitem import KINDS, NEUTRAL_TITLE, evaluate_known_item, plan_queries, read_archive
from bench.quality import evaluate
from indexer.posts import PostOptions, load_post
from search.normalize import fold
from tests.conftest import SHARED_DATA, write_posts

JSQUAD = SHARED_DATA / "jsquad-test"
MIN_MRR10 = 0.94  # measured 0.949 (issue 10's code); the gate allows ties and small noise
MIN_PARTIAL_RECALL = 1.0


@pytest.mark.skipif(
    not (JSQUAD / "docs.jsonl").exists(),
    reason=f"evaluation data not present at {JSQUAD} (only in the team's checkout and CI)",
)
def test_jsquad_quality_gate() -> None:
    report = evaluate(JSQUAD)
    print("\n" + report.table())
    assert report.partial_recall >= MIN_PARTIAL_RECALL, report.partial_misses
    assert report.mrr10 >= MIN_MRR10


VIM_JP = SHARED_DATA / "blog-vim-jp.github.io"
# Known-item titles on blog-vim-jp.github.io: measured 0.755 MRR@10 before issue 10's ranking
# work and 0.883 after it (FTS5 trigram 0.705 in the same runs); set a little below the
# latter so harmless ties do not fail it, far above the former so a regression does.
MIN_TITLE_MRR10 = 0.86


@pytest.mark.skipif(
    not (VIM_JP / "_posts").is_dir(),
    reason=f"blog archive not present at {VIM_JP} (only in the team's checkout and CI)",
)
def test_vim_jp_title_known_item_gate() -> None:
    """A reader types a post's title; that title is gone from the indexed copy. The post
    must come first often enough, and more often than with SQLite FTS5 trigram."""
    report = evaluate_known_item(VIM_JP, kinds=("title",), folds=5)
    print("\n" + report.table())
    title = report.kinds["title"]
    assert title.queries >= 250  # the set did not silently shrink (297 titles today)
    assert title.ours.mrr10 >= MIN_TITLE_MRR10, report.misses[:10]
    assert title.ours.mrr10 > title.fts5.mrr10


def test_known_item_copies_do_not_leak_the_remembered_text(tmp_path: Path) -> None:
    """The indexed copy must not hold the query anywhere the indexer reads it (title,
    heading fallback, excerpt), in each front-matter dialect, and be otherwise unchanged:
    else the known-item figures measure string equality, not search."""
    write_posts(
        tmp_path,
        {
            "_posts/2020-01-02-hello-vim.md": (
                "---\r\nlayout: post\r\ntitle: Vim 9.1 has been released\r\ncategory: blog\r\n---\r\n"
                "# Vim 9.1 has been released\r\n\r\nついに新しい版が公開されたので早速試してみました。"
                "細かい変更点は後日まとめます。\r\n"
            ),
            "posts/2017/hakyll.md": (
                "---\ntitle: 型クラスの使い方\ntags: GHC, 型\ndate: April 30, 2017\n...\n---\n\n"
                "## はじめに\n\n今回は型クラスを使って共通の処理を抜き出す方法を紹介します。\n"
            ),
            "content/remark/hugo.md": (
                '+++\ntitle = "同時多発テロ関連のブックマーク"\ndate = "2015-09-05T20:32:00+09:00"\n'
                'description = "同時多発テロ関連のブックマーク。"\ntags = [ "security" ]\n\n[scripts]\n'
                "  mathjax = false\n+++\n\nこれは本文の最初の段落にある十分に長い一文である。\n"
            ),
        },
    )
    posts = read_archive(tmp_path)
    queries, skipped, _ = plan_queries(posts, KINDS, folds=2, sample=None, seed=1)
    assert skipped == {"title": {}, "sentence": {}}
    by_post = {p.rel: p for p in posts}
    for q in queries:
        before = by_post[q.expected].record
        after = load_post(q.edited.encode("utf-8"), q.expected, PostOptions()).record
        readable = fold(f"{after.title}\n{after.excerpt}\n{after.body}")
        assert fold(q.text) not in readable, (q.kind, q.text)
        assert (after.tags, after.date) == (before.tags, before.date)  # front matter otherwise intact
        if q.kind == "title":
            assert after.title == NEUTRAL_TITLE
        else:
            assert after.title == before.title
            assert q.text.endswith(("試してみました", "紹介します", "一文である"))
    assert {q.kind for q in queries} == {"title", "sentence"} and len(queries) == 6
    # a post never loses its title and its sentence in the same index
    folds = {(q.expected, q.fold) for q in queries}
    assert len(folds) == len(queries)
