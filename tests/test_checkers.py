"""The worker processes that check signatures while the ledger is walked (``checkers``).

Both cores start on the signatures before the trusted registry's keys are known; a record
is parsed only after they are. The verdict must be the one-process verdict, byte for byte,
whatever the commits (the hostile ones of the incremental soak), and no worker may parse
anything before the keys were sent, or at all when the walk is abandoned.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coalition_cli import checkers, verify as verify_module
from coalition_cli.verify import verify

from test_incremental import HOSTILE, LEGITIMATE, Soak


def _everything(result) -> tuple:  # noqa: ANN001
    records = {rnd: [(path, rec.__dict__) for path, rec in items]
               for rnd, items in result.records.items()}
    return result.ok, result.checked, result.problems, records, result.accepted


def _both_ways(agenda, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple, tuple]:  # noqa: ANN001
    with monkeypatch.context() as m:
        m.setattr(verify_module, "PARALLEL_AT", 10**9)
        alone = _everything(verify(agenda, use_cache=False))
    with monkeypatch.context() as m:
        m.setattr(verify_module, "PARALLEL_AT", 1)
        m.setattr(verify_module, "WORKER_CHUNK_MIN", 2)
        m.setattr(checkers, "HOLD_MAX", 300)  # past it after a record or two: the wait too
        workers = _everything(verify(agenda, use_cache=False))
    return alone, workers


@pytest.mark.parametrize("seed", [5, 6])
def test_the_workers_give_the_one_process_verdict_after_every_commit(
        coalition, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:  # noqa: ANN001
    rng = random.Random(seed)
    soak = Soak(coalition, rng)
    for _ in range(4):
        soak.add()
    seen_bad = False
    for step, op in enumerate([*HOSTILE, *rng.sample(LEGITIMATE, 3)]):
        getattr(soak, op)()
        alone, workers = _both_ways(coalition.agenda, monkeypatch)
        assert workers == alone, f"step {step}: after {op}"
        seen_bad = seen_bad or not alone[0]
    assert seen_bad, "no hostile commit was caught: the comparison proved nothing"


def _first(data: bytes, sig: bytes | None) -> tuple:
    return len(data), sig is not None


def _then_logged(path: str, data: bytes, first: tuple, keys: frozenset[str]) -> tuple:
    with open(os.environ["CHECKERS_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{time.monotonic()!r}\n")
    return first, path in keys


def _blobs(repo: Path, count: int) -> list[tuple[str, str, str, None]]:
    import subprocess

    shas = []
    for i in range(count):
        shas.append(subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo,
                                   input=b"record %d\n" % i, capture_output=True,
                                   check=True).stdout.decode().strip())
    return [(f"k{i}", f"p{i}", sha, None) for i, sha in enumerate(shas)]


def test_nothing_is_parsed_before_the_keys_are_sent(coalition, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    log = tmp_path / "then.log"
    monkeypatch.setenv("CHECKERS_LOG", str(log))
    items = _blobs(coalition.root, 12)
    pool = checkers.Checkers(coalition.root, [items[i : i + 3] for i in range(0, 12, 3)],
                             _first, _then_logged)
    time.sleep(0.5)  # the workers check every signature they can meanwhile
    assert not log.exists()
    sent = time.monotonic()
    verdicts = pool.finish(frozenset({"p1", "p7"}))
    pool.abort()
    assert sorted(verdicts) == sorted(key for key, *_ in items)
    assert verdicts["k1"] == ((len(b"record 1\n"), False), True)
    assert verdicts["k2"][1] is False
    times = [float(line) for line in log.read_text().split()]
    assert len(times) == 12 and min(times) >= sent


def test_each_chunk_is_let_go_once_handed_out(coalition, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """The packed chunks (22 MB at 100,000 records) are not held to the end: this process
    forgets each one's place as a worker takes it, and the worker frees its pages once it
    has copied it out (``_take``). A chunk freed before its worker read it would fail here:
    every verdict comes back."""
    monkeypatch.setenv("CHECKERS_LOG", str(tmp_path / "then.log"))
    items = _blobs(coalition.root, 20)
    pool = checkers.Checkers(coalition.root, [items[i : i + 2] for i in range(0, 20, 2)],
                             _first, _then_logged)
    verdicts = pool.finish(frozenset({"p3"}))
    pool.abort()
    assert sorted(verdicts) == sorted(key for key, *_ in items)
    assert pool._chunks == [None] * 10  # noqa: SLF001


@pytest.mark.skipif(not hasattr(__import__("mmap"), "MADV_REMOVE"), reason="Linux's madvise")
def test_a_chunk_taken_gives_back_the_pages_only_it_uses() -> None:
    """A worker copies its chunk out of the shared memory and frees the pages wholly inside
    it; the pages it shares with the chunks on either side stay for their workers."""
    import mmap

    page = mmap.PAGESIZE
    shared = mmap.mmap(-1, 4 * page)
    shared[:] = b"x" * (4 * page)
    assert checkers._take(shared, 100, 3 * page) == b"x" * (3 * page)  # noqa: SLF001
    assert shared[page:3 * page] == bytes(2 * page)  # freed: read back as zeros
    assert shared[:page] == b"x" * page and shared[3 * page:] == b"x" * page
    assert checkers._take(shared, 3 * page + 1, 10) == b"x" * 10  # noqa: SLF001 - in one page
    assert shared[3 * page:] == b"x" * page


def test_workers_forked_first_check_the_chunks_handed_to_them_after(
        coalition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """``Checkers.forked`` forks before the chunks exist (a cold verify: before the listing
    is taken apart), runs ``forget`` in each worker, and ``start`` hands the chunks over
    through the shared memory — with too little room for them, to new workers."""
    monkeypatch.setenv("CHECKERS_LOG", str(tmp_path / "then.log"))
    items = _blobs(coalition.root, 160)
    chunks = [items[i : i + 16] for i in range(0, 160, 16)]  # 7.5 KB, packed
    for room in (1 << 20, 1):  # room for all; then one page: too little
        forgot = tmp_path / f"forgot-{room}"
        pool = checkers.Checkers.forked(
            coalition.root, _first, _then_logged, room,
            lambda forgot=forgot: forgot.open("a").write(f"{os.getpid()}\n"))
        first = {proc.pid for proc in pool._workers}  # noqa: SLF001
        pool.start(chunks)
        verdicts = pool.finish(frozenset({"p1"}))
        pool.abort()
        assert sorted(verdicts) == sorted(key for key, *_ in items)
        assert verdicts["k1"] == ((len(b"record 1\n"), False), True)
        assert ({proc.pid for proc in pool._workers} == first) == (room > 1)  # noqa: SLF001
        if room > 1:  # (the first workers of too little room may end before they forget)
            assert set(forgot.read_text().split()) == {str(pid) for pid in first}


def test_an_abandoned_walk_parses_nothing_and_leaves_no_process(
        coalition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    log = tmp_path / "then.log"
    monkeypatch.setenv("CHECKERS_LOG", str(log))
    items = _blobs(coalition.root, 6)
    pool = checkers.Checkers(coalition.root, [items[:3], items[3:]], _first, _then_logged)
    time.sleep(0.3)
    pool.abort()
    assert not log.exists()
    assert not any(proc.is_alive() for proc in pool._workers)


def _first_fails(data: bytes, sig: bytes | None) -> tuple:
    raise ValueError("a bug in the check")


def test_a_failing_worker_raises_its_error_here(coalition) -> None:  # noqa: ANN001
    items = _blobs(coalition.root, 4)
    pool = checkers.Checkers(coalition.root, [items[:2], items[2:]], _first_fails, _then_logged)
    with pytest.raises(ValueError, match="a bug in the check"):
        pool.finish(frozenset())
    assert not any(proc.is_alive() for proc in pool._workers)


@given(st.lists(st.tuples(st.text(min_size=1).filter(lambda t: "\0" not in t),
                          st.text(min_size=1).filter(lambda t: "\0" not in t),
                          st.from_regex(r"[0-9a-f]{40}", fullmatch=True),
                          st.none() | st.from_regex(r"[0-9a-f]{40}", fullmatch=True)),
                max_size=20))
def test_a_chunk_handed_to_the_workers_as_bytes_comes_back_as_it_was(chunk: list) -> None:
    """Each chunk reaches a worker as bytes in the memory it shares with this process:
    what it unpacks is the chunk."""
    from coalition_cli.checkers import _pack, _unpack

    assert _unpack(_pack(chunk)) == chunk


def test_a_workers_reader_gives_each_blob_or_none_in_order(coalition) -> None:  # noqa: ANN001
    """A worker reads blobs by their sizes alone (``--batch=%(objectsize)``): each blob's
    bytes in the order asked — a batch past a pipe's buffer too — and None for an id git
    does not have, whatever digit it starts with."""
    items = _blobs(coalition.root, 300)
    shas = [sha for _k, _p, sha, _s in items]
    missing = ["0" * 40, "1234" + "f" * 36]
    reader = checkers._Blobs(str(coalition.root))  # noqa: SLF001
    try:
        asked = [shas[0], missing[0], *shas[1:], missing[1], shas[0]]
        got = reader.read(asked)
        assert got == [b"record 0\n", None, *(b"record %d\n" % i for i in range(1, 300)),
                       None, b"record 0\n"]
        assert reader.read([shas[5]]) == [b"record 5\n"]  # (one request: written at once)
        assert reader.read([]) == [] and reader.read([shas[6]]) == [b"record 6\n"]
    finally:
        reader.close()


@given(st.integers(0, 30_000))
def test_the_chunks_cover_the_files_in_order_and_end_small(count: int) -> None:
    """Every file is in one chunk, in order; no chunk is larger than ``_chunk_size``; and
    the chunks handed out last are small — the workers end within one of each other."""
    todo = [(str(i), "", "", None) for i in range(count)]
    chunks = verify_module._chunked(todo)  # noqa: SLF001
    assert [item for chunk in chunks for item in chunk] == todo
    size = verify_module._chunk_size(count)  # noqa: SLF001
    assert all(0 < len(chunk) <= size for chunk in chunks)
    if count >= 4 * size:
        assert all(len(chunk) <= max(1, size // 8) for chunk in chunks[-3:])
        assert len(chunks) <= -(-count // size) + 16  # (a few more than whole chunks)
