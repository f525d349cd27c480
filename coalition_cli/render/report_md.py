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
    known,
    status_label,
    distinction_sections,
    governance_notes,
    governance_section,
)
from ..i18n import _, colon, n_
from ._languages import version_note


def _quote(text: str) -> str:
    open_quote, close_quote = r.quote_marks()
    return f"{open_quote}{md_inline(text)}{close_quote}"


def _redline(paras) -> list[str]:  # noqa: ANN001
    out = []
    for para in paras:
        bits = []
        for s in para.segments:
            text = md_inline(s.text)
            if s.kind in (INSERT, MOVE_TO):
                bits.append(f"**[+ {text} +]**" if s.kind == INSERT
                            else f"**[{_('moved here')}{colon()}{text}]**")
            elif s.kind in (DELETE, MOVE_FROM):
                bits.append(f"~~[− {text} −]~~" if s.kind == DELETE
                            else f"~~[{_('moved from here')}{colon()}{text}]~~")
            else:
                bits.append(text)
        lead = ("*" + _("New paragraph:") + "* " if para.cls == "added"
                else "*" + _("Removed paragraph:") + "* " if para.cls == "deleted" else "")
        out.append(f"> {lead}{''.join(bits)}")
    return out


def render(data: dict) -> str:
    out: list[str] = []
    add = out.append
    rnd = data.get("round") or {}
    stances = list(data.get("stances") or [])
    coalition = md_inline(data.get("coalition"))
    add("# " + _("What we heard, what we did — {coalition}", coalition=coalition) + "\n")
    add(_("Consultation round {id}", id=f"**{md_inline(rnd.get('id'))}**")
        + colon() + md_inline(rnd.get("title")) + "\n")

    add("## " + _("How to read this report") + "\n")
    for para in r.how_to_read(data):
        add(md_inline(para).replace("\\[…\\]", "[…]") + "\n")

    add("## " + _("Executive summary") + "\n")
    for para in r.executive_summary(data):
        add(md_inline(para) + "\n")

    add("## " + _("The process") + "\n")
    rows = r.process_rows(data)
    add(md_table(["", _("When / who")], [[md_inline(k), md_inline(v)] for k, v in rows]) + "\n")
    others = [x for x in data.get("rounds") or [] if x.get("id") != rnd.get("id")]
    if others:
        add(_("Other rounds of this agenda:") + " " + "; ".join(
            _("{id} ({title}, opened {opened})", id=md_inline(x.get("id")),
              title=md_inline(x.get("title")), opened=md_inline(fmt_date(x.get("opened_at"))))
            for x in others) + ".\n")

    part = data.get("participation") or {}
    add("## " + _("Who took part") + "\n")
    add(_("{responded} of {members} voting members took a stance ({rate}).",
          responded=part.get("responded", 0), members=part.get("members", 0),
          rate=fmt_rate(part.get("responded", 0), part.get("members", 0))) + "\n")
    sectors = part.get("by_sector") or {}
    if sectors:
        add(md_table([_("Sector"), _("Voting members"), _("Took part"), _("Rate")],
                     [[md_inline(k), str(v.get("members", 0)), str(v.get("responded", 0)),
                       fmt_rate(v.get("responded", 0), v.get("members", 0))]
                      for k, v in sectors.items()], ["l", "r", "r", "r"]) + "\n")
    orgs = part.get("organisations") or []
    if orgs:
        add(_("Organisations that took part:") + " " + ", ".join(md_inline(o) for o in orgs) + ".")
    if part.get("unnamed"):
        add(n_("{n} other organisation took part without being named, because they asked for "
               "anonymity or confidentiality.",
               "{n} other organisations took part without being named, because they asked for "
               "anonymity or confidentiality.", part["unnamed"]))
    add("")

    add("## " + _("Method") + "\n")
    for para in r.method_paragraphs(data):
        add(md_inline(para) + "\n")
    excluded = (data.get("method") or {}).get("excluded") or []
    if excluded:
        add(md_table([_("Problem"), _("Records"), _("Why")],
                     [[md_inline(e.get("problem")), md_inline(excluded_where(e)),
                       md_inline(known(e.get("detail")))] for e in excluded]) + "\n")
    add("### " + _("What the statuses mean") + "\n")
    for status, meaning in status_legend((data.get("method") or {}).get("rule")):
        add(f"- **{status_label(status)}**{colon()}{md_inline(meaning)}")
    add("")

    add("## " + _("Principle by principle") + "\n")
    for p in data.get("principles") or []:
        add(f"### {md_inline(p.get('id'))} — {md_inline(p.get('title'))}\n")
        add(md_inline(r.stance_line(p, stances)) + "\n")
        for note in governance_notes(p):
            add(md_inline(note) + "\n")
        if version_note(p):
            add(f"*{md_inline(version_note(p))}*\n")
        add("#### " + _("What members told us") + "\n")
        heard = [i for i in p.get("heard") or [] if i.get("attribution") != "confidential"]
        if not heard and not p.get("confidential"):
            add(_("No comments on this principle.") + "\n")
        for i in heard:
            add(f"- **{md_inline(r.heading_of(i))}**"
                + (" " + _("(comment {id})", id=f"`{md_id(i['comment'])}`")
                   if i.get("comment") else "") + "\n")
            if i.get("on"):
                add("  " + _("On the passage {quote}:", quote=_quote(i["on"])) + "\n")
            for n, q in enumerate(i.get("quotes") or []):
                cut = " […]" if i.get("cut") and n == len(i["quotes"]) - 1 else ""
                add(f"  > {_quote(q)}{cut}\n")
            if not i.get("quotes"):
                add("  *" + _("No text: the member gave a stance only.") + "*\n")
            if i.get("proposal"):
                add("  " + _("Proposed wording:") + f" {_quote(i['proposal'])}\n")
            if i.get("endorsed_by"):
                names = ", ".join(one_line(e or _("a member who asked to stay anonymous"))
                                  for e in i["endorsed_by"])
                add("  " + _("Endorsed by {names}.", names=md_inline(names)) + "\n")
        if p.get("confidential"):
            add(f"*{md_inline(r.confidential_line(p))}*\n")
        add("#### " + _("What the coalition did") + "\n")
        for i in p.get("heard") or []:
            line = f"- **{md_inline(i.get('ref'))}**{colon()}{md_inline(r.did_line(i))}"
            ack = r.ack_line(i)
            add(line + (f" {md_inline(ack)}" if ack else ""))
        if p.get("heard"):
            add("")
        ops = (p.get("change") or {}).get("ops") or []
        excerpt = r.excerpt(ops)
        if excerpt:
            add(_("Change to the text ({inserted}, {deleted}):",
                  inserted="**[+ " + _("inserted") + " +]**",
                  deleted="~~[− " + _("deleted") + " −]~~") + "\n")
            add("\n>\n".join(_redline(excerpt)) + "\n")
        else:
            add(_("The text of this principle was not changed.") + "\n")
        dissent = p.get("dissent") or []
        if dissent:
            add(_("Dissent that remains:") + " " + "; ".join(
                f"{md_inline(d.get('ref'))} ({r.dissent_why(d)})"
                for d in dissent) + ".\n")
        elif p.get("opposed"):
            add(_("Dissent that remains:") + " "
                + _("{members} opposed.", members=plural(p["opposed"], "member")) + "\n")
        else:
            add(_("No dissent remains.") + "\n")

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

    add("## " + _("Appendix: check this report yourself") + "\n")
    add(_("Built from commit {commit} of the coalition's repository",
          commit=f"`{md_id(v.get('commit'))}`")
        + ("; " + _("the round's draft is {draft} (tag {tag})", draft=f"`{md_id(v.get('draft'))}`",
                    tag=f"`{md_id(v.get('draft_tag'))}`")
           if v.get("draft") else "") + ".\n")
    closing = v.get("closing")
    if closing:
        add(md_table([_("Closing manifest"), _("Value")], [
            [_("File"), f"`{md_id(closing.get('path'))}`"],
            ["SHA-256", f"`{md_id(closing.get('sha256'))}`"],
            [_("Git blob"), f"`{md_id(closing.get('blob'))}`"],
            [_("Records listed"), str(closing.get("records", 0))],
            [_("Signed by"), md_inline(closing.get("closed_by"))]]) + "\n")
    add(_("Commands, run in a copy of the repository:") + "\n")
    for c in v.get("commands") or []:
        add(f"{md_inline(_(c.get('what') or ''))}{colon().rstrip()}\n")
        add("```sh\n" + str(c.get("command") or "").replace("```", "'''") + "\n```\n")
    phrases = v.get("phrases") or []
    if phrases:
        add(_("The phrase to search for each quoted comment:") + "\n")
        add(md_table([_("Comment"), "PHRASE", _("Record")],
                     [[md_inline(x.get("ref")), md_inline(x.get("phrase")),
                       f"`{md_id(x['path'])}`" if x.get("path") else NONE_MARK]
                      for x in phrases]) + "\n")
    add("---\n")
    add(_("Generated from commit {commit} at {when}.", commit=f"`{md_id(data.get('generated_from'))}`",
          when=md_inline(fmt_date(data.get("generated_at")))) + "\n")
    return "\n".join(out)
