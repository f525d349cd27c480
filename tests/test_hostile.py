"""Hostile input: each is refused with one clear line, the spec's exit code, and nothing written.

Two families:

* what a person types (ids, text, dates, files, keys): the command exits 2 or 3
  with one ``error:`` line (and maybe a ``hint:``), and the repository is left
  exactly as it was — same head, refs, index and working tree;
* what a hostile clone commits (YAML bombs, tags, odd names, symlinks, forged
  signatures): `verify` exits 1 naming the file and the problem; a command that
  needs the broken file exits 3 with one line and writes nothing; other
  commands keep working and leave the bad record out.

Set ``HOSTILE_TABLE=FILE`` to append every case and the tool's answer to FILE
(JSON lines), from which the table in the issue's report is made.
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from coalition_cli import actions, records
from coalition_cli.agenda import Agenda
from coalition_cli.ids import new_record_id
from coalition_cli.identity import Identity
from coalition_cli.model import Record, now, stamp
from coalition_cli.signing import PrivateKey
from coalition_cli.store import Git

from conftest import Cli, git, make_key, repo_state

BODY = ("The coalition commits to annual public reporting on every agreement. "
        "Café résumé: the register is public.")


# --- one small agenda, built once per worker and copied for each case ---------------------------


@dataclass
class Repo:
    root: Path
    keys: dict[str, Path]
    scratch: Path

    @property
    def agenda(self) -> Agenda:
        return Agenda(Git(self.root), "agenda")

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def state(self) -> tuple[str, ...]:
        """Everything a refused command must leave alone."""
        return repo_state(self.root)

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def sign(self, who: str, data: bytes) -> bytes:
        return PrivateKey.load(self.keys[who]).sign(data)

    def write(self, rel: str, data: bytes, sig: bytes | None = None) -> None:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if sig is not None:
            Path(f"{target}.sig").write_bytes(sig)


def _identity(agenda: Agenda, member: str, key: Path) -> Identity:
    m = agenda.snapshot().member(member)
    private = PrivateKey.load(key)
    return Identity(m, private, next(e for e in m.keys if e.key == private.public.openssh))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    base = tmp_path_factory.mktemp("hostile")
    home = base / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = T\n\temail = t@example.invalid\n"
                                     "[init]\n\tdefaultBranch = main\n")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("COALITION_", "GIT_")):
                mp.delenv(name, raising=False)
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        keys = {name: make_key(base / "keys", name) for name in ("sec", "health")}
        agenda, _ = actions.init(base / "repo", name="Hostile", facilitator="sec",
                                 key=PrivateKey.load(keys["sec"]))
        sec = _identity(agenda, "sec", keys["sec"])
        actions.member_add(agenda, sec, "health", name="Health Org", sector="funder",
                           roles=["member"], keys=[(PrivateKey.load(keys["health"]).public, None)])
        actions.principle_add(agenda, sec, "Community", BODY)
        actions.round_open(agenda, sec, "r1", title="Round", closes=now() + timedelta(days=5))
    return Repo(base / "repo", keys, base)


@pytest.fixture
def repo(template: Repo, tmp_path: Path) -> Repo:
    root = tmp_path / "repo"
    shutil.copytree(template.root, root, symlinks=True)
    return Repo(root, template.keys, tmp_path)


def _record_table(kind: str, case: str, code: int, stderr: str, stdout: str = "") -> None:
    target = os.environ.get("HOSTILE_TABLE")
    if target:
        message = stderr.strip().splitlines() or stdout.strip().splitlines() or [""]
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"kind": kind, "input": case, "exit": code,
                                 "message": message[0] if kind != "usage" else message[-1]},
                                ensure_ascii=False) + "\n")


def assert_one_line(stderr: str) -> None:
    lines = stderr.strip("\n").splitlines()
    assert lines and lines[0].startswith("error: "), stderr
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: ")), stderr
    assert "Traceback" not in stderr and "this is a bug" not in stderr


# --- 1. what a person types ---------------------------------------------------------------------


@dataclass
class Typed:
    case: str
    args: Callable[[Repo], list[str]]
    code: int
    message: str
    stdin: bytes | None = None


def comment(*extra: str, text: str | None = "x") -> Callable[[Repo], list[str]]:
    def args(r: Repo) -> list[str]:
        out = ["comment", "add", "-p", "P01", "-s", "oppose", *extra, "--key", str(r.keys["health"])]
        if text is not None:
            out[6:6] = ["--text", text]
        return out
    return args


def as_sec(*args: str) -> Callable[[Repo], list[str]]:
    return lambda r: [*args, "--key", str(r.keys["sec"])]


def add_member(member_id: str, key: str = "health.pub") -> Callable[[Repo], list[str]]:
    return lambda r: ["member", "add", member_id, "--name", "X", "--sector", "funder", "--role",
                      "member", "--key", str(r.keys["health"].parent / key),
                      "--signing-key", str(r.keys["sec"])]


def text_file(data: bytes, name: str = "text.txt") -> Callable[[Repo], list[str]]:
    def args(r: Repo) -> list[str]:
        path = r.scratch / name
        path.write_bytes(data)
        return comment("--text-file", str(path), text=None)(r)
    return args


NFD_QUOTE = unicodedata.normalize("NFD", "Café résumé")
TYPED = [
    Typed("member id `../evil` (path traversal)", add_member("../evil"), 3, "invalid member id ../evil"),
    Typed("round id `../../x`", as_sec("round", "open", "../../x", "--title", "t", "--closes", "2099-01-01"),
          3, "invalid round id ../../x"),
    Typed("`--round ../r1`", comment("--round", "../r1"), 3, "invalid round id ../r1"),
    Typed("`comment show ../../etc/passwd`", lambda r: ["comment", "show", "../../etc/passwd"], 3,
          "invalid comment id ../../etc/passwd"),
    Typed("`comment show a/b`", lambda r: ["comment", "show", "a/b"], 3, "invalid comment id a/b"),
    Typed("principle `../P01`", lambda r: comment()(r)[:3] + ["../P01"] + comment()(r)[4:], 3,
          "invalid principle id ../P01"),
    Typed("`principle show P01/../../x`", lambda r: ["principle", "show", "P01/../../x"], 3,
          "invalid principle id P01/../../x"),
    Typed("`--as ../sec`", comment("--as", "../sec"), 3, "invalid member id ../sec"),
    Typed("member id with capitals `Health2`", add_member("Health2"), 3, "invalid member id Health2"),
    Typed("member id `héalth` (non-ASCII)", add_member("héalth"), 3, "invalid member id héalth"),
    Typed("round id of 64 characters", as_sec("round", "open", "a" * 64, "--title", "t", "--closes",
                                              "2099-01-01"), 3, "invalid round id aaaa"),
    Typed("empty round id", as_sec("round", "open", "", "--title", "t", "--closes", "2099-01-01"), 3,
          "invalid round id : use 1-63 characters"),
    Typed("round id `-x` (looks like an option)", as_sec("round", "open", "-x", "--title", "t",
                                                         "--closes", "2099-01-01"), 2, "No such option: -x"),
    Typed("comment text of 20,001 characters", comment(text="x" * 20_001), 3,
          "the comment text is 20001 characters; the limit is 20000"),
    Typed("proposed text of 20,001 characters", comment("--propose", "p" * 20_001), 3,
          "the proposed text is 20001 characters; the limit is 20000"),
    Typed("quote of 2,001 characters", comment("--quote", "q" * 2_001), 3,
          "--quote is 2001 characters; the limit is 2000"),
    Typed("title of 201 characters", as_sec("round", "open", "r9", "--title", "t" * 201, "--closes",
                                            "2099-01-01"), 3, "--title is 201 characters; the limit is 200"),
    Typed("`--text-file` in Latin-1 (non-UTF-8)", text_file("café\n".encode("latin-1")), 3,
          "is not valid UTF-8 (byte 4)"),
    Typed("non-UTF-8 bytes on stdin", comment("--text-file", "-", text=None), 3,
          "stdin is not valid UTF-8 (byte 1)", stdin=b"\xff\xfd bad"),  # (FF FE is a UTF-16 BOM)
    Typed("`--text-file` that is a directory", lambda r: comment("--text-file", str(r.scratch),
                                                                 text=None)(r), 3, "cannot read"),
    Typed("`--text-file` that does not exist", comment("--text-file", "/nonexistent/x", text=None), 3,
          "cannot read /nonexistent/x"),
    Typed("ANSI escape `ESC[31m` in the text", comment(text="red \x1b[31m alert"), 3,
          "control character U+001B at position 5"),
    Typed("terminal title escape `ESC]0;…BEL`", comment(text="\x1b]0;pwned\x07"), 3,
          "control character U+001B at position 1"),
    Typed("NUL byte in a text file", text_file(b"a\x00b"), 3, "control character U+0000 at position 2"),
    Typed("lone carriage return", comment(text="a\rb"), 3, "control character U+000D"),
    Typed("C1 control U+009B (CSI)", comment(text="a\x9bb"), 3, "control character U+009B"),
    Typed("lone surrogate U+DCFF (undecodable argv byte)", comment(text="a\udcffb"), 3,
          "the comment text is not valid UTF-8 text"),
    Typed("newline in a one-line field (`--title`)", as_sec("round", "open", "r9", "--title", "a\nb",
                                                            "--closes", "2099-01-01"), 3,
          "--title contains the control character U+000A"),
    Typed("quote not in the draft", comment("--quote", "nowhere in the text"), 3,
          "the quote does not occur in the principle"),
    Typed("`--occurrence 0`", comment("--quote", "annual", "--occurrence", "0"), 3,
          "occurrence 0 is out of range"),
    Typed("`--occurrence 99`", comment("--quote", "annual", "--occurrence", "99"), 3,
          "occurrence 99 is out of range"),
    Typed("unknown stance `yes`", lambda r: [a if a != "oppose" else "yes" for a in comment()(r)], 3,
          "unknown stance 'yes'"),
    Typed("theme `Bad Theme`", comment("--theme", "Bad Theme"), 3, "invalid theme id Bad Theme"),
    Typed("`--key /etc/passwd`", lambda r: comment()(r)[:-1] + ["/etc/passwd"], 3,
          "/etc/passwd is not an OpenSSH private key file"),
    Typed("`--key` given a .pub file, no ssh-agent",
          lambda r: comment()(r)[:-1] + [f"{r.keys['health']}.pub"], 3,
          "is a public key and no ssh-agent is running (SSH_AUTH_SOCK is not set)"),
    Typed("`member add --key` given a private key", add_member("x2", key="health"), 3,
          "is a private key; give the .pub file"),
    Typed("`--format xml`", lambda r: ["verify", "--format", "xml"], 2,
          "format 'xml' is not available here"),
]
for day in ("2026-02-30", "tomorrow", "25/12/2026", "2026-12-15T25:00", "99999-01-01",
            "2026-12-15T10:00+25:00", "2026-1-5", "２０２６-１２-１５", "2026-12-15T10:00:00.5Z"):
    TYPED.append(Typed(f"date `{day}`", as_sec("round", "extend", "r1", "--closes", day), 3,
                       f"--closes '{day}' is not a date"))
TYPED.append(Typed("date `2001-01-01` (past)", as_sec("round", "extend", "r1", "--closes", "2001-01-01"),
                   3, "--closes 2001-01-01T23:59:59Z is in the past"))


@pytest.mark.parametrize("case", TYPED, ids=[t.case for t in TYPED])
def test_typed_input_is_refused_and_nothing_is_written(repo: Repo, case: Typed) -> None:
    before = repo.state()
    result = Cli(repo.root)(*case.args(repo), input=case.stdin, code=None)
    _record_table("usage" if case.code == 2 and "No such option" in case.message else "typed",
                  case.case, result.exit_code, result.stderr)
    assert result.exit_code == case.code, result.stderr
    assert case.message in result.stderr, result.stderr
    if "No such option" not in case.message:  # click's own usage text is several lines
        assert_one_line(result.stderr)
    assert result.stdout == ""
    assert repo.state() == before


def test_limits_are_inclusive(repo: Repo) -> None:
    """The documented limits: 20,000 characters of text and proposal, 2,000 of a quote."""
    quote = "annual public reporting"
    run = Cli(repo.root)
    out = run(*comment("--propose", "p" * 20_000, "--quote", quote, text="x" * 20_000)(repo)).stdout
    data = (repo.root / f"agenda/rounds/r1/comments/health/{out.strip()}.yaml").read_bytes()
    fields = records.parse_record(data, "r")
    assert len(fields["text"]) == 20_000 and len(fields["proposed_text"]) == 20_000


def test_a_quote_in_another_normal_form_still_anchors(repo: Repo) -> None:
    """NFD typed against an NFC draft: anchored on the draft's own bytes, text kept as typed."""
    assert unicodedata.is_normalized("NFC", BODY) and NFD_QUOTE != "Café résumé"
    text = unicodedata.normalize("NFD", "Très bien, déjà vu")
    out = Cli(repo.root)(*comment("--quote", NFD_QUOTE, text=text)(repo)).stdout.strip()
    _record_table("typed", "quote typed in NFD, draft in NFC (accepted)", 0, "", out)
    fields = records.parse_record(
        (repo.root / f"agenda/rounds/r1/comments/health/{out}.yaml").read_bytes(), "r")
    assert fields["anchor"]["quote"] == "Café résumé"  # the draft's NFC bytes
    assert fields["text"] == text  # NFD as typed, not normalised


