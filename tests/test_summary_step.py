"""A summary stepped from the last one is the summary a full build gives, whatever came in.

A seeded random soak over a real git repository: new comments (public, anonymous,
confidential; quotes, proposed text, blocks), endorsements, acknowledgements (of this round
and of a closed round), responses, withdrawals, supersessions, records with an earlier
stamp — and hostile commits (an edited record, a deleted one, a record signed by a key of no
member) and forged memo files (damaged, or another head's put in place of the last one's).
After each batch, ``summary_at_head`` equals ``build_summary`` of a full verify with no
cache, byte for byte in its JSON, and the step was taken exactly where it should be.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coalition_cli import actions, records
from coalition_cli.errors import CoalitionError
from coalition_cli.model import Record, stamp
from coalition_cli.render import render_summary
from coalition_cli.reports import build_summary, summary_append, summary_at_head, summary_step
from coalition_cli.signing import generate_key
from coalition_cli.verify import verify, verify_outcome

from conftest import git

MEMBERS = ("health", "youth", "fund")
QUOTES = {"P01": "serve the community", "P02": "Personal data is protected",
          "P03": "govern data about them"}


def as_json(data: dict) -> str:
    return json.dumps({**data, "generated_at": None}, ensure_ascii=False)


def terminal(data: dict) -> str:
    """The terminal report of ``data``: all that a summary read without rows must give."""
    return render_summary({**data, "generated_at": "2026-01-01T00:00:00Z"}, "terminal", width=120)


def from_scratch(agenda, round_arg, principle_text) -> str:  # noqa: ANN001
    return as_json(build_summary(agenda, verify(agenda, use_cache=False), round_arg,
                                 principle_text=principle_text))


class Soak:
    """Commits of every kind on an agenda with a closed round ``r0`` and an open one ``r1``."""

    def __init__(self, coalition, rng: random.Random, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
        self.c, self.rng, self.agenda, self.root = coalition, rng, coalition.agenda, coalition.root
        self.clock = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)  # a seed, a soak
        self.ids = random.Random(rng.random())
        monkeypatch.setattr(actions.comments, "new_record_id", self.rid)
        self.gaps = [0, 1, 1, 2, 30]  # seconds between records: ties at one-second resolution
        monkeypatch.setattr(actions._write, "now", self.tick)
        sec = coalition.who("sec")
        actions.round_open(self.agenda, sec, "r0", title="Earlier",
                           closes=datetime(2099, 1, 1, tzinfo=timezone.utc))
        for member in MEMBERS:
            written = actions.comment_add(self.agenda, coalition.who(member), principle="P01",
                                          stance="oppose", text=f"Earlier objection of {member}")
            actions.respond(self.agenda, sec, written.id, disposition="noted",
                            rationale="We will come back to it.")
        actions.round_close(self.agenda, sec, "r0")
        actions.round_open(self.agenda, sec, "r1", title="Now",
                           closes=datetime(2099, 1, 1, tzinfo=timezone.utc))
        self.stranger = generate_key(self.root.parent / "stranger", None, comment="stranger")

    def rid(self) -> str:
        return f"{self.ids.getrandbits(64):016x}"

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=self.rng.choice(self.gaps))
        return self.clock

    def mine(self, member: str, round_id: str = "r1", kind: str = "comment") -> list[dict]:
        out = []
        for path in sorted((self.root / "agenda" / "rounds" / round_id / "comments").rglob("*.yaml")):
            try:
                fields = records.parse_record(path.read_bytes(), str(path))
            except Exception:  # noqa: BLE001 - hostile files are in the tree too
                continue
            if fields.get("type") == kind and fields.get("member") == member:
                out.append(fields)
        return out

    def effective(self, round_id: str = "r1") -> list[dict]:
        every = [f for m in MEMBERS for f in self.mine(m, round_id)]
        gone = {f["withdraws"] for m in MEMBERS for f in self.mine(m, round_id, "withdrawal")}
        gone |= {f["supersedes"] for f in every if f.get("supersedes")}
        return [f for f in every if f["id"] not in gone]

    def responded(self, round_id: str) -> set[str]:
        folder = self.root / "agenda" / "rounds" / round_id / "responses"
        return {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()

    def attempt(self, fn, *args, **kwargs) -> bool:  # noqa: ANN001, ANN002, ANN003
        try:  # the tool refuses to write on a head that does not verify: no commit then
            fn(*args, **kwargs)
            return True
        except CoalitionError:
            return False

    # --- legitimate: what a step takes ----------------------------------------------------

    def comment(self) -> bool:
        member = self.rng.choice(MEMBERS)
        pid = self.rng.choice(sorted(QUOTES))
        stance = self.rng.choice(["support", "support", "amend", "oppose", "block", "neutral"])
        attribution = self.rng.choice(["public", "public", "anonymous", "confidential"])
        extra: dict = {}
        if self.rng.random() < 0.4:
            extra["quote"] = QUOTES[pid]
        if stance == "amend" and self.rng.random() < 0.6:
            extra["propose"] = f"Proposed wording {self.rng.randrange(5)}."
        text = self.rng.choice(["We broadly support this principle and its wording as drafted.",
                                "We broadly support this principle and its wording as drafted!",
                                f"A comment of our own {self.rng.random()}"])
        return self.attempt(actions.comment_add, self.agenda, self.c.who(member), principle=pid,
                            stance=stance, text=text, attribution=attribution, **extra)

    def endorse(self) -> bool:
        member = self.rng.choice(MEMBERS)
        others = [f for f in self.effective() if f["member"] != member
                  and f["attribution"] != "confidential"]
        if not others:
            return False
        return self.attempt(actions.comment_endorse, self.agenda, self.c.who(member),
                            self.rng.choice(others)["id"])

    def ack(self, round_id: str = "r1") -> bool:
        answered = self.responded(round_id)
        member = self.rng.choice(MEMBERS)
        mine = [f for f in self.mine(member, round_id) if f["id"] in answered]
        if not mine:
            return False
        return self.attempt(actions.comment_ack, self.agenda, self.c.who(member),
                            self.rng.choice(mine)["id"],
                            self.rng.choice(["satisfied", "maintains-objection"]))

    def ack_closed_round(self) -> bool:
        return self.ack("r0")

    STEPPED = ("comment", "comment", "comment", "endorse", "ack", "ack_closed_round")

    # --- legitimate: left to the full build -------------------------------------------------

    def respond(self) -> bool:
        waiting = [f for f in self.effective() if f["id"] not in self.responded("r1")]
        if not waiting:
            return False
        return self.attempt(actions.respond, self.agenda, self.c.who("sec"),
                            self.rng.choice(waiting)["id"],
                            disposition=self.rng.choice(["accepted", "noted", "declined"]),
                            rationale="Considered by the drafting group.")

    def withdraw(self) -> bool:
        member = self.rng.choice(MEMBERS)
        mine = [f for f in self.effective() if f["member"] == member]
        return bool(mine) and self.attempt(actions.comment_withdraw, self.agenda,
                                           self.c.who(member), self.rng.choice(mine)["id"])

    def supersede(self) -> bool:
        member = self.rng.choice(MEMBERS)
        mine = [f for f in self.effective() if f["member"] == member]
        if not mine:
            return False
        old = self.rng.choice(mine)
        return self.attempt(actions.comment_add, self.agenda, self.c.who(member),
                            principle=old["principle"], stance="support",
                            text="Our revised view.", supersedes=old["id"])

    def earlier(self) -> bool:
        """A comment stamped before the newest record (another clock): the full build."""
        saved = self.clock
        self.clock -= timedelta(minutes=5)
        try:
            return self.comment()
        finally:
            self.clock = max(saved, self.clock)

    FULL = ("respond", "withdraw", "supersede", "earlier")

    # --- hostile ----------------------------------------------------------------------------

    def _commit(self, files: dict[str, bytes | None], message: str) -> None:
        for rel, data in files.items():
            if data is None:
                git(self.root, "rm", "-q", "--", rel)
            else:
                (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
                (self.root / rel).write_bytes(data)
                git(self.root, "add", "--", rel)
        git(self.root, "commit", "-q", "--allow-empty", "-m", message)

    def _records(self) -> list[Path]:
        return sorted((self.root / "agenda" / "rounds" / "r1" / "comments").rglob("*.yaml"))

    def edit(self) -> bool:
        paths = self._records()
        if not paths:
            return False
        path = self.rng.choice(paths)
        data = path.read_bytes().replace(b"support", b"oppose").replace(b"public", b"anonymous")
        self._commit({str(path.relative_to(self.root)): data + b"# edited\n"}, "edit a record")
        return True

    def delete(self) -> bool:
        paths = self._records()
        if not paths:
            return False
        rel = str(self.rng.choice(paths).relative_to(self.root))
        self._commit({rel: None, rel + ".sig": None}, "delete a record")
        return True

    def stranger_signs(self) -> bool:
        rid = self.rid()
        member = self.rng.choice(MEMBERS)
        rec = Record(type="comment", id=rid, round="r1", member=member,
                     submitted_at=stamp(self.tick()), principle="P01", stance="block",
                     kind="general", attribution="public", text="Signed by no member.")
        data = records.dump_record(rec.fields())
        rel = f"agenda/rounds/r1/comments/{member}/{rid}.yaml"
        self._commit({rel: data, rel + ".sig": self.stranger.sign(data)}, "a stranger's record")
        return True

    HOSTILE = ("edit", "delete", "stranger_signs")

    def forge_memo(self, last: str, round_arg: str | None, principle_text: bool) -> str:
        """Damage the step facts remembered for head ``last``, or put another head's summary
        (authentic, but under the wrong name) in place of ``last``'s: which ("" if neither)."""
        from coalition_cli.cache import ResultMemo
        from coalition_cli.trust import trusted

        roots = trusted(self.agenda, last).roots.key()
        facts = summary_step._memo(self.agenda)._file(
            summary_step._key(self.agenda, last, roots, round_arg, principle_text))
        summary = ResultMemo(self.root / ".git" / "coalition", "summary")._file(
            (self.agenda.rel, last, *roots, round_arg or "", principle_text))
        others = [p for p in summary.parent.glob("summary-[0-9a-f]*.marshal") if p != summary]
        if self.rng.random() < 0.5 and facts.is_file():
            data = bytearray(facts.read_bytes())
            data[self.rng.randrange(16, len(data))] ^= 0x20
            facts.write_bytes(bytes(data))
            return "facts"
        if summary.is_file() and others:
            summary.write_bytes(others[0].read_bytes())
            return "summary"
        return ""

    def back_to_clean(self) -> None:
        for commit in git(self.root, "rev-list", "HEAD").split():
            if verify(self.agenda, commit, use_cache=False).ok:
                git(self.root, "reset", "-q", "--hard", commit)
                return
        raise AssertionError("no clean commit")


