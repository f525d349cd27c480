"""Bad input: one `error:` line (plus an optional `hint:`), the spec's exit code, nothing written."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from conftest import git, make_key, repo_state  # noqa: I001 - the shared helpers of the fixtures




@pytest.fixture
def repo(cli, coalition) -> Path:
    cli.cwd = coalition.root
    return coalition.root


def refused(cli, repo: Path, *args, code: int, env: dict[str, str] | None = None,
            input: str | None = None) -> str:
    """Run a command that must fail cleanly; return its error line."""
    before = repo_state(repo)
    result = cli(*args, code=code, env=env, input=input)
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), result.stderr
    assert len(lines) <= 2 and all(line.startswith("hint: ") for line in lines[1:]), result.stderr
    assert "Traceback" not in result.output and "this is a bug" not in result.stderr
    assert result.stdout == ""
    assert repo_state(repo) == before, "a refused command changed the repository"
    return lines[0]


def commit_file(repo: Path, rel: str, data: bytes, signer: Path | None = None) -> None:
    """Commit ``data`` at ``rel`` by plain git, signed by ``signer``'s key when given."""
    path = repo / rel
    path.write_bytes(data)
    names = [rel]
    if signer is not None:
        from coalition_cli.signing import PrivateKey

        Path(f"{path}.sig").write_bytes(PrivateKey.load(signer).sign(data))
        names.append(rel + ".sig")
    git(repo, "add", *names)
    git(repo, "commit", "-qm", f"hand edit of {rel}")


def member_add_args(coalition, member: str = "newbie", key: str = "health") -> list:
    pub = make_key(coalition.root.parent / "keys", "new-member-key")
    return ["member", "add", member, "--name", "New Org", "--sector", "funder", "--role", "member",
            "--key", f"{pub}.pub", "--signing-key", coalition.key(key)]


# --- malformed agenda data committed to the repository ---------------------------------------


@pytest.mark.parametrize("text, line", [
    pytest.param('name: "Test"\nstances: [support, block\nsectors: ["funder"]\n', 3, id="unclosed-list"),
    pytest.param('name: "Test"\ndescription: x: y\n', 2, id="mapping-in-value"),
    pytest.param('name: "A"\nname: "B"\n', 2, id="duplicate-key"),
    pytest.param('name: "A"\nsectors: !!python/object/apply:os.system ["true"]\n', 2, id="tag"),
])
def test_malformed_coalition_yaml(cli, repo, coalition, text, line):
    # signed by the facilitator, so that it is parsed (an unsigned one never is)
    commit_file(repo, "agenda/coalition.yaml", text.encode(), signer=coalition.key("sec"))
    error = refused(cli, repo, *member_add_args(coalition, key="sec"), code=3)
    assert error.startswith(f"error: agenda/coalition.yaml:{line}: "), error


def test_coalition_yaml_with_a_wrong_shape(cli, repo, coalition):
    commit_file(repo, "agenda/coalition.yaml", b'name: "A"\nstances: ["support"]\n',
                signer=coalition.key("sec"))
    error = refused(cli, repo, *member_add_args(coalition, key="sec"), code=3)
    assert "agenda/coalition.yaml" in error and "block" in error


@pytest.mark.parametrize("data, where", [
    pytest.param(b'v: 1\ntype: "member"\nid: "health"\nname: x: y\nsector: "funder"\n',
                 "agenda/members/health.yaml:4: ", id="invalid-yaml"),
    pytest.param(b'v: 1\ntype: "member"\nid: "health"\nname: "H"\nsector: "funder"\nroles: 5\n',
                 "agenda/members/health.yaml: ", id="wrong-shape"),
    pytest.param(b'v: 1\ntype: "member"\nid: "health"\nname: "H"\nsector: "funder"\n'
                 b"updated_at: 2026-13-45\n", "agenda/members/health.yaml: ", id="impossible-date"),
    pytest.param(b'v: 1\ntype: "member"\nid: "someone-else"\nname: "H"\nsector: "funder"\n',
                 "agenda/members/health.yaml: ", id="id-not-file-name"),
    pytest.param(b"v: 1\nname: \"\xff\"\n", "agenda/members/health.yaml:2: ", id="not-utf8"),
])
def test_malformed_member_file(cli, repo, coalition, data, where):
    commit_file(repo, "agenda/members/health.yaml", data, signer=coalition.key("sec"))
    error = refused(cli, repo, "principle", "add", "T", "--body", "b.", "--key",
                    coalition.key("sec"), code=3)
    assert error.startswith(f"error: {where}"), error
    # reads show the last verified registry, and say which entry changed since
    listing = cli("member", "list", "--format", "json").stdout
    assert {"id": "health", "verified": "no: changed since"}.items() <= next(
        row for row in json.loads(listing) if row["id"] == "health").items()
    assert "health" in cli("member", "allowed-signers").stdout


