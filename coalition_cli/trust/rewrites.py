"""Rewrites: the head this clone verified last must stay in the history.

A force-push can replace history wholesale. The last head a clone verified (its
published part) is remembered in ``.git/coalition/`` — authenticated, like every cache
(``cache.save_value``) — and a later head that does not descend from it is reported as
``history-rewritten`` until the user accepts it.
"""

from __future__ import annotations

from ..model import now, stamp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

REWRITTEN = "history-rewritten"
CONFIG = "coalition.yaml"


def is_ancestor(git: Any, old: str, new: str) -> bool:
    """Is ``old`` an ancestor of (or equal to) ``new``? False when ``old`` is unknown."""
    if old == new:
        return True
    code, _ = git.run_status("merge-base", "--is-ancestor", old, new)
    return code == 0


def _pin_path(agenda: Any) -> Any:
    return agenda.git.git_dir / "coalition" / "verified-head.marshal"


def _pins(agenda: Any) -> dict[str, Any]:
    from ..cache import load_value

    data = load_value(_pin_path(agenda))
    return data if isinstance(data, dict) else {}


def check_rewrite(agenda: Any, head: str) -> dict[str, str] | None:
    """A ``history-rewritten`` problem when ``head`` no longer descends from the pinned one."""
    pin = _pins(agenda).get(agenda.rel)
    if not isinstance(pin, dict) or not isinstance(pin.get("commit"), str):
        return None
    old = pin["commit"]
    if is_ancestor(agenda.git, old, head):
        return None
    return {"path": agenda.p(CONFIG), "problem": REWRITTEN,
            "detail": f"the branch was rewritten: commit {old[:8]}, verified here on "
                      f"{pin.get('at', '?')}, is no longer in the history of {head[:8]} "
                      "(a force-push?); compare with git reflog, and if the rewrite was "
                      "intended accept it with: coalition verify --accept-rewrite"}


def _shared(git: Any, head: str) -> tuple[str, bool]:
    """The part of ``head`` that others have — its merge base with the branch's
    remote-tracking refs — and whether it is that (False: no remote branch to compare
    with, ``head`` itself). Local commits not pushed yet may still be rebased
    (``coalition sync`` does it)."""
    branch = git.branch()  # (from the HEAD file: no git process)
    if not branch:
        return head, False
    refs = git.run("for-each-ref", "--format=%(objectname)",
                   f"refs/remotes/*/{branch}").decode().split()
    if not refs:
        return head, False
    code, base = git.run_status("merge-base", head, *refs[:1])
    return (base.strip(), True) if code == 0 and base.strip() else (head, False)


def pin_head(agenda: Any, head: str, *, accepted: bool = False) -> None:
    """Remember ``head`` (its published part) as last verified in this clone — never moving
    back from a pin that was published: a remote branch that no longer holds a commit this
    clone saw published there was rewritten, and the pin stays where it was, so that a head
    later moved onto that branch (``git reset --hard origin/main``) is reported. (A fetch
    of the rewritten branch, then a verify of the unchanged head, used to move the pin back
    to where the rewrite forked, and the reset after it passed.) ``accepted``: the user
    accepted a rewrite (``--accept-rewrite``): the pin is ``head``'s, wherever it is."""
    from ..cache import save_value

    pins = _pins(agenda)
    commit, published = _shared(agenda.git, head)
    old = pins.get(agenda.rel)
    if not accepted and isinstance(old, dict) and old.get("published") is True \
            and isinstance(old.get("commit"), str) and old["commit"] != commit \
            and is_ancestor(agenda.git, commit, old["commit"]):
        return  # behind a published pin: the remote branch lost it
    pins[agenda.rel] = {"commit": commit, "at": stamp(now()), "published": published}
    save_value(_pin_path(agenda), pins)


def remote_rewritten(git: Any, old: str | None, new: str | None) -> bool:
    """Did a remote-tracking branch move from ``old`` to ``new`` other than fast-forward?"""
    return bool(old and new and old != new and not is_ancestor(git, old, new))


__all__ = ["is_ancestor", "check_rewrite", "pin_head", "remote_rewritten", "REWRITTEN"]
