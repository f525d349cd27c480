"""Incremental verify gives the full verdict after every commit, whatever the commit.

A seeded random soak: legitimate and hostile commits (new comments, endorsements and
withdrawals, records signed by the wrong key, bad or missing signatures, duplicate ids,
dangling targets, stray files, deletions, revocations, reverts, merges, history rewrites)
applied one after another; after each, the verdict ``verify_outcome`` gives (which steps
incrementally from the last clean head when it can) equals a full pass with no cache.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from coalition_cli import actions, incremental, records
from coalition_cli.errors import CoalitionError
from coalition_cli.ids import new_record_id
from coalition_cli.model import Record, stamp
from coalition_cli.signing import PrivateKey
from coalition_cli.verify import verify, verify_outcome

from conftest import git

MEMBERS = ("health", "youth", "fund")


def verdict(result) -> tuple:  # noqa: ANN001
    return result.ok, result.checked, sorted(tuple(sorted(p.items())) for p in result.problems)


def full(agenda) -> tuple:  # noqa: ANN001
    return verdict(verify(agenda, use_cache=False))


def _commit_files(root: Path, files: dict[str, bytes | None], message: str) -> None:
    for rel, data in files.items():
        path = root / rel
        if data is None:
            git(root, "rm", "-q", "--", rel)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            git(root, "add", "--", rel)
    git(root, "commit", "-q", "--allow-empty", "-m", message)


class Soak:
    def __init__(self, coalition, rng: random.Random) -> None:  # noqa: ANN001
        self.c, self.rng = coalition, rng
        self.agenda = coalition.agenda
        self.root = coalition.root
        actions.round_open(self.agenda, coalition.who("sec"), "r1", title="First",
                           closes=datetime(2099, 1, 1, tzinfo=timezone.utc))

    def comments(self, member: str | None = None) -> list[tuple[str, str]]:
        out = []
        for path in sorted((self.root / "agenda" / "rounds" / "r1" / "comments").rglob("*.yaml")):
            try:
                fields = records.parse_record(path.read_bytes(), str(path))
            except Exception:  # noqa: BLE001 - hostile files are in the tree too
                continue
            if fields.get("type") == "comment" and (member is None or fields.get("member") == member):
                out.append((fields["id"], fields["member"]))
        return out

    def record(self, member: str, signer: str | None = None, **fields) -> dict[str, bytes]:  # noqa: ANN003
        rid = fields.pop("id", None) or new_record_id()
        rec = Record(type=fields.pop("type", "comment"), id=rid, round="r1", member=member,
                     submitted_at=stamp(datetime.now(timezone.utc).replace(microsecond=0)),
                     principle=fields.pop("principle", "P01"), **fields)
        data = records.dump_record(rec.fields())
        key = PrivateKey.load(self.c.key(signer or member))
        rel = f"agenda/rounds/r1/comments/{member}/{rid}.yaml"
        return {rel: data, rel + ".sig": key.sign(data)}

    def comment_fields(self) -> dict:
        return {"stance": self.rng.choice(["support", "amend", "oppose"]), "kind": "general",
                "attribution": "public", "text": f"Text {self.rng.random()}"}

    # --- one commit of each kind -------------------------------------------------------

    def add(self) -> None:
        try:  # the tool refuses to write on a head that does not verify: no commit then
            who = self.c.who(self.rng.choice(MEMBERS))
            actions.comment_add(self.agenda, who, principle=self.rng.choice(["P01", "P02"]),
                                stance="support", text=f"A comment {self.rng.random()}")
        except CoalitionError:
            pass

    def endorse(self) -> None:
        member = self.rng.choice(MEMBERS)
        others = [cid for cid, m in self.comments() if m != member]
        if others:
            _commit_files(self.root, self.record(member, type="endorsement",
                                                 target=self.rng.choice(others)), "endorse")

    def withdraw(self) -> None:
        member = self.rng.choice(MEMBERS)
        mine = self.comments(member)
        if mine:
            _commit_files(self.root, self.record(member, type="withdrawal",
                                                 target=self.rng.choice(mine)[0]), "withdraw")

    def wrong_key(self) -> None:
        member, signer = self.rng.sample(MEMBERS, 2)
        _commit_files(self.root, self.record(member, signer, **self.comment_fields()), "forged")

    def bad_signature(self) -> None:
        files = self.record(self.rng.choice(MEMBERS), **self.comment_fields())
        sig = next(k for k in files if k.endswith(".sig"))
        files[sig] = files[sig].replace(b"A", b"B", 3)
        _commit_files(self.root, files, "bad signature")

    def unsigned(self) -> None:
        files = self.record(self.rng.choice(MEMBERS), **self.comment_fields())
        _commit_files(self.root, {k: v for k, v in files.items() if not k.endswith(".sig")},
                      "unsigned")

    def duplicate_id(self) -> None:
        existing = self.comments()
        if existing:
            cid, owner = self.rng.choice(existing)
            member = self.rng.choice([m for m in MEMBERS if m != owner])
            _commit_files(self.root, self.record(member, id=cid, **self.comment_fields()),
                          "reuse an id")

    def dangling(self) -> None:
        _commit_files(self.root, self.record(self.rng.choice(MEMBERS), type="endorsement",
                                             target=new_record_id()), "dangling endorsement")

    def stray(self) -> None:
        _commit_files(self.root, {f"agenda/rounds/r1/comments/notes-{self.rng.random()}.txt":
                                  b"hello\n"}, "stray file")

    def delete(self) -> None:
        paths = sorted((self.root / "agenda" / "rounds" / "r1" / "comments").rglob("*.yaml"))
        if paths:
            path = self.rng.choice(paths)
            rel = str(path.relative_to(self.root))
            files: dict[str, bytes | None] = {rel: None}
            if path.with_name(path.name + ".sig").exists():
                files[rel + ".sig"] = None
            _commit_files(self.root, files, "delete a record")

    def revoke(self) -> None:
        member = self.rng.choice(MEMBERS)
        public = PrivateKey.load(self.c.key(member)).public
        try:
            actions.member_revoke_key(self.agenda, self.c.who("sec"), member, public)
        except CoalitionError:  # refused (e.g. the head does not verify): no commit
            pass

    def revert(self) -> None:
        proc = subprocess.run(["git", "revert", "--no-edit", "HEAD"], cwd=self.root,
                              capture_output=True)
        if proc.returncode != 0:
            subprocess.run(["git", "revert", "--abort"], cwd=self.root, capture_output=True)

    def rewrite(self) -> None:
        count = int(git(self.root, "rev-list", "--count", "HEAD"))
        if count > 8:
            git(self.root, "reset", "-q", "--hard", "HEAD~1")

    def merge(self) -> None:
        git(self.root, "switch", "-q", "-c", "side")
        _commit_files(self.root, self.record(self.rng.choice(MEMBERS), **self.comment_fields()),
                      "on a branch")
        git(self.root, "switch", "-q", "main")
        self.add()
        git(self.root, "merge", "-q", "--no-edit", "side")
        git(self.root, "branch", "-q", "-D", "side")


LEGITIMATE = ("add", "add", "add", "endorse", "withdraw", "merge")
HOSTILE = ("wrong_key", "bad_signature", "unsigned", "duplicate_id", "dangling", "stray",
           "delete", "revoke", "revert", "rewrite")


@pytest.mark.parametrize(("seed", "shard"), [(1, incremental.SHARD), (2, incremental.SHARD), (3, 1)])
def test_incremental_verdict_equals_the_full_one_after_every_commit(
        coalition, seed: int, shard: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed 3 keeps the policy state in segments of about one id: every duplicate id and
    target is looked up across segments, and rounds outgrow theirs and are split again."""
    monkeypatch.setattr(incremental, "SHARD", shard)
    rng = random.Random(seed)
    soak = Soak(coalition, rng)
    incremental.USED.clear()
    assert verdict(verify_outcome(coalition.agenda)) == full(coalition.agenda)
    for step in range(18):
        op = rng.choice(LEGITIMATE) if rng.random() < 0.6 else rng.choice(HOSTILE)
        getattr(soak, op)()
        ours = verdict(verify_outcome(coalition.agenda))
        assert ours == full(coalition.agenda), f"step {step}: after {op}"
        if not ours[0] and rng.random() < 0.8:  # a facilitator cleans up: back to clean
            git(coalition.root, "reset", "-q", "--hard", _last_clean(coalition))
            assert verdict(verify_outcome(coalition.agenda)) == full(coalition.agenda)
    assert incremental.USED, "the soak never took the incremental path"


