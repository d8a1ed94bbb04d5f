"""Configurations to compare: a preset name, optionally with ``key=value`` overrides.

``hybrid:dense_weight=0.6,lexical_weight=0.4`` or ``bm25:k1=0.9,b=0.4,idf=lucene`` changes
search-time settings only and shares the ingested index of the other configs;
``dense:model=multilingual-e5-small`` or ``hybrid:max_characters=800`` changes what is ingested
and gets an index of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from eval.errors import ConfigSpecError
from index.fusion import NORMALISATIONS
from index.postings import IDF_VARIANTS, Bm25Config
from index.search import SearchConfig
from ingest.chunk import ChunkingConfig

Ranking = Literal["lexical", "dense", "hybrid", "rrf"]
PRESETS: dict[str, Ranking] = {
    "bm25": "lexical",
    "dense": "dense",
    "hybrid": "hybrid",
    "rrf": "rrf",
}
DEFAULT_CONFIGS = ("bm25", "dense", "hybrid")
RRF_K = 60
_POSITIVE = frozenset({"max_characters", "candidates", "rrf_k"})
_DEFERRED = {
    "recency_weight": (
        "recency weighting is not implemented yet: it lands with the governance issue. "
        "Drop 'recency_weight' from this --config for now."
    ),
}


@dataclass(frozen=True)
class Build:
    """What decides the ingested index: the model profile and the chunk sizes."""

    model: str
    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)


@dataclass(frozen=True)
class EvalConfig:
    """One named configuration: how to rank, on which index, with which search settings.

    Attributes:
        name: the spec as given on the command line; unique within a run.
        ranking: which arms and how they are fused (``rrf`` is the reciprocal-rank baseline).
        build: the index it needs; configs with equal builds share one ingested home.
        search: fusion weights, candidates per arm and the lexical arm's BM25 parameters.
        rrf_k: the RRF constant (only for ``rrf``).
    """

    name: str
    ranking: Ranking
    build: Build
    search: SearchConfig = field(default_factory=SearchConfig)
    rrf_k: int = RRF_K


def config_keys() -> dict[str, str]:
    """Every key a spec may set, with the part of the configuration it changes."""
    keys = {"model": "build"}
    keys.update({f.name: "chunking" for f in fields(ChunkingConfig)})
    keys.update({f.name: "search" for f in fields(SearchConfig) if f.name != "bm25"})
    keys.update({f.name: "bm25" for f in fields(Bm25Config)})
    keys["rrf_k"] = "ranking"
    return keys


def parse_configs(specs: list[str], base: EvalConfig) -> tuple[EvalConfig, ...]:
    """Parse repeated ``--config`` values against a base (the settings' model and weights).

    Raises:
        ConfigSpecError: an unknown preset or key, a bad value, or the same spec twice.
    """
    configs = tuple(parse_config(spec, base) for spec in specs)
    names = [config.name for config in configs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigSpecError(f"--config {repeated[0]} is given twice: give each config once.")
    return configs


def parse_config(spec: str, base: EvalConfig) -> EvalConfig:
    """Parse ``PRESET[:key=value,...]`` into a configuration.

    Raises:
        ConfigSpecError: an unknown preset or key, a bad value, or a key not implemented yet.
    """
    preset, _, overrides = spec.strip().partition(":")
    if preset not in PRESETS:
        raise ConfigSpecError(
            f"Unknown config '{preset}' in '{spec}': start with one of {', '.join(PRESETS)}."
        )
    config = replace(base, name=spec.strip(), ranking=PRESETS[preset])
    for item in filter(None, (part.strip() for part in overrides.split(","))):
        key, equals, value = item.partition("=")
        if not equals or not value.strip():
            raise ConfigSpecError(f"'{item}' in '{spec}' is not key=value.")
        config = _apply(config, key.strip(), value.strip(), spec)
    return config


def _apply(config: EvalConfig, key: str, value: str, spec: str) -> EvalConfig:
    if key in _DEFERRED:
        raise ConfigSpecError(f"'{spec}': {_DEFERRED[key]}")
    part = config_keys().get(key)
    if part is None:
        choices = ", ".join(config_keys())
        raise ConfigSpecError(f"Unknown key '{key}' in '{spec}': use one of {choices}.")
    if part == "build":
        return replace(config, build=replace(config.build, model=value))
    if part == "chunking":
        number = _number(config.build.chunking, key, value, spec)
        chunking = replace(config.build.chunking, **{key: number})
        return replace(config, build=replace(config.build, chunking=chunking))
    if part == "bm25":
        return replace(config, search=replace(config.search, bm25=_bm25(config, key, value, spec)))
    if part == "search" and key == "normalisation":
        if value not in NORMALISATIONS:
            raise ConfigSpecError(f"'{spec}': normalisation is one of {', '.join(NORMALISATIONS)}.")
        return replace(config, search=replace(config.search, normalisation=value))
    if part == "search" and isinstance(getattr(config.search, key), bool):
        flags: dict[str, Any] = {key: _flag(key, value, spec)}  # completion and the coverages
        return replace(config, search=replace(config.search, **flags))
    if part == "search":
        search = replace(config.search, **{key: _number(config.search, key, value, spec)})
        return replace(config, search=search)
    return replace(config, rrf_k=int(_number(config, key, value, spec)))


def _bm25(config: EvalConfig, key: str, value: str, spec: str) -> Bm25Config:
    """The config's BM25 parameters with ``key`` (``k1``, ``b`` or ``idf``) set to ``value``."""
    bm25 = config.search.bm25
    if key == "idf" and value not in IDF_VARIANTS:
        raise ConfigSpecError(f"'{spec}': idf is one of {', '.join(IDF_VARIANTS)}.")
    changed: Any = value if key == "idf" else float(_number(bm25, key, value, spec))
    try:
        return replace(bm25, **{key: changed})
    except ValueError as exc:  # b above 1, or not a number at all
        raise ConfigSpecError(f"'{spec}': {exc}") from exc


def _flag(key: str, value: str, spec: str) -> bool:
    """An on/off key: ``1``/``true``/``on`` or ``0``/``false``/``off``."""
    flags = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}
    flag = flags.get(value.lower())
    if flag is None:
        raise ConfigSpecError(f"'{key}={value}' in '{spec}': use 1 (on) or 0 (off).")
    return flag


def _number(holder: object, key: str, value: str, spec: str) -> Any:
    kind = type(getattr(holder, key))
    try:
        number: Any = kind(value)
    except ValueError as exc:
        raise ConfigSpecError(
            f"'{key}={value}' in '{spec}': expected {'an integer' if kind is int else 'a number'}."
        ) from exc
    minimum = 1 if key in _POSITIVE else 0
    if number < minimum:
        raise ConfigSpecError(f"'{key}={value}' in '{spec}': must be at least {minimum}.")
    return number
