"""No outside connection: ingest, search and serve run under a socket guard in every process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from ingest.offline import OFFLINE_ENV
from tests.conftest import MODEL_CACHE, free_port, wait_until_answering

GUARD = Path(__file__).parents[1] / "guard"
WEGWIJS = [sys.executable, "-m", "service"]


def _env(home: Path, log: Path) -> dict[str, str]:
    """The caller's environment without our variables and WITHOUT the offline opt-outs:
    the product itself must keep every process offline."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("WEGWIJS_") and k not in OFFLINE_ENV
    }
    env["PYTHONPATH"] = f"{GUARD}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env["WEGWIJS_GUARD_LOG"] = str(log)
    env["WEGWIJS_HOME"] = str(home)
    env["WEGWIJS_MODEL_CACHE_DIR"] = str(MODEL_CACHE)
    return env


def test_guard_itself_refuses_an_outside_connection(tmp_path: Path) -> None:
    log = tmp_path / "guard.log"
    code = "import socket; socket.create_connection(('192.0.2.1', 80), timeout=1)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp_path, log), capture_output=True
    )
    assert result.returncode != 0
    assert "192.0.2.1" in log.read_text()


def test_guard_sees_unstructured_telemetry_without_the_opt_outs(tmp_path: Path) -> None:
    """Proves the guard would catch a library phoning home from a child process."""
    log = tmp_path / "guard.log"
    code = "import unstructured.partition.auto"
    subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp_path, log), capture_output=True, timeout=300
    )
    assert "unstructured" in log.read_text()


def test_ingest_search_and_serve_make_no_outside_connection(
    tmp_path: Path, sample_share: Path
) -> None:
    log = tmp_path / "guard.log"
    env = _env(tmp_path / "home", log)
    subprocess.run(
        [*WEGWIJS, "ingest", "--no-progress", str(sample_share)], env=env, check=True, timeout=900
    )
    out = subprocess.run(
        [*WEGWIJS, "search", "--json", "vakantiedagen"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert '"doc_id"' in out.stdout
    port = free_port()
    public = {**env, "WEGWIJS_ANONYMOUS": "true"}  # the sample share is world-readable
    server = subprocess.Popen([*WEGWIJS, "serve", "--port", str(port)], env=public)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz", 90)
        assert (
            httpx.get(
                f"http://127.0.0.1:{port}/", params={"q": "thuiswerken"}, timeout=120
            ).status_code
            == 200
        )
        assert httpx.get(
            f"http://127.0.0.1:{port}/api/search", params={"q": "VPN"}, timeout=120
        ).json()["hits"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not log.exists() or log.read_text() == "", log.read_text()
