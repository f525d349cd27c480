"""Foundation, through the CLI: keys, init, registry, drafting, history, discovery, identity."""

from __future__ import annotations

import json
import re
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coalition_cli.signing import PrivateKey

from conftest import git, repo_state

SSH_KEYGEN = shutil.which("ssh-keygen")
needs_ssh = pytest.mark.skipif(SSH_KEYGEN is None, reason="ssh-keygen is not installed")

BODY_1 = "Data reuse must serve the community.\n\nEvery agreement is reported publicly each year."
BODY_1_EDITED = "Data reuse must serve the community.\n\nEvery agreement is reported publicly each quarter."
BODY_2 = "Personal data is protected.\n\nDe-identification is not anonymity."
BODY_3 = "Indigenous peoples govern data about them."


@dataclass
class Drafted:
    repo: Path
    keys: Path
    commits: dict[str, str] = field(default_factory=dict)  # step -> commit after it

    @property
    def agenda(self) -> Path:
        return self.repo / "agenda"

    def key(self, name: str) -> Path:
        return self.keys / name


@pytest.fixture
def drafted(cli, tmp_path: Path) -> Drafted:
    """Everything built through the CLI: keys, init, two members, three principles, one edit."""
    keys = tmp_path / "keys"
    for name in ("sec", "health", "youth"):
        result = cli("key", "generate", "--out", keys / name, "--comment", name)
        assert "SHA256:" in result.stdout
    cli("init", "repo", "--name", "Test Coalition", "--facilitator", "sec",
        "--facilitator-name", "Secretariat", "--key", keys / "sec")
    repo = tmp_path / "repo"
    d = Drafted(repo, keys)
    d.commits["init"] = git(repo, "rev-parse", "HEAD").strip()
    cli.cwd = repo
    for member, sector in (("health", "service-provider"), ("youth", "advocacy")):
        cli("member", "add", member, "--name", f"{member.title()} Org", "--sector", sector,
            "--role", "member", "--key", keys / f"{member}.pub", "--signing-key", keys / "sec")
        d.commits[member] = git(repo, "rev-parse", "HEAD").strip()
    out = cli("principle", "add", "Community benefit", "--body", BODY_1, "--key", keys / "sec")
    assert out.stdout.strip() == "P01"
    d.commits["P01"] = git(repo, "rev-parse", "HEAD").strip()
    body_file = tmp_path / "privacy.md"
    body_file.write_text(BODY_2 + "\n", encoding="utf-8")
    out = cli("principle", "add", "Privacy", "--body-file", body_file, "--key", keys / "sec")
    assert out.stdout.strip() == "P02"
    d.commits["P02"] = git(repo, "rev-parse", "HEAD").strip()
    out = cli("principle", "add", "Indigenous data sovereignty", input=BODY_3 + "\n",
              env={"COALITION_KEY": str(keys / "sec")})
    assert out.stdout.strip() == "P03"
    d.commits["P03"] = git(repo, "rev-parse", "HEAD").strip()
    cli("principle", "edit", "P01", "--body", BODY_1_EDITED, "--key", keys / "sec")
    d.commits["edit"] = git(repo, "rev-parse", "HEAD").strip()
    return d


# --- keys ---------------------------------------------------------------------------------


def test_key_generate_writes_an_openssh_ed25519_pair(cli, tmp_path: Path):
    out = cli("key", "generate", "--out", tmp_path / "k" / "me", "--comment", "me@org",
              "--format", "json")
    info = json.loads(out.stdout)
    private, public = tmp_path / "k" / "me", tmp_path / "k" / "me.pub"
    assert info["private"] == str(private) and info["public"] == str(public)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    kind, blob, comment = public.read_text().split()
    assert (kind, comment) == ("ssh-ed25519", "me@org")
    key = PrivateKey.load(private)
    assert key.public.openssh == f"{kind} {blob}"
    assert info["fingerprint"] == key.public.fingerprint
    if SSH_KEYGEN:
        listed = subprocess.run([SSH_KEYGEN, "-lf", str(public)], capture_output=True, text=True)
        assert info["fingerprint"] in listed.stdout
    # Never overwrites a key.
    before = private.read_bytes()
    err = cli("key", "generate", "--out", private, code=3)
    assert err.stderr.startswith("error: ") and "already exists" in err.stderr
    assert private.read_bytes() == before


# --- init, registry, drafting ---------------------------------------------------------------


