"""Experts for planted topics of the sample share: the owner first, with evidence."""

from __future__ import annotations

import pytest

from index.governance.experts import find_experts
from index.search import Searcher


@pytest.mark.parametrize(
    ("query", "owner", "document"),
    [
        ("een journalist belt over een cliënt, wat mag ik zeggen", "Sanne Bakker",
         "communicatie/persprocedure.docx"),
        ("wachtwoord vergeten, hoe lang moet het nieuwe zijn", "Priya Raman",
         "it/wachtwoordbeleid.docx"),
        ("how do I set up the VPN on my laptop", "Tom Hendriks", "it/vpn_setup_guide.pdf"),
    ],
)  # fmt: skip
def test_the_owner_of_a_topic_comes_first_with_evidence(
    searcher: Searcher, query: str, owner: str, document: str
) -> None:
    experts = find_experts(searcher, query, top_k=5)
    first = experts[0]
    assert first.name == owner, [(e.name, e.score) for e in experts]
    assert first.evidence[0].doc_id == f"sample-share/{document}"
    assert first.evidence[0].role == "owner" and first.evidence[0].text
    assert [e.score for e in experts] == sorted((e.score for e in experts), reverse=True)


def test_team_members_count_but_less_than_named_owners(searcher: Searcher) -> None:
    experts = {e.name: e for e in find_experts(searcher, "wachtwoordbeleid", top_k=10)}
    assert experts["Priya Raman"].score > experts["Joost van Dijk"].score > 0
    assert {ev.role for ev in experts["Joost van Dijk"].evidence} == {"team member"}
