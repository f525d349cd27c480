"""Local Contexts Notices and Labels, as the Local Contexts Hub publishes them.

The Hub's project JSON (``GET /api/v2/projects/<unique_id>/``, saved to a file: no network
at run time) has the project's ``unique_id``, ``title`` and ``project_page``, its Notices
(``notice``: ``notice_type``, ``name``, ``img_url``, ``svg_url``, ``default_text``) and its
Traditional Knowledge and Biocultural Labels (``tk_labels``, ``bc_labels``: ``unique_id``,
``name``, ``label_type``, ``community``, ``img_url``, ``svg_url``, ``label_text``).
``from_hub`` keeps what a report needs, in the signed record's ``local_contexts`` field::

    {"project": "<unique_id>", "title": "...", "url": "<project_page>",
     "notices": [{"type": "traditional_knowledge", "name": "...", "url": "<svg or img>"}],
     "labels":  [{"id": "<unique_id>", "kind": "tk", "type": "attribution", "name": "...",
                  "community": "...", "url": "<svg or img>"}]}

Who may apply which (``verify`` enforces it, ``checks``): Notices are the institution's —
here the facilitators', in ``rounds/<round>/notices/<scope>.yaml`` (scope ``agenda``,
``round`` or a principle id); Labels are the community's — only a member of the
``indigenous-led`` sector applies them, on its own comments (``comment add
--local-contexts``) and, with a ``label`` record, on a principle a community consent rule of
``coalition.yaml`` covers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import InputError, MalformedData
from ..plainclass import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

LABEL_SECTOR = "indigenous-led"
KINDS = ("tk", "bc")
_URL = re.compile(r"https://[^\s\"<>\\]{1,400}")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
_FIELDS = ("project", "title", "url", "notices", "labels")


def _text(value: Any, what: str, limit: int = 200) -> str:
    from ..field_rules import unprintable

    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what} must be text")
    if unprintable().search(value) or len(value) > limit:
        raise InputError(f"{what} has control characters or is longer than {limit} characters")
    return value.strip()


def _url(value: Any, what: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _URL.fullmatch(value):
        raise InputError(f"{what} must be an https:// address")
    return value


def from_hub(data: Any) -> dict[str, Any]:
    """The ``local_contexts`` field for a Hub project JSON (InputError when it is not one)."""
    if not isinstance(data, dict) or not isinstance(data.get("unique_id"), str):
        raise InputError("not a Local Contexts Hub project (no 'unique_id')",
                         hint="save it from https://localcontextshub.org/api/v2/projects/<id>/")
    out: dict[str, Any] = {"project": _word(data["unique_id"], "unique_id"),
                           "title": _text(data.get("title") or data["unique_id"], "title"),
                           "url": _url(data.get("project_page"), "project_page"),
                           "notices": [], "labels": []}
    for n in data.get("notice") or data.get("notices") or []:
        if not isinstance(n, dict):
            raise InputError("each notice must be a mapping")
        out["notices"].append({"type": _word(n.get("notice_type"), "notice_type"),
                               "name": _text(n.get("name"), "notice name"),
                               "url": _url(n.get("svg_url") or n.get("img_url"), "notice svg_url")})
    for kind in KINDS:
        for lab in data.get(f"{kind}_labels") or []:
            if not isinstance(lab, dict):
                raise InputError("each label must be a mapping")
            out["labels"].append({
                "id": _word(lab.get("unique_id"), "label unique_id"), "kind": kind,
                "type": _word(lab.get("label_type"), "label_type"),
                "name": _text(lab.get("name"), "label name"),
                "community": _text(lab.get("community") or "", "community")
                if lab.get("community") else None,
                "url": _url(lab.get("svg_url") or lab.get("img_url"), "label svg_url")})
    return out


def _word(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _WORD.fullmatch(value):
        raise InputError(f"{what} must be an identifier like the Hub's, not {str(value)[:40]!r}")
    return value


def read_file(path: Path, *, want: str) -> dict[str, Any]:
    """``--local-contexts FILE``: a saved Hub project JSON, keeping only ``want`` ("notices"
    or "labels") — a member applies Labels, a facilitator Notices."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    if len(raw) > 1_000_000:
        raise InputError(f"{path} is larger than 1 MB: not a Hub project")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"{path} is not JSON", hint="save the Hub project's JSON, not its page")
    value = from_hub(data)
    other = "labels" if want == "notices" else "notices"
    value[other] = []
    if not value[want]:
        who = "facilitators apply Notices" if want == "notices" else \
            f"members of the {LABEL_SECTOR} sector apply Labels"
        raise InputError(f"{path} holds no {want} (project {value['project']})",
                         hint=f"in coalition, {who}")
    return value


def parse(value: Any, path: str) -> dict[str, Any] | None:
    """A stored ``local_contexts`` field, checked (MalformedData naming the file)."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(_FIELDS):
        raise MalformedData(path, "field 'local_contexts' must be a mapping of " + ", ".join(_FIELDS))
    try:
        hub = {"unique_id": value.get("project"), "title": value.get("title"),
               "project_page": value.get("url"),
               "notice": [{"notice_type": n.get("type"), "name": n.get("name"),
                           "svg_url": n.get("url")} for n in _dicts(value.get("notices"))]}
        for kind in KINDS:
            hub[f"{kind}_labels"] = [
                {"unique_id": lab.get("id"), "label_type": lab.get("type"),
                 "name": lab.get("name"), "community": lab.get("community"),
                 "svg_url": lab.get("url")}
                for lab in _dicts(value.get("labels")) if lab.get("kind") == kind]
        if any(lab.get("kind") not in KINDS for lab in _dicts(value.get("labels"))):
            raise InputError("a label's kind must be tk or bc")
        checked = from_hub(hub)
    except InputError as exc:
        raise MalformedData(path, f"local_contexts: {exc.message}") from None
    return checked


def _dicts(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError("notices and labels must be lists of mappings")
    return value


# --- a facilitator's Notice: rounds/<round>/notices/<scope>.yaml ------------------------------


@dataclass(frozen=True)
class NoticeRecord:
    round: str
    scope: str  # "agenda", "round" or a principle id
    local_contexts: dict[str, Any]
    applied_by: str
    applied_at: str

    def fields(self) -> dict[str, Any]:
        return {"v": 1, "type": "notice", "round": self.round, "scope": self.scope,
                "local_contexts": self.local_contexts, "applied_by": self.applied_by,
                "applied_at": self.applied_at}


SCOPE = re.compile(r"agenda|round|P\d{1,4}")


def notice_from_fields(fields: dict[str, Any], path: str) -> NoticeRecord:
    from ..ids import SLUG_ID
    from ..field_rules import Fields
    from ..model import parse_stamp

    f = Fields(fields, path)
    f.version("notice")
    value = parse(fields.get("local_contexts"), path)
    if not value or value["labels"] or not value["notices"]:
        raise MalformedData(path, "a notice record holds Notices only (Labels are a community's)")
    rec = NoticeRecord(round=f.req("round", pattern=SLUG_ID), scope=f.req("scope", pattern=SCOPE),
                       local_contexts=value, applied_by=f.req("applied_by", pattern=SLUG_ID),
                       applied_at=f.req("applied_at", limit=40))
    parse_stamp(rec.applied_at, "applied_at", path)
    return rec


def labels_allowed_on(principle: str, themes: tuple[str, ...], config: Any) -> bool:
    """Labels may go on a principle a community consent rule covers."""
    return any(r.applies(principle, themes) for r in getattr(config, "community", ()))
