"""Word (.docx) rendering of a consultation summary, for staff to edit: the sections of the
Markdown summary with Word's own heading, list, quote and table styles (``_docx.Doc``)."""

from __future__ import annotations

from ._common import (
    CONFIDENTIAL_NOTE,
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
    confidential_note,
    governance_notes,
    governance_section,
)


def _who(item: dict) -> str:
    return (f"{member_name(item.get('member'), item.get('attribution'))} "
            f"(comment {one_line(item.get('comment'))})")


def _answer(doc, item: dict) -> None:  # noqa: ANN001
    parts: list = [("Answer: ", "b"), (disposition_label(item.get("disposition")), "b")]
    if item.get("rationale"):
        parts.append(f" — {one_line(item['rationale'])}")
    if item.get("commit"):
        parts.append(f" (implemented in {short_sha(item['commit'])})")
    doc.bullet(*parts, level=2)
    if item.get("ack"):
        doc.bullet(("Acknowledgement: ", "b"), f"the commenter {ack_label(item['ack'])}.", level=2)


def render(data: dict) -> bytes:
    from ._docx import Doc

    rnd = data.get("round") or {}
    stances = list(data.get("stances") or [])
    principles = data.get("principles") or []
    title = "Consultation summary"
    if data.get("coalition"):
        title += f" — {one_line(data['coalition'])}"
    doc = Doc(title)
    doc.para((f"Round {one_line(rnd.get('id'))}", "b"),
             f": {one_line(rnd.get('title'))} ({one_line(rnd.get('status') or 'unknown')})")
    dates = round_dates(rnd)
    doc.table([label for label, _ in dates] + ["Draft"],
              [[value for _, value in dates] + [short_sha(rnd.get("draft"), 12) or NONE_MARK]])
    if rnd.get("facilitators"):
        doc.para(f"Facilitated by {', '.join(one_line(f) for f in rnd['facilitators'])}.")

    part = data.get("participation") or {}
    members, responded = part.get("members", 0), part.get("responded", 0)
    doc.heading("Participation", 1)
    doc.para(f"{responded} of {members} voting members responded ({fmt_rate(responded, members)}).")
    sectors = part.get("by_sector") or {}
    if sectors:
        doc.table(["Sector", "Voting members", "Responded", "Rate"],
                  [[name, s.get("members", 0), s.get("responded", 0),
                    fmt_rate(s.get("responded", 0), s.get("members", 0))]
                   for name, s in sectors.items()], caption="Responses by sector")

    doc.heading("Principles", 1)
    doc.table(["ID", "Title", "Comments", *[s.capitalize() for s in stances], "Support share",
               "Status"],
              [[p.get("id"), one_line(p.get("title")), p.get("comments", 0),
                *[(p.get("stances") or {}).get(s, 0) for s in stances],
                fmt_share(p.get("support_share")), p.get("status")] for p in principles],
              caption="Stances, support share and consensus status per principle")
    doc.para(SUPPORT_SHARE_HELP)
    doc.heading("How to read the statuses", 2)
    for status, meaning in status_legend(data.get("rule")):
        doc.bullet((status, "b"), f": {meaning}")

    for p in principles:
        doc.heading(f"{one_line(p.get('id'))} — {one_line(p.get('title'))}", 2)
        line = (f"Status: {one_line(p.get('status'))} · support share "
                f"{fmt_share(p.get('support_share'))} · {plural(p.get('comments', 0), 'comment')}")
        if p.get("voices") is not None:
            line += f" · {plural(p['voices'], 'member voice')}"
            if p.get("endorsements"):
                line += f" ({plural(p['endorsements'], 'endorsement')} of another member's comment)"
        doc.para(line)
        for note in governance_notes(p):
            doc.para(note)
        if p.get("text"):
            doc.para(("Text at the round's draft", "i"))
            doc.text_block(p["text"])
        if p.get("amendments"):
            doc.heading("Proposed amendments", 3)
            for a in p["amendments"]:
                doc.bullet(_who(a))
                if a.get("attribution") == "confidential":
                    doc.bullet((confidential_note(a), "i"), level=2)
                if a.get("quote"):
                    doc.bullet(("Replace: ", "i"), f"“{one_line(a['quote'])}”", level=2)
                if a.get("proposed_text"):
                    doc.bullet(("With: " if a.get("quote") else "Proposed text: ", "i"),
                               f"“{one_line(a['proposed_text'])}”", level=2)
        if p.get("blocks"):
            doc.heading("Blocks", 3)
            for b in p["blocks"]:
                doc.bullet(("Block", "b"), f" by {_who(b)}")
                if b.get("text"):
                    doc.quote(b["text"])
                else:
                    doc.bullet((confidential_note(b) if b.get("attribution") == "confidential"
                                else NO_TEXT, "i"), level=2)
        if p.get("quotes"):
            doc.heading("Comments and answers", 3)
            for q in p["quotes"]:
                doc.bullet(_who(q), f", stance {one_line(q.get('stance'))}")
                if q.get("quote"):
                    doc.bullet(("On: ", "i"), f"“{one_line(q['quote'])}”", level=2)
                if q.get("text"):
                    doc.quote(q["text"])
                else:
                    doc.bullet((confidential_note(q) if q.get("attribution") == "confidential"
                                else NO_TEXT, "i"), level=2)
                if q.get("endorsed_by"):
                    doc.bullet(("Endorsed by: ", "b"),
                               ", ".join(member_name(e) for e in q["endorsed_by"]), level=2)
                _answer(doc, q)
        if not (p.get("amendments") or p.get("blocks") or p.get("quotes")):
            doc.para("No comments on this principle.")

    heading, paragraphs = governance_section(data)
    if paragraphs:
        doc.heading(heading, 1)
        for para in paragraphs:
            doc.para(para)

    doc.heading("Unresolved", 1)
    unresolved = data.get("unresolved") or []
    if unresolved:
        for u in unresolved:
            why = "Block" if u.get("why") == "block" else "Objection maintained"
            doc.bullet((why, "b"), f" on {one_line(u.get('principle'))} by {_who(u)}")
            if u.get("text"):
                doc.quote(u["text"])
            _answer(doc, u)
    else:
        doc.para("No blocks and no maintained objections.")

    disp = data.get("dispositions") or {}
    doc.heading("Dispositions", 1)
    doc.para(f"{disp.get('answered', 0)} answered, {disp.get('awaiting', 0)} awaiting a disposition.")
    if disp.get("awaiting_ids"):
        doc.para("Awaiting: " + ", ".join(one_line(i) for i in disp["awaiting_ids"]))

    doc.heading("Near-identical comments", 1)
    clusters = data.get("clusters") or []
    if clusters:
        doc.table(["Size", "Sample", "Comments"],
                  [[c.get("size", len(c.get("comments") or [])), one_line(c.get("sample")),
                    ", ".join(one_line(i) for i in c.get("comments") or [])] for c in clusters],
                  caption="Groups of near-identical comments (possible campaigns)")
    else:
        doc.para("None found.")

    integ = data.get("integrity") or {}
    excluded = data.get("excluded") or []
    doc.heading("Integrity", 1)
    doc.para(f"{plural(integ.get('verified', 0), 'record')} verified, "
             f"{integ.get('excluded', len(excluded))} excluded.")
    if excluded:
        doc.table(["Problem", "Record", "Detail"],
                  [[one_line(e.get("problem")), excluded_where(e), one_line(e.get("detail"))]
                   for e in excluded], caption="Records left out, and why")
    foot = f"Generated from commit {one_line(data.get('generated_from')) or NONE_MARK}"
    if data.get("generated_at"):
        foot += f" at {fmt_date(data['generated_at'])}"
    doc.para((foot + ".", "i"))
    return doc.bytes()