@pytest.mark.parametrize(("seed", "round_arg", "principle_text", "small"),
                         [(1, None, True, False), (2, None, False, False), (3, "r0", True, False),
                          (4, None, True, True)])
def test_a_stepped_summary_equals_the_full_build_after_every_batch(
        coalition, monkeypatch: pytest.MonkeyPatch, seed: int, round_arg: str | None,
        principle_text: bool, small: bool) -> None:
    """``small``: the near-duplicate texts kept in segments of three and the incremental
    verify's ids in segments of about one, so that steps read a few of many, and the
    terminal report showing two entries of each list (the brief carried from step to step
    cut to them)."""
    if small:
        from coalition_cli import incremental
        from coalition_cli.reports import campaign_memo

        from coalition_cli.render import summary_text
        from coalition_cli.reports import summary_parts

        monkeypatch.setattr(campaign_memo, "SEGMENT", 3)
        monkeypatch.setattr(incremental, "SHARD", 1)
        for module, limit, ids in ((summary_parts, "SHOWN", "CLUSTER_IDS"),
                                   (summary_text, "TERMINAL_LIMIT", "CLUSTER_IDS")):
            monkeypatch.setattr(module, limit, 2)  # briefs cut short, carried forward
            monkeypatch.setattr(module, ids, 1)
    rng = random.Random(seed)
    soak = Soak(coalition, rng, monkeypatch)
    agenda = coalition.agenda
    summary_step.STEPPED.clear()
    summary_append.APPENDED.clear()
    expect_step = False  # the last summary was of a clean head: a step may start from it
    steps = 0
    summarised = round_arg or "r1"
    # in a summary of r0, every r1 record (whatever it is) is another round's: a step
    steppable_ops = set(Soak.STEPPED) | ({"withdraw", "supersede", "earlier"}
                                         if round_arg == "r0" else set())
    last = git(coalition.root, "rev-parse", "HEAD").strip()
    poisoned, forged = "", ""
    for batch in range(24):
        ops: list[str] = []
        roll = rng.random()
        for _ in range(rng.choice([1, 1, 2, 4])):
            pool = Soak.STEPPED if roll < 0.65 else Soak.FULL if roll < 0.85 else Soak.HOSTILE
            op = rng.choice(pool)
            if getattr(soak, op)():
                ops.append(op)
        if rng.random() < 0.1:
            forged = soak.forge_memo(last, round_arg, principle_text)
            if forged:
                poisoned = last  # no step from it: what it would start from is forged
        if rng.random() < 0.4:
            verify_outcome(agenda)  # `coalition verify` first, as a person might
        steppable = bool(ops) and all(op in steppable_ops for op in ops)
        before = len(summary_step.STEPPED)
        terse = None
        if rng.random() < 0.5:  # the terminal report first: its head only, stored in parts
            terse = summary_at_head(agenda, round_arg, principle_text=principle_text, rows=False)
        ours = as_json(summary_at_head(agenda, round_arg, principle_text=principle_text))
        truth = from_scratch(agenda, round_arg, principle_text)
        assert ours == truth, f"batch {batch}: {ops}"
        for shown in (terse, summary_at_head(agenda, round_arg, principle_text=principle_text,
                                             rows=False)):
            assert shown is None or terminal(shown) == terminal(json.loads(truth)), \
                f"batch {batch}: {ops}"
        took = len(summary_step.STEPPED) > before
        clean = verify(agenda, use_cache=False).ok
        fair = expect_step and steppable and clean and last != poisoned
        if took:
            steps += 1
            assert fair, f"batch {batch}: {ops} {(expect_step, steppable, clean, last, poisoned)}"
        elif fair:
            # a record of the round stamped in the same second as its newest one, with a
            # smaller id, is the only reason left to build in full
            assert not _all_later(coalition.root, last, summarised), f"batch {batch}: {ops}"
        expect_step = clean
        last = git(coalition.root, "rev-parse", "HEAD").strip()
        if not clean and rng.random() < 0.7:
            soak.back_to_clean()
            assert as_json(summary_at_head(agenda, round_arg, principle_text=principle_text)) \
                == from_scratch(agenda, round_arg, principle_text)
            expect_step = True
            last = git(coalition.root, "rev-parse", "HEAD").strip()
            if last == poisoned and forged == "summary":
                poisoned = ""  # its summary, not found, was built again: and its facts with it
    assert steps >= 2, "the soak hardly ever took the step"
    assert summary_append.APPENDED, "no step appended to the summary before it"


