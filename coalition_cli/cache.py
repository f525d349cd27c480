"""A derived cache of per-file verdicts, kept in ``.git/coalition/`` (never in the tree).

Keyed by git object ids — ``<record blob>:<signature blob>`` — it remembers
what is expensive and can only change when those bytes change: whether the
signature verifies and with which key, the record parsed into a tuple, and the
SHA-256 of the bytes (for closing manifests). Every policy decision (who may
sign what, revocation, lateness, paths) is made afresh on every run, so the
cache never changes an answer; deleting it only costs time. A file of another
format version or made by another version of the code that parses and checks
records (see ``code_fingerprint``), or one that fails to load, is ignored and
rewritten (files of older formats are removed then).

``ResultMemo`` keeps whole results keyed by exactly what determines them: the
verdict of ``verify`` and the data of a summary by the commit they were computed
from (everything they decide follows from that commit and its history, which a
commit id names exactly), a summary's near-duplicate clusters by a digest of the
texts clustered. Asking again about a head already verified here costs one
small file read.

Every file is authenticated with a key that never leaves this user's machine
(``secret``: outside every repository), so a ``.git/coalition/`` copied from
another clone or crafted by hand is not read — it fails authentication and is
rebuilt — and marshal never reads bytes this user's tool did not write.

Format 6: every file is a random nonce, then a sequence of frames (an 8-byte
length, an HMAC of the frame, then one marshal value): a header, then the verdicts a few thousand at a time, so that
neither writing nor reading ever holds the whole file's bytes — 60 MB at
100,000 records — beside the objects (a result memo is likewise written in
parts). A parse problem is stored without the path it was first seen at (the
same bytes may be moved by ``git mv``); verify puts the current path back.
Files are loaded with the garbage collector paused (marshal builds millions of
objects and the collector would walk them all again and again), which is 5×
faster.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import marshal
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from .scratch import scratch_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT = 6
FRAME_ITEMS = 5000  # verdicts per frame
_LENGTH = 8
_MAX_FRAME = 1 << 31


def secret() -> bytes | None:
    """The key that authenticates this user's caches: 32 random bytes kept outside every
    repository (``$XDG_STATE_HOME/coalition/cache.key``, default
    ``~/.local/state/coalition/cache.key``, mode 0600), made on first use. None when it can
    be neither read nor made: then nothing is cached."""
    path = _state_folder() / "cache.key"
    known = _SECRETS.get(path)
    if known is not None:
        return known or None
    try:
        data = path.read_bytes()
        if len(data) != 32:
            raise OSError("damaged cache key")
    except OSError:
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = scratch_file(path.parent, ".cache.key-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(32))
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
            data = path.read_bytes()
        except OSError:
            data = b""
    _SECRETS[path] = data if len(data) == 32 else b""
    return _SECRETS[path] or None


_SECRETS: dict[Path, bytes] = {}


def _state_folder() -> Path:
    """``$XDG_STATE_HOME/coalition`` (default ``~/.local/state/coalition``): this user's,
    outside every repository."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.environ.get("HOME") or os.path.expanduser("~"), ".local", "state")
    return Path(base) / "coalition"

_NONCE = 16
_MAC = 32


def _mac(key: bytes, nonce: bytes, index: int, data: bytes) -> bytes:
    mac = hmac.new(key, nonce + index.to_bytes(8, "little"), hashlib.sha256)
    mac.update(data)  # not joined to the prefix: a frame is up to tens of MB, never copied
    return mac.digest()


def write_frames(fh: Any, frames: Iterable[Any], key: bytes) -> None:
    """A random nonce, then each value as one frame: its marshal length (8 bytes,
    little-endian), an HMAC-SHA256 of (nonce, frame number, bytes) under ``key``, the bytes.
    A ``Frame`` is written as it is (marshal's bytes, not marshalled again)."""
    nonce = os.urandom(_NONCE)
    fh.write(nonce)
    for index, value in enumerate(frames):
        data = value.data if type(value) is Frame else marshal.dumps(value)
        fh.write(len(data).to_bytes(_LENGTH, "little"))
        fh.write(_mac(key, nonce, index, data))
        fh.write(data)


