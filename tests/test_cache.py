"""The derived cache in .git/coalition never changes an answer.

verify, the summary and `comment list` give the same result with the cache
cold, warm, deleted, corrupted or of an older format; and whatever plain git
does to the records — a rewritten record, another clone's push, `git mv`,
`git revert` — shows at once, warm cache or not.
"""

from __future__ import annotations

import io
import json
import marshal
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition_cli import actions, cache, records
from coalition_cli.agenda import Agenda
from coalition_cli.ids import new_record_id
from coalition_cli.model import now, stamp
from coalition_cli.reports import _from_parts, _in_parts, build_summary, summary_at_head
from coalition_cli.signing import PrivateKey
from coalition_cli.store import Git
from coalition_cli.verify import Verified, verify, verify_outcome

from conftest import Cli, Coalition, git

ROUND = "agenda/rounds/r1"



def cache_dir(c: Coalition) -> Path:
    return c.root / ".git" / "coalition"


def cache_file(c: Coalition) -> Path:
    return cache_dir(c) / f"verdicts-v{cache.FORMAT}.marshal"


def answer(v: Verified) -> dict:
    """Everything verify decides, in comparable form."""
    return {
        "commit": v.commit, "ok": v.ok, "checked": v.checked, "problems": v.problems,
        "members": v.members, "rounds": v.rounds, "closings": v.closings,
        "records": {r: sorted(items, key=lambda i: i[0]) for r, items in v.records.items()},
        "responses": v.responses, "accepted": v.accepted,
    }


def summary(c: Coalition, v: Verified) -> dict:
    data = build_summary(c.agenda, v)
    data.pop("generated_at")
    return data


def listed(c: Coalition) -> list[str]:
    rows = json.loads(Cli(c.root)("comment", "list", "--format", "json").stdout)
    return sorted(r["id"] for r in rows)


def frames(*values: object) -> bytes:
    """The bytes of a cache file holding ``values`` (to plant damaged or forged ones)."""
    buffer = io.BytesIO()
    cache.write_frames(buffer, values, cache.secret())  # authenticated with this HOME's key
    return buffer.getvalue()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def plant(c: Coalition, member: str, fields: dict, *, signer: str | None = None) -> str:
    """A record written and committed by plain git, signed by ``signer`` (default: its member)."""
    data = records.dump_record(fields)
    rel = f"{ROUND}/comments/{member}/{fields['id']}.yaml"
    target = c.root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    Path(f"{target}.sig").write_bytes(PrivateKey.load(c.key(signer or member)).sign(data))
    commit_all(c.root, f"plant {rel}")
    return rel


@pytest.fixture
def busy(coalition: Coalition) -> Coalition:
    """Round r1 with comments, an endorsement, a withdrawal, and a few problems for verify to find."""
    c = coalition
    actions.round_open(c.agenda, c.who("sec"), "r1", title="First reading",
                       closes=now() + timedelta(days=30))
    h1 = actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support",
                             text="Annual public reporting is a good start.")
    actions.comment_add(c.agenda, c.who("youth"), principle="P01", stance="block",
                        text="Young people were never asked.")
    y2 = actions.comment_add(c.agenda, c.who("youth"), principle="P02", stance="amend",
                             text="Say who is accountable.", quote="Personal data is protected.")
    actions.comment_add(c.agenda, c.who("fund"), principle="P03", stance="oppose",
                        text="We need to fund data literacy first. We need to fund data literacy first.")
    actions.comment_add(c.agenda, c.who("health"), principle="P03", stance="oppose",
                        text="We need to fund data literacy first. We need to fund data literacy first!")
    actions.comment_endorse(c.agenda, c.who("fund"), h1.id, "Agreed.")
    actions.comment_withdraw(c.agenda, c.who("youth"), y2.id)
    # problems, so that the answer compared is not just "ok"
    plant(c, "fund", {"v": 1, "type": "comment", "id": new_record_id(), "round": "r1",
                      "principle": "P01", "member": "fund", "submitted_at": stamp(now())})  # malformed
    plant(c, "youth", _comment("youth", "Health signed this."), signer="health")  # not-permitted
    return c


def _comment(member: str, text: str, principle: str = "P01") -> dict:
    return {"v": 1, "type": "comment", "id": new_record_id(), "round": "r1", "principle": principle,
            "member": member, "stance": "support", "kind": "general", "attribution": "public",
            "themes": [], "text": text, "submitted_at": stamp(now())}


