"""Linear fusion of the two arms, with and without document evidence."""

from __future__ import annotations

import pytest

from index.fusion import fuse, normalise

# Chunk 1 is document A's title chunk (found by the lexical arm only), chunk 2 its body (found
# by the dense arm only); chunk 3 is document B, found by both arms a little less well.
DENSE = {2: 0.90, 3: 0.85, 4: 0.60}
LEXICAL = {1: 12.0, 3: 9.0, 5: 2.0}
DOCUMENTS = {1: "A", 2: "A", 3: "B", 4: "C", 5: "D"}


def test_a_chunk_missing_from_an_arm_gets_that_arms_lowest_score_by_default() -> None:
    fused = dict(fuse(DENSE, LEXICAL, 0.5, 0.5, "minmax"))
    dense, lexical = normalise(DENSE), normalise(LEXICAL)
    assert fused[2] == pytest.approx(0.5 * dense[2] + 0.5 * min(lexical.values()))
    assert fused == dict(fuse(DENSE, LEXICAL, 0.5, 0.5, "minmax", DOCUMENTS, 0.0))
    assert max(fused, key=fused.__getitem__) == 3


@pytest.mark.parametrize("evidence", [0.5, 1.0])
def test_document_evidence_lifts_a_chunk_toward_its_documents_best_in_the_other_arm(
    evidence: float,
) -> None:
    fused = dict(fuse(DENSE, LEXICAL, 0.5, 0.5, "minmax", DOCUMENTS, evidence))
    dense, lexical = normalise(DENSE), normalise(LEXICAL)
    floor = min(lexical.values())
    assert fused[2] == pytest.approx(0.5 * dense[2] + 0.5 * (floor + evidence * (1.0 - floor)))
    assert fused[4] == pytest.approx(0.5 * dense[4] + 0.5 * floor)  # alone in its document
    assert fused[3] == pytest.approx(0.5 * dense[3] + 0.5 * lexical[3])  # in both arms
    if evidence == 1.0:  # document A's two chunks now outrank B, found by both arms
        assert fused[1] == fused[2] == pytest.approx(1.0)
        assert fused[3] < fused[2]
