"""Shared test helpers: paths to the bundled seeds and fixtures, a fresh store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from litbalint.cli import cli
from litbalint.eutils import Eutils
from litbalint.publish.response_cache import ENVIRONMENT as CACHE_ENVIRONMENT
from litbalint.store import Store
from tests.support.paths import FIXTURES, ROOT, SEEDS  # noqa: F401 (the tests import them here)


def seed(prefix: str) -> Path:
    """The bundled seed document whose name starts with prefix ('000' ... '004')."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "test.db") as opened:
        yield opened


def dump(store: Store) -> list[str]:
    """Every row of every table, for before/after comparisons."""
    return list(store.db.conn.iterdump())


@pytest.fixture(scope="session", autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory):
    """The derived dictionaries (litbalint/cache.py) cached for this run only, never in the
    user's cache; commands run as subprocesses inherit it."""
    saved = os.environ.get("LITBALINT_CACHE")
    os.environ["LITBALINT_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        os.environ.pop("LITBALINT_CACHE", None)
    else:
        os.environ["LITBALINT_CACHE"] = saved


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests name every path themselves; a developer's settings must not leak in (nor a
    response cache: a test that wants one says so)."""
    monkeypatch.delenv("LITBALINT_DB", raising=False)
    monkeypatch.delenv("LITBALINT_DATA", raising=False)
    monkeypatch.delenv(CACHE_ENVIRONMENT, raising=False)
    monkeypatch.delenv("LITBALINT_TOPICS", raising=False)


def run(*args: object) -> Result:
    """Invoke `litbalint ARGS...`; whatever happens, it must end in an exit, not an exception."""
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert result.exception is None, repr(result.exception)
    else:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def error_line(result: Result) -> str:
    """The one line a failing command wrote to stderr."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def register_publish_plugin() -> None:
    """Entry-point plugins are not loaded under pytest: register litbalint's explicitly, before
    a Datasette is built (it collects output renderers when constructed)."""
    from datasette.plugins import pm

    import litbalint.publish

    if not pm.is_registered(litbalint.publish):
        pm.register(litbalint.publish, name="litbalint")


def get(datasette, path: str, follow: bool = True):
    """Datasette's test client from a plain (synchronous) test; follows redirects unless told."""
    import asyncio

    return asyncio.run(datasette.client.get(path, follow_redirects=follow))


def seeded_database(folder: Path, extra: tuple[Path, ...] = ()) -> Path:
    """`folder/litbalint.db` built from the bundled seeds (and any extra files)."""
    from litbalint.pipeline import corpus_files, import_paths

    db = folder / "litbalint.db"
    with Store(db) as opened:
        assert all(r.ok for r in import_paths(opened, [*corpus_files(), *extra]))
    return db


@pytest.fixture(scope="session")
def seeds_not_embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of the seeds, imported and not embedded; copy it before changing it."""
    from litbalint.pipeline import corpus_files, import_paths

    db = tmp_path_factory.mktemp("not-embedded") / "seeds.db"
    with Store(db) as opened:
        assert all(r.ok for r in import_paths(opened, corpus_files(), worker=False))
    return db


def project_metadata() -> dict:
    import yaml

    from litbalint.resources import METADATA, packaged_text

    return yaml.safe_load(packaged_text(METADATA))


@pytest.fixture(scope="session")
def seeds_datasette(tmp_path_factory: pytest.TempPathFactory):
    """Datasette with the plugin and metadata.yml over the seeds (read-only, shared)."""
    from datasette.app import Datasette

    register_publish_plugin()
    db = seeded_database(tmp_path_factory.mktemp("seeds-datasette"))
    return Datasette([str(db)], immutables=[], metadata=project_metadata())


EMAIL = "t@example.org"  # NCBI_EMAIL of the tests' harvests


def _harvest_command_module():
    """The module `litbalint harvest` takes its Eutils client from when it runs (it imports
    the harvester then, not when the command line loads)."""
    import litbalint.eutils

    return litbalint.eutils


@pytest.fixture
def fast_cli(monkeypatch: pytest.MonkeyPatch) -> list[Eutils]:
    """`litbalint harvest` in-process with a fast client (no spacing, tiny backoff);
    returns the clients it made."""
    made: list[Eutils] = []

    def factory(base_url: str, email: str, api_key: str | None = None) -> Eutils:
        eutils = Eutils(base_url, email, api_key, backoff=0.01)
        eutils.limiter.interval = 0
        made.append(eutils)
        return eutils

    monkeypatch.setattr(_harvest_command_module(), "Eutils", factory)
    monkeypatch.setenv("NCBI_EMAIL", EMAIL)
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.delenv("LITBALINT_EUTILS_URL", raising=False)
    return made
