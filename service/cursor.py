"""Opaque pagination cursors: an offset into a query's ranking, bound to that query."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import astuple

from index.filters import Filters

MAX_DEPTH = 500


class CursorError(ValueError):
    """A cursor that is malformed, or belongs to another query, filters or mode."""


def fingerprint(query: str, filters: Filters, mode: str, include_outdated: bool = False) -> str:
    """A short hash of everything that determines a ranking."""
    key = json.dumps([query, mode, include_outdated, [str(value) for value in astuple(filters)]])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def encode_cursor(offset: int, query_fingerprint: str) -> str:
    """The cursor for the page that starts at ``offset``."""
    payload = json.dumps({"offset": offset, "query": query_fingerprint}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, query_fingerprint: str) -> int:
    """The offset a cursor points at.

    Raises:
        CursorError: the cursor is not one of ours, or was made for another query.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, made_for = int(payload["offset"]), str(payload["query"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise CursorError(
            f"Invalid cursor '{cursor[:40]}': pass the next_cursor of the previous response "
            "unchanged, or leave cursor out for the first page."
        ) from exc
    if made_for != query_fingerprint or not 0 <= offset <= MAX_DEPTH:
        raise CursorError(
            "This cursor belongs to another query, filters or mode: repeat the request without "
            "cursor to start again."
        )
    return offset
