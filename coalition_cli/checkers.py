"""The two worker processes that read record files and check them, started before the
ledger is walked so that both cores work while it is.

``verify`` knows which files it must check as soon as git has listed the tree, but not yet
which keys belong to the trusted registry: that is the ledger's answer, which takes a
while (every commit of the governed files, judged in turn). A record is parsed only once
its signature verifies with one of those keys. So the work is cut in two:

1. ``first(data, sig)`` — the signature check, which needs no key list — runs on each
   file as soon as a worker has read its bytes (through its own ``git cat-file --batch``);
   until the keys are known, a worker holds the checked files (their bytes and the result)
   and asks for more work;
2. ``then(path, data, first_result, keys)`` — the verdict: parsing, for a record whose
   signer is one of ``keys`` — runs on what a worker holds once ``finish`` has sent the
   keys, and on every file it reads after that.

No record's bytes are parsed before the keys arrive; if the ledger fails or finds history
incomplete, ``abort`` ends the workers and nothing was parsed at all. A worker holds at
most ``HOLD_MAX`` bytes of records; past that it waits for the keys before asking for more.
While the ledger is walked, a thread of this process hands out the chunks; after it, the
caller's own thread does (and reports progress).

The workers are forked while this process is small (``Checkers.forked``: a cold verify
forks them as soon as git has listed the tree, before the listing is taken apart), and the
chunks reach them through memory shared with them, written after the fork: a fork shares
every page of this process until one side writes it, and this process goes on to build,
change and free most of what it held — each page of that a worker keeps, unshared. Forked
after the listing, the scan and the chunks, the two workers kept 430 MB each of a verify
of 1,000,000 records.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

WORKERS = 2
AHEAD = 2  # chunks sent to a worker that it has not answered yet
HOLD_MAX = 8 << 20  # bytes of records a worker holds while the keys are not known

Item = tuple[str, str, str, "str | None"]  # (key, path, blob sha, signature blob sha)


class WorkerFailed(RuntimeError):
    """A worker process ended without answering (killed, out of memory)."""


def with_blobs(read: Callable[[list[str]], list[bytes | None]], chunk: list[Item]) -> list:
    """``chunk`` (key, path, sha, sig sha) with each file's bytes and its signature's."""
    names = []
    for _key, _path, sha, sig_sha in chunk:
        names.append(sha)
        if sig_sha:
            names.append(sig_sha)
    blobs = iter(read(names))
    items = []
    for key, path, _sha, sig_sha in chunk:
        data = next(blobs) or b""
        items.append((key, path, data, next(blobs) if sig_sha else None))
    return items


class Checkers:
    """Workers checking ``chunks`` (lists of items) with ``first``, then ``then``."""

    def __init__(self, where: Path, chunks: list[list[Item]], first: Callable[..., Any],
                 then: Callable[..., Any]) -> None:
        packed = [_pack(chunk) for chunk in chunks]
        self._fork(where, first, then, sum(map(len, packed)), packed.clear)
        for data, chunk in zip(packed, chunks):
            self._place(data, chunk)
        packed.clear()
        self._begin(sum(map(len, chunks)))

    @classmethod
    def forked(cls, where: Path, first: Callable[..., Any], then: Callable[..., Any],
               room: int, forget: Callable[[], None]) -> Checkers:
        """Workers forked now, with ``room`` bytes of shared memory for their chunks, which
        ``start`` hands them; ``forget``: run first in each worker, to let go of what this
        process holds that they never need (its single large objects: one page touched) and
        give the pages back."""
        pool = cls.__new__(cls)
        pool._fork(where, first, then, room, forget)
        return pool

    def start(self, chunks: list[list[Item]]) -> None:
        """Hand ``chunks`` to the workers ``forked`` made, packed one at a time into their
        shared memory (more than its room: new workers, with room for all)."""
        for chunk in chunks:
            data = _pack(chunk)
            if self._used + len(data) > len(self._shared):  # never with ``verify``'s room
                self.abort()
                self.__init__(self._where, chunks, *self._checks)  # type: ignore[misc]
                return
            self._place(data, chunk)
        self._begin(sum(map(len, chunks)))

    def _fork(self, where: Path, first: Callable[..., Any], then: Callable[..., Any],
              room: int, forget: Callable[[], None] | None) -> None:
        import gc
        import mmap

        from . import forked

        self._where, self._checks = where, (first, then)
        self._shared = mmap.mmap(-1, max(room, mmap.PAGESIZE))  # shared with the workers
        self._chunks: list[tuple[int, int] | None] = []  # (place, size) in ``_shared``
        # each chunk's keys, in its order: a worker answers with a chunk's number and its
        # verdicts, and the keys (strings this process has already) are never sent back —
        # 1,000,000 new strings, freed again once the cache is written, left holes in
        # this process's memory that the records never filled
        self._keys: list[list[str] | None] = []
        self._used = 0
        self._next = 0
        self._expected = 0
        self._received = 0
        self.verdicts: dict[str, tuple] = {}
        self._workers: list[Any] = []  # ``forked.Worker``s
        self._ahead: dict[Any, int] = {}
        self._wake_read = self._wake_write = -1
        self._error: BaseException | None = None
        self._progress: Callable[[int], None] | None = None
        # Every message this process sends is a few bytes (a chunk's place in the shared
        # memory, the keys once) and never blocks while a worker is writing its answer —
        # only a worker's answers are large, and this process reads them. Every object is
        # frozen out of the collector's reach first: a worker that touched this process's
        # objects (a collection's pass) would make its own copy of their pages.
        gc.freeze()
        try:
            for _ in range(WORKERS):
                worker = forked.start(_serve, (str(where), self._shared, first, then, forget),
                                      self._workers)
                self._workers.append(worker)
                self._ahead[worker] = 0
        except BaseException:  # the second fork failed: no worker left waiting for work
            for worker in self._workers:
                worker.terminate()
                worker.join()
                worker.close()
            raise
        finally:
            gc.unfreeze()

    def _place(self, data: bytes, chunk: list[Item]) -> None:
        self._shared[self._used:self._used + len(data)] = data
        self._chunks.append((self._used, len(data)))
        self._keys.append([item[0] for item in chunk])
        self._used += len(data)

    def _begin(self, items: int) -> None:
        """Start handing out the chunks placed in the shared memory (``items`` in all)."""
        self._expected = items
        self._wake_read, self._wake_write = os.pipe()
        self._feeder = threading.Thread(target=self._feed_until_woken, daemon=True)
        self._feeder.start()

    # --- while the ledger is walked (a thread of this process) ---------------------------

    def _feed_until_woken(self) -> None:
        from .forked import ready

        try:
            for worker in self._workers:
                self._top_up(worker)
            while True:
                readable = ready([*self._workers, self._wake_read])
                if self._wake_read in readable:
                    return
                for worker in readable:
                    self._receive(worker)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            self._error = exc

    def _wake(self) -> None:
        if self._wake_read < 0:  # forked, never started
            return
        if self._feeder.is_alive():
            os.write(self._wake_write, b"x")
        self._feeder.join()
        os.close(self._wake_read)
        os.close(self._wake_write)
        self._wake_read = self._wake_write = -1
        if self._error is not None:
            raise self._error

    def _top_up(self, conn: Any) -> None:
        while self._ahead[conn] < AHEAD and self._next < len(self._chunks):
            self._send(conn, ("chunk", self._next, *self._chunks[self._next]))  # type: ignore[misc]
            self._chunks[self._next] = None  # a worker has it (and frees its pages)
            self._next += 1
            self._ahead[conn] += 1

    def _send(self, conn: Any, message: tuple) -> None:
        """Send ``message``; a worker that has ended is asked for its last word first: the
        error it ended with is raised here, not the closed pipe it left."""
        try:
            conn.send(message)
        except OSError:  # a broken pipe, a reset connection
            while conn.poll():
                self._receive(conn)  # raises the worker's error, if it sent one
            raise WorkerFailed("a verify worker process ended unexpectedly") from None

    def _receive(self, conn: Any) -> None:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            raise WorkerFailed("a verify worker process ended unexpectedly") from None
        if message[0] == "error":
            raise _unpickled(message[1])
        self._ahead[conn] -= message[1]
        if message[0] == "done":
            for number, verdicts in message[2]:
                keys, self._keys[number] = self._keys[number], None
                if keys is None or len(keys) != len(verdicts):
                    raise WorkerFailed("a verify worker answered for another chunk")
                self.verdicts.update(zip(keys, verdicts))
                self._received += len(verdicts)
                if self._progress is not None and verdicts:
                    self._progress(len(verdicts))
        self._top_up(conn)

    # --- once the keys are known (the caller's thread) -----------------------------------

    def finish(self, keys: frozenset[str],
               progress: Callable[[int], None] | None = None) -> dict[str, tuple]:
        """Send the keys; every verdict, by key."""
        from .forked import ready

        try:
            self._wake()
            self._progress = progress
            for worker in self._workers:
                self._send(worker, ("keys", keys))
            for worker in self._workers:
                self._top_up(worker)
            while self._received < self._expected:
                for worker in ready(self._workers):
                    self._receive(worker)
            for worker in self._workers:
                self._send(worker, ("stop",))
            for worker in self._workers:
                worker.join()
        except BaseException:
            self.abort()
            raise
        # handed over, not kept: the caller lets go of each verdict as it judges it (at
        # 1,000,000 records, the records' fields as tuples are hundreds of MB)
        verdicts, self.verdicts = self.verdicts, {}
        return verdicts

    def abort(self) -> None:
        """End the workers now (the ledger failed, or history is incomplete)."""
        if self._wake_read >= 0:
            with contextlib.suppress(BaseException):  # ending anyway
                self._wake()
        for worker in self._workers:
            worker.terminate()
        for worker in self._workers:
            worker.join()
            worker.close()
        self._shared.close()


def _pack(chunk: list[Item]) -> bytes:
    """A chunk as one bytes object (``_unpack`` gives it back)."""
    return "\0".join(f"{key}\0{path}\0{sha}\0{sig or ''}" for key, path, sha, sig in chunk
                     ).encode("utf-8", "surrogatepass")


def _unpack(packed: bytes) -> list[Item]:
    fields = packed.decode("utf-8", "surrogatepass").split("\0") if packed else []
    return [(fields[i], fields[i + 1], fields[i + 2], fields[i + 3] or None)
            for i in range(0, len(fields), 4)]


def _take(shared: Any, at: int, size: int) -> bytes:
    """A chunk's bytes, copied out of the shared memory, whose pages that only this chunk
    uses are then given back (``MADV_REMOVE``; elsewhere they stay until the end): the
    chunks of 1,000,000 records are 230 MB."""
    import mmap

    data = shared[at:at + size]
    page = mmap.PAGESIZE
    start, end = -(-at // page) * page, (at + size) // page * page
    if end > start and hasattr(mmap, "MADV_REMOVE"):
        with contextlib.suppress(OSError):  # a kernel that refuses: they stay to the end
            shared.madvise(mmap.MADV_REMOVE, start, end - start)
    return data


def _serve(conn: Any, where: str, shared: Any, first: Callable[..., Any],
           then: Callable[..., Any], forget: Callable[[], None] | None) -> None:
    """A worker: read each chunk's bytes through its own ``cat-file --batch``, check them
    with ``first``; hold them until the keys come, then answer with ``then``'s verdicts."""
    if forget is not None:
        forget()
    reader = _Blobs(where)
    keys: frozenset[str] | None = None
    held: list[tuple[int, list[tuple]]] = []  # (chunk number, its checked items)
    held_bytes = owed = 0
    try:
        while True:
            message = conn.recv()
            if message[0] == "stop":
                break
            if message[0] == "keys":
                keys = message[1]
                conn.send(("done", owed, [(number, [then(*item, keys) for item in items])
                                          for number, items in held]))
                held, held_bytes, owed = [], 0, 0
                continue
            number = message[1]
            checked = [(path, data, first(data, sig))
                       for _key, path, data, sig in with_blobs(reader.read, _unpack(
                           _take(shared, message[2], message[3])))]
            if keys is not None:
                conn.send(("done", 1, [(number, [then(*item, keys) for item in checked])]))
                continue
            held.append((number, checked))
            held_bytes += sum(len(item[1]) for item in checked)
            if held_bytes <= HOLD_MAX:
                conn.send(("more", 1))
            else:
                owed += 1  # answered with the verdicts, once the keys have come
    except BaseException as exc:  # noqa: BLE001 - the parent raises it
        conn.send(("error", _pickled(exc)))
    finally:
        reader.close()


