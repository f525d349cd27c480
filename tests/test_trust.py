"""Root of trust, registry history, revocation that history proves, and rewrites.

Every attack is made with plain git and real signatures (the attacker holds a
key), then `coalition verify` must exit 1 naming the file, the problem and the
commit; every legitimate change (key rotation, a facilitator leaving, a founders
change a founder signed) must keep it clean.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition_cli import actions, records
from coalition_cli.agenda import Agenda
from coalition_cli.identity import Identity
from coalition_cli.ids import new_record_id
from coalition_cli.errors import NotPermitted
from coalition_cli.model import KeyEntry, Member, Record, now, stamp
from coalition_cli.signing import PrivateKey
from coalition_cli.verify import verify

from conftest import Cli, Coalition, make_key

NS = "coalition-cli"


def git(repo: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=60)
    assert not check or proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def report(c: Coalition, code: int, *extra: str) -> dict:
    """`coalition verify --format json` (and the terminal form, which must agree)."""
    run = Cli(c.root)
    terminal = run("verify", *extra, code=code)
    data = json.loads(run("verify", "--format", "json", *extra, code=code).stdout)
    assert data["ok"] is (code == 0)
    for p in data["problems"]:
        assert f"{p['problem']}: {p['path']}: {p['detail']}" in terminal.stdout
    return data


def find(data: dict, path: str, kind: str) -> list[dict]:
    return [p for p in data["problems"] if p["path"] == path and p["problem"] == kind]


def identity_of(c: Coalition, member: str, key: Path) -> Identity:
    """An identity for any key of a member, revoked or not (what an attacker holding it has)."""
    private = PrivateKey.load(key)
    m = c.agenda.snapshot().member(member)
    entry = next(e for e in m.keys if e.key == private.public.openssh)
    return Identity(m, private, entry)


def member_file(member: Member, signer: Path) -> tuple[bytes, bytes]:
    data = records.dump_record(member.fields())
    return data, PrivateKey.load(signer).sign(data)


def plant(c: Coalition, rel: str, data: bytes, sig: bytes | None, message: str) -> str:
    target = c.root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if sig is not None:
        Path(f"{target}.sig").write_bytes(sig)
    return commit_all(c.root, message)


def comment_bytes(member: str, text: str, *, round_id: str = "r1",
                  submitted_at: str | None = None) -> tuple[str, bytes]:
    rec = Record(type="comment", id=new_record_id(), round=round_id, member=member,
                 submitted_at=submitted_at or stamp(now()), principle="P01", stance="oppose",
                 kind="substantive", attribution="public", text=text)
    return rec.id, records.dump_record(rec.fields())


def open_round(c: Coalition) -> None:
    actions.round_open(c.agenda, c.who("sec"), "r1", title="First reading",
                       closes=now() + timedelta(days=30))


# --- 1. the root of trust -------------------------------------------------------------------


def test_init_prints_the_founder_and_verify_trust_checks_it(cli: Cli, tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys", "founder")
    out = cli("init", tmp_path / "repo", "--name", "Trust test", "--facilitator", "sec",
              "--key", key).stdout
    fp = PrivateKey.load(key).public.fingerprint
    assert f"coalition trust {fp}" in out and f"coalition verify --trust {fp}" in out
    config = (tmp_path / "repo/agenda/coalition.yaml").read_text()
    assert f'trust: {{"founders": ["{fp}"]}}' in config
    run = Cli(tmp_path / "repo")
    run("verify", "--trust", fp)
    other = PrivateKey.load(make_key(tmp_path / "keys", "stranger")).public.fingerprint
    bad = json.loads(run("verify", "--trust", other, "--format", "json", code=1).stdout)
    # with another key pinned, nothing descends from it: the founding registry is not its
    [problem] = [p for p in bad["problems"] if p["path"] == "agenda/members/sec.yaml"]
    assert problem["problem"] == "not-permitted"
    assert other in problem["detail"] and fp in problem["detail"] and "pinned" in problem["detail"]
    assert "sec" not in verify(Agenda.open(tmp_path / "repo/agenda"), trust=[other]).members


def test_a_registry_rewritten_by_a_non_facilitator_is_reported_with_its_commit(
        coalition: Coalition) -> None:
    c = coalition
    rel = "agenda/members/youth.yaml"
    youth = c.agenda.snapshot().member("youth")
    promoted = replace(youth, roles=("member", "facilitator"), updated_at=stamp(now()))
    data, sig = member_file(promoted, c.key("youth"))  # youth signs its own promotion
    commit = plant(c, rel, data, sig, "youth promotes itself")
    result = report(c, 1)
    history = [p for p in find(result, rel, "not-permitted") if commit[:8] in p["detail"]]
    assert history, result
    assert "youth" in history[0]["detail"] and "facilitator" in history[0]["detail"]
    assert re.search(r"SHA256:\S+", history[0]["detail"])


def test_an_unauthorised_change_never_becomes_trusted_and_git_revert_repairs_it(
        coalition: Coalition, tmp_path: Path) -> None:
    """health rewrites fund's entry (adding its own key to it): verify names the commit, the
    registry keeps fund's last verified version, writes refuse; a facilitator's git revert
    brings the head back to the trusted version and verify is clean again."""
    c = coalition
    rel = "agenda/members/fund.yaml"
    fund = c.agenda.snapshot().member("fund")
    stolen = make_key(tmp_path / "keys", "stolen")
    tampered = replace(fund, name="Hijacked Fund", updated_at=stamp(now()),
                       keys=(*fund.keys, KeyEntry(PrivateKey.load(stolen).public.openssh)))
    data, sig = member_file(tampered, c.key("health"))
    bad_commit = plant(c, rel, data, sig, "health edits fund")
    result = report(c, 1)
    [problem] = result["problems"]
    assert problem["path"] == rel and problem["problem"] == "not-permitted"
    assert bad_commit[:8] in problem["detail"] and "'health'" in problem["detail"]
    assert verify(c.agenda).members["fund"].name == "Fund Org"  # the verified version
    with pytest.raises(NotPermitted):
        actions.member_add(c.agenda, c.who("sec"), "fund", name="Fund Org", sector="funder",
                           roles=["member"], keys=[])
    git(c.root, "revert", "--no-edit", bad_commit)
    report(c, 0)


def test_a_deleted_member_file_and_a_replayed_old_version_are_reported(
        coalition: Coalition) -> None:
    c = coalition
    rel = "agenda/members/health.yaml"
    old_data, old_sig = (c.root / rel).read_bytes(), (c.root / f"{rel}.sig").read_bytes()
    key = c.key("health")
    actions.member_revoke_key(c.agenda, c.who("sec"), "health",
                              PrivateKey.load(key).public)
    report(c, 0)
    # replay: the old, validly signed version without the revocation
    replay = plant(c, rel, old_data, old_sig, "bring back the old entry")
    result = report(c, 1)
    [problem] = find(result, rel, "rollback")
    assert replay[:8] in problem["detail"] and "older version" in problem["detail"]
    git(c.root, "rm", "-q", "agenda/members/fund.yaml", "agenda/members/fund.yaml.sig")
    gone = commit_all(c.root, "drop fund")
    result = report(c, 1)
    deleted = find(result, "agenda/members/fund.yaml", "removed")
    assert deleted and gone[:8] in deleted[0]["detail"] and "deleted" in deleted[0]["detail"]


def test_founders_change_needs_a_founders_signature(coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    path = c.root / "agenda/coalition.yaml"
    founder = PrivateKey.load(c.key("sec")).public.fingerprint
    newcomer_key = make_key(tmp_path / "keys", "newcomer")
    newcomer = PrivateKey.load(newcomer_key).public.fingerprint
    text = path.read_text()

    # 1. an attacker swaps the founders for its own key, with no sign-off
    path.write_text(text.replace(founder, newcomer))
    swap = commit_all(c.root, "new founders")
    result = report(c, 1)
    [problem] = find(result, "agenda/coalition.yaml", "bad-signature")
    assert swap[:8] in problem["detail"]
    # ... and verify --trust with the real founder's fingerprint still knows the root
    Cli(c.root)("verify", "--trust", founder, code=1)

    # 2. signed by the newcomer itself (not a founder before the change): still refused
    git(c.root, "reset", "-q", "--hard", "HEAD~1")
    path.write_text(text.replace(founder, newcomer))
    (c.root / "agenda/coalition.yaml.sig").write_bytes(
        PrivateKey.load(newcomer_key).sign(path.read_bytes()))
    commit_all(c.root, "new founders, self-signed")
    result = report(c, 1, "--accept-rewrite")
    [problem] = find(result, "agenda/coalition.yaml", "not-permitted")
    assert newcomer in problem["detail"] and "not by a facilitator" in problem["detail"]

    # 3. a founder signs the change off with stock ssh-keygen: accepted, both fingerprints trusted
    git(c.root, "reset", "-q", "--hard", "HEAD~1")
    path.write_text(text.replace(f'["{founder}"]', f'["{founder}", "{newcomer}"]'))
    (c.root / "agenda/coalition.yaml.sig").unlink()  # ssh-keygen will not overwrite it
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", NS, "-f", str(c.key("sec")),
                    str(path)], check=True, capture_output=True)
    commit_all(c.root, "add a founder, signed off")
    report(c, 0, "--accept-rewrite")
    report(c, 0, "--trust", founder)
    # a pin is exactly the keys given: the founding registry does not descend from the newcomer
    report(c, 1, "--trust", newcomer)
    report(c, 0, "--trust", founder, "--trust", newcomer)


# --- legitimate changes keep verify clean (the trust fixpoint follows history) ------------------


def test_a_facilitator_key_rotation_and_departure_keep_what_they_signed(
        coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    sec = c.who("sec")
    old = make_key(tmp_path / "keys", "co-old")
    actions.member_add(c.agenda, sec, "co", name="Co-facilitator", sector="network",
                       roles=["facilitator", "member"], keys=[(PrivateKey.load(old).public, None)])
    co = identity_of(c, "co", old)
    new_member = make_key(tmp_path / "keys", "late")
    actions.member_add(c.agenda, co, "late", name="Late Org", sector="research",
                       roles=["member"], keys=[(PrivateKey.load(new_member).public, None)])
    open_round(c)  # r1 opened by sec; co answers a comment
    comment = actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support",
                                  text="Good.")
    actions.respond(c.agenda, co, comment.id, disposition="noted", rationale="Thanks.")
    report(c, 0)
    # co rotates its key: add the new one, revoke the old
    new = make_key(tmp_path / "keys", "co-new")
    actions.member_add(c.agenda, sec, "co", name="Co-facilitator", sector="network",
                       roles=["facilitator", "member"], keys=[(PrivateKey.load(new).public, None)])
    actions.member_revoke_key(c.agenda, sec, "co", PrivateKey.load(old).public)
    report(c, 0)  # 'late' and the response, signed with the old key before, still stand
    actions.member_remove(c.agenda, sec, "co")
    report(c, 0)  # and after co leaves


def test_the_sole_founder_rotates_its_key(coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    first = c.key("sec")
    second = make_key(tmp_path / "keys", "sec-2")
    sec = c.who("sec")
    actions.member_add(c.agenda, sec, "sec", name="Secretariat", sector="network",
                       roles=["facilitator", "member", "staff"],
                       keys=[(PrivateKey.load(second).public, None)])
    sec2 = identity_of(c, "sec", second)
    actions.member_revoke_key(c.agenda, sec2, "sec", PrivateKey.load(first).public)
    sec2 = identity_of(c, "sec", second)
    extra = make_key(tmp_path / "keys", "extra")
    actions.member_add(c.agenda, sec2, "extra", name="Extra", sector="research", roles=["member"],
                       keys=[(PrivateKey.load(extra).public, None)])
    report(c, 0)
    assert verify(c.agenda).members.keys() >= {"sec", "health", "extra"}

    # the revoked founder key, stolen, cannot add a facilitator
    evil_key = make_key(tmp_path / "keys", "evil")
    evil = Member(id="evil", name="Evil", sector="network", roles=("facilitator", "member"),
                  keys=(KeyEntry(PrivateKey.load(evil_key).public.openssh),),
                  updated_at=stamp(now()), updated_by="sec")
    data, sig = member_file(evil, first)
    commit = plant(c, "agenda/members/evil.yaml", data, sig, "evil")
    result = report(c, 1)
    problems = find(result, "agenda/members/evil.yaml", "revoked-key")
    assert any(commit[:8] in p["detail"] for p in problems)
    assert "evil" not in verify(c.agenda).members


def test_a_facilitator_added_on_a_branch_forked_before_a_revocation_is_rejected(
        coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    sec = c.who("sec")
    co_key = make_key(tmp_path / "keys", "co")
    actions.member_add(c.agenda, sec, "co", name="Co", sector="network",
                       roles=["facilitator", "member"], keys=[(PrivateKey.load(co_key).public, None)])
    fork = git(c.root, "rev-parse", "HEAD")
    actions.member_revoke_key(c.agenda, sec, "co", PrivateKey.load(co_key).public)
    # on a branch forked before the revocation, the old key registers a new facilitator
    git(c.root, "checkout", "-q", "-b", "side", fork)
    mole_key = make_key(tmp_path / "keys", "mole")
    actions.member_add(c.agenda, identity_of(c, "co", co_key), "mole", name="Mole",
                       sector="network", roles=["facilitator"],
                       keys=[(PrivateKey.load(mole_key).public, None)])
    git(c.root, "checkout", "-q", "main")
    git(c.root, "merge", "-q", "--no-edit", "side")
    result = report(c, 1)
    [problem] = find(result, "agenda/members/mole.yaml", "revoked-key")
    assert "'co'" in problem["detail"]
    assert "mole" not in verify(c.agenda).members


# --- 2. revocation that history can prove --------------------------------------------------------


@pytest.fixture
def revoked(coalition: Coalition) -> dict:
    """health comments, forks a branch, then its key is revoked on main."""
    c = coalition
    open_round(c)
    key = c.key("health")
    before = actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support",
                                 text="Signed before the revocation.")
    fork = git(c.root, "rev-parse", "HEAD")
    revocation = actions.member_revoke_key(c.agenda, c.who("sec"), "health",
                                           PrivateKey.load(key).public)
    return {"c": c, "key": key, "before": before, "fork": fork, "revocation": revocation}


def test_a_comment_signed_before_the_revocation_stays_valid(revoked: dict) -> None:
    c = revoked["c"]
    report(c, 0)
    verified = verify(c.agenda)
    assert [r.id for _p, r in verified.records["r1"]] == [revoked["before"].id]
    # the CLI refuses to sign with the revoked key
    err = Cli(c.root)("comment", "add", "-p", "P01", "-s", "support", "--text", "again",
                      "--key", revoked["key"], code=4).stderr
    assert err.startswith("error: ") and "revoked" in err


def test_a_comment_signed_after_the_revocation_is_rejected(revoked: dict) -> None:
    c = revoked["c"]
    record_id, data = comment_bytes("health", "Signed after the revocation.")
    rel = f"agenda/rounds/r1/comments/health/{record_id}.yaml"
    plant(c, rel, data, PrivateKey.load(revoked["key"]).sign(data), "late signature")
    result = report(c, 1)
    [problem] = find(result, rel, "revoked-key")
    assert "health" in problem["detail"] and "after the revocation" in problem["detail"]
    assert len(result["problems"]) == 1


def test_a_comment_from_a_branch_forked_before_the_revocation_and_merged_after_is_rejected(
        revoked: dict) -> None:
    c = revoked["c"]
    git(c.root, "checkout", "-q", "-b", "side", revoked["fork"])
    # on the branch the key is still valid, so the tool itself signs and commits there
    on_branch = actions.comment_add(c.agenda, identity_of(c, "health", revoked["key"]),
                                    principle="P02", stance="oppose", text="Made on a fork.")
    # backdated, too: the timestamp proves nothing
    opened = c.agenda.snapshot().round("r1").opened_at  # before the revocation
    record_id, data = comment_bytes("health", "Backdated on the fork.", submitted_at=opened)
    backdated = f"agenda/rounds/r1/comments/health/{record_id}.yaml"
    plant(c, backdated, data, PrivateKey.load(revoked["key"]).sign(data), "backdated")
    assert verify(c.agenda).problems == []  # valid on the branch, where nothing is revoked
    git(c.root, "checkout", "-q", "main")
    git(c.root, "merge", "-q", "--no-edit", "side")
    result = report(c, 1)
    for path in (on_branch.path, backdated):
        [problem] = find(result, path, "revoked-key")
        assert "after the revocation" in problem["detail"]
    assert {p["path"] for p in result["problems"]} == {on_branch.path, backdated}
    # the comment committed before the revocation still counts
    assert [r.id for _p, r in verify(c.agenda).records["r1"]] == [revoked["before"].id]


def test_a_branch_merged_before_the_revocation_keeps_its_comments(coalition: Coalition) -> None:
    c = coalition
    open_round(c)
    fork = git(c.root, "rev-parse", "HEAD")
    git(c.root, "checkout", "-q", "-b", "side", fork)
    made = actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support",
                               text="On a branch, merged in time.")
    git(c.root, "checkout", "-q", "main")
    git(c.root, "merge", "-q", "--no-edit", "side")
    actions.member_revoke_key(c.agenda, c.who("sec"), "health",
                              PrivateKey.load(c.key("health")).public)
    report(c, 0)
    assert [r.id for _p, r in verify(c.agenda).records["r1"]] == [made.id]


def _ssh_verify(c: Coalition, allowed: Path, member: str, rel: str, *extra: str) -> int:
    data = (c.root / rel).read_bytes()
    proc = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", member,
                           "-n", NS, "-s", str(c.root / f"{rel}.sig"), *extra],
                          input=data, capture_output=True, timeout=30)
    return proc.returncode


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH ssh-keygen")
def test_ssh_keygen_reaches_the_same_verdict(coalition: Coalition, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    c = coalition
    start, ticks = now(), iter(range(1, 10_000))
    monkeypatch.setattr(actions._write, "now", lambda: start + timedelta(seconds=next(ticks) * 2))
    key = c.key("health")
    open_round(c)
    before = actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support",
                                 text="Before.").path
    actions.member_revoke_key(c.agenda, c.who("sec"), "health", PrivateKey.load(key).public)
    record_id, data = comment_bytes("health", "After.", submitted_at=stamp(actions._write.now()))
    after = f"agenda/rounds/r1/comments/health/{record_id}.yaml"
    plant(c, after, data, PrivateKey.load(key).sign(data), "after")

    ours = {p["path"]: p["problem"] for p in report(c, 1)["problems"]}
    assert ours == {after: "revoked-key"}
    run = Cli(c.root)
    revoked_file, plain = tmp_path / "revoked_keys", tmp_path / "allowed"
    plain.write_text(run("member", "allowed-signers", "--revoked", revoked_file).stdout)
    assert revoked_file.read_text().strip() == PrivateKey.load(key).public.openssh
    # the plain export accepts every record the tool wrote, as SPEC promises ...
    assert _ssh_verify(c, plain, "health", before) == 0
    assert _ssh_verify(c, plain, "sec", "agenda/rounds/r1/round.yaml") == 0
    # ... and with -r the revoked key is refused outright (stricter than verify)
    assert _ssh_verify(c, plain, "health", after, "-r", str(revoked_file)) != 0
    assert _ssh_verify(c, plain, "health", before, "-r", str(revoked_file)) != 0
    # --validity + -Overify-time=<submitted_at>: the same verdict as coalition verify
    bounded = tmp_path / "allowed-validity"
    bounded.write_text(run("member", "allowed-signers", "--validity").stdout)
    line = next(x for x in bounded.read_text().splitlines() if x.startswith("health "))
    assert 'valid-after="' in line and 'valid-before="' in line
    for rel, expected in ((before, 0), (after, 255)):
        fields = records.parse_record((c.root / rel).read_bytes(), rel)
        when = re.sub(r"[-:T]", "", fields["submitted_at"])
        assert _ssh_verify(c, bounded, "health", rel, f"-Overify-time={when}") == expected, rel


def test_allowed_signers_validity_never_writes_an_empty_window(coalition: Coalition) -> None:
    """Added and revoked in the same second: ssh-keygen would reject the whole line."""
    c = coalition
    actions.member_revoke_key(c.agenda, c.who("sec"), "fund",
                              PrivateKey.load(c.key("fund")).public)
    text = Cli(c.root)("member", "allowed-signers", "--validity").stdout
    for line in text.splitlines():
        after = re.search(r'valid-after="(\d+)Z"', line)
        before = re.search(r'valid-before="(\d+)Z"', line)
        if after and before:
            assert after.group(1) < before.group(1), line


# --- rewrites: force-push detection -------------------------------------------------------------


def test_verify_reports_a_rewritten_history_until_accepted(coalition: Coalition) -> None:
    c = coalition
    open_round(c)
    actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support", text="Kept?")
    report(c, 0)  # pins this head
    git(c.root, "reset", "-q", "--hard", "HEAD~1")  # drop the comment, as a force-push would
    actions.comment_add(c.agenda, c.who("youth"), principle="P01", stance="support", text="New.")
    result = report(c, 1)
    [problem] = result["problems"]
    assert problem["problem"] == "history-rewritten"
    assert "--accept-rewrite" in problem["detail"]
    report(c, 1)  # still, until accepted
    report(c, 0, "--accept-rewrite")
    report(c, 0)
    # fast-forward is fine
    actions.comment_add(c.agenda, c.who("fund"), principle="P02", stance="support", text="More.")
    report(c, 0)


def _rewrite_remote(bare: Path, other: Path) -> None:
    """Someone else rewrites the remote branch: drops its last commit, pushes another."""
    git(other.parent, "clone", "-q", str(bare), str(other))
    git(other, "reset", "-q", "--hard", "HEAD~1")
    (other / "note.txt").write_text("rewritten\n")
    commit_all(other, "rewrite")
    git(other, "push", "-q", "--force", "origin", "HEAD:main")


def test_a_fetch_of_a_rewritten_branch_does_not_move_the_pin_back(coalition: Coalition,
                                                                   tmp_path: Path) -> None:
    """The pinned head was published; the remote branch is force-pushed without it; a plain
    ``git fetch`` and a verify of the unchanged head must not move the pin back to where
    the rewrite forked — else the ``git reset --hard origin/main`` after it would pass."""
    c = coalition
    open_round(c)
    actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support", text="Kept?")
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(c.root, "remote", "add", "origin", str(bare))
    git(c.root, "push", "-q", "-u", "origin", "HEAD:main")
    report(c, 0)  # pins the head, published
    _rewrite_remote(bare, tmp_path / "other")
    git(c.root, "fetch", "-q", "origin")
    report(c, 0)  # the head is unchanged: nothing rewritten here yet
    git(c.root, "reset", "-q", "--hard", "origin/main")
    [problem] = report(c, 1)["problems"]
    assert problem["problem"] == "history-rewritten"
    report(c, 0, "--accept-rewrite")  # accepted: the pin is the new head's, and stays
    report(c, 0)


def test_sync_refuses_a_force_pushed_remote(coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(c.root, "remote", "add", "origin", str(bare))
    run = Cli(c.root)
    run("sync")
    _rewrite_remote(bare, tmp_path / "other")
    head = git(c.root, "rev-parse", "HEAD")
    first = run("sync", code=5)
    assert first.stderr.startswith("error: origin/main was rewritten")
    assert "hint: " in first.stderr and "--accept-rewrite" in first.stderr
    assert git(c.root, "rev-parse", "HEAD") == head  # nothing pulled
    run("sync", code=5)  # still refused on the next try
    run("sync", "--accept-rewrite")
    rewritten = git(tmp_path / "other", "rev-parse", "HEAD")
    assert git(c.root, "merge-base", "--is-ancestor", rewritten, "HEAD") == ""


def test_sync_rebasing_local_commits_is_not_a_rewrite(coalition: Coalition, tmp_path: Path) -> None:
    """Only published history is pinned: `coalition sync` may rebase what was never pushed."""
    c = coalition
    open_round(c)
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(c.root, "remote", "add", "origin", str(bare))
    run = Cli(c.root)
    run("sync")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(bare), str(other))
    # here: a local comment, verified (pinned) before it is pushed
    actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support", text="Local.")
    report(c, 0)
    # meanwhile another clone pushes a comment of its own
    Cli(other)("comment", "add", "-p", "P02", "-s", "support", "--text", "Theirs.",
               "--key", c.key("youth"))
    Cli(other)("sync")
    run("sync")  # rebases the local comment onto theirs
    report(c, 0)


def test_a_shallow_clone_is_never_ok(coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    open_round(c)
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{c.root}", str(shallow))
    founder = PrivateKey.load(c.key("sec")).public.fingerprint
    run = Cli(shallow)
    result = json.loads(run("verify", "--trust", founder, "--format", "json", code=1).stdout)
    assert result["ok"] is False
    [problem] = result["problems"]
    assert problem["problem"] == "incomplete-history"
    assert "git fetch --unshallow" in problem["detail"]
    git(shallow, "fetch", "-q", "--unshallow")
    run("verify", "--trust", founder)


def _prefetch_matches_reads_by_path(c: Coalition, ag: Agenda,
                                    monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes | None]:
    """Walk ``ag``'s ledger with the prefetch and without it: every name the prefetch filled
    holds what ``git cat-file blob`` gives for it, and the two ledgers are one. The names."""
    from coalition_cli.trust import ledger as L
    from coalition_cli.trust.roots import roots

    filled: dict[str, bytes | None] = {}
    prefetch = L._Walk.prefetch

    def watched(self, commits, changes) -> None:  # noqa: ANN001
        before = set(self._bytes)
        prefetch(self, commits, changes)
        filled.update((k, v) for k, v in self._bytes.items() if k not in before)

    head = ag.head()
    monkeypatch.setattr(L._Walk, "prefetch", watched)
    fast = L.walk(ag, head, roots(ag.git), use_cache=False)
    for name, got in filled.items():
        proc = subprocess.run(["git", "cat-file", "blob", name], cwd=c.root, capture_output=True)
        assert proc.returncode == 0 and got == proc.stdout, name
    monkeypatch.setattr(L._Walk, "prefetch", lambda self, commits, changes: None)
    by_path = L.walk(ag, head, roots(ag.git), use_cache=False)
    monkeypatch.undo()
    assert fast.state == by_path.state and fast.rejected == by_path.rejected
    assert fast.events == by_path.events and fast.state.files
    return filled


def test_the_ledger_reads_by_blob_id_what_it_would_read_by_path(
        coalition: Coalition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``_Walk.prefetch`` reads the governed files each commit adds or changes by blob id, in
    one batch, under the ``commit:path`` names ``step`` asks for: over a history with a
    hostile edit, its revert, a deletion, a member file turned into a folder, a signature
    changed alone and a merge, every name holds what ``git cat-file commit:path`` gives,
    and the ledger is the one walked reading every file by path."""

    c = coalition
    fund = c.agenda.snapshot().member("fund")
    data, sig = member_file(replace(fund, name="Hijacked", updated_at=stamp(now())),
                            c.key("health"))
    bad = plant(c, "agenda/members/fund.yaml", data, sig, "health edits fund")
    git(c.root, "revert", "--no-edit", bad)
    git(c.root, "checkout", "-q", "-b", "side", "HEAD~1")
    (c.root / "agenda/members/health.yaml.sig").write_bytes(sig)  # a signature alone
    commit_all(c.root, "a signature changed alone")
    git(c.root, "checkout", "-q", "-")
    git(c.root, "rm", "-q", "agenda/members/fund.yaml", "agenda/members/fund.yaml.sig")
    commit_all(c.root, "drop fund")
    member = c.root / "agenda/members/health.yaml"
    member.unlink()
    member.mkdir()
    (member / "x").write_text("a folder where a member file was")
    commit_all(c.root, "a member file turned into a folder")
    git(c.root, "merge", "-q", "--no-edit", "side")
    filled = _prefetch_matches_reads_by_path(c, c.agenda, monkeypatch)
    assert len(filled) > 10


