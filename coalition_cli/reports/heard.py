"""The "What we heard / what we did" report of a round, as plain data every format draws.

Built for readers outside the coalition (``audience="outside"``, the default): an anonymous
or confidential comment carries no member, person, path or record id here — only a
report-local number (C1, C2, …) that means nothing outside this report. Public comments keep
their organisation, id and path, so a reader can check each quote against its signed record.
``audience="coalition"`` adds the record id of every comment (never the member of an
anonymous one, never a confidential text).

What members told us is quoted, never paraphrased: every ``quotes`` string is a verbatim
slice of the comment's own text (whole sentences, cut at a sentence end when long), and every
``proposal`` the comment's own proposed wording. The rest — how to read, the executive
summary, the method — is the coalition's voice and is never put in quotation marks.
"""

from __future__ import annotations

import re

from ..agenda import Agenda
from ..i18n import N_  # the commands' explanations: translated where they are shown
from ..consensus import stance_counts, tally, voting_members
from ..model import Record, now, stamp
from ..verify import Verified
from ..governance.distinctions import sections as distinction_sections
from ..governance.report import applies_to, governance_fields, holdings
from ._attribution import excluded_records, member_label
from .facts import round_facts
from .near_duplicates import MINIMUM as CLUSTER_MINIMUM, THRESHOLD as CLUSTER_THRESHOLD
from .summary import _by_principle, _clusters, consensus_rule, pick_round, round_state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