def test_verify_is_the_same_cold_warm_deleted_corrupted_and_of_an_older_format(busy: Coalition) -> None:
    c = busy
    truth = answer(verify(c.agenda, use_cache=False))
    assert not cache_file(c).exists()  # use_cache=False neither reads nor writes
    kinds = {p["problem"] for p in truth["problems"]}
    assert kinds == {"malformed", "not-permitted"}
    truth_summary = summary(c, verify(c.agenda, use_cache=False))

    cold = verify(c.agenda)  # builds the cache
    assert cache_file(c).is_file()
    assert answer(cold) == truth
    warm = verify(c.agenda)
    assert answer(warm) == truth and summary(c, warm) == truth_summary

    shutil_rm(cache_dir(c))  # deleted
    assert answer(verify(c.agenda)) == truth and cache_file(c).is_file()

    from coalition_cli.verify import _code

    _header, entries = cache.read_verdicts(cache_file(c))
    keys = list(entries)

    whole = cache_file(c).read_bytes()
    for garbage in (b"", b"\x00not marshal at all\xff" * 50, marshal.dumps([1, 2, 3]),
                    frames([1, 2, 3]), frames({"format": cache.FORMAT, "code": _code(), "count": 2}, [1, 2]),
                    frames({"format": cache.FORMAT, "code": _code(), "count": len(keys)},
                           {k: ("short",) for k in keys}),
                    frames({"format": cache.FORMAT, "code": _code(), "count": len(keys) + 1},
                           entries),  # a chunk lost
                    whole[:100], whole[: len(whole) // 2]):  # empty, junk, wrong shapes, truncated
        cache_file(c).write_bytes(garbage)
        assert answer(verify(c.agenda)) == truth
        assert answer(verify(c.agenda)) == truth  # rewritten, then read back

    # an older format: the same file name with another version inside, and an old file beside it
    poisoned = {k: ("", "signature does not verify", "0" * 64, None, "") for k in entries}
    cache.write_verdicts(cache_file(c), {"format": cache.FORMAT - 1}, poisoned)
    older = cache_dir(c) / f"verdicts-v{cache.FORMAT - 1}.marshal"
    older.write_bytes(marshal.dumps({"format": cache.FORMAT - 1, "entries": poisoned}))
    assert answer(verify(c.agenda)) == truth
    assert not older.exists()  # old formats are cleared away on the next write
    # the same format made by another version of the parsing code: not trusted either
    cache.write_verdicts(cache_file(c), {"format": cache.FORMAT, "code": "another version"},
                         poisoned)
    assert answer(verify(c.agenda)) == truth
    assert answer(verify(c.agenda)) == truth
    # and the verdicts written by this code are what this code reads back
    assert cache.read_verdicts(cache_file(c))[1] == entries
    assert listed(c) == sorted(rec.id for items in truth["records"].values() for _p, rec in items
                               if rec.type == "comment")


def shutil_rm(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder)
    assert not folder.exists()


def test_a_record_rewritten_by_plain_git_is_caught_with_a_warm_cache(busy: Coalition) -> None:
    c = busy
    verify(c.agenda)
    before = answer(verify(c.agenda))  # warm
    assert cache_file(c).is_file()
    [path] = [p for p, rec in before["records"]["r1"] if rec.text == "Young people were never asked."]
    file = c.root / path
    file.write_bytes(file.read_bytes().replace(b"never asked", b"always asked"))
    commit_all(c.root, "edit a record in place")
    after = verify(c.agenda)
    assert {"path": path, "problem": "bad-signature", "detail": "signature does not match the data"} \
        in after.problems
    assert path not in dict(after.records["r1"])
    assert answer(after) == answer(verify(c.agenda, use_cache=False))
    assert path.rsplit("/", 1)[1][:-5] not in listed(c)
    # and back: reverting the edit restores the record at once
    git(c.root, "revert", "--no-edit", "HEAD")
    restored = answer(verify(c.agenda))
    assert restored.pop("commit") != before.pop("commit")
    assert restored == before


def test_a_record_pushed_by_another_clone_shows_at_once(busy: Coalition, tmp_path: Path) -> None:
    c = busy
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(c.root, "remote", "add", "origin", str(remote))
    git(c.root, "push", "-q", "origin", "main")
    other_root = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other_root))
    other = Agenda(Git(other_root), "agenda")
    warm = verify(c.agenda)
    verify(c.agenda)
    written = actions.comment_add(other, c.who("fund"), principle="P02", stance="support",
                                  text="Pushed from another clone.")
    git(other_root, "push", "-q", "origin", "main")
    git(c.root, "pull", "-q", "--ff-only", "origin", "main")
    after = verify(c.agenda)
    assert written.path in dict(after.records["r1"])
    assert after.checked == warm.checked + 1
    assert answer(after) == answer(verify(c.agenda, use_cache=False))
    data = summary(c, after)
    assert written.id in [row["id"] for row in data["comments"]]
    assert data["generated_from"] == git(c.root, "rev-parse", "HEAD").strip()
    assert written.id in listed(c)


