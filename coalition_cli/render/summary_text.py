"""Terminal rendering of a consultation summary (rich tables).

Every piece of user text goes in as a ``rich.text.Text`` (never as a markup
string), after control characters are replaced, so a comment can neither
inject rich markup nor terminal escape sequences. Reads the same without
colour.
"""

from __future__ import annotations

import io

from ._common import (
    CONFIDENTIAL_NOTE,
    NO_TEXT,
    NONE_MARK,
    ack_label,
    disposition_label,
    excluded_where,
    round_dates,
    status_legend,
    confidential_note,
    governance_notes,
    governance_section,
    clean_text,
    fmt_date,
    fmt_rate,
    fmt_share,
    member_name,
    one_line,
    short_sha,
)

# A terminal summary is read, not searched: longer lists are cut here (the files keep all).
TERMINAL_LIMIT = 30

STATUS_STYLE = {
    "consensus": "bold green",
    "contested": "bold yellow",
    "blocked": "bold red",
    "no-quorum": "dim",
}


def make_console(width: int, color: bool):
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        legacy_windows=False,
    )


def render(data: dict, *, color: bool = False, width: int = 100) -> str:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = make_console(width, color)
    T = lambda value, style="": Text(clean_text(value), style=style)  # noqa: E731
    tbox = box.SIMPLE_HEAD

    rnd = data.get("round") or {}
    stances = list(data.get("stances") or [])
    title = Text("Consultation summary", style="bold")
    if data.get("coalition"):
        title.append(" — ")
        title.append(one_line(data["coalition"]))
    con.print(title)
    line = Text(f"Round {one_line(rnd.get('id'))}", style="bold")
    if rnd.get("title"):
        line.append(": ")
        line.append(one_line(rnd["title"]), style="bold")
    line.append(f"  ({one_line(rnd.get('status') or 'unknown')})")
    con.print(line)
    dates = " · ".join(f"{label} {value}" for label, value in round_dates(rnd))
    con.print(T(f"{dates} · draft {short_sha(rnd.get('draft'), 12) or NONE_MARK}"))
    con.print()

    # participation -------------------------------------------------------
    part = data.get("participation") or {}
    members, responded = part.get("members", 0), part.get("responded", 0)
    con.print(
        Text(
            f"Participation: {responded} of {members} voting members responded"
            f" ({fmt_rate(responded, members)})",
            style="bold",
        )
    )
    sectors = part.get("by_sector") or {}
    if sectors:
        t = Table(box=tbox, show_edge=False, pad_edge=False)
        t.add_column("Sector")
        t.add_column("Members", justify="right")
        t.add_column("Responded", justify="right")
        t.add_column("Rate", justify="right")
        for name, s in sectors.items():
            m, r = s.get("members", 0), s.get("responded", 0)
            t.add_row(T(name), str(m), str(r), fmt_rate(r, m))
        con.print(t)
    con.print()

    # principles ------------------------------------------------------------
    principles = data.get("principles") or []
    con.print(Text("Principles", style="bold"))
    t = Table(box=tbox, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    t.add_column("ID", no_wrap=True)
    t.add_column("Title", min_width=10, overflow="fold")
    t.add_column("Comments" if width >= 100 else "Cmts", justify="right", no_wrap=True)
    for s in stances:
        t.add_column(Text(clean_text(s).capitalize()), justify="right", no_wrap=True)
    t.add_column("Share", justify="right", no_wrap=True)
    t.add_column("Status", no_wrap=True, min_width=9)
    for p in principles:
        counts = p.get("stances") or {}
        status = one_line(p.get("status"))
        t.add_row(
            T(p.get("id")),
            T(one_line(p.get("title"))),
            str(p.get("comments", 0)),
            *[str(counts.get(s, 0)) for s in stances],
            fmt_share(p.get("support_share")),
            T(status, STATUS_STYLE.get(status, "")),
        )
    con.print(t)
    for status, meaning in status_legend(data.get("rule")):
        row = Text("  ")
        row.append(status, style=STATUS_STYLE.get(status, ""))
        row.append(f": {meaning}", style="dim")
        con.print(row)
    for p in principles:  # silence and community consent, where the rules apply
        for note in governance_notes(p):
            con.print(T(f"  {one_line(p.get('id'))}: {note}"))

    # amendments and blocks -------------------------------------------------
    def listing(heading: str, style: str, items: list, what) -> None:  # noqa: ANN001
        """The first TERMINAL_LIMIT of ``items`` ((principle, item) pairs); ``what(item)``
        makes the text of one, so a cut list costs only what is shown."""
        if not items:
            return
        con.print()
        con.print(Text(heading, style=style))
        hidden = len(items) - TERMINAL_LIMIT
        g = Table.grid(padding=(0, 2))
        g.add_column(no_wrap=True)
        g.add_column(max_width=max(20, width // 3))
        g.add_column(ratio=1)
        for pid, item in items[:TERMINAL_LIMIT]:
            who = Text(member_name(item.get("member"), item.get("attribution")))
            who.append(f" ({one_line(item.get('comment'))})", style="dim")
            g.add_row(T("  " + one_line(pid), "bold"), who, what(item))
        con.print(g)
        if hidden > 0:
            con.print(Text(f"  … and {hidden} more (all of them: --format md, html or csv)",
                           style="dim"))

    def amendment(a: dict) -> Text:
        what = Text()
        if a.get("quote"):
            what.append("“" + one_line(a["quote"]) + "”", style="red")
            what.append(" → ")
        what.append("“" + one_line(a.get("proposed_text")) + "”", style="green")
        return what

    def block(b: dict) -> Text:
        if b.get("text"):
            return T(one_line(b["text"]))
        return T(confidential_note(b) if b.get("attribution") == "confidential" else NO_TEXT)

    listing("Proposed amendments", "bold",
            [(p.get("id"), a) for p in principles for a in p.get("amendments") or []], amendment)
    listing("Blocks", "bold red",
            [(p.get("id"), b) for p in principles for b in p.get("blocks") or []], block)

    def unresolved(u: dict) -> Text:
        why = "block" if u.get("why") == "block" else "objection maintained"
        return T(f"{why}; answer: {disposition_label(u.get('disposition'))}"
                 + (f"; the commenter {ack_label(u['ack'])}" if u.get("ack") else ""))

    listing("Unresolved", "bold red",
            [(u.get("principle"), u) for u in data.get("unresolved") or []], unresolved)

    heading, paragraphs = governance_section(data)
    if paragraphs:
        con.print()
        con.print(Text(heading, style="bold"))
        for para in paragraphs:
            con.print(T("  " + para))

    # dispositions ---------------------------------------------------------
    disp = data.get("dispositions") or {}
    con.print()
    con.print(
        Text(
            f"Dispositions: {disp.get('answered', 0)} answered, "
            f"{disp.get('awaiting', 0)} awaiting",
            style="bold",
        )
    )
    awaiting = disp.get("awaiting_ids") or []
    if awaiting:
        shown = ", ".join(one_line(i) for i in awaiting[:TERMINAL_LIMIT])
        more = len(awaiting) - TERMINAL_LIMIT
        con.print(T("  awaiting: " + shown + (f" … and {more} more" if more > 0 else "")))

    # clusters -------------------------------------------------------------
    clusters = data.get("clusters") or []
    if clusters:
        con.print()
        con.print(Text("Near-identical comments", style="bold"))
        t = Table(box=tbox, show_edge=False, pad_edge=False)
        t.add_column("Size", justify="right")
        t.add_column("Sample", ratio=1, overflow="fold")
        t.add_column("Comments", overflow="fold")
        for c in clusters[:TERMINAL_LIMIT]:
            ids = c.get("comments") or []
            listed = ", ".join(one_line(i) for i in ids[:8])
            t.add_row(
                str(c.get("size", len(ids))),
                T(one_line(c.get("sample"))),
                T(listed + (f" … and {len(ids) - 8} more" if len(ids) > 8 else "")),
            )
        con.print(t)
        if len(clusters) > TERMINAL_LIMIT:
            con.print(Text(f"  … and {len(clusters) - TERMINAL_LIMIT} more clusters", style="dim"))

    # integrity ------------------------------------------------------------
    integ = data.get("integrity") or {}
    excluded = data.get("excluded") or []
    con.print()
    con.print(
        Text(
            f"Integrity: {integ.get('verified', 0)} records verified, "
            f"{integ.get('excluded', len(excluded))} excluded",
            style="bold" if not excluded else "bold yellow",
        )
    )
    for e in excluded[:TERMINAL_LIMIT]:
        row = Text("  ")
        row.append(one_line(e.get("problem")), style="yellow")
        row.append("  ")
        row.append(excluded_where(e))
        if e.get("detail"):
            row.append(f" — {one_line(e['detail'])}", style="dim")
        con.print(row)
    if len(excluded) > TERMINAL_LIMIT:
        con.print(Text(f"  … and {len(excluded) - TERMINAL_LIMIT} more (all of them: "
                       "coalition verify)", style="dim"))

    con.print()
    foot = f"Generated from {one_line(data.get('generated_from')) or NONE_MARK}"
    if data.get("generated_at"):
        foot += f" at {fmt_date(data['generated_at'])}"
    con.print(Text(foot, style="dim"))
    return "\n".join(line.rstrip() for line in con.file.getvalue().splitlines()) + "\n"
