"""A check run in a child process, on the machine's other core, while this process goes on.

The diff of two large catalogue files proves every record of the previous one, a third of its
time; in a forked child, that proof runs beside the rest of the work. Only where that is safe and
pays: on Linux, where ``fork`` is the platform's own way to start a process; with one thread in
this process, since a fork copies only the thread that calls it (a lock another thread holds
would stay held in the child); and with more than one core to run on. Elsewhere ``start`` gives
None and the caller runs the check itself.

The child only ever reports: the exception the check raised, pickled, or that it raised none. It
never writes a file or the terminal and leaves by ``os._exit``, so that nothing of this process
(buffered output, ``atexit`` handlers, a test runner) runs twice. A child that dies, or reports
what cannot be read, is ``Lost``: the caller runs the check itself, so a failure of the child is
never read as the check passing.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable

__all__ = ["Child", "Lost", "start"]


class Lost(Exception):
    """The child ended without a verdict (killed, out of memory, an exception that would not
    pickle): the check must be run again, here."""


def start(check: Callable[[], None]) -> Child | None:
    """``check`` running in a child process, or None where a child cannot be used well."""
    if not _forks_well():
        return None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running anything of the parent's
        status = 1
        try:
            os.close(read_end)
            try:
                check()
                verdict = pickle.dumps(None)
            except Exception as exc:
                verdict = pickle.dumps(exc)
            with os.fdopen(write_end, "wb") as out:
                out.write(verdict)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return Child(pid, read_end)


def _forks_well() -> bool:
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    return len(os.sched_getaffinity(0)) > 1


class Child:
    """A check running in a child process: ``wait`` for its verdict, ask whether it has
    ``ended``, ``stop`` it."""

    def __init__(self, pid: int, verdict_fd: int) -> None:
        self.pid = pid
        self._fd: int | None = verdict_fd
        self._verdict: BaseException | None = None
        self._lost = False

    def ended(self) -> bool:
        """Whether ``wait`` would answer at once: the child has written its verdict, or died.
        It writes only as it leaves, so a verdict pipe that can be read is one it is done with."""
        if self._fd is None:
            return True
        waiting = select.poll()  # not select.select: it refuses descriptors from 1024 on
        waiting.register(self._fd, select.POLLIN)
        return bool(waiting.poll(0))

    def wait(self) -> BaseException | None:
        """The exception the check raised, or None if it raised none; ``Lost`` if the child
        gave no verdict. Waits for the child the first time, then answers the same."""
        if self._fd is not None:
            # The descriptor is the file object's from here: ``stop`` must not close it again.
            fd, self._fd = self._fd, None
            with os.fdopen(fd, "rb") as verdict:
                report = verdict.read()  # read to the end before reaping: a full pipe blocks
            try:
                _, status = os.waitpid(self.pid, 0)
                code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:  # reaped by someone else: its end is unknown
                code = -1
            self.pid = 0
            try:
                self._verdict = pickle.loads(report) if code == 0 else None
            except Exception:  # a report cut short: the child died writing it
                code = -1
            self._lost = code != 0
        if self._lost:
            raise Lost("the check's child process ended without a verdict")
        return self._verdict

    def stop(self) -> None:
        """Kill the child if it still runs, and reap it; its verdict is not read."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0
            self._lost = True
