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
)

OPEN_QUOTE, CLOSE_QUOTE = "“", "”"

STANCE_WORDS = {"support": "support", "amend": "support with changes", "neutral": "neutral",
                "oppose": "oppose", "block": "block (a fundamental objection)"}


def who(item: dict) -> str:
    if item.get("who"):
        return one_line(item["who"])
    if item.get("attribution") == "confidential":
        return "Confidential comment"
    return "A member who asked to stay anonymous"


def heading_of(item: dict) -> str:
    """'C3 · Eastside Community Health Centre · support with changes'."""
    stance = STANCE_WORDS.get(str(item.get("stance")), one_line(item.get("stance")))
    return f"{item.get('ref')} · {who(item)} · {stance}"


def how_to_read(data: dict) -> list[str]:
    rnd = data.get("round") or {}
    out = [
        f"This report tells what the members of {one_line(data.get('coalition'))} said in "
        f"consultation round {one_line(rnd.get('id'))} ({one_line(rnd.get('title'))}), and what "
        "the coalition did with it. For each principle, the part What members told us gives "
        "members' own words, and the part What the coalition did gives the facilitators' answer "
        "to each comment, the change made to the text, and the dissent that remains.",
        "Only members' own words appear in quotation marks: every quotation is copied exactly "
        "from a signed comment, and the appendix shows how to find each one in the coalition's "
        "repository and check its signature. Where a long comment is cut, the cut is marked "
        "[…] outside the quotation marks. Everything else is the coalition's own summary.",
        "Comments are numbered C1, C2, … in this report only. Members who asked for anonymity "
        "are not named; a confidential comment is counted in the figures, but its text is "
        "shared with the facilitators only and does not appear here.",
    ]
    if data.get("audience") == "coalition":
        out.append("This edition is for the coalition's members: it also shows each comment's "
                   "record id.")
    return out


def executive_summary(data: dict) -> list[str]:
    part = data.get("participation") or {}
    method = data.get("method") or {}
    rnd = data.get("round") or {}
    principles = data.get("principles") or []
    by_status: dict[str, list[str]] = {}
    for p in principles:
        by_status.setdefault(p.get("status") or "", []).append(one_line(p.get("id")))
    closed = rnd.get("closed_at") or rnd.get("closes_at")
    out = [
        f"{part.get('responded', 0)} of {part.get('members', 0)} voting member organisations "
        f"took part between {fmt_date(rnd.get('opened_at'))} and {fmt_date(closed)}. They sent "
        f"{plural(method.get('effective', 0), 'comment')} on "
        f"{plural(len(principles), 'principle')}"
        + (f" ({method['clusters']['distinct']} once near-identical comments are counted once)"
           if (method.get("clusters") or {}).get("groups") else "") + "."
    ]
    words = []
    for status, one, many in (
            ("consensus", "reached consensus", "reached consensus"),
            ("contested", "is contested", "are contested"),
            ("blocked", "is blocked by a member's fundamental objection",
             "are blocked by members' fundamental objections"),
            ("no-quorum", "drew too few stances to conclude (no quorum)",
             "drew too few stances to conclude (no quorum)")):
        ids = by_status.get(status) or []
        if ids:
            words.append(f"{plural(len(ids), 'principle')} {one if len(ids) == 1 else many} "
                         f"({', '.join(ids)})")
    if words:
        out.append("; ".join(words) + ".")
    disp = data.get("dispositions") or {}
    kinds = disp.get("by_kind") or {}
    if kinds:
        listed = ", ".join(f"{n} {disposition_label(k).lower()}" for k, n in kinds.items())
        out.append(f"The facilitators answered {disp.get('answered', 0)} of "
                   f"{method.get('effective', 0)} comments ({listed})"
                   + (f"; {disp['awaiting']} still await an answer" if disp.get("awaiting") else "")
                   + ".")
    changed = [one_line(p.get("id")) for p in principles
               if (p.get("change") or {}).get("status") == "modified"]
    if changed:
        out.append(f"The text of {plural(len(changed), 'principle')} was revised "
                   f"({', '.join(changed)}).")
    unresolved = data.get("unresolved") or []
    if unresolved:
        out.append(f"{plural(len(unresolved), 'objection')} remain unresolved: "
                   + "; ".join(f"{'a block' if u.get('why') == 'block' else 'an objection maintained after the answer'} "
                               f"on {one_line(u.get('principle'))} ({u.get('ref')})"
                               for u in unresolved) + ".")
    else:
        out.append("No block or maintained objection remains.")
    return out