AUDIENCES = ("outside", "coalition")
QUOTE_LIMIT = 600  # characters of a comment quoted before it is cut at a sentence end
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
# what ends a search phrase: characters a shell (in double quotes) or the record's JSON
# string escaping would change, and bidirectional controls
_UNSAFE_IN_SHELL = re.compile("[\"`$\\\\!\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def verbatim_quotes(text: str | None, limit: int = QUOTE_LIMIT) -> tuple[list[str], bool]:
    """(quotes, cut): the paragraphs of ``text`` as exact slices of it, up to ``limit``
    characters in all, cut after the last whole sentence that fits (or the first sentence,
    if even that is longer). ``cut`` says something was left out."""
    if not text or not text.strip():
        return [], False
    quotes: list[str] = []
    used = 0
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        if used + len(para) <= limit:
            quotes.append(para)
            used += len(para)
            continue
        room = max(limit - used, 0)
        ends = [m.start() for m in _SENTENCE_END.finditer(para)]
        fit = [e for e in ends if e <= room]
        if fit:
            quotes.append(para[:fit[-1]])
        elif not quotes:
            quotes.append(para[:ends[0]] if ends else para)
        return quotes, True
    return quotes, False


def search_phrase(quote: str, limit: int = 60) -> str:
    """A piece of ``quote`` to find its signed record with ``git grep -F``: its start, up to
    ``limit`` characters, stopped at the first character a shell or grep pattern would
    treat specially, and at a word end."""
    cut = _UNSAFE_IN_SHELL.search(quote)
    piece = quote[: cut.start()] if cut else quote
    if len(piece) > limit:
        piece = piece[:limit].rsplit(" ", 1)[0]
    return " ".join(piece.split()[:12]) if piece.strip() else ""


def _item(rec: Record, ref: str, audience: str, verified: Verified, state: Any,
          responses: dict[str, Any], agenda: Agenda) -> dict[str, Any]:
    """One comment as the report shows it; the attribution rules are applied here."""
    members = verified.members
    public = rec.attribution == "public"
    confidential = rec.attribution == "confidential"
    quotes, cut = ([], False) if confidential else verbatim_quotes(rec.text)
    resp = responses.get(rec.id)
    ack = state.acks.get(rec.id)
    endorsers = [member_label(e, members) for e in state.endorsements.get(rec.id, [])]
    show_id = public or audience == "coalition"
    return {
        "ref": ref, "principle": rec.principle, "attribution": rec.attribution, "stance": rec.stance, "kind": rec.kind,
        "themes": list(rec.themes),
        "who": member_label(rec, members),  # None unless public
        "sector": (members[rec.member].sector if public and rec.member in members else None),
        "comment": rec.id if show_id else None,
        "path": agenda.p(f"rounds/{rec.round}/comments/{rec.member}/{rec.id}.yaml") if public else None,
        "on": None if confidential or not rec.anchor else rec.anchor.get("quote"),
        "quotes": quotes, "cut": cut,
        "lang": rec.lang,  # the language it was written in (None for a confidential one)
        "search": [search_phrase(q) for q in quotes],
        "proposal": None if confidential else rec.proposed_text,
        "endorsed_by": endorsers,
        "disposition": resp.disposition if resp else None,
        # an answer to a confidential comment was written to the member in confidence
        "rationale": resp.rationale if resp and not confidential else None,
        "commit": resp.commit if resp else None,
        "ack": ack.answer if ack else None,
    }


def build_report(agenda: Agenda, verified: Verified, round_id: str, *,
                 audience: str = "outside") -> dict[str, Any]:
    """The "what we heard / what we did" report of ``round_id`` (see the module docstring)."""
    from ..errors import UsageError
    from .changes import build_changes

    if audience not in AUDIENCES:
        raise UsageError(f"unknown audience '{audience}'", hint="use one of: " + ", ".join(AUDIENCES))
    config = verified.require_config()
    rnd = pick_round(verified, round_id)
    state = round_state(verified, rnd.id)
    members = verified.members
    voting = voting_members(members)
    responses = verified.responses.get(rnd.id, {})
    facts = round_facts(agenda, verified, rnd)

    effective = _by_principle(state.effective.values())
    refs = {rec.id: f"C{i}" for i, rec in enumerate(effective, 1)}
    items = {rec.id: _item(rec, refs[rec.id], audience, verified, state, responses, agenda)
             for rec in effective}

    no_consent = verified.consent_withdrawn.get(rnd.id, {})
    texts = {c.id: c.text for c in state.effective.values()  # in submission order, as the summary's
             if c.attribution != "confidential" and c.text and c.id not in no_consent}
    for cid in no_consent:  # its words are gone from the report: no path to look them up by
        if cid in items:
            items[cid]["path"] = None
    groups = _clusters(agenda, texts, rnd.id)
    changes = build_changes(agenda, rnd.id, verified.commit, verified=verified)
    changed = {p["id"]: p for p in changes["principles"]}

    draft_themes = {p.id: p.themes for p in agenda.snapshot(rnd.draft).principles.values()}
    principles = []
    counted = stance_counts(state, voting)
    for pid in rnd.principles:
        t = tally(state, pid, voting, config, themes=draft_themes.get(pid, ()), counted=counted)
        heard = [items[rec.id] for rec in effective if rec.principle == pid]
        change = changed.get(pid) or {}
        dissent = [{"ref": i["ref"], "who": i["who"], "attribution": i["attribution"],
                    "why": "block" if i["stance"] == "block" else "maintains-objection",
                    "stance": i["stance"]}
                   for i in heard if i["stance"] == "block" or i["ack"] == "maintains-objection"]
        principles.append({
            "id": pid, "title": change.get("title") or pid, "status": t.status,
            "stances": t.stances, "voices": t.voices,
            "support_share": None if t.support_share is None else round(t.support_share, 4),
            "heard": heard,
            "confidential": sum(1 for i in heard if i["attribution"] == "confidential"),
            "confidential_chosen": sum(1 for rec in effective if rec.principle == pid and
                                       rec.attribution == "confidential" and
                                       rec.shared_with is not None),
            "change": {"status": change.get("status", "unchanged"),
                       "ops": change.get("ops") if change.get("status") == "modified" else []},
            "dissent": dissent,
            "opposed": t.stances.get("oppose", 0),
            **governance_fields(t, members),
        })

    # participation: sectors always; organisations only by what they chose to make public
    took_part: set[str] = set()
    named: set[str] = set()
    for _p, rec in verified.records.get(rnd.id, []):
        counted = (rec.type == "comment" and rec.id in state.effective) or (
            rec.type == "endorsement" and rec.target in state.effective)
        if counted:
            took_part.add(rec.member)
            if rec.attribution == "public" and rec.member in members:
                named.add(rec.member)
    # named: members with at least one public comment or endorsement (anonymity is chosen per
    # comment, and those members are named beside their public comments anyway)
    responded = {m for (m, _p) in state.voices if m in voting}
    by_sector: dict[str, dict[str, int]] = {}
    for member in voting.values():
        row = by_sector.setdefault(member.sector, {"members": 0, "responded": 0})
        row["members"] += 1
        row["responded"] += member.id in responded

    comment_records = [rec for _p, rec in verified.records.get(rnd.id, []) if rec.type == "comment"]
    in_groups = sum(len(g) for g in groups)
    excluded = excluded_records(agenda.p(f"rounds/{rnd.id}") + "/", verified.problems, rnd.id,
                                agenda.p("members") + "/")
    if audience == "outside":  # registry files are named by member: counted, not listed
        excluded = [e if e.get("path") is None else
                    {**e, "path": None, "record": "registry or round file",
                     "detail": "it did not pass verification"} for e in excluded]
    method = {
        "received": len(comment_records), "effective": len(effective),
        "withdrawn": len(state.withdrawn & set(state.comments)),
        "superseded": len(state.superseded & set(state.comments)),
        "endorsements": sum(len(v) for v in state.endorsements.values()),
        "anonymous": sum(1 for r in effective if r.attribution == "anonymous"),
        "confidential": sum(1 for r in effective if r.attribution == "confidential"),
        "clusters": {"threshold": CLUSTER_THRESHOLD, "minimum": CLUSTER_MINIMUM,
                     "groups": [sorted(refs[c] for c in g) for g in groups],
                     "grouped": in_groups, "distinct": len(effective) - in_groups + len(groups)},
        "rule": {**consensus_rule(config, len(voting)), **applies_to(principles, verified, rnd.id)},
        "excluded": excluded,
        "excluded_count": sum(e["count"] for e in excluded),
    }
    answered = [i for i in items.values() if i["disposition"]]
    dispositions: dict[str, int] = {}
    for i in answered:
        dispositions[i["disposition"]] = dispositions.get(i["disposition"], 0) + 1

    verification = _verification(agenda, verified, rnd, facts, items)
    rows = [_row(items[rec.id], rec) for rec in effective if rec.attribution != "confidential"]
    data = {
        "kind": "what-we-heard", "audience": audience, "coalition": config.name,
        "round": {"id": rnd.id, "title": rnd.title, "status": rnd.status, "draft": rnd.draft,
                  **facts},
        "rounds": [{"id": r.id, "title": r.title, "opened_at": r.opened_at,
                    "closed_at": r.closed_at, "closes_at": r.closes_at, "status": r.status}
                   for r in sorted(verified.rounds.values(), key=lambda r: r.opened_at)],
        "stances": list(config.stances),
        "participation": {"members": len(voting), "responded": len(responded),
                          "by_sector": dict(sorted(by_sector.items())),
                          "organisations": sorted(members[m].name for m in named),
                          "unnamed": len(took_part - named)},
        "method": method,
        "principles": principles,
        "dispositions": {"answered": len(answered), "awaiting": len(items) - len(answered),
                         "by_kind": dict(sorted(dispositions.items()))},
        "unresolved": [d | {"principle": p["id"]} for p in principles for d in p["dissent"]],
        "governance": holdings(verified, rnd.id, effective, members, refs=refs),
        "distinctions": distinction_sections(
            config, members, principles,
            [rec for _p, rec in verified.records.get(rnd.id, []) if rec.type == "approval"],
            {refs[rec.id]: (rec.member, rec.text) for rec in effective
             if rec.attribution == "public"}),
        "verification": verification,
        "dataset": rows,
        "generated_from": verified.commit,
        "generated_at": stamp(now()),
    }
    from .languages import add_translations

    return add_translations(data, agenda, rnd.draft, agenda.snapshot(rnd.draft).principles,
                            tuple(config.languages), with_text=True)


def _row(i: dict[str, Any], rec: Record) -> dict[str, Any]:
    """A row of the coded data set released beside the report (public and anonymous comments;
    confidential ones are counted in the report, never released)."""
    return {"ref": i["ref"], "round": rec.round, "principle": i["principle"], "who": i["who"],
            "sector": i["sector"], "attribution": i["attribution"], "stance": i["stance"],
            "kind": i["kind"], "themes": i["themes"], "on": i["on"], "lang": i["lang"],
            "text": rec.text,
            "proposal": i["proposal"], "disposition": i["disposition"],
            "rationale": i["rationale"], "commit": i["commit"], "ack": i["ack"],
            "endorsements": len(i["endorsed_by"]), "comment": i["comment"], "path": i["path"]}


def _verification(agenda: Agenda, verified: Verified, rnd: Any, facts: dict[str, Any],
                  items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The hashes and the exact commands a sceptical reader runs to check every quote."""
    closing = facts.get("closing") or {}
    base = agenda.p(f"rounds/{rnd.id}")
    commit = verified.commit
    commands = [
        {"what": N_("Get the repository at the commit this report was built from"),
         "command": f"git clone REPOSITORY coalition && cd coalition && git checkout {commit}"},
        {"what": N_("Check every signature, permission, path and the closing manifest"),
         "command": "coalition verify"},
        {"what": N_("The registry's keys, as OpenSSH allowed signers"),
         "command": f"coalition member allowed-signers --at {commit} > allowed_signers"},
    ]
    if closing:
        commands += [
            {"what": N_("The closing manifest's hashes (compare with the ones above)"),
             "command": f"sha256sum {closing['path']} && git rev-parse {commit}:{closing['path']}"},
            {"what": N_("The closing manifest's signature, with stock OpenSSH"),
             "command": f"ssh-keygen -Y verify -f allowed_signers -I {closing['closed_by']} "
                        f"-n coalition-cli -s {closing['path']}.sig < {closing['path']}"},
        ]
    commands += [
        {"what": N_("Every comment record's signature, with stock OpenSSH"),
         "command": f"for f in {base}/comments/*/*.yaml; do ssh-keygen -Y verify -f allowed_signers "
                    f"-I \"$(basename \"$(dirname \"$f\")\")\" -n coalition-cli -s \"$f.sig\" "
                    f"< \"$f\" > /dev/null || echo \"FAILED: $f\"; done"},
        {"what": N_("Find the signed comment a quote comes from (PHRASE: the phrase listed for it)"),
         "command": f"git grep -F -e \"PHRASE\" {commit} -- {base}/comments"},
    ]
    if facts.get("closed_tag"):
        commands.append({"what": N_("The commit that closed the round"),
                         "command": f"git rev-parse {facts['closed_tag']}"})
    phrases = [{"ref": i["ref"], "phrase": phrase, "path": i["path"]}
               for i in items.values() for phrase in i["search"][:1] if phrase]
    return {"commit": commit, "draft": rnd.draft, "draft_tag": facts.get("draft_tag"),
            "closed_tag": facts.get("closed_tag"), "closing": closing or None,
            "commands": commands, "phrases": phrases}
