"""Attacks on today's surfaces (second review): incremental verify, the fast record parser,
governance records, language versions, sk signatures, sync/join.

Every test is an attack an insider with push access (or a hostile file) can make. Tests
named ``test_review_finding_*`` reproduce what the review found: each failed on the merged
branches and passes since its fix (the test's docstring says what was wrong and where).
The others passed from the start: the defence held, and the test keeps it so.
"""

from __future__ import annotations

import json
from pathlib import Path
from datetime import timedelta

import pytest

from coalition_cli import actions, incremental, records
from coalition_cli.errors import MalformedData
from coalition_cli.model import Record, now, stamp
from coalition_cli.signing import PrivateKey
from coalition_cli.verify import verify, verify_outcome
from conftest import make_key


def _verdict(result) -> tuple:  # noqa: ANN001
    return result.ok, result.checked, sorted(tuple(sorted(p.items())) for p in result.problems)


def _full(agenda) -> tuple:  # noqa: ANN001
    return _verdict(verify(agenda, use_cache=False))


@pytest.fixture
def gov(coalition):
    """The coalition fixture plus an indigenous-led member and an open round r1."""
    ag, sec = coalition.agenda, coalition.who("sec")
    path = make_key(coalition.root.parent / "keys", "kin")
    coalition.keys["kin"] = path
    actions.member_add(ag, sec, "kin", name="Kinship Circle", sector="indigenous-led",
                       roles=["member"], keys=[(PrivateKey.load(path).public, None)])
    actions.principle_edit(ag, sec, "P03", themes=["indigenous-data-governance"])
    actions.round_open(ag, sec, "r1", title="Round one", closes=now() + timedelta(days=3))
    return coalition


def _comment(c, member: str, principle: str = "P01", **extra) -> str:  # noqa: ANN001
    return actions.comment_add(c.agenda, c.who(member), principle=principle, stance="support",
                               text=f"A comment by {member}.", **extra).id


# --- 6. incremental verify: governance rules the increment never applies ---------------------


def test_review_finding_incremental_verify_passes_a_consent_withdrawal_of_someone_elses_comment(
        gov, cli) -> None:
    """youth signs a consent-withdrawal of health's comment (plain git + its own key). The full
    pass says not-permitted; the increment's _target_ok only checks the member for
    'withdrawal'/'acknowledgement', so the verify command and sync's pre-push say ok."""
    ag = gov.agenda
    cid = _comment(gov, "health")
    assert verify_outcome(ag).ok  # a full pass: the clean state the increment steps from
    forged = Record(type="consent-withdrawal", id="abababababababab", round="r1", member="youth",
                    submitted_at=stamp(now()), target=cid)
    actions._write_record(ag, gov.who("youth"), forged, "withdraw consent for health")  # noqa: SLF001
    full = _full(ag)
    assert not full[0] and [p[2][1] for p in full[2]] == ["not-permitted"]
    incremental.USED.clear()
    out = cli("verify", "--format", "json", "--agenda", ag.path, code=None)
    assert out.exit_code == 1, "verify passed a forged consent-withdrawal (incremental path)"
    assert [p["problem"] for p in json.loads(out.stdout)["problems"]] == ["not-permitted"]


def test_review_finding_incremental_verify_passes_labels_from_outside_the_indigenous_led_sector(
        gov, cli) -> None:
    """health (a service provider) signs a comment carrying Local Contexts Labels. The full
    pass says not-permitted (governance.checks.check_labels); the increment never calls
    judge_governance, so verify says ok and remembers the head as clean."""
    from coalition_cli.governance.local_contexts import from_hub

    ag = gov.agenda
    assert verify_outcome(ag).ok
    labels = dict(from_hub({"unique_id": "6f1e2d3c-0000-4a4a-9b9b-123456789abc",
                            "title": "Kinship Circle health data",
                            "tk_labels": [{"unique_id": "a1b2c3d4-1111-2222-3333-444455556666",
                                           "name": "TK Attribution", "label_type": "attribution",
                                           "community": "Kinship Circle"}]}), notices=[])
    forged = Record(type="comment", id="cdcdcdcdcdcdcdcd", round="r1", member="health",
                    submitted_at=stamp(now()), principle="P03", stance="support",
                    kind="general", text="Not ours to label.", local_contexts=labels)
    actions._write_record(ag, gov.who("health"), forged, "labels by a service provider")  # noqa: SLF001
    full = _full(ag)
    assert not full[0] and [p[2][1] for p in full[2]] == ["not-permitted"]
    assert _verdict(verify_outcome(ag)) == full, "incremental verdict differs from the full one"