def process_rows(data: dict) -> list[tuple[str, str]]:
    rnd = data.get("round") or {}
    rows = [("Round", f"{one_line(rnd.get('id'))} — {one_line(rnd.get('title'))}"),
            ("Opened", fmt_date(rnd.get("opened_at"))),
            ("Planned close", fmt_date(rnd.get("planned_closes_at") or rnd.get("closes_at")))]
    for i, e in enumerate(rnd.get("extensions") or [], 1):
        rows.append((f"Extension {i}", f"from {fmt_date(e.get('from'))} to {fmt_date(e.get('to'))}"
                                       f" (decided {fmt_date(e.get('recorded_at'))})"))
    rows.append(("Closed", fmt_date(rnd["closed_at"]) if rnd.get("closed_at") else "still open"))
    rows.append(("Facilitated by", ", ".join(one_line(f) for f in rnd.get("facilitators") or [])
                 or "—"))
    rows.append(("Draft consulted on", f"{short_sha(rnd.get('draft'), 12)} "
                                       f"(tag {one_line(rnd.get('draft_tag'))})"))
    return rows


def method_paragraphs(data: dict) -> list[str]:
    m = data.get("method") or {}
    cl = m.get("clusters") or {}
    rule = m.get("rule") or {}
    def were(n: int) -> str:
        return "was" if n == 1 else "were"

    received, superseded = m.get("received", 0), m.get("superseded", 0)
    endorsements = m.get("endorsements", 0)
    out = [f"{plural(received, 'signed comment')} {were(received)} received; {superseded} "
           f"{were(superseded)} replaced by the author's later version and "
           f"{m.get('withdrawn', 0)} withdrawn, leaving {m.get('effective', 0)}. "
           f"{plural(endorsements, 'endorsement')} of another member's comment counted as the "
           f"endorser's stance. Anonymous ({m.get('anonymous', 0)}) and confidential "
           f"({m.get('confidential', 0)}) comments are counted like the others."]
    groups = cl.get("groups") or []
    out.append(
        "Near-identical comments (such as a template campaign) were grouped when their sets of "
        f"words overlap by at least {cl.get('threshold', 0.7):.0%} (Jaccard similarity, groups "
        f"of {cl.get('minimum', 2)} or more): "
        + (f"{plural(len(groups), 'group')} of {cl.get('grouped', 0)} comments "
           f"({'; '.join(', '.join(g) for g in groups)}), so {cl.get('distinct', 0)} distinct "
           "comments. Every comment in a group still counts as its member's voice."
           if groups else "none were found."))
    out.append(
        "Consensus rule (from the coalition's settings): one voice per member per principle — "
        "its latest comment or endorsement. A principle is blocked when it has "
        + (f"more than {plural(rule['max_blocks'], 'block')}" if rule.get("max_blocks")
           else "any block") + "; without quorum when fewer than "
        f"{rule.get('quorum_members', 0)} of the {rule.get('voting_members', 0)} voting members "
        f"({rule.get('quorum', 0.5):.0%}) took a stance on it; in consensus when at least "
        f"{rule.get('threshold', 0.75):.0%} of the support and opposition is support; "
        "contested otherwise. Neutral stances abstain.")
    n = m.get("excluded_count", 0)
    out.append("Every record was verified (signature, signer's permission, place, closing "
               "manifest); " + ("none was excluded." if not n else
                                f"{plural(n, 'record')} did not pass and "
                                f"{'was' if n == 1 else 'were'} left out, listed below by kind "
                                "of problem."))
    return out


def did_line(item: dict) -> str:
    line = disposition_label(item.get("disposition"))
    if item.get("attribution") == "confidential" and item.get("disposition"):
        line += ": the answer was given to the member in confidence"
    elif item.get("rationale"):
        line += f": {one_line(item['rationale'])}"
    if item.get("commit"):
        line += f" (change in commit {short_sha(item['commit'])})"
    return line


def ack_line(item: dict) -> str:
    return f"The member {ack_label(item['ack'])}." if item.get("ack") else ""


def confidential_line(p: dict) -> str:
    from ..governance.wording import confidential_line as chosen

    if chosen(p):  # some authors chose who holds their confidential comments
        return chosen(p) or ""
    n = p.get("confidential") or 0
    return (f"{plural(n, 'confidential comment')}: counted in the figures; "
            f"{'its' if n == 1 else 'their'} text is shared with the facilitators only.") if n else ""


def stance_line(p: dict, stances: list[str]) -> str:
    counts = p.get("stances") or {}
    parts = ", ".join(f"{counts.get(s, 0)} {STANCE_WORDS.get(s, s)}" for s in stances
                      if counts.get(s, 0))
    return (f"Status: {one_line(p.get('status'))} · {plural(p.get('voices', 0), 'member voice')}"
            + (f" ({parts})" if parts else "") + f" · support share {fmt_share(p.get('support_share'))}")


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