def test_a_record_moved_by_git_mv_is_judged_at_its_new_place(busy: Coalition) -> None:
    c = busy
    warm = verify(c.agenda)
    verify(c.agenda)
    [(path, rec)] = [(p, r) for p, r in warm.records["r1"] if r.text == "Young people were never asked."]
    moved = f"{ROUND}/comments/fund/{rec.id}.yaml"
    git(c.root, "mv", path, moved)
    git(c.root, "mv", path + ".sig", moved + ".sig")
    git(c.root, "commit", "-q", "-m", "move a record")
    after = verify(c.agenda)
    assert [p["problem"] for p in after.problems if p["path"] == moved] == ["wrong-place"]
    assert path not in dict(after.records["r1"]) and moved not in dict(after.records["r1"])
    assert answer(after) == answer(verify(c.agenda, use_cache=False))
    assert rec.id not in [row["id"] for row in summary(c, after)["comments"]]
    assert rec.id not in listed(c)


def test_a_malformed_record_moved_by_git_mv_is_reported_at_its_new_path(busy: Coalition) -> None:
    """The cached parse verdict must not carry the path it was first seen at."""
    c = busy
    warm = verify(c.agenda)
    [old] = [p["path"] for p in warm.problems if p["problem"] == "malformed"]
    new = old.replace("/comments/fund/", "/comments/health/")
    (c.root / new).parent.mkdir(parents=True, exist_ok=True)
    git(c.root, "mv", old, new)
    git(c.root, "mv", old + ".sig", new + ".sig")
    git(c.root, "commit", "-q", "-m", "move a malformed record")
    after = verify(c.agenda)
    [problem] = [p for p in after.problems if p["problem"] == "malformed"]
    assert problem["path"] == new and problem["detail"].startswith(new + ": ")
    # the signed bytes left their old path: that is a removal, and the only word of it
    assert [p["problem"] for p in after.problems if old in json.dumps(p)] == ["removed"]
    assert answer(after) == answer(verify(c.agenda, use_cache=False))


def test_a_record_removed_by_git_revert_is_gone_at_once(busy: Coalition) -> None:
    c = busy
    written = actions.comment_add(c.agenda, c.who("fund"), principle="P02", stance="block",
                                  text="This one will be reverted.")
    warm = verify(c.agenda)
    assert written.path in dict(warm.records["r1"])
    assert written.id in listed(c)
    git(c.root, "revert", "--no-edit", written.commit)
    after = verify(c.agenda)
    assert written.path not in dict(after.records["r1"])
    assert after.checked == warm.checked - 1
    assert answer(after) == answer(verify(c.agenda, use_cache=False))
    data = summary(c, after)
    assert written.id not in [row["id"] for row in data["comments"]]
    assert all(b["comment"] != written.id for p in data["principles"] for b in p["blocks"])
    assert written.id not in listed(c)


# --- the derived data of the summary, and the faster code behind it, change no answer too ----


