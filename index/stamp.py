"""What an ingest that changed nothing may skip: the governance refresh and a new generation.

Both are pure functions of the catalog's documents and current chunks, and both cost more the
larger the home is: at 10,000 files an unchanged re-scan spent about 45 of its 46 s clustering
topics, finding copies and publishing again (BENCHMARKS.md, section 4). The catalog's *stamp*
names its state: the ingest sequence (every document write advances it), the document and current
chunk counts (every deletion lowers one of them at an unchanged sequence) and the embedding
input's version (an upgrade re-embeds without writing documents). After a refresh or a publish
the ingest records the stamp it was done at; while the stamp is the same, doing it again would
give the same result. A run killed between writing documents and recording a stamp leaves the old
stamp behind, so the next run does the work.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from pathlib import Path

from index.catalog import get_meta, set_meta
from index.documents import catalog_counts
from index.vectors import current_generation
from ingest.chunk import ChunkingConfig

GOVERNANCE_VERSION = 1
"""Raise when what the refresh computes changes, so every home refreshes once more."""
_GOVERNANCE_KEY = "governance_stamp"
_PUBLISHED_KEY = "published_stamp"


def catalog_stamp(conn: sqlite3.Connection) -> str:
    """The catalog's state as far as governance and the published vectors can see it."""
    documents, chunks = catalog_counts(conn)
    return json.dumps(
        {
            "seq": get_meta(conn, "seq") or "0",
            "documents": documents,
            "chunks": chunks,
            "embedding_input": get_meta(conn, "embedding_input"),
        },
        sort_keys=True,
    )


def governance_current(conn: sqlite3.Connection) -> bool:
    """Whether the last governance refresh ran on the catalog as it is now."""
    return get_meta(conn, _GOVERNANCE_KEY) == _governance_stamp(conn)


def record_governance(conn: sqlite3.Connection) -> None:
    """Remember that governance was refreshed now (inside the refresh's transaction)."""
    set_meta(conn, _GOVERNANCE_KEY, _governance_stamp(conn))


def unchanged_generation(
    conn: sqlite3.Connection, home: Path, model_info: dict[str, str], chunking: ChunkingConfig
) -> int | None:
    """The live generation when it was published from the catalog as it is now, else None."""
    generation = current_generation(home)
    if not generation:
        return None
    published = _published_stamp(conn, generation, model_info, chunking)
    return generation if get_meta(conn, _PUBLISHED_KEY) == published else None


def record_published(
    conn: sqlite3.Connection,
    generation: int,
    model_info: dict[str, str],
    chunking: ChunkingConfig,
) -> None:
    """Remember which catalog state ``generation`` was published from (in a transaction)."""
    set_meta(conn, _PUBLISHED_KEY, _published_stamp(conn, generation, model_info, chunking))


def published_with(conn: sqlite3.Connection, generation: int, model_info: dict[str, str]) -> bool:
    """Whether ``generation`` was published from this catalog (its last recorded publish)
    with the model and embedding input of now, so its vectors are the current embeddings of
    the chunks it holds (``index.grow``)."""
    recorded, _, rest = (get_meta(conn, _PUBLISHED_KEY) or "").partition(" model ")
    try:
        state = json.loads(recorded)
    except ValueError:
        return False
    model = model_info.get("weights_sha256", "")
    return (
        isinstance(state, dict)
        and state.get("embedding_input") == get_meta(conn, "embedding_input")
        and rest.startswith(f"{model} chunking ")
        and rest.endswith(f" generation {generation}")
    )


def _governance_stamp(conn: sqlite3.Connection) -> str:
    return f"{catalog_stamp(conn)} governance {GOVERNANCE_VERSION}"


def _published_stamp(
    conn: sqlite3.Connection,
    generation: int,
    model_info: dict[str, str],
    chunking: ChunkingConfig,
) -> str:
    model = model_info.get("weights_sha256", "")
    shape = json.dumps(asdict(chunking), sort_keys=True)
    return f"{catalog_stamp(conn)} model {model} chunking {shape} generation {generation}"
