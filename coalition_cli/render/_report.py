"""The words of the "what we heard / what we did" report, shared by its md, html and docx
renderers so every format says the same thing: how to read it, the executive summary, the
process and method in plain language, and the redline excerpts.

All of it is built from the report data alone. None of it is ever put in quotation marks:
only members' own words (``item["quotes"]``, ``item["proposal"]``) are quoted.
"""

from __future__ import annotations

from ._common import (
    EQUAL,
    DisplayPara,
    Segment,
    ack_label,
    disposition_label,
    display_paragraphs,
    fmt_date,
    fmt_share,
    one_line,
    plural,
    short_sha,
    status_label,
)
from ..i18n import N_, _, colon, current, n_

STANCE_WORDS = {"support": N_("support"), "amend": N_("support with changes"),
                "neutral": N_("neutral"), "oppose": N_("oppose"),
                "block": N_("block (a fundamental objection)")}


def dissent_why(d: dict) -> str:
    """Why a dissent remains, in a few words."""
    return _("block") if d.get("why") == "block" else _("objection maintained after the answer")


def quote_marks() -> tuple[str, str]:
    """The quotation marks of the report's language: “ ” in English, « » (with non-breaking
    spaces inside) in French."""
    return ("“", "”") if current().english else ("«\u00a0", "\u00a0»")


def stance_word(stance: object) -> str:
    value = str(stance or "")
    return _(STANCE_WORDS[value]) if value in STANCE_WORDS else one_line(stance)


def who(item: dict) -> str:
    if item.get("who"):
        return one_line(item["who"])
    if item.get("attribution") == "confidential":
        return _("Confidential comment")
    return _("A member who asked to stay anonymous")


def heading_of(item: dict) -> str:
    """'C3 · Eastside Community Health Centre · support with changes'."""
    return f"{item.get('ref')} · {who(item)} · {stance_word(item.get('stance'))}"


def how_to_read(data: dict) -> list[str]:
    rnd = data.get("round") or {}
    out = [
        _("This report tells what the members of {coalition} said in consultation round {round} "
          "({title}), and what the coalition did with it. For each principle, the part What "
          "members told us gives members' own words, and the part What the coalition did gives "
          "the facilitators' answer to each comment, the change made to the text, and the "
          "dissent that remains.", coalition=one_line(data.get("coalition")),
          round=one_line(rnd.get("id")), title=one_line(rnd.get("title"))),
        _("Only members' own words appear in quotation marks: every quotation is copied exactly "
          "from a signed comment, and the appendix shows how to find each one in the coalition's "
          "repository and check its signature. Where a long comment is cut, the cut is marked "
          "[…] outside the quotation marks. Everything else is the coalition's own summary."),
        _("Comments are numbered C1, C2, … in this report only. Members who asked for anonymity "
          "are not named; a confidential comment is counted in the figures, but its text is "
          "shared with the facilitators only and does not appear here."),
    ]
    if data.get("audience") == "coalition":
        out.append(_("This edition is for the coalition's members: it also shows each "
                     "comment's record id."))
    return out


def _status_phrase(status: str, ids: list[str]) -> str:
    n, listed = len(ids), ", ".join(ids)
    if status == "consensus":
        return n_("{n} principle reached consensus ({ids})",
                  "{n} principles reached consensus ({ids})", n, ids=listed)
    if status == "contested":
        return n_("{n} principle is contested ({ids})", "{n} principles are contested ({ids})",
                  n, ids=listed)
    if status == "blocked":
        return n_("{n} principle is blocked by a member's fundamental objection ({ids})",
                  "{n} principles are blocked by members' fundamental objections ({ids})",
                  n, ids=listed)
    return n_("{n} principle drew too few stances to conclude (no quorum) ({ids})",
              "{n} principles drew too few stances to conclude (no quorum) ({ids})", n, ids=listed)


