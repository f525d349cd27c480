"""A derived cache of per-file verdicts, kept in ``.git/coalition/`` (never in the tree).

Keyed by git object ids — ``<record blob>:<signature blob>`` — it remembers
what is expensive and can only change when those bytes change: whether the
signature verifies and with which key, the record parsed into a tuple, and the
SHA-256 of the bytes (for closing manifests). Every policy decision (who may
sign what, revocation, lateness, paths) is made afresh on every run, so the
cache never changes an answer; deleting it only costs time. A file of another
format version, or one that fails to load, is ignored and rewritten.
"""

from __future__ import annotations

import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 3


class VerdictCache:
    def __init__(self, folder: Path | None) -> None:
        self.path = folder / f"verdicts-v{FORMAT}.marshal" if folder else None
        self.entries: dict[str, Any] = {}
        self.dirty = False
        self.loaded = 0
        if self.path and self.path.is_file():
            try:
                with open(self.path, "rb") as fh:
                    data = marshal.load(fh)
                if isinstance(data, dict) and data.get("format") == FORMAT:
                    self.entries = data["entries"]
                    self.loaded = len(self.entries)
            except (EOFError, ValueError, TypeError, OSError, KeyError):
                self.entries = {}

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
                marshal.dump({"format": FORMAT, "entries": self.entries}, fh)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written is only a slower next run
