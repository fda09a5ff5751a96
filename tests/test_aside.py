"""A check run in a child process: its verdict comes back, a child that dies is never read as a
check that passed, and nothing of the parent runs twice."""

import os
import signal
import sys
import threading
import time

import pytest

from nim_scrape import _aside
from nim_scrape.errors import CatalogueError

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="a check is only run aside on Linux with more than one core",
)


@pytest.fixture(autouse=True)
def _alone(own_threads):
    """Each test as the only thread, whatever the test runner keeps."""


def started(check):
    child = _aside.start(check)
    assert child is not None, "no child was started"
    return child


def raises(exc):
    def check():
        raise exc

    return check


def test_a_check_that_passes_gives_no_problem():
    child = started(lambda: None)
    assert child.wait() is None
    assert child.wait() is None  # asked again, the same answer


def test_the_problem_a_check_raises_comes_back_with_its_message():
    problem = started(raises(CatalogueError("old.json is not a valid nim-scrape catalogue"))).wait()
    assert type(problem) is CatalogueError
    assert str(problem) == "old.json is not a valid nim-scrape catalogue"


def test_the_check_runs_in_another_process():
    def check():
        raise ValueError(os.getpid())

    problem = started(check).wait()
    assert isinstance(problem, ValueError)
    assert problem.args[0] != os.getpid()


def test_a_child_has_ended_once_its_verdict_can_be_read_at_once():
    gate_read, gate_write = os.pipe()

    def check():
        os.read(gate_read, 1)  # held until the test lets it go
        raise CatalogueError("old.json is not a valid nim-scrape catalogue")

    child = started(check)
    try:
        time.sleep(0.2)
        assert not child.ended()
        os.write(gate_write, b"x")
        deadline = time.monotonic() + 10
        while not child.ended() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.ended()
        assert str(child.wait()) == "old.json is not a valid nim-scrape catalogue"
        assert child.ended()  # answered: asked again, still ended
    finally:
        os.close(gate_read)
        os.close(gate_write)
        child.stop()


def test_a_child_that_is_killed_is_lost_not_passed():
    child = started(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(_aside.Lost):
        child.wait()
    with pytest.raises(_aside.Lost):
        child.wait()


def test_a_problem_that_cannot_be_sent_back_is_lost():
    class Unpicklable(Exception):
        def __init__(self):
            super().__init__("x")
            self.handle = lambda: None

    with pytest.raises(_aside.Lost):
        started(raises(Unpicklable())).wait()


def test_an_interrupted_check_is_lost():
    with pytest.raises(_aside.Lost):
        started(raises(KeyboardInterrupt())).wait()


def test_stop_kills_a_running_child_and_reaps_it():
    child = started(lambda: time.sleep(60))
    pid = child.pid
    began = time.monotonic()
    child.stop()
    assert time.monotonic() - began < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no longer this process's child
    with pytest.raises(_aside.Lost):
        child.wait()


def test_no_child_while_another_thread_runs():
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert _aside.start(lambda: None) is None
    finally:
        release.set()
        thread.join()


def test_the_parents_unwritten_output_is_not_written_by_the_child(capfd):
    sys.stdout.write("written once")  # buffered, not flushed before the fork
    assert started(lambda: None).wait() is None
    sys.stdout.flush()
    assert capfd.readouterr().out == "written once"
