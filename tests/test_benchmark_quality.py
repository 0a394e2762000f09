"""The retrieval benchmark as a gate: quality may not silently regress.

Runs ``bench/quality.py`` on the JSQuAD test collection (real Wikipedia paragraphs and
questions nobody on the team wrote) and its known-item mode on a real blog archive
(blog-vim-jp.github.io, titles as queries) through the normal indexing and search path.
"""

from __future__ import annotations

import pytest

from bench.knownitem import evaluate_known_item
from bench.quality import evaluate
from tests.conftest import SHARED_DATA

JSQUAD = SHARED_DATA / "jsquad-test"
MIN_MRR10 = 0.93
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
# Known-item titles on blog-vim-jp.github.io: measured 0.755 MRR@10 (FTS5 trigram 0.705 in the
# same run) on the code this gate was written for; set a little below that so noise and
# harmless ties do not fail it. Raise it as ranking is tuned for issue 10 (target 0.95).
MIN_TITLE_MRR10 = 0.73


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
