"""What every parse worker needs loaded, loaded once by the workers' fork server.

Imported (for its effect) by the fork server ``ingest.workers`` starts its workers from: each
worker is forked from a process that already imported unstructured and ran it once on a short
Dutch and English text (spaCy's sentence splitter and the language detector load on the first
text, about 2.6 s of CPU after a 0.5–6 s import) and imported every format's partitioner,
instead of paying all of it itself. A long-lived
process (the server's scheduled ingests) keeps its fork server, so later runs pay nothing.

torch is kept out while the parsers load (``ingest.no_torch``): spaCy's thinc then loads
without it, and the forked workers inherit that. It is let in again afterwards, since the
server then imports its parent's main module (``wegwijs``, or a script of the user's; see
``ingest.parent_main``), which may use it. A failure here is no failure of a run: each worker
then loads what it needs and a file that cannot be parsed reports its own error.
"""

from __future__ import annotations

import gc
import importlib
import logging

from ingest.no_torch import keep_torch_out, let_torch_in
from ingest.offline import enforce_offline
from ingest.parent_main import import_parent_main

logger = logging.getLogger(__name__)

_SAMPLE = (
    "Verlof aanvragen\n\n"
    "Een medewerker vraagt verlof aan bij de leidinggevende, uiterlijk twee weken vooraf.\n\n"
    "Employees request leave from their manager at least two weeks in advance."
)


def warm() -> None:
    """Import the parsers and run them once on ``_SAMPLE``."""
    enforce_offline()
    keep_torch_out()
    try:
        import unstructured.partition.auto  # noqa: F401 - what parse_file imports
        from unstructured.partition.text import partition_text

        partition_text(text=_SAMPLE)
        _load_partitioners()
    except Exception as exc:  # noqa: BLE001 - warming is best effort, see the module text
        logger.warning("Parse workers start cold: %s", exc)
    finally:
        let_torch_in()


def _load_partitioners() -> None:
    """Import the partitioner of every indexed format and load the compiled reading-order sort
    of PDF pages. ``partition`` imports a format's partitioner at its first file, and numba
    loads the sort at the first PDF: in every worker, 2.1 s of CPU for its first PDF alone
    (0.1-0.2 s for a first PPTX, XLSX or HTML file) where the server has not done it."""
    from unstructured.file_utils.model import FileType
    from unstructured.partition.utils.sorting import sort_bboxes_by_xy_cut

    from ingest.parse import SUPPORTED_TYPES

    for name in SUPPORTED_TYPES:
        importlib.import_module(FileType[name].partitioner_module_qname)
    sort_bboxes_by_xy_cut([(0, 0, 100, 20), (0, 40, 100, 60), (120, 0, 200, 20)])


warm()
import_parent_main()  # after the parsers: a script that imports torch no longer keeps it out
gc.freeze()  # what the workers inherit stays shared: their collections no longer touch it