def test_the_summary_is_the_same_with_the_clusters_memo_cold_warm_or_damaged(
        busy: Coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    from coalition_cli.reports.near_duplicates import VERSION

    c = busy
    v = verify(c.agenda, use_cache=False)
    first = summary(c, v)  # computes the clusters and remembers their state
    [memo] = results(c).glob("clusters-*.marshal")
    assert first["clusters"]
    assert summary(c, v) == first  # from the memo
    loaded = list(cache.read_frames(io.BytesIO(memo.read_bytes()), cache.secret()))
    header, (segments, head, parent, blocks, members) = loaded[0], loaded[1:]

    def stored(header, head, parent, blocks, members, segments):  # noqa: ANN001, ANN202
        return frames(header, segments, head, parent, blocks, members)  # as save writes it

    chunks = cache.Chunks(c.agenda.git.git_dir / "coalition", "chunk.clusters")
    [[count, ids_name, texts_name]] = segments
    ids, said = chunks.get(ids_name), chunks.get(texts_name)

    def texts(ids: list, said: list) -> list:  # noqa: ANN001 - a segment of these texts
        return [[len(ids), chunks.put(ids), chunks.put(said)]]

    forward = list(parent)
    forward[0] = len(parent) - 1  # a link to a later text (a cycle, if followed)
    for damaged in (b"\x00garbage",
                    frames(header, "not", "a", "state"),  # the right key, the wrong shape
                    stored(header, {**head, "version": VERSION + 1}, parent, blocks, members,
                           segments),
                    stored(header, head, parent, blocks, members,
                           texts(ids, [t + "!" for t in said])),  # other texts
                    stored(header, head, parent, blocks, members, texts(ids[::-1], said)),
                    stored(header, head, parent, blocks, members,
                           [[count + 1, ids_name, texts_name]]),
                    stored(header, head, parent, blocks, members,
                           [[count, ids_name, "0" * 32]]),  # texts lost
                    stored(header, head, parent, blocks, members,
                           [[count, "0" * 32, texts_name]]),  # ids lost
                    stored(header, head, parent, blocks, members,
                           [[count, texts_name, ids_name]]),  # the two swapped
                    stored(header, head, forward, blocks, members, segments),
                    stored(header, {**head, "count": head["count"] + 1}, parent + [0], blocks,
                           members, texts(ids + ["x"], said + ["x"])),
                    stored(header, head, parent, {k: 10**6 for k in blocks}, members,
                           segments),  # no such texts
                    stored({**header, "key": ["another", "round"]}, head, [0] * len(parent), blocks,
                           members, segments)):
        memo.write_bytes(damaged)
        assert summary(c, v) == first
    # what the memo holds is what the summary shows: read and extended, not redone
    rows = [row["id"] for row in first["comments"]]
    order = _texts_in_order(c, v)
    one = order.index(next(r for r in rows if _text(first, r) == "Annual public reporting is a good start."))
    other = order.index(next(r for r in rows if _text(first, r) == "Young people were never asked."))
    forged = list(parent)
    forged[max(one, other)] = min(one, other)
    planted = {**members, min(one, other): sorted([order[one], order[other]])}
    memo.write_bytes(stored(header, head, forged, blocks, planted, texts(ids, said)))
    shown = [g["comments"] for g in summary(c, v)["clusters"]]
    assert sorted([order[one], order[other]]) in shown
    # a new comment: the remembered state is extended (the planted link is still there);
    # stamped a minute on, so that it comes after the others (in the same second, the
    # order of ids would decide)
    later = datetime.now(timezone.utc) + timedelta(minutes=1)
    monkeypatch.setattr(actions._write, "now", lambda: later)
    mine = actions.comment_add(c.agenda, c.who("youth"), principle="P03", stance="oppose",
                               text="We need to fund data literacy first. We need to fund data literacy.")
    after = summary(c, verify(c.agenda))
    assert len(after["clusters"][0]["comments"]) == len(first["clusters"][0]["comments"]) + 1
    assert sorted([order[one], order[other]]) in [g["comments"] for g in after["clusters"]]
    # and a withdrawal changes what came before: the groups are made from scratch
    actions.comment_withdraw(c.agenda, c.who("youth"), mine.id)
    again = summary(c, verify(c.agenda))
    assert [g["comments"] for g in again["clusters"]] == [g["comments"] for g in first["clusters"]]


def _text(data: dict, cid: str) -> str:
    return next(row["text"] for row in data["comments"] if row["id"] == cid)


def _texts_in_order(c: Coalition, v: Verified) -> list[str]:
    """The ids the summary clusters, in the order it gives them (submission order)."""
    from coalition_cli.reports.summary import round_state

    state = round_state(v, "r1")
    return [r.id for r in state.effective.values() if r.attribution != "confidential" and r.text]


def test_the_fast_sort_agrees_with_the_plain_one() -> None:
    import random

    from coalition_cli.consensus import in_order
    from coalition_cli.model import Record

    rng = random.Random(7)
    for _ in range(400):
        recs = [Record(type="comment", id=rng.choice(["a1", "b2", "a12", "c"]), round="r1",
                       member="m", submitted_at=rng.choice(["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]))
                for _ in range(rng.randint(0, 20))]
        assert [id(r) for r in in_order(recs)] == \
            [id(r) for r in sorted(recs, key=lambda r: (r.submitted_at, r.id))]  # ties too


# --- whole results remembered by commit: verify's verdict and the summary ------------------------


def results(c: Coalition) -> Path:
    return cache_dir(c) / "results"


def outcome(v: Verified) -> dict:
    return {"commit": v.commit, "ok": v.ok, "checked": v.checked, "problems": v.problems}


def test_a_remembered_verdict_is_the_verdict_and_a_new_commit_is_verified_afresh(busy: Coalition) -> None:
    c = busy
    truth = outcome(verify(c.agenda, use_cache=False))
    assert not results(c).exists()  # use_cache=False writes no memo either
    assert not truth["ok"]
    assert outcome(verify_outcome(c.agenda)) == truth  # computed, then remembered
    assert len(list(results(c).glob("verify-*.marshal"))) == 1
    remembered = verify_outcome(c.agenda)
    assert outcome(remembered) == truth
    assert remembered.config is not None and remembered.trust is not None
    assert remembered.records == {}  # read back: no record was parsed or checked

    # tampering is a new commit: its verdict is computed, not remembered
    [path] = [p for p, rec in verify(c.agenda).records["r1"]
              if rec.text == "Young people were never asked."]
    file = c.root / path
    file.write_bytes(file.read_bytes().replace(b"never asked", b"always asked"))
    commit_all(c.root, "edit a record in place")
    after = outcome(verify_outcome(c.agenda))
    assert {"path": path, "problem": "bad-signature",
            "detail": "signature does not match the data"} in after["problems"]
    assert after == outcome(verify(c.agenda, use_cache=False))
    # an earlier commit asked for again: still its own verdict
    assert outcome(verify_outcome(c.agenda, truth["commit"])) == truth
    # and one round only is another question
    assert verify_outcome(c.agenda, round_id="r1").checked == after["checked"]


def test_a_damaged_or_misplaced_verdict_memo_is_not_trusted(busy: Coalition) -> None:
    c = busy
    first = verify(c.agenda)
    truth = outcome(first)
    [memo] = results(c).glob("verify-*.marshal")
    good = memo.read_bytes()
    forged = [{"checked": truth["checked"], "problems": []}]  # "all clear"

    roots = list(first.trust.roots.key())  # the founder's own clone: its key is pinned
    header = {"code": cache.package_fingerprint(),
              "key": [c.agenda.rel, first.commit, "", *roots], "values": 1}
    for garbage in (b"", b"junk" * 9, good[:20], good[:-3],
                    frames({**header, "code": "another version"}, *forged),  # other code
                    frames({**header, "key": [c.agenda.rel, "0" * 40, "", *roots]},
                           *forged),  # other commit
                    frames({**header, "values": 2}, *forged),  # a part lost
                    frames(header, "not a verdict")):
        memo.write_bytes(garbage)
        assert outcome(verify_outcome(c.agenda)) == truth
    # the forged verdict under its right key, authenticated with this user's own cache key,
    # is read back: only this user's tool can write one (tests/test_attacks.py shows that
    # one made with any other key, in a copied or crafted .git/coalition/, is not)
    memo.write_bytes(frames(header, *forged))
    assert verify_outcome(c.agenda).ok


def test_the_summary_is_remembered_by_commit_and_follows_every_new_one(busy: Coalition) -> None:
    c = busy
    truth = summary(c, verify(c.agenda, use_cache=False))
    first = summary_at_head(c.agenda)
    assert first.pop("generated_at") and first == truth
    assert len(list(results(c).glob("summary-*.marshal"))) == 1
    again = summary_at_head(c.agenda)
    again.pop("generated_at")
    assert again == truth
    # the text is the same whether computed or read back
    cli = Cli(c.root)
    shown = [cli("summary", "--format", "json").stdout for _ in range(2)]
    assert [json.loads(s) | {"generated_at": ""} for s in shown] == \
        [json.loads(shown[0]) | {"generated_at": ""}] * 2
    import shutil

    shutil.rmtree(results(c))
    assert json.loads(cli("summary", "--format", "json").stdout) | {"generated_at": ""} == \
        json.loads(shown[0]) | {"generated_at": ""}

    # a comment by another path (plain git) shows at once
    plant(c, "health", _comment("health", "Planted by plain git, properly signed.", "P02"))
    after = summary_at_head(c.agenda)
    after.pop("generated_at")
    assert after == summary(c, verify(c.agenda, use_cache=False)) != truth
    assert "Planted by plain git, properly signed." in {row["text"] for row in after["comments"]}
    # damaged memo files are misses
    for memo in results(c).glob("summary-*.marshal"):
        memo.write_bytes(memo.read_bytes()[:-10])
    damaged = summary_at_head(c.agenda)
    damaged.pop("generated_at")
    assert damaged == after
    assert len(list(results(c).glob("summary-*.marshal"))) <= 2  # only the newest are kept


@pytest.mark.parametrize("split", [1, 2, 3])
def test_a_summary_split_in_parts_is_put_back_whole(split: int, tmp_path: Path) -> None:
    rows = [{"id": f"c{i}", "principle": p, "text": f"t{i}"}
            for i, p in enumerate(["P01"] * split + [None] + ["P02"] * 2 + ["P09"])]
    data = {"round": {"id": "r1"}, "comments": rows, "generated_at": "x", "principles": [
        {"id": "P01", "quotes": [{"comment": r["id"]} for r in rows if r["principle"] == "P01"],
         "amendments": [{"comment": "c0"}], "blocks": []},
        {"id": "P02", "quotes": [{"comment": r["id"]} for r in rows if r["principle"] == "P02"],
         "amendments": [], "blocks": [{"comment": "c3"}]},
        {"id": "P03", "quotes": [], "amendments": [], "blocks": []}],
        "unresolved": [{"comment": "c3", "principle": "P02"}],
        "dispositions": {"awaiting": 2, "awaiting_ids": ["c0", "c3"]},
        "clusters": [{"size": 2, "comments": ["c1", "c2"], "sample": "t1"}]}
    chunks = cache.Chunks(tmp_path, "chunk.summary")
    parts = _in_parts(data, chunks)
    index, lists, shown, head = parts
    assert shown["brief"] and "brief" not in head
    assert [entry[:2] for entry in index] == [["P01", split], [None, 1], ["P02", 2], ["P09", 1]]
    assert [entry[:3] for entry in lists] == [
        ["amendments", "P01", 1], ["blocks", "P02", 1], ["unresolved", None, 1],
        ["awaiting_ids", None, 2], ["clusters", None, 1]]  # no chunk for an empty list
    assert len(list((tmp_path / "results").glob("chunk.summary-*.marshal"))) == 4 + 5
    assert head["comments"] is None
    assert [p["quotes"] for p in head["principles"]] == [None, None, []]  # P03: no rows
    assert head["unresolved"] is head["clusters"] is head["dispositions"]["awaiting_ids"] is None
    assert {p[k] for p in head["principles"] for k in ("amendments", "blocks")} == {None}
    assert data["dispositions"]["awaiting_ids"] == ["c0", "c3"]  # what was given is not changed
    def copy(value):  # noqa: ANN001, ANN202 - as read back from the memo
        return marshal.loads(marshal.dumps(value))

    assert _from_parts(copy(parts), chunks) == {**data, "generated_at": None}
    assert _from_parts(copy([index[:2], lists, shown, head]), chunks) is None  # P02's quotes lost
    miscounted = [[key, n + 1, name] for key, n, name in index]
    assert _from_parts(copy([miscounted, lists, shown, head]), chunks) is None
    for bad in ([[*e[:2], e[2] + 1, e[3]] for e in lists],  # a list's length miscounted
                [[e[0], "P03" if e[1] is None else None, *e[2:]] for e in lists],
                [*lists, ["amendments", "P07", 1, lists[0][3]]],  # no such principle
                [*lists, ["quotes", "P01", 1, lists[0][3]]]):  # not a list kept apart
        assert _from_parts(copy([index, bad, shown, head]), chunks) is None, bad
    for whole in ({**head, "unresolved": []},  # the head has a list its chunks make too
                  {**head, "principles": [{**head["principles"][0], "amendments": []},
                                          *head["principles"][1:]]}):
        assert _from_parts(copy([index, lists, shown, whole]), chunks) is None
    assert _from_parts(copy([index, lists, head]), chunks) is None  # no brief
    assert _from_parts(copy([index, lists, shown, shown]), chunks) is None  # a brief for the head
    assert _from_parts(copy([index, lists, shown]), None) == shown  # read as far as the brief
    other = cache.Chunks(tmp_path, "chunk.other")  # the chunks of no such kind
    assert _from_parts(copy(parts), other) is None
    (tmp_path / "results" / f"chunk.summary-{index[2][2]}.marshal").write_bytes(b"damaged")
    assert _from_parts(copy(parts), chunks) is None


def test_a_summary_appended_to_names_the_old_chunks_and_its_new_ones(tmp_path: Path) -> None:
    """New rows appended as chunks of their principles come after its old rows, and their
    quotes after its old quotes; entries added to its lists after their old ones (the
    objections in the rows' order, the awaiting ids sorted, the clusters replaced); the old
    chunks are not written again, and the chunks that no summary kept names any more are
    removed; the brief carried forward is the brief of the whole head."""
    from coalition_cli.reports import summary_parts
    from coalition_cli.reports.summary_parts import appended, brief, prune

    rows = [{"id": f"c{i}", "principle": p} for i, p in enumerate(["P01", "P01", "P02"])]
    data = {"comments": rows, "generated_at": None, "principles": [
        {"id": "P01", "quotes": [{"comment": "c0"}, {"comment": "c1"}],
         "amendments": [{"comment": "c0"}], "blocks": [{"comment": "c1"}]},
        {"id": "P02", "quotes": [{"comment": "c2"}], "amendments": [], "blocks": []}],
        "unresolved": [{"comment": "c1", "principle": "P01"}],
        "dispositions": {"awaiting": 2, "awaiting_ids": ["c1", "c2"]},
        "clusters": [{"size": 2, "comments": ["c0", "c1"], "sample": "a"}]}
    memo = cache.ResultMemo(tmp_path, "summary", keep=1)
    chunks = cache.Chunks(tmp_path, "chunk.summary")
    memo.put(("rel", "c0"), _in_parts(data, chunks))
    files = tmp_path / "results"
    before = {p.name: p.stat().st_mtime_ns for p in files.glob("chunk.summary-*")}
    index, lists, short, head = memo.get(("rel", "c0"))
    head["dispositions"]["awaiting"] = 4
    clusters = [{"size": 3, "comments": ["c0", "c1", "c9"], "sample": "a"}]
    added = {"amendments": {"P02": [{"comment": "c8"}]}, "blocks": {"P01": [{"comment": "c9"}]},
             "unresolved": [{"comment": "c9", "principle": "P01"}],
             "awaiting_ids": ["c0", "c9"], "clusters": clusters}
    memo.put(("rel", "c1"), appended(index, lists, head, short,
                                     {"P01": [{"id": "c9", "principle": "P01"}]},
                                     {"P01": [{"comment": "c9"}]}, added, chunks))
    prune(memo, chunks)
    back = _from_parts(memo.get(("rel", "c1")), chunks)
    assert [r["id"] for r in back["comments"]] == ["c0", "c1", "c9", "c2"]
    assert [q["comment"] for q in back["principles"][0]["quotes"]] == ["c0", "c1", "c9"]
    assert [b["comment"] for b in back["principles"][0]["blocks"]] == ["c1", "c9"]
    assert [a["comment"] for a in back["principles"][1]["amendments"]] == ["c8"]
    assert [u["comment"] for u in back["unresolved"]] == ["c1", "c9"]
    assert back["dispositions"] == {"awaiting": 4, "awaiting_ids": ["c0", "c1", "c2", "c9"]}
    assert back["clusters"] == clusters
    got = memo.get(("rel", "c1"))
    assert got[2] == brief({**back, "comments": None})  # the brief, carried forward
    after = {p.name: p.stat().st_mtime_ns for p in files.glob("chunk.summary-*")}
    assert all(after[name] == when for name, when in before.items()
               if name != f"chunk.summary-{lists[-1][3]}.marshal")
    assert f"chunk.summary-{lists[-1][3]}.marshal" not in after  # the old clusters: pruned
    assert memo.get(("rel", "c0")) is None  # keep=1: the older summary went, its chunks stay
    memo.put(("rel", "c2"), _in_parts({**data, "comments": rows[2:], "principles": [
        {"id": "P01", "quotes": []}, {"id": "P02", "quotes": [{"comment": "c2"}]}],
        "unresolved": [], "dispositions": {"awaiting_ids": []}, "clusters": []}, chunks))
    prune(memo, chunks)
    assert len(list(files.glob("chunk.summary-*"))) == 1  # only what the kept one names
    assert summary_parts.SHOWN == 30


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_brief_carried_forward_is_the_brief_of_the_whole_head(tmp_path: Path, monkeypatch,
                                                                data) -> None:
    """``carried`` (the old brief and what is added) against ``brief`` of the whole new head,
    with a few entries shown, over lists of any lengths and additions anywhere."""
    from coalition_cli.reports import summary_parts
    from coalition_cli.reports.summary_parts import brief, carried

    monkeypatch.setattr(summary_parts, "SHOWN", data.draw(st.integers(1, 4)))
    monkeypatch.setattr(summary_parts, "CLUSTER_IDS", data.draw(st.integers(1, 3)))
    ids = iter(f"c{i:03d}" for i in range(10_000))
    pids = ["P01", "P02", "P03"]
    order = {pid: i for i, pid in enumerate(pids)}
    lengths = st.lists(st.integers(0, 4), min_size=3, max_size=3)

    def entries(counts):  # noqa: ANN001, ANN202
        return {pid: [{"comment": next(ids)} for _ in range(n)] for pid, n in zip(pids, counts)}

    def objections(count):  # noqa: ANN001, ANN202
        return sorted([{"comment": next(ids), "principle": data.draw(st.sampled_from(pids))}
                       for _ in range(count)], key=lambda u: order[u["principle"]])

    def awaiting(count):  # noqa: ANN001, ANN202
        return sorted(next(ids) for _ in range(count))

    old = {k: entries(data.draw(lengths)) for k in ("amendments", "blocks")}
    head = {"principles": [{"id": pid, "quotes": None, "tally": 1,
                            **{k: old[k][pid] for k in old}} for pid in pids],
            "unresolved": objections(data.draw(st.integers(0, 6))),
            "dispositions": {"awaiting_ids": awaiting(data.draw(st.integers(0, 6)))},
            "clusters": [], "comments": None}
    short = brief(head)
    added = {k: entries(data.draw(lengths)) for k in ("amendments", "blocks")}
    added.update(unresolved=objections(data.draw(st.integers(0, 6))),
                 awaiting_ids=awaiting(data.draw(st.integers(0, 6))),
                 clusters=[{"size": 2, "comments": [next(ids), next(ids)], "sample": "s"}
                           for _ in range(data.draw(st.integers(0, 5)))])
    new_head = {**head, "principles": [dict(p, tally=2) for p in head["principles"]],
                "unresolved": None, "clusters": None, "dispositions": {"awaiting_ids": None}}
    for p in new_head["principles"]:
        p["amendments"] = p["blocks"] = None
    whole = {**head, "principles": [
        dict(p, tally=2, **{k: [*p[k], *added[k][p["id"]]] for k in ("amendments", "blocks")})
        for p in head["principles"]],
        "unresolved": sorted([*head["unresolved"], *added["unresolved"]],
                             key=lambda u: order[u["principle"]]),
        "dispositions": {"awaiting_ids": sorted([*head["dispositions"]["awaiting_ids"],
                                                 *added["awaiting_ids"]])},
        "clusters": added["clusters"]}
    assert carried(short, new_head, added, order) == brief(whole)


def test_git_replace_does_not_change_what_is_verified(busy: Coalition) -> None:
    c = busy
    truth = outcome(verify(c.agenda, use_cache=False))
    [path] = [p for p, rec in verify(c.agenda).records["r1"]
              if rec.text == "Young people were never asked."]
    original = git(c.root, "rev-parse", f"HEAD:{path}").strip()
    forged = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=c.root, check=True,
                            capture_output=True, input=b"forged bytes\n").stdout.decode().strip()
    git(c.root, "replace", original, forged)
    assert git(c.root, "cat-file", "blob", original) == "forged bytes\n"  # git itself is fooled
    # the tool never reads the replacement, but a clone whose git shows its users other bytes
    # than the ones verified is not ok either: the replace ref is named
    for run in (lambda a: verify(a, use_cache=False), verify, verify_outcome):
        result = outcome(run(Agenda.open(c.root / "agenda")))
        assert [p["problem"] for p in result["problems"]] == ["incomplete-history"]
        assert "git replace" in result["problems"][0]["detail"]
    git(c.root, "replace", "-d", original)
    for run in (lambda a: verify(a, use_cache=False), verify, verify_outcome):
        assert outcome(run(Agenda.open(c.root / "agenda"))) == truth  # a new git process each time


def test_comment_list_and_round_status_are_remembered_by_commit_and_follow_new_ones(
        busy: Coalition, monkeypatch: pytest.MonkeyPatch) -> None:
    from coalition_cli import reports

    c = busy
    cli = Cli(c.root)

    def cli_rows(*filters: str) -> list[dict]:
        return json.loads(cli("comment", "list", "--format", "json", *filters).stdout)

    truth = reports.build_comment_rows(verify(c.agenda, use_cache=False))
    assert {r["state"] for r in truth} == {"active", "withdrawn"}
    assert cli_rows() == truth  # computed
    assert list(results(c).glob("comment-rows-*.marshal"))
    assert cli_rows() == truth  # read back
    youth_p02 = [r for r in truth if r["member"] == "youth" and r["principle"] == "P02"]
    assert youth_p02 and cli_rows("--member", "youth", "--principle", "2") == youth_p02
    waiting = [r for r in truth if r["response"] == "awaiting"]
    assert 0 < len(waiting) < len(truth) and cli_rows("--awaiting") == waiting

    status = reports.build_round_status(c.agenda, verify(c.agenda, use_cache=False), None)
    shown = json.loads(cli("round", "status", "--format", "json").stdout)
    assert shown.pop("seconds_left") <= status.pop("seconds_left")
    again = reports.round_status_at_head(c.agenda)  # read back: the time left is counted anew
    assert list(results(c).glob("round-status-*.marshal"))
    later = now() + timedelta(days=10)
    monkeypatch.setattr(reports.summary, "now", lambda: later)
    moved = reports.round_status_at_head(c.agenda)
    assert again["seconds_left"] - moved["seconds_left"] >= 10 * 86400 - 60
    assert {k: v for k, v in moved.items() if k != "seconds_left"} == status == \
        {k: v for k, v in shown.items()}
    monkeypatch.undo()

    # a comment committed by plain git shows at once in both
    plant(c, "fund", _comment("fund", "Planted: the registry should be public.", "P02"))
    rows = cli_rows()
    assert rows == reports.build_comment_rows(verify(c.agenda, use_cache=False)) != truth
    assert "Planted: the registry should be public." in {r["text"] for r in rows}
    assert reports.round_status_at_head(c.agenda)["comments"] == status["comments"] + 1


@pytest.mark.parametrize("workers", [False, True])
def test_a_record_with_a_value_no_cache_can_hold_is_malformed_not_a_crash(
        busy: Coalition, monkeypatch: pytest.MonkeyPatch, workers: bool) -> None:
    """A member's signed record in ordinary YAML whose anchor carries a key of its own
    holding a date (YAML reads a ``datetime.date``, which neither the verdict cache nor the
    workers' messages can hold) is refused as malformed — verify, cold, warm, with its two
    workers or without, reports it instead of failing for everyone."""
    from coalition_cli import verify as verify_module

    c = busy
    rid = new_record_id()
    data = (f"v: 1\ntype: comment\nid: {rid}\nround: r1\nprinciple: P01\nmember: fund\n"
            "stance: support\nkind: general\nattribution: public\nthemes: []\n"
            "anchor:\n  quote: Personal data\n  prefix: ''\n  suffix: ''\n  start: 0\n"
            "  end: 13\n  seen: 2001-12-14\n"
            f"text: A date in the anchor.\nsubmitted_at: '{stamp(now())}'\n").encode()
    rel = f"{ROUND}/comments/fund/{rid}.yaml"
    (c.root / rel).write_bytes(data)
    Path(f"{c.root / rel}.sig").write_bytes(PrivateKey.load(c.key("fund")).sign(data))
    commit_all(c.root, "an anchor with a date")
    if workers:
        monkeypatch.setattr(verify_module, "PARALLEL_AT", 1)
        monkeypatch.setattr(verify_module, "WORKER_CHUNK_MIN", 1)
    for _ in ("cold", "warm"):
        found = verify(c.agenda)
        [problem] = [p for p in found.problems if p["path"] == rel]
        assert problem["problem"] == "malformed" and "anchor" in problem["detail"]
