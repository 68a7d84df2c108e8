"""What the command modules share: the --db and --topics options, the one-line failure, the
progress, reading a UTF-8 input file."""

from __future__ import annotations

import codecs
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from litbalint.errors import LitbalintError

if TYPE_CHECKING:
    from litbalint.topics import Topic

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

TOPICS_OPTION = click.option(
    "--topics",
    "topics_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="LITBALINT_TOPICS",
    default=None,
    help=(
        "Topics file: each topic's PubMed query, labels, import rule and chart colour "
        "(default: $LITBALINT_TOPICS, else the topics.yml shipped with litbalint)."
    ),
)


def load_topics_or_exit(topics_file: Path | None) -> list[Topic]:
    """The topics of --topics FILE (else the configured file); a mistake in it is one line,
    exit code 2 (a configuration error)."""
    from litbalint.topics import configured_path, load_topics

    try:
        return load_topics(topics_file or configured_path())
    except LitbalintError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)


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
