"""The parent's main module, imported once by the parse workers' fork server instead of by
every worker.

A child of a fork server imports its parent's main script before it runs anything (so that
objects pickled from ``__main__`` resolve). ``set_forkserver_preload(["__main__"])`` is meant
to do that once in the server, but on Python 3.11 the server is never told the script's path
(CPython gh-98552, fixed in later versions), so every parse worker of every run imported it
again: for ``wegwijs`` that is ``service.cli`` and its imports, 1–2 s of CPU per worker on the
cores the embedding waits for. The parent therefore names the script in an environment
variable (the server inherits the environment it is started with), and the server's preload
(``ingest.warm``) imports it the way CPython's own preload does; a child then finds it loaded
and skips it. A main module given by name (``python -m package``) is left to CPython, which
already skips ``package.__main__``.
"""

from __future__ import annotations

import logging
import os
import sys
from multiprocessing import process, spawn

logger = logging.getLogger(__name__)

PARENT_MAIN_ENV = "WEGWIJS_PARSE_PARENT_MAIN"


def announce_parent_main() -> None:
    """Name this process's main script for a fork server started from now on (or name none)."""
    path = spawn.get_preparation_data("parse-server").get("init_main_from_path")
    if path:
        os.environ[PARENT_MAIN_ENV] = path
    else:
        os.environ.pop(PARENT_MAIN_ENV, None)


def import_parent_main() -> None:
    """In the fork server: import the announced script as ``__mp_main__``, as CPython's preload
    does, unless it is loaded already. A failure leaves each worker to import it itself."""
    path = os.environ.get(PARENT_MAIN_ENV)
    if not path or getattr(sys.modules.get("__main__"), "__file__", None) == path:
        return
    current = process.current_process()
    current._inheriting = True  # type: ignore[attr-defined] # what forkserver.main sets
    try:
        spawn.import_main_path(path)
    except Exception as exc:  # noqa: BLE001 - a user's script may raise anything on import
        logger.warning("Parse workers import %s themselves: %s", path, exc)
    finally:
        del current._inheriting  # type: ignore[attr-defined]
