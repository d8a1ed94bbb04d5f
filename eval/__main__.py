"""``python -m eval`` runs the same command as ``wegwijs eval``."""

from eval.cli import main

main()
