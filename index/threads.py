"""Set the thread count of torch and FAISS once, at a composition root."""

from __future__ import annotations


def configure_threads(threads: int) -> None:
    """Use ``threads`` CPU threads in torch and FAISS (they default to all cores each)."""
    import faiss
    import torch

    torch.set_num_threads(threads)
    faiss.omp_set_num_threads(threads)
