"""The records of an agenda as frozen dataclasses, and the checks that make them.

``from_fields`` functions take the dict read from a record file and either
return a record or raise ``MalformedData`` naming the file. They are the one
place where a record's shape is decided; writers build records here too, so
what the tool writes always reads back.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .errors import InputError, MalformedData
from .field_rules import Fields, Repeated
from .ids import PRINCIPLE_ID, SLUG_ID
from .plainclass import dataclass, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ROLES = ("facilitator", "member", "staff")
DEFAULT_STANCES = ("support", "amend", "neutral", "oppose", "block")
DEFAULT_SECTORS = ("funder", "service-provider", "advocacy", "indigenous-led", "research", "network")
KINDS = ("general", "substantive", "editorial")
ATTRIBUTIONS = ("public", "anonymous", "confidential")
DISPOSITIONS = ("accepted", "accepted-in-part", "not-accepted", "noted", "duplicate", "out-of-scope")
ANSWERS = ("satisfied", "maintains-objection")
RECORD_TYPES = ("comment", "withdrawal", "endorsement", "acknowledgement", "consent-withdrawal",
                "label", "approval")
RECORD_FIELDS = ("type", "id", "round", "member", "submitted_at", "principle", "author", "stance",
                 "kind", "attribution", "themes", "anchor", "text", "proposed_text", "supersedes",
                 "target", "answer", "encrypted", "provenance", "lang", "shared_with",
                 "holders_named", "local_contexts")

# --- time -------------------------------------------------------------------------

_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def now() -> datetime:
    """The current time in UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(value: Any, what: str, path: str = "") -> datetime:
    """Read a stored UTC timestamp (``2026-11-25T14:00:00Z``)."""
    if not isinstance(value, str) or not _STAMP.fullmatch(value):
        raise MalformedData(path, f"{what} must be a UTC time like 2026-11-25T14:00:00Z")
    try:  # the fields by position (_STAMP checked them): strptime's result, 10× faster
        return datetime(int(value[0:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]),
                        int(value[14:16]), int(value[17:19]), tzinfo=timezone.utc)
    except ValueError:
        raise MalformedData(path, f"{what} is not a real date: {value}") from None


def parse_user_date(value: str, what: str = "--closes") -> datetime:
    """A date a person typed: ``YYYY-MM-DD`` (end of that day, UTC) or ``YYYY-MM-DDTHH:MM``.

    An explicit offset (``+02:00`` or ``Z``) is honoured; without one the time is UTC.
    """
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            return day + timedelta(hours=23, minutes=59, seconds=59)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?", text):
            moment = datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment.astimezone(timezone.utc)
    except ValueError:
        pass
    raise InputError(f"{what} '{value}' is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)")


# --- members -------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyEntry:
    key: str  # "ssh-ed25519 AAAA..."
    person: str | None = None
    added: str | None = None
    revoked: str | None = None
    # when the key lost its authority (revoked, its member removed, its facilitator role
    # dropped): digests (trust.seals.digest) of every file it had signed then, which alone
    # stay valid
    sealed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    sector: str
    roles: tuple[str, ...]
    keys: tuple[KeyEntry, ...] = ()
    status: str = "active"
    updated_at: str | None = None
    updated_by: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    def has_role(self, role: str) -> bool:
        return self.active and role in self.roles

    def fields(self) -> dict[str, Any]:
        return {
            "v": 1, "type": "member", "id": self.id, "name": self.name, "sector": self.sector,
            "roles": list(self.roles), "status": self.status,
            "keys": [
                {k: v for k, v in (("key", e.key), ("person", e.person), ("added", e.added),
                                   ("revoked", e.revoked),
                                   ("sealed", None if e.sealed is None else list(e.sealed)))
                 if v is not None}
                for e in self.keys
            ],
            "updated_at": self.updated_at, "updated_by": self.updated_by,
        }


