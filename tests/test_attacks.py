"""Issue 10: the insider's attacks, made as an insider would make them.

The attacker is a registered member with push access to the shared remote. Every
attack below is made with NOTHING but plain `git` and `ssh-keygen -Y sign -n
coalition-cli` subprocesses (the legitimate agenda before it is built through the
CLI, once per test process, and copied for each test). Each test then asks
`coalition verify --format json` through the CLI and expects exit 1 with the problem
kind and the path that /work/trust-interface.md (issue 10) names; where the interface says so,
writes refuse with exit 4 and nothing is written, reports never count the forged
data, and `member allowed-signers` never exports an unverified key.

The last part holds the legitimate paths that must stay clean (exit 0), and the
check that stock OpenSSH agrees with `coalition` both ways. docs/SECURITY.md maps
each promise to the test here that shows it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import Cli, Coalition, git, repo_state

NS = "coalition-cli"
A = "agenda"  # the agenda folder, repository-relative
MEMBER_OF_NOBODY = "Coalition member <member@members.coalition.invalid>"
CLEAR_FIELDS = {"v", "type", "id", "round", "principle", "member", "stance", "kind",
                "attribution", "supersedes", "submitted_at", "encrypted"}  # of a confidential one

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH")


# --- plain-git and ssh-keygen helpers (what the attacker has) --------------------------------


def commit(repo: Path, message: str) -> str:
    """`git add -A && git commit`: the attacker's whole toolbox for writing."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return head(repo)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def delete(repo: Path, *rels: str) -> None:
    """`git rm` a file and its signature (whichever exist)."""
    for rel in rels:
        for name in (rel, f"{rel}.sig"):
            if (repo / name).exists():
                git(repo, "rm", "-q", name)


def ssh_sign(key: Path, file: Path) -> None:
    """`ssh-keygen -Y sign -n coalition-cli -f KEY FILE` (writes FILE.sig)."""
    Path(f"{file}.sig").unlink(missing_ok=True)
    proc = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", NS, "-f", str(key), str(file)],
                          capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr.decode()


def ssh_verify(allowed: Path, principal: str, file: Path) -> int:
    proc = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", principal,
                           "-n", NS, "-s", f"{file}.sig"], input=file.read_bytes(),
                          capture_output=True, timeout=30)
    return proc.returncode


def ssh_keygen(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name,
                    "-f", str(folder / name)], check=True, capture_output=True, timeout=30)
    return folder / name


def fingerprint(key: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-l", "-f", f"{key}.pub"], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    return out.split()[1]


def public(key: Path) -> str:
    return " ".join(Path(f"{key}.pub").read_text().split()[:2])


def utc(delta: timedelta = timedelta()) -> str:
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def forge_comment(repo: Path, key: Path, member: str, *, round_id: str = "r1",
                  principle: str = "P01", stance: str = "block", text: str = "Forged.",
                  attribution: str = "public") -> str:
    """A comment record written by hand and signed with ssh-keygen; returns its path."""
    record_id = secrets.token_hex(8)
    rel = f"{A}/rounds/{round_id}/comments/{member}/{record_id}.yaml"
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'v: 1\ntype: "comment"\nid: "{record_id}"\nround: "{round_id}"\n'
        f'principle: "{principle}"\nmember: "{member}"\nstance: "{stance}"\n'
        f'kind: "substantive"\nattribution: "{attribution}"\nthemes: []\n'
        f'text: "{text}"\nsubmitted_at: "{utc()}"\n', encoding="utf-8")
    ssh_sign(key, path)
    return rel


def plain_agenda(repo: Path, name: str, founders: list[Path]) -> None:
    """A new repository and agenda/ written by hand: .gitattributes and a coalition.yaml
    of the first edition's form, listing ``founders``' fingerprints (not signed)."""
    git(repo.parent, "init", "-q", str(repo))
    for folder in ("members", "principles"):
        (repo / A / folder).mkdir(parents=True)
    (repo / A / ".gitattributes").write_text("*.yaml -text\n*.sig -text\n*.md -text\n")
    listed = ", ".join(f'"{fingerprint(k)}"' for k in founders)
    (repo / A / "coalition.yaml").write_text(
        f'name: "{name}"\ndescription: ""\nlanguages: ["en"]\n'
        'stances: ["support", "amend", "neutral", "oppose", "block"]\n'
        "consensus:\n  quorum: 0.5\n  threshold: 0.75\n  max_blocks: 0\n"
        'sectors: ["funder", "service-provider", "advocacy", "indigenous-led", "research", '
        f'"network"]\nthemes: []\ntrust:\n  founders: [{listed}]\n')


def plain_member(repo: Path, member: str, signer: Path, roles: list[str],
                 keys: list[dict[str, str]]) -> None:
    """members/<member>.yaml written by hand and signed with ssh-keygen by ``signer``."""
    path = repo / A / "members" / f"{member}.yaml"
    path.write_text(f'v: 1\ntype: "member"\nid: "{member}"\nname: "{member.title()} Org"\n'
                    f'sector: "network"\nroles: {json.dumps(roles)}\nstatus: "active"\n'
                    f'keys: [{", ".join(json.dumps(k) for k in keys)}]\n'
                    f'updated_at: "{utc()}"\nupdated_by: "sec"\n')
    ssh_sign(signer, path)


def plain_principle(repo: Path, pid: str, slug: str, title: str, body: str,
                    signer: Path | None = None) -> str:
    rel = f"{A}/principles/{pid}-{slug}.md"
    (repo / rel).write_text(f'---\nid: "{pid}"\ntitle: "{title}"\nstatus: "active"\n---\n\n'
                            f"{body}\n")
    if signer is not None:
        ssh_sign(signer, repo / rel)
    return rel


def merge_taking(repo: Path, old: str, *rels: str) -> str:
    """A merge of HEAD with ``old`` whose tree takes ``rels`` (and their .sig) from ``old``:
    `git checkout OLD -- FILES; git commit-tree $(git write-tree) -p HEAD -p OLD`."""
    for rel in rels:
        git(repo, "checkout", "-q", old, "--", rel, f"{rel}.sig")
    tree = git(repo, "write-tree").strip()
    merge = git(repo, "commit-tree", tree, "-p", "HEAD", "-p", old, "-m", "Merge branch 'side'")
    git(repo, "merge", "-q", "--ff-only", merge.strip())
    return head(repo)


# --- the coalition tool, as users and checkers run it ----------------------------------------


def run(repo: Path, *args: str | Path, key: Path | None = None, code: int | None = 0):
    """`coalition ARGS` in ``repo``, signing (where it signs) with ``key``."""
    return Cli(repo)(*args, env={"COALITION_KEY": str(key)} if key else None, code=code)