def _last_clean(coalition) -> str:  # noqa: ANN001
    for commit in git(coalition.root, "rev-list", "HEAD").split():
        if verify(coalition.agenda, commit, use_cache=False).ok:
            return commit
    raise AssertionError("no clean commit")


def test_one_new_comment_is_judged_incrementally(coalition) -> None:
    soak = Soak(coalition, random.Random(3))
    assert verify_outcome(coalition.agenda).ok  # a full pass: the state to step from
    incremental.USED.clear()
    soak.add()
    result = verify_outcome(coalition.agenda)
    assert result.ok and incremental.USED == [result.commit]
    assert verdict(result) == full(coalition.agenda)


class _Counted:
    """The policy state's segments, with the names of those read and written."""

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner, self.read, self.written = inner, [], []

    def get(self, name: str):  # noqa: ANN201
        self.read.append(name)
        return self.inner.get(name)

    def put(self, value) -> str:  # noqa: ANN001
        name = self.inner.put(value)
        self.written.append(name)
        return name

    def prune(self, named: set[str]) -> None:
        self.inner.prune(named)


def _round_entry(agenda) -> list:  # noqa: ANN001
    memo = incremental._memo(agenda)  # noqa: SLF001
    (values,) = [v for v in memo.each() if v[0]["commit"] == git(agenda.git.root, "rev-parse", "HEAD").strip()]
    return values[1]["r1"]


