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
    known,
    status_label,
    distinction_sections,
    governance_notes,
    governance_section,
)
from ..i18n import _, colon, n_
from ._languages import version_note


def render(data: dict) -> bytes:
    from ._docx import Doc

    Q1, Q2 = r.quote_marks()
    rnd = data.get("round") or {}
    stances = list(data.get("stances") or [])
    doc = Doc(_("What we heard, what we did — {coalition}", coalition=one_line(data.get("coalition"))))
    doc.para(_("Consultation round {id}", id=one_line(rnd.get("id"))) + colon()
             + one_line(rnd.get("title")))

    doc.heading(_("How to read this report"), 1)
    for para in r.how_to_read(data):
        doc.para(para)
    doc.heading(_("Executive summary"), 1)
    for para in r.executive_summary(data):
        doc.para(para)
    doc.heading(_("The process"), 1)
    doc.table([_("Step"), _("When / who")], [[k, v] for k, v in r.process_rows(data)],
              caption=_("Dates and people of round {id}", id=one_line(rnd.get("id"))))
    others = [x for x in data.get("rounds") or [] if x.get("id") != rnd.get("id")]
    if others:
        doc.para(_("Other rounds of this agenda:") + " " + "; ".join(
            _("{id} ({title}, opened {opened})", id=one_line(x.get("id")),
              title=one_line(x.get("title")), opened=fmt_date(x.get("opened_at")))
            for x in others) + ".")

    part = data.get("participation") or {}
    doc.heading(_("Who took part"), 1)
    doc.para(_("{responded} of {members} voting members took a stance ({rate}).",
               responded=part.get("responded", 0), members=part.get("members", 0),
               rate=fmt_rate(part.get("responded", 0), part.get("members", 0))))
    sectors = part.get("by_sector") or {}
    if sectors:
        doc.table([_("Sector"), _("Voting members"), _("Took part"), _("Rate")],
                  [[k, v.get("members", 0), v.get("responded", 0),
                    fmt_rate(v.get("responded", 0), v.get("members", 0))] for k, v in sectors.items()],
                  caption=_("Participation by sector"))
    if part.get("organisations"):
        doc.para(_("Organisations that took part:"))
        for o in part["organisations"]:
            doc.bullet(one_line(o))
    if part.get("unnamed"):
        doc.para(n_("{n} other organisation took part without being named, because they asked for "
                    "anonymity or confidentiality.",
                    "{n} other organisations took part without being named, because they asked "
                    "for anonymity or confidentiality.", part["unnamed"]))

    method = data.get("method") or {}
    doc.heading(_("Method"), 1)
    for para in r.method_paragraphs(data):
        doc.para(para)
    if method.get("excluded"):
        doc.table([_("Problem"), _("Records"), _("Why")],
                  [[one_line(e.get("problem")), excluded_where(e), known(e.get("detail"))]
                   for e in method["excluded"]], caption=_("Records left out, and why"))
    doc.heading(_("What the statuses mean"), 2)
    for status, meaning in status_legend(method.get("rule")):
        doc.bullet((status_label(status), "b"), colon() + meaning)

    doc.page_break()
    doc.heading(_("Principle by principle"), 1)
    for n, p in enumerate(data.get("principles") or []):
        if n:
            doc.page_break()
        doc.heading(f"{one_line(p.get('id'))} — {one_line(p.get('title'))}", 2)
        doc.para(r.stance_line(p, stances))
        for note in governance_notes(p):
            doc.para(note)
        if p.get("versions"):
            doc.para((_("The principle in each language"), "i"))
            doc.side_by_side(p["versions"])
        elif version_note(p):
            doc.para((version_note(p), "i"))
        doc.heading(_("What members told us"), 3)
        heard = [i for i in p.get("heard") or [] if i.get("attribution") != "confidential"]
        if not heard and not p.get("confidential"):
            doc.para(_("No comments on this principle."))
        for i in heard:
            lead = r.heading_of(i) + (" " + _("(comment {id})", id=one_line(i["comment"]))
                                      if i.get("comment") else "")
            doc.bullet((lead, "b"))
            if i.get("on"):
                doc.bullet(_("On the passage") + " ", f"{Q1}{one_line(i['on'])}{Q2}", level=2)
            for k, q in enumerate(i.get("quotes") or []):
                cut = " […]" if i.get("cut") and k == len(i["quotes"]) - 1 else ""
                doc.para(f"{Q1}{one_line(q)}{Q2}{cut}", style="Quote")
            if not i.get("quotes"):
                doc.bullet((_("No text: the member gave a stance only."), "i"), level=2)
            if i.get("proposal"):
                doc.bullet(_("Proposed wording:") + " ", f"{Q1}{one_line(i['proposal'])}{Q2}",
                           level=2)
            if i.get("endorsed_by"):
                doc.bullet(_("Endorsed by {names}.", names=", ".join(
                    one_line(e) if e else _("a member who asked to stay anonymous")
                    for e in i["endorsed_by"])), level=2)
        if p.get("confidential"):
            doc.para((r.confidential_line(p), "i"))
        doc.heading(_("What the coalition did"), 3)
        for i in p.get("heard") or []:
            ack = r.ack_line(i)
            doc.bullet((f"{i.get('ref')}{colon()}", "b"), r.did_line(i) + (f" {ack}" if ack else ""))
        excerpt = r.excerpt((p.get("change") or {}).get("ops") or [])
        if excerpt:
            doc.para(_("Change to the text ([+ inserted +] underlined, [− deleted −] struck through):"))
            for para in excerpt:
                parts: list = []
                if para.cls == "added":
                    parts.append((_("New paragraph:") + " ", "i"))
                elif para.cls == "deleted":
                    parts.append((_("Removed paragraph:") + " ", "i"))
                for s in para.segments:
                    if s.kind == INSERT:
                        parts.append((f"[+ {s.text} +]", "ins"))
                    elif s.kind == MOVE_TO:
                        parts.append((f"[{_('moved here')}{colon()}{s.text}]", "ins"))
                    elif s.kind == DELETE:
                        parts.append((f"[− {s.text} −]", "del"))
                    elif s.kind == MOVE_FROM:
                        parts.append((f"[{_('moved from here')}{colon()}{s.text}]", "del"))
                    else:
                        parts.append(s.text)
                doc.para(*parts)
        else:
            doc.para(_("The text of this principle was not changed."))
        dissent = p.get("dissent") or []
        if dissent:
            text = "; ".join(f"{d.get('ref')} ({r.dissent_why(d)})"
                             for d in dissent) + "."
        elif p.get("opposed"):
            text = _("{members} opposed.", members=plural(p["opposed"], "member"))
        else:
            text = _("none.")
        doc.para((_("Dissent that remains:") + " ", "b"), text)

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

    doc.heading(_("Appendix: check this report yourself"), 1)
    doc.para(_("Built from commit {commit} of the coalition's repository",
               commit=one_line(v.get("commit")))
             + ("; " + _("the round's draft is {draft} (tag {tag})", draft=one_line(v.get("draft")),
                         tag=one_line(v.get("draft_tag")))
                if v.get("draft") else "") + ".")
    closing = v.get("closing")
    if closing:
        doc.table([_("Closing manifest"), _("Value")],
                  [[_("File"), closing.get("path")], ["SHA-256", closing.get("sha256")],
                   [_("Git blob"), closing.get("blob")], [_("Records listed"), closing.get("records")],
                   [_("Signed by"), closing.get("closed_by")]],
                  caption=_("The round's closing manifest"))
    doc.para(_("Commands, run in a copy of the repository:"))
    for c in v.get("commands") or []:
        doc.numbered(f"{_(c.get('what') or '')}{colon()}", (str(c.get("command") or ""), "code"))
    if v.get("phrases"):
        doc.table([_("Comment"), "PHRASE", _("Record")],
                  [[x.get("ref"), x.get("phrase"), x.get("path") or "—"] for x in v["phrases"]],
                  caption=_("The phrase to search for each quoted comment"))
    doc.para((_("Generated from commit {commit} at {when}.", commit=one_line(data.get("generated_from")),
                when=fmt_date(data.get("generated_at"))), "i"))
    return doc.bytes()
