"""What the command modules share: the --db option, the one-line failure, the progress,
reading a UTF-8 input file."""

from __future__ import annotations

import codecs
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from litbalint.errors import LitbalintError

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


def progress(
    quiet: bool, label: str, line: str, every: float = 0.0
) -> Callable[[int, int], None] | None:
    """`report(done, total)` for a long step: a progress bar on a terminal, else plain lines
    (`line` formatted with done and total; at most one every `every` seconds, and the last);
    None when quiet."""
    if quiet:
        return None
    if sys.stderr.isatty():
        state: dict = {}

        def bar(done: int, total: int) -> None:
            if "bar" not in state:
                state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
                state["bar"].__enter__()
            state["bar"].update(done - state.get("done", 0))
            state["done"] = done
            if done >= total:
                state["bar"].__exit__(None, None, None)

        return bar
    shown = [0.0]

    def plain(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - shown[0] >= every:
            shown[0] = now
            click.echo(line.format(done=done, total=total))

    return plain


def read_utf8(path: Path) -> str:
    """A UTF-8 text file (BOM optional), LF line ends; anything else: one line, exit 1."""
    from litbalint.sources.detect import open_document  # the parsers: loaded when reading
    from litbalint.sources.text import line_at

    try:
        with open_document(path, str(path)) as stream:  # a named pipe or device: refused
            data = stream.read()
    except LitbalintError as error:
        fail(str(error))
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = start + error.start
        fail(
            f"{path}: not UTF-8 text (byte {offset} on line {line_at(data, offset, 'utf-8')}); "
            "save it as UTF-8"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")