# --- 6. the canonical fast path of records.parse_record vs the YAML the format promises ------

# records.py: "JSON is a subset of YAML 1.2, so any YAML reader gets the same values". A member
# signs bytes that other YAML readers (another client, a person's yq, the ruamel path of
# this tool) read differently from coalition's json fast path.
DIVERGENT = {
    "nested duplicate key": b'v: 1\nanchor: {"quote": "we agree", "quote": "we refuse"}\n',
    "NaN is a float to json, text to YAML": b"v: 1\nscore: NaN\n",
    "Infinity": b"v: 1\nscore: -Infinity\n",
    "raw NEL is a line break (folded to a space) in YAML": 'v: 1\ntext: "a\x85b"\n'.encode(),
    "raw DEL is refused by YAML": 'v: 1\ntext: "a\x7fb"\n'.encode(),
    "a tab before the value": b"v: 1\nstance: \t1\n",
    "an escaped surrogate pair is one character to json, two to YAML":
        b'v: 1\ntext: "\\ud83d\\ude00"\n',
}


@pytest.mark.parametrize("name", sorted(DIVERGENT))
def test_review_finding_canonical_fast_path_reads_what_yaml_reads_or_refuses(name: str) -> None:
    data = DIVERGENT[name]
    try:
        theirs = ("ok", records._ruamel_load(data.decode(), "r.yaml"))  # noqa: SLF001
    except MalformedData:
        theirs = ("refused", None)
    try:
        ours = ("ok", records.parse_record(data, "r.yaml"))
    except MalformedData:
        ours = ("refused", None)
    assert repr(ours) == repr(theirs), f"{name}: coalition reads {ours}, YAML reads {theirs}"


# --- 6. the restricted block parser and libyaml path (defence holds) ------------------------

AWKWARD = ["a: \u00a0\n", "a: yes\n", "a: 0x1\n", "a: 1e3\n", "a: 0o17\n", "a: 1_000\n",
           "a: 12:30\n", "a: 2026-01-01\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: 1\na: 2\n",
           "a: {b: 1, b: 2}\n", "a: 1\n---\nb: 2\n", "a:\n  b: 1\n  b: 2\n", "a: b: c\n",
           "a: [x, ]\n", "a: 'x'#c\n", "a: x\n  - y\n", "a: \"\\ud800\"\n", "a: ~\n", "a: <<\n",
           "%YAML 1.1\n---\na: yes\n", "a: [1, {b: 2, 1: 3}]\n", "a: {1: x, true: y}\n"]


@pytest.mark.parametrize("text", AWKWARD)
def test_fast_yaml_paths_never_disagree_with_ruamel(text: str) -> None:
    from coalition_cli import fastyaml

    try:
        theirs = ("ok", records._ruamel_load(text, "r.yaml"))  # noqa: SLF001
    except MalformedData:
        theirs = ("refused", None)
    for fast in (fastyaml.parse_block(text), fastyaml.parse_events(text)):
        if fast is not None:
            assert theirs[0] == "ok" and repr(fast) == repr(theirs[1])


# --- 2. chosen holders: the age header check counts only ssh-ed25519 stanzas -----------------


@pytest.fixture
def held(gov, cli):
    """gov plus facilitator fac2; health posts a confidential comment shared with sec and kin."""
    ag, sec = gov.agenda, gov.who("sec")
    path = make_key(gov.root.parent / "keys", "fac2")
    gov.keys["fac2"] = path
    actions.member_add(ag, sec, "fac2", name="Fac2 Org", sector="network",
                       roles=["facilitator", "member"], keys=[(PrivateKey.load(path).public, None)])
    out = cli("comment", "add", "--principle", "P03", "--stance", "amend", "--attribution",
              "confidential", "--share-with", "sec,kin", "--text", "Our elders' words stay with us.",
              "--format", "json", "--agenda", ag.path,
              env={"COALITION_KEY": str(gov.key("health"))})
    gov.comment = json.loads(out.stdout)["id"]  # type: ignore[attr-defined]
    return gov