def member_from_fields(fields: dict[str, Any], path: str) -> Member:
    f = Fields(fields, path)
    f.version("member")
    raw_keys = fields.get("keys") or []
    if not isinstance(raw_keys, list):
        raise f.fail("field 'keys' must be a list")
    keys = []
    for item in raw_keys:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise f.fail("each entry of 'keys' needs a 'key'")
        sub = Fields(item, path)
        sealed = None
        if "sealed" in item:
            sealed = sub.strs("sealed", pattern=_SEAL)
        keys.append(KeyEntry(sub.req("key", limit=400), sub.str("person", optional=True, limit=200),
                             sub.str("added", optional=True, limit=40),
                             sub.str("revoked", optional=True, limit=40), sealed))
    return Member(
        id=f.req("id", pattern=SLUG_ID), name=f.req("name", limit=200),
        sector=f.req("sector", limit=63), roles=f.strs("roles"), keys=tuple(keys),
        status=f.req("status", choices=("active", "removed")) if "status" in fields else "active",
        updated_at=f.str("updated_at", optional=True, limit=40),
        updated_by=f.str("updated_by", optional=True, pattern=SLUG_ID),
    )


_SEAL = re.compile(r"[0-9a-f]{32}")

# --- principles ----------------------------------------------------------------------


@dataclass(frozen=True)
class Principle:
    id: str
    title: str
    body: str
    status: str = "active"
    path: str = ""
    updated_at: str | None = None  # when a facilitator signed this version (orders versions)
    themes: tuple[str, ...] = ()  # front matter: what community consent rules may name

    @property
    def active(self) -> bool:
        return self.status == "active"


def principle_from_fields(fields: dict[str, Any], body: str, path: str) -> Principle:
    f = Fields(fields, path)
    pid = fields.get("id")
    if not isinstance(pid, str) or not PRINCIPLE_ID.fullmatch(pid):
        raise f.fail("front matter 'id' must be a principle id like P03")
    return Principle(id=pid, title=f.req("title", limit=200), body=body,
                     status=f.req("status", choices=("active", "retired")), path=path,
                     updated_at=f.str("updated_at", optional=True, limit=40),
                     themes=f.strs("themes", pattern=SLUG_ID))


# --- rounds --------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    id: str
    title: str
    status: str
    opened_at: str
    closes_at: str
    draft: str
    principles: tuple[str, ...]
    opened_by: str | None = None
    closed_at: str | None = None
    closed_by: str | None = None
    updated_at: str | None = None  # when this version was signed (orders versions)

    @property
    def closes(self) -> datetime:
        return parse_stamp(self.closes_at, "closes_at")

    def is_open(self, at: datetime) -> bool:
        return self.status == "open" and at <= self.closes

    def fields(self) -> dict[str, Any]:
        return {
            "v": 1, "type": "round", "id": self.id, "title": self.title, "status": self.status,
            "opened_at": self.opened_at, "closes_at": self.closes_at, "draft": self.draft,
            "principles": list(self.principles), "opened_by": self.opened_by,
            "closed_at": self.closed_at, "closed_by": self.closed_by,
            **({"updated_at": self.updated_at} if self.updated_at else {}),
        }


_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def round_from_fields(fields: dict[str, Any], path: str) -> Round:
    f = Fields(fields, path)
    f.version("round")
    result = Round(
        id=f.req("id", pattern=SLUG_ID), title=f.req("title", limit=200),
        status=f.req("status", choices=("open", "closed")), opened_at=f.req("opened_at"),
        closes_at=f.req("closes_at"), draft=f.req("draft", pattern=_SHA),
        principles=f.strs("principles", pattern=PRINCIPLE_ID),
        opened_by=f.str("opened_by", optional=True, pattern=SLUG_ID),
        closed_at=f.str("closed_at", optional=True), closed_by=f.str("closed_by", optional=True),
        updated_at=f.str("updated_at", optional=True, limit=40),
    )
    parse_stamp(result.opened_at, "opened_at", path)
    parse_stamp(result.closes_at, "closes_at", path)
    return result


