"""`litbalint serve --workers 2`: a real server on the bundled corpus. Both workers answer on
the one port, each connection is traced to the worker that accepted it (/proc), a commit into
the served file shows on every worker (their response caches included), SIGTERM stops all
processes with exit 0 and SIGKILL of the main process leaves no worker behind. The response
cache's rules are checked without a server."""

from __future__ import annotations

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from litbalint.publish.response_cache import ResponseCache, cache_key
from tests.conftest import run
from tests.support.serving import free_port, wait_ready

CONNECTIONS = 16  # spread by the kernel: all on one worker once in 30,000 runs


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                if entry.isdigit() and int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def worker_of(connection: http.client.HTTPConnection, port: int, workers: list[int]) -> int:
    """The worker holding the server end of `connection` (its socket's inode in /proc)."""
    client_port = connection.sock.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(x.split(":")[1], 16) for x in fields[1:3])
        if (local, remote) == (port, client_port):
            inode = fields[9]
    for pid in workers:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError(f"no worker holds the connection from port {client_port}")


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, str, bool]:
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode("utf-8")
    return response.status, body, response.getheader("x-litbalint-cache") == "hit"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("workers")
    corpus = folder / "corpus.db"
    assert run("build", "--db", corpus, "-q").exit_code == 0
    port = free_port()
    command = [sys.executable, "-m", "litbalint", "serve", "--db", str(corpus)]
    command += ["--port", str(port), "--workers", "2"]
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(f"http://127.0.0.1:{port}", server)
        deadline = time.monotonic() + 60
        while len(children(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server, port, corpus, folder / "serve.log"
    finally:
        workers = children(server.pid)
        if server.poll() is None:
            server.kill()  # the workers die with it (prctl), as the last test checks
            server.wait()
        log.close()
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_two_workers_answer_and_a_commit_shows_on_each(served):
    server, port, corpus, _ = served
    workers = children(server.pid)
    assert len(workers) == 2
    connections = [
        http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(CONNECTIONS)
    ]
    for connection in connections:
        connection.connect()
    with sqlite3.connect(corpus) as conn:
        article_id, title = conn.execute(
            "SELECT id, title_zh FROM articles WHERE has_zh ORDER BY id LIMIT 1"
        ).fetchone()
    page = f"/corpus/articles/{article_id}"
    for connection in connections:
        for _ in range(2):  # the second from the worker's cache
            status, body, _ = get(connection, page)
            assert status == 200 and title in body
    assert get(connections[0], page)[2]  # answered from memory
    by_worker = {worker_of(connection, port, workers): connection for connection in connections}
    assert sorted(by_worker) == sorted(workers)  # each worker holds some of the connections
    with sqlite3.connect(corpus) as conn:
        conn.execute("UPDATE articles SET title_zh = ? WHERE id = ?", ("改过的标题", article_id))
    for connection in by_worker.values():
        status, body, hit = get(connection, page)
        assert status == 200 and "改过的标题" in body and title not in body and not hit
    for connection in connections:
        connection.close()


def test_sigterm_stops_every_process_with_exit_0(served):
    server, _, _, log = served
    workers = children(server.pid)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=20) == 0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
    assert "Traceback" not in log.read_text(encoding="utf-8")


def test_no_worker_outlives_a_killed_main_process(tmp_path: Path):
    corpus = tmp_path / "plain.db"
    with sqlite3.connect(corpus) as conn:
        conn.execute("CREATE TABLE t (a)")
    port = free_port()
    command = [sys.executable, "-m", "litbalint", "serve", str(corpus), "--port", str(port)]
    server = subprocess.Popen([*command, "--workers", "2"], stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}", server)
        workers = children(server.pid)
        assert len(workers) == 2
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path: Path):
    corpus = tmp_path / "plain.db"
    with sqlite3.connect(corpus) as conn:
        conn.execute("CREATE TABLE t (a)")
    with __import__("socket").socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", corpus, "--port", port, "--workers", "2")
    assert result.exit_code == 1
    line = f"Error: 127.0.0.1:{port}: cannot listen (Address already in use)"
    assert result.output.strip() == line


def test_a_wrong_datasette_setting_is_one_line(tmp_path: Path):
    corpus = tmp_path / "plain.db"
    with sqlite3.connect(corpus) as conn:
        conn.execute("CREATE TABLE t (a)")
    result = run("serve", corpus, "--setting", "no_such_setting", "1", "--workers", "2")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "no_such_setting" in result.output


def scope(path: str, query: str = "", method: str = "GET", **headers: str) -> dict:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query.encode(),
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }


def test_what_the_response_cache_keeps_and_by_what():
    assert cache_key(scope("/-/search.json", "q=balint")) is not None
    assert cache_key(scope("/corpus")) is not None
    assert cache_key(scope("/corpus/articles/12")) is not None
    assert cache_key(scope("/corpus/articles.json", "_search=x&_shape=array")) is not None
    assert cache_key(scope("/corpus/articles.json", "_search=x")) is None  # facets, count
    assert cache_key(scope("/corpus/articles", "_search=x&_shape=array")) is None  # HTML
    assert cache_key(scope("/corpus", "sql=select+random()")) is None  # SQL: never
    assert cache_key(scope("/corpus/articles", "_where=random()>0")) is None
    assert cache_key(scope("/corpus/other_table")) is None
    assert cache_key(scope("/-/search", "q=x", method="POST")) is None
    english = cache_key(scope("/-/search", "q=x", accept_language="en"))
    assert english != cache_key(scope("/-/search", "q=x", accept_language="zh"))
    assert english != cache_key(scope("/-/search", "q=x", accept_language="en", cookie="lang=zh"))


def test_the_response_cache_empties_on_a_new_version_and_stays_under_its_size():
    cache = ResponseCache(max_bytes=14)  # an answer costs its body and its key: 1 byte here
    assert cache.get(("a",), (1,)) is None
    cache.put(("a",), (1,), {"status": 200}, b"12345")
    cache.put(("b",), (1,), {"status": 200}, b"123")
    cache.put(("b",), (1,), {"status": 200}, b"123")  # the same again: counted once
    assert cache.size == 10
    assert cache.get(("a",), (1,)) == ({"status": 200}, b"12345")
    cache.put(("c",), (1,), {"status": 200}, b"1234")  # over 14 bytes: b, used least, goes
    assert cache.get(("b",), (1,)) is None and cache.get(("a",), (1,)) is not None
    assert cache.size == 11
    cache.put(("d",), (1,), {"status": 200}, b"12345678901234")  # over the size alone: not kept
    assert cache.get(("d",), (1,)) is None
    cache.put(("x" * 20,), (1,), {"status": 200}, b"1")  # a long key counts
    assert cache.get(("x" * 20,), (1,)) is None
    assert cache.get(("a",), (2,)) is None  # a commit: everything older is gone
    assert cache.get(("a",), (1,)) is None
