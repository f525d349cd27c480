"""Property and fuzz tests across the whole pipeline (hypothesis).

* any text a member can type round-trips exactly: record bytes, signature,
  parsing, verify, `comment show`, the summary;
* no input — bytes, field values, quotes, edits, command lines — produces a
  traceback: each layer answers with a value or its own error type, and the
  CLI with an exit code of the spec and one ``error:`` line.
"""

from __future__ import annotations

import json
import string
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from coalition_cli import actions, records
from coalition_cli.anchoring import make_anchor, reanchor
from coalition_cli.confidential import access_from_fields
from coalition_cli.errors import CoalitionError, InputError
from coalition_cli.ids import new_record_id
from coalition_cli.model import (
    Record,
    closing_from_fields,
    config_from_fields,
    member_from_fields,
    now,
    record_from_fields,
    response_from_fields,
    round_from_fields,
    stamp,
)
from coalition_cli.redline import diff, normalize
from coalition_cli.signing import PrivateKey, verify_detached_fast
from coalition_cli.verify import _check_one, verify

from conftest import Cli, Coalition, make_key
from test_redline import check_ops  # the redline's own invariants, here on any script

# What a person can type: every character but control characters (newline and tab
# excepted), lone surrogates and U+FFFD, which the tool refuses with one line.
TYPABLE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"),
                        exclude_characters="\ufffd") | st.sampled_from("\n\t \u00a0\u202f")
SCRIPTS = st.sampled_from(["é", "e\u0301", "ᐃᓄᒃᑎᑐᑦ", "العربية", "👩🏽\u200d⚕️", "🇨🇦", "\u2028",
                           "\ufeff", "«\u00a0»", "<script>", "*_`#|", "\u202e", "한국어", "z̴̛"])
TYPED = st.lists(TYPABLE | SCRIPTS, min_size=1, max_size=40).map("".join).filter(
    lambda s: s.strip() != "")
FAST = settings(max_examples=200, deadline=None)
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> PrivateKey:
    return PrivateKey.load(make_key(tmp_path_factory.mktemp("fuzzkeys"), "fuzz"))


# --- record parsing and signing -------------------------------------------------------------------


@FAST
@given(text=TYPED, proposal=st.none() | TYPED, author=st.none() | TYPED.map(lambda s: s[:200]))
@example(text="a\u2028b\ufeffc", proposal="\u0085", author=None)
def test_typed_text_round_trips_through_record_and_signature(key: PrivateKey, text: str,
                                                             proposal: str | None,
                                                             author: str | None) -> None:
    assume("\u0085" not in (proposal or "") and "\r" not in text)  # NEL is a C1 control
    rec = Record(type="comment", id=new_record_id(), round="r1", member="m", submitted_at=stamp(now()),
                 principle="P01", author=author, stance="amend", kind="general", text=text,
                 proposed_text=proposal)
    data = records.dump_record(rec.fields())
    sig = key.sign(data)
    found = verify_detached_fast(data, sig)
    assert found is not None and found.openssh == key.public.openssh
    back = record_from_fields(records.parse_record(data, "p"), "p")
    assert back == rec
    assert back.text.encode("utf-8") == text.encode("utf-8")
    # and any other YAML reader agrees (the canonical form is YAML)
    from ruamel.yaml import YAML

    assert YAML(typ="safe", pure=True).load(data.decode("utf-8"))["text"] == text


@FAST
@given(data=st.binary(max_size=600), flip=st.integers(min_value=0, max_value=10_000))
def test_one_changed_byte_breaks_the_signature_never_the_program(key: PrivateKey, data: bytes,
                                                                 flip: int) -> None:
    sig = key.sign(data)
    mutated = bytearray(data + b"x")
    mutated[flip % len(mutated)] ^= 0x01
    assert verify_detached_fast(bytes(mutated), sig) is None
    bad_sig = bytearray(sig)
    bad_sig[flip % len(bad_sig)] ^= 0x20
    result = verify_detached_fast(data, bytes(bad_sig))
    assert result is None or result.openssh == key.public.openssh  # armor whitespace may not matter


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) |
                    TYPED | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) |
                    st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
FIELD_NAMES = st.sampled_from(["v", "type", "id", "round", "member", "submitted_at", "principle",
                               "stance", "kind", "attribution", "text", "anchor", "keys", "roles",
                               "records", "status", "draft", "closes_at", "opened_at", "comment",
                               "encrypted", "name", "sector", "trust", "consensus", "stances"])
