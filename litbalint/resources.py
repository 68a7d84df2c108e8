"""Where the project's data folder is: LITBALINT_DATA, else data/ beside the package."""

from __future__ import annotations

import os
from pathlib import Path

from litbalint.errors import LitbalintError


def data_dir() -> Path:
    configured = os.environ.get("LITBALINT_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "data"


def data_path(relative: str) -> Path:
    """A file the project ships in data/ (dictionaries, glossary, topics)."""
    path = data_dir() / relative
    if not path.exists():
        raise LitbalintError(
            f"{path} is missing: install litbalint from its source checkout "
            "(pip install -e .) or set LITBALINT_DATA to the project's data/ folder"
        )
    return path


def default_db_path() -> Path:
    """LITBALINT_DB, else data/litbalint.db."""
    configured = os.environ.get("LITBALINT_DB")
    return Path(configured) if configured else data_dir() / "litbalint.db"


# Folders under data/ that hold the project's own resources, not corpus documents.
RESOURCE_DIRS = ("lexicon",)


def display_path(path: Path) -> str:
    """A path as stored and shown: relative to the project for files under data/."""
    resolved = path.resolve()
    root = data_dir().resolve().parent
    try:
        return str(resolved.relative_to(root))
    except ValueError:
        return str(path)
