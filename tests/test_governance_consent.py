"""Community authority in the consensus rule, and silence as abstention or as consent.

Unit tests of the rule on hand-made rounds (every combination, and hypothesis for the
invariants), then the rule through the signed settings: ``init`` defaults, ``config
set/edit``, ``principle add --theme``, and the summary and report in plain words.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition_cli import actions
from coalition_cli.consensus import _status, fold, tally
from coalition_cli.errors import InputError, MalformedData
from coalition_cli.governance.consent import AWAITING, CommunityRule
from coalition_cli.model import Config, Member, Record, config_from_fields

STANCES = ("support", "amend", "neutral", "oppose", "block")


def members(spec: dict[str, str]) -> dict[str, Member]:
    return {i: Member(id=i, name=i.title(), sector=s, roles=("member",)) for i, s in spec.items()}


def comment(n: int, member: str, principle: str, stance: str, attribution: str = "public") -> Record:
    return Record(type="comment", id=f"c{n:04d}", round="r1", member=member,
                  submitted_at=f"2026-11-01T10:{n // 60 % 60:02d}:{n % 60:02d}Z",
                  principle=principle, stance=stance, kind="general",
                  attribution=attribution, text="t")


def state_of(voices: list[tuple[str, str, str]] | list[tuple[str, str, str, str]]):
    return fold(comment(n, *v) for n, v in enumerate(voices))


VOTING = members({"ind1": "indigenous-led", "ind2": "indigenous-led", "a": "funder",
                  "b": "advocacy", "c": "advocacy", "d": "research"})
RULE = CommunityRule(principles=("P02",), sector="indigenous-led")


def cfg(**kw) -> Config:
    return Config(name="t", **kw)


# --- the required group, combination by combination -------------------------------------

@pytest.mark.parametrize("group_stances, general_extra, expected, why", [
    # the group consents, the coalition consents: consensus
    ({"ind1": "support", "ind2": "amend"}, {"a": "support"}, "consensus", ""),
    # one of two took a stance (quorum 0.5 met) and supports
    ({"ind1": "support"}, {"a": "support", "b": "support"}, "consensus", ""),
    # nobody of the group spoke: the coalition alone cannot decide
    ({}, {"a": "support", "b": "support", "c": "support", "d": "amend"}, AWAITING, "quorum"),
    # the group opposes (share 0 < 0.75) while the coalition's share is 4/5
    ({"ind1": "oppose"}, {"a": "support", "b": "support", "c": "support", "d": "support"},
     AWAITING, "threshold"),
    # the group's only voice is neutral: quorum met, no share
    ({"ind1": "neutral"}, {"a": "support", "b": "support", "c": "support"}, AWAITING, "threshold"),
])
def test_the_required_group_decides_beside_the_general_rule(group_stances, general_extra,
                                                            expected, why) -> None:
    voices = [(m, "P02", s) for m, s in {**group_stances, **general_extra}.items()]
    t = tally(state_of(voices), "P02", VOTING, cfg(community=(RULE,)))
    assert t.status == expected
    (group,) = t.community
    assert group.why == why and group.met == (why == "")
    assert group.members == ("ind1", "ind2")


def test_a_block_of_the_group_awaits_consent_even_when_the_coalition_allows_blocks() -> None:
    voices = [("ind1", "P02", "block"), ("ind2", "P02", "support"), ("a", "P02", "support"),
              ("b", "P02", "support"), ("c", "P02", "support"), ("d", "P02", "support")]
    general_only = tally(state_of(voices), "P02", VOTING, cfg(max_blocks=1))
    assert general_only.status == "consensus"  # the coalition tolerates one block …
    t = tally(state_of(voices), "P02", VOTING, cfg(max_blocks=1, community=(RULE,)))
    assert t.status == AWAITING and t.community[0].why == "block"  # … the community does not
    allowed = replace(RULE, max_blocks=1, threshold=0.5)
    assert tally(state_of(voices), "P02", VOTING, cfg(max_blocks=1, community=(allowed,))).status \
        == "consensus"


def test_the_general_rule_still_decides_first() -> None:
    voices = [("ind1", "P02", "support"), ("a", "P02", "block")]
    assert tally(state_of(voices), "P02", VOTING, cfg(community=(RULE,))).status == "blocked"
    assert tally(state_of([("ind1", "P02", "support")]), "P02", VOTING,
                 cfg(community=(RULE,))).status == "no-quorum"
    voices = [("ind1", "P02", "support"), ("ind2", "P02", "support"), ("a", "P02", "oppose"),
              ("b", "P02", "oppose")]
    assert tally(state_of(voices), "P02", VOTING, cfg(community=(RULE,))).status == "contested"


def test_an_empty_group_never_consents() -> None:
    nobody = members({"a": "funder", "b": "advocacy"})
    voices = [("a", "P02", "support"), ("b", "P02", "support")]
    t = tally(state_of(voices), "P02", nobody, cfg(community=(RULE,)))
    assert t.status == AWAITING and t.community[0].why == "empty"


def test_a_rule_applies_by_theme_or_by_id_only() -> None:
    by_theme = CommunityRule(theme="indigenous-data-governance", members=("ind1",))
    voices = [("a", "P03", "support"), ("b", "P03", "support"), ("c", "P03", "support")]
    state = state_of(voices)
    assert tally(state, "P03", VOTING, cfg(community=(by_theme,))).status == "consensus"
    t = tally(state, "P03", VOTING, cfg(community=(by_theme,)),
              themes=("indigenous-data-governance",))
    assert t.status == AWAITING and t.community[0].awaiting == ("ind1",)
    assert tally(state, "P03", VOTING, cfg(community=(RULE,))).community == ()


def test_named_members_are_the_group_and_must_be_voting_members() -> None:
    rule = CommunityRule(principles=("P02",), members=("ind2", "gone"))
    voices = [("ind2", "P02", "support"), ("a", "P02", "support"), ("b", "P02", "support")]
    t = tally(state_of(voices), "P02", VOTING, cfg(community=(rule,)))
    assert t.community[0].members == ("ind2",) and t.status == "consensus"


def test_who_is_awaited_is_named_only_when_their_stance_is_not_anonymous() -> None:
    voices = [("ind1", "P02", "oppose", "anonymous"), ("a", "P02", "support"),
              ("b", "P02", "support"), ("c", "P02", "support"), ("d", "P02", "support")]
    (group,) = tally(state_of(voices), "P02", VOTING, cfg(community=(RULE,))).community
    assert group.awaiting == ("ind2",)  # silent: named
    assert group.awaiting_unnamed == 1  # its anonymous opposition is not tied to its name


# --- silence ------------------------------------------------------------------------------

def test_silence_is_consent_only_for_members_that_took_part() -> None:
    voices = [("a", "P01", "support"), ("b", "P01", "support"), ("c", "P02", "oppose")]
    state = state_of(voices)
    abstain = tally(state, "P01", VOTING, cfg())
    assert abstain.status == "no-quorum" and abstain.by_silence == 0
    consent = tally(state, "P01", VOTING, cfg(silence="consent"))
    # c took part (on P02) and said nothing on P01; ind1, ind2, d never took part
    assert consent.by_silence == 1
    assert consent.stances["support"] == 2  # the count of stances is the stated ones only
    # the quorum is 3 of the 6 voting members: 2 stated and 1 by silence make it
    assert consent.status == "consensus"


def test_silence_never_counts_for_the_required_group() -> None:
    voices = [("ind1", "P01", "support"), ("ind2", "P01", "support"), ("a", "P02", "support"),
              ("b", "P02", "support"), ("c", "P02", "support"), ("d", "P02", "support")]
    state = state_of(voices)
    t = tally(state, "P02", VOTING, cfg(silence="consent", community=(RULE,)))
    assert t.by_silence == 0  # ind1 and ind2 took part, but not on P02: their silence is not consent
    assert t.status == AWAITING and set(t.community[0].awaiting) == {"ind1", "ind2"}
    other = tally(state, "P03", VOTING, cfg(silence="consent", community=(RULE,)))
    assert other.by_silence == 6 and other.status == "consensus"  # P03 needs no community


# --- invariants, on any round -------------------------------------------------------------

MEMBER_IDS = sorted(VOTING)
voice_lists = st.lists(st.tuples(st.sampled_from(MEMBER_IDS), st.sampled_from(("P01", "P02")),
                                 st.sampled_from(STANCES)), max_size=14)
rules = st.builds(CommunityRule, principles=st.just(("P02",)),
                  sector=st.sampled_from(("indigenous-led", "advocacy", None)),
                  members=st.sampled_from(((), ("ind1",), ("a", "ind2"))),
                  quorum=st.sampled_from((0, 0.5, 1)), threshold=st.sampled_from((0.5, 0.75, 1)),
                  max_blocks=st.sampled_from((0, 1))).filter(
    lambda r: (r.sector is None) != (not r.members))


@settings(max_examples=300, deadline=None)
@given(voices=voice_lists, rule=rules, silence=st.sampled_from(("abstain", "consent")),
       quorum=st.sampled_from((0.3, 0.5, 1)), max_blocks=st.sampled_from((0, 1)))
def test_invariants(voices, rule, silence, quorum, max_blocks) -> None:
    state = state_of(voices)
    plain = cfg(quorum=quorum, max_blocks=max_blocks)
    config = cfg(quorum=quorum, max_blocks=max_blocks, silence=silence, community=(rule,))
    base = tally(state, "P02", VOTING, plain)
    t = tally(state, "P02", VOTING, config)
    # nothing changes the stated stances
    assert t.stances == base.stances and t.voices == base.voices
    group = set(rule.group(VOTING))
    spoke = {m for (m, p) in state.voices if p == "P02"}
    took_part = {m for (m, _p) in state.voices}
    expected_silent = (took_part - spoke - group) if silence == "consent" else set()
    assert t.by_silence == len(expected_silent)
    # consensus only if every community rule is met; awaiting only where the rest passed
    if t.status == "consensus":
        assert all(g.met for g in t.community)
    if t.status == AWAITING:
        assert not all(g.met for g in t.community)
        assert tally(state, "P02", VOTING, replace(config, community=())).status == "consensus"
    # without silence, a community rule can only hold a principle back, never push it through
    if silence == "abstain":
        assert t.status == base.status or (base.status == "consensus" and t.status == AWAITING)
    # the group's silence never counts: making every silent group member consent can only
    # be the members' own act
    assert all(m not in expected_silent for m in group)


@settings(max_examples=200, deadline=None)
@given(voices=voice_lists, quorum=st.sampled_from((0, 0.3, 0.5, 1)),
       threshold=st.sampled_from((0.5, 0.75, 1)), max_blocks=st.sampled_from((0, 2)))
def test_without_the_new_settings_the_rule_is_the_old_one(voices, quorum, threshold, max_blocks) -> None:
    state = state_of(voices)
    config = cfg(quorum=quorum, threshold=threshold, max_blocks=max_blocks)
    counts = {s: 0 for s in config.stances}
    for (m, p), (s, _src) in state.voices.items():
        if p == "P01":
            counts[s] += 1
    assert tally(state, "P01", VOTING, config) == _status(counts, len(VOTING), config)


# --- the settings: parsing, defaults, config set/edit, signatures ---------------------------

def parse(consensus: dict) -> Config:
    return config_from_fields({"name": "x", "consensus": consensus}, "agenda/coalition.yaml")


@pytest.mark.parametrize("consensus, message", [
    ({"silence": "maybe"}, "silence"),
    ({"community": {"theme": "x"}}, "list"),
    ({"community": [{"sector": "indigenous-led"}]}, "'theme' or 'principles'"),
    ({"community": [{"theme": "x"}]}, "either a 'sector' or 'members'"),
    ({"community": [{"theme": "x", "sector": "indigenous-led", "members": ["a"]}]}, "one of them"),
    ({"community": [{"theme": "x", "sector": "martians"}]}, "not one of 'sectors'"),
    ({"community": [{"theme": "x", "sector": "indigenous-led", "quorum": 2}]}, "quorum"),
    ({"community": [{"theme": "x", "sector": "indigenous-led", "veto": True}]}, "unknown key"),
    ({"community": [{"principles": ["02"], "members": ["a"]}]}, "invalid value"),
])
def test_bad_settings_are_refused_with_the_reason(consensus, message) -> None:
    with pytest.raises(MalformedData, match=message):
        parse(consensus)


def test_init_asks_for_the_consent_of_indigenous_led_members(coalition) -> None:
    config = coalition.agenda.snapshot().config
    assert config.silence == "abstain"
    assert config.community == (CommunityRule(theme="indigenous-data-governance",
                                              sector="indigenous-led"),)
    text = (coalition.agenda.path / "coalition.yaml").read_text()
    assert "their silence is never consent" in text.lower() or "silence is never consent" in text


def test_config_set_signs_the_new_settings_and_verify_accepts_them(coalition, cli) -> None:
    env = {"COALITION_KEY": str(coalition.key("sec"))}
    cli("config", "set", "consensus.silence", "consent", "--agenda", coalition.agenda.path, env=env)
    rules = [{"principles": ["P03"], "members": ["health"], "threshold": 1}]
    cli("config", "set", "consensus.community", json.dumps(rules), "--agenda",
        coalition.agenda.path, env=env)
    config = coalition.agenda.snapshot().config
    assert config.silence == "consent"
    assert config.community == (CommunityRule(principles=("P03",), members=("health",),
                                              threshold=1),)
    cli("verify", "--agenda", coalition.agenda.path)
    # a member cannot change them: not a facilitator
    cli("config", "set", "consensus.silence", "abstain", "--agenda", coalition.agenda.path,
        env={"COALITION_KEY": str(coalition.key("health"))}, code=4)
    bad = cli("config", "set", "consensus.silence", "sometimes", "--agenda",
              coalition.agenda.path, env=env, code=3)
    assert bad.stderr.startswith("error:") and "silence" in bad.stderr
    bad = cli("config", "set", "consensus.community", '[{"theme": "x"}]', "--agenda",
              coalition.agenda.path, env=env, code=3)
    assert "sector" in bad.stderr
    assert coalition.agenda.snapshot().config.silence == "consent"  # nothing written


def test_a_hand_edit_of_the_community_rule_is_not_trusted(coalition, cli) -> None:
    from conftest import git

    path = coalition.agenda.path / "coalition.yaml"
    text = path.read_text().replace('"community": [{', '"community": [], "x": [{', 1)
    assert text != path.read_text()
    path.write_text(text.replace(', "x": [{"theme": "indigenous-data-governance", "sector": '
                                 '"indigenous-led", "quorum": 0.5, "threshold": 0.75, '
                                 '"max_blocks": 0}]', ""))
    git(coalition.root, "commit", "-qam", "drop the community rule")
    out = cli("verify", "--agenda", coalition.agenda.path, "--format", "json", code=1)
    problems = json.loads(out.stdout)["problems"]
    assert any(p["path"].endswith("coalition.yaml") for p in problems)
    # reports keep using the signed rule
    from coalition_cli.trust import verified_snapshot

    with pytest.raises(Exception):
        verified_snapshot(coalition.agenda)


def test_principle_themes_are_signed_front_matter(coalition, cli) -> None:
    sec = coalition.who("sec")
    actions.principle_edit(coalition.agenda, sec, "P03", themes=["indigenous-data-governance"])
    assert coalition.agenda.snapshot().principle("P03").themes == ("indigenous-data-governance",)
    actions.principle_edit(coalition.agenda, sec, "P03", body="Indigenous peoples govern data "
                                                               "about them, always.")
    assert coalition.agenda.snapshot().principle("P03").themes == ("indigenous-data-governance",)
    env = {"COALITION_KEY": str(coalition.key("sec"))}
    cli("principle", "add", "Another", "--body", "Text.", "--theme", "consent", "--agenda",
        coalition.agenda.path, env=env)
    assert coalition.agenda.snapshot().principle("P04").themes == ("consent",)
    cli("principle", "edit", "P04", "--no-themes", "--agenda", coalition.agenda.path, env=env)
    assert coalition.agenda.snapshot().principle("P04").themes == ()
    with pytest.raises(InputError):
        actions.principle_edit(coalition.agenda, sec, "P04", themes=["Not A Slug"])
    cli("verify", "--agenda", coalition.agenda.path)


# --- in the reports ----------------------------------------------------------------------

@pytest.fixture
def consulted(coalition):
    """P03 carries the Indigenous theme; `kin` (indigenous-led) has not consented; silence is
    consent; health and youth support P03, fund comments only on P01."""
    from datetime import timedelta

    from coalition_cli.actions import _write
    from coalition_cli.model import now
    from conftest import make_key
    from coalition_cli.signing import PrivateKey

    sec = coalition.who("sec")
    ag = coalition.agenda
    path = make_key(coalition.root.parent / "keys", "kin")
    coalition.keys["kin"] = path
    actions.member_add(ag, sec, "kin", name="Kinship Circle", sector="indigenous-led",
                       roles=["member"], keys=[(PrivateKey.load(path).public, None)])
    actions.principle_edit(ag, sec, "P03", themes=["indigenous-data-governance"])
    actions.config_set(ag, sec, "consensus.silence", "consent")
    actions.round_open(ag, sec, "r1", title="Round one", closes=now() + timedelta(days=3))
    actions.comment_add(ag, coalition.who("health"), principle="P03", stance="support", text="Yes.")
    actions.comment_add(ag, coalition.who("youth"), principle="P03", stance="support", text="Yes.")
    actions.comment_add(ag, coalition.who("fund"), principle="P01", stance="support", text="Yes.")
    actions.comment_add(ag, coalition.who("kin"), principle="P01", stance="support", text="Yes.")
    _write  # noqa: B018 - the clock stays real
    return coalition


def test_the_summary_says_it_in_plain_words(consulted, cli) -> None:
    ag = consulted.agenda
    out = json.loads(cli("summary", "r1", "--format", "json", "--agenda", ag.path).stdout)
    p03 = next(p for p in out["principles"] if p["id"] == "P03")
    assert p03["status"] == AWAITING
    assert p03["accepted_by_silence"] == 1  # fund took part; kin's silence is not counted
    (group,) = p03["community"]
    assert group["members"] == ["Kinship Circle"] and group["awaiting"] == ["Kinship Circle"]
    assert out["rule"]["silence"] == "consent" and out["rule"]["community"][0]["sector"] == \
        "indigenous-led"
    p01 = next(p for p in out["principles"] if p["id"] == "P01")
    assert p01["accepted_by_silence"] == 2 and p01["status"] == "consensus"
    for fmt in ("md", "terminal"):
        text = cli("summary", "r1", "--format", fmt, "--agenda", ag.path).stdout
        assert AWAITING in text
        assert "Accepted by silence: 1 member that took part" in " ".join(text.split())
        assert "Awaiting the consent of: Kinship Circle" in " ".join(text.split())
        assert "Their silence never counts as consent" in " ".join(text.split())
    html = cli("summary", "r1", "--format", "html", "--agenda", ag.path).stdout
    assert "Awaiting the consent of: Kinship Circle" in html


def test_the_report_says_it_too(consulted, cli) -> None:
    ag = consulted.agenda
    sec_env = {"COALITION_KEY": str(consulted.key("sec"))}
    cli("round", "close", "r1", "--agenda", ag.path, env=sec_env)
    for fmt in ("md", "html"):
        text = " ".join(cli("report", "r1", "--format", fmt, "--agenda", ag.path).stdout.split())
        assert AWAITING in text and "Awaiting the consent of: Kinship Circle" in text
        assert "accepted by silence" in text.lower()
    data = json.loads(cli("report", "r1", "--format", "json", "--agenda", ag.path).stdout)
    p03 = next(p for p in data["principles"] if p["id"] == "P03")
    assert p03["status"] == AWAITING and p03["accepted_by_silence"] == 1