def _encrypt_with_outsider(payload: dict, keys: list[str]) -> tuple[str, object]:
    """age-encrypt to ``keys`` AND to a fresh X25519 identity nobody registered."""
    import pyrage

    from coalition_cli.confidential import _armor

    outsider = pyrage.x25519.Identity.generate()
    recipients = [pyrage.ssh.Recipient.from_str(k) for k in keys] + [outsider.to_public()]
    data = pyrage.encrypt(json.dumps(payload).encode(), recipients)
    return _armor(data), outsider


def test_review_finding_a_grant_to_an_x25519_outsider_is_not_seen_as_widening(held, cli) -> None:
    """A facilitator-holder re-grants the comment to the chosen holders AND an X25519 age key of
    an outsider. governance.recipients.age_tags reads only '-> ssh-ed25519' stanzas, so
    check_grant finds no unknown holder: verify says ok while the outsider reads the text
    (SECURITY.md promise 21: held by exactly the chosen holders)."""
    import pyrage

    from coalition_cli.confidential import Access, _unarmor, decrypt

    ag, cid = held.agenda, held.comment
    sec = held.who("sec")
    rec, _ = actions.find_record(ag, ag.snapshot(), cid)
    payload = decrypt(rec.encrypted, sec.key)
    snap = ag.snapshot()
    keys = [e.key for m in ("sec", "kin", "health") for e in snap.member(m).keys]
    armored, outsider = _encrypt_with_outsider(payload, keys)
    assert b"Our elders" in pyrage.decrypt(_unarmor(armored), [outsider])  # the outsider reads it
    grant = Access(round="r1", comment=cid, encrypted=armored, recipients=(), granted_by="sec",
                   granted_at=stamp(now()))
    files = actions._signed(ag, sec, f"rounds/r1/access/{cid}.yaml", grant.fields())  # noqa: SLF001
    actions._commit(ag, sec, files, "a grant with a hidden extra recipient")  # noqa: SLF001
    out = cli("verify", "--format", "json", "--agenda", ag.path, code=None)
    assert out.exit_code == 1, "verify accepted a grant to a recipient beyond the chosen holders"
    assert [p["problem"] for p in json.loads(out.stdout)["problems"]] == ["not-permitted"]


def test_review_finding_a_comment_to_an_x25519_outsider_claims_exact_holders(held) -> None:
    """The same on the comment itself: shared_with=('sec',) while an X25519 outsider holds it;
    reports then say 'held by 1 organisation its author chose'."""
    ag = held.agenda
    snap = ag.snapshot()
    keys = [e.key for m in ("sec", "health") for e in snap.member(m).keys]
    armored, _outsider = _encrypt_with_outsider({"text": "x"}, keys)
    rec = Record(type="comment", id="f0f0f0f0f0f0f0f0", round="r1", member="health",
                 submitted_at=stamp(now()), principle="P01", stance="support", kind="general",
                 attribution="confidential", encrypted=armored, shared_with=("sec",))
    actions._write_record(ag, held.who("health"), rec, "claims one holder")  # noqa: SLF001
    result = verify(ag, use_cache=False)
    assert [p["problem"] for p in result.problems] == ["malformed"], result.problems


def test_review_finding_incremental_verify_skips_the_holder_check(held) -> None:
    """A comment whose shared_with does not match its age header, added on a clean head: the
    full pass says malformed, verify_outcome (the increment) says ok."""
    from coalition_cli.confidential import encrypt

    ag = held.agenda
    assert verify_outcome(ag).ok
    snap = ag.snapshot()
    keys = [e.key for m in ("sec", "fac2", "health") for e in snap.member(m).keys]
    rec = Record(type="comment", id="e0e0e0e0e0e0e0e0", round="r1", member="health",
                 submitted_at=stamp(now()), principle="P01", stance="support", kind="general",
                 attribution="confidential", encrypted=encrypt({"text": "x"}, keys),
                 shared_with=("sec",))
    actions._write_record(ag, held.who("health"), rec, "claims fewer holders")  # noqa: SLF001
    full = _full(ag)
    assert [p[2][1] for p in full[2]] == ["malformed"]
    assert _verdict(verify_outcome(ag)) == full


