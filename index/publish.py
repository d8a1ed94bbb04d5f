"""Tie the catalog to its model, and publish the catalog's vectors as a new generation."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.ann import (
    EXACT_LIMIT,
    AnnConfig,
    build_ann,
    default_nlist,
    index_kind,
    search_effort,
    train_ivf_sq8,
)
from index.calibration import EncodeQueries, calibrate_nprobe, sample_probe_texts
from index.catalog import get_meta, set_meta, transaction
from index.embedding_input import EMBEDDING_INPUT
from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, StorageError
from index.grow import Grown, grow_live
from index.models import Manifest
from index.quantizer import TrainedRecord, load_trained, save_trained
from index.retired import purge_horizon, purge_retired
from index.vectors import (
    build_flat,
    current_ids,
    index_dir,
    publish,
    read_manifest,
    read_vectors,
)
from ingest.chunk import ChunkingConfig

_VERSIONED = ("faiss-cpu", "sentence-transformers", "torch", "unstructured")


@dataclass(frozen=True)
class IndexChoice:
    """Which FAISS index a generation gets.

    Attributes:
        exact_limit: Up to this many chunks the index is exact (flat); above, ``ann``.
        ann: How the approximate index is built and how hard each query searches it.
        retrain: Train IVF+SQ8 afresh even where the training kept from an earlier publish
            would serve (``reindex`` does; see ``index.quantizer``).
    """

    exact_limit: int = EXACT_LIMIT
    ann: AnnConfig = field(default_factory=AnnConfig)
    retrain: bool = False


@dataclass(frozen=True)
class BuiltIndex:
    """A generation's FAISS index and how it was built, as its manifest records it.

    Attributes:
        index: The index over every current chunk.
        effort: nprobe or efSearch per query (0 for exact search).
        trained_count: Chunks the IVF+SQ8 lists were trained at (0 for exact and HNSW).
        reused_training: The IVF+SQ8 training was kept from an earlier publish, not redone.
        probe_recall: Recall@10 of the probe queries at ``effort`` where it was calibrated on
            the home's own text (``index.calibration``); 0 where it was not.
        probes: How many probe queries measured ``probe_recall``.
    """

    index: faiss.Index
    effort: int
    trained_count: int = 0
    reused_training: bool = False
    probe_recall: float = 0.0
    probes: int = 0


def build_vector_index(
    ids: npt.NDArray[np.int64],
    vectors: npt.NDArray[np.float32],
    dimension: int,
    choice: IndexChoice,
) -> tuple[faiss.Index, int]:
    """The index ``choice`` asks for at this size, and the search effort its queries use."""
    if len(ids) <= choice.exact_limit:
        return build_flat(ids, vectors, dimension), 0
    config = choice.ann
    if config.kind == "ivf_sq8" and not config.nlist:
        config = replace(config, nlist=min(default_nlist(len(ids)), len(ids)))
    index = build_ann(ids, vectors, config)
    return index, search_effort(index, config)


def build_ivf_sq8_kept(
    home: Path,
    ids: npt.NDArray[np.int64],
    vectors: npt.NDArray[np.float32],
    weights_sha256: str,
    choice: IndexChoice,
) -> BuiltIndex:
    """IVF+SQ8 over ``vectors``, reusing the training kept in ``home`` where it still fits.

    Otherwise it trains, keeps the new training (``index.quantizer``) and then adds.

    Raises:
        StorageError: the new training could not be written; nothing is published.
    """
    config, folder = choice.ann, index_dir(home)
    wanted = TrainedRecord(weights_sha256, vectors.shape[1], config.nlist, len(ids), "")
    kept = None if choice.retrain else load_trained(folder, wanted, config.retrain_factor)
    if kept is not None:
        index, record = kept
        index.add_with_ids(vectors, ids)
        return BuiltIndex(index, search_effort(index, config), record.trained_count, True)
    if not config.nlist:
        config = replace(config, nlist=min(default_nlist(len(ids)), len(ids)))
    index = train_ivf_sq8(vectors, config)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        save_trained(folder, index, replace(wanted, nlist=config.nlist))
    except OSError as exc:
        raise StorageError(
            f"Could not keep the IVF+SQ8 training in {folder}: {exc.strerror or exc}. Nothing "
            f"new was published; free disk space or fix the disk, then run "
            f"'wegwijs --home {home} reindex'."
        ) from exc
    index.add_with_ids(vectors, ids)
    return BuiltIndex(index, search_effort(index, config), len(ids), False)


def _build_generation_index(
    home: Path,
    ids: npt.NDArray[np.int64],
    vectors: npt.NDArray[np.float32],
    model_info: dict[str, str],
    choice: IndexChoice,
) -> BuiltIndex:
    if len(ids) > choice.exact_limit and choice.ann.kind == "ivf_sq8":
        return build_ivf_sq8_kept(home, ids, vectors, model_info["weights_sha256"], choice)
    index, effort = build_vector_index(ids, vectors, vectors.shape[1], choice)
    return BuiltIndex(index, effort)


def calibrates(choice: IndexChoice, count: int) -> bool:
    """Whether a generation of ``count`` chunks gets its nprobe from ``index.calibration``:
    an IVF+SQ8 generation whose nprobe was not set by hand."""
    return count > choice.exact_limit and choice.ann.kind == "ivf_sq8" and not choice.ann.nprobe


def _calibrated(
    home: Path,
    built: BuiltIndex,
    ids: npt.NDArray[np.int64],
    vectors: npt.NDArray[np.float32],
    probe_texts: list[str],
    encode_queries: EncodeQueries,
) -> BuiltIndex:
    """``built`` with its nprobe measured on ``probe_texts``, or kept from the live generation
    where that one was calibrated on the same IVF training (the lists have not moved)."""
    kept = _kept_calibration(home, built)
    if kept is not None:
        return kept
    if not probe_texts:
        return built
    queries = np.ascontiguousarray(encode_queries(probe_texts), dtype=np.float32)
    found = calibrate_nprobe(built.index, ids, vectors, queries)
    return replace(built, effort=found.effort, probe_recall=found.recall, probes=found.probes)


def _kept_calibration(home: Path, built: BuiltIndex) -> BuiltIndex | None:
    if not built.reused_training:
        return None
    try:
        live = read_manifest(home)
    except (IndexNotFoundError, IndexCorruptError):
        return None
    if live.index_kind != "ivf_sq8" or live.trained_count != built.trained_count:
        return None
    if not live.probes:
        return None
    return _calibration_of(live, built)


def _calibration_of(live: Manifest, built: BuiltIndex) -> BuiltIndex:
    """``built`` searching with the nprobe measured for the ``live`` generation."""
    return replace(
        built, effort=live.search_effort, probe_recall=live.probe_recall, probes=live.probes
    )


def _may_grow(choice: IndexChoice, count: int) -> bool:
    """Whether a generation of ``count`` chunks is IVF+SQ8 on kept training, which
    ``index.grow`` may grow from the live one."""
    return count > choice.exact_limit and choice.ann.kind == "ivf_sq8" and not choice.retrain


def _grown_built(grown: Grown, choice: IndexChoice, calibrate: bool) -> BuiltIndex:
    """A grown index as a rebuild on the kept training would describe it, the live
    generation's calibration kept as ``_kept_calibration`` keeps it."""
    built = BuiltIndex(
        grown.index, search_effort(grown.index, choice.ann), grown.trained_count, True
    )
    return _calibration_of(grown.live, built) if calibrate else built


