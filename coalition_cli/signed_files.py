"""The agenda's signed files as the tree lists them, before any is read: which must be
checked, which the ledger judges, what is in the wrong place, and which of them the
verdict cache has judged already (``verify`` checks the rest).

``scan_listing`` walks the listing once (git sorts it by path, so a record's ``.sig``
almost always follows it); ``look_up`` sorts the signed files into verdicts the cache
holds, files to check, and cached verdicts of records no key of the registry had signed
(``UNPARSED``), which are checked again if the registry has the key now.
"""

from __future__ import annotations

from itertools import chain

from .agenda import CONFIG
from .plainclass import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .cache import VerdictCache

# a verdict's parse problem for a record signed by no key of the trusted registry: it was
# never parsed
UNPARSED = "\1"


@dataclass
class Scan:
    """What the listing says before any file is read: the signed files to check (path, sha,
    signature sha), how many governed files the ledger judges, and the problems of shape."""
    signed: list[tuple[str, str, str | None]]
    governed: int
    problems: list[tuple[str, str, str]]  # (path, problem, detail), recorded in this order


def scan_listing(entries: list[tuple[str, str, str]], base: str, round_id: str | None) -> Scan:
    from .trust.ledger import kind_of

    # git lists a tree sorted by path, so X.yaml.sig almost always comes right after X.yaml:
    # look there first, and in a dict of every path (built only if needed) otherwise
    by_path: dict[str, str] = {}

    def sha_of(path: str) -> str | None:
        if not by_path:
            by_path.update((p, sha) for _mode, sha, p in entries)
        return by_path.get(path)

    found = Scan([], 0, [])
    signed, problems = found.signed, found.problems
    cut = len(base)
    previous = ""
    following = iter(entries)
    next(following, None)
    for (mode, sha, path), (_m, next_sha, next_path) in zip(entries, chain(following, [("", "", "")])):
        rel = path[cut:]
        before, previous = previous, path
        if not base and not rel.startswith(_PLACES) and rel not in _TOP_FILES:
            continue  # an agenda at the top of its repository: the project's other files
        if mode == "120000":
            problems.append((path, "malformed", "a symlink where a file should be"))
            continue
        if mode == "160000":  # its id, read as a blob, would pass for a file no checkout has
            problems.append((path, "malformed", "a submodule where a file should be"))
            continue
        if rel.endswith(".sig"):
            if path[:-4] != before and sha_of(path[:-4]) is None:
                problems.append((path, "malformed", "a signature with no record beside it"))
            continue
        if kind_of(rel):
            found.governed += 1  # judged by the ledger
            continue
        if rel.startswith(("members/", "rounds/")):
            if not rel.endswith(".yaml"):
                problems.append((path, "wrong-place", "not a record file"))
                continue
            sig_path = path + ".sig"
            signed.append((path, sha, next_sha if next_path == sig_path else sha_of(sig_path)))
        elif rel.startswith("principles/"):
            problems.append((path, "wrong-place", "not a principle file (P<number>-<slug>.md)"))
    by_path.clear()
    if round_id is not None:
        keep = (f"{base}members/", f"{base}rounds/{round_id}/")
        found.signed = [s for s in signed if s[0].startswith(keep)]
    return found


# an agenda's own places, which an agenda at the top of its repository shares the tree with
_PLACES = ("members/", "rounds/", "principles/")
_TOP_FILES = frozenset({CONFIG, CONFIG + ".sig"})


@dataclass
class Lookup:
    """The signed files against the cache: verdicts it holds, files to check (key, path, sha,
    sig sha), and cached verdicts of records signed by no key of the registry then, which
    are checked again if the registry has the key now."""
    verdicts: dict[str, tuple]
    todo: list[tuple[str, str, str, str | None]]
    unparsed: list[tuple[tuple[str, str, str, str | None], tuple]]
    in_use: set[str]


def look_up(signed: list[tuple[str, str, str | None]], cache: VerdictCache) -> Lookup:
    found = Lookup({}, [], [], set())
    cached = cache.entries.get
    for path, sha, sig_sha in signed:
        key = cache_key(path, sha, sig_sha)
        found.in_use.add(key)
        hit = cached(key)
        if type(hit) is not tuple or len(hit) != 5:  # missing, or a damaged cache
            found.todo.append((key, path, sha, sig_sha))
        elif hit[4] == UNPARSED:
            found.unparsed.append(((key, path, sha, sig_sha), hit))
        else:
            found.verdicts[path] = hit
    return found


def cache_key(path: str, sha: str, sig_sha: str | None) -> str:
    """Record blob, signature blob, and whether it is read as a member's record."""
    return f"{sha}:{sig_sha or '-'}:{'c' if '/comments/' in path else 'f'}"


__all__ = ["Lookup", "Scan", "UNPARSED", "cache_key", "look_up", "scan_listing"]
