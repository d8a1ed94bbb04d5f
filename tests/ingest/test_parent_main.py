"""The parse workers' fork server imports the parent's main script once; the workers do not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ingest.offline import OFFLINE_ENV

_SCRIPT = """
import os, sys
from pathlib import Path
sys.path.insert(0, {project!r})
with open({record!r}, "a") as record:
    record.write(f"{{os.getpid()}} {{__name__}}\\n")

from ingest.chunk import ChunkingConfig
from ingest.parse import ParseLimits
from ingest.workers import WorkerConfig, parse_many

def main() -> None:
    paths = sorted(Path({share!r}).iterdir())
    for _round in range(2):  # a second pool forks new workers from the same server
        results = list(parse_many(paths, ChunkingConfig(), ParseLimits(), WorkerConfig(workers=2)))
        assert all(getattr(r, "chunks", None) for _, r in results), results

if __name__ == "__main__":
    main()
"""


def test_workers_find_the_parent_main_script_loaded(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    for number in range(6):
        (share / f"note-{number}.txt").write_text(f"Notitie {number} over verlof aanvragen.\n")
    record = tmp_path / "imports.txt"
    script = tmp_path / "main_script.py"
    project = str(Path(__file__).resolve().parents[2])
    script.write_text(_SCRIPT.format(project=project, record=str(record), share=str(share)))
    env = {**os.environ, **OFFLINE_ENV}
    subprocess.run([sys.executable, str(script)], check=True, env=env, timeout=300)
    imports = record.read_text().split()
    names = imports[1::2]
    # once as the program, once in the fork server; not in any of the four workers
    assert names == ["__main__", "__mp_main__"], imports
