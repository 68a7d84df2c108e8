"""`python -m litbalint ...` runs the command line."""

from litbalint.cli import cli

cli()
