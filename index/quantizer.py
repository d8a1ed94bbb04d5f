"""The trained, empty IVF+SQ8 index kept beside the generations, so a publish need not train.

Training IVF+SQ8 (k-means for the coarse lists, ranges for the 8-bit codes) is most of the cost
of publishing past ``EXACT_LIMIT`` chunks (9 s of 10 at 100,000). The lists and ranges a
publish trained are kept in ``<home>/index/trained-ivf_sq8.faiss`` with a JSON record of what
they were trained on; the next publish clones them and only adds the current vectors, as long
as the model, dimension and list count match and the chunk count is within
``AnnConfig.retrain_factor`` of the count they were trained at. Anything else (another size, a
missing or damaged file, ``reindex``) trains afresh and replaces them.

Both files are replaced atomically (``index.durable.replace_synced``), the index first; the
record holds the index's sha256, so a crash between the two, or a damaged file, reads as
"nothing kept" and the next publish trains again. They are a cache: no generation needs them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from index.durable import replace_synced

TRAINED_FILE = "trained-ivf_sq8.faiss"
RECORD_FILE = "trained-ivf_sq8.json"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainedRecord:
    """What a kept IVF+SQ8 training was trained on.

    Attributes:
        weights_sha256: The embedding model's weights.
        dimension: Vector dimension.
        nlist: IVF lists.
        trained_count: Chunks in the catalog when it was trained.
        index_sha256: sha256 of the serialised empty index.
    """

    weights_sha256: str
    dimension: int
    nlist: int
    trained_count: int
    index_sha256: str


def save_trained(folder: Path, index: faiss.Index, record: TrainedRecord) -> None:
    """Keep the empty trained ``index`` in ``folder`` (the index first, then its record).

    Raises:
        OSError: a write, fsync or rename failed (the caller publishes nothing).
    """
    data = faiss.serialize_index(index).tobytes()
    record = TrainedRecord(**{**asdict(record), "index_sha256": hashlib.sha256(data).hexdigest()})
    replace_synced(folder / TRAINED_FILE, data)
    replace_synced(folder / RECORD_FILE, json.dumps(asdict(record), indent=2).encode())


def reusable(record: TrainedRecord, wanted: TrainedRecord, factor: float) -> bool:
    """Whether training ``record`` describes may serve a publish that would train ``wanted``.

    ``wanted.nlist`` 0 accepts any list count; ``wanted.index_sha256`` is not compared.
    """
    same = (record.weights_sha256, record.dimension) == (wanted.weights_sha256, wanted.dimension)
    lists = wanted.nlist in (0, record.nlist)
    low, high = record.trained_count / factor, record.trained_count * factor
    return same and lists and low <= wanted.trained_count <= high


def load_trained(
    folder: Path, wanted: TrainedRecord, factor: float
) -> tuple[faiss.Index, TrainedRecord] | None:
    """The kept training in ``folder`` if it may serve ``wanted``, else None (train afresh).

    A missing, damaged or mismatched file is logged and read as nothing kept.
    """
    try:
        record = TrainedRecord(**json.loads((folder / RECORD_FILE).read_text()))
        data = (folder / TRAINED_FILE).read_bytes()
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        logger.warning("The kept IVF+SQ8 training in %s is unreadable (%s): training", folder, exc)
        return None
    if not reusable(record, wanted, factor):
        return None
    if hashlib.sha256(data).hexdigest() != record.index_sha256:
        logger.warning("The kept IVF+SQ8 training in %s fails its checksum: training", folder)
        return None
    try:
        index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))  # its own class
    except RuntimeError as exc:
        logger.warning("The kept IVF+SQ8 training in %s is unreadable (%s): training", folder, exc)
        return None
    if not (isinstance(index, faiss.IndexIVF) and index.is_trained and index.ntotal == 0):
        logger.warning("The kept IVF+SQ8 training in %s is not an empty IVF: training", folder)
        return None
    if (index.d, index.nlist) != (record.dimension, record.nlist):
        logger.warning("The kept IVF+SQ8 training in %s contradicts its record: training", folder)
        return None
    return index, record