# --- comments and the other records of a member ------------------------------------------


@dataclass(frozen=True)
class Record:
    """A comment, withdrawal, endorsement or acknowledgement (one file of a member)."""

    type: str
    id: str
    round: str
    member: str
    submitted_at: str
    principle: str | None = None
    author: str | None = None
    stance: str | None = None
    kind: str | None = None
    attribution: str = "public"
    themes: tuple[str, ...] = ()
    anchor: dict[str, Any] | None = None
    text: str | None = None
    proposed_text: str | None = None
    supersedes: str | None = None
    target: str | None = None  # the comment withdrawn, endorsed or acknowledged
    answer: str | None = None  # acknowledgement: satisfied | maintains-objection
    encrypted: str | None = None  # confidential text and proposal, age-armored
    provenance: dict[str, Any] | None = None  # imported from a file: {source, sha256, item}
    lang: str | None = None  # the language a comment was written in (None: not recorded)
    # a confidential comment whose author chose its recipients (governance.recipients):
    # the members it is encrypted to (besides the author), and whether reports may name them
    shared_with: tuple[str, ...] | None = None
    holders_named: bool = False
    # Local Contexts Labels (governance.local_contexts) on a comment, or of a ``label`` record
    local_contexts: dict[str, Any] | None = None

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": 1, "type": self.type, "id": self.id, "round": self.round,
                               "principle": self.principle, "member": self.member,
                               "author": self.author}
        if self.type == "comment":
            out.update({"stance": self.stance, "kind": self.kind, "attribution": self.attribution,
                        # a confidential comment's themes are sealed inside ``encrypted``
                        "themes": None if self.encrypted else list(self.themes),
                        "anchor": self.anchor, "text": self.text,
                        "proposed_text": self.proposed_text, "encrypted": self.encrypted,
                        "supersedes": self.supersedes, "provenance": self.provenance})
            if self.lang:  # written only when known: older records stay byte for byte
                out["lang"] = self.lang
            if self.shared_with is not None:
                out.update({"shared_with": list(self.shared_with),
                            "holders_named": self.holders_named})
            if self.local_contexts is not None:
                out["local_contexts"] = self.local_contexts
        elif self.type == "withdrawal":
            out["withdraws"] = self.target
        elif self.type == "endorsement":
            out["endorses"] = self.target
            out["text"] = self.text
        elif self.type == "consent-withdrawal":
            out["withdraws_consent"] = self.target
            out["text"] = self.text
        elif self.type == "label":
            out["local_contexts"] = self.local_contexts
        elif self.type == "approval":  # governance.distinctions: target and text, renamed
            out["approves"] = self.target
            out["section_sha256"] = self.text
        else:
            out["acknowledges"] = self.target
            out["answer"] = self.answer
            out["text"] = self.text
        out["submitted_at"] = self.submitted_at
        return out


_LANG = re.compile(r"[a-z]{2,3}")  # a language code (coalition_cli.translations)

_TARGET_KEY = {"withdrawal": "withdraws", "endorsement": "endorses",
               "acknowledgement": "acknowledges", "consent-withdrawal": "withdraws_consent",
               "approval": "approves"}


def record_from_fields(fields: dict[str, Any], path: str,
                       stances: tuple[str, ...] | None = DEFAULT_STANCES) -> Record:
    return Record(**record_values(fields, path, stances))


