"""How a summary is remembered: a warm terminal summary reads only the summary's head, and
the summary after new comments writes only what they add.

A summary is stored as a result (``cache.ResultMemo``) of three parts,

* its **index**: one ``[principle, rows, chunk]`` triple per chunk of its rows,
* its **brief**: what the terminal report shows, no more (``brief``): the head with each
  long list cut to the ``SHOWN`` entries shown and the lengths of the lists cut, and
* its **head**: the summary without its comment rows (``comments`` is None) and, for every
  principle that has rows, without its quotes (None) — what a step from it changes —

and its rows in **chunks** (``cache.Chunks``, shared by the summaries kept, each named by
the digest of its bytes): ``{"rows": [...], "quotes": [...] or None}``, rows of one
principle (``row["principle"]``, None for a comment on none) and the quotes of that
principle that go with them — the same comments, so one marshal writes their texts once.

The rows of a principle are its chunks' rows in order, principles in the order they first
appear in the index; its quotes likewise. A full summary is written as one chunk per
principle (the rows are sorted by principle); a summary made by adding new comments to the
last one (``summary_append``) names the last one's chunks and one new chunk for each
principle the new comments are on. Chunks no kept summary names are removed.
"""

from __future__ import annotations

from typing import Any

COMPACT = 8  # chunks per principle beyond which the summary is written whole again
SHOWN = 30  # entries of a list the terminal report shows (``render.summary_text``)
CLUSTER_IDS = 8  # comment ids it shows of a near-duplicate group


def chunk_store(agenda: Any) -> Any:
    from ..cache import Chunks

    return Chunks(agenda.git.git_dir / "coalition", "chunk.summary")


def in_parts(data: dict[str, Any], chunks: Any) -> list[Any]:
    """``data`` as index and head, its rows and quotes put in ``chunks`` (the module's
    docstring)."""
    principles = [dict(p, quotes=None) for p in data["principles"]]
    where = {p["id"]: i for i, p in enumerate(principles)}
    index: list[list[Any]] = []
    rows = data["comments"]
    start = 0
    for end in range(1, len(rows) + 1):  # rows are sorted by principle: one run each
        if end == len(rows) or rows[end]["principle"] != rows[start]["principle"]:
            key = rows[start]["principle"]
            i = where.get(key)
            name = chunks.put({"rows": rows[start:end],
                               "quotes": None if i is None else data["principles"][i]["quotes"]})
            index.append([key, end - start, name])
            start = end
    chunked = {key for key, _n, _name in index}
    for i, p in enumerate(data["principles"]):
        if p["id"] not in chunked:
            principles[i]["quotes"] = p["quotes"]  # no rows: its quotes (none) stay in the head
    head = dict(data, principles=principles, comments=None, generated_at=None)
    return [index, brief(head), head]


def brief(head: dict[str, Any]) -> dict[str, Any]:
    """What the terminal report shows of ``head``: every list it shows the first ``SHOWN``
    entries of cut to them, and under ``"brief"`` the lengths the lists had (the report's
    "… and N more"). At 1,000,000 comments the head is 64 MB and its brief about 55 KB."""
    left = {"amendments": SHOWN, "blocks": SHOWN}
    principles = []
    for p in head["principles"]:
        cut = dict(p, quotes=None)
        for name in left:
            cut[name] = (p.get(name) or [])[:left[name]]
            left[name] -= len(cut[name])
        principles.append(cut)
    disp = head.get("dispositions") or {}
    clusters = head.get("clusters") or []
    return dict(head, principles=principles, unresolved=(head.get("unresolved") or [])[:SHOWN],
                dispositions=dict(disp, awaiting_ids=(disp.get("awaiting_ids") or [])[:SHOWN]),
                clusters=[dict(c, comments=c["comments"][:CLUSTER_IDS]) for c in clusters[:SHOWN]],
                brief={"amendments": sum(len(p.get("amendments") or []) for p in head["principles"]),
                       "blocks": sum(len(p.get("blocks") or []) for p in head["principles"]),
                       "unresolved": len(head.get("unresolved") or []),
                       "awaiting_ids": len(disp.get("awaiting_ids") or []),
                       "clusters": len(clusters)})


def head_of(parts: list[Any] | None) -> dict[str, Any] | None:
    """The head of a stored summary (its rows and chunked quotes None), or None; of parts
    read only as far as the brief (``ResultMemo.get(key, first=2)``), the brief."""
    if not parts or len(parts) not in (2, 3) or not all(isinstance(x, dict) for x in parts[1:]) \
            or not isinstance(parts[0], list) or not isinstance(parts[1].get("brief"), dict) \
            or any(x.get("comments") is not None for x in parts[1:]):
        return None
    if len(parts) == 3 and "brief" in parts[2]:
        return None
    return parts[-1]


def from_parts(parts: list[Any] | None, chunks: Any) -> dict[str, Any] | None:
    """The whole summary ``in_parts`` (or ``appended``) stored, or None if its parts or
    chunks are missing or do not fit together."""
    data = head_of(parts)
    if data is None or len(parts) != 3:  # type: ignore[arg-type]
        return None
    rows: dict[Any, list[Any]] = {}
    quotes: dict[Any, list[Any]] = {}
    try:
        at = {p["id"]: p for p in data["principles"]}
        for key, count, name in parts[0]:  # type: ignore[index]
            chunk = chunks.get(name)
            if len(chunk["rows"]) != count:
                return None
            rows.setdefault(key, []).extend(chunk["rows"])
            if chunk["quotes"] is not None:
                quotes.setdefault(key, []).extend(chunk["quotes"])
        for key, said in quotes.items():
            if at[key]["quotes"] is not None:
                return None
            at[key]["quotes"] = said
        if any(not isinstance(p.get("quotes"), list) for p in data["principles"]):
            return None
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    data["comments"] = [row for group in rows.values() for row in group]
    return data


def appended(index: list[Any], head: dict[str, Any], new_rows: dict[Any, list[Any]],
             new_quotes: dict[Any, list[Any]], chunks: Any) -> list[Any]:
    """The parts of a summary whose ``head`` is made anew, which names the chunks of
    ``index`` and one new chunk per principle of ``new_rows`` with its new quotes."""
    index = [*index]
    principles = {p["id"] for p in head["principles"]}
    for key, rows in new_rows.items():
        name = chunks.put({"rows": rows,
                           "quotes": new_quotes.get(key, []) if key in principles else None})
        index.append([key, len(rows), name])
    return [index, brief(head), head]


def prune(memo: Any, chunks: Any) -> None:
    """Remove the chunks that no summary kept in ``memo`` names."""
    named = set()
    for parts in memo.each(first=1):
        try:
            named.update(name for _key, _n, name in parts[0])
        except (TypeError, ValueError):
            continue
    chunks.prune(named)


def compact_enough(index: list[Any]) -> bool:
    """Whether appending to a summary of this ``index`` keeps it few chunks a principle."""
    return len(index) <= COMPACT * len({key for key, _n, _name in index}) + 32


def principle_order(index: list[Any]) -> dict[Any, int]:
    """Each principle's place in the rows (the order it first appears in ``index``)."""
    order: dict[Any, int] = {}
    for key, _n, _name in index:
        order.setdefault(key, len(order))
    return order


__all__ = ["chunk_store", "in_parts", "from_parts", "head_of", "brief", "appended", "prune",
           "compact_enough", "principle_order"]
