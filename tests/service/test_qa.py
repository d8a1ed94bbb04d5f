"""Extractive answers: sentence splitting and selection (pure), and answers on the sample share.

The confidence threshold (``service.qa.ANSWER_THRESHOLD``) was measured with all 44 labelled
sample-share questions and ``UNANSWERABLE`` below; these tests keep a few clear cases of each.
"""

from __future__ import annotations

import pytest

from index.filters import Filters
from index.models import Hit, Owner
from index.search import Searcher
from service.qa import AnswerConfig, Candidate, answer_question, answer_text, compose
from service.sentences import overlap, split_sentences

UNANSWERABLE = [
    "Wat is de hoofdstad van Peru?",
    "mag mijn hond mee naar kantoor",
    "wanneer is de kerstborrel",
    "hoeveel kost een abonnement op de sportschool via de zaak",
    "wat eten we vandaag in de kantine",
    "hoe werkt het bonusplan voor managers",
    "welke aandelenopties krijgen medewerkers",
    "kan ik een elektrische deelauto van de zaak reserveren",
    "How do I bake sourdough bread?",
    "Who won the football match last night?",
    "What is the company's policy on cryptocurrency investments?",
    "What is the dress code for the office?",
    "How do I get a company car lease?",
    "What is the stock price of the company today?",
    "Is there a gym discount for employees?",
    "When is the Christmas party this year?",
]


def _hit(doc: str, ordinal: int, owners: tuple[str, ...] = ("Team HR",)) -> Hit:
    return Hit(
        chunk_id=f"share/{doc}#{ordinal}",
        chunk_rowid=ordinal,
        doc_id=f"share/{doc}",
        root="share",
        doc_path=doc,
        title=doc,
        text="",
        score=1.0,
        owners=tuple(Owner(name, "owners_file") for name in owners),
        modified_at="2026-01-01T00:00:00+00:00",
        page=None,
        section=None,
        file_type="docx",
        language="nl",
    )


def test_sentences_skip_headings_and_keep_faq_questions_with_their_answer() -> None:
    text = (
        "Salaris en loonstrook\n\nWanneer wordt het salaris betaald? Het salaris staat op de "
        "25e op je rekening. Je loonstrook vind je in Mijn Wegwijs.\n\nKort."
    )
    assert split_sentences(text) == [
        "Wanneer wordt het salaris betaald? Het salaris staat op de 25e op je rekening.",
        "Je loonstrook vind je in Mijn Wegwijs.",
    ]


def test_sentences_are_limited_and_long_rows_cut_at_a_word() -> None:
    text = " ".join(f"Zin nummer {i} staat hier." for i in range(30))
    assert len(split_sentences(text, limit=5)) == 5
    row = "kolom " * 200
    (cut,) = split_sentences(row)
    assert len(cut) <= 402 and cut.endswith(" …")


def test_overlap_counts_query_words_by_stem_in_either_language() -> None:
    groups = [{"vakantiedagen", "vakantiedag"}, {"krijg"}]
    assert overlap(groups, "Je krijgt 25 vakantiedagen.") == 0.5
    assert overlap([], "anything") == 0.0


def test_confident_answer_cites_passages_in_reading_order() -> None:
    first, second = _hit("a.docx", 0), _hit("b.docx", 3)
    ranked = [
        Candidate("Tweede zin uit b.", second, 0.95, 5),
        Candidate("Eerste zin uit a.", first, 0.94, 1),
        Candidate("Te zwak om mee te nemen.", first, 0.80, 2),
    ]
    answer = compose("vraag", ranked, [first, second], AnswerConfig(threshold=0.9))
    assert answer.confident and answer.ask == ()
    assert [(s.text, s.n) for s in answer.sentences] == [
        ("Eerste zin uit a.", 1),
        ("Tweede zin uit b.", 2),
    ]
    assert [(c.n, c.hit.chunk_id) for c in answer.citations] == [
        (1, first.chunk_id),
        (2, second.chunk_id),
    ]
    assert answer_text(answer, "nl") == "Eerste zin uit a. [1] Tweede zin uit b. [2]"


def test_weak_evidence_names_owners_instead_of_guessing() -> None:
    hits = [_hit("a.docx", 0, ("Anouk", "Team HR")), _hit("b.docx", 0, ("Team HR", "Daan"))]
    ranked = [Candidate("Iets wat er een beetje op lijkt.", hits[0], 0.70, 0)]
    answer = compose("vraag", ranked, hits, AnswerConfig(threshold=0.9))
    assert not answer.confident and answer.sentences == ()
    assert answer.ask == ("Anouk", "Team HR", "Daan")
    assert [c.n for c in answer.citations] == [1, 2]
    assert answer_text(answer, "en").startswith("I'm not confident")
    assert "Anouk, Team HR, Daan" in answer_text(answer, "nl")


def test_no_passages_is_not_confident_and_asks_nobody() -> None:
    answer = compose("vraag", [], [], AnswerConfig())
    assert not answer.confident and answer.citations == () and answer.ask == ()
    assert "eigenaar" in answer_text(answer, "nl")


@pytest.mark.parametrize(
    ("question", "doc_path", "words"),
    [
        ("hoeveel vakantiedagen krijg ik per jaar", "hr/verlofregeling.docx", "25 vakantiedagen"),
        ("how do I connect to the network from home", "it/vpn_setup_guide.pdf", "VPN"),
        ("Can visitors get on the wifi in our office?", "it/helpdesk_faq.html", "Wegwijs-Gast"),
    ],
)
def test_answerable_question_gets_a_cited_answer(
    searcher: Searcher, question: str, doc_path: str, words: str
) -> None:
    answer = answer_question(searcher, question)
    assert answer.confident, answer
    assert words in " ".join(sentence.text for sentence in answer.sentences)
    cited = {citation.n: citation.hit.doc_path for citation in answer.citations}
    assert doc_path in cited.values()
    assert {sentence.n for sentence in answer.sentences} == set(cited)


@pytest.mark.parametrize("question", UNANSWERABLE[:1] + UNANSWERABLE[8:10])
def test_unanswerable_question_is_not_confident_and_names_people(
    searcher: Searcher, question: str
) -> None:
    answer = answer_question(searcher, question)
    assert not answer.confident and answer.sentences == ()
    assert answer.ask and answer.citations


def test_filters_restrict_the_passages_an_answer_uses(searcher: Searcher) -> None:
    answer = answer_question(searcher, "wat moet ik doen als ik ziek ben", Filters(folder="it"))
    assert answer.citations
    assert all(c.hit.doc_path.startswith("it/") for c in answer.citations)
