"""Local Contexts Notices (facilitators) and Labels (members of the indigenous-led sector),
from a saved Hub project JSON; verify enforces who applies which; reports show them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from coalition_cli import actions
from coalition_cli.model import Record, now, stamp
from coalition_cli.signing import PrivateKey
from conftest import make_key

HUB = {  # the shape of GET /api/v2/projects/<unique_id>/ (values invented)
    "unique_id": "6f1e2d3c-0000-4a4a-9b9b-123456789abc",
    "title": "Kinship Circle health data",
    "project_page": "https://localcontextshub.org/projects/6f1e2d3c-0000-4a4a-9b9b-123456789abc",
    "notice": [{"notice_type": "traditional_knowledge", "name": "Traditional Knowledge Notice",
                "img_url": "https://storage.example.org/tk-notice.png",
                "svg_url": "https://storage.example.org/tk-notice.svg", "default_text": "…"}],
    "tk_labels": [{"unique_id": "a1b2c3d4-1111-2222-3333-444455556666", "name": "TK Attribution",
                   "label_type": "attribution", "community": "Kinship Circle",
                   "svg_url": "https://storage.example.org/tk-a.svg", "label_text": "…"}],
    "bc_labels": [{"unique_id": "b1b2c3d4-1111-2222-3333-444455556666",
                   "name": "BC Consent Non-Verified", "label_type": "consent_non_verified",
                   "community": "Kinship Circle", "img_url": "https://storage.example.org/bc.png"}],
}


def env(c, who: str) -> dict[str, str]:
    return {"COALITION_KEY": str(c.key(who))}


@pytest.fixture
def lc(coalition, tmp_path):
    ag = coalition.agenda
    sec = coalition.who("sec")
    path = make_key(coalition.root.parent / "keys", "kin")
    coalition.keys["kin"] = path
    actions.member_add(ag, sec, "kin", name="Kinship Circle", sector="indigenous-led",
                       roles=["member"], keys=[(PrivateKey.load(path).public, None)])
    actions.principle_edit(ag, sec, "P03", themes=["indigenous-data-governance"])
    actions.round_open(ag, sec, "r1", title="Round one", closes=now() + timedelta(days=3))
    hub = tmp_path / "hub.json"
    hub.write_text(json.dumps(HUB), encoding="utf-8")
    coalition.hub = hub  # type: ignore[attr-defined]
    return coalition


def test_facilitators_apply_notices_and_members_cannot(lc, cli) -> None:
    ag = lc.agenda
    cli("notice", "add", "--on", "P03", "--local-contexts", lc.hub, "--agenda", ag.path,
        env=env(lc, "sec"))
    cli("notice", "add", "--on", "agenda", "--local-contexts", lc.hub, "--agenda", ag.path,
        env=env(lc, "sec"))
    out = cli("notice", "add", "--local-contexts", lc.hub, "--agenda", ag.path,
              env=env(lc, "kin"), code=4)
    assert out.stderr.startswith("error:")
    rec = json.loads(json.dumps(__import__("coalition_cli.records", fromlist=["x"]).parse_record(
        ag.snapshot().read("rounds/r1/notices/P03.yaml"), "n")))
    assert rec["local_contexts"]["labels"] == []  # a facilitator's record keeps Notices only
    assert rec["local_contexts"]["notices"][0]["url"] == "https://storage.example.org/tk-notice.svg"
    cli("verify", "--agenda", ag.path)


def test_only_indigenous_led_members_apply_labels(lc, cli) -> None:
    ag = lc.agenda
    cli("comment", "add", "--principle", "P03", "--stance", "support", "--text", "Ours.",
        "--local-contexts", lc.hub, "--agenda", ag.path, env=env(lc, "kin"))
    out = cli("comment", "add", "--principle", "P03", "--stance", "support", "--text", "x",
              "--local-contexts", lc.hub, "--agenda", ag.path, env=env(lc, "health"), code=4)
    assert "indigenous-led" in out.stderr
    cli("label", "add", "--principle", "P03", "--local-contexts", lc.hub, "--agenda", ag.path,
        env=env(lc, "kin"))
    refused = cli("label", "add", "--principle", "P01", "--local-contexts", lc.hub, "--agenda",
                  ag.path, env=env(lc, "kin"), code=4)
    assert "community consent rule" in refused.stderr
    cli("label", "add", "--principle", "P03", "--local-contexts", lc.hub, "--agenda", ag.path,
        env=env(lc, "sec"), code=4)
    cli("verify", "--agenda", ag.path)


def test_verify_refuses_labels_from_anyone_else(lc, cli) -> None:
    from coalition_cli.governance.local_contexts import from_hub

    ag = lc.agenda
    labels = dict(from_hub(HUB), notices=[])
    forged = Record(type="comment", id="abababababababab", round="r1", member="health",
                    submitted_at=stamp(now()), principle="P03", stance="support",
                    kind="general", text="Not ours to label.", local_contexts=labels)
    actions._write_record(ag, lc.who("health"), forged, "labels by a service provider")
    on_p01 = Record(type="label", id="cdcdcdcdcdcdcdcd", round="r1", member="kin",
                    submitted_at=stamp(now()), principle="P01", local_contexts=labels)
    actions._write_record(ag, lc.who("kin"), on_p01, "labels on a principle no rule covers")
    problems = json.loads(cli("verify", "--format", "json", "--agenda", ag.path,
                              code=1).stdout)["problems"]
    assert sorted(p["problem"] for p in problems) == ["not-permitted", "not-permitted"]
    assert any("indigenous-led sector" in p["detail"] for p in problems)
    assert any("no community consent rule" in p["detail"] for p in problems)


def test_a_member_record_holding_notices_is_malformed(lc, cli) -> None:
    from coalition_cli.governance.local_contexts import from_hub

    ag = lc.agenda
    both = from_hub(HUB)  # notices and labels
    rec = Record(type="label", id="efefefefefefefef", round="r1", member="kin",
                 submitted_at=stamp(now()), principle="P03", local_contexts=both)
    actions._write_record(ag, lc.who("kin"), rec, "a community record claiming Notices")
    problems = json.loads(cli("verify", "--format", "json", "--agenda", ag.path,
                              code=1).stdout)["problems"]
    assert [p["problem"] for p in problems] == ["malformed"]
    assert "Notices are applied by facilitators" in problems[0]["detail"]


def test_every_report_shows_them_with_names_and_links(lc, cli) -> None:
    ag = lc.agenda
    cli("notice", "add", "--on", "round", "--local-contexts", lc.hub, "--agenda", ag.path,
        env=env(lc, "sec"))
    cli("label", "add", "--principle", "P03", "--local-contexts", lc.hub, "--agenda", ag.path,
        env=env(lc, "kin"))
    cli("comment", "add", "--principle", "P03", "--stance", "support", "--text", "Ours.",
        "--attribution", "anonymous", "--local-contexts", lc.hub, "--agenda", ag.path,
        env=env(lc, "kin"))
    cli("round", "close", "--agenda", ag.path, env=env(lc, "sec"))
    for args in (["summary", "r1", "--format", "md"], ["summary", "r1", "--format", "html"],
                 ["summary", "r1"], ["report", "r1", "--format", "md"],
                 ["report", "r1", "--format", "html"]):
        text = " ".join(cli(*args, "--agenda", ag.path).stdout.split())
        assert "Traditional Knowledge Notice" in text, args
        if "html" in args:  # the Hub's addresses are links there
            link = ('<a href="https://storage.example.org/tk-a.svg">'
                    'https://storage.example.org/tk-a.svg</a>')
            assert f"TK Attribution of Kinship Circle ({link})" in text, args
            assert f'<a href="{HUB["project_page"]}">' in text, args
        else:
            assert "TK Attribution of Kinship Circle (https://storage.example.org/tk-a.svg)" in text, args
        assert "https://storage.example.org/tk-a.svg" in text, args
        assert HUB["project_page"] in text, args
        assert "Local Contexts Label" in text  # the legend says what they mean
    data = json.loads(cli("report", "r1", "--format", "json", "--agenda", ag.path).stdout)
    lc_data = data["governance"]["local_contexts"]
    on_comment = next(x for x in lc_data["labels"] if x["on"].startswith("comment"))
    assert on_comment["by"] is None  # an anonymous comment's labels do not name its member
    assert all(lab["community"] is None for lab in on_comment["labels"])


@pytest.mark.parametrize("content, message", [
    ("not json", "not JSON"),
    (json.dumps({"title": "x"}), "unique_id"),
    (json.dumps({**HUB, "notice": [{**HUB["notice"][0], "svg_url": "http://plain.example"}]}),
     "https://"),
    (json.dumps({**HUB, "notice": []}), "holds no notices"),
])
def test_a_bad_hub_file_is_refused(lc, cli, tmp_path, content, message) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    head = lc.agenda.head()
    out = cli("notice", "add", "--local-contexts", bad, "--agenda", lc.agenda.path,
              env=env(lc, "sec"), code=3)
    assert message in out.stderr and lc.agenda.head() == head


def test_only_https_addresses_become_links_and_text_stays_escaped() -> None:
    from coalition_cli.render._html import links

    out = str(links('A <b> (https://hub.example/p?a=1&b=2). javascript:alert(1) '
                    'http://plain.example "https://x.example/q"'))
    assert '(<a href="https://hub.example/p?a=1&amp;b=2">https://hub.example/p?a=1&amp;b=2</a>).' in out
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert out.count("<a href=") == 2  # javascript: and http:// stay text
    assert '<a href="https://x.example/q">' in out  # a quote never enters an address
