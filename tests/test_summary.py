"""Summaries built from a real round: statuses, one voice, attribution never leaks."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from coalition_cli import actions
from coalition_cli.model import now
from coalition_cli.render import render_summary
from coalition_cli.reports import build_summary
from coalition_cli.signing import PrivateKey
from coalition_cli.verify import verify

from conftest import Coalition, make_key

SECRET_TEXT = "Our clients in the diversion program fear being identified"
ANON_MEMBER = "Uni Org"


@pytest.fixture
def round_with_stances(coalition: Coalition, tmp_path):  # noqa: ANN001, ANN201
    """Six voting members; P01 consensus, P02 blocked, P03 contested; P04 no-quorum."""
    ag, sec = coalition.agenda, coalition.who("sec")
    for name, sector in (("legal", "advocacy"), ("uni", "research"), ("kin", "indigenous-led")):
        key = make_key(tmp_path / "keys", name)
        coalition.keys[name] = key
        actions.member_add(ag, sec, name, name=f"{name.title()} Org", sector=sector,
                           roles=["member"], keys=[(PrivateKey.load(key).public, None)])
    actions.principle_add(ag, sec, "Capacity", "Small organisations get support.")
    actions.round_open(ag, sec, "r1", title="Round one", closes=now() + timedelta(days=3))
    add = lambda m, p, s, **kw: actions.comment_add(ag, coalition.who(m), principle=p, stance=s,  # noqa: E731
                                                      text=kw.pop("text", f"{m} on {p}"), **kw)
    first = add("health", "P01", "oppose")
    add("health", "P01", "support", supersedes=first.id)  # revised: one voice
    lead = add("uni", "P01", "amend", propose="Data reuse must serve the community first.",
               attribution="anonymous", text="Anonymous amendment text")
    actions.comment_endorse(ag, coalition.who("fund"), lead.id)  # fund takes youth's stance
    add("legal", "P01", "support")
    for member in ("health", "youth", "fund"):
        add(member, "P02", "support")
    add("kin", "P02", "block", text="Indigenous governance must come first.")
    add("health", "P03", "support")
    add("youth", "P03", "oppose", text=SECRET_TEXT, attribution="confidential")
    add("fund", "P03", "oppose")
    add("legal", "P03", "support")
    add("uni", "P04", "neutral", attribution="anonymous")
    return coalition


def test_statuses_and_one_voice(round_with_stances: Coalition) -> None:
    ag = round_with_stances.agenda
    data = build_summary(ag, verify(ag), "r1")
    by_id = {p["id"]: p for p in data["principles"]}
    assert [by_id[p]["status"] for p in ("P01", "P02", "P03", "P04")] == [
        "consensus", "blocked", "contested", "no-quorum"]
    p01 = by_id["P01"]
    assert p01["stances"]["support"] == 2 and p01["stances"]["amend"] == 2
    assert p01["stances"]["oppose"] == 0  # superseded comment not counted
    assert p01["support_share"] == 1.0
    assert p01["comments"] == 3  # effective comments: revision, amendment, legal's
    assert by_id["P03"]["support_share"] == 0.5
    assert by_id["P02"]["blocks"][0]["text"] == "Indigenous governance must come first."
    assert data["participation"] == {
        "members": 6, "responded": 6,
        "by_sector": {"advocacy": {"members": 2, "responded": 2},
                      "funder": {"members": 1, "responded": 1},
                      "indigenous-led": {"members": 1, "responded": 1},
                      "research": {"members": 1, "responded": 1},
                      "service-provider": {"members": 1, "responded": 1}}}
    assert data["generated_from"] == ag.git.head()
    assert data["dispositions"]["answered"] == 0
    assert data["dispositions"]["awaiting"] == len(data["comments"]) == 12
    assert data["integrity"]["excluded"] == 0 and data["excluded"] == []


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv", "terminal"])
def test_anonymous_and_confidential_never_leak(round_with_stances: Coalition, fmt: str) -> None:
    ag = round_with_stances.agenda
    out = render_summary(build_summary(ag, verify(ag), "r1"), fmt)
    assert SECRET_TEXT not in out
    assert "Anonymous amendment text" in out or fmt == "terminal"
    # the anonymous comment's organisation is never named next to it
    assert ANON_MEMBER not in out


def test_csv_has_iso_columns_and_one_row_per_comment(round_with_stances: Coalition) -> None:
    ag = round_with_stances.agenda
    data = build_summary(ag, verify(ag), "r1")
    rows = list(csv.DictReader(io.StringIO(render_summary(data, "csv").removeprefix("\ufeff"))))
    assert len(rows) == len(data["comments"])
    for column in ("member", "principle", "quote", "comment", "proposed_change", "disposition"):
        assert any(column in name for name in rows[0])


def test_summary_json_keys_follow_the_spec(round_with_stances: Coalition) -> None:
    ag = round_with_stances.agenda
    data = json.loads(render_summary(build_summary(ag, verify(ag), "r1"), "json"))
    assert {"round", "participation", "principles", "clusters", "excluded",
            "generated_from"} <= set(data)
    assert {"id", "title", "comments", "stances", "support_share", "status", "amendments",
            "blocks"} <= set(data["principles"][0])


def test_excluded_records_are_listed_with_why(round_with_stances: Coalition) -> None:
    ag = round_with_stances.agenda
    path = next(p for p in ag.path.glob("rounds/r1/comments/legal/*.yaml")
                if b'principle: "P01"' in p.read_bytes())
    data = path.read_bytes().replace(b"support", b"oppose", 1)
    path.write_bytes(data)
    ag.git.run("commit", "-qam", "tamper")
    summary = build_summary(ag, verify(ag), "r1")
    assert summary["integrity"]["excluded"] == 1
    assert summary["excluded"][0]["problem"] == "bad-signature"
    p01 = next(p for p in summary["principles"] if p["id"] == "P01")
    assert p01["stances"]["support"] + p01["stances"]["oppose"] == 1  # legal's voice is gone


def test_terminal_summary_cuts_long_lists_but_files_keep_them() -> None:
    amendments = [{"comment": f"c{i:04d}", "member": None, "quote": None,
                   "proposed_text": f"proposal {i}"} for i in range(100)]
    data = {"coalition": "C", "round": {"id": "r1", "title": "t", "status": "closed"},
            "stances": ["support", "amend", "neutral", "oppose", "block"],
            "participation": {"members": 1, "responded": 1, "by_sector": {}},
            "principles": [{"id": "P01", "title": "T", "comments": 100, "stances": {"amend": 1},
                            "support_share": 1.0, "status": "no-quorum",
                            "amendments": amendments, "blocks": [], "quotes": []}],
            "comments": [], "dispositions": {"answered": 0, "awaiting": 100,
                                             "awaiting_ids": [a["comment"] for a in amendments]},
            "clusters": [], "integrity": {"verified": 100, "excluded": 0}, "excluded": [],
            "generated_from": "0" * 40, "generated_at": "2026-11-25T00:00:00Z"}
    text = render_summary(data, "terminal", width=200)
    assert "proposal 29" in text and "proposal 30" not in text
    assert "and 70 more" in text
    md = render_summary(data, "md")
    assert "proposal 99" in md


def test_rows_given_away_as_made_are_the_rows_and_quotes_of_the_whole_build(
        round_with_stances: Coalition) -> None:
    """``build_summary(rows_to=...)``: each principle's rows and quotes go to the sink as they
    are made, and the summary holds neither; put back in the rows' order (by principle),
    they are the whole build's, and so is everything else."""
    ag = round_with_stances.agenda
    verified = verify(ag)
    whole = build_summary(ag, verified, "r1")
    given: list[tuple] = []
    lean = build_summary(ag, verified, "r1",
                         rows_to=lambda key, rows, quotes: given.append((key, rows, quotes)))
    assert lean["comments"] is None
    assert [key for key, _r, _q in given] == ["P01", "P02", "P03", "P04"]  # the round's order
    assert [row for _k, rows, _q in sorted(given, key=lambda g: g[0]) for row in rows] \
        == whole["comments"]
    quotes = {key: q for key, _r, q in given}
    for lean_p, whole_p in zip(lean["principles"], whole["principles"], strict=True):
        assert lean_p["quotes"] is None and quotes[whole_p["id"]] == whole_p["quotes"]
        assert {**lean_p, "quotes": None} == {**whole_p, "quotes": None}
    strip = lambda d: {**d, "comments": None, "principles": None, "generated_at": None}  # noqa: E731
    assert strip(lean) == strip(whole)


def test_the_terminal_summary_built_cold_reads_back_whole(round_with_stances: Coalition,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal report's cold build stores its rows as it makes them; the whole summary
    read back from what it stored is the full build, byte for byte in its JSON."""
    import coalition_cli.reports.summary as summary_module
    from coalition_cli.reports import summary_at_head

    ag = round_with_stances.agenda
    made: list[str] = []
    real = summary_module.build_summary

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        made.append("streamed" if kwargs.get("rows_to") else "whole")
        return real(*args, **kwargs)

    monkeypatch.setattr(summary_module, "build_summary", spy)
    brief = summary_at_head(ag, "r1", rows=False)
    back = summary_at_head(ag, "r1")
    assert made == ["streamed"]  # built once, by the terminal report; then read back
    assert brief["comments"] is None
    truth = build_summary(ag, verify(ag, use_cache=False), "r1")
    assert json.dumps({**back, "generated_at": None}) == json.dumps({**truth, "generated_at": None})