def test_an_increment_reads_and_writes_only_the_segments_its_records_fall_in(
        coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(incremental, "SHARD", 2)
    soak = Soak(coalition, random.Random(6))
    for _ in range(7):
        soak.add()
    assert verify_outcome(coalition.agenda).ok  # full pass: 7 ids in 4 segments
    count, names = _round_entry(coalition.agenda)
    assert (count, len(names)) == (7, 4)
    counted = _Counted(incremental._segments(coalition.agenda))  # noqa: SLF001
    monkeypatch.setattr(incremental, "_segments", lambda agenda: counted)
    incremental.USED.clear()
    soak.endorse()  # its own id and its target: at most two segments read, one or two written
    result = verify_outcome(coalition.agenda)
    assert result.ok and incremental.USED == [result.commit]
    assert verdict(result) == full(coalition.agenda)
    assert 1 <= len(set(counted.read)) <= 2 and len(counted.written) == 1
    count_after, names_after = _round_entry(coalition.agenda)
    assert count_after == 8 and len(names_after) == 4
    assert sum(a != b for a, b in zip(names, names_after)) == 1
    for _ in range(25):  # increments only: past 4 x SHARD a segment, the round is written whole
        soak.add()
        assert verify_outcome(coalition.agenda).ok
    count_end, names_end = _round_entry(coalition.agenda)
    assert count_end == 33 and len(names_end) == 32  # 33 ids, about SHARD = 2 a segment
    assert verdict(verify_outcome(coalition.agenda)) == full(coalition.agenda)


def test_a_missing_segment_sends_the_increment_to_the_full_pass(coalition) -> None:
    soak = Soak(coalition, random.Random(7))
    soak.add()
    assert verify_outcome(coalition.agenda).ok
    for path in (coalition.root / ".git" / "coalition" / "results").glob("chunk.policy-*"):
        path.unlink()
    incremental.USED.clear()
    soak.endorse()  # its id and target could only be looked up in the missing segment
    result = verify_outcome(coalition.agenda)
    assert result.ok and not incremental.USED
    assert verdict(result) == full(coalition.agenda)
    soak.endorse()  # the full pass wrote the state again: the next one steps from it
    assert verify_outcome(coalition.agenda).ok and len(incremental.USED) == 1


def test_a_new_bad_record_is_never_passed_by_the_increment(coalition) -> None:
    soak = Soak(coalition, random.Random(4))
    assert verify_outcome(coalition.agenda).ok
    incremental.USED.clear()
    soak.wrong_key()
    result = verify_outcome(coalition.agenda)
    assert not result.ok and not incremental.USED
    assert [p["problem"] for p in result.problems] == ["not-permitted"]


def test_a_state_copied_from_another_clone_is_not_read(coalition, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Clone B takes clone A's .git/coalition (made with A's user's cache key): B's verify
    reads none of it, and a forged record in B is found."""
    soak = Soak(coalition, random.Random(5))
    assert verify_outcome(coalition.agenda).ok  # A remembers its clean state and verdicts
    other = tmp_path / "clone-b"
    git(tmp_path, "clone", "-q", str(coalition.root), str(other))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-b"))  # user B: another key
    from coalition_cli import cache
    from coalition_cli.agenda import Agenda

    cache._SECRETS.clear()
    shutil.copytree(coalition.root / ".git" / "coalition", other / ".git" / "coalition",
                    dirs_exist_ok=True)
    soak.root = other
    _commit_files(other, soak.record("health", "youth", **soak.comment_fields()), "forged in B")
    agenda_b = Agenda.open(other / "agenda")
    incremental.USED.clear()
    result = verify_outcome(agenda_b)
    assert not result.ok and not incremental.USED
    assert [p["problem"] for p in result.problems] == ["not-permitted"]
    assert os.listdir(other / ".git" / "coalition")


def test_the_tree_diffs_never_read_the_index(coalition) -> None:
    """git 2.39's diff-tree reads the whole index before comparing two trees (20 ms at
    100,000 records); verify's diffs run with none. A damaged index shows it: plain git
    diff-tree fails on it, and the increment and the ledger walk do not."""
    soak = Soak(coalition, random.Random(8))
    soak.add()
    assert verify_outcome(coalition.agenda).ok
    (cid, owner), = soak.comments()
    endorser = next(m for m in MEMBERS if m != owner)
    _commit_files(coalition.root, soak.record(endorser, type="endorsement", target=cid), "endorse")
    index = coalition.root / ".git" / "index"
    index.write_bytes(b"not an index")
    plain = subprocess.run(["git", "diff-tree", "-r", "HEAD~1", "HEAD"], cwd=coalition.root,
                           capture_output=True)
    assert plain.returncode != 0 and b"index" in plain.stderr
    incremental.USED.clear()
    result = verify_outcome(coalition.agenda)
    assert result.ok and incremental.USED == [result.commit]
    assert not (coalition.root / ".git" / "coalition" / "no-index").exists()
    assert verdict(verify(coalition.agenda, use_cache=False)) == verdict(result)


def test_the_tree_listing_is_read_from_its_pipe_and_its_errors_are_gits(coalition) -> None:
    """``Git.ls_tree_start``/``ls_tree_finish``: the listing read straight from the pipe
    (nothing of it left on the ``Popen``, which ``communicate`` would keep), git's own error
    line for a revision that does not exist, and no file left open either way."""
    from coalition_cli.errors import GitError

    soak = Soak(coalition, random.Random(9))
    soak.add()
    store = coalition.agenda.git
    listing = store.ls_tree_start("HEAD", "agenda")
    entries = store.ls_tree_finish(listing)
    assert {path for _mode, _sha, path in entries} == set(
        git(coalition.root, "ls-tree", "-r", "--name-only", "HEAD", "--", "agenda/").split())
    assert listing.proc.stdout.closed and listing.errors.closed
    assert not getattr(listing.proc, "_fileobj2output", None)
    broken = store.ls_tree_start("no-such-revision", "agenda")
    with pytest.raises(GitError, match="git ls-tree failed: .*no-such-revision"):
        store.ls_tree_finish(broken)
    assert broken.errors.closed
