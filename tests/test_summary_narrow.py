"""`coalition summary` on a 60-column terminal wraps its tables, never crops a cell."""

from __future__ import annotations

from datetime import timedelta

from rich.cells import cell_len

from coalition_cli import actions
from coalition_cli.model import now

from conftest import Coalition
from test_editor import Terminal


def test_summary_at_60_columns_crops_nothing(coalition: Coalition) -> None:
    c = coalition
    actions.round_open(c.agenda, c.who("sec"), "r1", title="Narrow terminals",
                       closes=now() + timedelta(days=10))
    for member, stance in (("health", "support"), ("youth", "oppose"), ("fund", "amend")):
        actions.comment_add(c.agenda, c.who(member), principle="P03", stance=stance,
                            text=f"{member} on sovereignty.",
                            propose="Indigenous peoples govern every use of data about them."
                            if stance == "amend" else None,
                            quote="Indigenous peoples govern data about them." if stance == "amend"
                            else None)
    term = Terminal(c.root, ["summary"], {"NO_COLOR": "1"}, columns=60)
    code, out = term.finish()
    assert code == 0, out
    lines = out.replace("\r", "").splitlines()
    assert "…" not in out, out
    assert max(cell_len(line) for line in lines) <= 60
    assert "Indigenous data sovereignty" in out  # the title whole, on one line
    row = next(i for i, line in enumerate(lines) if line.startswith("P03"))
    assert "3 comments" in lines[row + 1] and "share 67%" in " ".join(lines[row + 1:row + 3])
    for stance in ("support 1", "oppose 1", "amend 1", "block 0"):
        assert stance in " ".join(lines[row + 1:row + 3]), stance
