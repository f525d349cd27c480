"""Who holds a confidential comment: the recipients its author chose (``--share-with``),
checked by verify from the age header, never widened by a re-encryption."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from coalition_cli import actions
from coalition_cli.confidential import Access, encrypt
from coalition_cli.governance.recipients import age_tags, key_tag
from coalition_cli.model import Record, now, stamp
from coalition_cli.signing import PrivateKey
from conftest import make_key


@pytest.fixture
def held(coalition, cli):
    """Facilitators sec and fac2, member kin (indigenous-led); round r1 open; health posts a
    confidential comment shared with sec and kin only."""
    ag = coalition.agenda
    sec = coalition.who("sec")
    for mid, sector, roles in (("fac2", "network", ["facilitator", "member"]),
                               ("kin", "indigenous-led", ["member"])):
        path = make_key(coalition.root.parent / "keys", mid)
        coalition.keys[mid] = path
        actions.member_add(ag, sec, mid, name=mid.title() + " Org", sector=sector, roles=roles,
                           keys=[(PrivateKey.load(path).public, None)])
    actions.round_open(ag, sec, "r1", title="Round one", closes=now() + timedelta(days=3))
    out = cli("comment", "add", "--principle", "P03", "--stance", "amend", "--attribution",
              "confidential", "--share-with", "sec,kin", "--text", "Our elders' words stay with us.",
              "--propose", "Communities hold their own data.", "--format", "json",
              "--agenda", ag.path, env={"COALITION_KEY": str(coalition.key("health"))})
    coalition.comment = json.loads(out.stdout)["id"]  # type: ignore[attr-defined]
    return coalition


def env(c, who: str) -> dict[str, str]:
    return {"COALITION_KEY": str(c.key(who))}


def test_the_chosen_holders_read_it_and_no_other_facilitator_can(held, cli) -> None:
    ag, cid = held.agenda, held.comment
    for who in ("kin", "sec", "health"):  # a chosen member, a chosen facilitator, the author
        out = cli("comment", "show", cid, "--decrypt", "--format", "json", "--agenda", ag.path,
                  env=env(held, who))
        assert json.loads(out.stdout)["text"] == "Our elders' words stay with us."
    refused = cli("comment", "show", cid, "--decrypt", "--agenda", ag.path, env=env(held, "fac2"),
                  code=3)
    assert "cannot open" in refused.stderr and "Our elders" not in refused.stdout + refused.stderr
    # a member the author did not choose may not even try
    cli("comment", "show", cid, "--decrypt", "--agenda", ag.path, env=env(held, "youth"), code=4)


def test_the_record_says_who_holds_it_and_the_age_header_agrees(held, cli) -> None:
    ag = held.agenda
    rec, _path = actions.find_record(ag, ag.snapshot(), held.comment)
    assert rec.shared_with == ("sec", "kin") and rec.holders_named is False
    snap = ag.snapshot()
    expected = {key_tag(e.key) for m in ("sec", "kin", "health") for e in snap.member(m).keys}
    assert set(age_tags(rec.encrypted)) == expected
    assert json.loads(cli("verify", "--format", "json", "--agenda", ag.path).stdout)["ok"]


def test_the_summary_counts_the_holders_and_names_them_only_if_the_author_agrees(held, cli) -> None:
    ag = held.agenda
    text = " ".join(cli("summary", "r1", "--format", "md", "--agenda", ag.path).stdout.split())
    assert "is held by 2 organisations its author chose and did not ask us to name" in text
    assert "Kin Org" not in text
    assert "its text is held only by 2 organisations its author chose" in text
    assert "shared with the facilitators only" not in text  # that would misstate who holds it
    cli("comment", "add", "--principle", "P01", "--stance", "support", "--attribution",
        "confidential", "--share-with", "kin", "--name-holders", "--text", "Named holder.",
        "--agenda", ag.path, env=env(held, "youth"))
    data = json.loads(cli("summary", "r1", "--format", "json", "--agenda", ag.path).stdout)
    held_list = data["governance"]["held"]
    assert sorted(h["holders"] for h in held_list) == [1, 2]
    assert [h["named"] for h in held_list if h["principle"] == "P01"] == [["Kin Org"]]
    assert "Named holder" not in json.dumps(data)
    html = cli("summary", "r1", "--format", "html", "--agenda", ag.path).stdout
    assert "is held by Kin Org, chosen by its author" in html


def test_reencryption_never_widens_the_holders(held, cli) -> None:
    ag, cid = held.agenda, held.comment
    cli("comment", "reencrypt", cid, "--agenda", ag.path, env=env(held, "sec"))
    snap = ag.snapshot()
    data = snap.read(f"rounds/r1/access/{cid}.yaml").decode()
    fac2 = {key_tag(e.key) for e in snap.member("fac2").keys}
    from coalition_cli import records

    fields = records.parse_record(data.encode(), "access")
    assert not fac2 & set(age_tags(fields["encrypted"]))
    cli("comment", "show", cid, "--decrypt", "--agenda", ag.path, env=env(held, "fac2"), code=3)
    cli("verify", "--agenda", ag.path)


def test_a_grant_that_widens_the_holders_is_not_permitted(held, cli) -> None:
    ag, cid = held.agenda, held.comment
    sec = held.who("sec")
    rec, _ = actions.find_record(ag, ag.snapshot(), cid)
    from coalition_cli.confidential import decrypt

    payload = decrypt(rec.encrypted, sec.key)
    snap = ag.snapshot()
    everyone = [e.key for m in ("sec", "fac2", "kin", "health") for e in snap.member(m).keys]
    grant = Access(round="r1", comment=cid, encrypted=encrypt(payload, everyone),
                   recipients=(), granted_by="sec", granted_at=stamp(now()))
    files = actions._signed(ag, sec, f"rounds/r1/access/{cid}.yaml", grant.fields())
    actions._commit(ag, sec, files, "a wider grant")
    out = json.loads(cli("verify", "--format", "json", "--agenda", ag.path, code=1).stdout)
    assert [p["problem"] for p in out["problems"]] == ["not-permitted"]
    assert "beyond the holders its author chose" in out["problems"][0]["detail"]


def test_a_holder_list_that_does_not_match_the_encryption_is_malformed(held, cli) -> None:
    ag = held.agenda
    health = held.who("health")
    snap = ag.snapshot()
    keys = [e.key for m in ("sec", "fac2", "health") for e in snap.member(m).keys]
    rec = Record(type="comment", id="f0f0f0f0f0f0f0f0", round="r1", member="health",
                 submitted_at=stamp(now()), principle="P01", stance="support", kind="general",
                 attribution="confidential", encrypted=encrypt({"text": "x"}, keys),
                 shared_with=("sec",))
    actions._write_record(ag, health, rec, "a comment that claims fewer holders")
    out = json.loads(cli("verify", "--format", "json", "--agenda", ag.path, code=1).stdout)
    assert [p["problem"] for p in out["problems"]] == ["malformed"]
    assert "beyond the members its shared_with names" in out["problems"][0]["detail"]


@pytest.mark.parametrize("args, message", [
    (["--share-with", "nobody-here"], "not a member of the verified registry"),
    (["--share-with", "health"], "names no one besides you"),
    (["--share-with", "Not An Id"], "member"),
])
def test_bad_recipients_are_refused_and_nothing_is_written(held, cli, args, message) -> None:
    ag = held.agenda
    head = ag.head()
    out = cli("comment", "add", "--principle", "P01", "--stance", "support", "--attribution",
              "confidential", "--text", "x", *args, "--agenda", ag.path, env=env(held, "health"),
              code=3)
    assert message in out.stderr and ag.head() == head


def test_share_with_needs_a_confidential_comment(held, cli) -> None:
    out = cli("comment", "add", "--principle", "P01", "--stance", "support", "--text", "x",
              "--share-with", "kin", "--agenda", held.agenda.path, env=env(held, "health"), code=3)
    assert "confidential" in out.stderr
