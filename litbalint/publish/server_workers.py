"""`litbalint serve --workers N`: N Datasette processes answering on one address.

One Datasette process uses about one core (Python's GIL); N processes use N. The main process
opens N sockets listening on the address (SO_REUSEPORT), then starts N workers (`python -m
litbalint.publish.server_workers FD PID ARGS`), each given one socket's file descriptor and
Datasette's `serve` arguments: each builds the same Datasette as a single-process `serve`, runs
its start-up hooks (the search's dictionaries and model are loaded before it accepts a
connection), and serves with uvicorn on its socket; the kernel spreads new connections evenly
over the sockets (by address and port: a connection stays with its worker; one shared socket
would let the first worker to wake take them all). The workers share a Datasette secret (signed
cookies work whichever worker answers). Each worker opens the files itself, so a commit into a
mutable file is seen by every worker on its next request. The main process only supervises:
Ctrl-C or SIGTERM stops the workers (uvicorn finishes the requests under way) and it exits 0; a
worker that dies stops the others, exit 1. A worker never outlives the main process
(workers.py).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time

STOP_SECONDS = 10.0  # a worker still running this long after SIGTERM is killed


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` sockets listening on the one address (SO_REUSEPORT: the kernel spreads new
    connections evenly over them), inheritable by the workers; OSError when the address is
    taken, even by sockets that would share it (another `serve` on the same port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:  # no SO_REUSEPORT: fails if taken
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]  # port 0: the one the system chose, for every worker
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            sock.listen(2048)  # connections wait here until the worker accepts them
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def run_workers(sockets: list[socket.socket], datasette_args: list[str]) -> int:
    """Start a worker serving each socket and supervise them; 0 after Ctrl-C or SIGTERM, 1
    when a worker died."""
    env = {
        **os.environ,
        "DATASETTE_SECRET": os.environ.get("DATASETTE_SECRET") or secrets.token_hex(32),
    }  # in the environment: not shown by ps
    stopping: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda number, _: stopping.append(number))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    children: list[subprocess.Popen] = []
    try:
        for sock in sockets:
            fd = sock.fileno()
            command = [sys.executable, "-m", __name__, str(fd), str(os.getpid()), *datasette_args]
            # a process group of its own: Ctrl-C in a terminal reaches the main process only,
            # which stops the workers with SIGTERM (uvicorn: let the requests finish)
            child = subprocess.Popen(command, pass_fds=[fd], env=env, start_new_session=True)
            children.append(child)
        host, port = sockets[0].getsockname()[:2]
        pids = ", ".join(str(child.pid) for child in children)
        print(
            f"litbalint serve: {len(children)} worker processes (pids {pids}) on "
            f"http://{host}:{port}; Ctrl-C or SIGTERM stops them",
            file=sys.stderr,
            flush=True,
        )
        while not stopping:
            dead = [child for child in children if child.poll() is not None]
            if dead:
                print(
                    f"litbalint serve: worker {dead[0].pid} exited with {dead[0].returncode}; "
                    "stopping the others",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
            time.sleep(0.2)
        return 0
    finally:
        stop(children)
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop(children: list[subprocess.Popen]) -> None:
    """SIGTERM to each worker still running, SIGKILL to any still running STOP_SECONDS later."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def worker(fd: int, parent_pid: int, datasette_args: list[str]) -> None:
    """One worker: Datasette as `datasette serve ARGS` builds it, served on the socket `fd`."""
    import uvicorn
    from datasette.cli import check_databases, run_sync
    from datasette.cli import serve as serve_command

    from litbalint.workers import worker_started

    worker_started(parent_pid)  # Ctrl-C is the main process's; gone with it, however it ends
    with serve_command.make_context("litbalint serve", list(datasette_args)) as context:
        datasette = context.invoke(serve_command.callback, **context.params, return_instance=True)
    run_sync(datasette.invoke_startup)
    run_sync(lambda: check_databases(datasette))
    config = uvicorn.Config(datasette.app(), log_level="info", lifespan="on")
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


if __name__ == "__main__":
    worker(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
