"""Section ``embed``: passages/s per model profile and single-query embedding latency."""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from eval.bench.corpus import sample_passages
from eval.bench.encoders import EncoderPool
from eval.bench.measure import percentile, spread, timed
from eval.bench.plan import BenchContext, BenchPlan
from eval.bench.results import Measured, Table
from index.encoder import Encoder
from service.sample_share import load_questions

logger = logging.getLogger(__name__)


def _token_counts(pool: EncoderPool, profile: str, passages: list[str]) -> tuple[float, float]:
    """Mean tokens per passage (prompt included) and the share cut at the model's window."""
    encoder = pool.get(profile)
    tokenizer = encoder.model.tokenizer
    prompt = encoder.profile.passage_prompt
    counts = [len(tokenizer(prompt + text)["input_ids"]) for text in passages]
    window = encoder.profile.max_seq_length
    return sum(counts) / len(counts), sum(count > window for count in counts) / len(counts)


def _passages_per_second(encoder: Encoder, passages: list[str]) -> float:
    _, seconds = timed(lambda: encoder.encode_passages(passages))
    return len(passages) / seconds


def _query_milliseconds(encoder: Encoder, queries: list[str]) -> list[float]:
    latencies = []
    for query in queries:
        started = time.perf_counter()
        encoder.encode_queries([query])
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


Runs = dict[tuple[str, str], list[float]]
"""Per-run values by (profile, measure)."""
MEASURES = (
    "passages/s",
    "torch query p50 ms",
    "torch query p99 ms",
    "onnx query p50 ms",
    "onnx query p99 ms",
)


def _measure_profile(
    pool: EncoderPool, profile: str, passages: list[str], queries: list[str]
) -> tuple[float, float, float, float, float]:
    """One run of one profile: passage rate, then query latency with torch and with ONNX."""
    onnx = pool.get(profile, "onnx")
    rate = _passages_per_second(onnx, passages)
    with_torch = _query_milliseconds(pool.get(profile, "torch"), queries)
    with_onnx = _query_milliseconds(onnx, queries)
    return (
        rate,
        percentile(with_torch, 50),
        percentile(with_torch, 99),
        percentile(with_onnx, 50),
        percentile(with_onnx, 99),
    )


def measure_embedding(context: BenchContext, pool: EncoderPool) -> Measured:
    """Embed the same passages and queries with every profile, interleaved within each run."""
    plan = context.plan
    passages = sample_passages(plan.passages, plan.passage_words)
    questions = [question.question for question in load_questions()]
    runs: Runs = defaultdict(list)
    for run in range(plan.runs):
        offset = run * plan.query_samples
        queries = [questions[(offset + i) % len(questions)] for i in range(plan.query_samples)]
        for profile in plan.profiles:
            values = _measure_profile(pool, profile, passages, queries)
            for measure, value in zip(MEASURES, values, strict=True):
                runs[(profile, measure)].append(value)
        logger.info("embed run %d/%d done", run + 1, plan.runs)
    return _render(context, pool, passages, runs)


def _render(context: BenchContext, pool: EncoderPool, passages: list[str], runs: Runs) -> Measured:
    plan = context.plan
    rows = []
    figures: dict[str, float] = {}
    for profile in plan.profiles:
        tokens, cut = _token_counts(pool, profile, passages)
        spreads = [spread(runs[(profile, measure)]) for measure in MEASURES]
        shown = [item.show(1 if number == 0 else 0) for number, item in enumerate(spreads)]
        rows.append((profile, f"{tokens:.0f} ({cut:.0%} cut)", *shown))
        figures[f"embed.{profile}.passages_per_s"] = spreads[0].median
        figures[f"embed.{profile}.query_p50_ms"] = spreads[1].median
        figures[f"embed.{profile}.onnx_query_p50_ms"] = spreads[3].median
    header = ("profile", "tokens/passage", *MEASURES)
    tables = [Table(f"{plan.passages} passages of {plan.passage_words} words", header, tuple(rows))]
    if len(plan.profiles) == 2:
        first, second = plan.profiles
        pairs = zip(runs[(first, MEASURES[0])], runs[(second, MEASURES[0])], strict=True)
        ratio_rows = [(f"{first} / {second} passages/s", spread([a / b for a, b in pairs]).show(2))]
        for profile in plan.profiles:
            pairs = zip(runs[(profile, MEASURES[1])], runs[(profile, MEASURES[3])], strict=True)
            ratio = spread([a / b for a, b in pairs]).show(2)
            ratio_rows.append((f"{profile}: torch / onnx query p50 (speed-up)", ratio))
        tables.append(
            Table("Ratios measured within each run", ("ratio", "value"), tuple(ratio_rows))
        )
    notes = (
        f"Passages: windows of the sample share's Dutch and English prose, embedded in batches "
        f"of 32 with the threads set once ({plan.threads}) for torch, onnxruntime and FAISS. "
        f"Query latency: one sample-share question per call, {plan.query_samples} calls per "
        "run, first with the sentence-transformers model (torch), then with its ONNX export in "
        "onnxruntime (`WEGWIJS_QUERY_RUNTIME=onnx`, the default), query cache off; p99 of so "
        "few calls is close to their maximum. Profiles alternate within each "
        "run, so they share the same machine load. tokens/passage counts the model's own "
        "tokens with its passage prompt; `cut` is the share longer than the model's window.",
    )
    return Measured(tuple(tables), notes, figures, findings=_findings(plan, runs))


def _findings(plan: BenchPlan, runs: Runs) -> tuple[str, ...]:
    found = []
    for profile in plan.profiles:
        torch = spread(runs[(profile, MEASURES[1])]).median
        onnx = spread(runs[(profile, MEASURES[3])]).median
        found.append(
            f"Query embedding alone, {profile}: p50 {torch:.0f} ms with torch, {onnx:.0f} ms "
            f"with onnxruntime ({plan.threads} threads each; medians of runs, same load)."
        )
    return tuple(found)