def record_values(fields: dict[str, Any], path: str,
                  stances: tuple[str, ...] | None = DEFAULT_STANCES) -> dict[str, Any]:
    """The checked values of a record's fields, by name (``Record``'s keywords): what
    ``record_from_fields`` makes its record of, and what ``verify`` keeps of 100,000."""
    f = Fields(fields, path)
    if fields.get("v") != 1:
        raise f.fail("unsupported record version (expected v: 1)")
    kind = f.repeated("type", _TYPE)
    values = dict(
        type=kind, id=f.req("id", pattern=SLUG_ID), round=f.repeated("round", _SLUG),
        member=f.repeated("member", _SLUG), submitted_at=f.req("submitted_at"),
        principle=f.repeated("principle", _PRINCIPLE, optional=kind != "comment"),
        author=f.repeated("author", _AUTHOR, optional=True),
    )
    parse_stamp(values["submitted_at"], "submitted_at", path)
    if kind == "comment":
        values.update(_comment_values(fields, f, path, stances))
    elif kind == "label":
        if fields.get("principle") is None:
            raise f.fail("a label record names the principle it labels")
        labels = _labels(fields, path)
        if labels is None:
            raise f.fail("a label record needs 'local_contexts'")
        values["local_contexts"] = labels
    else:
        values["target"] = f.req(_TARGET_KEY[kind], pattern=SLUG_ID)
        if kind == "approval":  # a report section (its id) and the SHA-256 of what it showed
            values["text"] = f.req("section_sha256", pattern=_SHA256)
        else:
            values["answer"] = (f.repeated("answer", _ANSWER) if kind == "acknowledgement"
                                else None)
            values["text"] = f.str("text", optional=True)
    return values


def _comment_values(fields: dict[str, Any], f: Fields, path: str,
                    stances: tuple[str, ...] | None) -> dict[str, Any]:
    anchor = fields.get("anchor")
    if anchor is not None:
        if not isinstance(anchor, dict) or not _ANCHOR_KEYS.issuperset(anchor):
            # (a key of its own could hold what YAML reads as a date: a value that neither
            # the verdict cache nor verify's workers can carry, kept as it was read)
            raise f.fail("field 'anchor' must be a mapping of quote, prefix, suffix, start, end")
        a = Fields(anchor, path)
        a.req("quote", limit=2_000)
        for key in ("prefix", "suffix"):
            a.str(key, optional=True, limit=200)
        for key in ("start", "end"):
            if not isinstance(anchor.get(key), int) or isinstance(anchor.get(key), bool):
                raise f.fail(f"anchor '{key}' must be a number")
    stance = _STANCES.get(stances)
    if stance is None:
        if len(_STANCES) >= 64:
            _STANCES.clear()
        stance = _STANCES[stances] = Repeated(choices=stances, limit=63)
    return dict(
        stance=f.repeated("stance", stance), kind=f.repeated("kind", _KIND),
        attribution=f.repeated("attribution", _ATTRIBUTION), themes=f.strs("themes"),
        anchor=anchor, text=f.str("text", optional="encrypted" in fields),
        proposed_text=f.str("proposed_text", optional=True),
        encrypted=f.str("encrypted", optional=True, limit=200_000),
        supersedes=f.str("supersedes", optional=True, pattern=SLUG_ID),
        provenance=_provenance(fields, path),
        lang=f.repeated("lang", _LANGUAGE, optional=True),
        **_sharing(fields, f), local_contexts=_labels(fields, path),
    )


_ANCHOR_KEYS = frozenset({"quote", "prefix", "suffix", "start", "end"})

# the fields of a record whose values repeat (``Fields.repeated``)
_TYPE = Repeated(choices=RECORD_TYPES)
_SLUG = Repeated(pattern=SLUG_ID)  # a round's or a member's id
_PRINCIPLE = Repeated(pattern=PRINCIPLE_ID)
_AUTHOR = Repeated(limit=200)
_KIND = Repeated(choices=KINDS)
_ATTRIBUTION = Repeated(choices=ATTRIBUTIONS)
_ANSWER = Repeated(choices=ANSWERS)
_LANGUAGE = Repeated(pattern=_LANG)
_STANCES: dict[tuple[str, ...] | None, Repeated] = {}  # by the stances a config allows


PROVENANCE_SOURCES = ("word-review",)
_PROVENANCE_KEYS = {"source", "sha256", "item"}