def _all_later(root: Path, old: str, round_id: str) -> bool:
    """Whether every record of ``round_id`` the head adds to ``old`` is later, by
    (submitted_at, id), than every record ``old`` had in it."""
    folder = f"agenda/rounds/{round_id}/comments"
    before = set(git(root, "ls-tree", "-r", "--name-only", old, "--", folder).split())
    stamps: dict[bool, list[tuple[str, str]]] = {True: [], False: []}
    for path in (root / folder).rglob("*.yaml") if (root / folder).is_dir() else ():
        fields = records.parse_record(path.read_bytes(), str(path))
        stamps[str(path.relative_to(root)) in before].append((fields["submitted_at"], fields["id"]))
    return not stamps[True] or not stamps[False] or min(stamps[False]) > max(stamps[True])


def test_ten_new_comments_are_stepped_and_the_step_survives_a_verify_between(
        coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    soak = Soak(coalition, random.Random(7), monkeypatch)
    soak.gaps = [2]
    agenda = coalition.agenda
    summary_at_head(agenda)  # the full build: what the step starts from
    summary_step.STEPPED.clear()
    for _ in range(10):
        assert soak.comment()
    assert verify_outcome(agenda).ok  # moves the incremental verify's own state on
    data = summary_at_head(agenda)
    assert summary_step.STEPPED == [data["generated_from"]]
    assert as_json(data) == from_scratch(agenda, None, True)
    assert len(data["comments"]) == 10


def test_the_step_starts_from_a_summary_further_back_than_the_ancestors_listed_first(
        coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    """``_last_summarised`` asks git for the nearest ``NEAR`` first-parent ancestors, then
    for more: a summary five commits back is still the one stepped from."""
    monkeypatch.setattr(summary_step, "NEAR", 2)
    soak = Soak(coalition, random.Random(11), monkeypatch)
    soak.gaps = [2]
    agenda = coalition.agenda
    summary_at_head(agenda)
    old = git(coalition.root, "rev-parse", "HEAD").strip()
    for _ in range(5):
        assert soak.comment()
    assert git(coalition.root, "rev-list", "--count", f"{old}..HEAD").strip() == "5"
    summary_step.STEPPED.clear()
    data = summary_at_head(agenda)
    assert summary_step.STEPPED == [data["generated_from"]]
    assert as_json(data) == from_scratch(agenda, None, True)


def test_a_fold_whose_clustered_ids_are_no_longer_stored_builds_in_full(
        coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    """The step's facts name the stored segments of the ids the last summary clustered
    (``campaign_memo.ids_stored``): an endorsement (folded into the whole summary) is stepped
    while they are there, and built in full, to the same summary, once they are gone."""
    soak = Soak(coalition, random.Random(12), monkeypatch)
    soak.gaps = [2]
    agenda = coalition.agenda
    for _ in range(3):
        assert soak.comment()
    summary_at_head(agenda)
    summary_step.STEPPED.clear()
    summary_append.APPENDED.clear()
    assert soak.endorse()
    data = summary_at_head(agenda)
    assert summary_step.STEPPED == [data["generated_from"]] and not summary_append.APPENDED
    assert as_json(data) == from_scratch(agenda, None, True)
    results = coalition.root / ".git" / "coalition" / "results"
    for chunk in results.glob("chunk.clusters-*.marshal"):
        chunk.unlink()
    assert soak.endorse()
    data = summary_at_head(agenda)
    assert len(summary_step.STEPPED) == 1  # not stepped: built in full
    assert as_json(data) == from_scratch(agenda, None, True)


def test_an_older_copy_of_the_cache_put_back_still_gives_the_full_builds_summary(
        coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    """``.git/coalition`` copied back from before two summaries (the same user's key, so it
    authenticates): the step starts from the summary that copy remembers, and the
    near-duplicate state it holds (read for its shape only) is that summary's — the result
    is the full build's, and so is the next one. Only the near-duplicate state put back,
    beside the newest facts, is not extended: it was made for other texts."""
    import shutil

    soak = Soak(coalition, random.Random(13), monkeypatch)
    soak.gaps = [2]
    agenda = coalition.agenda
    cache_dir = coalition.root / ".git" / "coalition"
    saved = coalition.root.parent / "coalition-then"
    for _ in range(3):
        assert soak.comment()
    summary_at_head(agenda)
    shutil.copytree(cache_dir, saved)
    for _ in range(2):
        assert soak.comment()
        summary_at_head(agenda)
    shutil.rmtree(cache_dir)
    shutil.copytree(saved, cache_dir)
    assert soak.comment()
    summary_step.STEPPED.clear()
    data = summary_at_head(agenda)
    assert summary_step.STEPPED == [data["generated_from"]]  # from the copy's summary
    assert as_json(data) == from_scratch(agenda, None, True)
    assert soak.comment()
    assert as_json(summary_at_head(agenda)) == from_scratch(agenda, None, True)
    # only the near-duplicate state put back (the facts stay the newest summary's): it was
    # made for other texts, and is not extended as if it were the newest one's
    results = cache_dir / "results"
    for old in [*results.glob("clusters-*"), *results.glob("chunk.clusters-*")]:
        old.unlink()
    for then in [*(saved / "results").glob("clusters-*"),
                 *(saved / "results").glob("chunk.clusters-*")]:
        shutil.copy2(then, results)
    summary_append.APPENDED.clear()
    assert soak.comment()
    assert as_json(summary_at_head(agenda)) == from_scratch(agenda, None, True)
    assert not summary_append.APPENDED


def test_a_summary_of_another_head_in_the_last_ones_place_is_not_stepped_from(
        coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    soak = Soak(coalition, random.Random(10), monkeypatch)
    soak.gaps = [2]
    agenda = coalition.agenda
    results = coalition.root / ".git" / "coalition" / "results"
    summary_at_head(agenda)
    first = set(results.glob("summary-[0-9a-f]*.marshal"))
    assert soak.comment()
    summary_step.STEPPED.clear()
    summary_at_head(agenda)
    assert len(summary_step.STEPPED) == 1  # stepped: the next one would step from this one
    (last,) = set(results.glob("summary-[0-9a-f]*.marshal")) - first
    last.write_bytes(next(iter(first)).read_bytes())  # authentic, but of the earlier head
    assert soak.comment()
    data = summary_at_head(agenda)
    assert len(summary_step.STEPPED) == 1
    assert as_json(data) == from_scratch(agenda, None, True)


def test_a_forged_record_is_never_folded_in(coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    soak = Soak(coalition, random.Random(8), monkeypatch)
    agenda = coalition.agenda
    summary_at_head(agenda)
    summary_step.STEPPED.clear()
    soak.stranger_signs()
    data = summary_at_head(agenda)
    assert not summary_step.STEPPED
    assert data["integrity"]["excluded"] == 1 and not data["comments"]
    assert as_json(data) == from_scratch(agenda, None, True)


def test_step_facts_copied_from_another_user_are_not_read(coalition, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Another user's cache key: the remembered summary and its facts fail authentication."""
    soak = Soak(coalition, random.Random(9), monkeypatch)
    agenda = coalition.agenda
    summary_at_head(agenda)
    from coalition_cli import cache

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-b"))
    cache._SECRETS.clear()
    summary_step.STEPPED.clear()
    assert soak.comment()
    data = summary_at_head(agenda)
    assert not summary_step.STEPPED
    assert as_json(data) == from_scratch(agenda, None, True)
