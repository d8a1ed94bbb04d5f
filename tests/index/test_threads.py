"""Thread counts are set once, and a process that only searches never loads torch for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from index.build import RunSummary
from service.settings import Settings
from tests.conftest import MODEL_CACHE, free_port, wait_until_answering
from tests.governance_support import copy_home

PASSAGES = """
import json, sys
from service.engine import make_encoder
from service.settings import Settings
encoder = make_encoder(Settings.from_json(sys.argv[1]))
encoder.encode_passages(["Een zin om te embedden."])
import torch
print(json.dumps({"threads": torch.get_num_threads()}))
"""


def _run(script: str, settings: Settings) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), settings.to_json()],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_server_answers_dense_searches_without_loading_torch(
    tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    home = copy_home(sample_settings.home, tmp_path / "home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJS_")}
    env |= {"WEGWIJS_HOME": str(home), "WEGWIJS_MODEL_CACHE_DIR": str(MODEL_CACHE)}
    env |= {"WEGWIJS_ANONYMOUS": "true", "WEGWIJS_WORKERS": "1"}
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)], env=env
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(f"{url}/healthz")
        for mode in ("dense", "hybrid"):
            params = {"q": "Hoeveel vakantiedagen krijg ik?", "mode": mode}
            assert httpx.get(f"{url}/api/search", params=params, timeout=120).json()["hits"]
        maps = Path(f"/proc/{server.pid}/maps").read_text()
        assert "onnxruntime" in maps  # the query model is loaded ...
        assert "libtorch" not in maps  # ... and torch is not
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_torch_gets_the_configured_threads_when_it_loads(
    sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    settings = sample_settings.model_copy(update={"threads": 3})  # not torch's own count
    assert _run(PASSAGES, settings) == {"threads": 3}