FIELD_VALUES = JSON | st.sampled_from([1, "comment", "member", "round", "closing", "response",
                                       "access", "r1", "m", "P01", "2026-11-25T14:00:00Z",
                                       "support", "general", "public", "0" * 40, ["x", "y"]])


@FAST
@given(fields=st.dictionaries(FIELD_NAMES, FIELD_VALUES, max_size=12))
def test_any_fields_are_a_record_or_malformed_data(fields: dict) -> None:
    try:
        data = records.dump_record(fields)
    except (TypeError, ValueError):  # not JSON (e.g. an infinite float): never written
        return
    for reader in (lambda f: record_from_fields(f, "p"), lambda f: member_from_fields(f, "p"),
                   lambda f: round_from_fields(f, "p"), lambda f: response_from_fields(f, "p"),
                   lambda f: closing_from_fields(f, "p"), lambda f: config_from_fields(f, "p"),
                   lambda f: access_from_fields(f, "p")):
        try:
            reader(records.parse_record(data, "p"))
        except InputError:
            pass


@FAST
@given(data=st.binary(max_size=500), sig=st.none() | st.binary(max_size=300),
       path=st.sampled_from(["agenda/rounds/r1/comments/m/x.yaml", "agenda/members/m.yaml"]))
def test_verify_checks_any_bytes_without_raising(data: bytes, sig: bytes | None, path: str) -> None:
    signer, sig_problem, digest, payload, parse_problem = _check_one(path, data, sig)
    assert len(digest) == 64 and (payload is None or not parse_problem)
    assert sig is not None or not sig_problem


# --- anchoring and the redline ------------------------------------------------------------------

WORD = st.sampled_from(["data", "données", "ᓄᓇᕗᑦ", "البيانات", "e\u0301té", "🤝", "reuse",
                        "community", "consent", "the", "of", "1.2", "—", "(a)", "x"])
SEP = st.sampled_from([" ", " ", "  ", "\n", "\n\n", ", ", ". ", "\u00a0"])
BODY = st.lists(st.tuples(WORD, SEP), min_size=1, max_size=60).map(
    lambda pairs: "".join(w + s for w, s in pairs).strip() or "x")


@FAST
@given(body=BODY, data=st.data())
def test_any_quote_anchors_exactly_or_is_refused(body: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    quote = body[start:end]
    try:
        anchor = make_anchor(body, quote, data.draw(st.none() | st.integers(-2, 5)))
    except InputError:
        return
    assert body[anchor["start"]:anchor["end"]] == anchor["quote"]
    assert anchor["quote"].split() == quote.split()


@FAST
@given(old=BODY, new=BODY, data=st.data())
def test_reanchoring_after_any_edit_never_attaches_to_a_wrong_place(old: str, new: str,
                                                                    data: st.DataObject) -> None:
    words = old.split()
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    quote = " ".join(words[i:j])
    try:
        anchor = make_anchor(old, quote, 1)
    except InputError:
        return
    edited = data.draw(st.sampled_from([new, old, old + " " + new, new + " " + old,
                                        old.replace(words[i], words[i] + "s", 1)]))
    fate, moved = reanchor(old, edited, anchor)
    assert fate in ("anchored", "modified", "relocated", "orphaned")
    if moved is not None:
        assert edited[moved["start"]:moved["end"]] == moved["quote"]
        if fate == "anchored":
            assert moved["quote"].split() == anchor["quote"].split()
    if edited == old:
        assert fate == "anchored" and moved["start"] == anchor["start"]


@FAST
@given(old=BODY | TYPED, new=BODY | TYPED)
def test_the_redline_rebuilds_both_sides_of_any_text(old: str, new: str) -> None:
    ops = diff(old, new)
    assert {op["op"] for op in ops} <= {"equal", "insert", "delete", "move"}
    check_ops(old, new, ops)
    starts = {normalize(old)[:1], normalize(new)[:1]}  # a text may itself begin with a mark
    for op in ops:  # no change starts inside a grapheme (combining mark, ZWJ, skin tone)
        if op["text"][0] in starts:
            continue
        assert not unicodedata.combining(op["text"][0]) and op["text"][0] not in "\u200d\ufe0f"


# --- end to end, through the command line ----------------------------------------------------------


@pytest.fixture
def consultation(coalition: Coalition) -> Coalition:
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Fuzz",
                       closes=now() + timedelta(days=5))
    return coalition