# --- 2. what a hostile clone commits -------------------------------------------------------------

CONFIG = "agenda/coalition.yaml"


@dataclass
class Planted:
    case: str
    plant: Callable[[Repo], str]  # returns the path verify must name
    problem: str
    detail: str
    breaks_writes: bool = False  # a write that needs this file must refuse with one line
    extra: list[str] = field(default_factory=list)
    write_code: int = 3  # 3: bad settings; 4: a registry that does not verify


def config(suffix: bytes | str, *, replace: bool = False) -> Callable[[Repo], str]:
    def plant(r: Repo) -> str:
        data = suffix.encode() if isinstance(suffix, str) else suffix
        path = r.root / CONFIG
        data = data if replace else path.read_bytes() + data
        # signed by the facilitator: the parser's own limits are what is tested here (an
        # unsigned change is refused before it is ever parsed: tests/test_attacks.py)
        r.write(CONFIG, data, r.sign("sec", data))
        return CONFIG
    return plant


BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
        'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n')


def member_file(raw: bytes) -> Callable[[Repo], str]:
    def plant(r: Repo) -> str:
        rel = "agenda/members/health.yaml"
        r.write(rel, raw, r.sign("sec", raw))  # even signed by the facilitator
        return rel
    return plant


def record(*, raw: bytes | None = None, name: str | None = None, sig: bytes | None = None,
           **fields: object) -> Callable[[Repo], str]:
    def plant(r: Repo) -> str:
        rec = Record(type="comment", id=new_record_id(), round="r1", member="health",
                     submitted_at=stamp(now()), principle="P01", stance="oppose", kind="general",
                     attribution="public", text="planted").fields()
        rec.update(fields)
        data = raw if raw is not None else records.dump_record(rec)
        rel = f"agenda/rounds/r1/comments/health/{name or rec['id']}.yaml"
        r.write(rel, data, sig if sig is not None else r.sign("health", data))
        return rel
    return plant


