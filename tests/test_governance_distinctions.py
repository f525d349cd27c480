"""Distinctions-based reporting: sections for First Nations, Inuit and Métis organisations,
each approved by its members through a signed record bound to the section's content."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from coalition_cli import actions
from coalition_cli.model import Record, now, stamp
from coalition_cli.signing import PrivateKey
from conftest import make_key

SECTIONS = [{"id": "first-nations", "title": "First Nations organisations", "members": ["fn"]},
            {"id": "inuit", "title": "Inuit organisations", "members": ["inuk"]},
            {"id": "metis", "title": "Métis organisations", "members": []}]


def env(c, who: str) -> dict[str, str]:
    return {"COALITION_KEY": str(c.key(who))}


@pytest.fixture
def sectioned(coalition, cli):
    ag = coalition.agenda
    sec = coalition.who("sec")
    for mid, name in (("fn", "Kinship Circle"), ("inuk", "Nunami Council")):
        path = make_key(coalition.root.parent / "keys", mid)
        coalition.keys[mid] = path
        actions.member_add(ag, sec, mid, name=name, sector="indigenous-led", roles=["member"],
                           keys=[(PrivateKey.load(path).public, None)])
    cli("config", "set", "distinctions", json.dumps(SECTIONS), "--agenda", ag.path,
        env=env(coalition, "sec"))
    actions.round_open(ag, sec, "r1", title="Round one", closes=now() + timedelta(days=3))
    actions.comment_add(ag, coalition.who("fn"), principle="P03", stance="amend",
                        text="Name the nations, not only Indigenous peoples.")
    actions.comment_add(ag, coalition.who("inuk"), principle="P03", stance="support",
                        text="Anonymous Inuit view.", attribution="anonymous")
    actions.comment_add(ag, coalition.who("health"), principle="P03", stance="support", text="Yes.")
    actions.round_close(ag, sec, "r1")
    return coalition


def report(cli, ag) -> dict:
    return json.loads(cli("report", "r1", "--format", "json", "--agenda", ag.path).stdout)


def test_each_distinction_has_its_own_section_with_public_input_only(sectioned, cli) -> None:
    data = report(cli, sectioned.agenda)
    fn, inuit, metis = data["distinctions"]
    assert fn["members"] == ["Kinship Circle"]
    assert [i["text"] for p in fn["principles"] for i in p["items"]] == [
        "Name the nations, not only Indigenous peoples."]
    assert inuit["members"] == ["Nunami Council"] and inuit["principles"] == []  # anonymous: not here
    assert "Anonymous Inuit view" not in json.dumps(inuit)
    assert metis["members"] == []
    md = " ".join(cli("report", "r1", "--format", "md", "--agenda", sectioned.agenda.path)
                  .stdout.split())
    assert "## First Nations organisations" in md and "## Métis organisations" in md
    assert "Not yet approved by: Kinship Circle." in md
    assert "No member organisation of the coalition belongs to this section." in md


def test_members_approve_their_section_and_a_change_makes_it_stale(sectioned, cli) -> None:
    ag = sectioned.agenda
    cli("approve", "r1", "--section", "first-nations", "--agenda", ag.path, env=env(sectioned, "fn"))
    cli("verify", "--agenda", ag.path)  # after the close, and not late
    fn = report(cli, ag)["distinctions"][0]
    assert fn["approved_by"] == ["Kinship Circle"] and fn["awaiting"] == []
    html = cli("report", "r1", "--format", "html", "--agenda", ag.path).stdout
    assert "Approved by: Kinship Circle (this section as it reads here)." in html
    # the member withdraws consent to use its comment: the section changes, the approval is stale
    rec = next(r for _p, r in __import__("coalition_cli.verify", fromlist=["v"]).verify(ag)
               .records["r1"] if r.type == "comment" and r.member == "fn")
    actions.comment_withdraw_consent(ag, sectioned.who("fn"), rec.id)
    fn = report(cli, ag)["distinctions"][0]
    assert fn["approved_by"] == [] and fn["stale"] == ["Kinship Circle"]


def test_only_the_members_concerned_approve(sectioned, cli) -> None:
    ag = sectioned.agenda
    out = cli("approve", "r1", "--section", "first-nations", "--agenda", ag.path,
              env=env(sectioned, "inuk"), code=4)
    assert "only the members of 'first-nations'" in out.stderr
    cli("approve", "r1", "--section", "nowhere", "--agenda", ag.path, env=env(sectioned, "fn"),
        code=3)
    forged = Record(type="approval", id="1212121212121212", round="r1", member="health",
                    submitted_at=stamp(now()), target="first-nations", text="0" * 64)
    actions._write_record(ag, sectioned.who("health"), forged, "approve someone else's section")
    problems = json.loads(cli("verify", "--format", "json", "--agenda", ag.path,
                              code=1).stdout)["problems"]
    assert [p["problem"] for p in problems] == ["not-permitted"]
    assert report(cli, ag)["distinctions"][0]["approved_by"] == []


def test_bad_distinctions_are_refused(sectioned, cli) -> None:
    ag = sectioned.agenda
    for value in ('[{"id": "x"}]', '[{"id": "x", "title": "X", "veto": 1}]', "nope",
                  '[{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]'):
        out = cli("config", "set", "distinctions", value, "--agenda", ag.path,
                  env=env(sectioned, "sec"), code=3)
        assert out.stderr.startswith("error:")
