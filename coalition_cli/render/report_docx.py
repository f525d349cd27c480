"""Word (.docx) rendering of the "what we heard / what we did" report: the sections of the
Markdown report with Word's heading, list, quote and table styles (``_docx.Doc``), a page
break before each principle, and redline excerpts that say in words what was inserted or
deleted (underline and strike-through too, never colour alone)."""

from __future__ import annotations

from . import _report as r
from ._common import (
    DELETE,
    INSERT,
    MOVE_FROM,
    MOVE_TO,
    excluded_where,
    fmt_date,
    fmt_rate,
    one_line,
    plural,
    status_legend,
    distinction_sections,
    governance_notes,
    governance_section,
)

Q1, Q2 = r.OPEN_QUOTE, r.CLOSE_QUOTE


def render(data: dict) -> bytes:
    from ._docx import Doc

    rnd = data.get("round") or {}
    stances = list(data.get("stances") or [])
    doc = Doc(f"What we heard, what we did — {one_line(data.get('coalition'))}")
    doc.para(f"Consultation round {one_line(rnd.get('id'))}: {one_line(rnd.get('title'))}")

    doc.heading("How to read this report", 1)
    for para in r.how_to_read(data):
        doc.para(para)
    doc.heading("Executive summary", 1)
    for para in r.executive_summary(data):
        doc.para(para)
    doc.heading("The process", 1)
    doc.table(["Step", "When / who"], [[k, v] for k, v in r.process_rows(data)],
              caption=f"Dates and people of round {one_line(rnd.get('id'))}")
    others = [x for x in data.get("rounds") or [] if x.get("id") != rnd.get("id")]
    if others:
        doc.para("Other rounds of this agenda: " + "; ".join(
            f"{one_line(x.get('id'))} ({one_line(x.get('title'))}, opened "
            f"{fmt_date(x.get('opened_at'))})" for x in others) + ".")

    part = data.get("participation") or {}
    doc.heading("Who took part", 1)
    doc.para(f"{part.get('responded', 0)} of {part.get('members', 0)} voting members took a "
             f"stance ({fmt_rate(part.get('responded', 0), part.get('members', 0))}).")
    sectors = part.get("by_sector") or {}
    if sectors:
        doc.table(["Sector", "Voting members", "Took part", "Rate"],
                  [[k, v.get("members", 0), v.get("responded", 0),
                    fmt_rate(v.get("responded", 0), v.get("members", 0))] for k, v in sectors.items()],
                  caption="Participation by sector")
    if part.get("organisations"):
        doc.para("Organisations that took part:")
        for o in part["organisations"]:
            doc.bullet(one_line(o))
    if part.get("unnamed"):
        doc.para(f"{plural(part['unnamed'], 'other organisation')} took part without being "
                 "named, because they asked for anonymity or confidentiality.")

    method = data.get("method") or {}
    doc.heading("Method", 1)
    for para in r.method_paragraphs(data):
        doc.para(para)
    if method.get("excluded"):
        doc.table(["Problem", "Records", "Why"],
                  [[one_line(e.get("problem")), excluded_where(e), one_line(e.get("detail"))]
                   for e in method["excluded"]], caption="Records left out, and why")
    doc.heading("What the statuses mean", 2)
    for status, meaning in status_legend(method.get("rule")):
        doc.bullet((status, "b"), f": {meaning}")

    doc.page_break()
    doc.heading("Principle by principle", 1)
    for n, p in enumerate(data.get("principles") or []):
        if n:
            doc.page_break()
        doc.heading(f"{one_line(p.get('id'))} — {one_line(p.get('title'))}", 2)
        doc.para(r.stance_line(p, stances))
        for note in governance_notes(p):
            doc.para(note)
        doc.heading("What members told us", 3)
        heard = [i for i in p.get("heard") or [] if i.get("attribution") != "confidential"]
        if not heard and not p.get("confidential"):
            doc.para("No comments on this principle.")
        for i in heard:
            lead = r.heading_of(i) + (f" (comment {one_line(i['comment'])})" if i.get("comment") else "")
            doc.bullet((lead, "b"))
            if i.get("on"):
                doc.bullet("On the passage ", f"{Q1}{one_line(i['on'])}{Q2}", level=2)
            for k, q in enumerate(i.get("quotes") or []):
                cut = " […]" if i.get("cut") and k == len(i["quotes"]) - 1 else ""
                doc.para(f"{Q1}{one_line(q)}{Q2}{cut}", style="Quote")
            if not i.get("quotes"):
                doc.bullet(("No text: the member gave a stance only.", "i"), level=2)
            if i.get("proposal"):
                doc.bullet("Proposed wording: ", f"{Q1}{one_line(i['proposal'])}{Q2}", level=2)
            if i.get("endorsed_by"):
                doc.bullet("Endorsed by " + ", ".join(one_line(e) if e else "a member who asked "
                                                      "to stay anonymous" for e in i["endorsed_by"])
                           + ".", level=2)
        if p.get("confidential"):
            doc.para((r.confidential_line(p), "i"))
        doc.heading("What the coalition did", 3)
        for i in p.get("heard") or []:
            ack = r.ack_line(i)
            doc.bullet((f"{i.get('ref')}: ", "b"), r.did_line(i) + (f" {ack}" if ack else ""))
        excerpt = r.excerpt((p.get("change") or {}).get("ops") or [])
        if excerpt:
            doc.para("Change to the text ([+ inserted +] underlined, [− deleted −] struck through):")
            for para in excerpt:
                parts: list = []
                if para.cls == "added":
                    parts.append(("New paragraph: ", "i"))
                elif para.cls == "deleted":
                    parts.append(("Removed paragraph: ", "i"))
                for s in para.segments:
                    if s.kind == INSERT:
                        parts.append((f"[+ {s.text} +]", "ins"))
                    elif s.kind == MOVE_TO:
                        parts.append((f"[moved here: {s.text}]", "ins"))
                    elif s.kind == DELETE:
                        parts.append((f"[− {s.text} −]", "del"))
                    elif s.kind == MOVE_FROM:
                        parts.append((f"[moved from here: {s.text}]", "del"))
                    else:
                        parts.append(s.text)
                doc.para(*parts)
        else:
            doc.para("The text of this principle was not changed.")
        dissent = p.get("dissent") or []
        if dissent:
            text = "; ".join(f"{d.get('ref')} ({'block' if d.get('why') == 'block' else 'objection maintained after the answer'})"
                             for d in dissent) + "."
        elif p.get("opposed"):
            text = f"{plural(p['opposed'], 'member')} opposed."
        else:
            text = "none."
        doc.para(("Dissent that remains: ", "b"), text)

    v = data.get("verification") or {}
    doc.page_break()
    for title, paras in distinction_sections(data):
        doc.heading(title, 1)
        for para in paras:
            doc.para(para)
    heading, paragraphs = governance_section(data)
    if paragraphs:
        doc.heading(heading, 1)
        for para in paragraphs:
            doc.para(para)

    doc.heading("Appendix: check this report yourself", 1)
    doc.para(f"Built from commit {one_line(v.get('commit'))} of the coalition's repository"
             + (f"; the round's draft is {one_line(v.get('draft'))} (tag {one_line(v.get('draft_tag'))})"
                if v.get("draft") else "") + ".")
    closing = v.get("closing")
    if closing:
        doc.table(["Closing manifest", "Value"],
                  [["File", closing.get("path")], ["SHA-256", closing.get("sha256")],
                   ["Git blob", closing.get("blob")], ["Records listed", closing.get("records")],
                   ["Signed by", closing.get("closed_by")]], caption="The round's closing manifest")
    doc.para("Commands, run in a copy of the repository:")
    for c in v.get("commands") or []:
        doc.numbered(f"{one_line(c.get('what'))}: ", (str(c.get("command") or ""), "code"))
    if v.get("phrases"):
        doc.table(["Comment", "PHRASE", "Record"],
                  [[x.get("ref"), x.get("phrase"), x.get("path") or "—"] for x in v["phrases"]],
                  caption="The phrase to search for each quoted comment")
    doc.para((f"Generated from commit {one_line(data.get('generated_from'))} at "
              f"{fmt_date(data.get('generated_at'))}.", "i"))
    return doc.bytes()
