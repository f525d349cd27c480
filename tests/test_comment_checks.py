"""Words filed that nobody meant (issue 11): a second withdrawal, a response to a withdrawn or
late comment, and the warnings a member sees before signing a second voice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coalition_cli import actions
from coalition_cli.ids import new_record_id
from coalition_cli.model import Record, now, stamp

from conftest import Coalition, repo_state  # noqa: I001


@pytest.fixture
def round_with_comments(cli, coalition: Coalition) -> tuple[Coalition, str, str]:
    c = coalition
    actions.round_open(c.agenda, c.who("sec"), "r1", title="Round one",
                       closes=now() + timedelta(days=10))
    kept = actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="amend",
                               text="Add a sunset clause.").id
    dropped = actions.comment_add(c.agenda, c.who("youth"), principle="P02", stance="oppose",
                                  text="Too weak.").id
    cli.cwd = c.root
    return c, kept, dropped


def one_error(result) -> tuple[str, str | None]:
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("error: "), result.stderr
    return lines[0], (lines[1] if len(lines) == 2 else None)


def test_withdrawing_the_same_comment_twice_is_refused(cli, round_with_comments) -> None:
    c, _kept, dropped = round_with_comments
    cli("comment", "withdraw", dropped[:8], "--key", c.key("youth"))
    before = repo_state(c.root)
    error, _ = one_error(cli("comment", "withdraw", dropped[:8], "--key", c.key("youth"), code=3))
    assert error.startswith(f"error: comment {dropped[:8]} was already withdrawn on ")
    assert repo_state(c.root) == before


def test_respond_to_a_withdrawn_comment_needs_force(cli, round_with_comments) -> None:
    c, kept, dropped = round_with_comments
    actions.comment_withdraw(c.agenda, c.who("youth"), dropped)
    actions.round_close(c.agenda, c.who("sec"), "r1")
    args = ["respond", dropped[:8], "-d", "noted", "-r", "Thanks.", "--key", c.key("sec")]
    before = repo_state(c.root)
    error, hint = one_error(cli(*args, code=3))
    assert error.startswith(f"error: comment {dropped[:8]} was withdrawn by 'youth' on ")
    assert hint == "hint: to answer it all the same, add --force"
    assert repo_state(c.root) == before
    cli(*args, "--force")
    cli("respond", kept[:8], "-d", "accepted", "-r", "Done.", "--key", c.key("sec"))  # counts


def test_respond_to_a_late_comment_needs_force(cli, round_with_comments) -> None:
    c, kept, _dropped = round_with_comments
    actions.round_close(c.agenda, c.who("sec"), "r1")
    health = c.who("health")  # a record added after the close, as a stale clone would push it
    late = Record(type="comment", id=new_record_id(), round="r1", member="health",
                  submitted_at=stamp(now()), principle="P03", stance="block", kind="substantive",
                  attribution="public", text="After the close.")
    actions._write_record(c.agenda, health, late, "a late comment")
    args = ["respond", late.id[:8], "-d", "noted", "-r", "Too late.", "--key", c.key("sec")]
    error, hint = one_error(cli(*args, code=3))
    assert error.startswith(f"error: comment {late.id[:8]} is late: it is not in the closing "
                            "manifest of round 'r1'")
    assert "--force" in (hint or "")
    cli(*args, "--force")
    cli("respond", kept[:8], "-d", "accepted", "-r", "Done.", "--key", c.key("sec"))


# --- what will count, said before signing ------------------------------------------------


@pytest.fixture
def two_people(round_with_comments) -> tuple[Coalition, str]:
    """`health` has two people, Ana and Ben, each with a key; Ana said `amend` on P01."""
    from coalition_cli.signing import PrivateKey

    from conftest import make_key

    c, _kept, _dropped = round_with_comments
    keys = []
    for person in ("ana", "ben"):
        path = make_key(c.root.parent / "keys", f"health-{person}")
        c.keys[person] = path
        keys.append((PrivateKey.load(path).public, person.title()))
    actions.member_add(c.agenda, c.who("sec"), "health", name="Health Org",
                       sector="service-provider", roles=["member"], keys=keys)
    ana = actions.comment_add(c.agenda, person_identity(c, "ana"), principle="P02",
                              stance="amend", text="Ana's view.").id
    return c, ana


def person_identity(c: Coalition, person: str):
    from coalition_cli.identity import resolve

    return resolve(c.agenda, c.agenda.snapshot(), key=str(c.key(person)))


def test_what_will_count_names_the_earlier_voice(two_people) -> None:
    from coalition_cli.voices import what_will_count

    c, ana = two_people
    ben = person_identity(c, "ben")
    [warning] = what_will_count(c.agenda, ben, principle="P02", stance="oppose")
    assert warning == (f"Ana of 'health' already said 'amend' on P02 (comment {ana[:8]}); one "
                       "voice per member: this 'oppose', the latest, will count as 'health''s "
                       "stance, not 'amend'")
    ana_again = person_identity(c, "ana")
    [warning] = what_will_count(c.agenda, ana_again, principle="P02", stance="amend")
    assert "without --supersedes both stand" in warning and f"--supersedes {ana[:8]}" in warning
    assert what_will_count(c.agenda, ana_again, principle="P02", stance="oppose",
                           supersedes=ana[:8]) == []
    assert what_will_count(c.agenda, ben, principle="P03", stance="oppose") == []  # first voice


def test_the_warning_shows_on_a_terminal_before_the_comment_is_filed(two_people) -> None:
    from test_editor import Terminal

    c, _ana = two_people
    term = Terminal(c.root, ["comment", "add", "-p", "P02", "-s", "oppose", "--text", "Ben's.",
                             "--key", str(c.key("ben"))], {})
    code, output = term.finish()
    assert code == 0, output
    lines = [line for line in output.replace("\r", "").splitlines() if line]
    assert lines[0].startswith("warning: Ana of 'health' already said 'amend' on P02"), output
    assert len(lines) == 2 and len(lines[1]) == 16  # then the new comment's id


def test_no_warning_when_nobody_reads_stderr(cli, two_people) -> None:
    c, _ana = two_people
    result = cli("comment", "add", "-p", "P02", "-s", "oppose", "--text", "Ben's.",
                 "--key", c.key("ben"))
    assert result.stderr == ""
