"""Worker processes of an import (the parser in prepare.py, the aligner in pipeline.py): forked
from the main process, and never outliving it, even when it is killed with SIGKILL."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_POLL_SECONDS = 0.5  # how often a worker without prctl checks that its parent lives


def can_fork() -> bool:
    """Whether worker processes can start as copies of this one (sharing its dictionaries)."""
    return "fork" in multiprocessing.get_all_start_methods()


def worker_started(parent_pid: int) -> None:
    """The first thing a worker does: Ctrl-C is the main process's to handle (it stops the
    workers), and the worker ends when the main process `parent_pid` dies, however it dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _killed_by_the_kernel_with_parent():
        watch_parent(parent_pid)
    if os.getppid() != parent_pid:  # the parent died before the worker got here
        os._exit(1)


def _killed_by_the_kernel_with_parent() -> bool:
    """Linux: ask for SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG); False elsewhere
    or when it cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def watch_parent(parent_pid: int) -> None:
    """The portable fallback: a daemon thread that ends this process once its parent is no
    longer `parent_pid` (an orphan is adopted by another process)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="litbalint-parent-watch", daemon=True).start()
