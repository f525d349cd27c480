"""Creating an agenda and changing its signed settings (``coalition.yaml``), and bringing
an agenda from before signed settings up to date."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

from .. import records
from ..agenda import CONFIG, Agenda, Snapshot
from ..errors import InputError, NotPermitted
from ..identity import Identity
from ..ids import check_slug
from ..model import (
    DEFAULT_SECTORS,
    DEFAULT_STANCES,
    KeyEntry,
    Member,
    member_from_fields,
    stamp,
)
from ..store import Git, literal
from . import _write
from ._write import (
    GITATTRIBUTES,
    Written,
    _commit,
    _later,
    _rel,
    _signed,
    _signed_bytes,
    _who,
    require_role,
    verified,
)
from ..governance.settings import (
    CONSENT_COMMENT,
    DISTINCTIONS_COMMENT,
    default_governance,
    governance_setting,
)
from .principles import _principle_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def init(path: Path, *, name: str, facilitator: str, facilitator_name: str | None = None,
         key: object, sector: str = "network", person: str | None = None,
         base_config: dict[str, Any] | None = None) -> tuple[Agenda, str]:
    """Create (or reuse) a git repository at ``path`` and a new agenda in it."""
    assert hasattr(key, "sign") and hasattr(key, "public")  # signing.PrivateKey or an agent's key
    check_slug(facilitator, "member")
    name = records.clean_text(name, "the coalition name", limit=200, required=True,
                              multiline=False) or ""
    path = Path(path).expanduser()
    folder = path / "agenda"
    if (folder / CONFIG).exists():
        raise InputError(f"{folder} already holds an agenda", hint="use it, or choose another PATH")
    path.mkdir(parents=True, exist_ok=True)
    git = Git.discover(path)
    if git is None or git.root.resolve() != path.resolve():
        if git is None:
            subprocess.run(["git", "init", "-q", str(path)], check=True,  # git's default branch
                           capture_output=True)
        git = Git(path.resolve())
    agenda = Agenda(git, folder.resolve().relative_to(git.root.resolve()).as_posix())
    base = dict(base_config or {})
    config = {
        "name": name,
        "description": base.get("description", ""),
        "languages": check_languages(list(base.get("languages", ["en"]))),
        "stances": base.get("stances", list(DEFAULT_STANCES)),
        "consensus": base.get("consensus", {"quorum": 0.5, "threshold": 0.75, "max_blocks": 0,
                                            **default_governance()}),
        "sectors": base.get("sectors", list(DEFAULT_SECTORS)),
        "themes": base.get("themes", []),
        "distinctions": base.get("distinctions", []),
        "trust": {"founders": [key.public.fingerprint]},
        "updated_at": stamp(_write.now()),
    }
    config_text = _config_yaml(config)
    member = Member(id=facilitator, name=facilitator_name or name, sector=sector,
                    roles=("facilitator", "staff"),
                    keys=(KeyEntry(key.public.openssh, person, stamp(_write.now())),),
                    updated_at=stamp(_write.now()), updated_by=facilitator)
    identity = Identity(member, key, member.keys[0])
    files: dict[str, bytes | None] = {agenda.p(".gitattributes"): GITATTRIBUTES.encode()}
    files.update(_signed_bytes(agenda, identity, CONFIG, config_text.encode("utf-8")))
    files.update(_signed(agenda, identity, f"members/{facilitator}.yaml", member.fields()))
    commit = _commit(agenda, identity, files, f"Create the agenda of {name}\n\n"
                     f"Founding facilitator: {facilitator} ({key.public.fingerprint})")
    from ..trust.roots import pin

    pin(git, [key.public.fingerprint])  # the founder's own clone trusts the founder's key
    return agenda, commit


def _config_yaml(config: dict[str, Any]) -> str:
    dumps = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    consensus = config["consensus"]
    lines = [
        "# The coalition's settings, signed by a facilitator (coalition.yaml.sig): change them",
        "# with coalition config set/edit, never by hand.",
        f"name: {dumps(config['name'])}",
        f"description: {dumps(config['description'])}",
        f"languages: {dumps(config['languages'])}",
        f"stances: {dumps(config['stances'])}",
        "# quorum: share of voting members who must take a stance; threshold: support share",
        "# needed for consensus; max_blocks: blocks a principle may carry and still pass.",
        *CONSENT_COMMENT,
        "consensus: " + dumps({"quorum": consensus.get("quorum", 0.5),
                               "threshold": consensus.get("threshold", 0.75),
                               "max_blocks": consensus.get("max_blocks", 0),
                               "silence": consensus.get("silence", "abstain"),
                               "community": consensus.get("community", [])}),
        f"sectors: {dumps(config['sectors'])}",
        f"themes: {dumps(config['themes'])}",
        *DISTINCTIONS_COMMENT,
        f"distinctions: {dumps(config.get('distinctions', []))}",
        "# Fingerprints of the founding facilitators' keys: the root of trust of the registry.",
        "trust: " + dumps({"founders": config["trust"]["founders"]}),
        f"updated_at: {dumps(config['updated_at'])}",
    ]
    return "\n".join(lines) + "\n"


CONFIG_KEYS = ("name", "description", "languages", "stances", "sectors", "themes",
               "consensus.quorum", "consensus.threshold", "consensus.max_blocks",
               "consensus.silence", "consensus.community", "distinctions", "trust.founders")


def _config_dict(config: Any) -> dict[str, Any]:
    return {"name": config.name, "description": config.description,
            "languages": list(config.languages), "stances": list(config.stances),
            "consensus": {"quorum": config.quorum, "threshold": config.threshold,
                          "max_blocks": config.max_blocks, "silence": config.silence,
                          "community": [rule.fields() for rule in config.community]},
            "sectors": list(config.sectors), "themes": list(config.themes),
            "distinctions": [d.fields() for d in config.distinctions],
            "trust": {"founders": list(config.founders)}, "updated_at": config.updated_at}


def _setting(key: str, value: str) -> Any:
    if key in ("consensus.silence", "consensus.community", "distinctions"):
        return governance_setting(key, value)
    if key.startswith("consensus."):
        try:
            number = float(value)
        except ValueError:
            raise InputError(f"{key} must be a number, not '{value}'") from None
        return int(number) if key.endswith("max_blocks") and number.is_integer() else number
    if key == "trust.founders":
        from ..trust.roots import check_fingerprint

        return [check_fingerprint(v) for v in value.split(",") if v.strip()]
    if key == "languages":
        return check_languages(value.split(","))
    if key in ("languages", "stances", "sectors", "themes"):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def check_languages(codes: list[str]) -> list[str]:
    """The agenda's languages, the first the reference: real codes, each once, at least one."""
    from ..translations import check_code

    out = [check_code(c.strip(), "language") for c in codes if c.strip()]
    if not out:
        raise InputError("languages needs at least one language code", hint="e.g. en,fr")
    if len(set(out)) != len(out):
        raise InputError(f"a language is listed twice in {','.join(out)}")
    return out