def test_the_ledger_of_an_agenda_folder_named_like_a_glob_reads_only_that_folder(
        coalition: Coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    """The agenda folder's name is a pathspec for ``git diff-tree``: named ``agenda*``, it
    would also match a member's ``agendaz`` folder, whose files the prefetch then stored under
    the agenda's ``commit:path`` names — bytes that are not what ``git cat-file`` gives for
    them. The listing takes the folder's name literally."""
    from coalition_cli.store import Git

    c = coalition
    git(c.root, "filter-branch", "-f", "--tree-filter", "mv agenda 'agenda*'", "HEAD")
    decoy = c.root / "agendaz/members/fund.yaml"
    decoy.parent.mkdir(parents=True)
    decoy.write_bytes((c.root / "agenda*/members/fund.yaml").read_bytes() + b"# not fund's\n")
    commit_all(c.root, "a folder whose name the agenda's matches as a glob")
    assert _prefetch_matches_reads_by_path(c, Agenda(Git(c.root), "agenda*"), monkeypatch)


def test_a_governed_file_named_with_a_newline_leaves_the_reads_in_step(
        coalition: Coalition) -> None:
    """``cat-file --batch`` reads a name a line at a time: asked for ``commit:members/a\\nb.yaml``
    (its ``.sig``, by path), it gave two answers for one name, and every later read of the
    process got the answer of the one before. A member can name a file so; the walk's reads
    stay in step, and verify names the file."""
    from coalition_cli.trust import ledger as L
    from coalition_cli.trust.roots import roots

    c = coalition
    plant(c, "agenda/members/a\nb.yaml", b"v: 1\n", None, "a member file named with a newline")
    ag = Agenda.open(c.root / "agenda")
    L.walk(ag, ag.head(), roots(ag.git), use_cache=False)
    blob = git(c.root, "rev-parse", "HEAD:agenda/coalition.yaml")
    assert ag.git.read_objects([blob]) == [(c.root / "agenda/coalition.yaml").read_bytes()]
    problems = report(c, 1)["problems"]
    assert any(p["path"] == "agenda/members/a\nb.yaml" for p in problems), problems


def test_names_git_cannot_be_asked_are_missing_and_the_prefetch_agrees(
        coalition: Coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with a newline, or ending in a carriage return (git takes it off a request
    line: ``x.yaml\\r`` would be answered with ``x.yaml``), is answered as missing and never
    asked; the ledger's prefetch leaves such a file to that answer, so the ledger of a
    history with both is the one read by path."""
    from coalition_cli.trust import ledger as L
    from coalition_cli.trust.roots import roots

    c = coalition
    head = git(c.root, "rev-parse", "HEAD").strip()
    real = "agenda/members/fund.yaml"
    assert c.agenda.git.read_objects([f"{head}:{real}\r", f"{head}:{real}"])[0] is None
    plant(c, "agenda/members/a\nb.yaml", b"v: 1\n", b"not a signature", "a newline")
    plant(c, "agenda/members/fund.yaml\r", b"v: 1\n", b"not a signature", "a carriage return")
    ag = Agenda.open(c.root / "agenda")
    fast = L.walk(ag, ag.head(), roots(ag.git), use_cache=False)
    monkeypatch.setattr(L._Walk, "prefetch", lambda self, commits, changes: None)
    by_path = L.walk(ag, ag.head(), roots(ag.git), use_cache=False)
    assert (fast.state, fast.rejected, fast.events) == (by_path.state, by_path.rejected,
                                                         by_path.events)
    assert ag.git.read_objects([f"{head}:{real}"]) == [(c.root / real).read_bytes()]  # in step


def test_every_path_the_tool_gives_git_is_taken_by_its_name(coalition: Coalition) -> None:
    """``store.literal``: an agenda folder named ``agenda*`` is a glob to ``git log`` and
    ``rev-list`` too. A member's commit to ``agendaz/rounds/r1/round.yaml`` is not a version
    of the round's file (its dates, ``reports.facts``), does not touch the round for the
    summary's step, and is not a change to the principles."""
    from datetime import datetime, timezone

    from coalition_cli.reports import facts, summary_step
    from coalition_cli.store import Git

    c = coalition
    actions.round_open(c.agenda, c.who("sec"), "r1", title="First",
                       closes=datetime(2099, 1, 1, tzinfo=timezone.utc))
    git(c.root, "filter-branch", "-f", "--tree-filter", "mv agenda 'agenda*'", "HEAD")
    ag = Agenda(Git(c.root), "agenda*")
    before = ag.head()
    verified = verify(ag)
    rnd = ag.snapshot().round("r1")
    dates = facts._closes_history(ag, before, rnd, verified)
    assert dates
    for rel in ("agendaz/rounds/r1/round.yaml", "agendaz/principles/P01.md"):
        decoy = c.root / rel
        decoy.parent.mkdir(parents=True, exist_ok=True)
        decoy.write_text("a decoy beside the agenda\n")
    after = commit_all(c.root, "files in a folder the agenda's name matches as a glob")
    assert facts._closes_history(ag, after, rnd, verified) == dates
    assert summary_step._chain_untouched(ag, before, after, "r1")
    code, out = ag.git.run_status("log", "--format=%H", f"{before}..{after}", "--",
                                  literal_path(ag.p("principles")))
    assert code == 0 and out.strip() == ""


def literal_path(path: str) -> str:
    from coalition_cli.store import literal

    return literal(path)


def test_the_history_read_keeps_every_change_but_the_records_added(coalition: Coalition) -> None:
    """``history.changes``: what the ledger walks is git's whole diff of each commit against
    each parent, less the records a commit adds (three folders deep or more, where nothing
    governed is, and nothing to judge) — a record's edit and deletion, and every change to
    a governed file, are kept, and paths that are not UTF-8 come back as git gave them."""
    from coalition_cli.trust import history

    c, root = coalition, coalition.root
    actions.round_open(c.agenda, c.who("sec"), "r1", title="One", closes=now() + timedelta(days=3))
    written = actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support",
                                  text="A first comment.")
    record = next((root / "agenda/rounds/r1/comments").rglob(f"{written.id}.yaml"))
    record.write_text(record.read_text() + "# an edit\n")
    (root / "agenda/members/odd-\xe9.yaml").write_bytes(b"x: 1\n")
    odd = root / "agenda" / "rounds" / os.fsdecode(b"r\xff")  # not UTF-8
    odd.mkdir()
    (odd / "round.yaml").write_bytes(b"x: 1\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "by hand"], cwd=root, check=True)
    record.unlink()
    subprocess.run(["git", "commit", "-qam", "deleted"], cwd=root, check=True)
    commits = history.commits(c.agenda.git, "HEAD", None)
    pairs = [(commit, parent) for commit, parents in commits for parent in (parents or [""])]
    got = history.changes(c.agenda.git, pairs, "agenda")
    for (commit, parent), kept in zip(pairs, got, strict=True):
        args = ["diff-tree", "-r", "--no-renames", "--no-abbrev", "-z", "--raw"]
        raw = subprocess.run(["git", *args, *([parent, commit] if parent else ["--root", commit]),
                              "--", "agenda/"], cwd=root, capture_output=True, check=True).stdout
        fields = raw.decode("utf-8", "surrogateescape").split("\0")
        if not parent:
            fields = fields[1:]  # (the commit's id first)
        whole = [(meta.split(" ")[4][:1], path[len("agenda/"):], meta.split(" ")[2],
                  meta.split(" ")[3]) for meta, path in zip(fields[0::2], fields[1::2]) if meta]
        assert kept == [change for change in whole
                        if change[0] != "A" or change[1].count("/") <= 2], commit
    kinds = {(status, rel.count("/") > 2) for per in got for status, rel, _o, _n in per}
    assert {("A", False), ("M", True), ("D", True), ("A", True)} & kinds == {
        ("A", False), ("M", True), ("D", True)}
    assert any(rel == os.fsdecode(b"rounds/r\xff/round.yaml") for per in got for _s, rel, _o, _n in per)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\0", b"")), max_size=30),
       st.integers(min_value=1, max_value=40))
def test_git_output_read_a_piece_at_a_time_is_read_whole(fields: list[bytes], step: int) -> None:
    """``store.nul_separated`` cuts git's ``-z`` output at a NUL near every ``step`` bytes:
    the fields are the ones a single decode and split gives, whatever the cut."""
    from itertools import chain

    from coalition_cli.store import nul_separated

    raw = b"".join(f + b"\0" for f in fields)
    assert list(chain.from_iterable(nul_separated(raw, step))) == \
        [f.decode("utf-8", "surrogateescape") for f in fields]


def test_an_agenda_at_the_top_of_its_repository_has_its_records_checked(
        coalition: Coalition, tmp_path: Path) -> None:
    """An agenda whose ``coalition.yaml`` is at the repository's top (its history made so by
    ``git subtree split``): verify lists the whole tree, checks every record, and reports an
    unsigned one — it listed nothing there, and called such an agenda clean with 0 checked —
    and leaves the project's other files (a README, a symlink, a ``.sig`` of its own) alone."""
    c = coalition
    actions.round_open(c.agenda, c.who("sec"), "r1", title="One", closes=now() + timedelta(days=3))
    actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support", text="Yes.")

    def run(*args: str, cwd: Path = c.root) -> None:
        subprocess.run(args, cwd=cwd, check=True, capture_output=True)

    run("git", "subtree", "split", "-q", "-P", "agenda", "-b", "at-root")
    clone = tmp_path / "at-root"
    run("git", "clone", "-q", "-b", "at-root", str(c.root), str(clone))
    (clone / "README.md").write_text("The coalition's agenda.\n")
    (clone / "docs").mkdir()
    (clone / "docs/logo.svg.sig").write_text("not a record's\n")  # the project's own files:
    (clone / "ABOUT.md").symlink_to("README.md")  # not the agenda's, never judged
    run("git", "add", "-A", cwd=clone)
    run("git", "commit", "-qm", "the project's files", cwd=clone)
    clean = verify(Agenda.open(clone), use_cache=False)
    assert clean.ok, clean.problems
    assert clean.checked == verify(c.agenda, use_cache=False).checked
    assert [rec.text for _p, rec in clean.records["r1"]] == ["Yes."]
    (clone / "rounds/r1/comments/health/ffffffffffffffff.yaml").write_text("type: comment\n")
    run("git", "add", "-A", cwd=clone)
    run("git", "commit", "-qm", "unsigned", cwd=clone)
    found = verify(Agenda.open(clone), use_cache=False)
    assert ("rounds/r1/comments/health/ffffffffffffffff.yaml", "unsigned") in {
        (p["path"], p["problem"]) for p in found.problems}


@pytest.mark.parametrize("rel, kind", [
    ("coalition.yaml", "config"), ("members/m1.yaml", "member"),
    ("principles/P01-a.md", "principle"), ("rounds/r1/round.yaml", "round"),
    ("rounds/r1/closing.yaml", "closing"), ("rounds/r1/comments/m1/x.yaml", None),
    ("rounds/r1/x/round.yaml", None), ("members/a/b.yaml", None), ("rounds/r1/a/b/c", None),
])
def test_what_is_governed_by_its_path(rel: str, kind: str | None) -> None:
    from coalition_cli.trust.state import kind_of

    assert kind_of(rel) == kind


def test_each_commits_state_is_what_all_its_files_give(coalition: Coalition, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit's state is made from its first parent's, reading again only the files that
    changed (``_Walk._state(like=…)``): at every commit of a history that adds, rotates,
    revokes and removes members, changes the settings and merges a branch, it holds the
    same registry, in the same order, and the same settings as one made from every file."""
    from coalition_cli.trust import ledger as L
    from coalition_cli.trust.roots import roots

    c = coalition
    sec = c.who("sec")
    git = ["git", "-C", str(c.root)]
    branch = subprocess.run([*git, "branch", "--show-current"], capture_output=True, text=True,
                            check=True).stdout.strip()
    subprocess.run([*git, "checkout", "-qb", "side"], check=True)
    late = make_key(tmp_path / "keys", "late")
    actions.member_add(c.agenda, sec, "late", name="Late Org", sector="research",
                       roles=["member"], keys=[(PrivateKey.load(late).public, None)])
    subprocess.run([*git, "checkout", "-q", branch], check=True)
    old = make_key(tmp_path / "keys", "co-old")
    actions.member_add(c.agenda, sec, "co", name="Co-facilitator", sector="network",
                       roles=["facilitator", "member"], keys=[(PrivateKey.load(old).public, None)])
    new = make_key(tmp_path / "keys", "co-new")
    actions.member_add(c.agenda, sec, "co", name="Co-facilitator", sector="network",
                       roles=["facilitator", "member"], keys=[(PrivateKey.load(new).public, None)])
    actions.member_revoke_key(c.agenda, sec, "co", PrivateKey.load(old).public)
    actions.config_set(c.agenda, sec, "description", "Changed once.")
    subprocess.run([*git, "merge", "-q", "--no-edit", "side"], check=True)
    actions.member_remove(c.agenda, sec, "youth")
    made = L._Walk._state
    compared = []

    def checked(self, files, founders, like=None, changed=None):  # noqa: ANN001, ANN202
        state = made(self, files, founders, like=like, changed=changed)
        whole = made(self, files, founders)
        assert list(state.members.items()) == list(whole.members.items())
        assert state.config == whole.config and state.founders == whole.founders
        assert state.owner == whole.owner and state.facilitator_keys == whole.facilitator_keys
        compared.append(like is not None)
        return state

    monkeypatch.setattr(L._Walk, "_state", checked)
    ledger = L.walk(c.agenda, c.agenda.head(), roots(c.agenda.git), use_cache=False)
    assert compared.count(True) >= 8, compared  # every member and settings change above
    members = ledger.state.members
    assert {"late", "co"} <= set(members) and not members["youth"].active
    assert [e.revoked is not None for e in members["co"].keys] == [True, False]
    assert ledger.state.config.description == "Changed once."
