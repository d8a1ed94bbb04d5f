"""Export a sentence-transformers model to ONNX once, for the fast query path.

The graph is the transformer followed by the model's own mean pooling (every token the
attention mask keeps, the prompt included) and L2 normalisation, so onnxruntime returns the
same unit vectors as ``SentenceTransformer.encode(..., normalize_embeddings=True)``. It is
written with ``torch.onnx.export(..., dynamo=False)`` (the TorchScript exporter; optimum's
exporter does not install next to sentence-transformers 6) into a folder beside the model in
the model cache, named after the weights' checksum, with a checksum file of its own. The
folder is built in a temporary place and renamed into place, so readers never see half of it.

The weights are kept in a file of their own (``model.onnx.data``, ONNX external data), which
onnxruntime maps instead of copying: every server process shares one copy in the page cache,
and only the rows of the 250,000-token embedding table that queries use stay resident. In one
file, each process held a private copy of all 470 MB (BENCHMARKS.md, Session 11). Exports of
older exporter versions are removed once a new one is in place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from index.durable import fsync_path
from index.e5_convert import ModelCacheError
from index.threads import apply_torch_threads

logger = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"
DATA_FILE = "model.onnx.data"  # the weights, beside the graph (mapped by onnxruntime)
RECORD_FILE = "wegwijs-onnx.json"
EXPORTER_VERSION = 2  # bump when the exported files change, so caches export again
# Tensors from this size on go to DATA_FILE; smaller ones stay inline in the graph.
EXTERNAL_MIN_BYTES = 1024
OPSET = 17


def onnx_dir(cache_dir: Path, model_dir: Path, weights_sha256: str) -> Path:
    """Where the export of ``model_dir`` (weights ``weights_sha256``) lives in the cache."""
    return cache_dir / f"{model_dir.name}-onnx{EXPORTER_VERSION}-{weights_sha256[:12]}"


def onnx_exported(cache_dir: Path, model_dir: Path, weights_sha256: str) -> bool:
    """Whether the export of ``model_dir`` is in the cache (its checksums are checked on use)."""
    return (onnx_dir(cache_dir, model_dir, weights_sha256) / RECORD_FILE).is_file()


def file_digest(path: Path) -> str:
    """sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_onnx_model(cache_dir: Path, model_dir: Path, weights_sha256: str) -> Path:
    """Return the checked ONNX export of ``model_dir``, exporting it on first use.

    Raises:
        ModelCacheError: the model does not mean-pool, or a cached export fails its checksum.
    """
    final = onnx_dir(cache_dir, model_dir, weights_sha256)
    if onnx_exported(cache_dir, model_dir, weights_sha256):
        check_onnx_model(final)
        return final
    try:
        _export_into(cache_dir, model_dir, weights_sha256, final)
    except ModelCacheError:  # says what is wrong already (a model the export cannot reproduce)
        raise
    except OSError as exc:  # the cache cannot be written
        raise ModelCacheError(
            f"Cannot export the ONNX query model into {cache_dir} ({exc}): set "
            "WEGWIJS_MODEL_CACHE_DIR to a writable folder, or WEGWIJS_QUERY_RUNTIME=torch."
        ) from exc
    logger.info("Exported %s to ONNX in %s", model_dir, final)
    _remove_older_exports(cache_dir, model_dir)
    return final