class _Blobs:
    """A worker's own ``git cat-file``, never the parent's (whose pipes a fork shares),
    answering each blob with its size alone (``--batch=%(objectsize)``: a fifth less of
    the worker's time reading than the whole ``<sha> blob <size>`` header, split and
    decoded). git maps a pack whole by default: two workers reading 100,000 records each
    held the 70 MB pack's pages; a few small windows at a time cost no measurable time."""

    def __init__(self, where: str) -> None:
        import subprocess

        from .store import _clean_env

        self._proc = subprocess.Popen(
            ["git", "-c", "core.packedGitWindowSize=1m", "-c", "core.packedGitLimit=8m",
             "cat-file", "--batch=%(objectsize)"], cwd=where, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=_clean_env())

    def read(self, shas: list[str]) -> list[bytes | None]:
        """The contents of the blobs ``shas`` (object ids), None for one git lacks. The
        requests are written from a thread while the answers are read here: a batch of
        any size, and no deadlock on full pipes."""
        import select

        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        if not shas:  # (an empty request line would be answered as a missing object)
            return []
        payload = ("\n".join(shas) + "\n").encode("ascii")

        def feed() -> None:
            stdin.write(payload)
            stdin.flush()

        writer = None
        if len(payload) <= select.PIPE_BUF:
            feed()  # every earlier request is answered: the pipe is empty, it cannot block
        else:
            writer = threading.Thread(target=feed, daemon=True)
            writer.start()
        read, readline = stdout.read, stdout.readline
        out: list[bytes | None] = []
        for _ in shas:
            header = readline()
            if b" " in header:  # "<name> missing" (a size has no space)
                out.append(None)
                continue
            out.append(read(int(header)))
            read(1)
        if writer is not None:
            writer.join()
        return out

    def close(self) -> None:
        try:
            for pipe in (self._proc.stdin, self._proc.stdout):
                if pipe is not None:
                    pipe.close()
            self._proc.wait(timeout=5)
        except Exception:  # noqa: BLE001 - the worker is ending anyway
            self._proc.kill()


def _pickled(exc: BaseException) -> bytes:
    """A worker's exception as bytes for its parent (pickle, imported only for this)."""
    import pickle

    try:
        data = pickle.dumps(exc)
        pickle.loads(data)  # noqa: S301 - its own bytes: one that pickles but cannot be read
        return data         # back (a required argument missing) would hide the error
    except Exception:  # noqa: BLE001 - an exception that does not pickle
        return pickle.dumps(RuntimeError(f"a verify worker failed: {exc!r}"))


def _unpickled(data: bytes) -> BaseException:
    """The exception a worker sent (``_pickled``: this process's own forked child)."""
    import pickle

    return pickle.loads(data)  # noqa: S301 - from a worker this process forked


__all__ = ["WORKERS", "Checkers", "WorkerFailed", "with_blobs"]
