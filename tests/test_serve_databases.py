"""`litbalint serve` on files of any name, several at once: a real server on the bundled corpus
built into `corpus.db` in another folder, a copy of it as `other.db`, and a plain SQLite file
beside them. The article page, chart, counts and search page follow litbalint's schema, not the
file name; the plain file is served by Datasette as it is."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import datasette.cli
import httpx
import pytest
import yaml

from litbalint.cli_serve import _metadata_for
from litbalint.publish.response_cache import ENVIRONMENT
from litbalint.publish.served import served_names
from tests.conftest import project_metadata, run
from tests.support.serving import free_port, stop_server, wait_ready

SEED_DOI = "10.1186/s12913-023-09312-y"


def _article(db: Path) -> tuple[int, str]:
    """The id and Chinese title of a seed article."""
    with sqlite3.connect(db) as conn:
        sql = "SELECT id, title_zh FROM articles WHERE doi = ?"
        return conn.execute(sql, (SEED_DOI,)).fetchone()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("served")
    corpus = folder / "x" / "corpus.db"
    corpus.parent.mkdir()
    assert run("build", "--db", corpus, "-q").exit_code == 0
    other = folder / "y" / "other.db"
    other.parent.mkdir()
    shutil.copy(corpus, other)
    plain = folder / "plain.db"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO articles VALUES (1, 'A plain row')")
    port = free_port()
    command = [sys.executable, "-m", "litbalint", "serve", "--port", str(port)]
    command += ["--db", str(corpus), str(other), str(plain)]  # --db files first, then the others
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client, _article(corpus)
    finally:
        stop_server(server)
        log.close()


@pytest.mark.parametrize("database", ["corpus", "other"])
def test_each_corpus_gets_the_article_page_chart_counts_and_search(served, database):
    client, (article_id, title_zh) = served
    page = client.get(f"/{database}/articles/{article_id}")
    assert page.status_code == 200 and 'class="lb-article"' in page.text
    assert title_zh and title_zh in page.text  # the bilingual page, not the plain row
    overview = client.get(f"/{database}")
    assert overview.status_code == 200
    assert "lb-chart-svg" in overview.text and "篇文献" in overview.text
    search_link = "/-/search" if database == "corpus" else f"/{database}/-/search"
    assert f'action="{search_link}"' in overview.text  # the landing page's search box
    found = client.get(f"/{database}/-/search.json", params={"q": "巴林特小组"}).json()
    assert found["error"] is False and found["total"] >= 1
    assert all(hit["url"].startswith(f"/{database}/articles/") for hit in found["results"])
    page = client.get(f"/{database}/-/search", params={"q": "balint"})
    assert page.status_code == 200 and "lb-search" in page.text
    table = client.get(f"/{database}/articles", params={"_search": "balint"})
    assert table.status_code == 302 and table.headers["location"] == f"{search_link}?q=balint"
    listing = client.get(f"/{database}/articles", headers={"accept-language": "en"})
    assert f'href="{search_link}"' in listing.text and "best match first" in listing.text
    assert "One row per article" in listing.text  # metadata.yml's litbalint block applies


def test_the_first_corpus_keeps_the_plain_search_addresses(served):
    client, _ = served
    found = client.get("/-/search.json", params={"q": "peer support"}).json()
    assert found["error"] is False and found["total"] >= 1
    assert found["results"][0]["url"].startswith("/corpus/")
    assert "lb-search" in client.get("/-/search", params={"q": "balint"}).text


def test_a_plain_sqlite_file_is_served_as_datasette_serves_it(served):
    client, _ = served
    assert client.get("/plain").status_code == 200
    row = client.get("/plain/articles/1")
    assert row.status_code == 200 and "A plain row" in row.text and "lb-article" not in row.text
    assert "lb-chart" not in client.get("/plain").text
    table = client.get("/plain/articles")
    assert table.status_code == 200 and "highlighted passages" not in table.text
    assert client.get("/plain/-/search.json", params={"q": "x"}).status_code == 404


def test_names_and_metadata_follow_datasette(tmp_path: Path):
    paths = [Path("/a/corpus.db"), Path("/b/corpus.db"), Path("/c/litbalint.db")]
    assert served_names(paths) == ["corpus", "corpus_2", "litbalint"]
    metadata = tmp_path / "metadata.yml"  # the project's, wherever it lives
    metadata.write_text(yaml.safe_dump(project_metadata(), allow_unicode=True), encoding="utf-8")
    block = project_metadata()["databases"]["litbalint"]
    copied = _metadata_for(metadata, ["corpus", "corpus_2"])
    databases = json.loads(copied.read_text(encoding="utf-8"))["databases"]
    assert databases == {"corpus": block, "corpus_2": block}
    assert _metadata_for(metadata, ["litbalint"]) == metadata
    assert _metadata_for(metadata, ["corpus", "corpus_2"]) == copied  # reused, not one per start


def test_files_are_served_mutable_unless_told_immutable(tmp_path: Path, monkeypatch):

    calls: list[list[str]] = []
    monkeypatch.setattr(datasette.cli.cli, "main", lambda args, **_: calls.append(args))
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE t (a)")
    assert run("serve", plain).exit_code == 0
    assert run("serve", "--immutable", plain).exit_code == 0
    mutable, immutable = calls
    assert str(plain) in mutable and "--immutable" not in mutable
    assert immutable[immutable.index("--immutable") + 1] == str(plain)


def test_the_cache_size_is_in_the_environment_while_serving_and_gone_after(
    tmp_path: Path, monkeypatch
):
    seen: list[str | None] = []
    monkeypatch.setattr(
        datasette.cli.cli, "main", lambda args, **_: seen.append(os.environ.get(ENVIRONMENT))
    )
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE t (a)")
    assert run("serve", "--cache-mb", "7", plain).exit_code == 0
    assert seen == ["7"]  # what the plugin reads, in this process and in every worker
    assert ENVIRONMENT not in os.environ  # an in-process serve leaves no cache to the next


def test_a_wal_file_the_site_cannot_read_gets_one_line_saying_what_to_change():
    from litbalint.publish.served import unreadable

    # what SQLite says for a WAL database in a folder this user cannot write, no writer open
    error = sqlite3.OperationalError("attempt to write a readonly database")
    line = unreadable(Path("/srv/corpus.db"), error, mutable=True)
    assert "corpus.db-shm" in line and "--immutable" in line and "\n" not in line