def check_model(conn: sqlite3.Connection, home: Path, model_info: dict[str, str]) -> None:
    """Bind an empty catalog to a model; refuse a catalog built with another one.

    Raises:
        IndexMismatchError: the stored embeddings come from a different model.
    """
    stored = get_meta(conn, "model_profile")
    stored_sha = get_meta(conn, "weights_sha256")
    if stored is None:
        with transaction(conn):
            set_meta(conn, "model_profile", model_info["profile"])
            set_meta(conn, "weights_sha256", model_info["weights_sha256"])
            set_meta(conn, "embedding_input", EMBEDDING_INPUT)
        return
    if (stored, stored_sha) != (model_info["profile"], model_info["weights_sha256"]):
        raise IndexMismatchError(
            f"{home} was built with model '{stored}' but '{model_info['profile']}' was asked for. "
            f"Use --model {stored}, or re-embed the catalog: "
            f"'wegwijs --home {home} --model {model_info['profile']} reindex'."
        )


def publish_from_catalog(
    conn: sqlite3.Connection,
    home: Path,
    dimension: int,
    model_info: dict[str, str],
    chunking: ChunkingConfig,
    choice: IndexChoice | None = None,
    encode_queries: EncodeQueries | None = None,
) -> Manifest:
    """Build an index from every embedding in the catalog and publish it.

    The generation holds the current chunks only, so deleted and retired chunks are gone from
    it; the index is exact up to ``choice.exact_limit`` chunks and approximate above (see
    ``IndexChoice``; IVF+SQ8 reuses the training of an earlier publish while the size stays
    near it, ``build_ivf_sq8_kept``, and is then grown from the live generation where that was
    built on the same training, ``index.grow``; every other generation is rebuilt). With
    ``encode_queries``, an IVF+SQ8 generation's nprobe is measured on the home's own text
    (``index.calibration``) unless ``choice`` sets one, once per IVF training (a publish that
    reuses the live generation's training keeps its nprobe); without it, the default share of
    the lists. Once it is live, retired chunks that neither it nor the generation live before
    can see are purged (``index.retired``).
    """
    choice = choice or IndexChoice()
    with transaction(conn):
        seq = int(get_meta(conn, "seq") or 0)
        ids = current_ids(conn)
        documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        calibrate = encode_queries is not None and calibrates(choice, len(ids))
        grown = (
            grow_live(conn, home, ids, model_info, choice.ann, calibrate)
            if _may_grow(choice, len(ids))
            else None
        )
        if grown is None:
            ids, vectors = read_vectors(conn, dimension)
        probe_texts = sample_probe_texts(conn, ids) if calibrate and grown is None else []
    horizon = purge_horizon(home, seq)
    if grown is not None:
        built = _grown_built(grown, choice, calibrate)
    else:
        built = _build_generation_index(home, ids, vectors, model_info, choice)
        if encode_queries is not None and calibrate:
            built = _calibrated(home, built, ids, vectors, probe_texts, encode_queries)
    manifest = Manifest(
        generation=0,
        model_profile=model_info["profile"],
        model_name=model_info["name"],
        dimension=dimension,
        weights_sha256=model_info["weights_sha256"],
        normalized=True,
        chunking=asdict(chunking),
        vector_count=int(built.index.ntotal),
        document_count=int(documents),
        catalog_seq=seq,
        vectors_sha256="",
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        versions={name: version(name) for name in _VERSIONED},
        index_kind=index_kind(built.index),
        search_effort=built.effort,
        trained_count=built.trained_count,
        reused_training=built.reused_training,
        probe_recall=built.probe_recall,
        probes=built.probes,
        grown_from=grown.live.generation if grown is not None else 0,
    )
    published = publish(home, built.index, manifest)
    if horizon is not None:
        purge_retired(conn, horizon)
    return published
