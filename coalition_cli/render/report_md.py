"""Markdown rendering of the "what we heard / what we did" report.

Members' words are the only text in quotation marks (“…”); they go through ``md_inline``
like every other piece of user text, so a comment cannot become markup.
"""

from __future__ import annotations

from . import _report as r
from ._common import (
    DELETE,
    INSERT,
    MOVE_FROM,
    MOVE_TO,
    NONE_MARK,
    excluded_where,
    fmt_date,
    fmt_rate,
    md_id,
    md_inline,
    md_table,
    one_line,
    plural,
    status_legend,
    distinction_sections,
    governance_notes,
    governance_section,
)


def _quote(text: str) -> str:
    return f"{r.OPEN_QUOTE}{md_inline(text)}{r.CLOSE_QUOTE}"


def _redline(paras) -> list[str]:  # noqa: ANN001
    out = []
    for para in paras:
        bits = []
        for s in para.segments:
            text = md_inline(s.text)
            if s.kind in (INSERT, MOVE_TO):
                bits.append(f"**[+ {text} +]**" if s.kind == INSERT else f"**[moved here: {text}]**")
            elif s.kind in (DELETE, MOVE_FROM):
                bits.append(f"~~[− {text} −]~~" if s.kind == DELETE else f"~~[moved from here: {text}]~~")
            else:
                bits.append(text)
        lead = "*New paragraph:* " if para.cls == "added" else "*Removed paragraph:* " if para.cls == "deleted" else ""
        out.append(f"> {lead}{''.join(bits)}")
    return out