def verify(repo: Path, *extra: str, code: int = 1) -> dict:
    data = json.loads(run(repo, "verify", "--format", "json", *extra, code=code).stdout)
    assert data["ok"] is (code == 0), data
    return data


def found(data: dict) -> set[tuple[str, str]]:
    return {(p["path"], p["problem"]) for p in data["problems"]}


def caught(repo: Path, path: str, kind: str, *extra: str) -> dict:
    """verify exits 1 and names ``kind`` on ``path``."""
    data = verify(repo, *extra, code=1)
    assert (path, kind) in found(data), json.dumps(data["problems"], indent=1)
    return data


def refused(repo: Path, *args: str | Path, key: Path | None = None, code: int = 4) -> str:
    """A write that must refuse: exit 4 (3 for a forged coalition.yaml: bad agenda data, as
    the issue asks), one error line, a hint naming `coalition verify`, and nothing written.
    Returns stderr."""
    before = repo_state(repo)
    result = run(repo, *args, key=key, code=None)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and "coalition verify" in result.stderr
    assert repo_state(repo) == before
    return result.stderr


def summary(repo: Path, fmt: str = "json", code: int = 0):
    out = run(repo, "summary", "--format", fmt, code=code).stdout
    return json.loads(out) if fmt == "json" and code == 0 else out


def principle_of(summary_data: dict, pid: str) -> dict:
    return next(p for p in summary_data["principles"] if p["id"] == pid)


def open_round(c: Coalition, round_id: str = "r1") -> None:
    run(c.root, "round", "open", round_id, "--title", "Reading", "--closes",
        utc(timedelta(days=30))[:10], key=c.key("sec"))


def comment(c: Coalition, member: str, *, principle: str = "P01", stance: str = "support",
            text: str = "A comment.", attribution: str = "public",
            repo: Path | None = None) -> dict:
    out = run(repo or c.root, "comment", "add", "-p", principle, "-s", stance, "--text", text,
              "--attribution", attribution, "--format", "json", key=c.key(member)).stdout
    return json.loads(out)


def pubfile(c: Coalition, member: str) -> Path:
    return Path(f"{c.key(member)}.pub")


def principle_path(c: Coalition, pid: str) -> str:
    [path] = (c.root / A / "principles").glob(f"{pid}-*.md")
    return path.relative_to(c.root).as_posix()


def readable_by(repo: Path, key: Path) -> list[str]:
    """Paths of every encrypted record in the tree that ``key`` can open (pyrage, stock age)."""
    import pyrage
    from ruamel.yaml import YAML

    identity = pyrage.ssh.Identity.from_buffer(key.read_bytes())
    opened = []
    for path in sorted((repo / A / "rounds").rglob("*.yaml")):
        fields = YAML(typ="safe").load(path.read_bytes()) or {}
        armored = fields.get("encrypted") if isinstance(fields, dict) else None
        if not armored:
            continue
        lines = armored.strip().splitlines()
        try:
            pyrage.decrypt(base64.b64decode("".join(lines[1:-1])), [identity])
        except Exception:  # noqa: BLE001 - not a recipient
            continue
        opened.append(path.relative_to(repo).as_posix())
    return opened


# --- the legitimate agendas, built once per test process through the CLI, copied per test ----

MEMBERS = (("health", "service-provider"), ("youth", "advocacy"), ("fund", "funder"))
PRINCIPLES = (
    ("Community benefit", "Data reuse must serve the community.\n\nThe coalition commits to "
                          "annual public reporting on every agreement."),
    ("Privacy", "Personal data is protected. De-identification is not anonymity."),
    ("Indigenous data sovereignty", "Indigenous peoples govern data about them."),
)
_TEMPLATES: dict[str, Path] = {}


def build_base(where: Path) -> dict:
    """Facilitator `sec`; members `health`, `youth`, `fund`; principles P01-P03."""
    keys = where / "keys"
    for name in ("sec", *(m for m, _s in MEMBERS)):
        ssh_keygen(keys, name)
    repo = where / "repo"
    run(where, "init", repo, "--name", "Test Coalition", "--facilitator", "sec",
        "--facilitator-name", "Secretariat", "--person", "Maya", "--key", keys / "sec")
    for member, sector in MEMBERS:
        run(repo, "member", "add", member, "--name", f"{member.title()} Org", "--sector", sector,
            "--role", "member", "--key", keys / f"{member}.pub", key=keys / "sec")
    for title, body in PRINCIPLES:
        run(repo, "principle", "add", title, "--body", body, key=keys / "sec")
    return {}


def build_consultation(c: Coalition) -> dict:
    """r1: comments by health and youth, closed, health's answered; r2 open with fund's."""
    open_round(c, "r1")
    h = comment(c, "health", text="Health on P01.")
    y = comment(c, "youth", principle="P02", stance="oppose", text="Youth on P02.")
    run(c.root, "round", "close", "r1", key=c.key("sec"))
    close = head(c.root)
    run(c.root, "respond", h["id"], "--disposition", "noted", "--rationale", "Thanks.",
        key=c.key("sec"))
    open_round(c, "r2")
    f = comment(c, "fund", text="Fund on P01 in r2.")
    return {"health": h, "youth": y, "fund": f, "close": close}


def build_opened(c: Coalition) -> dict:
    """Round r1 open on P01-P03."""
    open_round(c)
    return {}


def build_revoked(c: Coalition) -> dict:
    """r1 open, health comments, then health's key is revoked."""
    open_round(c)
    earlier = comment(c, "health", text="Signed before the revocation.")
    fork = head(c.root)
    run(c.root, "member", "revoke-key", "health", "--key", pubfile(c, "health"), key=c.key("sec"))
    return {"earlier": earlier, "fork": fork, "revocation": head(c.root)}


def copied(src: Path, dst: Path) -> Coalition:
    shutil.copytree(src, dst, symlinks=True)
    shutil.rmtree(dst / "repo/.git/coalition", ignore_errors=True)  # no cache, no pinned head
    keys = {p.name: p for p in (dst / "keys").iterdir() if p.suffix != ".pub"}
    return Coalition(root=dst / "repo", agenda=None, keys=keys)  # type: ignore[arg-type]


def template(name: str, factory: pytest.TempPathFactory) -> Path:
    """The folder (repo/, keys/, facts.json) of the agenda ``name``, built on first use."""
    if name not in _TEMPLATES:
        if name == "base":
            where = factory.mktemp("template-base")
            facts = build_base(where)
        else:
            where = factory.mktemp(f"template-{name}") / "t"
            c = copied(template("base", factory), where)
            facts = {"opened": build_opened, "consultation": build_consultation,
                     "revoked": build_revoked}[name](c)
        (where / "facts.json").write_text(json.dumps(facts))
        _TEMPLATES[name] = where
    return _TEMPLATES[name]


