"""The ledger's walk, remembered: what a new head's walk resumes from.

The trusted state of the last head walked here (every trusted file's version, the founders,
the rejected versions and the history events) is kept authenticated (``cache.save_value``)
and keyed by the agenda folder, the roots and the package's code. Beside it, what the
trusted registry and settings versions parsed into — plain values, keyed by their kind and
blob id — so that resuming rebuilds the head's members and config without reading and
parsing ~200 files again (a member from its checked values, the settings through
``config_from_fields``).
"""

from __future__ import annotations

from ..errors import InputError
from ..model import KeyEntry, Member, config_from_fields, member_from_fields
from .state import State, Version, kind_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT = 2  # of the remembered walk

REMEMBERED = ("member", "config")  # what every resumed walk rebuilds at its head


def plain(value: Any) -> bool:
    """Only plain values (what the canonical and block parsers give, a member's checked
    values) are remembered: marshal gives them back exactly, of the same types."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if any(type(k) is not str for k in item):
                return False
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind not in (str, int, float, bool, type(None)):
            return False
    return True


def member_values(member: Member) -> tuple:
    """A checked Member as the plain values of its fields (its keys' too), in field order."""
    from ..plainclass import astuple  # (dataclasses.astuple's values, without importing it)

    return astuple(member)  # the keys as tuples of their own fields' values


_MEMBER_SHAPE: list[int] = []  # [number of Member fields, index of "keys"], once a process


def member_of(values: tuple) -> Member:
    """The Member ``member_values`` gave ``values`` for."""
    if not _MEMBER_SHAPE:
        from ..plainclass import field_names

        names = list(field_names(Member))
        _MEMBER_SHAPE.extend((len(names), names.index("keys")))
    size, at = _MEMBER_SHAPE
    if type(values) is not tuple or len(values) != size:
        raise InputError("a remembered member of another shape")
    given = list(values)
    given[at] = tuple(KeyEntry(*entry) for entry in given[at])
    return Member(*given)


def from_fields(kind: str, rel: str, path: str, fields: Any) -> tuple[Any, str]:
    """A member file's or the settings' parsed fields (or, for a member, the Member already
    made of them) made into the object, with its order."""
    if kind == "member":
        name = rel.rsplit("/", 1)[-1]
        member = fields if isinstance(fields, Member) else member_from_fields(fields, path)
        if member.id != name[:-5]:
            raise InputError(f"{path}: member '{member.id}' is stored as {name}")
        return member, member.updated_at or ""
    config = config_from_fields(fields, path)
    return config, config.updated_at or ""


def cache_path(agenda: Any) -> Any:
    return agenda.git.git_dir / "coalition" / f"ledger-v{FORMAT}.marshal"


# what ``load`` read, by file: the walk it resumes saves its ledger into the same file,
# and reading it again (0.5 ms of a write) only adds what another process saved meanwhile —
# a remembered walk of another agenda or roots, which the next walk of those makes again
_READ: dict[str, dict] = {}


def save(agenda: Any, ledger: Any) -> None:
    from ..cache import load_value, package_fingerprint, save_value

    where = cache_path(agenda)
    stored = _READ.pop(str(where), None) or load_value(where)
    entries = stored if isinstance(stored, dict) else {}
    trusted_blobs = {v.blob for v in ledger.state.files.values()}
    entries[(agenda.rel, ledger.roots.key())] = {
        "code": package_fingerprint(),  # a walk made by other code is never resumed
        "head": ledger.head,
        "files": {p: [v.blob, v.sig, v.signer, v.order] for p, v in ledger.state.files.items()},
        "founders": None if ledger.state.founders is None else sorted(ledger.state.founders),
        "rejected": {f"{p}\0{b}": list(v) for (p, b), v in ledger.rejected.items()},
        "events": [list(e) for e in ledger.events],
        "fields": {k: v for k, v in ledger.fields.items()
                   if k.partition("\0")[2] in trusted_blobs},
    }
    while len(entries) > 8:
        entries.pop(next(iter(entries)))
    save_value(where, entries)


def load(agenda: Any, roots: Any, walk: Any) -> tuple[str, State, Any] | None:
    from ..cache import load_value, package_fingerprint
    from .ledger import Ledger

    where = cache_path(agenda)
    stored = load_value(where)
    if isinstance(stored, dict):
        _READ[str(where)] = stored
    entry = stored.get((agenda.rel, roots.key())) if isinstance(stored, dict) else None
    if not isinstance(entry, dict) or entry.get("code") != package_fingerprint():
        return None
    try:
        files = {p: Version(*v) for p, v in entry["files"].items()}
        fields = entry.get("fields", {})
        if not isinstance(fields, dict) or any(type(v) is not bytes for v in fields.values()):
            return None
        walk.ledger.fields.update(fields)
        walk.read([v.blob for p, v in files.items()  # what resuming must parse afresh
                   if kind_of(p) in REMEMBERED and f"{kind_of(p)}\0{v.blob}" not in fields])
        founders = entry["founders"]
        state = walk._state(files, frozenset(founders or ()))
        if founders is None:
            state.founders = None
        ledger = Ledger(head=entry["head"], roots=roots, state=state)
        for key, value in entry["rejected"].items():
            path, _nul, blob = key.partition("\0")
            ledger.rejected[(path, blob)] = (value[0], value[1])
        ledger.events = [tuple(e) for e in entry["events"]]  # type: ignore[misc]
        return entry["head"], state, ledger
    except (KeyError, TypeError, ValueError, InputError):
        return None


