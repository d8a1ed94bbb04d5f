"""Pagination cursors are opaque, round-trip, and refuse other queries and garbage."""

from __future__ import annotations

import pytest

from index.filters import Filters
from service.cursor import MAX_DEPTH, CursorError, decode_cursor, encode_cursor, fingerprint


def test_cursor_round_trips_for_the_same_query() -> None:
    key = fingerprint("verlof", Filters(folder="hr"), "hybrid")
    assert decode_cursor(encode_cursor(20, key), key) == 20


def test_cursor_of_another_query_filters_or_mode_is_refused() -> None:
    cursor = encode_cursor(10, fingerprint("verlof", Filters(), "hybrid"))
    for other in (
        fingerprint("ziek", Filters(), "hybrid"),
        fingerprint("verlof", Filters(file_type="pdf"), "hybrid"),
        fingerprint("verlof", Filters(), "dense"),
    ):
        with pytest.raises(CursorError, match="another query"):
            decode_cursor(cursor, other)


@pytest.mark.parametrize("cursor", ["garbage!!", "e30", "W10", "bm90IGpzb24"])
def test_malformed_cursor_says_what_to_do(cursor: str) -> None:
    with pytest.raises(CursorError, match="next_cursor"):
        decode_cursor(cursor, fingerprint("q", Filters(), "hybrid"))


def test_offset_beyond_the_depth_limit_is_refused() -> None:
    key = fingerprint("q", Filters(), "hybrid")
    with pytest.raises(CursorError):
        decode_cursor(encode_cursor(MAX_DEPTH + 1, key), key)
