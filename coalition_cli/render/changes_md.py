"""Markdown rendering of a tracked-change report.

Deletions are ``~~struck~~``, insertions ``**bold**`` (GitHub-flavoured
Markdown, no raw HTML), moves are labelled *[moved from here]* and
*[moved here]*. User text is escaped; spaces at the edge of a change stay
outside the markers so they still parse.
"""

from __future__ import annotations

from ._common import (
    DELETE,
    EQUAL,
    INSERT,
    MOVE_FROM,
    NONE_MARK,
    display_paragraphs,
    md_id,
    md_inline,
    md_table,
    member_name,
    move_numbers,
    one_line,
    short_sha,
    version_label,
    disposition_word,
    fate_help,
    fate_label,
    stance_label,
    status_label,
)
from ..i18n import _, colon
from ._languages import version_note


def _wrap(text: str, mark: str) -> str:
    """Escape ``text`` and wrap its non-blank core in ``mark``."""
    core = text.strip()
    if not core:
        return text and " "
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return f"{lead}{mark}{md_inline(core)}{mark}{trail}"


def _escape_keep_edges(text: str) -> str:
    core = md_inline(text)
    lead = " " if text[:1].isspace() and core else ""
    trail = " " if text[-1:].isspace() and core else ""
    return f"{lead}{core}{trail}"


def redline_md(ops: list[dict]) -> list[str]:
    numbers = move_numbers(ops)
    out = []
    for para in display_paragraphs(ops):
        bits = []
        for seg in para.segments:
            if seg.kind == EQUAL:
                bits.append(_escape_keep_edges(seg.text))
            elif seg.kind == DELETE:
                bits.append(_wrap(seg.text, "~~"))
            elif seg.kind == INSERT:
                bits.append(_wrap(seg.text, "**"))
            else:
                n = numbers.get(seg.pair, "")
                label = (_("moved from here") if seg.kind == MOVE_FROM else _("moved here")) + (f" {n}" if n else "")
                mark = "~~" if seg.kind == MOVE_FROM else "**"
                bits.append(f" *\\[{label}\\]* " + _wrap(seg.text, mark).strip() + " ")
        if para.split == "insert":
            bits.append(" **¶**")
        elif para.split == "delete":
            bits.append(" ~~¶~~")
        line = " ".join("".join(bits).split())
        if para.cls == "added":
            line = "*" + _("(new paragraph)") + "* " + line
        elif para.cls == "deleted":
            line = "*" + _("(removed paragraph)") + "* " + line
        out.append(line)
    return out


def _comment_row(c: dict) -> list[str]:
    fate = one_line(c.get("fate"))
    quote = md_inline(c.get("quote")) if c.get("quote") else ""
    if c.get("new_quote") and one_line(c.get("new_quote")) != one_line(c.get("quote")):
        quote = f"{quote} → {md_inline(c['new_quote'])}" if quote else md_inline(c["new_quote"])
    disp = (md_inline(disposition_word(c.get("disposition"))) if c.get("disposition")
            else "*" + _("awaiting") + "*")
    if c.get("rationale"):
        disp += colon() + md_inline(c["rationale"])
    if c.get("commit"):
        disp += " " + _("(in {commit})", commit=f"`{md_id(short_sha(c['commit']))}`")
    return [
        f"`{md_id(c.get('id'))}`",
        md_inline(c.get("principle")),
        md_inline(member_name(c.get("member"), c.get("attribution"))),
        md_inline(stance_label(c.get("stance"))) if c.get("stance") else "",
        f"**{md_inline(fate_label(fate))}**" if fate else NONE_MARK,
        quote or NONE_MARK,
        disp,
    ]


def render(data: dict) -> str:
    out: list[str] = []
    add = out.append
    frm, to = data.get("from") or {}, data.get("to") or {}
    add("# " + _("Tracked changes") + "\n")
    rows = [[_("From"), md_inline(version_label(frm)), md_inline(frm.get("author") or NONE_MARK)],
            [_("To"), md_inline(version_label(to)), md_inline(to.get("author") or NONE_MARK)]]
    add(md_table(["", _("Version"), _("Author")], rows) + "\n")
    add(_("Deletions are ~~struck through~~, insertions **in bold**; "
          "¶ marks a paragraph split or join.") + "\n")

    st = data.get("stats") or {}
    add("## " + _("Counts") + "\n")
    add(md_table(
        [_("Words inserted"), _("Words deleted"), _("Paragraphs added"), _("Paragraphs deleted"),
         _("Paragraphs moved"), _("Principles added"), _("Principles removed"),
         _("Principles modified")],
        [[str(st.get(k, 0)) for k in (
            "words_inserted", "words_deleted", "paragraphs_added", "paragraphs_deleted",
            "paragraphs_moved", "principles_added", "principles_removed", "principles_modified")]],
        ["r"] * 8,
    ) + "\n")

    by_principle: dict = {}
    for c in data.get("comments") or []:
        by_principle.setdefault(c.get("principle"), []).append(c)

    for p in data.get("principles") or []:
        title = md_inline(p.get("title") or p.get("old_title"))
        add(f"## {md_inline(p.get('id'))} — {title} ({md_inline(status_label(p.get('status')))})\n")
        if p.get("old_title") and p.get("old_title") != p.get("title"):
            add(_("Title:") + f" ~~{md_inline(p['old_title'])}~~ **{md_inline(p.get('title'))}**\n")
        if version_note(p):
            add(f"*{md_inline(version_note(p))}*\n")
        paras = redline_md(p.get("ops") or [])
        for line in paras or ["*" + _("(no text)") + "*"]:
            add(line + "\n")
        comments = by_principle.get(p.get("id")) or []
        if comments:
            add("**" + _("Comments:") + "**\n")
            for c in comments:
                fate = one_line(c.get("fate"))
                item = (f"- `{md_id(c.get('id'))}` "
                        f"{md_inline(member_name(c.get('member'), c.get('attribution')))}")
                if c.get("stance"):
                    item += f" ({md_inline(stance_label(c['stance']))})"
                item += " — " + _("anchor {fate}", fate=f"*{md_inline(fate_label(fate))}*")
                if fate_help(fate):
                    item += f" ({fate_help(fate)})"
                if c.get("disposition"):
                    item += "; " + _("disposition {disposition}",
                                     disposition=f"**{md_inline(disposition_word(c['disposition']))}**")
                    if c.get("commit"):
                        item += " " + _("in {commit}", commit=f"`{md_id(short_sha(c['commit']))}`")
                else:
                    item += "; " + _("awaiting a disposition")
                add(item)
                if c.get("text"):
                    add("\n  > " + md_inline(c["text"]))
                add("")

    comments = data.get("comments") or []
    add("## " + _("Comments and their anchors") + "\n")
    if comments:
        add(md_table([_("Comment"), _("Principle"), _("Member"), _("Stance"), _("Anchor"),
                      _("Quote"), _("Disposition")],
                     [_comment_row(c) for c in comments]) + "\n")
    else:
        add(_("No comments.") + "\n")
    return "\n".join(out)
