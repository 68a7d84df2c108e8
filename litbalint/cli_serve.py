"""`litbalint serve`: the checks before Datasette starts (files, metadata, synonyms), then
Datasette in this process or, with --workers N, in N worker processes
(publish/server_workers.py)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from litbalint.cli_common import TOPICS_OPTION, fail, load_topics_or_exit
from litbalint.errors import LitbalintError
from litbalint.resources import default_db_path

# Only click and what defines the options are imported above: `--help` loads nothing else
# (tests/test_cli.py checks it); serve imports the rest when it runs.


def _count_option(name: str, default: int, help: str):
    """An option taking a number >= 0, its default shown in --help."""
    return click.option(
        name, type=click.IntRange(min=0), default=default, show_default=True, help=help
    )


@click.command()
@click.argument("db_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite database file, repeatable; or name them as arguments (served in that order, "
    "--db ones first; default: $LITBALINT_DB, else litbalint.db in the data folder).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "-p",
    "--port",
    type=click.IntRange(0, 65535),
    default=8001,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--metadata",
    "metadata_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Datasette metadata (default: the metadata.yml shipped with litbalint).",
)
@click.option(
    "--mutable/--immutable",
    default=True,
    help="--mutable (default): the files may be written while served (harvest, import), "
    "changes show within a second; --immutable: published snapshots that never change while "
    "served (a harvest into one breaks the site until a restart).",
)
@_count_option(
    "--workers",
    1,
    "Server processes answering on the one address (0: one per CPU). One process uses "
    "about one core; each holds its own copy of the search's model and caches (~200 MB).",
)
@click.option(
    "--setting",
    "settings",
    multiple=True,
    type=(str, str),
    metavar="NAME VALUE",
    help="A Datasette setting, after litbalint's own (repeatable): e.g. --setting "
    "num_sql_threads 4, --setting default_cache_ttl 60.",
)
@_count_option(
    "--cache-mb",
    64,
    "Memory per server process for answers to repeated requests (landing, search and "
    "article pages), kept until a served file changes; 0: off.",
)
@TOPICS_OPTION
def serve(
    db_files: tuple[Path, ...],
    db_paths: tuple[Path, ...],
    host: str,
    port: int,
    metadata_path: Path | None,
    mutable: bool,
    workers: int,
    settings: tuple[tuple[str, str], ...],
    cache_mb: int,
    topics_file: Path | None,
) -> None:
    """Publish corpora with Datasette (read-only, time-limited SQL) and the litbalint plugin.

    Every file with litbalint's schema gets the article pages, chart, counts, search page and
    metadata.yml's `litbalint` settings, whatever its name; other SQLite files are served
    plainly."""
    import sqlite3

    from datasette.cli import cli as datasette_cli  # Datasette: for this command only

    from litbalint.publish import SERVE_SETTINGS
    from litbalint.publish.response_cache import ENVIRONMENT as CACHE_ENVIRONMENT
    from litbalint.publish.served import read_schema_version, served_names, unreadable
    from litbalint.publish.server_workers import listening_sockets, run_workers
    from litbalint.resources import METADATA, packaged_path
    from litbalint.synonyms import synonym_table
    from litbalint.topics import ENVIRONMENT as TOPICS_ENVIRONMENT

    databases = [*db_paths, *db_files] or [default_db_path()]
    metadata = metadata_path or packaged_path(METADATA)
    for path, hint in (
        *((db, "run `litbalint build` first") for db in databases),
        (metadata, "name one with --metadata"),
    ):
        if not path.exists():
            fail(f"{path}: not found; {hint}")
    corpora = []
    for db, name in zip(databases, served_names(databases), strict=True):
        try:
            if read_schema_version(db, mutable) is not None:
                corpora.append(name)
        except sqlite3.Error as error:
            fail(unreadable(db, error, mutable))
        except LitbalintError as error:  # made by an older or a newer litbalint
            fail(str(error))
    metadata = _metadata_for(metadata, corpora)
    try:
        synonym_table()  # read once here: a wrong line is one error now, not failing searches
    except LitbalintError as error:
        fail(str(error))
    args = ["--metadata", str(metadata), "--host", host, "--port", str(port)]
    for db in databases:
        args += [str(db)] if mutable else ["--immutable", str(db)]
    for name, value in SERVE_SETTINGS.items():
        args += ["--setting", name, value if isinstance(value, str) else _setting(value)]
    for name, value in settings:
        args += ["--setting", name, value]
    with datasette_cli.commands["serve"].make_context("litbalint serve", list(args)):
        pass  # a wrong --setting: one line now, not in each worker
    workers = workers or os.cpu_count() or 1
    environment = {CACHE_ENVIRONMENT: str(cache_mb)}  # read by the plugin, in every worker
    if topics_file:
        load_topics_or_exit(topics_file)  # a mistake in it: one line now, not on every page
        environment[TOPICS_ENVIRONMENT] = str(topics_file.resolve())
    with _environment(environment):
        if workers == 1:
            datasette_cli.main(["serve", *args], prog_name="litbalint serve")
            return
        try:
            sockets = listening_sockets(host, port, workers)
        except OSError as error:
            fail(f"{host}:{port}: cannot listen ({error.strerror})")
        code = run_workers(sockets, args)
    sys.exit(code)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """These settings in the environment while the server runs, as they were afterwards (a
    serve run in-process, as the tests do, leaves no setting behind for the next Datasette)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _setting(value: object) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)


def _metadata_for(metadata: Path, corpora: list[str]) -> Path:
    """metadata.yml describes a database named 'litbalint' (data/litbalint.db): a copy in which
    that block applies to every corpus served, whatever its name (the file itself when it
    already does)."""
    import copy
    import hashlib
    import tempfile

    import yaml

    try:
        data = yaml.safe_load(metadata.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        fail(f"{metadata}: cannot read it as YAML ({error})".replace("\n", " "))
    databases = data.get("databases") or {}
    if corpora == ["litbalint"] or "litbalint" not in databases:
        return metadata
    block = databases.pop("litbalint")
    for name in corpora:
        databases[name] = copy.deepcopy(block)
    text = json.dumps(data, ensure_ascii=False)
    # named by its content: the same serve reuses it, never a new file per start (a server
    # stopped by a signal cannot remove what it made)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    copied = Path(tempfile.gettempdir()) / f"litbalint-metadata-{os.getuid()}-{digest}.json"
    if not copied.exists():
        partial = copied.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(copied)
    return copied
