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


def test_after_a_message_cut_off_nothing_more_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """A message interrupted part-way (a signal between two writes) leaves the pipe out of
    step: the reader would read the next message's bytes as the rest of this one. The
    channel refuses to send anything after it."""
    read_fd, write_fd = os.pipe()
    channel = forked.Channel(read_fd, write_fd)
    real_write, calls = os.write, []

    def cut_off(fd: int, data) -> int:  # noqa: ANN001
        calls.append(len(data))
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real_write(fd, bytes(data[:10]))

    monkeypatch.setattr(forked.os, "write", cut_off)
    with pytest.raises(KeyboardInterrupt):
        channel.send("x" * 1000)
    monkeypatch.setattr(forked.os, "write", real_write)
    with pytest.raises(BrokenPipeError):
        channel.send(("error", b"..."))
    channel.close()


def test_a_workers_error_reaches_the_parent_readable() -> None:
    """A worker's exception crosses pickled; one that pickles but cannot be read back (a
    required argument the pickle leaves out) crosses as a RuntimeError naming it."""
    from coalition_cli import checkers
    from coalition_cli.errors import MalformedData

    plain = checkers._unpickled(checkers._pickled(ValueError("a bug")))  # noqa: SLF001
    assert type(plain) is ValueError and str(plain) == "a bug"
    odd = checkers._unpickled(checkers._pickled(MalformedData("p.yaml", "bad field")))  # noqa: SLF001
    assert isinstance(odd, Exception) and "bad field" in str(odd)
