"""Benchmarks of issue 8 (``python -m eval.bench``): speed, latency, recall and memory."""

from eval.bench.plan import FULL, QUICK, BenchContext, BenchPlan
from eval.bench.suite import SECTIONS, run_sections

__all__ = ["FULL", "QUICK", "SECTIONS", "BenchContext", "BenchPlan", "run_sections"]
