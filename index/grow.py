"""A generation grown from the live one: the chunks gone since removed, the new ones added.

Past ``EXACT_LIMIT`` chunks every publish rebuilt the IVF+SQ8 index from the catalog: each
current embedding read again (0.4-0.6 s at 100,000 chunks) and put in its list again (0.5 s),
for a batch of a few hundred new chunks (BENCHMARKS.md, session 13). An IVF+SQ8 index holds
each chunk's 8-bit code in the list of its nearest centroid, both fixed by the training; so
when the live generation was built on the training this publish reuses, its lists hold what a
rebuild would put there for its chunks. Growing loads it, removes the chunks that are no longer
current and adds the new ones, reading only their embeddings: the same codes in the same lists
as a rebuild, in another order within a list.

It is done only where a rebuild would reuse that training (``index.quantizer``: same model,
dimension and lists, a size within the retrain factor, not ``reindex``) and the live
generation is this catalog's own, published with the embeddings as they are now
(``index.stamp.published_with``): chunk ids are never handed out twice, and only an upgrade of
the embedding input or of the model rewrites embeddings in place. Anything else, or a live
file that fails its checks, publishes a rebuild.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.ann import AnnConfig
from index.errors import IndexCorruptError, IndexNotFoundError
from index.models import Manifest
from index.quantizer import TrainedRecord, load_trained
from index.stamp import published_with
from index.vectors import index_dir, load, read_manifest, vectors_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grown:
    """The live generation grown to the current chunks.

    Attributes:
        index: IVF+SQ8 over exactly the current chunks.
        trained_count: Chunks its training was made at.
        live: The manifest of the generation it was grown from.
    """

    index: faiss.IndexIVFScalarQuantizer
    trained_count: int
    live: Manifest


def grow_live(
    conn: sqlite3.Connection,
    home: Path,
    ids: npt.NDArray[np.int64],
    model_info: dict[str, str],
    config: AnnConfig,
    calibrated: bool,
) -> Grown | None:
    """The live IVF+SQ8 generation grown to the current chunks ``ids`` (inside the caller's
    read of the catalog), or None where a rebuild is due (see above); ``calibrated``: the new
    generation keeps the live one's measured nprobe, so that must exist."""
    live = _live_manifest(home)
    if live is None or live.index_kind != "ivf_sq8" or (calibrated and not live.probes):
        return None
    if not published_with(conn, live.generation, model_info):
        return None
    wanted = TrainedRecord(model_info["weights_sha256"], live.dimension, config.nlist, len(ids), "")
    kept = load_trained(index_dir(home), wanted, config.retrain_factor)
    if kept is None or kept[1].trained_count != live.trained_count:
        return None
    index = _load_live(home, live, kept[0])
    if index is None:
        return None
    held = _held_ids(index)
    gone = np.setdiff1d(held, ids, assume_unique=True)
    new = np.setdiff1d(ids, held, assume_unique=True)
    if len(gone):
        index.remove_ids(faiss.IDSelectorBatch(gone))
    if len(new):
        index.add_with_ids(vectors_of(conn, new, live.dimension), new)
    if index.ntotal != len(ids):
        logger.warning("Growing generation %d gave %d chunks, not %d", live.generation,
                       index.ntotal, len(ids))  # fmt: skip
        return None
    return Grown(index, live.trained_count, live)


def _live_manifest(home: Path) -> Manifest | None:
    try:
        return read_manifest(home)
    except (IndexNotFoundError, IndexCorruptError):
        return None


def _load_live(
    home: Path, live: Manifest, trained: faiss.Index
) -> faiss.IndexIVFScalarQuantizer | None:
    """The live generation's index, in memory, if it passes ``vectors.load``'s checks and was
    built on the lists and code ranges of ``trained``."""
    try:
        _, index = load(home, live.generation, mapped=False)
    except (IndexCorruptError, IndexNotFoundError, OSError, RuntimeError) as exc:
        logger.warning("The live generation is unusable (%s): rebuilding the index", exc)
        return None
    if not _same_training(index, trained):
        logger.warning(
            "Generation %d is not built on the kept training: rebuilding", live.generation
        )
        return None
    assert isinstance(index, faiss.IndexIVFScalarQuantizer)  # _same_training checked it
    return index


def _same_training(index: faiss.Index, trained: faiss.Index) -> bool:
    """Whether two indexes are IVF+SQ8 with exactly the same centroids and code ranges."""
    pair = (index, trained)
    if not all(isinstance(one, faiss.IndexIVFScalarQuantizer) for one in pair):
        return False
    assert isinstance(index, faiss.IndexIVFScalarQuantizer)
    assert isinstance(trained, faiss.IndexIVFScalarQuantizer)
    if (index.d, index.nlist, index.code_size) != (trained.d, trained.nlist, trained.code_size):
        return False
    return _centroids(index) == _centroids(trained) and np.array_equal(
        faiss.vector_to_array(index.sq.trained), faiss.vector_to_array(trained.sq.trained)
    )


def _centroids(index: faiss.IndexIVF) -> bytes | None:
    quantizer = faiss.downcast_index(index.quantizer)
    if not isinstance(quantizer, faiss.IndexFlatCodes):
        return None
    return faiss.vector_to_array(quantizer.codes).tobytes()


def _held_ids(index: faiss.IndexIVF) -> npt.NDArray[np.int64]:
    """The chunk ids in an IVF index's lists, ascending. The lists of a deserialised index
    are in memory (``ArrayInvertedLists``), whose ids need no release after reading."""
    lists = index.invlists
    held = [np.zeros(0, dtype=np.int64)]
    if lists is None:
        return held[0]
    for number in range(index.nlist):
        size = lists.list_size(number)
        if size:  # a copy: the lists change when chunks are removed
            held.append(faiss.rev_swig_ptr(lists.get_ids(number), size).astype(np.int64))
    return np.sort(np.concatenate(held))
