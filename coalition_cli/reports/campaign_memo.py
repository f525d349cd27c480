"""Where the near-duplicate state of a round (``near_duplicates.Campaigns``) is remembered.

The links, blocks and groups are one result (``cache.ResultMemo``, kind ``clusters``, keyed
by the agenda folder and the round; the list of its segments first); the ids and texts taken
in — most of its bytes — are in segments of ``SEGMENT`` (``cache.Chunks``; a segment's ids
and its texts each a chunk of their own), so a state extended by a few texts writes its
links again and only the new texts (a short segment of their own, ``save``).
``load(..., lazy=True)`` leaves each segment of ids and of texts to be read when one of
them is first asked for (``StoredStrings``): a few new comments are compared with a
block's first texts only, not with every one, and a summary step reads a segment or two of
25 MB of texts, not all of them.

The names of a state's segments of ids (``ids_stored``: each chunk's name is the digest of
its bytes) stand for the ids themselves: the summary step's facts keep them, not a second
copy of 100,000 ids, and compare them with a state's without reading either
(``ids_named`` reads them back).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from .near_duplicates import Campaigns, StringsAsRead

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SEGMENT = 8192  # texts per stored segment
TAIL = 8  # short segments kept at the end (a few texts each) before they are written as one


def _stores(agenda: Any) -> tuple[Any, Any]:
    from ..cache import Chunks, ResultMemo

    folder = agenda.git.git_dir / "coalition"
    return ResultMemo(folder, "clusters", keep=8), Chunks(folder, "chunk.clusters")


class StoredStrings(StringsAsRead):
    """The ids or the texts of a stored state, each segment read (and checked: as many
    strings as it should hold, every one a string) when one of them is first asked for,
    then the ``extra`` ones taken in since; KeyError when a segment is missing or damaged."""

    def __init__(self, chunks: Any, segments: list[list[Any]], extra: list[str] | None = None,
                 read: dict[int, list[str]] | None = None) -> None:
        self.chunks, self.segments = chunks, segments  # [[count, chunk name]]
        self.extra = extra if extra is not None else []
        self.read = read if read is not None else {}
        self.starts = list(accumulate((count for count, _name in segments), initial=0))
        self.stored = self.starts.pop()

    def __len__(self) -> int:
        return self.stored + len(self.extra)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return self._slice(*i.indices(len(self)))
        if i < 0:
            i += len(self)
        if i >= self.stored:
            return self.extra[i - self.stored]
        if i < 0:
            raise IndexError(i)
        at = bisect_right(self.starts, i) - 1
        return self._segment(at)[i - self.starts[at]]

    def _slice(self, start: int, stop: int, step: int) -> list[str]:
        """``self[start:stop:step]``: whole runs of segments, not a text at a time."""
        if step != 1:
            return [self[j] for j in range(start, stop, step)]
        out: list[str] = []
        at, end = start, min(stop, self.stored)
        while at < end:
            segment = bisect_right(self.starts, at) - 1
            offset = at - self.starts[segment]
            run = self._segment(segment)[offset:offset + end - at]
            out += run
            at += len(run)
        if stop > self.stored:
            out += self.extra[max(start - self.stored, 0):stop - self.stored]
        return out

    def _segment(self, at: int) -> list[str]:
        got = self.read.get(at)
        if got is None:
            count, name = self.segments[at]
            got = self.chunks.get(name)
            if type(got) is not list or len(got) != count or not set(map(type, got)) <= {str}:
                raise KeyError(name)
            self.read[at] = got
        return got

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (list, StoredStrings)):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __iter__(self) -> Any:
        for at in range(len(self.segments)):
            yield from self._segment(at)
        yield from self.extra

    def index(self, value: Any, start: int = 0, stop: Any = None) -> int:
        """Where ``value`` first is: a segment at a time (``list.index``), not an item."""
        if start != 0 or stop is not None:
            return super().index(value, start, stop)
        for at in range(len(self.segments)):
            got = self._segment(at)
            if value in got:
                return self.starts[at] + got.index(value)
        return self.stored + self.extra.index(value)

    def __add__(self, more: list[str]) -> StoredStrings:
        return StoredStrings(self.chunks, self.segments, [*self.extra, *more], self.read)


def load(agenda: Any, round_id: str, *, lazy: bool = False) -> Campaigns | None:
    """The state remembered for ``round_id``, or None (none, damaged, or made by other code).
    ``lazy``: its ids and texts each a ``StoredStrings`` (a damaged segment is a KeyError
    when read)."""
    memo, chunks = _stores(agenda)
    got = memo.get((agenda.rel, round_id))
    try:
        segments, head, parent, blocks, members = got  # type: ignore[misc]
        ids: Any = StoredStrings(chunks, [[count, name] for count, name, _t in segments])
        texts: Any = StoredStrings(chunks, [[count, name] for count, _i, name in segments])
        if not lazy:
            ids, texts = ids[:], texts[:]
    except (TypeError, ValueError, KeyError):
        return None
    # the memo is authenticated and keyed by this code: what it holds is what this code
    # wrote, so only its shape is checked (``Campaigns.restore``)
    state = Campaigns.restore([head, parent, blocks, ids, texts, members], authenticated=True)
    if state is not None:
        state.stored = [list(s) for s in segments]
    return state


def ids_stored(state: Campaigns) -> list[list[Any]]:
    """The names of ``state``'s segments of ids as ``load`` or ``save`` last saw them stored
    ([[count, chunk name]]): equal lists name equal ids, in the same order."""
    return [[count, ids_name] for count, ids_name, _texts_name in state.stored]


def ids_named(agenda: Any, named: Any) -> list[str] | None:
    """The ids ``ids_stored`` named, read back; None when a segment is missing or damaged."""
    try:
        return StoredStrings(_stores(agenda)[1], [[count, name] for count, name in named])[:]
    except (TypeError, ValueError, KeyError):
        return None


def save(agenda: Any, round_id: str, state: Campaigns) -> None:
    """Remember ``state`` for ``round_id``: the segments it was read with (``load``), as far
    as it still has their texts, kept, and its new texts written as new segments — so a
    step of ten comments writes ten ids and ten texts, not the last 8,000 again. Once
    ``TAIL`` short segments have gathered at the end, they are written again as whole ones
    with the new texts."""
    memo, chunks = _stores(agenda)
    segments = []
    at = 0
    for count, ids_name, texts_name in state.stored:
        if at + count > state.count:
            break
        segments.append([count, ids_name, texts_name])
        at += count
    short = [i for i, (count, *_names) in enumerate(segments) if count != SEGMENT]
    if at < state.count and len(short) >= TAIL:
        at -= sum(count for count, *_names in segments[short[0]:])
        del segments[short[0]:]
    for start in range(at, state.count, SEGMENT):
        end = min(start + SEGMENT, state.count)
        segments.append([end - start, chunks.put(state.ids[start:end]),
                         chunks.put(list(state.texts[start:end]))])
    head, parent, blocks, _ids, _texts, members = state.parts()
    memo.put((agenda.rel, round_id), [segments, head, parent, blocks, members])
    state.stored = segments
    named = set()
    for parts in memo.each(first=1):  # the segments of every state kept: not their links
        try:
            named.update(name for _count, *names in parts[0] for name in names)
        except (TypeError, ValueError, IndexError):
            continue
    chunks.prune(named)


__all__ = ["load", "save", "ids_named", "ids_stored", "SEGMENT", "TAIL", "StoredStrings"]