def render(data: dict) -> str:
    out: list[str] = []
    add = out.append
    rnd = data.get("round") or {}
    stances = list(data.get("stances") or [])
    coalition = md_inline(data.get("coalition"))
    add(f"# What we heard, what we did — {coalition}\n")
    add(f"Consultation round **{md_inline(rnd.get('id'))}**: {md_inline(rnd.get('title'))}\n")

    add("## How to read this report\n")
    for para in r.how_to_read(data):
        add(md_inline(para).replace("\\[…\\]", "[…]") + "\n")

    add("## Executive summary\n")
    for para in r.executive_summary(data):
        add(md_inline(para) + "\n")

    add("## The process\n")
    rows = r.process_rows(data)
    add(md_table(["", "When / who"], [[md_inline(k), md_inline(v)] for k, v in rows]) + "\n")
    others = [x for x in data.get("rounds") or [] if x.get("id") != rnd.get("id")]
    if others:
        add("Other rounds of this agenda: " + "; ".join(
            f"{md_inline(x.get('id'))} ({md_inline(x.get('title'))}, opened "
            f"{md_inline(fmt_date(x.get('opened_at')))})" for x in others) + ".\n")

    part = data.get("participation") or {}
    add("## Who took part\n")
    add(f"{part.get('responded', 0)} of {part.get('members', 0)} voting members took a stance "
        f"({fmt_rate(part.get('responded', 0), part.get('members', 0))}).\n")
    sectors = part.get("by_sector") or {}
    if sectors:
        add(md_table(["Sector", "Voting members", "Took part", "Rate"],
                     [[md_inline(k), str(v.get("members", 0)), str(v.get("responded", 0)),
                       fmt_rate(v.get("responded", 0), v.get("members", 0))]
                      for k, v in sectors.items()], ["l", "r", "r", "r"]) + "\n")
    orgs = part.get("organisations") or []
    if orgs:
        add("Organisations that took part: " + ", ".join(md_inline(o) for o in orgs) + ".")
    if part.get("unnamed"):
        add(f"{plural(part['unnamed'], 'other organisation')} took part without being named, "
            "because they asked for anonymity or confidentiality.")
    add("")

    add("## Method\n")
    for para in r.method_paragraphs(data):
        add(md_inline(para) + "\n")
    excluded = (data.get("method") or {}).get("excluded") or []
    if excluded:
        add(md_table(["Problem", "Records", "Why"],
                     [[md_inline(e.get("problem")), md_inline(excluded_where(e)),
                       md_inline(e.get("detail"))] for e in excluded]) + "\n")
    add("### What the statuses mean\n")
    for status, meaning in status_legend((data.get("method") or {}).get("rule")):
        add(f"- **{status}**: {md_inline(meaning)}")
    add("")

    add("## Principle by principle\n")
    for p in data.get("principles") or []:
        add(f"### {md_inline(p.get('id'))} — {md_inline(p.get('title'))}\n")
        add(md_inline(r.stance_line(p, stances)) + "\n")
        for note in governance_notes(p):
            add(md_inline(note) + "\n")
        add("#### What members told us\n")
        heard = [i for i in p.get("heard") or [] if i.get("attribution") != "confidential"]
        if not heard and not p.get("confidential"):
            add("No comments on this principle.\n")
        for i in heard:
            add(f"- **{md_inline(r.heading_of(i))}**"
                + (f" (comment `{md_id(i['comment'])}`)" if i.get("comment") else "") + "\n")
            if i.get("on"):
                add(f"  On the passage {_quote(i['on'])}:\n")
            for n, q in enumerate(i.get("quotes") or []):
                cut = " […]" if i.get("cut") and n == len(i["quotes"]) - 1 else ""
                add(f"  > {_quote(q)}{cut}\n")
            if not i.get("quotes"):
                add("  *No text: the member gave a stance only.*\n")
            if i.get("proposal"):
                add(f"  Proposed wording: {_quote(i['proposal'])}\n")
            if i.get("endorsed_by"):
                add(f"  Endorsed by {md_inline(', '.join(one_line(e or 'a member who asked to stay anonymous') for e in i['endorsed_by']))}.\n")
        if p.get("confidential"):
            add(f"*{md_inline(r.confidential_line(p))}*\n")
        add("#### What the coalition did\n")
        for i in p.get("heard") or []:
            line = f"- **{md_inline(i.get('ref'))}**: {md_inline(r.did_line(i))}"
            ack = r.ack_line(i)
            add(line + (f" {md_inline(ack)}" if ack else ""))
        if p.get("heard"):
            add("")
        ops = (p.get("change") or {}).get("ops") or []
        excerpt = r.excerpt(ops)
        if excerpt:
            add("Change to the text (**[+ inserted +]**, ~~[− deleted −]~~):\n")
            add("\n>\n".join(_redline(excerpt)) + "\n")
        else:
            add("The text of this principle was not changed.\n")
        dissent = p.get("dissent") or []
        if dissent:
            add("Dissent that remains: " + "; ".join(
                f"{md_inline(d.get('ref'))} ({'block' if d.get('why') == 'block' else 'objection maintained after the answer'})"
                for d in dissent) + ".\n")
        elif p.get("opposed"):
            add(f"Dissent that remains: {plural(p['opposed'], 'member')} opposed.\n")
        else:
            add("No dissent remains.\n")

    v = data.get("verification") or {}
    for title, paras in distinction_sections(data):
        add(f"## {md_inline(title)}\n")
        for para in paras:
            add(md_inline(para) + "\n")
    heading, paragraphs = governance_section(data)
    if paragraphs:
        add(f"## {md_inline(heading)}\n")
        for para in paragraphs:
            add(md_inline(para) + "\n")

    add("## Appendix: check this report yourself\n")
    add(f"Built from commit `{md_id(v.get('commit'))}` of the coalition's repository"
        + (f"; the round's draft is `{md_id(v.get('draft'))}` (tag `{md_id(v.get('draft_tag'))}`)"
           if v.get("draft") else "") + ".\n")
    closing = v.get("closing")
    if closing:
        add(md_table(["Closing manifest", "Value"], [
            ["File", f"`{md_id(closing.get('path'))}`"],
            ["SHA-256", f"`{md_id(closing.get('sha256'))}`"],
            ["Git blob", f"`{md_id(closing.get('blob'))}`"],
            ["Records listed", str(closing.get("records", 0))],
            ["Signed by", md_inline(closing.get("closed_by"))]]) + "\n")
    add("Commands, run in a copy of the repository:\n")
    for c in v.get("commands") or []:
        add(f"{md_inline(c.get('what'))}:\n")
        add("```sh\n" + str(c.get("command") or "").replace("```", "'''") + "\n```\n")
    phrases = v.get("phrases") or []
    if phrases:
        add("The phrase to search for each quoted comment:\n")
        add(md_table(["Comment", "PHRASE", "Record"],
                     [[md_inline(x.get("ref")), md_inline(x.get("phrase")),
                       f"`{md_id(x['path'])}`" if x.get("path") else NONE_MARK]
                      for x in phrases]) + "\n")
    add("---\n")
    add(f"Generated from commit `{md_id(data.get('generated_from'))}` at "
        f"{md_inline(fmt_date(data.get('generated_at')))}.\n")
    return "\n".join(out)
