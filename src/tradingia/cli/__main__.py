"""`python -m tradingia.cli` runs the command line."""

from tradingia.cli import main

main()
