"""The parse pool: a hanging or memory-hungry file is stopped and reported, the rest go on."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from ingest.chunk import ChunkingConfig
from ingest.errors import ParseError
from ingest.models import Chunk
from ingest.parse import ParsedFile, ParseLimits, parse_file
from ingest.properties import Properties
from ingest.workers import WorkerConfig, parse_many


def misbehave(path: Path, _chunking: ChunkingConfig, _limits: ParseLimits) -> ParsedFile:
    """A stand-in parser that hangs, eats memory, or succeeds depending on the file name."""
    if path.name == "hang":
        time.sleep(60)
    if path.name == "hog":
        hog = bytearray(4 * 1024**3)
        hog[-1] = 1
    return ParsedFile("txt", "0" * 64, path.name, Properties(), "en", (Chunk(0, path.name),))


def test_timeouts_and_memory_limits_are_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    paths = [tmp_path / name for name in ("ok1", "hang", "hog", "ok2")]
    config = WorkerConfig(workers=2, timeout_s=3, memory_bytes=2 * 1024**3)
    started = time.monotonic()
    results = dict(parse_many(paths, ChunkingConfig(), ParseLimits(), config, task=misbehave))
    assert time.monotonic() - started < 30
    assert isinstance(results[paths[0]], ParsedFile)
    assert isinstance(results[paths[3]], ParsedFile)
    assert isinstance(results[paths[1]], ParseError)
    assert "longer than 3 s" in str(results[paths[1]])
    assert isinstance(results[paths[2]], ParseError)
    assert "memory" in str(results[paths[2]])


def parse_telling_torch(path: Path, chunking: ChunkingConfig, limits: ParseLimits) -> ParsedFile:
    """The real parser; the title says whether the worker has torch imported afterwards."""
    parsed = parse_file(path, chunking, limits)
    return replace(parsed, title=f"torch={sys.modules.get('torch') is not None}")


def parse_telling_warmth(path: Path, chunking: ChunkingConfig, limits: ParseLimits) -> ParsedFile:
    """The real parser; the title says whether the worker came from the warmed fork server
    (spaCy loaded, and the PDF partitioner too, though only text files are parsed)."""
    loaded = ("ingest.warm", "spacy", "unstructured.partition.pdf")
    warmed = all(name in sys.modules for name in loaded)
    return replace(parse_file(path, chunking, limits), title=f"warm={warmed}")


def test_workers_start_from_a_server_that_loaded_the_parsers(sample_share: Path) -> None:
    paths = sorted(sample_share.rglob("*.txt"))[:3]
    config = WorkerConfig(workers=2)
    results = dict(parse_many(paths, ChunkingConfig(), ParseLimits(), config, parse_telling_warmth))
    assert {getattr(result, "title", str(result)) for result in results.values()} == {"warm=True"}


def test_parse_workers_parse_every_format_without_importing_torch(sample_share: Path) -> None:
    kinds = {".pdf", ".docx", ".pptx", ".xlsx", ".txt", ".md", ".html", ".eml"}
    paths = sorted(path for path in sample_share.rglob("*") if path.suffix in kinds)
    assert {path.suffix for path in paths} == kinds
    config = WorkerConfig(workers=1)
    results = dict(parse_many(paths, ChunkingConfig(), ParseLimits(), config, parse_telling_torch))
    titles = {path.name: getattr(result, "title", str(result)) for path, result in results.items()}
    assert set(titles.values()) == {"torch=False"}, titles


def test_the_caller_works_while_the_workers_start_and_not_without_files(tmp_path: Path) -> None:
    events: list[str] = []
    paths = [tmp_path / name for name in ("ok1", "ok2", "ok3")]
    config = WorkerConfig(workers=1)

    def run(files: list[Path]) -> None:
        for path, _ in parse_many(
            files, ChunkingConfig(), ParseLimits(), config, misbehave, lambda: events.append("*")
        ):
            events.append(path.name)

    run(paths)
    assert events == ["*", "ok1", "ok2", "ok3"]
    events.clear()
    run([])
    assert events == []
