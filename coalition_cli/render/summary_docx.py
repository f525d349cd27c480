"""Word (.docx) rendering of a consultation summary, for staff to edit: the sections of the
Markdown summary with Word's own heading, list, quote and table styles (``_docx.Doc``)."""

from __future__ import annotations

from ._common import (
    NO_TEXT,
    NONE_MARK,
    SUPPORT_SHARE_HELP,
    ack_label,
    disposition_label,
    excluded_where,
    fmt_date,
    fmt_rate,
    fmt_share,
    member_name,
    one_line,
    plural,
    round_dates,
    short_sha,
    status_legend,
    known,
    quoted,
    stance_label,
    status_label,
    confidential_note,
    governance_notes,
    governance_section,
)
from ..i18n import _, colon
from ._languages import version_note


def _who(item: dict) -> str:
    return _("{name} (comment {id})", name=member_name(item.get("member"), item.get("attribution")),
             id=one_line(item.get("comment")))


def _answer(doc, item: dict) -> None:  # noqa: ANN001
    parts: list = [(_("Answer:") + " ", "b"), (disposition_label(item.get("disposition")), "b")]
    if item.get("rationale"):
        parts.append(f" — {one_line(item['rationale'])}")
    if item.get("commit"):
        parts.append(" " + _("(implemented in {commit})", commit=short_sha(item["commit"])))
    doc.bullet(*parts, level=2)
    if item.get("ack"):
        doc.bullet((_("Acknowledgement:") + " ", "b"),
                   _("the commenter {ack}.", ack=ack_label(item["ack"])), level=2)


