"""How a summary is remembered: a warm terminal summary reads only the summary's brief, and
the summary after new comments reads and writes only what they change.

A summary is stored as a result (``cache.ResultMemo``) of four parts,

* its **index**: one ``[principle, rows, chunk]`` triple per chunk of its rows,
* its **lists**: one ``[list, principle, entries, chunk]`` entry per chunk of its long
  lists — each principle's ``amendments`` and ``blocks``, and the ``unresolved``
  objections, the ``awaiting_ids`` (comments awaiting an answer) and the ``clusters``
  (principle None) — which a step only adds to (the clusters: replaces),
* its **brief**: what the terminal report shows, no more (``brief``): the head with each
  long list cut to the ``SHOWN`` entries shown and the lengths of the lists cut, and
* its **head**: the summary without its comment rows (``comments`` is None), without its
  long lists (each None) and, for every principle that has rows, without its quotes
  (None) — tallies, participation, counts: what a step makes anew,

and its rows and lists in **chunks** (``cache.Chunks``, shared by the summaries kept, each
named by the digest of its bytes): a rows chunk is ``{"rows": [...], "quotes": [...] or
None}``, rows of one principle (``row["principle"]``, None for a comment on none) and the
quotes of that principle that go with them — the same comments, so one marshal writes
their texts once; a list chunk is a list of entries.

The rows of a principle are its chunks' rows in order, principles in the order they first
appear in the index; its quotes likewise; a list is its chunks' entries in order — the
unresolved objections then in the rows' order (by principle, stably), the awaiting ids
sorted, as the full build makes them. A full summary is written as one chunk per principle
and list; a summary made by adding new comments to the last one (``summary_append``)
names the last one's chunks and one new chunk for each principle and list they add to,
its brief carried forward from the last one's (``carried``). Chunks no kept summary names
are removed. At 100,000 comments the head was 7 MB of the lists (read and written again
for ten new comments: 70 ms); without them it is about 0.1 MB.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


COMPACT = 8  # chunks per principle beyond which the summary is written whole again
SHOWN = 30  # entries of a list the terminal report shows (``render.summary_text``)
CLUSTER_IDS = 8  # comment ids it shows of a near-duplicate group


def chunk_store(agenda: Any) -> Any:
    from ..cache import Chunks

    return Chunks(agenda.git.git_dir / "coalition", "chunk.summary")


def in_parts(data: dict[str, Any], chunks: Any, index: list[list[Any]] | None = None
             ) -> list[Any]:
    """``data`` as index, lists, brief and head, its rows, quotes and long lists put in
    ``chunks`` (the module's docstring). ``index``: the chunks its rows and quotes were put
    in already, one a principle in any order (``data`` then holds neither), or None."""
    principles = [dict(p, quotes=None) for p in data["principles"]]
    if index is None:
        index = _rows_stored(data, chunks)
    else:  # in the rows' order: by principle (each principle's rows are one chunk)
        index = sorted(index, key=lambda entry: entry[0])
    chunked = {key for key, _n, _name in index}
    for i, p in enumerate(data["principles"]):
        if p["id"] not in chunked:
            principles[i]["quotes"] = p["quotes"]  # no rows: its quotes (none) stay in the head
    head = dict(data, principles=principles, comments=None, generated_at=None)
    short = brief(head)
    lists: list[list[Any]] = []
    for p in principles:
        for name in PER_PRINCIPLE:
            if p.get(name) is not None:
                lists.extend(_stored(chunks, name, p["id"], p[name]))
                p[name] = None
    for name, (got, put) in _WHOLE.items():
        if got(head) is not None:
            lists.extend(_stored(chunks, name, None, got(head)))
            put(head, None)
    return [index, lists, short, head]


def _rows_stored(data: dict[str, Any], chunks: Any) -> list[list[Any]]:
    """The index of ``data``'s rows, each principle's with its quotes put in a chunk."""
    where = {p["id"]: p for p in data["principles"]}
    index: list[list[Any]] = []
    rows = data["comments"]
    start = 0
    for end in range(1, len(rows) + 1):  # rows are sorted by principle: one run each
        if end == len(rows) or rows[end]["principle"] != rows[start]["principle"]:
            key = rows[start]["principle"]
            quotes = where[key]["quotes"] if key in where else None
            index.append([key, end - start, chunks.put({"rows": rows[start:end], "quotes": quotes})])
            start = end
    return index


PER_PRINCIPLE = ("amendments", "blocks")  # a principle's lists, in its head entry


def _set_awaiting(head: dict[str, Any], value: Any) -> None:
    head["dispositions"] = dict(head["dispositions"], awaiting_ids=value)


def _set(name: str) -> Any:
    def put(head: dict[str, Any], value: Any) -> None:
        head[name] = value

    return put


# the summary's own long lists: how each is found in a head, and set in it
_WHOLE = {
    "unresolved": (lambda head: head.get("unresolved"), _set("unresolved")),
    "awaiting_ids": (lambda head: (head.get("dispositions") or {}).get("awaiting_ids"),
                     _set_awaiting),
    "clusters": (lambda head: head.get("clusters"), _set("clusters")),
}


def _stored(chunks: Any, name: str, key: Any, entries: list[Any]) -> list[list[Any]]:
    """The lists entry of ``entries`` put in a chunk (none for no entries)."""
    return [[name, key, len(entries), chunks.put(entries)]] if entries else []


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
    """The head of a stored summary (its rows, long lists and chunked quotes None), or None;
    of parts read only as far as the brief (``ResultMemo.get(key, first=3)``), the brief."""
    if not parts or len(parts) not in (3, 4) or not all(isinstance(x, dict) for x in parts[2:]) \
            or not isinstance(parts[0], list) or not isinstance(parts[1], list) \
            or not isinstance(parts[2].get("brief"), dict) \
            or any(x.get("comments") is not None for x in parts[2:]):
        return None
    if len(parts) == 4 and "brief" in parts[3]:
        return None
    return parts[-1]


BRIEF_PARTS = 3  # the parts a reader of the brief alone reads (index, lists, brief)


def from_parts(parts: list[Any] | None, chunks: Any) -> dict[str, Any] | None:
    """The whole summary ``in_parts`` (or ``appended``) stored, or None if its parts or
    chunks are missing or do not fit together."""
    data = head_of(parts)
    if data is None or len(parts) != 4:  # type: ignore[arg-type]
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
        if not _lists_put_back(data, parts[1], chunks, principle_order(parts[0]), at):  # type: ignore[index]
            return None
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    data["comments"] = [row for group in rows.values() for row in group]
    return data


def _lists_put_back(data: dict[str, Any], lists: list[Any], chunks: Any,
                    order: dict[Any, int], at: dict[Any, dict[str, Any]]) -> bool:
    """Each long list of ``data`` (None in its head) made of its chunks (``lists``), in
    place; False when a chunk is missing, miscounted or names what the head does not have."""
    got: dict[tuple[str, Any], list[Any]] = {}
    pieces: dict[tuple[str, Any], int] = {}
    for name, key, count, chunk_name in lists:
        if (name in PER_PRINCIPLE) == (key is None) or (name not in PER_PRINCIPLE
                                                        and name not in _WHOLE):
            return False
        entries = chunks.get(chunk_name)
        if type(entries) is not list or len(entries) != count:
            return False
        got.setdefault((name, key), []).extend(entries)
        pieces[(name, key)] = pieces.get((name, key), 0) + 1
    for (name, key) in got:
        if name in PER_PRINCIPLE and (key not in at or at[key].get(name, []) is not None):
            return False
        if name in _WHOLE and _WHOLE[name][0](data) is not None:
            return False
    for p in data["principles"]:
        for name in PER_PRINCIPLE:
            if name in p and p[name] is None:
                p[name] = got.get((name, p["id"]), [])
    for name, (get, put) in _WHOLE.items():
        if get(data) is None and (name in data or name == "awaiting_ids"
                                  and "awaiting_ids" in (data.get("dispositions") or {})):
            entries = got.get((name, None), [])
            if pieces.get((name, None), 0) > 1:  # added to by steps: in the full build's order
                entries.sort(key=(lambda u: order[u["principle"]]) if name == "unresolved"
                             else None)
            put(data, entries)
    return True


def appended(index: list[Any], lists: list[Any], head: dict[str, Any], short: dict[str, Any],
             new_rows: dict[Any, list[Any]], new_quotes: dict[Any, list[Any]],
             added: dict[str, Any], chunks: Any) -> list[Any]:
    """The parts of a summary whose ``head`` (its long lists None) is made anew from the last
    one (``index``, ``lists``, its brief ``short``), which names their chunks and one new
    chunk per principle of ``new_rows`` with its new quotes, and one per list ``added``
    adds to: ``{"amendments": {principle: entries}, "blocks": {...}, "unresolved":
    entries, "awaiting_ids": ids (sorted), "clusters": all of them}``."""
    index = [*index]
    principles = {p["id"] for p in head["principles"]}
    for key, rows in new_rows.items():
        name = chunks.put({"rows": rows,
                           "quotes": new_quotes.get(key, []) if key in principles else None})
        index.append([key, len(rows), name])
    lists = [entry for entry in lists if entry[0] != "clusters"]  # replaced, not added to
    for name in PER_PRINCIPLE:
        for key, entries in added[name].items():
            lists.extend(_stored(chunks, name, key, entries))
    for name in _WHOLE:
        lists.extend(_stored(chunks, name, None, added[name]))
    return [index, lists, carried(short, head, added, principle_order(index)), head]


def carried(short: dict[str, Any], head: dict[str, Any], added: dict[str, Any],
            order: dict[Any, int]) -> dict[str, Any]:
    """The brief of a summary made from the last one (brief ``short``) by adding to its
    lists (``appended``), without its lists: what ``brief`` of its whole head would be.

    Entries are only added at the end of a principle's list (of the awaiting ids, in their
    sorted place; of the objections, after their principle's), so every entry of the new
    first ``SHOWN`` is one the last brief showed or a new one."""
    total = short["brief"]
    old = {p["id"]: p for p in short["principles"]}
    left = {"amendments": SHOWN, "blocks": SHOWN}
    principles = []
    for p in head["principles"]:
        cut = dict(p, quotes=None)
        before = old.get(p["id"], {})
        for name in PER_PRINCIPLE:
            shown = before.get(name) or []
            if left[name] > len(shown):  # the last brief showed all of this principle's
                shown = [*shown, *added[name].get(p["id"], [])]
            cut[name] = shown[:left[name]]
            left[name] -= len(cut[name])
        principles.append(cut)
    unresolved = sorted([*short["unresolved"], *added["unresolved"]],
                        key=lambda u: order[u["principle"]])[:SHOWN]
    disp = head["dispositions"]
    awaiting = sorted([*short["dispositions"]["awaiting_ids"], *added["awaiting_ids"]])[:SHOWN]
    clusters = added["clusters"]
    return dict(head, principles=principles, unresolved=unresolved,
                dispositions=dict(disp, awaiting_ids=awaiting),
                clusters=[dict(c, comments=c["comments"][:CLUSTER_IDS]) for c in clusters[:SHOWN]],
                brief={"amendments": total["amendments"] + sum(
                           len(e) for e in added["amendments"].values()),
                       "blocks": total["blocks"] + sum(len(e) for e in added["blocks"].values()),
                       "unresolved": total["unresolved"] + len(added["unresolved"]),
                       "awaiting_ids": total["awaiting_ids"] + len(added["awaiting_ids"]),
                       "clusters": len(clusters)})


def prune(memo: Any, chunks: Any) -> None:
    """Remove the chunks that no summary kept in ``memo`` names."""
    named = set()
    for parts in memo.each(first=2):
        try:
            named.update(name for _key, _n, name in parts[0])
            named.update(entry[3] for entry in parts[1])
        except (TypeError, ValueError, IndexError):
            continue
    chunks.prune(named)


def compact_enough(index: list[Any], lists: list[Any]) -> bool:
    """Whether appending to a summary of this ``index`` and ``lists`` keeps it few chunks a
    principle and a list."""
    return len(index) <= COMPACT * len({key for key, _n, _name in index}) + 32 \
        and len(lists) <= COMPACT * len({(entry[0], entry[1]) for entry in lists}) + 32


def principle_order(index: list[Any]) -> dict[Any, int]:
    """Each principle's place in the rows (the order it first appears in ``index``)."""
    order: dict[Any, int] = {}
    for key, _n, _name in index:
        order.setdefault(key, len(order))
    return order


__all__ = ["chunk_store", "in_parts", "from_parts", "head_of", "brief", "appended", "carried",
           "prune", "compact_enough", "principle_order", "BRIEF_PARTS", "PER_PRINCIPLE"]
