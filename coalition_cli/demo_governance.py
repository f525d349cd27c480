"""The demo's Indigenous data governance step: a second round on the revised draft that
exercises each rule of ``coalition_cli.governance`` through the same actions the commands
use, and writes its reports to ``reports/governance/``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from . import actions
from .agenda import Agenda
from .identity import Identity
from .model import now

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Echo = Callable[[str], None]


def governance_step(agenda: Agenda, scenario: dict[str, Any], facilitator: Identity,
                    who: Callable[[str], Identity], reports: Path, echo: Echo) -> dict[str, str]:
    from .governance.local_contexts import read_file

    g = scenario.get("governance")
    if not g:
        return {}
    folder = reports / "governance"
    folder.mkdir(exist_ok=True)
    hub = {}
    for name in ("notice_project", "label_project"):  # saved Hub project JSON, as a member would
        path = folder / f"{name.replace('_', '-')}.json"
        path.write_text(json.dumps(g[name], ensure_ascii=False, indent=1), encoding="utf-8")
        hub[name] = path
    rnd = g["round"]
    actions.config_set(agenda, facilitator, "consensus.silence", g.get("silence", "consent"))
    actions.round_open(agenda, facilitator, rnd["id"], title=rnd["title"],
                       principles=rnd.get("principles"),
                       closes=now() + timedelta(days=int(rnd.get("closes_in_days", 14))))
    actions.notice_add(agenda, facilitator, "agenda",
                       read_file(hub["notice_project"], want="notices"), rnd["id"])
    written: dict[str, str] = {}
    for c in g.get("early", []):
        written[c["member"]] = actions.comment_add(
            agenda, who(c["member"]), principle=c["principle"], stance=c["stance"],
            text=c["text"], kind="general", round_id=rnd["id"]).id
    c = g["confidential"]
    actions.comment_add(agenda, who(c["member"]), principle=c["principle"], stance=c["stance"],
                        text=c["text"], attribution="confidential", share_with=c["share_with"],
                        round_id=rnd["id"])
    before = _summary(agenda, rnd["id"])
    p02 = next(p for p in before["principles"] if p["id"] == "P02")
    echo(f"  {rnd['id']}: P02 {p02['status']} (general rule met; "
         f"{p02['accepted_by_silence']} accepted by silence, Kinship Circle not yet heard)")
    _write(folder / "summary-before-community-consent.md", agenda, rnd["id"], "summary")
    w = g["withdraw_consent"]
    actions.comment_withdraw_consent(agenda, who(w["member"]), written[w["member"]],
                                     reason="Our board asked us not to be quoted.")
    c = g["community"]
    actions.label_add(agenda, who(c["member"]), c["principle"],
                      read_file(hub["label_project"], want="labels"), rnd["id"])
    actions.comment_add(agenda, who(c["member"]), principle=c["principle"], stance=c["stance"],
                        text=c["text"], kind="general", round_id=rnd["id"],
                        local_contexts=read_file(hub["label_project"], want="labels"))
    actions.round_close(agenda, facilitator, rnd["id"])
    a = g["approve"]
    actions.section_approve(agenda, who(a["member"]), rnd["id"], a["section"])
    after = _summary(agenda, rnd["id"])
    p02 = next(p for p in after["principles"] if p["id"] == "P02")
    echo(f"  {rnd['id']}: P02 {p02['status']} once Kinship Circle consented; Local Contexts "
         "Notice and Labels, a confidential comment held by the holders its author chose, a "
         "withdrawal of consent, an approved First Nations section")
    out = {}
    for kind, fmt, name in (("summary", "md", "summary.md"), ("report", "md", "report.md"),
                            ("report", "html", "report.html")):
        path = folder / name
        _write(path, agenda, rnd["id"], kind, fmt)
        out[f"governance-{kind}-{fmt}"] = str(path)
    return out


def _summary(agenda: Agenda, round_id: str) -> dict[str, Any]:
    from .reports import build_summary
    from .verify import verify

    return build_summary(agenda, verify(agenda), round_id)


def _write(path: Path, agenda: Agenda, round_id: str, kind: str, fmt: str = "md") -> None:
    from .render import render_report, render_summary
    from .reports import build_report, build_summary
    from .verify import verify

    verified = verify(agenda)
    if kind == "summary":
        content = render_summary(build_summary(agenda, verified, round_id), fmt)
    else:
        content = render_report(build_report(agenda, verified, round_id), fmt)
    path.write_text(content if isinstance(content, str) else content.decode("utf-8"),
                    encoding="utf-8")