@SLOW
@given(text=TYPED, proposal=st.none() | TYPED)
@example(text="<img src=x onerror=alert(1)> — ᐃᓄᒃᑎᑐᑦ e\u0301 👩🏽\u200d⚕️ العربية", proposal=None)
def test_any_typed_comment_round_trips_through_the_cli(consultation: Coalition, text: str,
                                                       proposal: str | None) -> None:
    assume("\r" not in text and "\r" not in (proposal or ""))
    c = consultation
    run = Cli(c.root)
    args = ["comment", "add", "-p", "P01", "-s", "amend", "--text", text, "--key", c.key("health"),
            "--format", "json"]
    if proposal is not None:
        args[8:8] = ["--propose", proposal]
    written = json.loads(run(*args).stdout)
    shown = json.loads(run("comment", "show", written["id"], "--format", "json").stdout)
    assert shown["text"] == text and shown.get("proposed_text") == proposal
    verified = verify(c.agenda)
    assert verified.ok, verified.problems
    [rec] = [r for _p, r in verified.records["r1"] if r.id == written["id"]]
    assert rec.text == text


COMMANDS = [["verify"], ["summary"], ["comment", "list"], ["comment", "show"], ["comment", "add"],
            ["member", "show"], ["member", "list"], ["principle", "show"], ["round", "status"],
            ["changes"], ["comment", "withdraw"], ["respond"], ["member", "allowed-signers"],
            ["comment", "reencrypt"], ["round", "extend"], ["principle", "list"]]
ARG = st.sampled_from(["--format", "json", "html", "csv", "--round", "r1", "-p", "P01", "p1",
                       "--stance", "support", "--text", "--quote", "--at", "HEAD~1", "HEAD",
                       "--from", "--to", "r1", "../x", "-", "--key", "/dev/null", "--as", "sec",
                       "--closes", "2026-13-01", "--occurrence", "-1", "--disposition", "noted",
                       "--rationale", "", "\x00", "P999"]) | TYPED.map(lambda s: s[:30])


@SLOW
@given(command=st.sampled_from(COMMANDS), args=st.lists(ARG, max_size=6))
def test_no_command_line_produces_a_traceback(consultation: Coalition, command: list[str],
                                              args: list[str]) -> None:
    c = consultation
    assume(all("\x00" not in a for a in args))  # the OS cannot pass NUL in argv
    result = Cli(c.root)(*command, *args, code=None)
    assert result.exit_code in (0, 1, 2, 3, 4, 5), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr and "this is a bug" not in result.stderr, result.stderr
    if result.exit_code not in (0, 1):
        first = result.stderr.strip().splitlines()[0] if result.stderr.strip() else ""
        # exit 2 may come from click's own parser ("Usage: ..." or "Error: ..."), see report
        prefixes = ("error: ", "Usage: ", "Error: ") if result.exit_code == 2 else ("error: ",)
        assert first.startswith(prefixes), result.stderr


@SLOW
@given(data=st.binary(max_size=400), member=st.sampled_from(["health", "newbie", "sec"]),
       signer=st.sampled_from(["sec", "health", None]))
def test_verify_survives_any_registry_file_in_history(consultation: Coalition, data: bytes,
                                                      member: str, signer: str | None) -> None:
    """Garbage committed into the registry is reported (history names the commit), never a crash."""
    import subprocess

    c = consultation
    rel = Path(f"agenda/members/{member}.yaml")
    (c.root / rel).write_bytes(data)
    sig = Path(f"{c.root / rel}.sig")
    if signer:
        sig.write_bytes(PrivateKey.load(c.key(signer)).sign(data))
    subprocess.run(["git", "add", "-A"], cwd=c.root, check=True)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "garbage"], cwd=c.root, check=True)
    result = verify(c.agenda)
    assert not result.ok
    assert any(p["path"] == rel.as_posix() for p in result.problems)
    out = Cli(c.root)("verify", "--format", "json", code=1).stdout
    assert json.loads(out)["ok"] is False


def test_typable_strategy_matches_what_the_tool_accepts() -> None:
    """Sanity: the generator only makes text clean_text accepts unchanged."""
    for sample in ("a", "e\u0301", "\u2028", "\ufeff", "tab\there", "ᐃ\nᓄ"):
        assert records.clean_text(sample, "t") == sample
    for refused in ("\x1b", "\x00", "\x85", "\ufffd", "a\udcffb"):
        with pytest.raises(CoalitionError):
            records.clean_text(refused, "t")
    assert set(string.printable) - set(string.whitespace) <= {c for c in string.printable}