def config_set(agenda: Agenda, identity: Identity, key: str, value: str) -> Written:
    """Change one setting of ``coalition.yaml``: validated, signed, committed."""
    snap = verified(agenda)
    require_role(identity, "facilitator", "change the coalition's settings")
    if key not in CONFIG_KEYS:
        raise InputError(f"unknown setting '{key}'", hint=f"settings: {', '.join(CONFIG_KEYS)}")
    config = _config_dict(snap.config)
    head, _dot, sub = key.partition(".")
    if sub:
        config[head] = {**config[head], sub: _setting(key, value)}
    else:
        config[key] = _setting(key, value)
    return _write_config(agenda, identity, snap, _config_yaml(
        {**config, "updated_at": _later(snap.config.updated_at)}), f"settings: {key} = {value}")


def config_replace(agenda: Agenda, identity: Identity, text: str) -> Written:
    """Replace ``coalition.yaml`` by ``text`` (``coalition config edit``): validated, signed."""
    snap = verified(agenda)
    require_role(identity, "facilitator", "change the coalition's settings")
    return _write_config(agenda, identity, snap, _stamped(text, snap.config.updated_at),
                         "settings: edited")


def _stamped(text: str, previous: str | None) -> str:
    """``text`` with its ``updated_at:`` line set to a time after ``previous``."""
    import re

    line = f"updated_at: {json.dumps(_later(previous))}"
    if re.search(r"(?m)^updated_at:.*$", text):
        return re.sub(r"(?m)^updated_at:.*$", line, text, count=1)
    return text.rstrip("\n") + "\n" + line + "\n"


def _write_config(agenda: Agenda, identity: Identity, snap: Snapshot, text: str,
                  message: str) -> Written:
    from ..model import config_from_fields

    data = text.encode("utf-8")
    path = agenda.p(CONFIG)
    new = config_from_fields(records.load_yaml_bytes(data, path), path)  # refuses what is invalid
    if set(new.founders) != set(snap.config.founders):
        if identity.key.public.fingerprint not in snap.trusted.ledger.founders:  # type: ignore[attr-defined]
            raise NotPermitted("only a founder may change trust.founders",
                               hint="ask a founding facilitator to sign this change")
    if (snap.read(CONFIG) or b"") == data:
        raise InputError("coalition.yaml is unchanged: nothing to commit")
    commit = _commit(agenda, identity, _signed_bytes(agenda, identity, CONFIG, data),
                     f"{message} ({_who(identity)})")
    return Written("coalition.yaml", path, commit)