def symlink(rel: str, target: str) -> Callable[[Repo], str]:
    def plant(r: Repo) -> str:
        path = r.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        os.symlink(target, path)
        if rel.endswith(".yaml") and not Path(f"{path}.sig").exists():
            Path(f"{path}.sig").write_bytes(b"x")
        return rel
    return plant


def principle_symlink(r: Repo) -> str:
    rel = next((r.root / "agenda/principles").glob("P01*")).relative_to(r.root).as_posix()
    return symlink(rel, "/etc/passwd")(r)


def odd_name(raw_name: bytes, shown_name: str) -> Callable[[Repo], str]:
    def plant(r: Repo) -> str:
        folder = r.root / "agenda/rounds/r1/comments/health"
        folder.mkdir(parents=True, exist_ok=True)
        data = records.dump_record(Record(type="comment", id="ab", round="r1", member="health",
                                          submitted_at=stamp(now()), principle="P01",
                                          stance="oppose", kind="general", text="x").fields())
        name = os.path.join(os.fsencode(folder), raw_name)
        with open(name, "wb") as fh:
            fh.write(data)
        with open(name + b".sig", "wb") as fh:
            fh.write(r.sign("health", data))
        return f"agenda/rounds/r1/comments/health/{shown_name}"
    return plant


def other_namespace(r: Repo) -> str:
    rec = Record(type="comment", id=new_record_id(), round="r1", member="health",
                 submitted_at=stamp(now()), principle="P01", stance="oppose", kind="general",
                 text="x").fields()
    data = records.dump_record(rec)
    sig = PrivateKey.load(r.keys["health"]).sign(data, namespace="git")
    return record(raw=data, name=rec["id"], sig=sig)(r)


