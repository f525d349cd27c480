"""Shared by the review tests: a round open on the `coalition` fixture's draft, its export,
and how to read the records an import wrote."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from coalition_cli import actions, records
from coalition_cli.model import now, record_from_fields


def open_round(coalition, round_id: str = "r1") -> None:
    actions.round_open(coalition.agenda, coalition.who("sec"), round_id, title="First draft",
                       closes=now() + timedelta(days=10))


def exported(coalition, round_id: str | None = None) -> bytes:
    from coalition_cli.review import export_round

    return export_round(coalition.agenda, round_id)[1]


def comments_of(coalition, member: str, round_id: str = "r1") -> list:
    folder = Path(coalition.root) / "agenda" / "rounds" / round_id / "comments" / member
    out = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        rec = record_from_fields(records.parse_record(path.read_bytes(), str(path)), str(path))
        out.append((rec, path.read_bytes()))
    return out
