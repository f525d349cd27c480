"""The consultation rules: effective comments, one voice per member, consensus status."""

from __future__ import annotations

import pytest

from coalition_cli.consensus import fold, tally
from coalition_cli.reports.near_duplicates import clusters
from coalition_cli.model import Config, Member, Record

CONFIG = Config(name="t", quorum=0.5, threshold=0.75, max_blocks=0)


def voting(n: int) -> dict[str, Member]:
    return {f"m{i}": Member(f"m{i}", f"M{i}", "funder", ("member",)) for i in range(n)}


def comment(cid: str, member: str, stance: str, *, principle: str = "P01", at: int = 0,
            supersedes: str | None = None) -> Record:
    return Record(type="comment", id=cid, round="r1", member=member,
                  submitted_at=f"2026-11-01T10:{at:02d}:00Z", principle=principle,
                  stance=stance, kind="general", text=f"text {cid}", supersedes=supersedes)


def other(kind: str, rid: str, member: str, target: str, at: int = 30) -> Record:
    return Record(type=kind, id=rid, round="r1", member=member,
                  submitted_at=f"2026-11-01T10:{at:02d}:00Z", principle="P01", target=target)


@pytest.mark.parametrize(("stances", "status", "share"), [
    (["support"] * 4 + ["oppose"], "consensus", 0.8),
    (["support"] * 3 + ["oppose"] * 2, "contested", 0.6),
    (["support"] * 5 + ["block"], "blocked", 5 / 6),
    (["support"] * 2, "no-quorum", 1.0),
    (["neutral"] * 5, "contested", None),
])
def test_every_status(stances: list[str], status: str, share: float | None) -> None:
    records = [comment(f"c{i}", f"m{i}", s, at=i) for i, s in enumerate(stances)]
    t = tally(fold(records), "P01", voting(8), CONFIG)
    assert t.status == status
    assert t.support_share == share


def test_block_wins_over_quorum_and_threshold() -> None:
    t = tally(fold([comment("c0", "m0", "block")]), "P01", voting(10), CONFIG)
    assert t.status == "blocked"  # evaluated before no-quorum


def test_one_voice_per_member_revision_and_endorsement() -> None:
    records = [
        comment("a1", "m0", "oppose", at=1),
        comment("a2", "m0", "support", at=2, supersedes="a1"),  # revised: counted once
        comment("b1", "m1", "amend", at=3),
        other("endorsement", "e1", "m2", "b1"),  # m2 takes b1's stance
        other("endorsement", "e2", "m0", "b1", at=40),  # m0's latest voice is now amend
    ]
    state = fold(records)
    t = tally(state, "P01", voting(4), CONFIG)
    assert t.stances["support"] == 0
    assert t.stances["amend"] == 3
    assert t.stances["oppose"] == 0
    assert t.voices == 3
    assert set(state.effective) == {"a2", "b1"}


def test_withdrawn_comment_and_its_endorsements_drop_out() -> None:
    records = [comment("c1", "m0", "block"), other("endorsement", "e1", "m1", "c1"),
               other("withdrawal", "w1", "m0", "c1", at=50)]
    state = fold(records)
    t = tally(state, "P01", voting(2), CONFIG)
    assert t.voices == 0 and t.status == "no-quorum"
    assert "c1" in state.withdrawn


def test_non_voting_members_do_not_count() -> None:
    members = {"staff": Member("staff", "S", "network", ("staff", "facilitator")), **voting(2)}
    records = [comment("c1", "staff", "block"), comment("c2", "m0", "support", at=1),
               comment("c3", "m1", "support", at=2)]
    voters = {k: v for k, v in members.items() if v.has_role("member")}
    assert tally(fold(records), "P01", voters, CONFIG).status == "consensus"


def test_template_campaign_is_one_cluster() -> None:
    base = "Please reinstate work requirements for food stamps and support conservative waiver reform"
    texts = {f"t{i}": base + suffix for i, suffix in enumerate(["", ".", "!", " now", " please."])}
    texts["x"] = "Indigenous peoples govern data about their communities and lands."
    texts["y"] = "Annual reporting is too slow; ask for quarterly public reports instead."
    groups = clusters(texts)
    assert groups == [sorted(f"t{i}" for i in range(5))]
