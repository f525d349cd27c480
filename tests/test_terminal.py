"""Terminal habits (issue 11): NO_COLOR, --version, narrow terminals, `| head`, a readable
`comment show`, and `comment list --mine`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from hypothesis import given, strategies as st

from coalition_cli import actions
from coalition_cli.model import now

from conftest import Coalition  # noqa: I001
from test_editor import ROOT, Terminal

LONG = ("Independent oversight bodies should publish every data sharing agreement together "
        "with a plain language summary of purposes, safeguards and retention periods.")
SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def consulted(cli, coalition: Coalition) -> tuple[Coalition, dict[str, str]]:
    """A round with comments (one quoted), a response, an acknowledgement, then a revision."""
    c = coalition
    sec = c.who("sec")
    actions.round_open(c.agenda, sec, "r1", title="Round one", closes=now() + timedelta(days=9))
    ids = {
        "quoted": actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="amend",
                                      text=LONG, quote="annual public reporting",
                                      propose="quarterly public reporting").id,
        "open": actions.comment_add(c.agenda, c.who("health"), principle="P02",
                                    stance="support", text="Agreed.").id,
        "youth": actions.comment_add(c.agenda, c.who("youth"), principle="P01",
                                     stance="oppose", text="Too vague about consent.").id,
    }
    actions.round_close(c.agenda, sec, "r1")
    actions.respond(c.agenda, sec, ids["quoted"], disposition="accepted",
                    rationale="Adopted: quarterly.")
    actions.respond(c.agenda, sec, ids["open"], disposition="noted", rationale="Thanks.")
    actions.comment_ack(c.agenda, c.who("health"), ids["open"], "satisfied")
    actions.principle_edit(c.agenda, sec, "P01", body="Data reuse must serve the community.\n\n"
                           "The coalition commits to quarterly public reporting on every "
                           "agreement.")
    cli.cwd = c.root
    return c, ids


def test_version(cli) -> None:
    assert cli("--version").stdout == "coalition 0.1.0\n"


def lines_of(output: str) -> list[str]:
    return [line for line in output.replace("\r", "").split("\n")]


@pytest.mark.parametrize("command", [["summary"], ["changes", "--from", "r1", "--to", "HEAD"]])
def test_no_color_and_60_columns_on_a_terminal(consulted, command: list[str]) -> None:
    from rich.cells import cell_len

    c, _ids = consulted
    code, coloured = Terminal(c.root, command, {"NO_COLOR": None}, columns=60).finish()
    assert code == 0, coloured
    assert SGR.search(coloured)  # colour on a terminal by default...
    code, plain = Terminal(c.root, command, {"NO_COLOR": "1"}, columns=60).finish()
    assert code == 0, plain
    assert "\x1b[" not in plain  # ...and none at all with NO_COLOR
    for line in lines_of(plain):
        assert cell_len(line) <= 60, line  # the terminal never has to wrap (mid-word) a line
    assert {"quarterly", "reporting"} <= set(re.findall(r"\w+", plain))  # words wrapped whole


def test_tables_wrap_at_spaces_on_a_narrow_terminal(consulted) -> None:
    c, _ids = consulted
    code, output = Terminal(c.root, ["comment", "list"], {}, columns=60).finish()
    assert code == 0, output
    lines = lines_of(output)
    assert all(len(line) <= 60 for line in lines), output
    text = " ".join(" ".join(lines).split())
    assert LONG[:57] + "..." in text  # the row's 57 characters, every word whole


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=80),
       st.integers(1, 30))
def test_wrapping_a_cell_keeps_every_word(text: str, width: int) -> None:
    from rich.cells import cell_len

    from coalition_cli.cli._common import _wrap

    text = " ".join(text.split(" "))
    lines = _wrap(text, width)
    assert all(cell_len(line) <= width or len(line) == 1 for line in lines)  # (a wide char)
    if all(cell_len(word) <= width for word in text.split(" ")):
        assert " ".join(lines).split() == text.split()


@pytest.mark.parametrize("args", [["comment", "list"], ["summary"],
                                  ["comment", "show", "{quoted}"], ["--help"]])
def test_a_reader_that_went_away_is_no_error(consulted, args: list[str]) -> None:
    c, ids = consulted
    read, write = os.pipe()
    os.close(read)  # `| head` that has already quit: every write fails with EPIPE
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "coalition_cli",
                           *[a.format(**ids) for a in args]], cwd=c.root, env=env,
                          stdout=write, stderr=subprocess.PIPE, timeout=120)
    os.close(write)
    assert proc.stderr.decode() == ""  # never "error: Broken pipe"
    assert proc.returncode == 141


def test_comment_show_is_readable(cli, consulted) -> None:
    c, ids = consulted
    out = cli("comment", "show", ids["quoted"][:8]).stdout
    assert "{" not in out and "'quote'" not in out  # no Python dicts
    assert "anchor:\n  quote: annual public reporting\n  context: …" in out
    assert "[annual public reporting] on every agreement.…" in out
    assert "\n  place: characters " in out
    assert "response:\n  disposition: accepted\n  rationale: Adopted: quarterly.\n" \
           "  responder: sec\n" in out
    assert "\nproposed_text: quarterly public reporting\n" in out
    data = json.loads(cli("comment", "show", ids["quoted"][:8], "--format", "json").stdout)
    assert data["anchor"]["quote"] == "annual public reporting"  # JSON keeps the structure
    assert data["response"]["disposition"] == "accepted"


def test_comment_list_mine_for_a_member(cli, consulted) -> None:
    c, ids = consulted
    view = json.loads(cli("comment", "list", "--mine", "--key", c.key("health"),
                          "--format", "json").stdout)
    assert view["member"] == "health" and view["facilitator"] is False
    rows = {row["id"]: row for row in view["mine"]}
    assert set(rows) == {ids["quoted"], ids["open"]}  # not youth's comment
    assert rows[ids["quoted"]]["response"] == "accepted"
    assert rows[ids["quoted"]]["todo"] == "acknowledge"
    assert rows[ids["open"]]["acknowledged"] == "satisfied" and rows[ids["open"]]["todo"] == ""
    assert "awaiting" not in view
    result = cli("comment", "list", "--mine", "--key", c.key("health"))
    assert "comments of health" in result.stdout
    assert result.stderr.startswith("1 answered comment(s) await your acknowledgement: "
                                    f"coalition comment ack {ids['quoted'][:8]}")


def test_comment_list_mine_for_a_facilitator(cli, consulted) -> None:
    c, ids = consulted
    view = json.loads(cli("comment", "list", "--mine", "--key", c.key("sec"),
                          "--format", "json").stdout)
    assert view["facilitator"] is True and view["mine"] == []
    assert [row["id"] for row in view["awaiting"]] == [ids["youth"]]
    assert view["round"] == "r1" and view["not_responded"] == ["fund"]
    out = cli("comment", "list", "--mine", "--as", "sec", "--key", c.key("sec")).stdout
    assert "awaiting an answer (1)" in out and ids["youth"][:8] in out
    assert "voting members with no stance in round r1: fund" in out