def _export_into(cache_dir: Path, model_dir: Path, weights_sha256: str, final: Path) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=cache_dir))
    try:
        export_onnx(model_dir, staging / ONNX_FILE)
        shutil.copy2(model_dir / "tokenizer.json", staging / "tokenizer.json")
        record = {
            "source": str(model_dir),
            "weights_sha256": weights_sha256,
            "exporter_version": EXPORTER_VERSION,
            "opset": OPSET,
            "onnx_sha256": file_digest(staging / ONNX_FILE),
            "data_sha256": file_digest(staging / DATA_FILE),
        }
        (staging / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        _publish(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_older_exports(cache_dir: Path, model_dir: Path) -> None:
    """Remove the exports of older exporter versions (a process still mapping one keeps its
    pages until it ends)."""
    for version in range(1, EXPORTER_VERSION):
        for older in cache_dir.glob(f"{model_dir.name}-onnx{version}-*"):
            logger.info("Removing %s, an export of exporter version %d", older, version)
            shutil.rmtree(older, ignore_errors=True)


def check_onnx_model(folder: Path) -> None:
    """Compare the ONNX file with the checksum recorded at export.

    Raises:
        ModelCacheError: the file is missing or changed since it was exported.
    """
    record = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
    for name, key in ((ONNX_FILE, "onnx_sha256"), (DATA_FILE, "data_sha256")):
        path = folder / name
        if not path.is_file() or file_digest(path) != record[key]:
            raise ModelCacheError(
                f"{path} does not match its recorded checksum: delete {folder} and it is "
                "exported again on the next start."
            )


def pooled_dimension(model_dir: Path) -> int:
    """Vector length from the model's pooling config (0 when it does not say).

    Lets a process that only embeds passages (an ingest) know the dimension without
    loading the ONNX session.
    """
    config = model_dir / "1_Pooling" / "config.json"
    if not config.is_file():
        return 0
    values = json.loads(config.read_text(encoding="utf-8"))
    return int(values.get("embedding_dimension") or values.get("word_embedding_dimension") or 0)


def check_exportable(model_dir: Path) -> None:
    """Refuse models the exported graph would not reproduce.

    Raises:
        ModelCacheError: modules beyond transformer, mean pooling and normalisation.
    """
    modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    kinds = [str(module["type"]).rsplit(".", 1)[-1] for module in modules]
    pooling = model_dir / "1_Pooling" / "config.json"
    mode = json.loads(pooling.read_text(encoding="utf-8")).get("pooling_mode", "mean")
    if kinds not in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"]) or (
        mode != "mean"
    ):
        raise ModelCacheError(
            f"{model_dir} has modules {kinds} with {mode} pooling; the ONNX query path "
            "reproduces Transformer + mean Pooling (+ Normalize) only: set "
            "WEGWIJS_QUERY_RUNTIME=torch."
        )


def export_onnx(model_dir: Path, target: Path) -> None:
    """Write the transformer + mean pooling + normalisation of ``model_dir`` as ONNX: the
    graph in ``target``, its weights in ``DATA_FILE`` beside it."""
    import onnx
    from onnx.external_data_helper import set_external_data

    with tempfile.TemporaryDirectory(dir=target.parent) as tracing:
        traced = Path(tracing) / ONNX_FILE
        _trace(model_dir, traced)
        graph = onnx.load(str(traced))
    # Marked here rather than with save_model(save_as_external_data=True), which refuses to
    # write when the current directory happens to hold a file named like DATA_FILE.
    for tensor in graph.graph.initializer:
        if tensor.HasField("raw_data") and len(tensor.raw_data) >= EXTERNAL_MIN_BYTES:
            set_external_data(tensor, DATA_FILE)
    onnx.save_model(graph, str(target))


def _trace(model_dir: Path, target: Path) -> None:
    """``torch.onnx.export`` of the pooled model into one file."""
    import torch
    from transformers import AutoModel

    apply_torch_threads()
    check_exportable(model_dir)
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    wrapper = _pooled_module(model).eval()
    example = (torch.ones((1, 8), dtype=torch.int64), torch.ones((1, 8), dtype=torch.int64))
    axes = {0: "batch", 1: "tokens"}
    # The tracer warns about constants taken from example shapes; the export is checked against
    # torch on queries of other lengths (tests/index/test_query_encoder.py), so they are noise.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Converting a tensor to a Python boolean")
        warnings.filterwarnings("ignore", message="Exporting aten::index operator")
        torch.onnx.export(
            wrapper,
            example,
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )


def _pooled_module(model: Any) -> Any:
    """``model`` followed by mean pooling over the kept tokens and L2 normalisation."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            tokens = self.model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    return Pooled()


def _publish(staging: Path, final: Path) -> None:
    for path in (*staging.iterdir(), staging):
        path.chmod(0o755 if path.is_dir() else 0o644)
        fsync_path(path)
    try:
        staging.rename(final)
    except OSError as exc:
        if not (final / RECORD_FILE).is_file():
            raise ModelCacheError(f"Cannot move the ONNX export into {final} ({exc}).") from exc
        logger.info("Another process exported %s first; using its copy", final)
