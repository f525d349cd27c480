"""The root of trust: which founders' keys a clone believes in.

``coalition trust SHA256:…`` pins one or more fingerprints in the clone's own git
config (``coalition.trust``, like ``known_hosts``); ``verify --trust`` pins them for
one run. With a pin, the founders are exactly those keys: the first registry must be
signed by them and every later change must descend from them by facilitator
signatures; a fingerprint listed in ``coalition.yaml`` never extends it. Without a pin,
the founders are those the first ``coalition.yaml`` of the history names — trust on
first use — and every command that reports on trust says so.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..plainclass import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
CONFIG_KEY = "coalition.trust"


@dataclass(frozen=True)
class Roots:
    founders: frozenset[str]  # pinned fingerprints; empty for trust on first use
    source: str  # "pinned" (git config), "given" (--trust), or "first-use"

    @property
    def pinned(self) -> bool:
        return bool(self.founders)

    def key(self) -> tuple[str, ...]:
        """What a remembered result depends on."""
        return (self.source, *sorted(self.founders))


def check_fingerprint(value: str) -> str:
    value = value.strip()
    if not FINGERPRINT.fullmatch(value):
        raise InputError(f"'{value[:60]}' is not a key fingerprint",
                         hint="fingerprints look like SHA256:… (43 characters after the colon); "
                              "get the founders' from them, out of band")
    return value


def pinned(git: Any) -> frozenset[str]:
    """The fingerprints pinned in this clone's git config."""
    values = git.config_values(CONFIG_KEY) if hasattr(git, "config_values") else None
    if values is None:
        code, out = git.run_status("config", "--get-all", CONFIG_KEY)
        if code != 0:
            return frozenset()
        values = out.splitlines()
    return frozenset(v.strip() for v in values if FINGERPRINT.fullmatch(v.strip()))


def roots(git: Any, given: list[str] | None = None) -> Roots:
    if given:
        return Roots(frozenset(check_fingerprint(v) for v in given), "given")
    found = pinned(git)
    return Roots(found, "pinned") if found else Roots(frozenset(), "first-use")


def pin(git: Any, fingerprints: list[str]) -> frozenset[str]:
    """Pin exactly ``fingerprints`` for this clone (replacing what was pinned)."""
    checked = [check_fingerprint(v) for v in fingerprints]
    if not checked:
        raise InputError("give at least one founder's fingerprint (SHA256:…)")
    git.run_status("config", "--local", "--unset-all", CONFIG_KEY)
    for value in dict.fromkeys(checked):
        git.run("config", "--local", "--add", CONFIG_KEY, value)
    return frozenset(checked)


__all__ = ["Roots", "roots", "pin", "pinned", "check_fingerprint", "FINGERPRINT"]