# --- 2. consent withdrawal: what still shows the words ----------------------------------------

SECRET_WORDS = "Our elders told this story in confidence"


@pytest.fixture
def withdrawn(gov, cli):
    ag = gov.agenda
    w = actions.comment_add(ag, gov.who("health"), principle="P01", stance="amend",
                            text=SECRET_WORDS + ".", propose="Ask the elders first.")
    cli("comment", "withdraw-consent", w.id[:8], "--reason", "Elders asked us to.",
        "--agenda", ag.path, env={"COALITION_KEY": str(gov.key("health"))})
    gov.comment = w.id  # type: ignore[attr-defined]
    return gov


@pytest.mark.parametrize("args", [["comment", "list", "--format", "json"],
                                  ["comment", "list", "--all", "--format", "json"]])
def test_a_listing_never_shows_words_whose_consent_was_withdrawn(withdrawn, cli, args) -> None:
    out = cli(*args, "--agenda", withdrawn.agenda.path, code=None)
    assert SECRET_WORDS not in out.stdout + out.stderr


def test_review_finding_comment_show_prints_words_whose_consent_was_withdrawn(withdrawn, cli) -> None:
    """withdrawals.py: 'from the commit that adds it, every report drops the comment's text'.
    `comment show ID` (any member, any facilitator) prints the text and proposal in full,
    only adding 'consent: withdrawn'. Git keeps the bytes, but the tool itself should not
    serve them (cli/comments.py show: apply withdrawals.redact for non-authors)."""
    out = cli("comment", "show", withdrawn.comment[:8], "--format", "json", "--agenda",
              withdrawn.agenda.path, env={"COALITION_KEY": str(withdrawn.key("youth"))})
    data = json.loads(out.stdout)
    assert "consent" in data
    assert SECRET_WORDS not in out.stdout


# --- 1. a comment's lang: a language the agenda does not have ---------------------------------


@pytest.mark.parametrize("code", ["zz", "qqq", "fr"])
def test_a_comment_in_a_language_the_agenda_lacks_breaks_no_report(gov, cli, tmp_path, code) -> None:
    """A member signs a comment with a quote and lang: <code> (the agenda is English only);
    every report and `changes` still run (exit 0 or 1), never a traceback."""
    from coalition_cli.anchoring import make_anchor

    ag = gov.agenda
    draft = ag.snapshot().principles["P01"]
    anchor = make_anchor(draft.body, "annual public reporting", None)
    rec = Record(type="comment", id="a1a1a1a1a1a1a1a1", round="r1", member="health",
                 submitted_at=stamp(now()), principle="P01", stance="amend", kind="general",
                 text="Quarterly.", anchor=anchor, proposed_text="quarterly public reporting",
                 lang=code, attribution="public")
    actions._write_record(ag, gov.who("health"), rec, "a comment in another language")  # noqa: SLF001
    cli("verify", "--agenda", ag.path, code=None)
    cli("round", "close", "--agenda", ag.path, env={"COALITION_KEY": str(gov.key("sec"))}, code=None)
    for args in (["summary", "r1"], ["summary", "r1", "--format", "html"],
                 ["report", "r1", "--format", "md"], ["report", "r1", "--format", "docx"],
                 ["changes", "--from", "r1", "--format", "html"], ["comment", "list"]):
        target = tmp_path / ("out-" + "-".join(args).replace("/", "_"))
        extra = ["--output", str(target)] if "--format" in args else []
        out = cli(*args, *extra, "--agenda", ag.path, code=None)
        assert out.exit_code in (0, 1, 3, 4), (args, out.exit_code, out.stdout, out.stderr)


# --- 3. hostile Word files (defences hold) ----------------------------------------------------


def _docx(parts: dict[str, bytes], *, lie_about_size: str | None = None) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    raw = buf.getvalue()
    if lie_about_size:  # rewrite the central directory's uncompressed size of that entry to 10
        import struct

        name = lie_about_size.encode()
        at = raw.rfind(b"PK\x01\x02" )
        while at >= 0:
            n = struct.unpack_from("<H", raw, at + 28)[0]
            if raw[at + 46 : at + 46 + n] == name:
                raw = raw[: at + 24] + struct.pack("<I", 10) + raw[at + 28 :]
                break
            at = raw.rfind(b"PK\x01\x02", 0, at)
    return raw


