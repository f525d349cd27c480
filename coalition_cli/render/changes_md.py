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
    FATE_HELP,
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
)


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
                label = ("moved from here" if seg.kind == MOVE_FROM else "moved here") + (f" {n}" if n else "")
                mark = "~~" if seg.kind == MOVE_FROM else "**"
                bits.append(f" *\\[{label}\\]* " + _wrap(seg.text, mark).strip() + " ")
        if para.split == "insert":
            bits.append(" **¶**")
        elif para.split == "delete":
            bits.append(" ~~¶~~")
        line = " ".join("".join(bits).split())
        if para.cls == "added":
            line = "*(new paragraph)* " + line
        elif para.cls == "deleted":
            line = "*(removed paragraph)* " + line
        out.append(line)
    return out


def _comment_row(c: dict) -> list[str]:
    fate = one_line(c.get("fate"))
    quote = md_inline(c.get("quote")) if c.get("quote") else ""
    if c.get("new_quote") and one_line(c.get("new_quote")) != one_line(c.get("quote")):
        quote = f"{quote} → {md_inline(c['new_quote'])}" if quote else md_inline(c["new_quote"])
    disp = md_inline(c.get("disposition")) if c.get("disposition") else "*awaiting*"
    if c.get("rationale"):
        disp += f": {md_inline(c['rationale'])}"
    if c.get("commit"):
        disp += f" (in `{md_id(short_sha(c['commit']))}`)"
    return [
        f"`{md_id(c.get('id'))}`",
        md_inline(c.get("principle")),
        md_inline(member_name(c.get("member"), c.get("attribution"))),
        md_inline(c.get("stance")),
        f"**{md_inline(fate)}**" if fate else NONE_MARK,
        quote or NONE_MARK,
        disp,
    ]


def render(data: dict) -> str:
    out: list[str] = []
    add = out.append
    frm, to = data.get("from") or {}, data.get("to") or {}
    add("# Tracked changes\n")
    rows = [["From", md_inline(version_label(frm)), md_inline(frm.get("author") or NONE_MARK)],
            ["To", md_inline(version_label(to)), md_inline(to.get("author") or NONE_MARK)]]
    add(md_table(["", "Version", "Author"], rows) + "\n")
    add("Deletions are ~~struck through~~, insertions **in bold**; "
        "¶ marks a paragraph split or join.\n")

    st = data.get("stats") or {}
    add("## Counts\n")
    add(md_table(
        ["Words inserted", "Words deleted", "Paragraphs added", "Paragraphs deleted",
         "Paragraphs moved", "Principles added", "Principles removed", "Principles modified"],
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
        add(f"## {md_inline(p.get('id'))} — {title} ({md_inline(p.get('status'))})\n")
        if p.get("old_title") and p.get("old_title") != p.get("title"):
            add(f"Title: ~~{md_inline(p['old_title'])}~~ **{md_inline(p.get('title'))}**\n")
        paras = redline_md(p.get("ops") or [])
        for line in paras or ["*(no text)*"]:
            add(line + "\n")
        comments = by_principle.get(p.get("id")) or []
        if comments:
            add("**Comments:**\n")
            for c in comments:
                fate = one_line(c.get("fate"))
                item = (f"- `{md_id(c.get('id'))}` "
                        f"{md_inline(member_name(c.get('member'), c.get('attribution')))}")
                if c.get("stance"):
                    item += f" ({md_inline(c['stance'])})"
                item += f" — anchor *{md_inline(fate)}*"
                if fate in FATE_HELP:
                    item += f" ({FATE_HELP[fate]})"
                if c.get("disposition"):
                    item += f"; disposition **{md_inline(c['disposition'])}**"
                    if c.get("commit"):
                        item += f" in `{md_id(short_sha(c['commit']))}`"
                else:
                    item += "; awaiting a disposition"
                add(item)
                if c.get("text"):
                    add("\n  > " + md_inline(c["text"]))
                add("")

    comments = data.get("comments") or []
    add("## Comments and their anchors\n")
    if comments:
        add(md_table(["Comment", "Principle", "Member", "Stance", "Anchor", "Quote", "Disposition"],
                     [_comment_row(c) for c in comments]) + "\n")
    else:
        add("No comments.\n")
    return "\n".join(out)
