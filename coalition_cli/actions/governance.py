"""A member's governance records: withdrawing consent to use one of its comments
(``governance.withdrawals``)."""

from __future__ import annotations

from .. import records
from ..agenda import Agenda
from ..errors import InputError, NotPermitted
from ..identity import Identity
from ..ids import new_record_id
from ..model import Record, stamp
from . import _write
from ._write import Written, verified
from .comments import _write_record, own_comment


def comment_withdraw_consent(agenda: Agenda, identity: Identity, comment_id: str,
                             reason: str | None = None) -> Written:
    """Withdraw consent to use one of your comments: signed, accepted after the round closed
    too; from this commit on every report shows the comment without its words."""
    snap = verified(agenda)
    target, done = own_comment(agenda, snap, identity, comment_id,
                               "withdraw consent to use it", "consent-withdrawal")
    if done is not None:
        raise InputError(f"consent to use comment {target.id[:8]} was already withdrawn on "
                         f"{done.submitted_at}; nothing was written")
    reason = records.clean_text(reason, "the reason")
    record = Record(type="consent-withdrawal", id=new_record_id(), round=target.round,
                    member=identity.member.id, submitted_at=stamp(_write.now()),
                    principle=target.principle, author=identity.person, target=target.id,
                    text=reason)
    # the commit names nobody: withdrawing consent says something about the comment
    return _write_record(agenda, identity, record,
                         f"comment {target.id[:8]}: consent to use withdrawn", anonymous=True)


def notice_add(agenda: Agenda, identity: Identity, scope: str, local_contexts: dict,
               round_id: str | None = None) -> Written:
    """A facilitator applies Local Contexts Notices to the agenda, a round or a principle, in
    a round (default: the open or latest one): ``rounds/<round>/notices/<scope>.yaml``,
    signed; applying again replaces the earlier Notices of that scope."""
    from ..governance.local_contexts import SCOPE, NoticeRecord
    from ..ids import check_principle
    from ._write import _commit, _signed, _who, require_role

    snap = verified(agenda)
    require_role(identity, "facilitator", "apply Local Contexts Notices")
    round_ = _round_for(snap, round_id)
    if scope not in ("agenda", "round"):
        scope = check_principle(scope)
        if scope not in round_.principles:
            raise InputError(f"{scope} is not in round '{round_.id}'",
                             hint=f"this round covers {', '.join(round_.principles)}")
    assert SCOPE.fullmatch(scope)
    if local_contexts.get("labels"):
        raise NotPermitted("Labels are a community's to apply, not the facilitators'",
                           hint="a member of the indigenous-led sector applies them")
    rec = NoticeRecord(round=round_.id, scope=scope, local_contexts=local_contexts,
                       applied_by=identity.member.id, applied_at=stamp(_write.now()))
    rel = f"rounds/{round_.id}/notices/{scope}.yaml"
    commit = _commit(agenda, identity, _signed(agenda, identity, rel, rec.fields()),
                     f"Local Contexts Notices on {scope} in {round_.id} ({_who(identity)})")
    return Written(scope, agenda.p(rel), commit)


def label_add(agenda: Agenda, identity: Identity, principle: str, local_contexts: dict,
              round_id: str | None = None) -> Written:
    """A member of the indigenous-led sector applies its Local Contexts Labels to a principle
    that a community consent rule of coalition.yaml covers (a signed ``label`` record)."""
    from ..governance.local_contexts import LABEL_SECTOR, labels_allowed_on
    from ..ids import check_principle

    snap = verified(agenda)
    if identity.member.sector != LABEL_SECTOR:
        raise NotPermitted(f"Local Contexts Labels are applied by members of the "
                           f"{LABEL_SECTOR} sector", hint="facilitators apply Notices: "
                                                          "coalition notice add")
    round_ = _round_for(snap, round_id)
    pid = check_principle(principle)
    if pid not in round_.principles:
        raise InputError(f"{pid} is not in round '{round_.id}'")
    draft = snap.principles.get(pid)
    if not labels_allowed_on(pid, draft.themes if draft else (), snap.config):
        raise NotPermitted(f"no community consent rule of coalition.yaml covers {pid}",
                           hint="Labels go on the principles about a community's data; "
                                "label your own comments with comment add --local-contexts")
    if local_contexts.get("notices"):
        raise NotPermitted("Notices are applied by facilitators")
    record = Record(type="label", id=new_record_id(), round=round_.id, member=identity.member.id,
                    submitted_at=stamp(_write.now()), principle=pid, author=identity.person,
                    local_contexts=local_contexts)
    return _write_record(agenda, identity, record,
                         f"Local Contexts Labels on {pid} by {identity.member.id} in {round_.id}")


def _round_for(snap, round_id):  # noqa: ANN001, ANN202 - a verified Snapshot
    """The round named, else the open one, else the latest."""
    if round_id:
        return snap.round(round_id)
    round_ = snap.open_round() or next(reversed(snap.rounds.values()), None)
    if round_ is None:
        raise NotPermitted("there is no round to apply them in",
                           hint="a facilitator opens one with: coalition round open")
    return round_


def section_approve(agenda: Agenda, identity: Identity, round_id: str, section: str) -> Written:
    """A member approves its distinction section of the round's report as it reads now: a
    signed ``approval`` holding the SHA-256 of the section's content."""
    from ..reports.heard import build_report
    from ..verify import verify as verify_agenda

    snap = verified(agenda)
    round_ = snap.round(round_id)
    report = build_report(agenda, verify_agenda(agenda, snap.commit), round_.id)
    found = next((s for s in report.get("distinctions") or [] if s["id"] == section), None)
    if found is None:
        ids = ", ".join(s["id"] for s in report.get("distinctions") or []) or "none"
        raise InputError(f"the report has no section '{section}'",
                         hint=f"its sections (coalition.yaml distinctions): {ids}")
    if identity.member.id not in found["member_ids"]:
        raise NotPermitted(f"only the members of '{section}' approve it "
                           f"({', '.join(found['members']) or 'it has none'})")
    record = Record(type="approval", id=new_record_id(), round=round_.id,
                    member=identity.member.id, submitted_at=stamp(_write.now()),
                    author=identity.person, target=section, text=found["digest"])
    return _write_record(agenda, identity, record,
                         f"report section {section} of {round_.id} approved by "
                         f"{identity.member.id}")
