"""Forked workers and their messages (``forked``): what verify's checkers run on."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition_cli import forked


def _echo(channel: forked.Channel) -> None:
    while True:
        try:
            value = channel.recv()
        except EOFError:
            return
        channel.send(("echo", value))


def _fails(channel: forked.Channel) -> None:
    raise ValueError("a bug")


def _sleeps(channel: forked.Channel) -> None:
    time.sleep(60)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.binary(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    | st.frozensets(st.text(max_size=8), max_size=4),
    max_leaves=12)


@pytest.fixture(scope="module")
def echo():  # noqa: ANN201
    worker = forked.start(_echo, (), [])
    yield worker
    worker.close()
    worker.join()


@settings(max_examples=60, deadline=None)
@given(_VALUES)
def test_a_message_comes_back_as_it_was_sent(echo, value) -> None:  # noqa: ANN001
    echo.send(value)
    assert echo.recv() == ("echo", value)


def test_a_message_larger_than_a_pipe_holds_crosses_whole(echo) -> None:  # noqa: ANN001
    """An answer of hundreds of KB (a chunk's verdicts) is written and read in parts."""
    big = [("x" * 1000, i, b"\0" * 300) for i in range(3000)]  # ~4 MB, a pipe holds 64 KB
    echo.send(big)
    assert echo.recv() == ("echo", big)
    assert not echo.poll()


def test_the_worker_sees_the_end_when_this_side_closes_even_beside_another() -> None:
    """Each worker closes the other workers' ends it inherited: a worker whose pipe this
    process closes reads the end and leaves, whatever other workers are still running."""
    first = forked.start(_echo, (), [])
    second = forked.start(_echo, (), [first])
    first.close()
    first.join()  # returns only because the first worker saw the end
    assert not first.is_alive()
    second.send("still here")
    assert second.recv() == ("echo", "still here")
    second.close()
    second.join()


def test_a_worker_that_raises_leaves_with_1_and_this_side_reads_the_end() -> None:
    worker = forked.start(_fails, (), [])
    with pytest.raises(EOFError):
        worker.recv()
    worker.join()
    assert os.waitstatus_to_exitcode(worker._status) == 1  # noqa: SLF001
    worker.close()


def test_a_worker_terminated_is_no_longer_alive() -> None:
    worker = forked.start(_sleeps, (), [])
    assert worker.is_alive()
    assert forked.ready([worker], timeout=0) == []
    worker.terminate()
    worker.join()
    assert not worker.is_alive()
    assert os.waitstatus_to_exitcode(worker._status) < 0  # noqa: SLF001 - by a signal
    worker.close()


def test_sending_to_a_worker_that_has_gone_is_an_os_error() -> None:
    worker = forked.start(_fails, (), [])
    worker.join()
    with pytest.raises(OSError):
        for _ in range(100):  # the pipe's buffer may take the first writes
            worker.send("x" * 10_000)
    worker.close()
