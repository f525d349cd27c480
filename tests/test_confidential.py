"""Confidential comments: encrypted before commit, verifiable by anyone, readable by facilitators.

A facilitator added after the comment gets access through `comment reencrypt`,
which writes a facilitator-signed `rounds/<r>/access/<comment-id>.yaml`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from coalition_cli import actions, records
from coalition_cli.confidential import ARMOR_BEGIN, encrypt
from coalition_cli.ids import new_record_id
from coalition_cli.model import Record, now, stamp
from coalition_cli.render import render_summary
from coalition_cli.reports import build_summary
from coalition_cli.signing import PrivateKey
from coalition_cli.verify import verify

from conftest import Cli, Coalition, git, make_key

SECRET = "Nos clients craignent d'être identifiés — ᐃᓄᒃᑎᑐᑦ — 🔒 SECRET-7731"
PROPOSAL = "Add: no linkage without community consent (PROPOSAL-4410)."



def all_objects(repo: Path) -> bytes:
    """Every object git stores, decompressed (loose or packed)."""
    names = git(repo, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)").split()
    proc = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, capture_output=True,
                          input="".join(n + "\n" for n in names).encode(), timeout=60)
    return proc.stdout


@pytest.fixture
def secret(coalition: Coalition) -> dict:
    c = coalition
    actions.round_open(c.agenda, c.who("sec"), "r1", title="Round",
                       closes=now() + timedelta(days=10))
    run = Cli(c.root)
    out = run("comment", "add", "-p", "P01", "-s", "oppose", "--text", SECRET, "--propose",
              PROPOSAL, "--attribution", "confidential", "--key", c.key("health"),
              "--format", "json").stdout
    written = json.loads(out)
    return {"c": c, "run": run, **written}


def test_the_text_is_encrypted_before_it_is_committed(secret: dict) -> None:
    c = secret["c"]
    stored = (c.root / secret["path"]).read_bytes()
    fields = records.parse_record(stored, secret["path"])
    assert "text" not in fields and "proposed_text" not in fields
    assert fields["attribution"] == "confidential" and fields["stance"] == "oppose"
    assert fields["encrypted"].startswith(ARMOR_BEGIN)
    everything = all_objects(c.root)
    for plain in (SECRET, PROPOSAL, "SECRET-7731", "PROPOSAL-4410"):
        assert plain.encode() not in everything
    assert verify(c.agenda).ok


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH ssh-keygen")
def test_anyone_can_check_who_submitted_it(secret: dict, tmp_path: Path) -> None:
    c, run = secret["c"], secret["run"]
    allowed = tmp_path / "allowed"
    allowed.write_text(run("member", "allowed-signers").stdout)
    rel = secret["path"]
    proc = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "health",
                           "-n", "coalition-cli", "-s", str(c.root / f"{rel}.sig")],
                          input=(c.root / rel).read_bytes(), capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr


def test_reports_count_it_without_its_text(secret: dict) -> None:
    c, run = secret["c"], secret["run"]
    data = build_summary(c.agenda, verify(c.agenda), "r1")
    p01 = next(p for p in data["principles"] if p["id"] == "P01")
    assert p01["comments"] == 1 and p01["stances"]["oppose"] == 1
    for fmt in ("terminal", "md", "html", "json", "csv"):
        out = render_summary(data, fmt)
        assert "SECRET-7731" not in out and "PROPOSAL-4410" not in out, fmt
        assert "BEGIN AGE" not in out, fmt
    listed = json.loads(run("comment", "list", "--format", "json").stdout)
    assert [r["text"] for r in listed] == ["[confidential]"]
    shown = json.loads(run("comment", "show", secret["id"][:8], "--format", "json").stdout)
    assert "SECRET-7731" not in json.dumps(shown, ensure_ascii=False)
    assert "--decrypt" in shown["encrypted"]


def test_facilitators_decrypt_it_and_members_cannot(secret: dict) -> None:
    c, run = secret["c"], secret["run"]
    shown = json.loads(run("comment", "show", secret["id"], "--decrypt", "--key", c.key("sec"),
                           "--format", "json").stdout)
    assert shown["text"] == SECRET and shown["proposed_text"] == PROPOSAL
    assert "encrypted" not in shown
    refused = run("comment", "show", secret["id"], "--decrypt", "--key", c.key("youth"), code=4)
    assert refused.stderr.startswith("error: only a facilitator may read confidential comments")
    assert refused.stdout == ""


def test_a_facilitator_added_later_gets_access_by_reencryption(secret: dict, tmp_path: Path) -> None:
    c, run = secret["c"], secret["run"]
    co_key = make_key(tmp_path / "keys", "co")
    actions.member_add(c.agenda, c.who("sec"), "co", name="Co-facilitator", sector="network",
                       roles=["facilitator", "member"], keys=[(PrivateKey.load(co_key).public, None)])
    before = run("comment", "show", secret["id"], "--decrypt", "--key", co_key, code=3)
    assert before.stderr.splitlines()[0] == "error: this key cannot open the confidential comment"
    assert f"coalition comment reencrypt {secret['id'][:8]}" in before.stderr
    # a member may not grant access, and a public comment has nothing to re-encrypt
    head = git(c.root, "rev-parse", "HEAD")
    run("comment", "reencrypt", secret["id"], "--key", c.key("youth"), code=4)
    public = actions.comment_add(c.agenda, c.who("fund"), principle="P02", stance="support",
                                 text="Public.")
    head = git(c.root, "rev-parse", "HEAD")
    assert "not a confidential comment" in run("comment", "reencrypt", public.id, "--key",
                                               c.key("sec"), code=3).stderr
    assert git(c.root, "rev-parse", "HEAD") == head

    out = json.loads(run("comment", "reencrypt", secret["id"][:8], "--key", c.key("sec"),
                         "--format", "json").stdout)
    assert out["path"] == f"agenda/rounds/r1/access/{secret['id']}.yaml"
    grant = records.parse_record((c.root / out["path"]).read_bytes(), out["path"])
    assert grant["type"] == "access" and grant["granted_by"] == "sec"
    assert PrivateKey.load(co_key).public.fingerprint in grant["recipients"]
    assert "SECRET-7731" not in (c.root / out["path"]).read_text()
    # the member's record is untouched: still the bytes health signed
    assert verify(c.agenda).ok
    shown = json.loads(run("comment", "show", secret["id"], "--decrypt", "--key", co_key,
                           "--format", "json").stdout)
    assert shown["text"] == SECRET and shown["proposed_text"] == PROPOSAL
    assert shown["access"].startswith("re-encrypted by sec on ")
    # access records come after the close without being late
    actions.round_close(c.agenda, c.who("sec"))
    run("comment", "reencrypt", secret["id"], "--key", co_key)
    assert verify(c.agenda).ok


def _plant(c: Coalition, rel: str, data: bytes, signer: Path) -> None:
    target = c.root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    Path(f"{target}.sig").write_bytes(PrivateKey.load(signer).sign(data))
    git(c.root, "add", "-A")
    git(c.root, "commit", "-q", "-m", f"plant {rel}")


def test_a_forged_access_record_is_reported_and_never_opened(secret: dict, tmp_path: Path) -> None:
    c, run = secret["c"], secret["run"]
    co_key = make_key(tmp_path / "keys", "co")
    actions.member_add(c.agenda, c.who("sec"), "co", name="Co", sector="network",
                       roles=["facilitator"], keys=[(PrivateKey.load(co_key).public, None)])
    # youth (a member) plants an "access record" carrying text of its own choosing
    fake = encrypt({"text": "FORGED WORDS", "proposed_text": None},
                   [PrivateKey.load(co_key).public.openssh])
    rel = f"agenda/rounds/r1/access/{secret['id']}.yaml"
    data = records.dump_record({"v": 1, "type": "access", "round": "r1", "comment": secret["id"],
                                "recipients": [], "encrypted": fake, "granted_by": "youth",
                                "granted_at": stamp(now())})
    _plant(c, rel, data, c.key("youth"))
    report = json.loads(run("verify", "--format", "json", code=1).stdout)
    assert [(p["path"], p["problem"]) for p in report["problems"]] == [(rel, "not-permitted")]
    refused = run("comment", "show", secret["id"], "--decrypt", "--key", co_key, code=3)
    assert "not signed by a current facilitator" in refused.stderr
    assert "FORGED" not in refused.stdout


def test_an_access_record_for_a_public_comment_is_malformed(secret: dict) -> None:
    c, run = secret["c"], secret["run"]
    public = actions.comment_add(c.agenda, c.who("fund"), principle="P02", stance="support",
                                 text="Public.")
    rel = f"agenda/rounds/r1/access/{public.id}.yaml"
    data = records.dump_record({"v": 1, "type": "access", "round": "r1", "comment": public.id,
                                "recipients": [], "encrypted": "x", "granted_by": "sec",
                                "granted_at": stamp(now())})
    _plant(c, rel, data, c.key("sec"))
    report = json.loads(run("verify", "--format", "json", code=1).stdout)
    assert [(p["path"], p["problem"]) for p in report["problems"]] == [(rel, "malformed")]


@pytest.mark.parametrize("payload", [b"\xff\xfe not json", b"[1, 2, 3]",
                                     b'{"text": "Shown", "member": "sec", "path": "/etc/passwd"}'])
def test_a_hostile_payload_is_shown_safely(secret: dict, payload: bytes) -> None:
    """A member controls what it encrypts: no traceback, and no field but text is taken."""
    import pyrage

    from coalition_cli.confidential import _armor

    c, run = secret["c"], secret["run"]
    recipient = pyrage.ssh.Recipient.from_str(PrivateKey.load(c.key("sec")).public.openssh)
    armored = _armor(pyrage.encrypt(payload, [recipient]))
    rec = Record(type="comment", id=new_record_id(), round="r1", member="youth",
                 submitted_at=stamp(now()), principle="P02", stance="oppose", kind="general",
                 attribution="confidential", encrypted=armored)
    rel = f"agenda/rounds/r1/comments/youth/{rec.id}.yaml"
    _plant(c, rel, records.dump_record(rec.fields()), c.key("youth"))
    assert verify(c.agenda).ok
    result = run("comment", "show", rec.id, "--decrypt", "--key", c.key("sec"), "--format",
                 "json", code=None)
    if payload.startswith(b"{"):
        assert result.exit_code == 0
        shown = json.loads(result.stdout)
        assert shown["text"] == "Shown" and shown["member"] == "youth"
        assert shown["path"] == rel
    else:
        assert result.exit_code == 3
        assert result.stderr == "error: the confidential payload is malformed\n"
