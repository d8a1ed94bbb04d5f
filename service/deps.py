"""FastAPI dependencies shared by the routers: the live searcher, filters and request limits.

The dependencies are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, one
round trip per dependency and request (seven before the route itself for ``/api/search``), each
a thread wake-up and a GIL hand-off (BENCHMARKS.md, "Session 6"). None of them blocks: parsing
and checking parameters is all they do, and the searcher is handed out without I/O except when
``LiveSearcher`` has to look for a new generation, which then runs in the thread pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from index.filters import Filters
from index.readers import Principal
from index.search import Searcher
from service.auth import PrincipalDep
from service.i18n import Lang, negotiate
from service.settings import Settings
from service.state import LiveSearcher


@dataclass(frozen=True)
class ReaderLive:
    """The live searcher as one caller sees it: only documents ``reader`` may read."""

    live: LiveSearcher
    reader: Principal

    def get(self) -> Searcher:
        """The newest generation's searcher, scoped to the reader (see ``LiveSearcher.get``)."""
        return self.live.get().scoped_to(self.reader)


async def get_live(request: Request, principal: PrincipalDep) -> ReaderLive:
    """The holder of the newest searcher, scoped to the caller."""
    live: LiveSearcher = request.app.state.live
    return ReaderLive(live, principal)


async def get_searcher(live: Annotated[ReaderLive, Depends(get_live)]) -> Searcher:
    """The searcher of the newest generation, answering only from what the caller may read.

    Looking for a newer generation reads files and may load one, so that runs in the thread
    pool; between looks the loaded searcher is handed out on the event loop.
    """
    searcher = live.live.loaded()
    if searcher is None:
        return await run_in_threadpool(live.get)
    return searcher.scoped_to(live.reader)


async def get_settings(request: Request) -> Settings:
    """The settings the app runs with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_lang(request: Request, lang: str | None = None) -> Lang:
    """Interface language: ``?lang=nl|en``, else the browser's ``Accept-Language``."""
    return negotiate(lang, request.headers.get("accept-language"))


def parse_moment(value: str | None, name: str) -> datetime | None:
    """A date or date-time from a query parameter; an empty form field means no filter.

    Raises:
        HTTPException: 422 when ``value`` is not an ISO date.
    """
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise HTTPException(
            422, f"{name}: '{value[:40]}' is not a date; write YYYY-MM-DD or an ISO date-time."
        ) from exc


async def get_filters(
    root: str | None = None,
    folder: str | None = Query(None, examples=["hr/contracten"]),
    owner: str | None = None,
    file_type: str | None = Query(None, examples=["pdf"]),
    language: str | None = Query(None, examples=["nl"]),
    modified_after: str | None = Query(None, examples=["2026-01-01"]),
    modified_before: str | None = Query(None, examples=["2026-12-31"]),
) -> Filters:
    """Search filters from query parameters (empty values, as a plain form sends, are ignored)."""
    return Filters(
        root or None,
        folder or None,
        owner or None,
        file_type or None,
        language or None,
        parse_moment(modified_after, "modified_after"),
        parse_moment(modified_before, "modified_before"),
    )


def check_query(text: str, settings: Settings, name: str = "q") -> str:
    """``text`` stripped, if it is not empty and within ``settings.max_query_chars``.

    Raises:
        HTTPException: 422 naming the limit and the setting that raises it.
    """
    stripped = text.strip()
    if not stripped:
        raise HTTPException(422, f"{name} is empty: say what you are looking for.")
    if len(stripped) > settings.max_query_chars:
        raise HTTPException(
            422,
            f"{name} is {len(stripped):,} characters; the limit is {settings.max_query_chars:,} "
            "(WEGWIJS_MAX_QUERY_CHARS). Shorten it to its key words.",
        )
    return stripped


async def get_query(
    settings: Annotated[Settings, Depends(get_settings)],
    q: Annotated[
        str,
        Query(
            description="What you are looking for, in Dutch or English "
            "(at most WEGWIJS_MAX_QUERY_CHARS characters, default 1000).",
            examples=["hoeveel vakantiedagen krijg ik"],
        ),
    ],
) -> str:
    """The query parameter ``q``, within the configured length."""
    return check_query(q, settings)


async def get_top_k(
    settings: Annotated[Settings, Depends(get_settings)],
    top_k: Annotated[
        int | None,
        Query(
            ge=1, description="Hits per page (default WEGWIJS_TOP_K; at most WEGWIJS_MAX_TOP_K)."
        ),
    ] = None,
) -> int:
    """Hits per page: the caller's ``top_k`` within ``settings.max_top_k``, or the default."""
    if top_k is None:
        return settings.top_k
    if top_k > settings.max_top_k:
        raise HTTPException(
            422,
            f"top_k is {top_k}; the limit is {settings.max_top_k} (WEGWIJS_MAX_TOP_K). "
            "Use cursor to page through more results.",
        )
    return top_k


SearcherDep = Annotated[Searcher, Depends(get_searcher)]
LiveDep = Annotated[ReaderLive, Depends(get_live)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
FiltersDep = Annotated[Filters, Depends(get_filters)]
LangDep = Annotated[Lang, Depends(get_lang)]
QueryDep = Annotated[str, Depends(get_query)]
TopKDep = Annotated[int, Depends(get_top_k)]
