"""Interface text in Dutch and English, picking a language, and ages in words."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, get_args

from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN_PLUS

from index.analyze import tokens

Lang = Literal["nl", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "nl"

STRINGS: dict[Lang, dict[str, str]] = {
    "nl": {
        "title": "Wegwijs",
        "search_label": "Zoek of stel een vraag",
        "placeholder": "Zoek of stel een vraag…",
        "search": "Zoeken",
        "ask": "Vraag stellen",
        "switch": "English",
        "switch_lang": "en",
        "skip": "Naar de resultaten",
        "key_help": "Toets / om te zoeken, ↑ ↓ om door de resultaten te gaan, Enter om te openen.",
        "filters": "Filters",
        "root": "Schijf",
        "folder": "Map",
        "folder_hint": "bijvoorbeeld hr/contracten",
        "owner": "Eigenaar",
        "file_type": "Bestandstype",
        "language": "Taal",
        "modified_after": "Gewijzigd vanaf",
        "modified_before": "Gewijzigd vóór",
        "all": "Alle",
        "apply": "Filter toepassen",
        "clear_filters": "Filters wissen",
        "results": "{n} resultaten",
        "result": "1 resultaat",
        "no_results": "Geen resultaten voor “{q}”. Probeer andere woorden of minder filters.",
        "more": "Meer resultaten",
        "owners": "Eigenaar",
        "no_owner": "onbekend",
        "modified": "gewijzigd",
        "modified_on": "Gewijzigd",
        "page": "p.",
        "loading": "Zoeken…",
        "failed": "Zoeken lukte niet. Probeer het opnieuw.",
        "answer": "Antwoord",
        "sources": "Bronnen",
        "not_sure": (
            "Ik weet het niet zeker: de gevonden passages beantwoorden je vraag niet duidelijk."
        ),
        "ask_people": "Vraag het aan: {names}.",
        "ask_nobody": "Bekijk de passages hieronder of vraag het de eigenaar van het document.",
        "maybe": "Deze passages gaan mogelijk over je vraag:",
        "location": "Locatie",
        "size": "Grootte",
        "download": "Origineel downloaden",
        "passages": "Passages",
        "passage": "Passage {n}",
        "section": "Sectie",
        "back": "Terug naar de resultaten",
        "not_found": "Document niet gevonden",
        "helpful": "Was dit nuttig?",
        "yes": "Ja",
        "no": "Nee",
        "thanks": "Dank je, je feedback is bewaard.",
        "include_outdated": "Ook verlopen en vervangen documenten",
        "state_review_due": "Review binnenkort",
        "state_overdue": "Review te laat",
        "state_outdated": "Verouderd",
        "state_expired": "Verlopen",
        "superseded": "Vervangen",
        "age_today": "vandaag",
        "age_yesterday": "gisteren",
        "age_days": "{n} dagen geleden",
        "age_week": "1 week geleden",
        "age_weeks": "{n} weken geleden",
        "age_month": "1 maand geleden",
        "age_months": "{n} maanden geleden",
        "age_year": "1 jaar geleden",
        "age_years": "{n} jaar geleden",
    },
    "en": {
        "title": "Wegwijs",
        "search_label": "Search or ask a question",
        "placeholder": "Search or ask a question…",
        "search": "Search",
        "ask": "Ask",
        "switch": "Nederlands",
        "switch_lang": "nl",
        "skip": "Skip to results",
        "key_help": "Press / to search, ↑ ↓ to move through results, Enter to open.",
        "filters": "Filters",
        "root": "Share",
        "folder": "Folder",
        "folder_hint": "for example hr/contracten",
        "owner": "Owner",
        "file_type": "File type",
        "language": "Language",
        "modified_after": "Modified from",
        "modified_before": "Modified before",
        "all": "All",
        "apply": "Apply filters",
        "clear_filters": "Clear filters",
        "results": "{n} results",
        "result": "1 result",
        "no_results": "No results for “{q}”. Try other words or fewer filters.",
        "more": "More results",
        "owners": "Owner",
        "no_owner": "unknown",
        "modified": "modified",
        "modified_on": "Modified",
        "page": "p.",
        "loading": "Searching…",
        "failed": "Search failed. Please try again.",
        "answer": "Answer",
        "sources": "Sources",
        "not_sure": "I'm not confident: the passages found do not clearly answer your question.",
        "ask_people": "Ask: {names}.",
        "ask_nobody": "Look at the passages below or ask the document's owner.",
        "maybe": "These passages may be about your question:",
        "location": "Location",
        "size": "Size",
        "download": "Download the original",
        "passages": "Passages",
        "passage": "Passage {n}",
        "section": "Section",
        "back": "Back to the results",
        "not_found": "Document not found",
        "helpful": "Was this helpful?",
        "yes": "Yes",
        "no": "No",
        "thanks": "Thank you, your feedback was saved.",
        "include_outdated": "Also expired and superseded documents",
        "state_review_due": "Review due soon",
        "state_overdue": "Review overdue",
        "state_outdated": "Outdated",
        "state_expired": "Expired",
        "superseded": "Superseded",
        "age_today": "today",
        "age_yesterday": "yesterday",
        "age_days": "{n} days ago",
        "age_week": "1 week ago",
        "age_weeks": "{n} weeks ago",
        "age_month": "1 month ago",
        "age_months": "{n} months ago",
        "age_year": "1 year ago",
        "age_years": "{n} years ago",
    },
}

_DUTCH = frozenset(STOPWORDS_DUTCH) - frozenset(STOPWORDS_EN_PLUS)
_ENGLISH = frozenset(STOPWORDS_EN_PLUS) - frozenset(STOPWORDS_DUTCH)
_AGE_UNITS = (  # (below this many days, days per unit, text for one, text for several)
    (7, 1, "age_yesterday", "age_days"),
    (30, 7, "age_week", "age_weeks"),
    (365, 30, "age_month", "age_months"),
)


def negotiate(requested: str | None, accept_language: str | None) -> Lang:
    """``requested`` (``?lang=``) if supported, else the first supported browser language."""
    if requested in LANGUAGES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANG


def guess_language(text: str) -> Lang:
    """English when ``text`` holds more English than Dutch function words, else Dutch."""
    words = tokens(text)
    english = sum(word in _ENGLISH for word in words)
    dutch = sum(word in _DUTCH for word in words)
    return "en" if english > dutch else "nl"


def relative_age(modified_at: str, lang: Lang, now: datetime | None = None) -> str:
    """How long ago, in words of ``lang`` (``4 maanden geleden``, ``4 months ago``)."""
    days = max(0, ((now or datetime.now(UTC)) - datetime.fromisoformat(modified_at)).days)
    _, size, one, many = next(
        (unit for unit in _AGE_UNITS if days < unit[0]), (0, 365, "age_year", "age_years")
    )
    count = days // size
    text = STRINGS[lang]
    if count == 0:
        return text["age_today"]
    return text[one] if count == 1 else text[many].format(n=count)
