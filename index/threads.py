"""CPU thread counts for torch, onnxruntime and FAISS, decided in this one module.

Each library defaults to every core, so three of them in one process oversubscribe a small
machine. A composition root calls ``configure_threads`` once; the ONNX query encoder builds its
session options with ``onnx_session_options``. FAISS keeps its OpenMP thread count per calling
thread, so a request thread of the server calls ``use_search_threads`` before it searches
(one thread per single-query search: on two cores a second OpenMP thread only adds overhead).
"""

from __future__ import annotations

import sys
from typing import Any

SEARCH_THREADS = 1
# The count ``configure_threads`` chose, for torch once something loads it.
_chosen: dict[str, int] = {}


def configure_threads(threads: int) -> None:
    """Use ``threads`` CPU threads in FAISS (this thread) now and in torch once it is loaded.

    torch is not imported for this: a server that embeds queries with onnxruntime never loads
    it, and importing it only to set a thread count cost 139 MiB per process (BENCHMARKS.md,
    Session 7). Whoever loads a torch model calls ``apply_torch_threads`` first.
    """
    import faiss

    faiss.omp_set_num_threads(threads)
    _chosen["torch"] = threads
    if "torch" in sys.modules:
        apply_torch_threads()


def apply_torch_threads() -> None:
    """Give torch the thread count ``configure_threads`` chose (none chosen: torch's own)."""
    if "torch" not in _chosen:
        return
    import torch

    torch.set_num_threads(_chosen["torch"])


def use_search_threads(threads: int = SEARCH_THREADS) -> None:
    """Give FAISS ``threads`` OpenMP threads in the calling thread (a request thread)."""
    import faiss

    faiss.omp_set_num_threads(threads)


def onnx_session_options(threads: int) -> Any:
    """onnxruntime session options with ``threads`` intra-op threads and one inter-op thread."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # shared cores
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return options