class Frame:
    """Bytes marshal already wrote: ``write_frames`` writes them as one frame as they are."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def read_frames(fh: Any, key: bytes) -> Iterator[Any]:
    """The values ``write_frames`` wrote with ``key``. Each frame's bytes are authenticated
    before marshal reads them (marshal is not safe on crafted bytes); ValueError on a
    truncated, damaged, reordered or foreign (other key) file."""
    nonce = fh.read(_NONCE)
    if len(nonce) != _NONCE:
        raise ValueError("no nonce")
    index = 0
    while True:
        head = fh.read(_LENGTH)
        if not head:
            return
        size = int.from_bytes(head, "little")
        if len(head) != _LENGTH or size > _MAX_FRAME:
            raise ValueError("damaged frame")
        mac = fh.read(_MAC)
        data = fh.read(size)
        if len(data) != size or not hmac.compare_digest(mac, _mac(key, nonce, index, data)):
            raise ValueError("frame not authenticated")
        index += 1
        yield marshal.loads(data)


def _chunks(entries: dict[str, Any]) -> Iterator[dict[str, Any]]:
    chunk: dict[str, Any] = {}
    for key, value in entries.items():
        chunk[key] = value
        if len(chunk) == FRAME_ITEMS:
            yield chunk
            chunk = {}
    if chunk:
        yield chunk


def _atomic_frames(path: Path, frames: Iterable[Any]) -> None:
    """Write ``frames`` to ``path`` through a temporary file and a rename (nothing without
    this user's cache key)."""
    key = secret()
    if key is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = scratch_file(path.parent, f".{path.stem}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            write_frames(fh, frames, key)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_frames(path: Path) -> Iterator[Any]:
    key = secret()
    if key is None:
        raise ValueError("no cache key")
    with open(path, "rb", buffering=1 << 20) as fh:
        yield from read_frames(fh, key)


def save_value(path: Path, value: Any) -> None:
    """Remember one marshal-able value at ``path``, authenticated (see ``write_frames``)."""
    try:
        _atomic_frames(path, [value])
    except (OSError, ValueError):
        pass  # a cache that cannot be written only makes the next run slower


def load_value(path: Path) -> Any:
    """What ``save_value`` stored, or None when missing, damaged or not authenticated."""
    if not path.is_file():
        return None
    paused = gc.isenabled()
    gc.disable()
    try:
        values = list(_load_frames(path))
        return values[0] if len(values) == 1 else None
    except (EOFError, ValueError, TypeError, OSError):
        return None
    finally:
        if paused:
            gc.enable()


def write_verdicts(path: Path, header: dict[str, Any], entries: dict[str, Any]) -> None:
    """A verdict file: ``header`` (format, code; the entry count is added) and ``entries``."""
    _atomic_frames(path, [{**header, "count": len(entries)}, *_chunks(entries)])


def read_verdicts(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, entries) of a verdict file; ValueError (or EOFError, TypeError) if damaged."""
    frames = _load_frames(path)
    header = next(frames, None)
    if not isinstance(header, dict):
        raise ValueError("no header")
    entries: dict[str, Any] = {}
    for chunk in frames:
        if not isinstance(chunk, dict):
            raise ValueError("not a chunk of entries")
        entries.update(chunk)
    if header.get("count") != len(entries):
        raise ValueError("entries missing")
    return header, entries


def code_fingerprint(*modules: Any) -> str:
    """A digest of the source of ``modules``: verdicts made by other code are not reused.

    What the cache holds is what the parsing, validation and signature code made of some
    bytes; a new version of that code may judge the same bytes differently.
    """
    digest = hashlib.sha256(str(FORMAT).encode())
    for module in modules:
        try:
            digest.update(Path(module.__file__).read_bytes())
        except (OSError, TypeError, AttributeError):
            digest.update(repr(module).encode())
    return digest.hexdigest()[:16]


class VerdictCache:
    def __init__(self, folder: Path | None, fingerprint: str = "") -> None:
        self.path = folder / f"verdicts-v{FORMAT}.marshal" if folder else None
        self.fingerprint = fingerprint
        self.entries: dict[str, Any] = {}
        self.dirty = False
        self.loaded = 0
        if self.path and self.path.is_file():
            paused = gc.isenabled()
            gc.disable()
            try:
                header, entries = read_verdicts(self.path)
                if header.get("format") == FORMAT and header.get("code") == fingerprint:
                    self.entries = entries
                    self.loaded = len(entries)
            except (EOFError, ValueError, TypeError, OSError, KeyError):
                self.entries = {}
            finally:
                if paused:
                    gc.enable()

    def get(self, key: str) -> Any:
        return self.entries.get(key)

    def put(self, key: str, value: Any) -> None:
        self.entries[key] = value
        self.dirty = True

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache atomically, keeping only the keys still in use."""
        if not self.path or not self.dirty and (keep is None or len(keep) == len(self.entries)):
            return
        if keep is not None and len(keep) != len(self.entries):
            self.entries = {k: v for k, v in self.entries.items() if k in keep}
        try:
            write_verdicts(self.path, {"format": FORMAT, "code": self.fingerprint}, self.entries)
            for old in self.path.parent.glob("verdicts-v*.marshal"):
                if old.name != self.path.name:  # another format: never read again
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written is only a slower next run


_PACKAGE_CODE: str | None = None


def source_digest(root: str) -> str:
    """A digest of every ``*.py`` under ``root``, by relative path, in the order of their
    paths' parts (what ``sorted(Path(root).rglob("*.py"))`` gives, walked without pathlib)."""
    found: list[tuple[str, ...]] = []
    for folder, _dirs, names in os.walk(root):  # as rglob: no symlinked folder entered
        rel = os.path.relpath(folder, root)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        found.extend((*parts, name) for name in names if name.endswith(".py"))
    digest = hashlib.sha256(str(FORMAT).encode())
    for parts in sorted(found):
        digest.update("/".join(parts).encode() + b"\0")
        try:
            with open(os.path.join(root, *parts), "rb") as fh:
                digest.update(fh.read())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()[:16]


def package_fingerprint() -> str:
    """A digest of every module of the package: results computed by other code are not reused."""
    global _PACKAGE_CODE
    if _PACKAGE_CODE is None:
        _PACKAGE_CODE = code_digest(os.path.dirname(os.path.abspath(__file__)))
    return _PACKAGE_CODE


CODE_ROOTS = 16  # installs whose digest is remembered (``code_digest``)
_RACY = 2.0  # seconds: a file changed this recently may change again unseen by its times


def code_digest(root: str) -> str:
    """``source_digest(root)``, remembered (authenticated, in this user's state folder) with
    what each file's metadata says — its path, size, inode, modification and change times —
    so that a start reads the metadata of the package's files, not all their bytes, while
    none of them changes. Not remembered while a file was changed in the last ``_RACY``
    seconds (a second write in the same tick of a coarse clock would keep its times), nor
    when a file cannot be read."""
    import time

    listed: list[str] = []
    newest = 0
    cut = len(os.path.join(root, ""))  # (a file's path within ``root``: what follows this)
    try:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    st = os.stat(path)
                    newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
                    listed.append(f"{path[cut:]}\0{st.st_size}\0{st.st_ino}"
                                  f"\0{st.st_mtime_ns}\0{st.st_ctime_ns}")
    except OSError:
        return source_digest(root)
    listed.sort()
    seen = hashlib.sha256("\n".join(listed).encode("utf-8", "surrogatepass")).hexdigest()
    where = _state_folder() / "code.marshal"
    known = load_value(where)
    known = known if type(known) is dict else {}
    got = known.get(root)
    if type(got) is list and len(got) == 2 and got[0] == seen and type(got[1]) is str:
        return got[1]
    digest = source_digest(root)
    if newest < (time.time() - _RACY) * 1e9:
        known.pop(root, None)
        kept = dict(list(known.items())[-(CODE_ROOTS - 1):])
        save_value(where, {**kept, root: [seen, digest]})
    return digest


def _read_result(path: Path, first: int | None) -> tuple[dict, list[Any]] | None:
    """(header, values) of a result file made by this code (``first``: only that many
    values read), or None."""
    paused = gc.isenabled()
    gc.disable()
    try:
        frames = _load_frames(path)
        header = next(frames, None)
        if not (isinstance(header, dict) and header.get("code") == package_fingerprint()):
            return None
        count = header.get("values")
        if first is not None and type(count) is int and first <= count:
            values = [value for _, value in zip(range(first), frames)]
            return (header, values) if len(values) == first else None
        values = list(frames)
        return (header, values) if len(values) == count else None
    except (EOFError, ValueError, TypeError, OSError):
        return None
    finally:
        if paused:
            gc.enable()


class ResultMemo:
    """Results keyed by exactly what determines them (a commit id, the agenda folder, the
    round asked for) and by the code that computed them; one file per result, in
    ``.git/coalition/results/``, the ``keep`` most recent of each kind kept.

    A file that fails to load, or whose stored key or code differs from the one asked for,
    is a miss: the caller computes the result afresh, as if there were no memo.
    """

    def __init__(self, folder: Path | None, kind: str, keep: int = 4) -> None:
        self.folder = folder / "results" if folder else None
        self.kind = kind
        self.keep = keep

    def _file(self, key: tuple) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.sha256(repr((FORMAT, package_fingerprint(), key)).encode(
            "utf-8", "surrogatepass")).hexdigest()[:32]
        return self.folder / f"{self.kind}-{name}.marshal"

    def get(self, key: tuple, first: int | None = None) -> list[Any] | None:
        """The values ``put`` stored for ``key``, in order; None on a miss. ``first``: only
        that many of them, the rest of the file not read (each frame is authenticated on
        its own, under the file's nonce and its place in it)."""
        path = self._file(key)
        if path is None or not path.is_file():
            return None
        got = _read_result(path, first)
        return got[1] if got is not None and got[0].get("key") == list(key) else None

    def each(self, first: int | None = None) -> Iterator[list[Any]]:
        """The values (``first``: the first that many) of every result of this kind kept."""
        for path in self.folder.glob(f"{self.kind}-*.marshal") if self.folder else ():
            got = _read_result(path, first)
            if got is not None:
                yield got[1]

    def put(self, key: tuple, values: list[Any]) -> None:
        """Remember ``values`` (what marshal can write), one frame each: a large result is
        given in parts, so that writing it never holds all its bytes at once."""
        path = self._file(key)
        if path is None:
            return
        try:
            _atomic_frames(path, [{"code": package_fingerprint(), "key": list(key),
                                   "values": len(values)}, *values])
            mine = sorted(path.parent.glob(f"{self.kind}-*.marshal"),
                          key=lambda p: p.stat().st_mtime, reverse=True)
            for old in mine[self.keep:]:
                old.unlink(missing_ok=True)
        except (OSError, ValueError):
            pass  # a result that cannot be remembered is only computed again next time


class Chunks:
    """Values shared by the results of one kind (``ResultMemo``), each stored once in its own
    file named by the SHA-256 of its marshal bytes (``{kind}-{name}.marshal``), authenticated
    like every file here: a result names the chunks it is made of, and a new result that
    keeps most of an old one's chunks writes only its new ones.

    ``get`` checks the file's key, the code that wrote it and the name it was written
    under; ``prune`` removes the chunks no kept result names any more.
    """

    def __init__(self, folder: Path | None, kind: str) -> None:
        self.folder = folder / "results" if folder else None
        self.kind = kind

    def _file(self, name: str) -> Path | None:
        return self.folder / f"{self.kind}-{name}.marshal" if self.folder else None

    def put(self, value: Any) -> str:
        """Store ``value``; its name."""
        data = marshal.dumps(value)
        name = hashlib.sha256(data).hexdigest()[:32]
        path = self._file(name)
        if path is not None:
            try:
                _atomic_frames(path, [{"code": package_fingerprint(), "chunk": name, "values": 1},
                                     Frame(data)])
            except (OSError, ValueError):
                pass  # a chunk not written: the result naming it is a miss next time
        return name

    def get(self, name: str) -> Any:
        """The value stored under ``name``; KeyError when it is missing, damaged, not
        authenticated, made by other code or stored under another name."""
        path = self._file(name) if type(name) is str and name.isalnum() else None
        got = _read_result(path, None) if path is not None and path.is_file() else None
        if got is None or got[0].get("chunk") != name:
            raise KeyError(name)
        return got[1][0]

    def prune(self, named: set[str]) -> None:
        """Remove every chunk of this kind whose name is not in ``named``."""
        if self.folder is None:
            return
        for path in self.folder.glob(f"{self.kind}-*.marshal"):
            if path.stem[len(self.kind) + 1:] not in named:
                path.unlink(missing_ok=True)