def test_init_makes_a_repository_with_the_agenda_layout(drafted: Drafted):
    repo, agenda = drafted.repo, drafted.agenda
    assert (repo / ".git").is_dir()
    assert git(repo, "rev-parse", "--show-toplevel").strip() == str(repo.resolve())
    files = git(repo, "ls-tree", "-r", "--name-only", drafted.commits["init"]).split()
    assert sorted(files) == ["agenda/.gitattributes", "agenda/coalition.yaml",
                             "agenda/coalition.yaml.sig", "agenda/members/sec.yaml",
                             "agenda/members/sec.yaml.sig"]
    assert "*.sig -text" in (agenda / ".gitattributes").read_text()
    config = (agenda / "coalition.yaml").read_text()
    assert 'name: "Test Coalition"' in config and "indigenous-led" in config
    assert (agenda / "members" / "sec.yaml.sig").read_bytes().startswith(
        b"-----BEGIN SSH SIGNATURE-----\n")
    assert git(repo, "status", "--porcelain") == ""


def test_git_history_has_one_commit_per_change_naming_principle_and_author(drafted: Drafted):
    log = git(drafted.repo, "log", "--reverse", "--format=%H%x00%an%x00%ae%x00%s").splitlines()
    rows = [line.split("\0") for line in log]
    assert [r[0] for r in rows] == [drafted.commits[s] for s in
                                    ("init", "health", "youth", "P01", "P02", "P03", "edit")]
    subjects = [r[3] for r in rows]
    assert subjects[0] == "Create the agenda of Test Coalition"
    assert subjects[1] == "member health: add (Health Org)"
    assert subjects[2] == "member youth: add (Youth Org)"
    assert subjects[3] == 'principle P01: add "Community benefit" (by sec)'
    assert subjects[4] == 'principle P02: add "Privacy" (by sec)'
    assert subjects[5] == 'principle P03: add "Indigenous data sovereignty" (by sec)'
    assert subjects[6] == 'principle P01: edit "Community benefit" (by sec)'
    # The author of every commit is the facilitator who signed the change.
    assert {(r[1], r[2]) for r in rows} == {("Secretariat", "sec@members.coalition.invalid")}
    # Each commit holds exactly its own change.
    changed = {step: git(drafted.repo, "show", "--format=", "--name-only", sha).split()
               for step, sha in drafted.commits.items()}
    assert changed["health"] == ["agenda/members/health.yaml", "agenda/members/health.yaml.sig"]
    assert changed["P02"] == ["agenda/principles/P02-privacy.md",
                              "agenda/principles/P02-privacy.md.sig"]
    assert changed["edit"] == ["agenda/principles/P01-community-benefit.md",
                               "agenda/principles/P01-community-benefit.md.sig"]
    assert git(drafted.repo, "status", "--porcelain") == ""


def test_principle_bodies_from_flag_file_and_stdin(cli, drafted: Drafted):
    for pid, body in (("P02", BODY_2), ("P03", BODY_3)):
        shown = json.loads(cli("principle", "show", pid, "--format", "json").stdout)
        assert shown["body"] == body
    text = (drafted.agenda / "principles" / "P03-indigenous-data-sovereignty.md").read_text()
    # the version is stamped (signed versions are ordered by it and never go back)
    text = re.sub(r'updated_at: "[0-9TZ:-]+"\n', "updated_at: STAMP\n", text)
    assert text == ('---\nid: "P03"\ntitle: "Indigenous data sovereignty"\nstatus: "active"\n'
                    'updated_at: STAMP\n---\n\n' + BODY_3 + "\n")


def test_principle_show_at_an_earlier_commit(cli, drafted: Drafted):
    now = cli("principle", "show", "P01").stdout
    assert now.startswith("P01 Community benefit\n") and "each quarter." in now
    assert "each year." not in now
    before = cli("principle", "show", "P01", "--at", drafted.commits["P03"]).stdout
    assert "each year." in before and "each quarter." not in before
    short = cli("principle", "show", "p1", "--at", drafted.commits["P01"][:10], "--format", "json")
    assert json.loads(short.stdout)["body"] == BODY_1
    # Before it existed there was no P01.
    gone = cli("principle", "show", "P01", "--at", drafted.commits["youth"], code=3)
    assert gone.stderr.startswith("error: no principle P01")


