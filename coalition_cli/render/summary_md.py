"""Markdown rendering of a consultation summary (GitHub-flavoured tables).

All user text goes through ``md_inline``/``md_blockquote``: a comment cannot
open a link, an image, raw HTML, a heading, a list or a new table cell.
"""

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
    md_blockquote,
    md_id,
    md_inline,
    md_table,
    md_text,
    member_name,
    plural,
    round_dates,
    short_sha,
    status_legend,
    known,
    stance_label,
    status_label,
    confidential_note,
    governance_notes,
    governance_section,
)
from ..i18n import _, colon
from ._languages import version_note


def _who(item: dict) -> str:
    name = md_inline(member_name(item.get("member"), item.get("attribution")))
    return _("{name} (comment {id})", name=name, id=f"`{md_id(item.get('comment'))}`")


def _answer(item: dict, add) -> None:  # noqa: ANN001
    """The facilitators' answer to a comment and the commenter's acknowledgement."""
    line = f"  *{_('Answer:')}* **{md_inline(disposition_label(item.get('disposition')))}**"
    if item.get("rationale"):
        line += f" — {md_inline(item['rationale'])}"
    if item.get("commit"):
        line += " " + _("(implemented in {commit})", commit=f"`{md_id(short_sha(item['commit']))}`")
    add(line + "\n")
    if item.get("ack"):
        add(f"  *{_('Acknowledgement:')}* "
            + _("the commenter {ack}.", ack=md_inline(ack_label(item["ack"]))) + "\n")