def executive_summary(data: dict) -> list[str]:
    part = data.get("participation") or {}
    method = data.get("method") or {}
    rnd = data.get("round") or {}
    principles = data.get("principles") or []
    by_status: dict[str, list[str]] = {}
    for p in principles:
        by_status.setdefault(p.get("status") or "", []).append(one_line(p.get("id")))
    closed = rnd.get("closed_at") or rnd.get("closes_at")
    clusters = method.get("clusters") or {}
    once = (" " + _("({n} once near-identical comments are counted once)",
                    n=clusters["distinct"]) if clusters.get("groups") else "")
    out = [
        _("{responded} of {members} voting member organisations took part between {opened} and "
          "{closed}. They sent {comments} on {principles}{once}.",
          responded=part.get("responded", 0), members=part.get("members", 0),
          opened=fmt_date(rnd.get("opened_at")), closed=fmt_date(closed),
          comments=plural(method.get("effective", 0), "comment"),
          principles=plural(len(principles), "principle"), once=once)
    ]
    words = [_status_phrase(status, by_status[status])
             for status in ("consensus", "contested", "blocked", "no-quorum")
             if by_status.get(status)]
    if words:
        out.append("; ".join(words) + ".")
    disp = data.get("dispositions") or {}
    kinds = disp.get("by_kind") or {}
    if kinds:
        listed = ", ".join(_("{n} {disposition}", n=n, disposition=disposition_label(k).lower())
                           for k, n in kinds.items())
        awaiting = ("; " + _("{n} still await an answer", n=disp["awaiting"])
                    if disp.get("awaiting") else "")
        out.append(_("The facilitators answered {answered} of {effective} comments "
                     "({listed}){awaiting}.", answered=disp.get("answered", 0),
                     effective=method.get("effective", 0), listed=listed, awaiting=awaiting))
    changed = [one_line(p.get("id")) for p in principles
               if (p.get("change") or {}).get("status") == "modified"]
    if changed:
        out.append(n_("The text of {n} principle was revised ({ids}).",
                      "The text of {n} principles was revised ({ids}).", len(changed),
                      ids=", ".join(changed)))
    unresolved = data.get("unresolved") or []
    if unresolved:
        listed = "; ".join(
            (_("a block on {principle} ({ref})", principle=one_line(u.get("principle")),
               ref=u.get("ref")) if u.get("why") == "block" else
             _("an objection maintained after the answer on {principle} ({ref})",
               principle=one_line(u.get("principle")), ref=u.get("ref")))
            for u in unresolved)
        out.append(n_("{n} objection remains unresolved: {listed}.",
                      "{n} objections remain unresolved: {listed}.", len(unresolved),
                      listed=listed))
    else:
        out.append(_("No block or maintained objection remains."))
    return out


def process_rows(data: dict) -> list[tuple[str, str]]:
    rnd = data.get("round") or {}
    rows = [(_("Round"), f"{one_line(rnd.get('id'))} — {one_line(rnd.get('title'))}"),
            (_("Opened"), fmt_date(rnd.get("opened_at"))),
            (_("Planned close"), fmt_date(rnd.get("planned_closes_at") or rnd.get("closes_at")))]
    for i, e in enumerate(rnd.get("extensions") or [], 1):
        rows.append((_("Extension {i}", i=i),
                     _("from {start} to {end} (decided {decided})", start=fmt_date(e.get("from")),
                       end=fmt_date(e.get("to")), decided=fmt_date(e.get("recorded_at")))))
    rows.append((_("Closed"), fmt_date(rnd["closed_at"]) if rnd.get("closed_at")
                 else _("still open")))
    rows.append((_("Facilitated by"), ", ".join(one_line(f) for f in rnd.get("facilitators") or [])
                 or "—"))
    rows.append((_("Draft consulted on"), _("{sha} (tag {tag})", sha=short_sha(rnd.get("draft"), 12),
                                            tag=one_line(rnd.get("draft_tag")))))
    return rows


