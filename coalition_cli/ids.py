"""Identifiers: what an id may look like, how record ids are made, prefix lookup.

Ids end up in file paths, so anything outside the allowed alphabet is refused
before it gets near the file system (no ``../x``, no ``/``, no NUL).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from .errors import AmbiguousId, InputError, NotFound

SLUG_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
PRINCIPLE_ID = re.compile(r"P[0-9]{2,6}")
RECORD_ID = SLUG_ID
SHORT = 8  # characters of a record id shown in listings


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 70 else text[:67] + "..."


def check_slug(value: str, what: str) -> str:
    """Return ``value`` if it is a valid member/round/record id, else raise."""
    if not isinstance(value, str) or not SLUG_ID.fullmatch(value):
        raise InputError(
            f"invalid {what} id {_shown(value)!s}: use 1-63 characters a-z, 0-9 and '-', "
            "starting with a letter or digit"
        )
    return value


def check_principle(value: str) -> str:
    """Return a principle id (``P`` + digits, ``p3`` and ``3`` are accepted as ``P03``)."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and re.fullmatch(r"[Pp]?[0-9]{1,6}", text):
        digits = text.lstrip("Pp")
        return f"P{int(digits):02d}"
    if isinstance(text, str) and PRINCIPLE_ID.fullmatch(text):
        return text
    raise InputError(f"invalid principle id {_shown(value)}: principle ids look like P03")


def new_record_id() -> str:
    """A fresh record id: 16 hex digits of randomness, unique without coordination."""
    return os.urandom(8).hex()  # secrets.token_hex(8), without importing random for it


def resolve_prefix(prefix: str, candidates: Iterable[str], what: str = "record") -> str:
    """Find the one id among ``candidates`` that starts with ``prefix``."""
    prefix = prefix.strip().lower()
    if not prefix or not re.fullmatch(r"[a-z0-9-]{1,63}", prefix):
        raise InputError(f"invalid {what} id {_shown(prefix)}")
    found = [c for c in candidates if c.startswith(prefix)]
    if not found:
        raise NotFound(f"no {what} with id '{prefix}'", hint=f"list them with: coalition {what} list")
    exact = [c for c in found if c == prefix]
    if exact:
        return exact[0]
    if len(set(found)) > 1:
        raise AmbiguousId(prefix, sorted(set(found)))
    return found[0]


def slugify(title: str, limit: int = 40) -> str:
    """A file-name slug for a principle title (ASCII, lowercase, dash separated)."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "principle"