def render(data: dict) -> str:
    out: list[str] = []
    add = out.append
    rnd = data.get("round") or {}
    stances = list(data.get("stances") or [])
    principles = data.get("principles") or []

    title = _("Consultation summary")
    if data.get("coalition"):
        title += f" — {md_inline(data['coalition'])}"
    add(f"# {title}\n")
    round_line = f"**{_('Round {id}', id=md_inline(rnd.get('id')))}**"
    if rnd.get("title"):
        round_line += colon() + md_inline(rnd["title"])
    add(round_line + f" ({md_inline(status_label(rnd.get('status') or 'unknown'))})\n")
    dates = round_dates(rnd)
    add(md_table([label for label, _v in dates] + [_("Draft")],
                 [[md_inline(value) for _l, value in dates]
                  + [f"`{md_id(rnd.get('draft'))}`" if rnd.get("draft") else NONE_MARK]]) + "\n")
    if rnd.get("facilitators"):
        add(_("Facilitated by {names}.", names=md_inline(", ".join(rnd["facilitators"]))) + "\n")

    # participation
    part = data.get("participation") or {}
    members, responded = part.get("members", 0), part.get("responded", 0)
    add("## " + _("Participation") + "\n")
    add(_("{responded} of {members} voting members responded ({rate}).", responded=responded,
          members=members, rate=fmt_rate(responded, members)) + "\n")
    sectors = part.get("by_sector") or {}
    if sectors:
        rows = [
            [md_inline(name), str(s.get("members", 0)), str(s.get("responded", 0)),
             fmt_rate(s.get("responded", 0), s.get("members", 0))]
            for name, s in sectors.items()
        ]
        add(md_table([_("Sector"), _("Members"), _("Responded"), _("Rate")], rows,
                     ["l", "r", "r", "r"]) + "\n")

    # principles table
    add("## " + _("Principles") + "\n")
    headers = [_("ID"), _("Title"), _("Comments"),
               *[md_inline(stance_label(s).capitalize()) for s in stances],
               _("Support share"), _("Status")]
    rows = []
    for p in principles:
        counts = p.get("stances") or {}
        rows.append(
            [md_inline(p.get("id")), md_inline(p.get("title")), str(p.get("comments", 0)),
             *[str(counts.get(s, 0)) for s in stances],
             fmt_share(p.get("support_share")), md_inline(status_label(p.get("status")))]
        )
    add(md_table(headers, rows, ["l", "l", "r", *["r"] * len(stances), "r", "l"]) + "\n")
    add(_(SUPPORT_SHARE_HELP) + "\n")
    add("### " + _("How to read the statuses") + "\n")
    for status, meaning in status_legend(data.get("rule")):
        add(f"- **{status_label(status)}**{colon()}{md_inline(meaning)}")
    add("")

    # detail
    for p in principles:
        add(f"### {md_inline(p.get('id'))} — {md_inline(p.get('title'))}\n")
        share = fmt_share(p.get("support_share"))
        line = (_("Status:") + f" **{md_inline(status_label(p.get('status')))}** · "
                + _("support share {share}", share=share) + " · "
                + plural(p.get("comments", 0), "comment"))
        voices, endorsed = p.get("voices"), p.get("endorsements") or 0
        if voices is not None:
            line += f" · {plural(voices, 'member voice')}"
            if endorsed:
                line += " " + _("({endorsements} of another member's comment)",
                                endorsements=plural(endorsed, "endorsement"))
        add(line + "\n")
        if version_note(p):
            add(f"*{md_inline(version_note(p))}*\n")
        for note in governance_notes(p):
            add(md_inline(note) + "\n")
        if p.get("text"):
            add("*" + _("Text at the round's draft:") + "*\n")
            add(md_text(p["text"]) + "\n")
        amendments = p.get("amendments") or []
        if amendments:
            add("#### " + _("Proposed amendments") + "\n")
            for a in amendments:
                add(f"- {_who(a)}\n")
                if a.get("attribution") == "confidential":
                    add(f"  *{md_inline(confidential_note(a))}*\n")
                if a.get("quote"):
                    add(_indent(md_blockquote(a["quote"], lead="*" + _("Replace:") + "*")) + "\n")
                if a.get("proposed_text"):
                    lead = "*" + (_("With:") if a.get("quote") else _("Proposed text:")) + "*"
                    add(_indent(md_blockquote(a["proposed_text"], lead=lead)) + "\n")
        blocks = p.get("blocks") or []
        if blocks:
            add("#### " + _("Blocks") + "\n")
            for b in blocks:
                add("- " + _("**Block** by {who}", who=_who(b)) + "\n")
                if b.get("text"):
                    add(_indent(md_blockquote(b["text"])) + "\n")
                elif b.get("attribution") == "confidential":
                    add(f"  *{md_inline(confidential_note(b))}*\n")
                else:
                    add(f"  *{md_inline(_(NO_TEXT))}*\n")
        quotes = p.get("quotes") or []
        if quotes:
            add("#### " + _("Comments and answers") + "\n")
            for q in quotes:
                add("- " + _("{who}, stance {stance}", who=_who(q),
                             stance=f"*{md_inline(stance_label(q.get('stance')))}*") + "\n")
                if q.get("quote"):
                    add(_indent(md_blockquote(q["quote"], lead="*" + _("On:") + "*")) + "\n")
                if q.get("text"):
                    add(_indent(md_blockquote(q["text"])) + "\n")
                elif q.get("attribution") == "confidential":
                    add(f"  *{md_inline(confidential_note(q))}*\n")
                else:
                    add(f"  *{md_inline(_(NO_TEXT))}*\n")
                if q.get("endorsed_by"):
                    names = ", ".join(member_name(e) for e in q["endorsed_by"])
                    add(f"  *{_('Endorsed by:')}* {md_inline(names)}\n")
                _answer(q, add)
        if not (amendments or blocks or quotes):
            add(_("No comments on this principle.") + "\n")

    heading, paragraphs = governance_section(data)
    if paragraphs:
        add(f"## {md_inline(heading)}\n")
        for para in paragraphs:
            add(md_inline(para) + "\n")

    # unresolved
    unresolved = data.get("unresolved") or []
    add("## " + _("Unresolved") + "\n")
    if unresolved:
        add(_("Blocks, and objections the commenter maintains after the answer:") + "\n")
        for u in unresolved:
            why = _("Block") if u.get("why") == "block" else _("Objection maintained")
            add("- " + _("{why} on {principle} by {who}, stance {stance}", why=f"**{why}**",
                         principle=md_inline(u.get("principle")), who=_who(u),
                         stance=f"*{md_inline(stance_label(u.get('stance')))}*") + "\n")
            if u.get("text"):
                add(_indent(md_blockquote(u["text"])) + "\n")
            _answer(u, add)
    else:
        add(_("No blocks and no maintained objections.") + "\n")

    # dispositions
    disp = data.get("dispositions") or {}
    add("## " + _("Dispositions") + "\n")
    add(_("{answered} answered, {awaiting} awaiting a disposition.",
          answered=disp.get("answered", 0), awaiting=disp.get("awaiting", 0)) + "\n")
    awaiting = disp.get("awaiting_ids") or []
    if awaiting:
        add(_("Awaiting:") + " " + ", ".join(f"`{md_id(i)}`" for i in awaiting) + "\n")

    # clusters
    clusters = data.get("clusters") or []
    add("## " + _("Near-identical comments") + "\n")
    if clusters:
        rows = [
            [str(c.get("size", len(c.get("comments") or []))), md_inline(c.get("sample")),
             ", ".join(f"`{md_id(i)}`" for i in c.get("comments") or [])]
            for c in clusters
        ]
        add(md_table([_("Size"), _("Sample"), _("Comments")], rows, ["r", "l", "l"]) + "\n")
    else:
        add(_("None found.") + "\n")

    # integrity
    integ = data.get("integrity") or {}
    excluded = data.get("excluded") or []
    add("## " + _("Integrity") + "\n")
    add(_("{records} verified, {excluded} excluded.",
          records=plural(integ.get("verified", 0), "record"),
          excluded=integ.get("excluded", len(excluded))) + "\n")
    if excluded:
        rows = [[md_inline(e.get("problem")), md_inline(excluded_where(e)),
                 md_inline(known(e.get("detail")))] for e in excluded]
        add(md_table([_("Problem"), _("Record"), _("Detail")], rows) + "\n")

    foot = _("Generated from commit {commit}", commit=f"`{md_id(data.get('generated_from'))}`"
             if data.get("generated_from") else NONE_MARK)
    if data.get("generated_at"):
        foot += " " + _("at {when}", when=md_inline(fmt_date(data["generated_at"])))
    add("---\n")
    add(foot + ".\n")
    return "\n".join(out)


def _indent(block: str) -> str:
    """Indent a block so it belongs to the list item above it."""
    return "\n".join("  " + line for line in block.splitlines())
