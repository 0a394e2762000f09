"""The retrieval benchmark as a gate: quality may not silently regress.

Runs ``bench/quality.py`` on the JSQuAD test collection (real Wikipedia paragraphs and
questions nobody on the team wrote) through the normal indexing and search path.
"""

from __future__ import annotations

import pytest

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