_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          b'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.'
          b'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         b'2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
         b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
         b'</Relationships>')


@pytest.mark.parametrize("name, document", [
    ("utf-32 doctype", ('<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE d [<!ENTITY a "'
                        + "x" * 50 + '">]><d>&a;&a;</d>').encode("utf-32")),
    ("billion laughs", b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;'
                       b'&a;&a;">]><d>&b;</d>'),
    ("external entity", b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "file:///etc/passwd"><d/>'),
    ("lying zip bomb", b"<w:document xmlns:w='x'>" + b"A" * (40 * 1024 * 1024) + b"</w:document>"),
])
def test_hostile_docx_is_refused_with_one_clear_error(name: str, document: bytes) -> None:
    from coalition_cli.errors import InputError
    from coalition_cli.review.ooxml import open_package

    data = _docx({"[Content_Types].xml": _TYPES, "_rels/.rels": _RELS,
                  "word/document.xml": document},
                 lie_about_size="word/document.xml" if "bomb" in name else None)
    with pytest.raises(InputError) as caught:
        open_package(data, "review.docx")
    assert "passwd" not in str(caught.value.message) and "root:" not in caught.value.message


# --- plain git: objects that are not files ------------------------------------------------------


@pytest.mark.parametrize("rel", ["agenda/rounds/r1/comments/health/0123456789abcdef.yaml",
                                 "agenda/rounds/r1/comments/health/0123456789abcdef.yaml.sig",
                                 "agenda/principles/P09-planted.md",
                                 "agenda/principles/P01-community-benefit.fr.md",
                                 "agenda/members/mallory.yaml",
                                 "agenda/rounds/r1/round.yaml"])
def test_a_planted_gitlink_is_a_problem_not_a_crash(gov, cli, rel) -> None:
    """A member commits a submodule entry (mode 160000, a commit id that is in no object store)
    where a record, a principle, a translation, a member file or a round file should be:
    verify names a problem (exit 1), never a traceback; writes refuse where a governed file
    is not its trusted version (a record-level problem leaves writing open, by design)."""
    from conftest import git

    root = gov.root
    _comment(gov, "health")
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{'ab' * 20},{rel}")
    git(root, "commit", "-q", "-m", "a gitlink")
    out = cli("verify", "--format", "json", "--agenda", gov.agenda.path, code=None)
    assert out.exit_code == 1, out.stdout + out.stderr
    assert json.loads(out.stdout)["problems"]
    write = cli("comment", "add", "--principle", "P01", "--stance", "support", "--text", "x",
                "--agenda", gov.agenda.path, env={"COALITION_KEY": str(gov.key("youth"))},
                code=None)
    if "/comments/" in rel:
        assert write.exit_code == 0
        return
    assert write.exit_code == 4 and write.stderr.startswith("error:"), write.stderr


# --- 6. the verdict cache outlives a change of the code that made its verdicts ----------------


@pytest.mark.parametrize("module_name", ["coalition_cli.keys.sk",
                                         "coalition_cli.governance.local_contexts"])
def test_the_verdict_cache_is_keyed_by_every_module_a_verdict_uses(
        module_name: str, tmp_path, monkeypatch) -> None:
    """A cached verdict (signer, parsed record) also comes from keys/sk.py (token signatures:
    the user-presence rule) and governance/local_contexts.py (parsed inside
    record_from_fields). After a fix to either, verdicts the old code cached for the same
    bytes must not be reused: verify._code() is the whole package's fingerprint. (Found: it
    once covered records, fastyaml, model, ids, errors, signing and verify only.)"""
    import importlib
    import shutil

    from coalition_cli import cache
    from coalition_cli import verify as v

    module = importlib.import_module(module_name)
    src = Path(cache.__file__).parent
    copy = tmp_path / "coalition_cli"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "__file__", str(copy / "cache.py"))
    monkeypatch.setattr(cache, "_PACKAGE_CODE", None)
    monkeypatch.setattr(v, "_CODE", None)
    before = v._code()  # noqa: SLF001
    changed = copy / Path(module.__file__).relative_to(src)
    changed.write_text(changed.read_text() + "\n# a security fix\n")
    monkeypatch.setattr(cache, "_PACKAGE_CODE", None)
    monkeypatch.setattr(v, "_CODE", None)
    assert v._code() != before, f"{module_name} changed, cached verdicts still reused"  # noqa: SLF001