def agenda_from(name: str, factory: pytest.TempPathFactory,
                tmp_path: Path) -> tuple[Coalition, dict]:
    """A fresh copy of the agenda ``name`` for one test, and the facts of how it was built."""
    c = copied(template(name, factory), tmp_path / name)
    return c, json.loads((c.root.parent / "facts.json").read_text())


@pytest.fixture
def coalition(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Coalition:
    return agenda_from("base", tmp_path_factory, tmp_path)[0]


@pytest.fixture
def opened(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Coalition:
    """``coalition`` with round r1 open."""
    return agenda_from("opened", tmp_path_factory, tmp_path)[0]


@pytest.fixture
def consultation(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> dict:
    c, facts = agenda_from("consultation", tmp_path_factory, tmp_path)
    return {"c": c, **facts}


@pytest.fixture
def revoked(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> dict:
    c, facts = agenda_from("revoked", tmp_path_factory, tmp_path)
    return {"c": c, **facts}


# === 1. the root of trust ======================================================================


@pytest.mark.parametrize("config", ["unsigned", "attacker-signed"])
def test_a_fabricated_repository_listing_the_real_founder_is_not_trusted(
        coalition: Coalition, tmp_path: Path, config: str) -> None:
    """A new repository: coalition.yaml lists founders [real, attacker]; the registry (the
    real founder's public key beside the attacker's) and a principle signed by the attacker."""
    real = coalition.key("sec")
    evil = ssh_keygen(tmp_path / "evil", "evil")
    fake = tmp_path / "fake"
    plain_agenda(fake, "Test Coalition", [real, evil])
    if config == "attacker-signed":
        ssh_sign(evil, fake / A / "coalition.yaml")
    keys = [{"key": public(k), "added": utc()} for k in (real, evil)]
    plain_member(fake, "sec", evil, ["facilitator", "member", "staff"], keys)
    plain_principle(fake, "P01", "community-benefit", "Community benefit",
                    "Data may be sold to anyone.", signer=evil)
    commit(fake, "Create the agenda of Test Coalition")
    # first use: whatever it says, what it remembers must not answer for a pinned run
    run(fake, "verify", code=None)

    data = verify(fake, "--trust", fingerprint(real), code=1)
    # signed by a key that no trusted member holds: the interface names no kind for that one
    kinds = {"unsigned"} if config == "unsigned" else {"not-permitted", "unknown-member"}
    assert any((f"{A}/coalition.yaml", k) in found(data) for k in kinds), data["problems"]
    assert (f"{A}/members/sec.yaml", "not-permitted") in found(data)
    assert data["trust"] == "pinned"
    # pinned once for the clone (like known_hosts), every later verify uses it
    run(fake, "trust", fingerprint(real))
    assert fingerprint(real) in run(fake, "trust").stdout
    caught(fake, f"{A}/members/sec.yaml", "not-permitted")


def test_without_pinned_trust_verify_says_trust_on_first_use(coalition: Coalition,
                                                           tmp_path: Path) -> None:
    clone = tmp_path / "newcomer"  # a plain `git clone`: nothing pinned
    git(tmp_path, "clone", "-q", str(coalition.root), str(clone))
    assert verify(clone, code=0)["trust"] == "first-use"
    terminal = run(clone, "verify")
    assert "trust on first use" in terminal.stdout + terminal.stderr
    assert verify(clone, "--trust", fingerprint(coalition.key("sec")), code=0)["trust"] == "pinned"


# === 2. the registry: self-promotion, keys planted in another member's file =================


@pytest.mark.parametrize("how, kind", [("unsigned", "unsigned"), ("self-signed", "not-permitted")])
def test_a_member_making_itself_facilitator_gets_no_confidential_text(
        opened: Coalition, how: str, kind: str) -> None:
    c = opened
    rel = f"{A}/members/youth.yaml"
    edit(c.root, rel, 'roles: ["member"]', 'roles: ["member", "facilitator"]')
    if how == "unsigned":
        (c.root / f"{rel}.sig").unlink()
    else:
        ssh_sign(c.key("youth"), c.root / rel)
    commit(c.root, "member youth: update")
    caught(c.root, rel, kind)
    # health then writes a confidential comment: refused (the registry does not verify) ...
    refused(c.root, "comment", "add", "-p", "P01", "-s", "oppose", "--text", "Only for you.",
            "--attribution", "confidential", key=c.key("health"))
    # ... and nothing in the tree opens with the attacker's key
    assert readable_by(c.root, c.key("youth")) == []


def test_a_confidential_comment_opens_for_its_author_and_facilitators_only(
        opened: Coalition) -> None:
    c = opened
    written = comment(c, "health", text="Only for the facilitators.", attribution="confidential")
    assert readable_by(c.root, c.key("sec")) == [written["path"]]
    assert readable_by(c.root, c.key("health")) == [written["path"]]
    assert readable_by(c.root, c.key("youth")) == []
    from ruamel.yaml import YAML

    stored = YAML(typ="safe").load((c.root / written["path"]).read_bytes())
    assert set(stored) <= CLEAR_FIELDS, set(stored) - CLEAR_FIELDS
    assert "Only for the facilitators" not in (c.root / written["path"]).read_text()


@pytest.mark.parametrize("sig", ["kept", "deleted"])
def test_a_key_planted_in_another_members_file_is_never_theirs(
        opened: Coalition, tmp_path: Path, sig: str) -> None:
    c = opened
    rel = f"{A}/members/fund.yaml"
    attacker = c.key("health")
    edit(c.root, rel, "keys: [", f'keys: [{{"key": "{public(attacker)}", "added": "{utc()}"}}, ')
    if sig == "deleted":
        (c.root / f"{rel}.sig").unlink()
    forged = forge_comment(c.root, attacker, "fund", text="Fund blocks (forged).")
    commit(c.root, "fund: add a key")
    caught(c.root, rel, "bad-signature" if sig == "kept" else "unsigned")

    allowed = tmp_path / "allowed_signers"
    allowed.write_text(run(c.root, "member", "allowed-signers").stdout)
    for line in allowed.read_text().splitlines():
        if public(attacker) in line:
            assert "fund" not in line.split()[0].split(","), line
    assert ssh_verify(allowed, "fund", c.root / forged) != 0  # OpenSSH: not fund's signature

    shown = run(c.root, "member", "show", "fund").stdout
    if fingerprint(attacker) in shown:
        assert "unverified" in shown.lower(), shown
    shown_json = run(c.root, "member", "show", "fund", "--format", "json").stdout
    if fingerprint(attacker) in shown_json:
        assert "unverified" in shown_json.lower(), shown_json


# === 3. history that only moves forward: merges, revocations, seals ============================


def test_a_merge_taking_a_member_file_from_before_its_revocation_is_rollback(
        coalition: Coalition) -> None:
    c = coalition
    before = head(c.root)
    run(c.root, "member", "revoke-key", "health", "--key", pubfile(c, "health"), key=c.key("sec"))
    verify(c.root, code=0)
    merge_taking(c.root, before, f"{A}/members/health.yaml")
    caught(c.root, f"{A}/members/health.yaml", "rollback")


def test_a_merge_bringing_back_a_removed_facilitator_is_rollback(
        coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    co = ssh_keygen(tmp_path / "co", "co")
    run(c.root, "member", "add", "co", "--name", "Co-facilitator", "--sector", "network",
        "--role", "facilitator", "--role", "member", "--key", f"{co}.pub", key=c.key("sec"))
    before = head(c.root)
    run(c.root, "member", "remove", "co", key=c.key("sec"))
    verify(c.root, code=0)
    merge_taking(c.root, before, f"{A}/members/co.yaml")
    caught(c.root, f"{A}/members/co.yaml", "rollback")


def test_a_record_by_a_revoked_key_on_a_branch_forked_after_the_revocation(revoked: dict) -> None:
    c = revoked["c"]
    git(c.root, "checkout", "-q", "-b", "side", revoked["revocation"])
    rel = forge_comment(c.root, c.key("health"), "health", text="After the revocation.")
    commit(c.root, "health comment")
    git(c.root, "checkout", "-q", "main")
    comment(c, "youth", text="Meanwhile on main.")
    git(c.root, "merge", "-q", "--no-edit", "side")
    caught(c.root, rel, "revoked-key")


def test_a_record_committed_with_a_copy_of_the_revocation_is_not_sealed(revoked: dict) -> None:
    """The side branch carries the revocation (copied byte for byte) in the same commit as
    the forged record, and is made the first parent: along first parents, the record looks
    as if it was in the tree of the revoking commit."""
    c = revoked["c"]
    member = f"{A}/members/health.yaml"
    git(c.root, "checkout", "-q", "-b", "side", revoked["fork"])
    git(c.root, "checkout", "-q", "main", "--", member, f"{member}.sig")
    rel = forge_comment(c.root, c.key("health"), "health", text="Sealed? No.")
    commit(c.root, "member health: revoke a key")
    git(c.root, "merge", "-q", "--no-edit", "main")  # main becomes the second parent
    git(c.root, "checkout", "-q", "main")
    git(c.root, "merge", "-q", "--ff-only", "side")  # what a push of side to main does
    data = caught(c.root, rel, "revoked-key")
    assert (revoked["earlier"]["path"], "revoked-key") not in found(data)


# === 4. nothing signed disappears: deletions, revert of a close, forged redactions ===========


@pytest.mark.parametrize("what", ["open-round comment", "closed-round comment", "response",
                                  "closing"])
def test_deleting_a_signed_record_is_removed(consultation: dict, what: str) -> None:
    c = consultation["c"]
    rel = {"open-round comment": consultation["fund"]["path"],
           "closed-round comment": consultation["youth"]["path"],
           "response": f"{A}/rounds/r1/responses/{consultation['health']['id']}.yaml",
           "closing": f"{A}/rounds/r1/closing.yaml"}[what]
    assert (c.root / rel).is_file()
    delete(c.root, rel)
    commit(c.root, "tidy up")
    caught(c.root, rel, "removed")


def test_git_revert_of_a_round_close(consultation: dict) -> None:
    c = consultation["c"]
    git(c.root, "revert", "--no-edit", consultation["close"])
    data = caught(c.root, f"{A}/rounds/r1/closing.yaml", "removed")
    assert (f"{A}/rounds/r1/round.yaml", "rollback") in found(data)


def test_a_redaction_signed_by_a_member_does_not_cover_a_deletion(consultation: dict) -> None:
    c = consultation["c"]
    target = consultation["fund"]
    delete(c.root, target["path"])
    rel = f"{A}/rounds/r2/redactions/{target['id']}.yaml"
    (c.root / rel).parent.mkdir(parents=True)
    (c.root / rel).write_text(f'v: 1\ntype: "redaction"\nround: "r2"\nrecord: "{target["id"]}"\n'
                              f'reason: "spam"\nredacted_at: "{utc()}"\nredacted_by: "youth"\n')
    ssh_sign(c.key("youth"), c.root / rel)
    commit(c.root, "redact spam")
    caught(c.root, target["path"], "removed")



def _ignored_submodules(repo: Path, *rels: str) -> None:
    """A pushed .gitmodules naming ``rels`` as submodules that diffs ignore (``ignore =
    all``): git diff-tree, left to read it, leaves out every change of a submodule there."""
    (repo / ".gitmodules").write_text("".join(
        f'[submodule "s{i}"]\n\tpath = {rel}\n\turl = ./none\n\tignore = all\n'
        for i, rel in enumerate(rels)), encoding="utf-8")
    git(repo, "add", ".gitmodules")


@pytest.mark.parametrize("route", ["resumed", "cold", "resumed past 16 commits"])
def test_review_finding_a_record_deleted_as_an_ignored_submodule_is_removed(
        consultation: dict, route: str) -> None:
    """A member declares the comment and its signature ignored submodules (.gitmodules),
    turns both into submodule entries naming their own blobs (a change of type), then
    deletes those entries. git diff-tree read the pushed .gitmodules and left the deletions
    out, so the ledger (``trust/history.changes``) never saw the record go: a cold verify, a
    fresh clone and a verify resuming past 16 commits passed; only the in-process reader of
    a short stretch (``trust/nearby``) caught it. diff-tree now runs with
    ``--ignore-submodules=none``."""
    c = consultation["c"]
    rel = consultation["fund"]["path"]
    if route != "cold":
        verify(c.root, code=0)  # the ledger remembered at the head before the attack
    _ignored_submodules(c.root, rel, rel + ".sig")
    for name in (rel, rel + ".sig"):
        blob = git(c.root, "rev-parse", f"HEAD:{name}").strip()
        git(c.root, "update-index", "--cacheinfo", f"160000,{blob},{name}")
        (c.root / name).unlink()
    git(c.root, "commit", "-q", "-m", "submodules")  # (what the index holds, as it is)
    git(c.root, "rm", "-q", "--cached", rel, rel + ".sig")
    git(c.root, "commit", "-q", "-m", "tidy up")
    assert git(c.root, "ls-tree", "HEAD", "--", rel) == ""
    if route == "cold":
        shutil.rmtree(c.root / ".git" / "coalition", ignore_errors=True)
    elif route == "resumed past 16 commits":
        for i in range(17):
            git(c.root, "commit", "-q", "--allow-empty", "-m", f"padding {i}")
    caught(c.root, rel, "removed")


@pytest.mark.parametrize("content", ["forged", "a copy"])
@pytest.mark.parametrize("route", ["resumed", "cold"])
def test_review_finding_a_record_added_as_an_ignored_submodule_is_refused(
        consultation: dict, content: str, route: str) -> None:
    """A new comment added as a submodule entry (mode 160000) whose id is a blob — a forged
    text with a real signature, or a copy of a signed comment — under a .gitmodules that
    ignores it. diff-tree left it out, so the incremental verify (``incremental._diff``)
    saw nothing new and passed the head; and a submodule entry naming a blob was read as
    the record, which no checkout has (``signed_files.scan_listing``). Now it is malformed,
    whichever way verify comes to it."""
    c = consultation["c"]
    rel = consultation["fund"]["path"]
    new = rel.rsplit("/", 1)[0] + "/ffffffffffff0001.yaml"
    data = (c.root / rel).read_bytes()
    if content == "forged":
        data = data.replace(b"e", b"E", 3)
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=c.root, input=data,
                          capture_output=True, check=True).stdout.decode().strip()
    sig = git(c.root, "rev-parse", f"HEAD:{rel}.sig").strip()
    verify(c.root, code=0)
    _ignored_submodules(c.root, new, new + ".sig")
    git(c.root, "update-index", "--add", "--cacheinfo", f"160000,{blob},{new}")
    git(c.root, "update-index", "--add", "--cacheinfo", f"160000,{sig},{new}.sig")
    git(c.root, "commit", "-q", "-m", "a comment")
    assert git(c.root, "ls-tree", "HEAD", "--", new).startswith("160000 commit")
    if route == "cold":
        shutil.rmtree(c.root / ".git" / "coalition", ignore_errors=True)
    caught(c.root, new, "malformed")


def test_a_real_submodule_beside_the_agenda_stays_clean(consultation: dict) -> None:
    """The legitimate side of the two above: a project that keeps a submodule outside the
    agenda folder (ignored by diffs, as its .gitmodules says) verifies clean when it is
    added and when it moves — resumed through the in-process reader and cold."""
    c = consultation["c"]
    verify(c.root, code=0)
    _ignored_submodules(c.root, "vendor/lib")
    for sha in ("ab" * 20, "cd" * 20):
        git(c.root, "update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/lib")
        git(c.root, "commit", "-q", "-m", f"the submodule at {sha[:4]}")
        verify(c.root, code=0)
    shutil.rmtree(c.root / ".git" / "coalition")
    verify(c.root, code=0)

# === 5. what decides an outcome is facilitator-signed: coalition.yaml, principles ===========


TAMPERINGS = [("edited", "bad-signature"), ("sig-deleted", "unsigned"),
              ("member-signed", "not-permitted")]


def tamper(c: Coalition, rel: str, old: str, new: str, how: str) -> None:
    edit(c.root, rel, old, new)
    sig = c.root / f"{rel}.sig"
    if how == "sig-deleted":
        sig.unlink(missing_ok=True)
    elif how == "member-signed":
        ssh_sign(c.key("health"), c.root / rel)
    commit(c.root, "small fix")


@pytest.mark.parametrize("how, kind", TAMPERINGS)
def test_a_consensus_threshold_changed_by_a_member(opened: Coalition, how: str,
                                                   kind: str) -> None:
    c = opened
    tamper(c, f"{A}/coalition.yaml", "\"threshold\": 0.75", "\"threshold\": 0.1", how)
    caught(c.root, f"{A}/coalition.yaml", kind)
    before = repo_state(c.root)
    # a hostile coalition.yaml stops every command that depends on it: exit 3 (issue 10)
    result = run(c.root, "summary", "--format", "json", code=3)
    assert result.stderr.startswith("error: ") and repo_state(c.root) == before
    refused(c.root, "comment", "add", "-p", "P02", "-s", "support", "--text", "x",
            key=c.key("fund"), code=3)


@pytest.mark.parametrize("how, kind", TAMPERINGS)
def test_a_principle_text_edited_by_a_member(opened: Coalition, how: str, kind: str) -> None:
    c = opened
    rel = principle_path(c, "P01")
    tamper(c, rel, "Data reuse must serve the community.",
           "Data reuse must serve the funders.", how)
    caught(c.root, rel, kind)
    result = run(c.root, "changes", "--format", "json", code=4)
    assert result.stderr.startswith("error: ") and "P01" in result.stderr


# === 6. incomplete history =====================================================================


@pytest.mark.parametrize("how", ["shallow", "grafted"])
def test_incomplete_history_is_never_ok(opened: Coalition, tmp_path: Path, how: str) -> None:
    c = opened
    if how == "shallow":
        clone = tmp_path / "shallow"
        git(tmp_path, "clone", "-q", "--depth", "1", f"file://{c.root}", str(clone))
    else:
        clone = c.root
        git(clone, "replace", "--graft", "HEAD~3")  # HEAD~3 now has no parents
    for extra in ((), ("--trust", fingerprint(c.key("sec")))):
        data = verify(clone, *extra, code=1)
        [problem] = [p for p in data["problems"] if p["problem"] == "incomplete-history"]
        assert "git fetch --unshallow" in problem["detail"] or how == "grafted"


# === 7. the cache cannot lie ===================================================================


LYING = r"""
import sys
from pathlib import Path
from coalition_cli import signing
forged, signer, *command = sys.argv[1:]
forged, lie = Path(forged).read_bytes(), signing.PublicKey.from_openssh(signer)
honest = signing.verify_detached_fast
def lying(data, sig, *args, **kwargs):
    return lie if data == forged else honest(data, sig, *args, **kwargs)
signing.verify_detached_fast = lying  # the signature checker lies about one file
sys.argv = ["coalition", *command]
from coalition_cli.cli import main
main()
"""


def poison_cache(repo: Path, rel: str, signer: str, home: Path) -> None:
    """In ANOTHER HOME (so: with another cache secret), run the library's own verify and
    summary with a signature checker that says ``rel`` is signed by ``signer``: whatever the
    cache classes write to ``repo``'s .git/coalition/ (verdicts, remembered results) is
    authentic for that HOME and lies."""
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home), "XDG_STATE_HOME": str(home / ".local/state"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for command in (["verify"], ["summary", "--format", "json"]):
        proc = subprocess.run([sys.executable, "-c", LYING, str(repo / rel), signer, *command],
                              env=env, cwd=repo, capture_output=True, text=True, timeout=60)
        # the lie must have worked there, or this test proves nothing: update LYING
        assert proc.returncode == 0, (command, proc.stdout, proc.stderr)


@pytest.mark.parametrize("where", ["crafted in place", "copied from another clone"])
def test_a_crafted_cache_changes_no_answer(opened: Coalition, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    c = opened
    comment(c, "health", stance="support")
    rel = forge_comment(c.root, c.key("health"), "fund", stance="block", text="Fund blocks.")
    commit(c.root, "fund comment")
    if where == "crafted in place":
        poison_cache(c.root, rel, public(c.key("fund")), tmp_path / "attacker-home")
    else:
        other = tmp_path / "other-clone"
        git(tmp_path, "clone", "-q", str(c.root), str(other))
        poison_cache(other, rel, public(c.key("fund")), tmp_path / "attacker-home")
        git_dir = Path(git(c.root, "rev-parse", "--absolute-git-dir").strip())
        shutil.rmtree(git_dir / "coalition", ignore_errors=True)
        shutil.copytree(other / ".git/coalition", git_dir / "coalition")
    caught(c.root, rel, "not-permitted")
    p01 = principle_of(summary(c.root), "P01")
    assert p01["stances"]["block"] == 0 and p01["blocks"] == [] and p01["status"] != "blocked"


# === 8. anonymity ==============================================================================


def test_an_excluded_anonymous_comment_is_not_traced_in_any_summary(opened: Coalition) -> None:
    c = opened
    comment(c, "health", text="Public and fine.")
    anon = comment(c, "youth", stance="block", text="Anonymous objection.",
                   attribution="anonymous")
    edit(c.root, anon["path"], "Anonymous objection.", "Anonymous objectio.")  # bytes tampered
    commit(c.root, "typo")
    caught(c.root, anon["path"], "bad-signature")
    data = summary(c.root)
    assert data["excluded"], data  # it is excluded, and listed ...
    for fmt in ("json", "md", "html", "csv"):
        out = summary(c.root, fmt) if fmt != "json" else json.dumps(data)
        # ... by round and problem, never by path or member
        assert "comments/youth" not in out and not re.search(r"\byouth\b", out, re.I), fmt


@pytest.mark.parametrize("attribution", ["anonymous", "confidential"])
def test_the_commit_of_an_anonymous_comment_names_nobody(opened: Coalition,
                                                         attribution: str) -> None:
    c = opened
    comment(c, "youth", text="Unnamed.", attribution=attribution)
    who = git(c.root, "log", "-1", "--format=%an <%ae>%n%cn <%ce>").split("\n")[:2]
    assert who == [MEMBER_OF_NOBODY, MEMBER_OF_NOBODY]
    message = git(c.root, "log", "-1", "--format=%B")
    assert "youth" not in message.lower()


def test_an_anonymous_comment_rebased_by_sync_still_names_nobody(opened: Coalition,
                                                                tmp_path: Path) -> None:
    """`coalition sync` rebases local commits: the rebased commit must not take the local
    git identity (here `Test Runner`) as its committer."""
    c = opened
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(c.root, "remote", "add", "origin", str(bare))
    git(c.root, "push", "-q", "-u", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(bare), str(other))
    comment(c, "health", text="Pushed first.", repo=other)
    git(other, "push", "-q", "origin", "main")
    anon = comment(c, "youth", text="Unnamed, then rebased.", attribution="anonymous")
    run(c.root, "sync")
    who = git(c.root, "log", "-1", "--format=%an <%ae>%n%cn <%ce>", "--", anon["path"])
    assert who.split("\n")[:2] == [MEMBER_OF_NOBODY, MEMBER_OF_NOBODY]


# === beyond the list: attacks the interface's own rules must also stop ===============


def test_an_unrelated_history_merged_in_brings_no_facilitator(opened: Coalition,
                                                              tmp_path: Path) -> None:
    """A second root commit, dated long ago, whose registry the attacker signed, merged with
    `--allow-unrelated-histories`; the merge keeps main's tree plus the attacker's file."""
    c = opened
    evil = ssh_keygen(tmp_path / "evil", "evil")
    other = tmp_path / "orphan"
    plain_agenda(other, "Test Coalition", [evil])
    ssh_sign(evil, other / A / "coalition.yaml")
    plain_member(other, "evil", evil, ["facilitator", "member"],
                 [{"key": public(evil), "added": "2001-01-01T00:00:00Z"}])
    git(other, "add", "-A")
    subprocess.run(["git", "commit", "-q", "-m", "Create the agenda"], cwd=other, check=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": "2001-01-01T00:00:00Z",
                        "GIT_COMMITTER_DATE": "2001-01-01T00:00:00Z"})
    git(c.root, "fetch", "-q", str(other), "main:orphan")
    git(c.root, "merge", "-q", "-s", "ours", "--no-commit", "--allow-unrelated-histories",
        "orphan")
    git(c.root, "checkout", "orphan", "--", f"{A}/members/evil.yaml", f"{A}/members/evil.yaml.sig")
    commit(c.root, "Merge branch 'orphan'")
    for extra in ((), ("--trust", fingerprint(c.key("sec")))):
        caught(c.root, f"{A}/members/evil.yaml", "not-permitted", *extra)
    refused(c.root, "comment", "add", "-p", "P01", "-s", "oppose", "--text", "x",
            "--attribution", "confidential", key=c.key("health"))
    assert readable_by(c.root, evil) == []


def test_a_round_cannot_open_on_a_principle_a_member_edited(coalition: Coalition) -> None:
    c = coalition
    rel = principle_path(c, "P01")
    edit(c.root, rel, "Data reuse must serve the community.", "Data reuse must serve funders.")
    (c.root / f"{rel}.sig").unlink(missing_ok=True)
    commit(c.root, "wording")
    caught(c.root, rel, "unsigned")
    before = repo_state(c.root)  # the draft under consultation would be the member's text
    result = run(c.root, "round", "open", "r1", "--title", "Reading", "--closes",
                 utc(timedelta(days=30))[:10], key=c.key("sec"), code=None)
    assert result.exit_code == 4 and "P01" in result.stderr, (result.exit_code, result.stderr)
    assert repo_state(c.root) == before


def test_a_rounds_draft_moved_by_a_member_is_never_used(consultation: dict) -> None:
    """round.yaml's `draft` (and the coalition/r1/draft tag) pointed at another commit."""
    c = consultation["c"]
    rel = f"{A}/rounds/r1/round.yaml"
    honest = run(c.root, "changes", "--from", "r1", "--format", "json").stdout
    draft = json.loads(honest)["from"]["commit"]
    older = git(c.root, "rev-parse", f"{draft}~2").strip()  # before P02 and P03 were added
    edit(c.root, rel, f'draft: "{draft}"', f'draft: "{older}"')
    git(c.root, "tag", "-f", "coalition/r1/draft", older)
    commit(c.root, "fix the draft")
    caught(c.root, rel, "bad-signature")
    result = run(c.root, "changes", "--from", "r1", "--format", "json", code=None)
    assert result.exit_code == 4 or json.loads(result.stdout)["from"]["commit"] == draft


# === 9. the legitimate paths stay clean ========================================================


def test_a_real_revocation_keeps_the_earlier_records(revoked: dict) -> None:
    c = revoked["c"]
    verify(c.root, code=0)
    verify(c.root, "--trust", fingerprint(c.key("sec")), code=0)
    assert principle_of(summary(c.root), "P01")["stances"]["support"] == 1


def test_an_authorised_redaction_is_clean(opened: Coalition) -> None:
    c = opened
    harmful = comment(c, "youth", text="Names a client: harmful.")
    run(c.root, "redact", harmful["id"], "--reason", "names a person", key=c.key("sec"))
    assert not (c.root / harmful["path"]).exists()
    assert (c.root / f"{A}/rounds/r1/redactions/{harmful['id']}.yaml.sig").is_file()
    verify(c.root, code=0)


def test_a_normal_merge_of_two_members_comments_from_two_clones(opened: Coalition,
                                                                tmp_path: Path) -> None:
    c = opened
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(c.root, "remote", "add", "origin", str(bare))
    git(c.root, "push", "-q", "-u", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(bare), str(other))
    comment(c, "health", text="From clone one.")
    git(c.root, "push", "-q", "origin", "main")
    comment(c, "youth", principle="P02", text="From clone two.", repo=other)
    git(other, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    assert len(git(other, "log", "-1", "--format=%P").split()) == 2  # a real merge commit
    git(other, "push", "-q", "origin", "main")
    verify(other, code=0)
    git(c.root, "pull", "-q", "--ff-only", "origin", "main")
    verify(c.root, "--trust", fingerprint(c.key("sec")), code=0)


def test_a_signed_config_change_is_clean(coalition: Coalition) -> None:
    c = coalition
    run(c.root, "config", "set", "consensus.threshold", "0.8", key=c.key("sec"))
    assert "0.8" in (c.root / A / "coalition.yaml").read_text()
    verify(c.root, code=0)
    verify(c.root, "--trust", fingerprint(c.key("sec")), code=0)
    # and a member cannot
    refused_code = run(c.root, "config", "set", "consensus.threshold", "0.1",
                       key=c.key("health"), code=None).exit_code
    assert refused_code == 4


def test_a_migrated_agenda_is_clean(coalition: Coalition, tmp_path: Path) -> None:
    """A pre-second-edition agenda, built by plain git: its coalition.yaml and principles were
    never signed, and a key was revoked before seals existed. `coalition migrate` fixes it."""
    sec, health = coalition.key("sec"), coalition.key("health")
    old = ssh_keygen(tmp_path / "old", "health-old")
    repo = tmp_path / "old-agenda"
    plain_agenda(repo, "Old Coalition", [sec])
    added = utc(timedelta(seconds=-10))
    plain_member(repo, "sec", sec, ["facilitator", "member", "staff"],
                 [{"key": public(sec), "added": added}])
    commit(repo, "Create the agenda of Old Coalition")
    plain_member(repo, "health", sec, ["member"], [{"key": public(old), "added": added}])
    commit(repo, "member health: add")
    principle = plain_principle(repo, "P01", "privacy", "Privacy", "Personal data is protected.")
    commit(repo, "principle P01: add")
    plain_member(repo, "health", sec, ["member"],
                 [{"key": public(old), "added": added, "revoked": utc()},
                  {"key": public(health), "added": utc()}])
    commit(repo, "member health: revoke a key")

    caught(repo, f"{A}/coalition.yaml", "unsigned")
    run(repo, "migrate", key=sec)
    assert (repo / A / "coalition.yaml.sig").is_file() and (repo / f"{principle}.sig").is_file()
    verify(repo, code=0)
    verify(repo, "--trust", fingerprint(sec), code=0)


# === 10. stock OpenSSH agrees both ways ========================================================


def test_ssh_keygen_accepts_every_signed_file_the_tool_wrote(consultation: dict,
                                                             tmp_path: Path) -> None:
    c, sec = consultation["c"], consultation["c"].key("sec")
    run(c.root, "config", "set", "consensus.threshold", "0.8", key=sec)
    harmful = comment(c, "youth", text="Harmful.")
    run(c.root, "redact", harmful["id"], "--reason", "harmful", key=sec)
    run(c.root, "round", "close", "r2", key=sec)
    run(c.root, "round", "reopen", "r2", "--closes", utc(timedelta(days=9))[:10], key=sec)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(run(c.root, "member", "allowed-signers").stdout)
    signed = sorted(p for p in (c.root / A).rglob("*") if Path(f"{p}.sig").is_file())
    kinds = {p.relative_to(c.root / A).parts[0] if p.parent != c.root / A else p.name
             for p in signed}
    assert {"coalition.yaml", "principles", "members", "rounds"} <= kinds, kinds
    rels = {p.relative_to(c.root).as_posix() for p in signed}
    assert {f"{A}/rounds/r1/round.yaml", f"{A}/rounds/r1/closing.yaml",
            f"{A}/rounds/r1/responses/{consultation['health']['id']}.yaml",
            consultation["fund"]["path"], f"{A}/rounds/r2/redactions/{harmful['id']}.yaml"} <= rels
    assert any("/reopenings/" in rel for rel in rels), rels
    for path in signed:
        proc = subprocess.run(["ssh-keygen", "-Y", "find-principals", "-f", str(allowed),
                               "-s", f"{path}.sig"], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, (path, proc.stderr)
        principal = proc.stdout.split()[0]
        assert ssh_verify(allowed, principal, path) == 0, path


def test_files_signed_by_hand_with_ssh_keygen_are_accepted(opened: Coalition) -> None:
    c = opened
    sec = c.key("sec")
    edit(c.root, f"{A}/coalition.yaml", "\"threshold\": 0.75", "\"threshold\": 0.7")
    ssh_sign(sec, c.root / A / "coalition.yaml")
    rel = principle_path(c, "P02")
    edit(c.root, rel, "Personal data is protected.", "Personal data is protected by law.")
    ssh_sign(sec, c.root / rel)
    edit(c.root, f"{A}/members/fund.yaml", 'name: "Fund Org"', 'name: "The Fund"')
    ssh_sign(sec, c.root / A / "members/fund.yaml")
    forge_comment(c.root, c.key("health"), "health", stance="support", text="By hand.")
    commit(c.root, "facilitator edits, signed with ssh-keygen; a member's comment likewise")
    verify(c.root, code=0)
    verify(c.root, "--trust", fingerprint(sec), code=0)


def test_principle_listings_say_which_text_is_not_the_facilitators(opened: Coalition) -> None:
    """`principle list/show` show the draft as committed, and mark a member's plain-git edit."""
    c = opened
    rel = principle_path(c, "P01")
    edit(c.root, rel, "Data reuse must serve the community.", "Data reuse must serve the funders.")
    commit(c.root, "small fix")
    rows = {r["id"]: r for r in json.loads(run(c.root, "principle", "list", "--format",
                                                 "json").stdout)}
    assert rows["P01"]["verified"].startswith("no") and rows["P02"]["verified"] == "yes"
    shown = run(c.root, "principle", "show", "P01")
    assert "not signed by a verified facilitator" in shown.stderr
    assert json.loads(run(c.root, "principle", "show", "P02", "--format", "json").stdout)[
        "verified"] is True


# === found by an attacker's review of the implementation =========================================


def test_a_reopening_signed_by_a_stranger_reopens_nothing(consultation: dict,
                                                         tmp_path: Path) -> None:
    """Reopen r1 with a throwaway key (the old open round.yaml put back, closing.yaml
    deleted), then delete the reopening too: the round stays closed."""
    import hashlib

    c = consultation["c"]
    root, folder = c.root, f"{A}/rounds/r1"
    opened_at = git(root, "log", "--format=%H", "--grep=round r1: open").split()[-1]
    digest = hashlib.sha256((root / folder / "closing.yaml").read_bytes()).hexdigest()
    stranger = ssh_keygen(tmp_path / "keys", "stranger")
    git(root, "checkout", opened_at, "--", f"{folder}/round.yaml", f"{folder}/round.yaml.sig")
    delete(root, f"{folder}/closing.yaml")
    reopening = root / folder / "reopenings" / f"{digest[:16]}.yaml"
    reopening.parent.mkdir(parents=True)
    reopening.write_text(f'v: 1\ntype: "reopening"\nround: "r1"\nclosing: "{digest}"\n'
                         f'closes_at: "2099-06-30T23:59:59Z"\nreason: "x"\n'
                         f'reopened_at: "{utc()}"\nreopened_by: "sec"\n', encoding="utf-8")
    ssh_sign(stranger, reopening)
    commit(root, "fix")
    git(root, "rm", "-rq", f"{folder}/reopenings")
    commit(root, "tidy")
    data = caught(root, f"{folder}/round.yaml", "rollback")
    assert (f"{folder}/closing.yaml", "removed") in found(data)


@pytest.mark.parametrize("what", ["comment", "response"])
def test_a_record_whose_signature_was_spoiled_first_is_still_removed(consultation: dict,
                                                                     what: str) -> None:
    c = consultation["c"]
    rel = (consultation["fund"]["path"] if what == "comment"
           else f"{A}/rounds/r1/responses/{consultation['health']['id']}.yaml")
    (c.root / f"{rel}.sig").write_text("junk\n", encoding="utf-8")
    commit(c.root, "c1")
    delete(c.root, rel)
    commit(c.root, "c2")
    caught(c.root, rel, "removed")


def test_a_copy_of_an_anonymous_comment_planted_elsewhere_is_not_traced(opened: Coalition) -> None:
    c = opened
    secret = comment(c, "youth", stance="block", text="We object.", attribution="anonymous")
    name = Path(secret["path"]).name
    planted = c.root / A / "rounds/r1/x/youth"
    planted.mkdir(parents=True)
    shutil.copy(c.root / secret["path"], planted / name)
    commit(c.root, "z")
    caught(c.root, f"{A}/rounds/r1/x/youth/{name}", "wrong-place")
    for fmt in ("md", "json", "html", "csv"):
        out = run(c.root, "summary", "--format", fmt).stdout
        assert "x/youth" not in out and "youth" not in out, fmt


def test_an_old_signed_principle_replayed_at_a_new_path_is_a_duplicate(opened: Coalition) -> None:
    c = opened
    rel = principle_path(c, "P01")
    first = git(c.root, "log", "--format=%H", "--diff-filter=A", "--", rel).split()[-1]
    run(c.root, "principle", "edit", "P01", "--body", "Sale of data is forbidden.",
        key=c.key("sec"))
    new = f"{A}/principles/P01-zzz.md"
    for suffix in ("", ".sig"):
        (c.root / f"{new}{suffix}").write_bytes(
            subprocess.run(["git", "show", f"{first}:{rel}{suffix}"], cwd=c.root,
                           capture_output=True, check=True).stdout)
    commit(c.root, "x")
    caught(c.root, new, "duplicate-id")


def test_config_edit_signs_a_whole_new_file_and_refuses_bad_input(coalition: Coalition,
                                                                   tmp_path: Path) -> None:
    c = coalition
    current = (c.root / A / "coalition.yaml").read_text(encoding="utf-8")
    new = tmp_path / "coalition.yaml"
    new.write_text(current.replace('"max_blocks": 0', '"max_blocks": 1'), encoding="utf-8")
    run(c.root, "config", "edit", "--file", new, key=c.key("sec"))
    assert json.loads(run(c.root, "config", "show", "--format", "json").stdout)[
        "consensus"]["max_blocks"] == 1
    verify(c.root, code=0)
    before = repo_state(c.root)
    for args in (["config", "edit", "--file", tmp_path / "missing.yaml"],
                 ["config", "set", "trust.founders", "not-a-fingerprint"],
                 ["config", "set", "consensus.quorum", "2"]):
        out = run(c.root, *args, key=c.key("sec"), code=3)
        assert out.stderr.startswith("error: ") and "Traceback" not in out.stderr, args
    assert repo_state(c.root) == before


def test_a_round_reopened_by_a_facilitator_and_closed_again_is_clean(consultation: dict) -> None:
    """The legitimate path beside the stranger's reopening: close, reopen (signed), comment,
    close again — verify stays clean and the late-looking comment counts."""
    c, sec = consultation["c"], consultation["c"].key("sec")
    run(c.root, "round", "close", "r2", key=sec)
    verify(c.root, code=0)
    run(c.root, "round", "reopen", "r2", "--closes", utc(timedelta(days=9))[:10], key=sec)
    verify(c.root, code=0)
    again = comment(c, "youth", text="Said after the reopening.")
    run(c.root, "round", "close", "r2", key=sec)
    verify(c.root, code=0)
    counted = json.loads(run(c.root, "comment", "list", "--format", "json").stdout)
    assert again["id"] in {row["id"] for row in counted}