def _provenance(fields: dict[str, Any], path: str) -> dict[str, Any] | None:
    """``provenance`` (optional, comments only): the file a comment was imported from —
    ``source`` (``word-review``), ``sha256`` of the file's bytes, ``item`` (which comment
    or change of the file it is)."""
    value = fields.get("provenance")
    if value is None:
        return None
    f = Fields(fields, path)
    if not isinstance(value, dict) or set(value) != _PROVENANCE_KEYS:
        raise f.fail("field 'provenance' must be a mapping of source, sha256 and item")
    p = Fields(value, path)
    p.req("source", choices=PROVENANCE_SOURCES)
    p.req("sha256", pattern=_SHA256)
    p.req("item", limit=100)
    return value


def _labels(fields: dict[str, Any], path: str) -> dict[str, Any] | None:
    if fields.get("local_contexts") is None:  # most records: no import, no call
        return None
    from .governance.fields import labels

    return labels(fields, path)


def _sharing(fields: dict[str, Any], f: Fields) -> dict[str, Any]:
    if "shared_with" not in fields:
        return {}
    from .governance.fields import sharing

    return sharing(fields, f)


@dataclass(frozen=True)
class Response:
    comment: str
    round: str
    disposition: str
    rationale: str
    responded_at: str
    responder: str
    commit: str | None = None

    def fields(self) -> dict[str, Any]:
        return {"v": 1, "type": "response", "comment": self.comment, "round": self.round,
                "disposition": self.disposition, "rationale": self.rationale,
                "commit": self.commit, "responder": self.responder,
                "responded_at": self.responded_at}


def response_from_fields(fields: dict[str, Any], path: str) -> Response:
    f = Fields(fields, path)
    f.version("response")
    return Response(
        comment=f.req("comment", pattern=SLUG_ID), round=f.req("round", pattern=SLUG_ID),
        disposition=f.req("disposition", choices=DISPOSITIONS), rationale=f.req("rationale"),
        responded_at=f.req("responded_at"), responder=f.req("responder", pattern=SLUG_ID),
        commit=f.str("commit", optional=True, pattern=_SHA),
    )


@dataclass(frozen=True)
class Closing:
    round: str
    closed_at: str
    closed_by: str
    records: dict[str, str] = field(default_factory=dict)  # path in round -> sha256 of bytes


def closing_from_fields(fields: dict[str, Any], path: str) -> Closing:
    f = Fields(fields, path)
    f.version("closing")
    raw = fields.get("records")
    if not isinstance(raw, list) or not all(
        isinstance(r, list) and len(r) == 2 and all(isinstance(x, str) for x in r) for r in raw
    ):
        raise f.fail("field 'records' must be a list of [path, sha256] pairs")
    return Closing(round=f.req("round", pattern=SLUG_ID), closed_at=f.req("closed_at"),
                   closed_by=f.req("closed_by", pattern=SLUG_ID),
                   records={p: h for p, h in raw})


# --- a facilitator's corrections: redaction and reopening ----------------------------


@dataclass(frozen=True)
class Redaction:
    """``rounds/<round>/redactions/<record-id>.yaml``: a facilitator took a record out of the
    tree, with a reason; the removed file's path and SHA-256 say exactly which bytes."""

    round: str
    record: str
    path: str  # the removed record, relative to the round folder
    digest: str  # SHA-256 of its bytes
    reason: str
    redacted_at: str
    redacted_by: str

    def fields(self) -> dict[str, Any]:
        return {"v": 1, "type": "redaction", "round": self.round, "record": self.record,
                "path": self.path, "sha256": self.digest, "reason": self.reason,
                "redacted_by": self.redacted_by, "redacted_at": self.redacted_at}


def redaction_from_fields(fields: dict[str, Any], path: str) -> Redaction:
    f = Fields(fields, path)
    f.version("redaction")
    result = Redaction(round=f.req("round", pattern=SLUG_ID), record=f.req("record", pattern=SLUG_ID),
                       path=f.req("path", limit=400), digest=f.req("sha256", pattern=_SHA256),
                       reason=f.req("reason", limit=2000), redacted_at=f.req("redacted_at"),
                       redacted_by=f.req("redacted_by", pattern=SLUG_ID))
    parse_stamp(result.redacted_at, "redacted_at", path)
    return result


