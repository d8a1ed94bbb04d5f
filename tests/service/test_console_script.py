"""The installed ``wegwijs`` script ingests, as README and ``make demo`` run it.

The other CLI tests invoke the app in-process or as ``python -m service``; the console script
differs in one way that matters: parse workers forked from the fork server import the parent's
main module by its path, so what ``wegwijs`` imports runs in every worker. With torch marked
absent in ``sys.modules`` there, SciPy failed to import and every file was skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
KINDS = (".pdf", ".docx", ".txt", ".md", ".html")
WEGWIJS = Path(sys.executable).parent / "wegwijs"


def test_the_console_script_ingests_every_format(sample_share: Path, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    for kind in KINDS:
        source = sorted(sample_share.rglob(f"*{kind}"))[0]
        shutil.copy(source, share / source.name)
    home = tmp_path / "home"
    env = {key: value for key, value in os.environ.items() if not key.startswith("WEGWIJS_")}
    result = subprocess.run(
        [str(WEGWIJS), "--home", str(home), "ingest", str(share)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout + result.stderr
    assert f"from {len(KINDS)} files (0 skipped" in output, output[-2000:]
    errors = subprocess.run(
        [str(WEGWIJS), "--home", str(home), "errors", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert errors.stdout.strip() == ""
