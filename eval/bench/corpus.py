"""Synthetic and sample texts: real Dutch/English passages, Zipf word salad, small text trees."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from service.sample_share.content import load_documents

LANGUAGES = ("nl", "en")
VOCABULARY_SIZE = 20_000
CORPUS_VERSION = 2
"""Part of the generated trees' folder names: a tree written by an older generator is not reused.

Version 2 writes paragraphs of several sentences (``SENTENCE_WORDS``); version 1 wrote each
paragraph as one sentence of 15–90 words, which no document has and which made unstructured's
element-type heuristics tag every paragraph (they tag only texts of fewer than two sentences).
"""
SENTENCE_WORDS = (8, 26)
"""Words per generated sentence, drawn uniformly (8–25): measured medians are 13 words in the
sample share's paragraphs and 20–27 in nl-legal-aqa, nfcorpus and scifact, with a median of 3 to
10 sentences a paragraph."""


def sample_share_words() -> list[str]:
    """The words of the sample share's prose (paragraphs and bullets), in document order."""
    words: list[str] = []
    for document in load_documents():
        for section in document.sections:
            for text in (*section.paragraphs, *section.bullets):
                words.extend(text.split())
    return words


def sample_passages(count: int, words_each: int) -> list[str]:
    """``count`` passages of ``words_each`` consecutive words of the sample share's prose.

    The prose is half Dutch, half English. Windows start every third of a passage, so they
    overlap; that changes nothing for embedding speed.

    Raises:
        ValueError: the prose is too short for that many passages.
    """
    words = sample_share_words()
    starts = range(0, len(words) - words_each + 1, max(1, words_each // 3))
    if len(starts) < count:
        raise ValueError(
            f"The sample share yields {len(starts)} passages of {words_each} words, not {count}: "
            "ask for fewer or shorter passages."
        )
    return [" ".join(words[start : start + words_each]) for start in starts[:count]]


@dataclass(frozen=True)
class Vocabulary:
    """The most frequent words of a language, drawn with Zipf's law (weight 1/rank)."""

    language: str
    size: int = VOCABULARY_SIZE

    @cached_property
    def words(self) -> list[str]:
        """Frequent alphabetic words of the language (wordfreq's list, offline)."""
        import wordfreq

        ranked = wordfreq.top_n_list(self.language, self.size * 2)
        return [word for word in ranked if word.isalpha()][: self.size]

    @cached_property
    def weights(self) -> npt.NDArray[np.float64]:
        """Zipf sampling probabilities by rank."""
        raw = 1.0 / np.arange(1, len(self.words) + 1, dtype=np.float64)
        weights: npt.NDArray[np.float64] = raw / raw.sum()
        return weights

    def draw(self, rng: np.random.Generator, count: int) -> list[int]:
        """Indices of ``count`` words drawn with Zipf weights."""
        return [int(i) for i in rng.choice(len(self.words), size=count, p=self.weights)]

    def paragraph(self, rng: np.random.Generator, count: int) -> str:
        """``count`` Zipf-drawn words (word salad with realistic frequencies), as sentences of
        ``SENTENCE_WORDS`` words each."""
        words = [self.words[i] for i in self.draw(rng, count)]
        sentences = []
        start = 0
        while start < len(words):
            end = start + int(rng.integers(*SENTENCE_WORDS))
            if len(words) - end < SENTENCE_WORDS[0]:
                end = len(words)
            sentences.append(" ".join(words[start:end]).capitalize() + ".")
            start = end
        return " ".join(sentences)


def write_text_tree(root: Path, files: int, seed: int = 0) -> list[Path]:
    """Write ``files`` small ``.txt`` files (one or two short paragraphs) in folders of 100.

    Returns:
        The paths written.
    """
    rng = np.random.default_rng(seed)
    return _write_tree(root, files, rng, "notitie", lambda: int(rng.integers(1, 3)), (15, 40))


def write_document_tree(root: Path, files: int, paragraphs: int, seed: int = 1) -> list[Path]:
    """Write ``files`` longer ``.txt`` documents of ``paragraphs`` paragraphs (60–90 words each).

    Each document chunks into several chunks, as a real note or report does, so a batch of a
    few thousand chunks needs only a few hundred files.

    Returns:
        The paths written.
    """
    rng = np.random.default_rng(seed)
    return _write_tree(root, files, rng, "verslag", lambda: paragraphs, (60, 90))


def _write_tree(
    root: Path,
    files: int,
    rng: np.random.Generator,
    stem: str,
    paragraphs: Callable[[], int],
    words: tuple[int, int],
) -> list[Path]:
    """Write ``files`` generated ``.txt`` files, alternating languages, in folders of 100."""
    vocabularies = [Vocabulary(language) for language in LANGUAGES]
    written = []
    for number in range(files):
        vocabulary = vocabularies[number % len(vocabularies)]
        texts = [vocabulary.paragraph(rng, int(rng.integers(*words))) for _ in range(paragraphs())]
        path = root / f"map-{number // 100:03d}" / f"{stem}-{number:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        written.append(path)
    return written
