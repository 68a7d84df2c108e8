"""A `litbalint serve` subprocess for tests and scripts: a free port, waiting, stopping."""

from __future__ import annotations

import socket
import subprocess
import time

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def wait_ready(base: str, server: subprocess.Popen, timeout: float = 120.0) -> None:
    """Until `base`/-/versions.json answers; SystemExit when the server exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"litbalint serve exited with {server.returncode}")
        try:
            if requests.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"litbalint serve did not answer within {timeout:.0f} s")
