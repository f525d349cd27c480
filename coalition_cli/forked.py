"""Worker processes forked from this one, and the messages between them (``checkers``).

A worker is ``os.fork``'d with two pipes of its own, one each way; a message is one value
in ``marshal``'s format behind its length — the tuples, lists, strings, bytes, numbers
and frozensets that verify's workers exchange, read by a loader that builds data and runs
no code. ``multiprocessing`` did this before: its import (pickle, socket, tempfile, bz2,
lzma, random: 7 ms) and its start of each child lay on a cold verify's path to its first
checked record, and pickle read the workers' answers a third slower than marshal does.

Messages cross only between this process and the workers it forked — never from a file
or another user: marshal is no parser for untrusted bytes.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
from collections.abc import Callable, Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_HEAD = 8  # a message's length, little-endian, before it
_READ_MAX = 1 << 20


class Channel:
    """One end of a worker's two pipes: ``send`` a value, ``recv`` the next one."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._in, self._out = read_fd, write_fd
        self._broken = False  # a message was cut off: nothing more can be framed after it

    def fileno(self) -> int:
        return self._in

    def send(self, value: Any) -> None:
        """Write ``value``; OSError (a broken pipe) when the other end has gone, or when an
        earlier message was cut off part-way (a signal): the reader would take the next
        message's bytes for the rest of that one."""
        if self._broken:
            raise BrokenPipeError("an earlier message on this pipe was cut off")
        data = marshal.dumps(value)
        view = memoryview(len(data).to_bytes(_HEAD, "little") + data)
        try:
            while view:
                view = view[os.write(self._out, view):]
        except BaseException:
            self._broken = True
            raise

    def recv(self) -> Any:
        """The next value sent from the other end; EOFError once it has gone."""
        size = int.from_bytes(self._read(_HEAD), "little")
        return marshal.loads(self._read(size))

    def poll(self) -> bool:
        """Whether a message (or the end) is waiting to be read."""
        return bool(ready([self], timeout=0))

    def _read(self, size: int) -> bytes:
        parts, got = [], 0
        while got < size:
            part = os.read(self._in, min(size - got, _READ_MAX))
            if not part:
                raise EOFError("the other end of the pipe has gone")
            parts.append(part)
            got += len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def close(self) -> None:
        for fd in (self._in, self._out):
            if fd >= 0:
                os.close(fd)
        self._in = self._out = -1


class Worker(Channel):
    """A forked worker process, seen from this one: its channel, and its life."""

    def __init__(self, pid: int, read_fd: int, write_fd: int) -> None:
        super().__init__(read_fd, write_fd)
        self.pid = pid
        self._status: int | None = None

    def is_alive(self) -> bool:
        return self._status is None and not self._reaped(os.WNOHANG)

    def terminate(self) -> None:
        if self.is_alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def join(self) -> None:
        if self._status is None:
            self._reaped(0)

    def _reaped(self, flags: int) -> bool:
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped elsewhere
            pid, status = self.pid, 0
        if pid == 0:
            return False
        self._status = status
        return True


def start(target: Callable[..., Any], args: tuple, others: Iterable[Channel]) -> Worker:
    """A worker running ``target(channel, *args)``, where ``channel`` is its end of the
    pipes; ``others``: ends this process holds that the worker must close (the other
    workers'), so that each worker sees its own pipe end when this process goes. The
    worker leaves with ``os._exit`` — no exit handlers, no flushing of what this process
    had buffered — 0 when ``target`` returned, 1 when it raised."""
    down_read, down_write = os.pipe()  # this process -> the worker
    up_read, up_write = os.pipe()  # the worker -> this process
    pid = os.fork()
    if pid == 0:  # the worker
        code = 1
        try:
            os.close(down_write)
            os.close(up_read)
            for other in others:
                other.close()
            target(Channel(down_read, up_write), *args)
            code = 0
        finally:
            os._exit(code)
    os.close(down_read)
    os.close(up_write)
    return Worker(pid, up_read, down_write)


def ready(channels: Iterable[Any], timeout: float | None = None) -> list[Any]:
    """Those of ``channels`` (anything with ``fileno``, or a file descriptor) that can be
    read without blocking — waiting up to ``timeout`` seconds (None: until one can)."""
    by_fd = {c if isinstance(c, int) else c.fileno(): c for c in channels}
    if hasattr(select, "poll"):
        poller = select.poll()
        for fd in by_fd:
            poller.register(fd, select.POLLIN)
        wait_ms = None if timeout is None else int(timeout * 1000)
        return [by_fd[fd] for fd, _events in poller.poll(wait_ms)]
    readable, _w, _x = select.select(list(by_fd), [], [], timeout)
    return [by_fd[fd] for fd in readable]


__all__ = ["Channel", "Worker", "start", "ready"]
