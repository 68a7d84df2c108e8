"""What the command modules share: the --db option and the one-line failure."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=(
        "SQLite database file (default: $LITBALINT_DB, else litbalint.db in the data folder: "
        "$LITBALINT_DATA, else ./data)."
    ),
)


def fail(message: str) -> None:
    """Print one line, 'Error: ...', and exit 1."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)
