"""Withdrawal of consent to use a comment: signed by its author, accepted after the round
closed, and every report format drops the comment's words at once."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from coalition_cli import actions
from coalition_cli.governance.wording import CONSENT_WITHDRAWN_TEXT
from coalition_cli.model import Record, now, stamp

SECRET = "Our community story of the 2019 data breach"
QUOTE = "annual public reporting"
PROPOSAL = "quarterly reporting to each community first"


def env(c, who: str) -> dict[str, str]:
    return {"COALITION_KEY": str(c.key(who))}


@pytest.fixture
def closed(coalition, cli):
    """Round r1 with health's public comment (quote, proposal), a response, closed."""
    ag = coalition.agenda
    sec = coalition.who("sec")
    actions.round_open(ag, sec, "r1", title="Round one", closes=now() + timedelta(days=3))
    w = actions.comment_add(ag, coalition.who("health"), principle="P01", stance="amend",
                            text=SECRET + " shows why this matters.", quote=QUOTE,
                            propose=PROPOSAL, themes=["privacy"])
    actions.comment_add(ag, coalition.who("youth"), principle="P01", stance="support",
                        text="We agree with the benefit test.")
    actions.round_close(ag, sec, "r1")
    actions.respond(ag, sec, w.id, disposition="noted", rationale="Thank you.")
    coalition.comment = w.id  # type: ignore[attr-defined]
    return coalition


def every_report(cli, ag, tmp: Path) -> dict[str, str]:
    out = {}
    tmp.mkdir(parents=True, exist_ok=True)
    for cmd, fmts in (("summary", ("terminal", "md", "html", "json", "csv", "docx")),
                      ("report", ("md", "html", "json", "csv", "docx")),
                      ("changes", ("md", "html", "json", "docx"))):
        for fmt in fmts:
            args = [cmd] + (["r1"] if cmd != "changes" else ["--from", "r1"])
            target = tmp / f"{cmd}.{fmt}"
            cli(*args, "--format", fmt, "--output", target, "--agenda", ag.path)
            if fmt == "docx":
                with zipfile.ZipFile(target) as z:
                    out[f"{cmd}.{fmt}"] = "".join(z.read(n).decode("utf-8", "replace")
                                                  for n in z.namelist() if n.endswith(".xml"))
            else:
                out[f"{cmd}.{fmt}"] = target.read_text(encoding="utf-8-sig")
    return out


def test_after_the_withdrawal_no_report_format_shows_the_words(closed, cli, tmp_path) -> None:
    ag = closed.agenda
    before = every_report(cli, ag, tmp_path / "before")
    assert SECRET in before["summary.md"] and SECRET in before["report.html"]
    assert PROPOSAL in before["summary.csv"]
    out = cli("comment", "withdraw-consent", closed.comment[:8], "--reason", "Elders asked us to.",
              "--agenda", ag.path, env=env(closed, "health"))
    assert out.stdout.strip()
    assert json.loads(cli("verify", "--format", "json", "--agenda", ag.path).stdout)["ok"]  # not late
    after = every_report(cli, ag, tmp_path / "after")
    for name, text in after.items():
        flat = " ".join(text.split())
        assert SECRET not in flat, name
        assert PROPOSAL not in flat, name
        if name.startswith(("summary", "report")) and not name.endswith((".csv", ".json")):
            assert "withdrew consent" in flat, name
    summary = json.loads(after["summary.json"])
    assert summary["governance"]["consent_withdrawn"] == 1
    p01 = summary["principles"][0]
    assert p01["stances"]["amend"] == 1  # its stance still counts
    row = next(r for r in summary["comments"] if r["id"] == closed.comment)
    assert row["text"] == CONSENT_WITHDRAWN_TEXT and row["quote"] is None
    report = json.loads(after["report.json"])
    item = next(i for i in report["principles"][0]["heard"] if i["stance"] == "amend")
    assert report["governance"]["withdrawn"] == [{"comment": item["ref"], "principle": "P01"}]
    assert item["path"] is None and item["on"] is None and item["proposal"] is None


def test_only_its_author_may_withdraw_consent(closed, cli) -> None:
    ag = closed.agenda
    out = cli("comment", "withdraw-consent", closed.comment, "--agenda", ag.path,
              env=env(closed, "youth"), code=4)
    assert "only its member" in out.stderr
    cli("comment", "withdraw-consent", closed.comment, "--agenda", ag.path, env=env(closed, "health"))
    again = cli("comment", "withdraw-consent", closed.comment, "--agenda", ag.path,
                env=env(closed, "health"), code=3)
    assert "already withdrawn" in again.stderr


def test_a_planted_withdrawal_by_another_member_is_refused_by_verify(closed, cli) -> None:
    ag = closed.agenda
    youth = closed.who("youth")
    rec = Record(type="consent-withdrawal", id="0123456789abcdef", round="r1", member="youth",
                 submitted_at=stamp(now()), principle="P01", target=closed.comment)
    actions._write_record(ag, youth, rec, "withdraw someone else's consent")
    out = json.loads(cli("verify", "--format", "json", "--agenda", ag.path, code=1).stdout)
    assert [p["problem"] for p in out["problems"]] == ["not-permitted"]
    assert "withdraw consent to use" in out["problems"][0]["detail"]
    summary = json.loads(cli("summary", "r1", "--format", "json", "--agenda", ag.path).stdout)
    assert SECRET in json.dumps(summary) and summary["governance"]["consent_withdrawn"] == 0


def test_a_withdrawn_confidential_comment_is_closed_to_the_facilitators(coalition, cli) -> None:
    ag = coalition.agenda
    sec = coalition.who("sec")
    actions.round_open(ag, sec, "r1", title="Round one", closes=now() + timedelta(days=3))
    w = actions.comment_add(ag, coalition.who("health"), principle="P02", stance="oppose",
                            text="Confidential words.", attribution="confidential")
    cli("comment", "show", w.id, "--decrypt", "--agenda", ag.path, env=env(coalition, "sec"))
    cli("comment", "withdraw-consent", w.id, "--agenda", ag.path, env=env(coalition, "health"))
    out = cli("comment", "show", w.id, "--decrypt", "--agenda", ag.path, env=env(coalition, "sec"),
              code=4)
    assert "withdrew consent" in out.stderr and "Confidential words" not in out.stdout
    mine = cli("comment", "show", w.id, "--decrypt", "--format", "json", "--agenda", ag.path,
               env=env(coalition, "health"))
    data = json.loads(mine.stdout)
    assert data["text"] == "Confidential words." and data["consent"].startswith("withdrawn")
    md = cli("summary", "r1", "--format", "md", "--agenda", ag.path).stdout
    assert "withdrew consent" in " ".join(md.split())
