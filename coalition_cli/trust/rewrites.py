"""Rewrites: the head this clone verified last must stay in the history.

A force-push can replace history wholesale. The last head a clone verified (its
published part) is remembered in ``.git/coalition/`` — authenticated, like every cache
(``cache.save_value``) — and a later head that does not descend from it is reported as
``history-rewritten`` until the user accepts it.
"""

from __future__ import annotations

from typing import Any

from ..model import now, stamp

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


def _shared(git: Any, head: str) -> str:
    """The part of ``head`` that others have: its merge base with the branch's remote-tracking
    refs. Local commits not pushed yet may still be rebased (``coalition sync`` does it)."""
    branch = git.branch()  # (from the HEAD file: no git process)
    if not branch:
        return head
    refs = git.run("for-each-ref", "--format=%(objectname)",
                   f"refs/remotes/*/{branch}").decode().split()
    if not refs:
        return head
    code, base = git.run_status("merge-base", head, *refs[:1])
    return base.strip() if code == 0 and base.strip() else head


def pin_head(agenda: Any, head: str) -> None:
    """Remember ``head`` (its published part) as last verified in this clone."""
    from ..cache import save_value

    pins = _pins(agenda)
    pins[agenda.rel] = {"commit": _shared(agenda.git, head), "at": stamp(now())}
    save_value(_pin_path(agenda), pins)


def remote_rewritten(git: Any, old: str | None, new: str | None) -> bool:
    """Did a remote-tracking branch move from ``old`` to ``new`` other than fast-forward?"""
    return bool(old and new and old != new and not is_ancestor(git, old, new))


__all__ = ["is_ancestor", "check_rewrite", "pin_head", "remote_rewritten", "REWRITTEN"]