def render(data: dict) -> bytes:
    from ._docx import Doc

    rnd = data.get("round") or {}
    stances = list(data.get("stances") or [])
    principles = data.get("principles") or []
    title = _("Consultation summary")
    if data.get("coalition"):
        title += f" — {one_line(data['coalition'])}"
    doc = Doc(title)
    doc.para((_("Round {id}", id=one_line(rnd.get("id"))), "b"),
             f"{colon()}{one_line(rnd.get('title'))} ({status_label(rnd.get('status') or 'unknown')})")
    dates = round_dates(rnd)
    doc.table([label for label, _v in dates] + [_("Draft")],
              [[value for _l, value in dates] + [short_sha(rnd.get("draft"), 12) or NONE_MARK]])
    if rnd.get("facilitators"):
        doc.para(_("Facilitated by {names}.", names=", ".join(one_line(f) for f in rnd["facilitators"])))

    part = data.get("participation") or {}
    members, responded = part.get("members", 0), part.get("responded", 0)
    doc.heading(_("Participation"), 1)
    doc.para(_("{responded} of {members} voting members responded ({rate}).", responded=responded,
               members=members, rate=fmt_rate(responded, members)))
    sectors = part.get("by_sector") or {}
    if sectors:
        doc.table([_("Sector"), _("Voting members"), _("Responded"), _("Rate")],
                  [[name, s.get("members", 0), s.get("responded", 0),
                    fmt_rate(s.get("responded", 0), s.get("members", 0))]
                   for name, s in sectors.items()], caption=_("Responses by sector"))

    doc.heading(_("Principles"), 1)
    doc.table([_("ID"), _("Title"), _("Comments"), *[stance_label(s).capitalize() for s in stances],
               _("Support share"), _("Status")],
              [[p.get("id"), one_line(p.get("title")), p.get("comments", 0),
                *[(p.get("stances") or {}).get(s, 0) for s in stances],
                fmt_share(p.get("support_share")), status_label(p.get("status"))]
               for p in principles],
              caption=_("Stances, support share and consensus status per principle"))
    doc.para(_(SUPPORT_SHARE_HELP))
    doc.heading(_("How to read the statuses"), 2)
    for status, meaning in status_legend(data.get("rule")):
        doc.bullet((status_label(status), "b"), colon() + meaning)

    for p in principles:
        doc.heading(f"{one_line(p.get('id'))} — {one_line(p.get('title'))}", 2)
        line = (_("Status:") + f" {status_label(p.get('status'))} · "
                + _("support share {share}", share=fmt_share(p.get("support_share")))
                + f" · {plural(p.get('comments', 0), 'comment')}")
        if p.get("voices") is not None:
            line += f" · {plural(p['voices'], 'member voice')}"
            if p.get("endorsements"):
                line += " " + _("({endorsements} of another member's comment)",
                                endorsements=plural(p["endorsements"], "endorsement"))
        doc.para(line)
        for note in governance_notes(p):
            doc.para(note)
        if version_note(p):
            doc.para((version_note(p), "i"))
        if p.get("versions") and p.get("text"):
            doc.para((_("Text at the round's draft"), "i"))
            doc.side_by_side(p["versions"])
        elif p.get("text"):
            doc.para((_("Text at the round's draft"), "i"))
            doc.text_block(p["text"])
        if p.get("amendments"):
            doc.heading(_("Proposed amendments"), 3)
            for a in p["amendments"]:
                doc.bullet(_who(a))
                if a.get("attribution") == "confidential":
                    doc.bullet((confidential_note(a), "i"), level=2)
                if a.get("quote"):
                    doc.bullet((_("Replace:") + " ", "i"), quoted(one_line(a["quote"])), level=2)
                if a.get("proposed_text"):
                    doc.bullet(((_("With:") if a.get("quote") else _("Proposed text:")) + " ", "i"),
                               quoted(one_line(a["proposed_text"])), level=2)
        if p.get("blocks"):
            doc.heading(_("Blocks"), 3)
            for b in p["blocks"]:
                doc.bullet((_("Block"), "b"), " " + _("by {who}", who=_who(b)))
                if b.get("text"):
                    doc.quote(b["text"])
                else:
                    doc.bullet((confidential_note(b) if b.get("attribution") == "confidential"
                                else _(NO_TEXT), "i"), level=2)
        if p.get("quotes"):
            doc.heading(_("Comments and answers"), 3)
            for q in p["quotes"]:
                doc.bullet(_who(q), ", " + _("stance {stance}", stance=stance_label(q.get("stance"))))
                if q.get("quote"):
                    doc.bullet((_("On:") + " ", "i"), quoted(one_line(q["quote"])), level=2)
                if q.get("text"):
                    doc.quote(q["text"])
                else:
                    doc.bullet((confidential_note(q) if q.get("attribution") == "confidential"
                                else _(NO_TEXT), "i"), level=2)
                if q.get("endorsed_by"):
                    doc.bullet((_("Endorsed by:") + " ", "b"),
                               ", ".join(member_name(e) for e in q["endorsed_by"]), level=2)
                _answer(doc, q)
        if not (p.get("amendments") or p.get("blocks") or p.get("quotes")):
            doc.para(_("No comments on this principle."))

    heading, paragraphs = governance_section(data)
    if paragraphs:
        doc.heading(heading, 1)
        for para in paragraphs:
            doc.para(para)

    doc.heading(_("Unresolved"), 1)
    unresolved = data.get("unresolved") or []
    if unresolved:
        for u in unresolved:
            why = _("Block") if u.get("why") == "block" else _("Objection maintained")
            doc.bullet((why, "b"), " " + _("on {principle} by {who}",
                                           principle=one_line(u.get("principle")), who=_who(u)))
            if u.get("text"):
                doc.quote(u["text"])
            _answer(doc, u)
    else:
        doc.para(_("No blocks and no maintained objections."))

    disp = data.get("dispositions") or {}
    doc.heading(_("Dispositions"), 1)
    doc.para(_("{answered} answered, {awaiting} awaiting a disposition.",
               answered=disp.get("answered", 0), awaiting=disp.get("awaiting", 0)))
    if disp.get("awaiting_ids"):
        doc.para(_("Awaiting:") + " " + ", ".join(one_line(i) for i in disp["awaiting_ids"]))

    doc.heading(_("Near-identical comments"), 1)
    clusters = data.get("clusters") or []
    if clusters:
        doc.table([_("Size"), _("Sample"), _("Comments")],
                  [[c.get("size", len(c.get("comments") or [])), one_line(c.get("sample")),
                    ", ".join(one_line(i) for i in c.get("comments") or [])] for c in clusters],
                  caption=_("Groups of near-identical comments (possible campaigns)"))
    else:
        doc.para(_("None found."))

    integ = data.get("integrity") or {}
    excluded = data.get("excluded") or []
    doc.heading(_("Integrity"), 1)
    doc.para(_("{records} verified, {excluded} excluded.",
               records=plural(integ.get("verified", 0), "record"),
               excluded=integ.get("excluded", len(excluded))))
    if excluded:
        doc.table([_("Problem"), _("Record"), _("Detail")],
                  [[one_line(e.get("problem")), excluded_where(e), known(e.get("detail"))]
                   for e in excluded], caption=_("Records left out, and why"))
    foot = _("Generated from commit {commit}", commit=one_line(data.get("generated_from")) or NONE_MARK)
    if data.get("generated_at"):
        foot += " " + _("at {when}", when=fmt_date(data["generated_at"]))
    doc.para((foot + ".", "i"))
    return doc.bytes()