def migrate(agenda: Agenda, identity: Identity) -> Written | None:
    """Sign ``coalition.yaml`` and every principle that has no trusted version, as the
    facilitator running it, and seal the keys revoked before seals existed (with what the
    revoking commit's tree held that the key had signed). None when nothing is left to do."""
    from ..trust.view import migration_snapshot

    snap = migration_snapshot(agenda)
    require_role(identity, "facilitator", "migrate the agenda")
    state = snap.trusted.ledger.state  # type: ignore[attr-defined]
    if CONFIG in state.files:
        # migrated already: signing whatever is unsigned now would launder a member's plain
        # git edit into a facilitator's text
        raise NotPermitted("this agenda's settings were signed already: it is migrated",
                           hint="see what changed with: coalition verify; a facilitator "
                                "signs a principle with: coalition principle edit")
    files: dict[str, bytes | None] = {}
    done = []
    config_data = snap.read(CONFIG) or b""
    trusted_config = state.files.get(CONFIG)
    if trusted_config is None or snap.git.object_id(
            f"{snap.commit}:{agenda.p(CONFIG)}") != trusted_config.blob:
        text = _stamped(config_data.decode("utf-8"), snap.config.updated_at)
        files.update(_signed_bytes(agenda, identity, CONFIG, text.encode("utf-8")))
        done.append("coalition.yaml")
    for principle in snap.principles.values():
        rel = _rel(agenda, principle.path)
        version = state.files.get(rel)
        blob = snap.git.object_id(f"{snap.commit}:{principle.path}")
        if version is not None and version.blob == blob:
            continue
        data = _principle_file({"id": principle.id, "title": principle.title,
                                "status": principle.status,
                                **({"themes": list(principle.themes)} if principle.themes else {})},
                               principle.body, principle.updated_at)
        files.update(_signed_bytes(agenda, identity, rel, data))
        done.append(principle.id)
    for member in snap.members.values():
        if any(e.revoked and e.sealed is None for e in member.keys):
            keys = tuple(replace(e, sealed=_legacy_seal(agenda, snap, member.id, e.key))
                         if e.revoked and e.sealed is None else e for e in member.keys)
            updated = replace(member, keys=keys, updated_at=_later(member.updated_at),
                              updated_by=identity.member.id)
            files.update(_signed(agenda, identity, f"members/{member.id}.yaml", updated.fields()))
            done.append(f"seals of {member.id}")
    if not files:
        return None
    commit = _commit(agenda, identity, files,
                     f"migrate: sign {', '.join(done)} ({_who(identity)})")
    return Written(", ".join(done), agenda.p(CONFIG), commit)


def _legacy_seal(agenda: Agenda, snap: Snapshot, member_id: str, key: str) -> tuple[str, ...]:
    """A seal for a key revoked before seals existed: the files signed by it that were in
    the tree of the first commit (along first parents) storing it revoked."""
    from ..records import parse_record
    from ..signing import verify_detached_fast
    from ..trust.seals import digest

    path = agenda.p(f"members/{member_id}.yaml")
    log = agenda.git.run("log", "--format=%H", "--reverse", "--first-parent", snap.commit,
                         "--", literal(path)).decode().split()
    revoking = None
    for commit, data in zip(log, agenda.git.read_objects([f"{c}:{path}" for c in log])):
        try:
            member = member_from_fields(parse_record(data or b"", path), path)
        except InputError:
            continue
        if any(e.key == key and e.revoked for e in member.keys):
            revoking = commit
            break
    if revoking is None:
        return ()
    entries = [e for e in agenda.git.ls_tree(revoking, agenda.p("rounds")) + agenda.git.ls_tree(
        revoking, agenda.p("members")) if not e.path.endswith(".sig")]
    names = [e.sha for e in entries]
    sig_names = [f"{revoking}:{e.path}.sig" for e in entries]
    out = set()
    blobs = agenda.git.read_objects(names + sig_names)
    for i, _entry in enumerate(entries):
        data, sig = blobs[i], blobs[len(entries) + i]
        found = verify_detached_fast(data or b"", sig) if sig else None
        if found is not None and found.openssh == key:
            out.add(digest(data or b""))
    return tuple(sorted(out))