@dataclass(frozen=True)
class Reopening:
    """``rounds/<round>/reopenings/<digest[:16]>.yaml``: a facilitator reopened a closed round;
    ``closing`` is the SHA-256 of the closing manifest it sets aside."""

    round: str
    closing: str
    closes_at: str
    reason: str
    reopened_at: str
    reopened_by: str

    def fields(self) -> dict[str, Any]:
        return {"v": 1, "type": "reopening", "round": self.round, "closing": self.closing,
                "closes_at": self.closes_at, "reason": self.reason,
                "reopened_by": self.reopened_by, "reopened_at": self.reopened_at}


def reopening_from_fields(fields: dict[str, Any], path: str) -> Reopening:
    f = Fields(fields, path)
    f.version("reopening")
    result = Reopening(round=f.req("round", pattern=SLUG_ID), closing=f.req("closing", pattern=_SHA256),
                       closes_at=f.req("closes_at"), reason=f.req("reason", limit=2000),
                       reopened_at=f.req("reopened_at"),
                       reopened_by=f.req("reopened_by", pattern=SLUG_ID))
    parse_stamp(result.closes_at, "closes_at", path)
    parse_stamp(result.reopened_at, "reopened_at", path)
    return result


_SHA256 = re.compile(r"[0-9a-f]{64}")


# --- coalition.yaml ------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    name: str
    stances: tuple[str, ...] = DEFAULT_STANCES
    sectors: tuple[str, ...] = DEFAULT_SECTORS
    themes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    quorum: float = 0.5
    threshold: float = 0.75
    max_blocks: int = 0
    founders: tuple[str, ...] = ()  # pinned facilitator key fingerprints
    description: str = ""
    updated_at: str | None = None  # when a facilitator signed this version (orders versions)
    distinctions: tuple = ()  # governance.distinctions.Distinction: report sections
    silence: str = "abstain"  # consensus.silence: abstain | consent (governance.consent)
    community: tuple = ()  # consensus.community: governance.consent.CommunityRule, in order


def config_from_fields(fields: Any, path: str) -> Config:
    if not isinstance(fields, dict):
        raise MalformedData(path, "expected a mapping", line=1)
    f = Fields(fields, path)
    consensus = fields.get("consensus") or {}
    if not isinstance(consensus, dict):
        raise f.fail("'consensus' must be a mapping of quorum, threshold and max_blocks")

    def number(key: str, default: float, low: float, high: float) -> float:
        value = consensus.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise f.fail(f"consensus '{key}' must be a number from {low} to {high}")
        return value

    trust = fields.get("trust") or {}
    if not isinstance(trust, dict):
        raise f.fail("'trust' must be a mapping")
    founders = Fields(trust, path).strs("founders")
    stances = f.strs("stances") or DEFAULT_STANCES
    for required in ("support", "block"):
        if required not in stances:
            raise f.fail(f"'stances' must include '{required}'")
    sectors = f.strs("sectors", pattern=SLUG_ID) or DEFAULT_SECTORS
    from .governance.consent import parse as parse_consent

    silence, community = parse_consent(consensus, path, sectors)
    from .governance.distinctions import parse as parse_distinctions

    return Config(
        distinctions=parse_distinctions(fields.get("distinctions"), path),
        name=f.req("name", limit=200), stances=stances, sectors=sectors,
        silence=silence, community=community,
        themes=f.strs("themes", pattern=SLUG_ID), languages=f.strs("languages") or ("en",),
        quorum=number("quorum", 0.5, 0, 1), threshold=number("threshold", 0.75, 0, 1),
        max_blocks=int(number("max_blocks", 0, 0, 10_000)), founders=founders,
        description=f.str("description", optional=True, limit=2000) or "",
        updated_at=f.str("updated_at", optional=True, limit=40),
    )
