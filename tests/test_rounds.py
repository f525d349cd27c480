"""A whole consultation round through the CLI, and the refusals that must write nothing."""

from __future__ import annotations

import json
import subprocess
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import Cli, Coalition, git, make_key

NAMESPACE = "coalition-cli"


def future(days: int = 30) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%d")


class Actor:
    """`coalition ...` in the agenda's repository, signing as one member (by key)."""

    def __init__(self, c: Coalition, who: str) -> None:
        self.c = c
        self.who = who
        self.run = Cli(c.root)

    def __call__(self, *args: str | Path, code: int | None = 0, **kw):  # noqa: ANN003, ANN204
        return self.run(*args, "--key", self.c.key(self.who), code=code, **kw)

    def json(self, *args: str | Path, code: int | None = 0):  # noqa: ANN201
        result = self(*args, "--format", "json", code=code)
        return json.loads(result.stdout)


def read(c: Coalition, *args: str, code: int = 0):  # noqa: ANN201
    """A read command (no signing) with --format json."""
    result = Cli(c.root)(*args, "--format", "json", code=code)
    return json.loads(result.stdout)


@contextmanager
def nothing_written(repo: Path):  # noqa: ANN201
    head = git(repo, "rev-parse", "HEAD")
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    tags = git(repo, "tag", "--list")
    yield
    assert git(repo, "rev-parse", "HEAD") == head, "a refused command moved HEAD"
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == status, \
        "a refused command changed the working tree"
    assert git(repo, "tag", "--list") == tags


def refused(actor: Actor, code: int, *args: str | Path) -> str:
    """Run a command that must fail with ``code``, write nothing, and say so in one error line."""
    with nothing_written(actor.c.root):
        result = actor(*args, code=code)
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def open_round(c: Coalition, round_id: str = "r1", *extra: str) -> None:
    Actor(c, "sec")("round", "open", round_id, "--title", f"Round {round_id}",
                    "--closes", future(), *extra)


def add(c: Coalition, who: str, *args: str) -> str:
    """`comment add` as ``who``; returns the new id (checked against the JSON output)."""
    data = Actor(c, who).json("comment", "add", *args)
    assert set(data) == {"id", "path", "commit"}
    return data["id"]


# --- the whole round -------------------------------------------------------------------------


def signed_files(repo: Path) -> list[str]:
    """Every file a signature must cover: records, the registry, the settings, principles."""
    return sorted(p for p in git(repo, "ls-files").splitlines()
                  if p.endswith(".yaml") and p.startswith(("agenda/members/", "agenda/rounds/"))
                  or p == "agenda/coalition.yaml"
                  or p.startswith("agenda/principles/") and p.endswith(".md"))


def principal_of(path: str) -> str:
    parts = Path(path).parts  # agenda/rounds/r1/comments/<member>/<id>.yaml
    if len(parts) == 6 and parts[3] == "comments":
        return parts[4]
    return "sec"  # registry, round, closing and response files are the facilitator's