def test_principle_log_lists_every_commit_of_the_principle(cli, drafted: Drafted):
    rows = json.loads(cli("principle", "log", "P01", "--format", "json").stdout)
    assert [r["commit"] for r in rows] == [drafted.commits["edit"], drafted.commits["P01"]]
    assert rows[0]["message"].startswith("principle P01: edit") and rows[0]["author"] == "Secretariat"
    text = cli("principle", "log", "P01").stdout.splitlines()
    assert len(text) == 2
    assert text[0].startswith(drafted.commits["edit"][:8]) and text[1].startswith(drafted.commits["P01"][:8])


def test_principle_list_json(cli, drafted: Drafted):
    rows = json.loads(cli("principle", "list", "--format", "json").stdout)
    assert [(r["id"], r["title"], r["status"]) for r in rows] == [
        ("P01", "Community benefit", "active"), ("P02", "Privacy", "active"),
        ("P03", "Indigenous data sovereignty", "active")]
    assert rows[2]["words"] == len(BODY_3.split())
    old = json.loads(cli("principle", "list", "--at", drafted.commits["P01"], "--format", "json").stdout)
    assert [r["id"] for r in old] == ["P01"]


def test_member_list_and_show_json(cli, drafted: Drafted):
    rows = json.loads(cli("member", "list", "--format", "json").stdout)
    assert {r["id"]: (r["name"], r["sector"], r["status"], r["keys"]) for r in rows} == {
        "health": ("Health Org", "service-provider", "active", 1),
        "youth": ("Youth Org", "advocacy", "active", 1),
        "sec": ("Secretariat", "network", "active", 1),
    }
    shown = json.loads(cli("member", "show", "health", "--format", "json").stdout)
    assert shown["id"] == "health" and shown["roles"] == ["member"]
    assert shown["updated_by"] == "sec"
    [key] = shown["keys"]
    assert key["fingerprint"] == PrivateKey.load(drafted.key("health")).public.fingerprint
    assert key["revoked"] is None and key["added"].endswith("Z")
    sec = json.loads(cli("member", "show", "sec", "--format", "json").stdout)
    assert "facilitator" in sec["roles"]
    # The registry as it was before health joined.
    before = json.loads(cli("member", "list", "--at", drafted.commits["init"], "--format", "json").stdout)
    assert [r["id"] for r in before] == ["sec"]


@needs_ssh
def test_allowed_signers_work_with_stock_ssh_keygen(cli, drafted: Drafted, tmp_path: Path):
    out = cli("member", "allowed-signers").stdout
    lines = out.splitlines()
    assert len(lines) == 3
    for line in lines:
        member, namespaces, kind, blob = line.split(" ")
        assert namespaces == 'namespaces="coalition-cli"' and kind == "ssh-ed25519"
    allowed = tmp_path / "allowed"
    allowed.write_text(out)

    def verify(principal: str, data: Path, sig: Path) -> subprocess.CompletedProcess[bytes]:
        with data.open("rb") as stdin:
            return subprocess.run([SSH_KEYGEN, "-Y", "verify", "-f", str(allowed), "-I", principal,
                                   "-n", "coalition-cli", "-s", str(sig)], stdin=stdin,
                                  capture_output=True)

    # Registry records, as the tool wrote them, signed by the facilitator.
    for name in ("sec", "health", "youth"):
        record = drafted.agenda / "members" / f"{name}.yaml"
        result = verify("sec", record, Path(f"{record}.sig"))
        assert result.returncode == 0, result.stderr
        assert b"Good" in result.stdout
        # Not a signature of another member, not of other bytes.
        assert verify("health", record, Path(f"{record}.sig")).returncode != 0
    tampered = tmp_path / "tampered.yaml"
    tampered.write_bytes((drafted.agenda / "members" / "health.yaml").read_bytes().replace(
        b"Health Org", b"Wealth Org"))
    assert verify("sec", tampered, drafted.agenda / "members" / "health.yaml.sig").returncode != 0
    # A file signed with the tool's signing API by a member's key.
    data = tmp_path / "comment.yaml"
    data.write_bytes(b'v: 1\ntext: "kia ora"\n')
    sig = tmp_path / "comment.yaml.sig"
    sig.write_bytes(PrivateKey.load(drafted.key("health")).sign(data.read_bytes()))
    assert verify("health", data, sig).returncode == 0
    assert verify("youth", data, sig).returncode != 0


