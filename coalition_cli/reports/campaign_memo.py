"""Where the near-duplicate state of a round (``near_duplicates.Campaigns``) is remembered.

The links, blocks and groups are one result (``cache.ResultMemo``, kind ``clusters``, keyed
by the agenda folder and the round); the ids and texts taken in — most of its bytes — are
in segments of ``SEGMENT`` texts (``cache.Chunks``), so a state extended by a few texts
writes its links again and only its last segment.
"""

from __future__ import annotations

from typing import Any

from .near_duplicates import Campaigns

SEGMENT = 8192  # texts per stored segment


def _stores(agenda: Any) -> tuple[Any, Any]:
    from ..cache import Chunks, ResultMemo

    folder = agenda.git.git_dir / "coalition"
    return ResultMemo(folder, "clusters", keep=8), Chunks(folder, "chunk.clusters")


def load(agenda: Any, round_id: str) -> Campaigns | None:
    """The state remembered for ``round_id``, or None (none, damaged, or made by other code)."""
    memo, chunks = _stores(agenda)
    got = memo.get((agenda.rel, round_id))
    try:
        head, parent, blocks, members, segments = got  # type: ignore[misc]
        ids: list[str] = []
        texts: list[str] = []
        for count, name in segments:
            said_ids, said = chunks.get(name)
            if len(said_ids) != count or len(said) != count:
                return None
            ids += said_ids
            texts += said
    except (TypeError, ValueError, KeyError):
        return None
    state = Campaigns.restore([head, parent, blocks, ids, texts, members])
    if state is not None:
        state.stored = [list(s) for s in segments]
    return state


def save(agenda: Any, round_id: str, state: Campaigns) -> None:
    """Remember ``state`` for ``round_id``: the segments it was read with (``load``), as far
    as they are whole and it still has their texts, kept; the rest written."""
    memo, chunks = _stores(agenda)
    segments = []
    at = 0
    for count, name in state.stored:
        if count != SEGMENT or at + count > state.count:
            break
        segments.append([count, name])
        at += count
    for start in range(at, state.count, SEGMENT):
        end = min(start + SEGMENT, state.count)
        segments.append([end - start, chunks.put([state.ids[start:end], state.texts[start:end]])])
    head, parent, blocks, _ids, _texts, members = state.parts()
    memo.put((agenda.rel, round_id), [head, parent, blocks, members, segments])
    state.stored = segments
    named = set()
    for parts in memo.each():
        try:
            named.update(name for _count, name in parts[4])
        except (TypeError, ValueError, IndexError):
            continue
    chunks.prune(named)


__all__ = ["load", "save", "SEGMENT"]