@pytest.mark.slow
def test_a_whole_round_through_the_cli(coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    repo = c.root
    sec, health, youth, fund = (Actor(c, m) for m in ("sec", "health", "youth", "fund"))

    # open, and only one round at a time
    sec("round", "open", "r1", "--title", "First reading", "--closes", future(20))
    refused(sec, 4, "round", "open", "r2", "--title", "Too soon", "--closes", future(40))
    rounds = read(c, "round", "list")
    assert [(r["id"], r["status"], r["title"]) for r in rounds] == [("r1", "open", "First reading")]
    draft = git(repo, "rev-parse", "refs/tags/coalition/r1/draft^{commit}").strip()
    assert rounds[0]["draft"] == draft[:8]

    # comments from three members: an anchored amendment, a block, a plain support
    out = health.json("comment", "add", "--principle", "P01", "--stance", "amend",
                      "--quote", "annual public reporting",
                      "--propose", "quarterly public reporting",
                      "--text", "Annual is too slow for the people affected.")
    assert set(out) == {"id", "path", "commit"}
    first = out["id"]
    assert out["path"] == f"agenda/rounds/r1/comments/health/{first}.yaml"
    assert git(repo, "rev-parse", "HEAD").strip() == out["commit"]
    assert (repo / out["path"]).is_file() and (repo / (out["path"] + ".sig")).is_file()
    plain = health("comment", "add", "--principle", "P02", "--stance", "support", "--text", "Yes.")
    plain_id = plain.stdout.strip()
    assert len(plain_id) >= 8 and "\n" not in plain_id
    block = add(c, "youth", "--principle", "P02", "--stance", "block",
                "--text", "De-identified data can be re-identified; consent is missing.")
    fund_id = add(c, "fund", "--principle", "P03", "--stance", "neutral", "--text", "No view yet.")

    # a revision supersedes the first comment and counts once
    revised = add(c, "health", "--principle", "P01", "--stance", "amend",
                  "--quote", "annual public reporting", "--propose", "quarterly public reporting",
                  "--text", "Annual is too slow; quarterly, published online.",
                  "--supersedes", first[:8])
    shown = read(c, "comment", "show", revised[:10])
    assert shown["supersedes"] == first and shown["member"] == "health"
    assert shown["anchor"]["quote"] == "annual public reporting"
    assert shown["proposed_text"] == "quarterly public reporting"
    assert shown["path"] == f"agenda/rounds/r1/comments/health/{revised}.yaml"

    # a withdrawal and an endorsement
    fund("comment", "withdraw", fund_id[:8])
    youth("comment", "endorse", revised[:8], "--text", "Quarterly, yes.")

    listed = {r["id"]: r for r in read(c, "comment", "list")}
    assert set(listed) == {first, plain_id, block, fund_id, revised}
    assert listed[first]["state"] == "superseded"
    assert listed[fund_id]["state"] == "withdrawn"
    assert listed[revised]["state"] == "active" and listed[revised]["endorsements"] == 1

    # filters
    assert {r["id"] for r in read(c, "comment", "list", "--principle", "P01")} == {first, revised}
    assert {r["id"] for r in read(c, "comment", "list", "--principle", "p2")} == {plain_id, block}
    assert {r["id"] for r in read(c, "comment", "list", "--member", "health")} == \
        {first, revised, plain_id}
    assert [r["id"] for r in read(c, "comment", "list", "--stance", "block")] == [block]
    assert [r["id"] for r in read(c, "comment", "list", "--member", "youth",
                                  "--stance", "block", "--principle", "P02")] == [block]
    assert read(c, "comment", "list", "--member", "fund", "--stance", "support") == []

    # status: who has and has not responded; the revision counted once
    status = read(c, "round", "status")
    assert status["round"] == "r1" and status["status"] == "open"
    assert status["responded"] == ["health", "youth"]  # youth also through its endorsement
    assert "fund" in status["not_responded"]  # fund withdrew its only comment
    assert not {"health", "youth"} & set(status["not_responded"])
    assert len(status["responded"]) + len(status["not_responded"]) == status["voting_members"]
    assert status["voting_members"] >= 3
    assert status["comments"] == 3  # revised, plain, block: not the superseded or withdrawn
    assert status["comments_per_principle"] == {"P01": 1, "P02": 2, "P03": 0}
    assert sorted(status["awaiting_response"]) == sorted([revised, plain_id, block])

    # extend
    sec("round", "extend", "r1", "--closes", future(45))
    assert read(c, "round", "list")[0]["closes_at"].startswith(future(45))
    assert read(c, "round", "status")["closes_at"].startswith(future(45))

    # close: both tags, a manifest, and comments are refused from now on
    sec("round", "close", "r1")
    assert git(repo, "rev-parse", "refs/tags/coalition/r1/draft^{commit}").strip() == draft
    closed_tag = git(repo, "rev-parse", "refs/tags/coalition/r1/closed^{commit}").strip()
    assert closed_tag == git(repo, "rev-parse", "HEAD").strip()
    assert read(c, "round", "list")[0]["status"] == "closed"
    assert (repo / "agenda/rounds/r1/closing.yaml").is_file()

    # dispositions for every comment awaiting one
    awaiting = {r["id"] for r in read(c, "comment", "list", "--awaiting")}
    assert awaiting == {revised, plain_id, block}
    dispositions = {revised: "accepted", plain_id: "noted", block: "accepted-in-part"}
    for cid in sorted(awaiting):
        result = sec("respond", cid[:8], "--disposition", dispositions[cid],
                     "--rationale", f"Considered {cid[:4]} at the meeting of the working group.")
        assert dispositions[cid] in result.stdout
    assert read(c, "comment", "list", "--awaiting") == []
    assert Cli(repo)("comment", "list", "--awaiting").stderr.strip() == "no comments"
    shown = read(c, "comment", "show", revised)
    assert shown["response"]["disposition"] == "accepted"
    assert shown["response"]["responder"] == "sec"

    # the member answers the disposition
    ack = health.json("comment", "ack", revised[:8], "satisfied")
    assert ack["path"].startswith("agenda/rounds/r1/comments/health/")
    ack_record = read(c, "comment", "show", ack["id"])
    assert ack_record["type"] == "acknowledgement" and ack_record["answer"] == "satisfied"
    assert ack_record["acknowledges"] == revised

    # verify: clean, in both formats
    result = Cli(repo)("verify")
    assert "ok" in result.stderr
    report = read(c, "verify")
    assert report["ok"] is True and report["problems"] == []
    files = signed_files(repo)
    assert report["checked"] == len(files)

    # stock OpenSSH accepts every record the tool wrote
    allowed = tmp_path / "allowed"
    allowed.write_text(Cli(repo)("member", "allowed-signers").stdout, encoding="utf-8")
    kinds = set()
    for rel in files:
        parts = Path(rel).parts
        kinds.add(parts[1] if parts[1] in ("members", "coalition.yaml", "principles") else
                  parts[3])
        with open(repo / rel, "rb") as data:
            proc = subprocess.run(
                ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", principal_of(rel),
                 "-n", NAMESPACE, "-s", str(repo / (rel + ".sig"))],
                stdin=data, capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, f"ssh-keygen rejects {rel}: {proc.stdout}{proc.stderr}"
        assert f"signature for {principal_of(rel)} with" in proc.stdout
    assert kinds == {"members", "round.yaml", "closing.yaml", "comments", "responses",
                     "coalition.yaml", "principles"}
    # withdrawal, endorsement and acknowledgement files were among them
    types = {json.loads(line.split(": ", 1)[1]) for rel in files if "/comments/" in rel
             for line in (repo / rel).read_text(encoding="utf-8").splitlines()
             if line.startswith("type: ")}
    assert types == {"comment", "withdrawal", "endorsement", "acknowledgement"}


def test_comment_show_terminal_and_prefix(coalition: Coalition) -> None:
    c = coalition
    open_round(c)
    cid = add(c, "youth", "--principle", "P03", "--stance", "oppose", "--text", "Too weak.",
              "--theme", "sovereignty", "--kind", "general")
    out = Cli(c.root)("comment", "show", cid[:6]).stdout
    assert f"id: {cid}" in out and "stance: oppose" in out and "text: Too weak." in out
    data = read(c, "comment", "show", cid[:6])
    assert data["themes"] == ["sovereignty"] and data["kind"] == "general"
    assert data["round"] == "r1" and data["principle"] == "P03"
    assert "response" not in data


def test_second_round_after_close_and_round_list(coalition: Coalition) -> None:
    c = coalition
    sec = Actor(c, "sec")
    open_round(c, "r1")
    sec("round", "close")
    open_round(c, "r2", "--principles", "P02,P03")
    rows = read(c, "round", "list")
    assert [(r["id"], r["status"]) for r in rows] == [("r1", "closed"), ("r2", "open")]
    assert rows[1]["principles"] == "P02,P03"
    text = Cli(c.root)("round", "list").stdout
    assert "r1" in text and "r2" in text and "closed" in text
    refused(sec, 4, "round", "open", "r3", "--title", "Third", "--closes", future())


# --- refusals: right exit code, nothing written ------------------------------------------------


def test_comment_on_a_closed_round_is_refused(coalition: Coalition) -> None:
    c = coalition
    open_round(c)
    add(c, "health", "--principle", "P01", "--stance", "support", "--text", "Fine.")
    Actor(c, "sec")("round", "close", "r1")
    health = Actor(c, "health")
    err = refused(health, 4, "comment", "add", "--round", "r1", "--principle", "P01",
                  "--stance", "support", "--text", "Late.")
    assert "closed" in err
    err = refused(health, 4, "comment", "add", "--principle", "P01", "--stance", "support",
                  "--text", "Late.")
    assert "no consultation round is open" in err


def test_comment_on_a_principle_outside_the_scope_is_refused(coalition: Coalition) -> None:
    c = coalition
    open_round(c, "r1", "--principles", "P01,P02")
    err = refused(Actor(c, "health"), 3, "comment", "add", "--principle", "P03",
                  "--stance", "oppose", "--text", "Not in scope.")
    assert "P03" in err and "r1" in err


def test_quotes_match_the_round_draft_not_later_edits(coalition: Coalition) -> None:
    c = coalition
    open_round(c)
    # the facilitator revises P01 while the round is open
    Actor(c, "sec")("principle", "edit", "P01", "--body",
                    "Data reuse must serve the community.\n\nThe coalition commits to "
                    "quarterly reporting to affected communities.")
    health = Actor(c, "health")
    err = refused(health, 3, "comment", "add", "--principle", "P01", "--stance", "amend",
                  "--quote", "quarterly reporting to affected communities",
                  "--text", "Quoting the new text.")
    assert "quote does not occur" in err
    cid = add(c, "health", "--principle", "P01", "--stance", "amend",
              "--quote", "annual public reporting", "--text", "Quoting the draft.")
    anchor = read(c, "comment", "show", cid)["anchor"]
    draft_body = ("Data reuse must serve the community.\n\nThe coalition commits "
                  "to annual public reporting on every agreement.")
    assert anchor["quote"] == "annual public reporting"
    assert draft_body[anchor["start"]:anchor["end"]] == "annual public reporting"
    Cli(c.root)("verify")


def test_an_unregistered_key_is_refused(coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    open_round(c)
    stranger = make_key(tmp_path / "strangers", "stranger")
    with nothing_written(c.root):
        result = Cli(c.root)("comment", "add", "--principle", "P01", "--stance", "support",
                             "--text", "Hello.", "--key", stranger, code=4)
    assert result.stderr.startswith("error: ") and "not registered" in result.stderr
    # naming a member does not help either
    with nothing_written(c.root):
        result = Cli(c.root)("comment", "add", "--principle", "P01", "--stance", "support",
                             "--text", "Hello.", "--key", stranger, "--as", "health", code=4)
    assert "not a key of member 'health'" in result.stderr


def test_an_ambiguous_quote_needs_an_occurrence(coalition: Coalition) -> None:
    c = coalition
    Actor(c, "sec")("principle", "add", "Transparency", "--body",
                    "Publish every agreement. Review every agreement each year.")
    open_round(c)
    health = Actor(c, "health")
    err = refused(health, 3, "comment", "add", "--principle", "P04", "--stance", "amend",
                  "--quote", "every agreement", "--text", "Which one?")
    assert "occurs 2 times" in err
    assert "1) Publish [every agreement]" in err and "2) " in err and "Review [every agreement]" in err
    assert "--occurrence" in err
    refused(health, 3, "comment", "add", "--principle", "P04", "--stance", "amend",
            "--quote", "every agreement", "--occurrence", "3", "--text", "Out of range.")
    cid = add(c, "health", "--principle", "P04", "--stance", "amend", "--quote", "every agreement",
              "--occurrence", "2", "--text", "The second one.")
    anchor = read(c, "comment", "show", cid)["anchor"]
    body = "Publish every agreement. Review every agreement each year."
    assert anchor["start"] == body.index("every agreement", 10)
    assert anchor["prefix"].endswith("Review ")


def test_respond_by_a_non_facilitator_is_refused(coalition: Coalition) -> None:
    c = coalition
    open_round(c)
    cid = add(c, "youth", "--principle", "P02", "--stance", "block", "--text", "No consent.")
    Actor(c, "sec")("round", "close")
    err = refused(Actor(c, "health"), 4, "respond", cid, "--disposition", "accepted",
                  "--rationale", "I like it.")
    assert "facilitator" in err
    # and the comment still awaits a (real) response
    assert [r["id"] for r in read(c, "comment", "list", "--awaiting")] == [cid]


def test_withdrawing_someone_elses_comment_is_refused(coalition: Coalition) -> None:
    c = coalition
    open_round(c)
    cid = add(c, "youth", "--principle", "P02", "--stance", "block", "--text", "No consent.")
    err = refused(Actor(c, "health"), 4, "comment", "withdraw", cid[:8])
    assert "youth" in err
    assert read(c, "comment", "list")[0]["state"] == "active"


def test_other_refusals_write_nothing(coalition: Coalition) -> None:
    c = coalition
    open_round(c)
    health = Actor(c, "health")
    cid = add(c, "health", "--principle", "P01", "--stance", "support", "--text", "Good.")
    refused(health, 3, "comment", "add", "--principle", "P01", "--stance", "maybe", "--text", "?")
    refused(health, 3, "comment", "add", "--principle", "P09", "--stance", "support", "--text", "?")
    refused(health, 3, "comment", "add", "--principle", "P02", "--stance", "support",
            "--text", "x", "--supersedes", cid)  # a revision stays on its principle
    refused(health, 3, "comment", "endorse", cid)  # own comment
    refused(health, 3, "comment", "ack", cid, "satisfied")  # no response yet
    refused(Actor(c, "youth"), 4, "comment", "ack", cid, "satisfied")  # not theirs
    refused(Actor(c, "sec"), 3, "round", "extend", "r1", "--closes", "2001-01-01")
    refused(Actor(c, "fund"), 4, "round", "close")
    refused(Actor(c, "fund"), 4, "round", "extend", "r1", "--closes", future(60))