def test_init_refuses_a_folder_that_already_holds_an_agenda(cli, drafted: Drafted, hermetic: Path):
    before = repo_state(drafted.repo)
    listing = sorted(p for p in drafted.repo.rglob("*") if ".git" not in p.parts)
    cli.cwd = drafted.repo.parent
    for args in (("--key", drafted.key("sec")), ()):  # without --key it would make a key: it must not
        result = cli("init", "repo", "--name", "Another", "--facilitator", "other", *args, code=3)
        lines = result.stderr.splitlines()
        assert lines[0].startswith("error: ") and "already holds an agenda" in lines[0]
        assert all(line.startswith("hint: ") for line in lines[1:])
        assert result.stdout == ""
    assert repo_state(drafted.repo) == before
    assert sorted(p for p in drafted.repo.rglob("*") if ".git" not in p.parts) == listing
    assert not (hermetic / ".ssh").exists()
    assert "Test Coalition" in (drafted.agenda / "coalition.yaml").read_text()


def test_init_in_an_existing_repository_keeps_its_history(cli, tmp_path: Path, hermetic: Path):
    repo = tmp_path / "existing"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("hello\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "first")
    first = git(repo, "rev-parse", "HEAD").strip()
    # No --key and no ~/.ssh/id_ed25519: init generates a key for the facilitator.
    out = cli("init", repo, "--name", "C", "--facilitator", "sec", "--format", "json")
    info = json.loads(out.stdout)
    assert info["generated"] is True and Path(info["key"]).is_file()
    assert Path(info["key"]).parent == hermetic / ".ssh"
    assert git(repo, "rev-parse", "HEAD~1").strip() == first
    assert (repo / "README.md").read_text() == "hello\n"


def test_ids_are_stable_and_never_reused(cli, drafted: Drafted):
    key = drafted.key("sec")
    cli("principle", "retire", "P02", "--key", key)
    cli("principle", "retire", "P03", "--key", key)  # even the highest number stays taken
    out = cli("principle", "add", "Transparency", "--body", "Publish every agreement.", "--key", key)
    assert out.stdout.strip() == "P04"
    rows = json.loads(cli("principle", "list", "--format", "json").stdout)
    assert [(r["id"], r["status"]) for r in rows] == [
        ("P01", "active"), ("P02", "retired"), ("P03", "retired"), ("P04", "active")]
    assert cli("principle", "show", "P02").stdout.startswith("P02 Privacy [retired]")
    assert (drafted.agenda / "principles" / "P04-transparency.md").is_file()
    subjects = git(drafted.repo, "log", "-3", "--format=%s").splitlines()
    assert subjects == ['principle P04: add "Transparency" (by sec)',
                        'principle P03: retire "Indigenous data sovereignty" (by sec)',
                        'principle P02: retire "Privacy" (by sec)']


# --- finding the agenda ------------------------------------------------------------------------


def test_agenda_discovery_flag_env_and_subfolders(cli, drafted: Drafted, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    cli.cwd = outside

    def ids(result) -> list[str]:
        return [r["id"] for r in json.loads(result.stdout)]

    expected = ["P01", "P02", "P03"]
    assert ids(cli("principle", "list", "--agenda", drafted.agenda, "--format", "json")) == expected
    assert ids(cli("--agenda", drafted.agenda, "principle", "list", "--format", "json")) == expected
    assert ids(cli("principle", "list", "--format", "json",
                   env={"COALITION_AGENDA": str(drafted.agenda)})) == expected
    # The flag wins over the environment.
    wrong = cli("principle", "list", "--agenda", outside, env={"COALITION_AGENDA": str(drafted.agenda)},
                code=3)
    assert wrong.stderr.startswith("error: ")
    # From any folder inside the repository.
    deep = drafted.repo / "notes" / "deep"
    deep.mkdir(parents=True)
    for folder in (drafted.repo, drafted.agenda / "principles", deep):
        cli.cwd = folder
        assert ids(cli("principle", "list", "--format", "json")) == expected
    # Writing from a subfolder works too.
    cli.cwd = deep
    assert cli("principle", "add", "Sub", "--body", "b.", "--key", drafted.key("sec")).stdout.strip() == "P04"


def test_outside_a_repository_is_a_clear_error(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    outside = tmp_path / "nowhere"
    outside.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    cli.cwd = outside
    for args, env in ((("principle", "list"), None), (("member", "list"), None),
                      (("principle", "list"), {"COALITION_AGENDA": str(tmp_path / "missing")})):
        result = cli(*args, env=env, code=3)
        lines = result.stderr.splitlines()
        assert len(lines) == 2, result.stderr
        assert lines[0].startswith("error: ") and lines[1].startswith("hint: ")
        assert "coalition init" in lines[1]
        assert "Traceback" not in result.output
    assert list(outside.iterdir()) == []


# --- who is signing ---------------------------------------------------------------------------


def last_author(repo: Path) -> str:
    return git(repo, "log", "-1", "--format=%ae").strip()


def test_identity_from_flags_and_environment(cli, drafted: Drafted):
    sec, health = drafted.key("sec"), drafted.key("health")
    cli.cwd = drafted.repo
    # --as names the member; the key must be one of theirs.
    denied = cli("principle", "add", "A", "--body", "b.", "--key", sec, "--as", "health", code=4)
    assert "not a key of member 'health'" in denied.stderr
    cli("principle", "add", "A", "--body", "b.", "--key", sec, "--as", "sec")
    assert last_author(drafted.repo) == "sec@members.coalition.invalid"
    # COALITION_MEMBER does the same.
    denied = cli("principle", "add", "B", "--body", "b.", "--key", sec,
                 env={"COALITION_MEMBER": "youth"}, code=4)
    assert "not a key of member 'youth'" in denied.stderr
    # The member owning the key is found from the registry; health is not a facilitator.
    denied = cli("principle", "add", "B", "--body", "b.", env={"COALITION_KEY": str(health)}, code=4)
    assert "'health' is not one" in denied.stderr
    # --key wins over COALITION_KEY.
    cli("principle", "add", "B", "--body", "b.", "--key", sec, env={"COALITION_KEY": str(health)})
    assert json.loads(cli("principle", "show", "P05", "--format", "json").stdout)["title"] == "B"


def test_identity_from_git_config_and_the_default_ssh_key(cli, drafted: Drafted, hermetic: Path):
    sec, health = drafted.key("sec"), drafted.key("health")
    repo = drafted.repo
    cli.cwd = repo
    # init recorded the founder's key for this clone (coalition.key); without it, nothing is
    # configured and the default ~/.ssh/id_ed25519 of this HOME is missing.
    assert git(repo, "config", "coalition.key").strip() == str(sec)
    git(repo, "config", "--unset", "coalition.key")
    missing = cli("principle", "add", "A", "--body", "b.", code=3)
    assert str(hermetic / ".ssh" / "id_ed25519") in missing.stderr
    assert "hint: " in missing.stderr
    # ~/.ssh/id_ed25519.
    (hermetic / ".ssh").mkdir()
    shutil.copy(sec, hermetic / ".ssh" / "id_ed25519")
    cli("principle", "add", "A", "--body", "b.")
    assert last_author(repo) == "sec@members.coalition.invalid"
    # git config coalition.key beats ~/.ssh/id_ed25519.
    git(repo, "config", "coalition.key", str(health))
    denied = cli("principle", "add", "B", "--body", "b.", code=4)
    assert "'health' is not one" in denied.stderr
    # COALITION_KEY beats git config.
    cli("principle", "add", "B", "--body", "b.", env={"COALITION_KEY": str(sec)})
    # git config coalition.member names the member.
    git(repo, "config", "coalition.key", str(sec))
    git(repo, "config", "coalition.member", "youth")
    denied = cli("principle", "add", "C", "--body", "b.", code=4)
    assert "not a key of member 'youth'" in denied.stderr
    cli("principle", "add", "C", "--body", "b.", "--as", "sec")  # --as beats git config
    titles = [r["title"] for r in json.loads(cli("principle", "list", "--format", "json").stdout)]
    assert titles[3:] == ["A", "B", "C"]


# --- start-up cost -----------------------------------------------------------------------------


def test_importing_the_cli_does_not_import_heavy_libraries():
    heavy = ("git", "cryptography", "docx", "diff_match_patch", "ruamel", "rich")
    code = ("import sys, coalition_cli.cli\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert out.stdout.strip() == "[]", out.stdout
    # The check itself works: the library proper does pull them in where it needs them
    # (cryptography: for generating a key; signing with an unencrypted key uses libsodium).
    probe = subprocess.run([sys.executable, "-c", "import sys, tempfile, coalition_cli.signing as s; "
                            "s.generate_key(tempfile.mkdtemp() + '/k'); "
                            "print('cryptography' in sys.modules)"], capture_output=True, text=True)
    assert probe.stdout.strip() == "True"
