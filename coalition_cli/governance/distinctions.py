"""Distinctions-based reporting: the input of First Nations, Inuit and Métis organisations in
sections of their own, each approved by the members concerned.

``coalition.yaml`` (signed) lists the sections::

    distinctions:
      - {id: first-nations, title: "First Nations organisations", members: [kinship-circle]}
      - {id: inuit, title: "Inuit organisations", sectors: [inuit-led]}
      - {id: metis, title: "Métis organisations", members: []}

A section holds only what its members made public: their public comments (by report
number) and the stances those comments carry — an anonymous or confidential comment stays
in the general figures only, since a section of one or two organisations would name its
author. A member of a section signs an ``approval`` record (``coalition report approve
ROUND --section ID``) holding the SHA-256 of the section's content as it is then; the report
marks the section "approved by" the members whose approval matches its current content, and
names those it still awaits. Any later change to the section (a new comment, a withdrawal
of consent) makes earlier approvals stale, visibly.
"""

from __future__ import annotations

import hashlib
import json

from ..errors import MalformedData
from ..plainclass import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class Distinction:
    id: str
    title: str
    members: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()

    def group(self, members: dict[str, Any]) -> list[str]:
        return sorted(i for i, m in members.items() if m.active and (
            i in self.members or m.sector in self.sectors))

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title}
        if self.sectors:
            out["sectors"] = list(self.sectors)
        out["members"] = list(self.members)
        return out


def parse(raw: Any, path: str) -> tuple[Distinction, ...]:
    from ..ids import SLUG_ID
    from ..field_rules import Fields

    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MalformedData(path, "'distinctions' must be a list of sections")
    out = []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict) or set(item) - {"id", "title", "members", "sectors"}:
            raise MalformedData(path, f"distinction {n} must be a mapping of id, title, members, "
                                      "sectors")
        f = Fields(item, path)
        out.append(Distinction(id=f.req("id", pattern=SLUG_ID), title=f.req("title", limit=200),
                               members=f.strs("members", pattern=SLUG_ID),
                               sectors=f.strs("sectors", pattern=SLUG_ID)))
    if len({d.id for d in out}) != len(out):
        raise MalformedData(path, "two distinctions have the same id")
    return tuple(out)


def section_digest(section: dict[str, Any]) -> str:
    """SHA-256 of what a section shows (its principles and items), as canonical JSON."""
    body = {"id": section["id"], "members": section["member_ids"],
            "principles": section["principles"]}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def sections(config: Any, members: dict[str, Any], principles: list[dict[str, Any]],
             approvals: list[Any], public: dict[str, tuple[str, str | None]]
             ) -> list[dict[str, Any]]:
    """The report's distinction sections, from its principles' ``heard`` items; ``public``:
    report number -> (member id, text) of each public comment (the only ones shown)."""
    out = []
    for d in getattr(config, "distinctions", ()):
        group = d.group(members)
        names = {m: members[m].name for m in group}
        rows = []
        for p in principles:
            heard = [i for i in p.get("heard") or [] if i.get("ref") in public
                     and public[i["ref"]][0] in group]
            if heard:
                stances: dict[str, int] = {}
                for i in heard:
                    stances[i["stance"]] = stances.get(i["stance"], 0) + 1
                rows.append({"id": p["id"], "title": p.get("title"), "stances": stances,
                             "items": [{"ref": i["ref"], "who": i.get("who"),
                                        "stance": i["stance"], "text": public[i["ref"]][1]}
                                       for i in heard]})
        section = {"id": d.id, "title": d.title, "members": [names[m] for m in group],
                   "member_ids": group, "principles": rows}
        section["digest"] = section_digest(section)
        approved = {}
        stale = set()
        for rec in approvals:
            if rec.target == d.id and rec.member in group:
                if rec.text == section["digest"]:
                    approved[rec.member] = rec.submitted_at
                else:
                    stale.add(rec.member)
        section["approved_by"] = [names[m] for m in group if m in approved]
        section["awaiting"] = [names[m] for m in group if m not in approved]
        section["stale"] = [names[m] for m in group if m in stale and m not in approved]
        out.append(section)
    return out
