"""What ``coalition verify`` does once its options are parsed: the one body that both
typer's command (``cli.reports``) and the direct path (``_direct``) call. No typer here: a
plain ``coalition verify`` runs without importing it, whose import was 30 ms of a 105 ms
warm verify (``benchmarks/results.md``)."""

from __future__ import annotations

from pathlib import Path

from ._common import Out, check_format, open_agenda, progress_bar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def verified(ag: Any, at: str | None = None, round_id: str | None = None,
             outcome_only: bool = False, trust: list[str] | None = None) -> Any:
    """The agenda at ``at`` verified (``verify.verify``, or only its verdict:
    ``verify_outcome``), with a progress bar on a terminal."""
    from ..verify import verify, verify_outcome

    update, finish = progress_bar("verifying")
    try:
        run = verify_outcome if outcome_only else verify
        return run(ag, at, round_id=round_id, progress=update, trust=trust)
    finally:
        finish()


def verify(*, round_id: str | None = None, trust: list[str] | None = None,
           accept_rewrite: bool = False, at: str | None = None, agenda: Path | None = None,
           fmt: str = "terminal") -> int:
    """Check every signature, permission, path and manifest: the exit code, 1 on any
    problem."""
    from ..trust import rewrites

    check_format(fmt, ("terminal", "json"))
    ag = open_agenda(agenda)
    if round_id is not None:  # an unknown round is a mistake, not a clean bill of health
        from ..errors import NotFound
        from ..ids import check_slug

        check_slug(round_id, "round")
        if not ag.snapshot(at).entries(f"rounds/{round_id}"):
            raise NotFound(f"no round '{round_id}'", hint="list them with: coalition round list")
    result = verified(ag, at, round_id, outcome_only=True, trust=trust)
    if at is None and not any(p["problem"] == "incomplete-history" for p in result.problems):
        # the head this clone verified last must still be in the history
        rewritten = None if accept_rewrite else rewrites.check_rewrite(ag, result.commit)
        if rewritten:
            result.problems.append(rewritten)
        else:
            rewrites.pin_head(ag, result.commit, accepted=accept_rewrite)
    out = Out(fmt)
    if out.json:
        out.data(result.as_json())
    else:
        _say(out, result)
    # the verified records are left for the process's exit to drop (``cli._leave``), not
    # freed one object at a time as this returns (5 ms at 10,000); kept until the next call
    _KEPT[:] = [result, ag]
    return 0 if result.ok else 1


_KEPT: list[Any] = []


def _say(out: Out, result: Any) -> None:
    for p in result.problems:
        out.line(f"{p['problem']}: {p['path']}: {p['detail']}")
    founders = ", ".join(sorted(result.founders)) or "none"
    if result.trust_source == "first-use":
        out.note(f"trust on first use: no founders are pinned in this clone, so the "
                 f"founders are those the history itself names ({founders}); check "
                 "them with the facilitators, then pin them: coalition trust SHA256:…")
    else:
        where = "given with --trust" if result.trust_source == "given" else \
            "pinned in this clone"
        out.note(f"founders {where}: {founders}")
    verdict = "ok" if result.ok else f"{len(result.problems)} problem(s)"
    out.note(f"checked {result.checked} signed files at {result.commit[:8]}: {verdict}")