def test_review_finding_the_remembered_ledger_is_reused_by_other_code(gov, monkeypatch) -> None:
    """trust/ledger.py remembers the head's trusted state (cache.save_value) under its FORMAT
    only: unlike ResultMemo (package_fingerprint) it is reused by any other version of the
    code. A fix to a ledger rule (who may sign a translation, a rollback rule) does not apply
    to a head already walked in this clone until FORMAT is bumped by hand."""
    from coalition_cli import cache
    from coalition_cli.trust import ledger as L
    from coalition_cli.trust.roots import roots

    ag = gov.agenda
    head = ag.head()
    first = L.walk(ag, head, roots(ag.git))
    assert first.walked > 0
    monkeypatch.setattr(cache, "_PACKAGE_CODE", "0" * 16)  # as if the code had changed
    again = L.walk(ag, head, roots(ag.git))
    assert again.walked > 0, "a ledger walked by other code was reused"


def test_review_finding_a_grant_of_a_facilitators_only_comment_to_a_plain_member_verifies(gov, cli) -> None:
    """A default confidential comment (no --share-with) is 'encrypted to the verified
    facilitators and its author'. A facilitator signs an access grant re-encrypting it to
    themself AND youth, a plain member: check_grant returns None whenever shared_with is None,
    so verify says ok and youth reads the text."""
    from coalition_cli.confidential import Access, decrypt, encrypt

    ag = gov.agenda
    sec = gov.who("sec")
    w = actions.comment_add(ag, gov.who("health"), principle="P01", stance="oppose",
                            text="Only the secretariat may read this.", attribution="confidential")
    rec, _ = actions.find_record(ag, ag.snapshot(), w.id)
    payload = decrypt(rec.encrypted, sec.key)
    snap = ag.snapshot()
    keys = [e.key for m in ("sec", "health", "youth") for e in snap.member(m).keys]
    grant = Access(round="r1", comment=w.id, encrypted=encrypt(payload, keys), recipients=(),
                   granted_by="sec", granted_at=stamp(now()))
    files = actions._signed(ag, sec, f"rounds/r1/access/{w.id}.yaml", grant.fields())  # noqa: SLF001
    actions._commit(ag, sec, files, "a grant to a plain member")  # noqa: SLF001
    assert "Only the secretariat" in json.dumps(decrypt(grant.encrypted,
                                                        PrivateKey.load(gov.key("youth"))))
    out = cli("verify", "--format", "json", "--agenda", ag.path, code=None)
    assert out.exit_code == 1, "a grant beyond the facilitators verified clean"


@pytest.mark.parametrize("then", ["removed", "demoted"])
def test_a_grant_to_a_facilitator_later_removed_or_demoted_stays_clean(gov, cli, then) -> None:
    """The legitimate side of the facilitators-only grant rule: `comment reencrypt` gives a
    confidential comment to today's facilitators; a facilitator removed (or made a plain
    member) afterwards does not make that earlier grant a problem."""
    ag, sec = gov.agenda, gov.who("sec")
    path = make_key(gov.root.parent / "keys", "fac2")
    gov.keys["fac2"] = path
    actions.member_add(ag, sec, "fac2", name="Second Facilitator", sector="network",
                       roles=["facilitator", "member"], keys=[(PrivateKey.load(path).public, None)])
    w = actions.comment_add(ag, gov.who("health"), principle="P01", stance="oppose",
                            text="For the facilitators.", attribution="confidential")
    actions.comment_reencrypt(ag, sec, w.id)
    if then == "removed":
        actions.member_remove(ag, sec, "fac2")
    else:
        actions.member_add(ag, sec, "fac2", name="Second Facilitator", sector="network",
                           roles=["member"], keys=[])
    out = cli("verify", "--format", "json", "--agenda", ag.path, code=None)
    assert out.exit_code == 0, out.stdout