def signature_of_another_file(r: Repo) -> str:
    other = records.dump_record({"v": 1, "note": "something else"})
    return record(sig=r.sign("health", other))(r)


PLANTED = [
    Planted("coalition.yaml: alias bomb (billion laughs)", config(BOMB), "malformed",
            "YAML anchors and aliases are not allowed", True),
    Planted("coalition.yaml: 5,000 nested `[`", config("deep: " + "[" * 5000 + "]" * 5000 + "\n"),
            "malformed", "nested deeper than 32 levels", True),
    Planted("coalition.yaml: 100 nested block mappings",
            config("deep:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 100))),
            "malformed", "nested deeper than 32 levels", True),
    Planted("coalition.yaml: duplicate key `name`", config('name: "Other"\n'), "malformed",
            "duplicate key 'name'", True),
    Planted("coalition.yaml: 300 KB scalar", config('big: "' + "x" * 300_000 + '"\n'), "malformed",
            "more than the limit of 262144", True),
    Planted("coalition.yaml: `!!python/object/apply:os.system`",
            config('evil: !!python/object/apply:os.system ["touch pwned-by-yaml"]\n'), "malformed",
            "YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed", True),
    Planted("coalition.yaml: local tag `!custom`", config("evil: !custom 1\n"), "malformed",
            "YAML tag !custom is not allowed", True),
    Planted("coalition.yaml: unclosed `[`", config("broken: [1, 2\n"), "malformed", "invalid YAML", True),
    Planted("coalition.yaml: Latin-1 byte", config(b"x: caf\xe9\n"), "malformed", "not valid UTF-8",
            True),
    Planted("coalition.yaml: NUL byte", config(b'x: "a\x00b"\n'), "malformed", "invalid YAML", True),
    Planted("coalition.yaml: impossible date `2001-13-45`", config("when: 2001-13-45\n"), "malformed",
            "invalid YAML value", True),
    Planted("coalition.yaml: a list, not a mapping", config("- 1\n- 2\n", replace=True), "malformed",
            "expected a mapping", True),
    Planted("coalition.yaml: empty", config("", replace=True), "malformed", "expected a mapping", True),
    Planted("member file: YAML alias (signed by the facilitator)",
            member_file(b"v: 1\ntype: member\nid: &x health\nname: *x\n"), "malformed",
            "YAML anchors and aliases are not allowed", True),
    Planted("member file: `!!python/name:os.system` tag",
            member_file(b"v: 1\ntype: !!python/name:os.system member\nid: health\n"), "malformed",
            "is not allowed", True),
    Planted("member file: duplicate key `id`",
            member_file(b'v: 1\ntype: "member"\nid: "health"\nid: "other"\n'), "malformed",
            "duplicate key 'id'", True),
    Planted("member file: a symlink to another member's file",
            symlink("agenda/members/health.yaml", "sec.yaml"), "malformed",
            "a symlink where a file should be", True, write_code=4),
    Planted("record: `submitted_at: 2026-11-25 14:00:00` (no T, no Z)",
            record(submitted_at="2026-11-25 14:00:00"), "malformed",
            "submitted_at must be a UTC time like 2026-11-25T14:00:00Z"),
    Planted("record: `submitted_at: 2026-02-30T00:00:00Z`", record(submitted_at="2026-02-30T00:00:00Z"),
            "malformed", "submitted_at is not a real date"),
    Planted("record: `submitted_at` with a +02:00 offset",
            record(submitted_at="2026-11-25T14:00:00+02:00"), "malformed", "must be a UTC time"),
    Planted("record: `id: ../../x`", record(id="../../x", name="zz"), "malformed",
            "field 'id' has an invalid value '../../x'"),
    Planted("record: terminal escapes in `text` (validly signed)",
            record(text="\x1b]0;pwned\x07\x1b[2Jcleared"), "malformed",
            "field 'text' contains the control character U+001B"),
    Planted("record: lone surrogate `\\ud800` in `text`", record(text="a\ud800b"), "malformed",
            "field 'text' contains the control character U+D800"),
    Planted("record: YAML alias bomb (validly signed)",
            record(raw=b"v: 1\ntype: comment\na: &a [1,1,1,1,1,1,1,1]\nb: [*a,*a,*a,*a,*a]\n",
                   name="bomb"), "malformed", "YAML anchors and aliases are not allowed"),
    Planted("record: `!!python/object` tag (validly signed)",
            record(raw=b"v: 1\ntype: !!python/object:os.system comment\n", name="tagged"),
            "malformed", "is not allowed"),
    Planted("record: 300 KB", record(text="x" * 300_000), "malformed", "more than the limit of 262144"),
    Planted("record: text of 20,001 characters (validly signed)", record(text="y" * 20_001),
            "malformed", "field 'text' is longer than 20000 characters"),
    Planted(".sig: random bytes", record(sig=b"not a signature at all"), "bad-signature",
            "not an SSH signature"),
    Planted(".sig: empty", record(sig=b""), "bad-signature", "not an SSH signature"),
    Planted(".sig: a PGP signature",
            record(sig=b"-----BEGIN PGP SIGNATURE-----\n\niQEz\n-----END PGP SIGNATURE-----\n"),
            "bad-signature", "not an SSH signature"),
    Planted(".sig: truncated SSH signature", record(sig=b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n"),
            "bad-signature", "truncated SSH signature"),
    Planted(".sig: namespace `git` instead of `coalition-cli`", other_namespace, "bad-signature",
            "signature namespace is 'git', not 'coalition-cli'"),
    Planted(".sig: a valid signature of another file", signature_of_another_file, "bad-signature",
            "signature does not match the data"),
    Planted("record: a symlink to /etc/passwd",
            symlink("agenda/rounds/r1/comments/health/abc.yaml", "/etc/passwd"), "malformed",
            "a symlink where a file should be"),
    Planted("principle: a symlink to /etc/passwd", principle_symlink, "malformed",
            "a symlink where a file should be"),
    Planted("file name with a Latin-1 byte `caf\\xe9.yaml`", odd_name(b"caf\xe9.yaml", "caf\\xe9.yaml"),
            "wrong-place", "is stored at r1/health/caf\\xe9.yaml"),
    Planted("file name with a newline `a\\nb.yaml`", odd_name(b"a\nb.yaml", "a\\nb.yaml"),
            "wrong-place", "is stored at r1/health/a\\nb.yaml"),
    Planted("file name `A B.yaml` (space, capitals)", odd_name(b"A B.yaml", "A B.yaml"),
            "wrong-place", "is stored at r1/health/A B.yaml"),
]


@pytest.mark.parametrize("case", PLANTED, ids=[p.case for p in PLANTED])
def test_hostile_files_are_reported_and_never_crash(repo: Repo, case: Planted) -> None:
    path = case.plant(repo)
    repo.commit(f"hostile: {case.case}")
    run = Cli(repo.root)
    result = run("verify", "--format", "json", code=None)
    assert result.exit_code == 1, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    found = [p for p in problems if p["path"] == path and p["problem"] == case.problem]
    assert found, problems
    assert case.detail in found[0]["detail"], found
    terminal = run("verify", code=1).stdout
    assert "\x1b" not in terminal and all(line.count(": ") >= 2 for line in terminal.splitlines())
    _record_table("planted", case.case, 1, "", f"{case.problem}: {found[0]['detail']}")

    before = repo.state()
    write = run("comment", "add", "-p", "P01", "-s", "support", "--text", "ok", "--key",
                repo.keys["health"], code=None)
    if case.breaks_writes:
        assert write.exit_code == case.write_code, write.stdout + write.stderr
        assert_one_line(write.stderr)
        assert repo.state() == before
        _record_table("planted-write", case.case, case.write_code, write.stderr)
    else:  # the bad record only counts against itself
        assert write.exit_code == 0, write.stderr
    for args in (["comment", "list"], ["summary"]):
        out = run(*args, code=None)
        assert out.exit_code in (0, 3, 4), (args, out.stderr)
        assert "Traceback" not in out.stderr and "this is a bug" not in out.stderr
        assert "\x1b" not in out.stdout
        if out.exit_code in (3, 4):
            assert case.breaks_writes
            assert_one_line(out.stderr)
    assert not (repo.root / "pwned-by-yaml").exists()


def test_html_and_markdown_in_a_comment_are_stored_verbatim_and_never_live(repo: Repo) -> None:
    """Stored exactly as typed (it is the member's text); reports escape it (see test_unicode)."""
    text = '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) | a | b |'
    run = Cli(repo.root)
    record_id = run(*comment(text=text)(repo)).stdout.strip()
    fields = records.parse_record(
        (repo.root / f"agenda/rounds/r1/comments/health/{record_id}.yaml").read_bytes(), "r")
    assert fields["text"] == text
    _record_table("typed", "HTML/Markdown in the comment text (accepted, escaped in reports)", 0,
                  "", record_id)
    for fmt in ("md", "html"):
        out = run("summary", "--format", fmt).stdout
        assert "<script>" not in out and "<img src=x" not in out


def test_list_columns_align_wide_text_and_print_no_control_characters(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from coalition_cli.cli._common import write_columns

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    rows = [{"id": "c1", "who": "Ligue des droits", "text": "red \x1b[31m alert\nsecond line"},
            {"id": "c22", "who": "社区数据联盟", "text": "« non\u00a0merci »"},
            {"id": "c3", "who": None, "text": "\u202eevil\x00"}]
    out = io.StringIO()
    write_columns(rows, ["id", "who", "text"], stream=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4  # a header and one line per row, whatever the text held
    assert "\x1b" not in out.getvalue() and "\x00" not in out.getvalue()
    assert lines[1].endswith("red \ufffd[31m alert second line")
    assert "« non\u00a0merci »" in lines[2]  # a no-break space is content, kept
    # a right-to-left override cannot reorder the columns after it: shown as an escape
    assert "\u202e" not in out.getvalue() and lines[3].endswith("\\u202eevil\ufffd")
    from rich.cells import cell_len

    # the third column starts at the same screen column on every line (CJK counts double)
    starts = {cell_len(line[: line.index(text)]) for line, text in
              zip(lines, ["text", "red", "«", "\\u202e"])}
    assert len(starts) == 1
    tty = Tty()
    monkeypatch.delenv("NO_COLOR", raising=False)
    write_columns(rows[:1], ["id", "text"], stream=tty)
    assert tty.getvalue().startswith("\x1b[1mid")  # only the header's bold, ours, on a terminal
    assert tty.getvalue().count("\x1b") == 2