@pytest.mark.parametrize("data, where", [
    pytest.param(b"---\nid: P02\ntitle: x: y\nstatus: active\n---\n\nBody.\n",
                 "agenda/principles/P02-privacy.md:3: ", id="invalid-yaml"),
    pytest.param(b"---\nid: P02\ntitle: t\nstatus: active\ntitle: u\n---\n\nBody.\n",
                 "agenda/principles/P02-privacy.md:5: ", id="duplicate-key"),
    pytest.param(b"No front matter.\n", "agenda/principles/P02-privacy.md:1: ", id="missing"),
    pytest.param(b"---\nid: P02\ntitle: t\nstatus: active\n", "agenda/principles/P02-privacy.md:1: ",
                 id="unclosed"),
    pytest.param(b"---\nid: P02\ntitle: t\nstatus: maybe\n---\n\nBody.\n",
                 "agenda/principles/P02-privacy.md: ", id="bad-status"),
    pytest.param(b"---\nid: P07\ntitle: t\nstatus: active\n---\n\nBody.\n",
                 "agenda/principles/P02-privacy.md: ", id="id-not-file-name"),
])
def test_malformed_principle_front_matter(cli, repo, coalition, data, where):
    commit_file(repo, "agenda/principles/P02-privacy.md", data, signer=coalition.key("sec"))
    for args in (("principle", "list"), ("principle", "show", "P01"),
                 ("principle", "add", "T", "--body", "b.", "--key", coalition.key("sec"))):
        error = refused(cli, repo, *args, code=3)
        assert error.startswith(f"error: {where}"), error


# --- ids that would escape their folder, unknown ids ---------------------------------------------


@pytest.mark.parametrize("bad", ["../x", "..", "a/b", "UPPER", "x_y", "x" * 64, "a\0b", "é"])
def test_ids_outside_the_alphabet_are_refused(cli, repo, coalition, bad):
    sec = coalition.key("sec")
    error = refused(cli, repo, *member_add_args(coalition, member=bad, key="sec"), code=3)
    assert error.startswith("error: invalid member id")
    error = refused(cli, repo, "round", "open", bad, "--title", "T", "--closes", "2099-01-01",
                    "--key", sec, code=3)
    assert error.startswith("error: invalid round id")
    assert refused(cli, repo, "member", "show", bad, code=3).startswith("error: invalid member id")
    assert not (repo / "x").exists() and not (repo / "agenda" / "x.yaml").exists()


@pytest.mark.parametrize("bad", ["../x", "P", "P01/../../x", "Q01", "P1234567"])
def test_principle_ids_outside_the_alphabet_are_refused(cli, repo, coalition, bad):
    error = refused(cli, repo, "principle", "show", bad, code=3)
    assert error.startswith("error: invalid principle id")
    refused(cli, repo, "principle", "edit", bad, "--title", "T", "--key", coalition.key("sec"), code=3)


def test_unknown_principle_and_member(cli, repo, coalition):
    sec = coalition.key("sec")
    assert refused(cli, repo, "principle", "show", "P09", code=3) == "error: no principle P09"
    assert refused(cli, repo, "principle", "edit", "P09", "--title", "T", "--key", sec,
                   code=3) == "error: no principle P09"
    assert refused(cli, repo, "principle", "retire", "P09", "--key", sec, code=3)
    assert refused(cli, repo, "principle", "log", "P09", code=3)
    assert refused(cli, repo, "member", "show", "nobody", code=3) == "error: no member 'nobody'"
    assert "nobody" in refused(cli, repo, "member", "remove", "nobody", "--signing-key", sec, code=3)
    assert "nobody" in refused(cli, repo, "principle", "add", "T", "--body", "b.", "--key", sec,
                               "--as", "nobody", code=3)
    assert refused(cli, repo, "principle", "show", "P01", "--at", "no-such-rev", code=3)
    # verify of an unknown round is an error, not "ok" for the registry alone
    assert refused(cli, repo, "verify", "--round", "r9", code=3) == "error: no round 'r9'"
    assert refused(cli, repo, "verify", "--round", "../members", code=3).startswith(
        "error: invalid round id")


def test_unknown_sector_and_role(cli, repo, coalition):
    args = member_add_args(coalition, key="sec")
    wrong_sector = [a if a != "funder" else "astrology" for a in args]
    assert "unknown sector" in refused(cli, repo, *wrong_sector, code=3)
    wrong_role = [a if a != "member" or i != args.index("--role") + 1 else "king"
                  for i, a in enumerate(args)]
    assert "unknown role" in refused(cli, repo, *wrong_role, code=3)


