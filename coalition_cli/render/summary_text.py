"""Terminal rendering of a consultation summary (rich tables).

Every piece of user text goes in as a ``rich.text.Text`` (never as a markup
string), after control characters are replaced, so a comment can neither
inject rich markup nor terminal escape sequences. Reads the same without
colour.
"""

from __future__ import annotations

import io

from ._common import (
    NO_TEXT,
    NONE_MARK,
    ack_label,
    disposition_label,
    excluded_where,
    known,
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
    stance_label,
    status_label,
)
from ..i18n import _, colon, n_

# A terminal summary is read, not searched: longer lists are cut here (the files keep all),
# and a summary read back for it holds no more of them (its brief: ``summary_parts``).
from ..reports.summary_parts import CLUSTER_IDS, SHOWN as TERMINAL_LIMIT  # noqa: E402, N811

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
    title = Text(_("Consultation summary"), style="bold")
    if data.get("coalition"):
        title.append(" — ")
        title.append(one_line(data["coalition"]))
    con.print(title)
    line = Text(_("Round {id}", id=one_line(rnd.get("id"))), style="bold")
    if rnd.get("title"):
        line.append(colon())
        line.append(one_line(rnd["title"]), style="bold")
    line.append(f"  ({status_label(rnd.get('status') or 'unknown')})")
    con.print(line)
    dates = " · ".join(f"{label} {value}" for label, value in round_dates(rnd))
    con.print(T(dates + " · " + _("draft {sha}", sha=short_sha(rnd.get("draft"), 12) or NONE_MARK)))
    con.print()

    # participation -------------------------------------------------------
    part = data.get("participation") or {}
    members, responded = part.get("members", 0), part.get("responded", 0)
    con.print(
        Text(
            _("Participation: {responded} of {members} voting members responded ({rate})",
              responded=responded, members=members, rate=fmt_rate(responded, members)),
            style="bold",
        )
    )
    sectors = part.get("by_sector") or {}
    if sectors:
        t = Table(box=tbox, show_edge=False, pad_edge=False)
        t.add_column(_("Sector"), overflow="fold")
        t.add_column(_("Members"), justify="right")
        t.add_column(_("Responded"), justify="right")
        t.add_column(_("Rate"), justify="right")
        for name, s in sectors.items():
            m, r = s.get("members", 0), s.get("responded", 0)
            t.add_row(T(name), str(m), str(r), fmt_rate(r, m))
        con.print(t)
    con.print()

    # principles ------------------------------------------------------------
    principles = data.get("principles") or []
    con.print(Text(_("Principles"), style="bold"))
    t = Table(box=tbox, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    t.add_column(_("ID"), no_wrap=True)
    t.add_column(_("Title"), min_width=10, overflow="fold")
    t.add_column(_("Comments") if width >= 100 else _("Cmts"), justify="right", no_wrap=True)
    for s in stances:
        t.add_column(Text(stance_label(s).capitalize()), justify="right", no_wrap=True)
    t.add_column(_("Share"), justify="right", no_wrap=True)
    t.add_column(_("Status"), no_wrap=True, min_width=9)
    for p in principles:
        counts = p.get("stances") or {}
        status = one_line(p.get("status"))
        t.add_row(
            T(p.get("id")),
            T(one_line(p.get("title"))),
            str(p.get("comments", 0)),
            *[str(counts.get(s, 0)) for s in stances],
            fmt_share(p.get("support_share")),
            T(status_label(status), STATUS_STYLE.get(status, "")),
        )
    if _table_width(principles, stances, width) > width:  # too narrow: never crop a cell
        t = _stacked_principles(principles, stances)
    con.print(t)
    for status, meaning in status_legend(data.get("rule")):
        row = Text("  ")
        row.append(status_label(status), style=STATUS_STYLE.get(status, ""))
        row.append(colon() + meaning, style="dim")
        con.print(row)
    for p in principles:  # silence and community consent, where the rules apply
        for note in governance_notes(p):
            con.print(T(f"  {one_line(p.get('id'))}{colon()}{note}"))

    # amendments and blocks -------------------------------------------------
    # a summary read back for this report is its brief (``reports.summary_parts``): its
    # lists cut to what is shown here, the lengths they had under "brief"
    total = (data.get("brief") or {}).get

    def listing(heading: str, style: str, items: list, what, name: str) -> None:  # noqa: ANN001
        """The first TERMINAL_LIMIT of ``items`` ((principle, item) pairs); ``what(item)``
        makes the text of one, so a cut list costs only what is shown."""
        if not items:
            return
        con.print()
        con.print(Text(heading, style=style))
        hidden = total(name, len(items)) - TERMINAL_LIMIT
        g = Table.grid(padding=(0, 2))
        g.add_column(no_wrap=True)
        g.add_column(max_width=max(20, width // 3), overflow="fold")  # a long id folds
        g.add_column(ratio=1, overflow="fold")
        for pid, item in items[:TERMINAL_LIMIT]:
            who = Text(member_name(item.get("member"), item.get("attribution")))
            who.append(f" ({one_line(item.get('comment'))})", style="dim")
            g.add_row(T("  " + one_line(pid), "bold"), who, what(item))
        con.print(g)
        if hidden > 0:
            con.print(Text("  " + _("… and {n} more (all of them: --format md, html or csv)",
                                    n=hidden), style="dim"))

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
        return T(confidential_note(b) if b.get("attribution") == "confidential" else _(NO_TEXT))

    listing(_("Proposed amendments"), "bold",
            [(p.get("id"), a) for p in principles for a in p.get("amendments") or []], amendment,
            "amendments")
    listing(_("Blocks"), "bold red",
            [(p.get("id"), b) for p in principles for b in p.get("blocks") or []], block,
            "blocks")

    def unresolved(u: dict) -> Text:
        why = _("block") if u.get("why") == "block" else _("objection maintained")
        return T(_("{why}; answer: {answer}", why=why, answer=disposition_label(u.get("disposition")))
                 + (_("; the commenter {ack}", ack=ack_label(u["ack"])) if u.get("ack") else ""))

    listing(_("Unresolved"), "bold red",
            [(u.get("principle"), u) for u in data.get("unresolved") or []], unresolved,
            "unresolved")

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
            _("Dispositions: {answered} answered, {awaiting} awaiting",
              answered=disp.get("answered", 0), awaiting=disp.get("awaiting", 0)),
            style="bold",
        )
    )
    awaiting = disp.get("awaiting_ids") or []
    if awaiting:
        shown = ", ".join(one_line(i) for i in awaiting[:TERMINAL_LIMIT])
        more = total("awaiting_ids", len(awaiting)) - TERMINAL_LIMIT
        con.print(T("  " + _("awaiting: {ids}", ids=shown)
                    + (" " + _("… and {n} more", n=more) if more > 0 else "")))

    # clusters -------------------------------------------------------------
    clusters = data.get("clusters") or []
    if clusters:
        con.print()
        con.print(Text(_("Near-identical comments"), style="bold"))
        t = Table(box=tbox, show_edge=False, pad_edge=False)
        t.add_column(_("Size"), justify="right")
        t.add_column(_("Sample"), ratio=1, overflow="fold")
        t.add_column(_("Comments"), overflow="fold")
        for c in clusters[:TERMINAL_LIMIT]:
            ids = c.get("comments") or []
            listed = ", ".join(one_line(i) for i in ids[:CLUSTER_IDS])
            size = c.get("size", len(ids))  # the group's size: its ids may be cut to those shown
            t.add_row(
                str(size),
                T(one_line(c.get("sample"))),
                T(listed + (" " + _("… and {n} more", n=size - CLUSTER_IDS)
                            if size > CLUSTER_IDS else "")),
            )
        con.print(t)
        groups = total("clusters", len(clusters))
        if groups > TERMINAL_LIMIT:
            con.print(Text("  " + _("… and {n} more clusters", n=groups - TERMINAL_LIMIT),
                           style="dim"))

    # integrity ------------------------------------------------------------
    integ = data.get("integrity") or {}
    excluded = data.get("excluded") or []
    con.print()
    con.print(
        Text(
            _("Integrity: {verified} records verified, {excluded} excluded",
              verified=integ.get("verified", 0), excluded=integ.get("excluded", len(excluded))),
            style="bold" if not excluded else "bold yellow",
        )
    )
    for e in excluded[:TERMINAL_LIMIT]:
        row = Text("  ")
        row.append(one_line(e.get("problem")), style="yellow")  # a problem kind: a code
        row.append("  ")
        row.append(excluded_where(e))
        if e.get("detail"):
            row.append(f" — {known(e['detail'])}", style="dim")
        con.print(row)
    if len(excluded) > TERMINAL_LIMIT:
        con.print(Text("  " + _("… and {n} more (all of them: coalition verify)",
                                n=len(excluded) - TERMINAL_LIMIT), style="dim"))

    con.print()
    foot = _("Generated from {commit}", commit=one_line(data.get("generated_from")) or NONE_MARK)
    if data.get("generated_at"):
        foot += " " + _("at {when}", when=fmt_date(data["generated_at"]))
    con.print(Text(foot, style="dim"))
    return "\n".join(line.rstrip() for line in con.file.getvalue().splitlines()) + "\n"


def _table_width(principles: list, stances: list, width: int) -> int:
    """The narrowest the principles table can be drawn without cropping a cell: every
    column its widest header or value, the title at least 10 cells."""
    from rich.cells import cell_len

    widest = lambda header, values: max([cell_len(header)] + [cell_len(v) for v in values])  # noqa: E731
    columns = [widest(_("ID"), [one_line(p.get("id")) for p in principles]), 10,
               widest(_("Comments") if width >= 100 else _("Cmts"),
                      [str(p.get("comments", 0)) for p in principles]),
               *[widest(stance_label(s).capitalize(),
                        [str((p.get("stances") or {}).get(s, 0)) for p in principles])
                 for s in stances],
               widest(_("Share"), [fmt_share(p.get("support_share")) for p in principles]),
               widest(_("Status"), [status_label(one_line(p.get("status")))
                                    for p in principles] + ["x" * 9])]
    return sum(columns) + len(columns) - 1


def _stacked_principles(principles: list, stances: list) -> object:
    """The principles table for a terminal too narrow for its columns: one block per
    principle, its counts as words that wrap at spaces (nothing is cropped)."""
    from rich.table import Table
    from rich.text import Text

    T = lambda value, style="": Text(clean_text(value), style=style)  # noqa: E731
    g = Table.grid(padding=(0, 2, 0, 0))
    g.add_column(no_wrap=True)
    g.add_column(ratio=1)
    g.add_row(Text(_("ID"), style="bold"),
              Text(_("Title, then comments, stances, share, status"), style="bold"))
    for p in principles:
        counts = p.get("stances") or {}
        status = one_line(p.get("status"))
        cell = T(one_line(p.get("title")))
        cell.append("\n")
        n = p.get("comments", 0)
        cell.append(n_("{n} comment", "{n} comments", n) + " · ")
        cell.append(" · ".join(f"{stance_label(s)} {counts.get(s, 0)}" for s in stances))
        cell.append(" · " + _("share {share}", share=fmt_share(p.get("support_share"))) + " · ")
        cell.append(status_label(status), style=STATUS_STYLE.get(status, ""))
        g.add_row(T(p.get("id")), cell)
    return g
