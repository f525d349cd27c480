"""`round close` asks a person at a terminal first; `--yes` and scripts are not asked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coalition_cli import actions
from coalition_cli.model import now

from conftest import Cli, Coalition, git, repo_state
from test_editor import Terminal


@pytest.fixture
def opened(coalition: Coalition) -> Coalition:
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Spring round",
                       closes=now() + timedelta(days=10))
    actions.comment_add(coalition.agenda, coalition.who("health"), principle="P01",
                        stance="support", text="Yes.")
    return coalition


def close_on_terminal(c: Coalition, *extra: str) -> Terminal:
    return Terminal(c.root, ["round", "close", "--key", str(c.key("sec")), *extra],
                    {"HOME": None, "COALITION_KEY": None})


@pytest.mark.parametrize("answer", ["n\r", "\r", "\x04"])
def test_a_person_who_does_not_say_yes_closes_nothing(opened: Coalition, answer: str) -> None:
    c = opened
    before = repo_state(c.root)
    term = close_on_terminal(c)
    term.expect(b"Close round r1 now? [y/N]")
    assert b"Round r1 (Spring round) closes " in term.output
    assert b"holds 1 member record(s)" in term.output
    term.send(answer)
    code, out = term.finish()
    assert code == 1, out
    assert repo_state(c.root) == before
    assert "closing.yaml" not in git(c.root, "ls-tree", "-r", "--name-only", "HEAD")


def test_a_person_who_says_yes_closes_the_round(opened: Coalition) -> None:
    c = opened
    term = close_on_terminal(c)
    term.expect(b"Close round r1 now? [y/N]")
    term.send("y\r")
    code, out = term.finish()
    assert code == 0, out
    assert "round r1 is closed" in out
    assert git(c.root, "rev-parse", "-q", "--verify", "refs/tags/coalition/r1/closed").strip()


def test_yes_on_a_terminal_is_not_asked(opened: Coalition) -> None:
    term = close_on_terminal(opened, "--yes")
    code, out = term.finish()
    assert code == 0 and "[y/N]" not in out and "round r1 is closed" in out


def test_a_script_is_not_asked(opened: Coalition) -> None:
    """Without a terminal the round closes as before (a reopening undoes a mistake), so
    scheduled closes and the demo keep working."""
    result = Cli(opened.root)("round", "close", "--key", str(opened.key("sec")))
    assert "[y/N]" not in result.stderr and "round r1 is closed" in result.stdout