# --- permissions ---------------------------------------------------------------------------------


def test_a_non_facilitator_cannot_change_the_registry_or_the_draft(cli, repo, coalition):
    health = coalition.key("health")
    error = refused(cli, repo, *member_add_args(coalition, key="health"), code=4)
    assert error == "error: only a facilitator may change the member registry; 'health' is not one"
    refused(cli, repo, "member", "remove", "youth", "--signing-key", health, code=4)
    refused(cli, repo, "member", "revoke-key", "youth", "--key", f"{coalition.key('youth')}.pub",
            "--signing-key", health, code=4)
    refused(cli, repo, "principle", "add", "T", "--body", "b.", "--key", health, code=4)
    refused(cli, repo, "principle", "edit", "P01", "--title", "T", "--key", health, code=4)
    refused(cli, repo, "principle", "retire", "P01", "--key", health, code=4)
    refused(cli, repo, "round", "open", "r1", "--title", "T", "--closes", "2099-01-01",
            "--key", health, code=4)


# --- keys ------------------------------------------------------------------------------------------


def add_principle_with(cli, repo, key: Path, *extra, code: int, env=None) -> str:
    return refused(cli, repo, "principle", "add", "T", "--body", "b.", "--key", key, *extra, code=code,
                   env=env)


def test_an_unreadable_key_file(cli, repo, coalition, monkeypatch: pytest.MonkeyPatch, tmp_path):
    key = tmp_path / "locked"
    key.write_bytes(coalition.key("sec").read_bytes())
    key.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make this one file unreadable for the test
        real = Path.read_bytes

        def read_bytes(self: Path) -> bytes:
            if self == key:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    error = add_principle_with(cli, repo, key, code=3)
    assert str(key) in error and "Permission denied" in error
    assert "PRIVATE KEY" not in error


def test_a_missing_key_file(cli, repo, tmp_path):
    error = add_principle_with(cli, repo, tmp_path / "nope", code=3)
    assert error == f"error: no private key at {tmp_path / 'nope'}"


def _pem_openssh(key) -> bytes:
    return key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, ser.NoEncryption())


@pytest.mark.parametrize("content, problem", [
    pytest.param(lambda: _pem_openssh(rsa.generate_private_key(65537, 2048)), "not an Ed25519 key",
                 id="rsa"),
    pytest.param(lambda: _pem_openssh(ec.generate_private_key(ec.SECP256R1())), "not an Ed25519 key",
                 id="ecdsa"),
    pytest.param(lambda: b"garbage\x00\xff not a key at all\n", "not an OpenSSH private key",
                 id="garbage"),
    pytest.param(lambda: b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA!!!!\n"
                         b"-----END OPENSSH PRIVATE KEY-----\n", "not a valid private key",
                 id="broken-openssh"),
    pytest.param(lambda: b"", "not an OpenSSH private key", id="empty"),
])
def test_a_key_that_is_not_an_ed25519_private_key(cli, repo, tmp_path, content, problem):
    key = tmp_path / "odd_key"
    key.write_bytes(content())
    error = add_principle_with(cli, repo, key, code=3)
    assert problem in error, error


def test_a_public_key_given_as_the_private_key(cli, repo, coalition):
    error = add_principle_with(cli, repo, Path(f"{coalition.key('sec')}.pub"), code=3)
    assert "is a public key" in error


def test_a_passphrase_protected_key(cli, repo, coalition, tmp_path):
    from coalition_cli import actions
    from coalition_cli.signing import PrivateKey

    key = make_key(tmp_path / "pp", "locked", passphrase=b"open sesame")
    actions.member_add(coalition.agenda, coalition.who("sec"), "sec", name="Secretariat",
                       sector="network", roles=["facilitator", "member", "staff"],
                       keys=[(PrivateKey.load(key, b"open sesame").public, None)])
    error = add_principle_with(cli, repo, key, code=3)
    assert error == f"error: key {key} is protected by a passphrase"
    wrong = tmp_path / "wrong"
    wrong.write_text("open sesame!\n")
    error = add_principle_with(cli, repo, key, "--passphrase-file", wrong, code=3)
    assert error == f"error: wrong passphrase for key {key}"
    error = add_principle_with(cli, repo, key, code=3,
                               env={"COALITION_PASSPHRASE_FILE": str(wrong)})
    assert "wrong passphrase" in error
    missing = refused(cli, repo, "principle", "add", "T", "--body", "b.", "--key", key,
                      "--passphrase-file", tmp_path / "absent", code=3)
    assert "passphrase file" in missing
    # And the right passphrase works (so the refusals above were about the passphrase).
    right = tmp_path / "right"
    right.write_text("open sesame\n")
    out = cli("principle", "add", "T", "--body", "b.", "--key", key, "--passphrase-file", right)
    assert out.stdout.strip() == "P04"


