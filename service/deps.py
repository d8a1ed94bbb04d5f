"""FastAPI dependencies shared by the routers: the live searcher and search filters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from index.filters import Filters
from index.search import Searcher
from service.settings import Settings
from service.state import LiveSearcher


def get_live(request: Request) -> LiveSearcher:
    """The holder of the newest searcher."""
    live: LiveSearcher = request.app.state.live
    return live


def get_searcher(request: Request) -> Searcher:
    """The searcher of the newest generation."""
    return get_live(request).get()


def get_settings(request: Request) -> Settings:
    """The settings the app runs with."""
    settings: Settings = request.app.state.settings
    return settings


def get_filters(
    root: str | None = None,
    folder: str | None = None,
    owner: str | None = None,
    file_type: str | None = None,
    language: str | None = None,
    modified_after: datetime | None = None,
    modified_before: datetime | None = None,
) -> Filters:
    """Search filters from query parameters."""
    return Filters(root, folder, owner, file_type, language, modified_after, modified_before)


SearcherDep = Annotated[Searcher, Depends(get_searcher)]
LiveDep = Annotated[LiveSearcher, Depends(get_live)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
FiltersDep = Annotated[Filters, Depends(get_filters)]
