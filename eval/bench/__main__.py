"""``python -m eval.bench`` writes BENCHMARKS.md (see ``eval.bench.cli``)."""

if __name__ == "__main__":
    from eval.bench.cli import app

    app()