def test_a_key_not_registered(cli, repo, tmp_path):
    stranger = make_key(tmp_path / "k", "stranger")
    error = add_principle_with(cli, repo, stranger, code=4)
    assert error.startswith("error: key SHA256:") and "not registered" in error


def test_a_revoked_key(cli, repo, coalition):
    from coalition_cli import actions
    from coalition_cli.signing import PrivateKey

    youth = coalition.key("youth")
    actions.member_revoke_key(coalition.agenda, coalition.who("sec"), "youth",
                              PrivateKey.load(youth).public)
    error = refused(cli, repo, "member", "add", "youth", "--name", "Y", "--sector", "advocacy",
                    "--role", "facilitator", "--key", f"{youth}.pub", "--signing-key", youth, code=4)
    assert "revoked" in error


# --- usage -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("principle", "list"), ("principle", "show", "P01"),
                                  ("member", "list"), ("member", "show", "sec"),
                                  ("principle", "log", "P01")])
def test_an_unknown_format_is_a_usage_error(cli, repo, args):
    error = refused(cli, repo, *args, "--format", "xml", code=2)
    assert error == "error: format 'xml' is not available here"


def test_an_unknown_format_writes_nothing(cli, repo, coalition):
    refused(cli, repo, "principle", "add", "T", "--body", "b.", "--key", coalition.key("sec"),
            "--format", "xml", code=2)


def test_body_given_twice_is_a_usage_error(cli, repo, coalition, tmp_path):
    body = tmp_path / "b.md"
    body.write_text("x")
    refused(cli, repo, "principle", "add", "T", "--body", "b.", "--body-file", body,
            "--key", coalition.key("sec"), code=2)


@pytest.mark.parametrize("closes", ["2026-02-30", "2026-13-01", "tomorrow", "01/02/2099", "",
                                    "2099-01-01T25:00"])
def test_a_bad_closes_date(cli, repo, coalition, closes):
    error = refused(cli, repo, "round", "open", "r1", "--title", "T", "--closes", closes,
                    "--key", coalition.key("sec"), code=3)
    assert error.startswith("error: --closes ")


def test_a_closes_date_in_the_past(cli, repo, coalition):
    error = refused(cli, repo, "round", "open", "r1", "--title", "T", "--closes", "2001-01-01",
                    "--key", coalition.key("sec"), code=3)
    assert "in the past" in error


# --- text that cannot be stored ----------------------------------------------------------------------


@pytest.mark.parametrize("title, problem", [
    ("\udcff", "UTF-8"),  # a non-UTF-8 byte in argv, as Python decodes it
    ("bell\x07", "U+0007"),
    ("two\nlines", "U+000A"),
    ("x" * 201, "limit"),
    ("   ", "empty"),
])
def test_titles_that_cannot_be_stored(cli, repo, coalition, title, problem):
    error = add_principle_with_title(cli, repo, coalition, title)
    assert problem in error


def add_principle_with_title(cli, repo, coalition, title: str) -> str:
    return refused(cli, repo, "principle", "add", title, "--body", "b.", "--key", coalition.key("sec"),
                   code=3)


def test_a_body_file_that_is_not_utf8(cli, repo, coalition, tmp_path):
    body = tmp_path / "latin1.md"
    body.write_bytes("café".encode("latin-1"))
    error = refused(cli, repo, "principle", "add", "T", "--body-file", body,
                    "--key", coalition.key("sec"), code=3)
    assert "UTF-8" in error
    error = refused(cli, repo, "principle", "add", "T", "--key", coalition.key("sec"),
                    input="café".encode("latin-1"), code=3)
    assert error.startswith("error: stdin is not valid UTF-8")


def test_an_unchanged_edit_writes_nothing(cli, repo, coalition):
    error = refused(cli, repo, "principle", "edit", "P02", "--title", "Privacy",
                    "--key", coalition.key("sec"), code=3)
    assert re.fullmatch(r"error: P02 is unchanged: nothing to commit", error)


def test_debug_shows_the_traceback(cli, repo):
    # COALITION_DEBUG=1 is the one way to get a traceback: the error propagates.
    from coalition_cli.errors import NotFound

    with pytest.raises(NotFound):
        cli("principle", "show", "P09", env={"COALITION_DEBUG": "1"}, code=None)
