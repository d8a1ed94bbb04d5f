"""python -m service == the wegwijs CLI."""

from service.cli import main

main()
