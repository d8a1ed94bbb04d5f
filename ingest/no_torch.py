"""Keep torch out of the parse workers without marking it absent in ``sys.modules``.

unstructured's sentence splitter imports spaCy, whose thinc imports torch whenever it can, only
to offer torch layers the ``fast`` strategy never uses; without torch a worker starts about
1.6 s sooner and stays about 180 MB smaller (BENCHMARKS.md, session 6). A ``None`` entry in
``sys.modules`` did that, but other libraries take any ``torch`` entry for the module: SciPy's
``scipy.stats`` then failed on import with ``'NoneType' object has no attribute 'Tensor'``, and
with it every worker of ``wegwijs ingest``, whose main script imports it (a fork-server
child imports its parent's main module after the preload). A finder that refuses the import
leaves ``sys.modules`` alone: ``import torch`` raises ``ModuleNotFoundError``, which thinc
takes as "no torch", and nothing else sees a torch that is not there.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType


class _NoTorch(importlib.abc.MetaPathFinder):
    """Refuses ``torch`` and its submodules."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "torch" or fullname.startswith("torch."):
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: parse workers go without torch", name=fullname
            )
        return None


def keep_torch_out() -> None:
    """Refuse torch imports in this process from now on (an import already made stays)."""
    if not any(isinstance(finder, _NoTorch) for finder in sys.meta_path):
        sys.meta_path.insert(0, _NoTorch())


def let_torch_in() -> None:
    """Allow torch imports again."""
    sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, _NoTorch)]
