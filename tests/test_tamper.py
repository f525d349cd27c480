"""Tampering with a committed agenda by plain git: `verify` exits 1 and names path and problem."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coalition_cli import actions, records
from coalition_cli.ids import new_record_id
from coalition_cli.model import Record, now, stamp
from coalition_cli.signing import PrivateKey

from conftest import Cli, Coalition, git

ROUND = "agenda/rounds/r1"


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def verify_json(c: Coalition, code: int) -> dict:
    return json.loads(Cli(c.root)("verify", "--format", "json", code=code).stdout)


def problems_of(c: Coalition) -> list[dict[str, str]]:
    """Problems found by `verify` (which must exit 1, in both formats)."""
    terminal = Cli(c.root)("verify", code=1)
    report = verify_json(c, 1)
    assert report["ok"] is False and report["problems"]
    for p in report["problems"]:
        assert set(p) == {"path", "problem", "detail"}
        assert f"{p['problem']}: {p['path']}: " in terminal.stdout
    return report["problems"]


def assert_problem(c: Coalition, path: str, kind: str) -> dict[str, str]:
    problems = problems_of(c)
    found = [p for p in problems if p["path"] == path and p["problem"] == kind]
    assert found, f"no {kind} for {path} in {problems}"
    return found[0]


def sign_as(c: Coalition, who: str, data: bytes) -> bytes:
    return PrivateKey.load(c.key(who)).sign(data)


def comment_fields(member: str, *, id: str | None = None, principle: str = "P01",
                   stance: str = "support", text: str = "Planted.",
                   submitted_at: str | None = None) -> dict:
    rec = Record(type="comment", id=id or new_record_id(), round="r1", member=member,
                 submitted_at=submitted_at or stamp(now()), principle=principle, stance=stance,
                 kind="substantive", attribution="public", text=text)
    return rec.fields()


def plant(c: Coalition, rel: str, data: bytes, sig: bytes | None, message: str = "plant") -> str:
    """Write a file (and its signature) and commit them with plain git; returns the repo path."""
    target = c.root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if sig is not None:
        Path(f"{target}.sig").write_bytes(sig)
    commit_all(c.root, message)
    return rel


@pytest.fixture
def consulted(coalition: Coalition) -> tuple[Coalition, dict[str, str]]:
    """An open round r1 with a comment by health (P01) and one by youth (P02); verify is clean."""
    c = coalition
    sec = c.who("sec")
    actions.round_open(c.agenda, sec, "r1", title="First reading",
                       closes=now() + timedelta(days=30))
    health = actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support",
                                 text="Fine as drafted.")
    youth = actions.comment_add(c.agenda, c.who("youth"), principle="P02", stance="block",
                                text="Consent is missing.")
    assert verify_json(c, 0)["ok"] is True
    return c, {"health": health.path, "youth": youth.path, "health_id": health.id,
               "youth_id": youth.id}


def test_a_changed_byte_is_a_bad_signature(consulted) -> None:  # noqa: ANN001
    c, w = consulted
    path = c.root / w["health"]
    data = path.read_bytes()
    assert b"Fine as drafted." in data
    path.write_bytes(data.replace(b"Fine as drafted.", b"Fine as drafted!"))
    commit_all(c.root, "edit a comment in place")
    assert_problem(c, w["health"], "bad-signature")
    # the tampered record is not counted anywhere
    rows = json.loads(Cli(c.root)("comment", "list", "--format", "json").stdout)
    assert [r["member"] for r in rows] == ["youth"]


def test_a_comment_moved_to_another_member_is_in_the_wrong_place(consulted) -> None:  # noqa: ANN001
    c, w = consulted
    moved = f"{ROUND}/comments/youth/{w['health_id']}.yaml"
    git(c.root, "mv", w["health"], moved)
    git(c.root, "mv", w["health"] + ".sig", moved + ".sig")
    git(c.root, "commit", "-q", "-m", "move a comment")
    problem = assert_problem(c, moved, "wrong-place")
    assert "health" in problem["detail"]


def test_a_comment_moved_to_another_round_is_in_the_wrong_place(consulted) -> None:  # noqa: ANN001
    c, w = consulted
    actions.round_close(c.agenda, c.who("sec"))
    actions.round_open(c.agenda, c.who("sec"), "r2", title="Second",
                       closes=now() + timedelta(days=30))
    moved = f"agenda/rounds/r2/comments/health/{w['health_id']}.yaml"
    (c.root / moved).parent.mkdir(parents=True)
    git(c.root, "mv", w["health"], moved)
    git(c.root, "mv", w["health"] + ".sig", moved + ".sig")
    git(c.root, "commit", "-q", "-m", "move a comment to another round")
    kinds = {(p["path"], p["problem"]) for p in problems_of(c)}
    assert (moved, "wrong-place") in kinds
    assert (w["health"], "missing") in kinds  # and r1's manifest misses it


def test_a_comment_signed_with_another_members_key_is_not_permitted(consulted) -> None:  # noqa: ANN001
    c, _w = consulted
    fields = comment_fields("youth", text="Youth says yes (but health signed it).")
    data = records.dump_record(fields)
    rel = plant(c, f"{ROUND}/comments/youth/{fields['id']}.yaml", data,
                sign_as(c, "health", data), "a forged comment")
    problem = assert_problem(c, rel, "not-permitted")
    assert "health" in problem["detail"] and "youth" in problem["detail"]


def test_a_registry_file_resigned_by_a_non_facilitator_is_not_permitted(consulted) -> None:  # noqa: ANN001
    c, _w = consulted
    rel = "agenda/members/youth.yaml"
    data = (c.root / rel).read_bytes()
    changed = data.replace(b'roles: ["member"]', b'roles: ["member", "facilitator"]')
    assert changed != data
    plant(c, rel, changed, sign_as(c, "youth", changed), "youth promotes itself")
    problem = assert_problem(c, rel, "not-permitted")
    assert "not by a facilitator" in problem["detail"]
    # the forged entry is never trusted: youth keeps its last verified one (a member, not a
    # facilitator), so its own comment still counts, and it can sign nothing a facilitator signs
    rows = json.loads(Cli(c.root)("comment", "list", "--format", "json").stdout)
    assert {r["member"] for r in rows} == {"health", "youth"}
    from coalition_cli.verify import verify

    assert not verify(c.agenda).members["youth"].has_role("facilitator")


def test_another_members_registry_file_resigned_by_a_member_is_not_permitted(consulted) -> None:  # noqa: ANN001
    c, _w = consulted
    rel = "agenda/members/health.yaml"
    data = (c.root / rel).read_bytes()
    changed = data.replace(b'"status": "active"', b'"status": "removed"')
    changed = changed.replace(b'status: "active"', b'status: "removed"')
    assert changed != data
    plant(c, rel, changed, sign_as(c, "youth", changed), "youth removes health")
    problem = assert_problem(c, rel, "not-permitted")
    assert "'youth'" in problem["detail"] and "not by a facilitator" in problem["detail"]


def test_a_comment_added_after_the_close_is_late(consulted) -> None:  # noqa: ANN001
    c, _w = consulted
    opened = now()
    actions.round_close(c.agenda, c.who("sec"))
    # dated inside the window, validly signed by the member, committed by plain git
    fields = comment_fields("fund", principle="P03", text="Sneaked in.",
                            submitted_at=stamp(opened))
    data = records.dump_record(fields)
    rel = plant(c, f"{ROUND}/comments/fund/{fields['id']}.yaml", data,
                sign_as(c, "fund", data), "a late comment")
    problem = assert_problem(c, rel, "late")
    assert "closing manifest" in problem["detail"]
    assert len(problems_of(c)) == 1


def test_a_record_without_a_signature_is_unsigned(consulted) -> None:  # noqa: ANN001
    c, _w = consulted
    fields = comment_fields("fund", principle="P03")
    rel = plant(c, f"{ROUND}/comments/fund/{fields['id']}.yaml", records.dump_record(fields),
                None, "an unsigned comment")
    assert_problem(c, rel, "unsigned")


def test_a_removed_signature_is_unsigned(consulted) -> None:  # noqa: ANN001
    c, w = consulted
    git(c.root, "rm", "-q", w["youth"] + ".sig")
    git(c.root, "commit", "-q", "-m", "drop a signature")
    assert_problem(c, w["youth"], "unsigned")


def test_a_duplicate_id_is_reported(consulted) -> None:  # noqa: ANN001
    c, w = consulted
    # fund reuses health's id: its own folder, its own valid signature
    fields = comment_fields("fund", id=w["health_id"], principle="P03", text="Same id.")
    data = records.dump_record(fields)
    rel = plant(c, f"{ROUND}/comments/fund/{w['health_id']}.yaml", data,
                sign_as(c, "fund", data), "a duplicate id")
    problems = problems_of(c)
    dups = [p for p in problems if p["problem"] == "duplicate-id"]
    assert len(dups) == 1 and dups[0]["path"] in (rel, w["health"])
    assert w["health_id"] in dups[0]["detail"]


def test_a_record_outside_its_window_is_reported(consulted) -> None:  # noqa: ANN001
    c, _w = consulted
    fields = comment_fields("fund", principle="P03", text="Back-dated.",
                            submitted_at="2001-01-01T00:00:00Z")
    data = records.dump_record(fields)
    rel = plant(c, f"{ROUND}/comments/fund/{fields['id']}.yaml", data,
                sign_as(c, "fund", data), "a back-dated comment")
    problem = assert_problem(c, rel, "out-of-window")
    assert "2001-01-01" in problem["detail"]
    future = stamp(datetime.now(timezone.utc) + timedelta(days=400))
    fields = comment_fields("fund", principle="P03", text="Post-dated.", submitted_at=future)
    data = records.dump_record(fields)
    rel2 = plant(c, f"{ROUND}/comments/fund/{fields['id']}.yaml", data,
                 sign_as(c, "fund", data), "a post-dated comment")
    kinds = {(p["path"], p["problem"]) for p in problems_of(c)}
    assert kinds == {(rel, "out-of-window"), (rel2, "out-of-window")}


def test_a_record_signed_by_hand_with_ssh_keygen_is_accepted(consulted) -> None:  # noqa: ANN001
    c, _w = consulted
    rid = new_record_id()
    rel = f"{ROUND}/comments/fund/{rid}.yaml"
    target = c.root / rel
    target.parent.mkdir(parents=True)
    # hand-written YAML, not the tool's canonical form
    target.write_text(
        "# written by hand\n"
        "v: 1\n"
        "type: comment\n"
        f"id: '{rid}'\n"
        "round: r1\n"
        "principle: P03\n"
        "member: fund\n"
        "stance: amend\n"
        "kind: editorial\n"
        "attribution: public\n"
        "themes:\n  - sovereignty\n"
        "text: |\n  Say who governs the data.\n  Name the bodies.\n"
        f"submitted_at: '{stamp(now())}'\n",
        encoding="utf-8")
    proc = subprocess.run(["ssh-keygen", "-Y", "sign", "-n", "coalition-cli", "-f",
                           str(c.key("fund")), str(target)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert Path(f"{target}.sig").read_text().startswith("-----BEGIN SSH SIGNATURE-----")
    commit_all(c.root, "a comment signed with ssh-keygen")
    report = verify_json(c, 0)
    assert report["ok"] is True and report["problems"] == []
    shown = json.loads(Cli(c.root)("comment", "show", rid, "--format", "json").stdout)
    assert shown["text"] == "Say who governs the data.\nName the bodies.\n"
    assert shown["themes"] == ["sovereignty"]
    rows = json.loads(Cli(c.root)("comment", "list", "--member", "fund", "--format", "json").stdout)
    assert [r["id"] for r in rows] == [rid]


def test_a_crlf_working_tree_does_not_break_verify(consulted) -> None:  # noqa: ANN001
    c, w = consulted
    for rel in (w["health"], w["health"] + ".sig", "agenda/members/health.yaml"):
        path = c.root / rel
        data = path.read_bytes()
        assert b"\r\n" not in data
        path.write_bytes(data.replace(b"\n", b"\r\n"))
    assert w["health"] in git(c.root, "status", "--porcelain")
    report = verify_json(c, 0)
    assert report["ok"] is True
    rows = json.loads(Cli(c.root)("comment", "list", "--format", "json").stdout)
    assert {r["member"] for r in rows} == {"health", "youth"}
    # and with autocrlf asking git to convert on checkout, the stored bytes stay exact
    git(c.root, "config", "core.autocrlf", "true")
    git(c.root, "checkout", "--", ".")
    assert b"\r\n" not in (c.root / w["health"]).read_bytes()
    assert verify_json(c, 0)["ok"] is True
