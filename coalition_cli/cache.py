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

Format 4: a parse problem is stored without the path it was first seen at (the
same bytes may be moved by ``git mv``); verify puts the current path back.
At 100,000 records the file is tens of MB: it is read in one piece and loaded
with the garbage collector paused (marshal builds millions of objects and the
collector would walk them all again and again), which is 5× faster.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 4


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
                with open(self.path, "rb") as fh:
                    data = marshal.loads(fh.read())
                if isinstance(data, dict) and data.get("format") == FORMAT \
                        and data.get("code") == fingerprint and isinstance(data.get("entries"), dict):
                    self.entries = data["entries"]
                    self.loaded = len(self.entries)
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
        if keep is not None:
            self.entries = {k: v for k, v in self.entries.items() if k in keep}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".verdicts-")
            with os.fdopen(fd, "wb") as fh:
                marshal.dump({"format": FORMAT, "code": self.fingerprint, "entries": self.entries}, fh)
            os.replace(tmp, self.path)
            for old in self.path.parent.glob("verdicts-v*.marshal"):
                if old.name != self.path.name:  # another format: never read again
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written is only a slower next run


class Memo:
    """Remembered results of a pure function, keyed by a digest of exactly its input.

    For derived data that is slow to recompute at 100,000 records (the near-duplicate
    clusters of a summary): a hit returns what the function returned for the same input,
    so it never changes an answer either. Keeps the few most recent results.
    """

    def __init__(self, folder: Path | None, name: str, fingerprint: str, keep: int = 8) -> None:
        self.path = folder / f"{name}-v{FORMAT}.marshal" if folder else None
        self.fingerprint = fingerprint
        self.keep = keep
        self.entries: dict[str, Any] = {}
        if self.path and self.path.is_file():
            try:
                with open(self.path, "rb") as fh:
                    data = marshal.loads(fh.read())
                if isinstance(data, dict) and data.get("code") == fingerprint \
                        and isinstance(data.get("entries"), dict):
                    self.entries = data["entries"]
            except (EOFError, ValueError, TypeError, OSError):
                self.entries = {}

    def get(self, key: str) -> Any:
        return self.entries.get(key)

    def put(self, key: str, value: Any) -> None:
        self.entries.pop(key, None)
        self.entries[key] = value  # the newest last
        while len(self.entries) > self.keep:
            del self.entries[next(iter(self.entries))]
        if not self.path:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.stem}-")
            with os.fdopen(fd, "wb") as fh:
                marshal.dump({"code": self.fingerprint, "entries": self.entries}, fh)
            os.replace(tmp, self.path)
        except (OSError, ValueError):
            pass  # only a slower next run