def method_paragraphs(data: dict) -> list[str]:
    m = data.get("method") or {}
    cl = m.get("clusters") or {}
    rule = m.get("rule") or {}
    received, superseded = m.get("received", 0), m.get("superseded", 0)
    endorsements = m.get("endorsements", 0)
    out = [
        n_("{n} signed comment was received", "{n} signed comments were received", received)
        + "; " + n_("{n} was replaced by the author's later version",
                    "{n} were replaced by the author's later version", superseded)
        + " " + n_("and {n} withdrawn, leaving {effective}.",
                   "and {n} withdrawn, leaving {effective}.", m.get("withdrawn", 0),
                   effective=m.get("effective", 0))
        + " " + n_("{n} endorsement of another member's comment counted as the endorser's stance.",
                   "{n} endorsements of another member's comment counted as the endorser's "
                   "stance.", endorsements)
        + " " + _("Anonymous ({anonymous}) and confidential ({confidential}) comments are counted "
                  "like the others.", anonymous=m.get("anonymous", 0),
                  confidential=m.get("confidential", 0))]
    groups = cl.get("groups") or []
    found = (_("{groups} of {grouped} comments ({listed}), so {distinct} distinct comments. "
               "Every comment in a group still counts as its member's voice.",
               groups=plural(len(groups), "group"), grouped=cl.get("grouped", 0),
               listed="; ".join(", ".join(g) for g in groups), distinct=cl.get("distinct", 0))
             if groups else _("none were found."))
    out.append(_("Near-identical comments (such as a template campaign) were grouped when their "
                 "sets of words overlap by at least {threshold} (Jaccard similarity, groups of "
                 "{minimum} or more): {found}", threshold=fmt_share(cl.get("threshold", 0.7)),
                 minimum=cl.get("minimum", 2), found=found))
    blocked = (_("more than {blocks}", blocks=plural(rule["max_blocks"], "block"))
               if rule.get("max_blocks") else _("any block"))
    out.append(_("Consensus rule (from the coalition's settings): one voice per member per "
                 "principle — its latest comment or endorsement. A principle is blocked when it "
                 "has {blocked}; without quorum when fewer than {need} of the {voting} voting "
                 "members ({quorum}) took a stance on it; in consensus when at least {threshold} "
                 "of the support and opposition is support; contested otherwise. Neutral "
                 "stances abstain.", blocked=blocked, need=rule.get("quorum_members", 0),
                 voting=rule.get("voting_members", 0), quorum=fmt_share(rule.get("quorum", 0.5)),
                 threshold=fmt_share(rule.get("threshold", 0.75))))
    n = m.get("excluded_count", 0)
    out.append(_("Every record was verified (signature, signer's permission, place, closing "
                 "manifest); ") + (_("none was excluded.") if not n else n_(
                     "{n} record did not pass and was left out, listed below by kind of problem.",
                     "{n} records did not pass and were left out, listed below by kind of "
                     "problem.", n)))
    return out


def did_line(item: dict) -> str:
    line = disposition_label(item.get("disposition"))
    if item.get("attribution") == "confidential" and item.get("disposition"):
        line += colon() + _("the answer was given to the member in confidence")
    elif item.get("rationale"):
        line += colon() + one_line(item["rationale"])
    if item.get("commit"):
        line += " " + _("(change in commit {commit})", commit=short_sha(item["commit"]))
    return line


def ack_line(item: dict) -> str:
    return _("The member {ack}.", ack=ack_label(item["ack"])) if item.get("ack") else ""


def confidential_line(p: dict) -> str:
    from ..governance.wording import confidential_line as chosen

    if chosen(p):  # some authors chose who holds their confidential comments
        return chosen(p) or ""
    n = p.get("confidential") or 0
    return n_("{n} confidential comment: counted in the figures; its text is shared with the "
              "facilitators only.",
              "{n} confidential comments: counted in the figures; their text is shared with the "
              "facilitators only.", n) if n else ""


def stance_line(p: dict, stances: list[str]) -> str:
    counts = p.get("stances") or {}
    parts = ", ".join(f"{counts.get(s, 0)} {stance_word(s)}" for s in stances
                      if counts.get(s, 0))
    return (_("Status:") + f" {status_label(p.get('status'))} · "
            + plural(p.get("voices", 0), "member voice")
            + (f" ({parts})" if parts else "") + " · "
            + _("support share {share}", share=fmt_share(p.get("support_share"))))


def excerpt(ops: list[dict], context: int = 90) -> list[DisplayPara]:
    """The changed paragraphs of a redline, long unchanged stretches shortened to ``…``."""
    out = []
    for para in display_paragraphs(ops):
        if para.cls == "" and all(s.kind == EQUAL for s in para.segments) and not para.split:
            continue
        segs = []
        for i, s in enumerate(para.segments):
            text = s.text
            if s.kind == EQUAL and len(text) > 2 * context:
                first, last = i == 0, i == len(para.segments) - 1
                if first:
                    text = "… " + text[-context:].split(" ", 1)[-1]
                elif last:
                    text = text[:context].rsplit(" ", 1)[0] + " …"
                else:
                    text = text[:context].rsplit(" ", 1)[0] + " … " + text[-context:].split(" ", 1)[-1]
            segs.append(Segment(s.kind, text, s.pair))
        out.append(DisplayPara(segs, para.cls, para.split))
    return out
