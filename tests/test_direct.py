"""The direct path (``cli._direct``) of ``comment add`` and ``verify``: each option table is
typer's command, option for option; for any command line it takes, the body gets exactly
what typer hands it; what it does not take is left to typer; and the real commands answer
the same — output, error lines, exit codes, what is written — with and without typer."""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from coalition_cli import actions
from coalition_cli.cli import COMMANDS, _add, _direct, _verify
from coalition_cli.cli._lazy import load_command

REPO = Path(__file__).resolve().parent.parent
ADD, VERIFY = _direct.DIRECT
BODIES = {ADD: (_add, "add"), VERIFY: (_verify, "verify")}


def _click(command: _direct.Command):  # noqa: ANN202
    row = next(row for row in COMMANDS if row[0] == command.words[0])
    found = load_command(row)
    return found.commands[command.words[1]] if len(command.words) > 1 else found


def _body(command: _direct.Command):  # noqa: ANN202
    module, name = BODIES[command]
    return getattr(module, name)


def test_the_direct_commands_are_these_two() -> None:
    assert [c.words for c in _direct.DIRECT] == [("comment", "add"), ("verify",)]
    assert all(c.body == f"{m.__name__.rsplit('.', 1)[1]}:{n}" for c, (m, n) in BODIES.items())


@pytest.mark.parametrize("command", _direct.DIRECT, ids=lambda c: " ".join(c.words))
def test_the_table_is_typers_command_option_for_option(command: _direct.Command) -> None:
    """Names, short forms, repeatable or flag, the value's type, what is required: a new
    option of the command that its table lacks fails here (and typer would answer it)."""
    kinds = {"int": "int", "path": "path", "str": "str", "text": "str", "boolean": "flag"}
    seen = set()
    for param in _click(command).params:
        kind = "multi" if param.multiple else kinds[param.type.name]
        assert not param.envvar and param.callback is None, param.name
        if kind == "path":  # no check typer would make on the value: Path(value) is all
            assert not (param.type.exists or param.type.resolve_path), param.name
        if kind == "flag":
            assert param.is_flag and param.default is False, param.name
        seen.add((tuple(sorted(param.opts)), param.name, kind, tuple(param.secondary_opts)))
        assert param.required == (param.name in command.required), param.name
    table = {(tuple(sorted(names)), dest, kind, ()) for names, dest, kind in command.options}
    assert seen == table
    body = inspect.signature(_body(command)).parameters
    assert set(body) == {dest for _n, dest, _k in command.options}


def _typer_hands(command: _direct.Command, argv: list[str],
                 monkeypatch: pytest.MonkeyPatch) -> dict | None:
    """The keyword arguments typer's command gives the body for ``argv`` (None: typer refuses
    the command line)."""
    from coalition_cli.cli import build_app

    from coalition_cli.cli._common import _root_agenda

    got: list[dict] = []

    def body(**kw: object) -> int:  # the agenda open_agenda will use: given, else the root's
        got.append({**kw, "agenda": kw["agenda"] or _root_agenda()})
        return 0

    module, name = BODIES[command]
    monkeypatch.setattr(module, name, body)
    result = CliRunner().invoke(build_app(), argv, catch_exceptions=False)
    monkeypatch.undo()
    if result.exit_code != 0:
        return None
    assert len(got) == 1
    return got[0]


def _direct_hands(command: _direct.Command, argv: list[str]) -> dict | None:
    parsed = _direct.parse(argv)
    if parsed is None:
        return None
    assert parsed[0] is command
    defaults = {name: p.default for name, p in inspect.signature(_body(command)).parameters.items()
                if p.default is not inspect.Parameter.empty}
    return {**defaults, **parsed[1]}


PLAIN = [
    (ADD, ["comment", "add", "--principle", "P01", "--stance", "amend", "--text", "Quarterly."]),
    (ADD, ["comment", "add", "-p", "p2", "-s", "support", "-t", "Yes.", "-f", "json"]),
    (ADD, ["--agenda", "ag", "comment", "add", "-p", "P01", "-s", "block", "--text-file",
           "c.txt", "--as", "health", "--key", "k", "--passphrase-file", "pw", "--kind",
           "editorial"]),
    (ADD, ["--agenda=ag", "comment", "add", "--principle=P03", "--stance=oppose", "--theme",
           "a", "--theme=b", "--share-with", "x,y", "--share-with", "z", "--name-holders",
           "--attribution", "confidential", "--round", "r1", "--lang", "fr", "--occurrence",
           "2", "--quote", "the data", "--propose", "Other words.", "--supersedes", "abc",
           "--local-contexts", "lc.json", "--agenda", "other"]),
    (ADD, ["comment", "add", "--stance", "neutral", "--principle", "P01", "--occurrence", "+3"]),
    (VERIFY, ["verify"]),
    (VERIFY, ["verify", "--format", "json"]),
    (VERIFY, ["--agenda", "ag", "verify", "-f", "json", "--round", "r1", "--at", "HEAD~2"]),
    (VERIFY, ["verify", "--trust", "SHA256:abc", "--trust=SHA256:def", "--accept-rewrite",
              "--agenda=other", "--format=terminal"]),
]
LEFT_TO_TYPER = [
    ["comment", "add", "--help"], ["comment", "add", "-h"], ["--help"], ["comment", "add"],
    ["comment", "add", "-p", "P01"],  # --stance missing: typer's usage error
    ["comment", "add", "-p", "P01", "-s", "amend", "extra"],
    ["comment", "add", "-p", "P01", "-s", "amend", "-p", "P02"],  # repeated
    ["comment", "add", "-p", "P01", "-s", "amend", "--text", "-1 from us"],
    ["comment", "add", "-p", "P01", "-s", "amend", "--text="],
    ["comment", "add", "-p", "P01", "-s", "amend", "--occurrence", "two"],
    ["comment", "add", "-p", "P01", "-s", "amend", "--name-holders=yes"],
    ["comment", "add", "-pP01", "-s", "amend"], ["comment", "add", "--", "-p", "P01"],
    ["comment", "add", "--princ", "P01", "-s", "amend"], ["comment", "list"],
    ["--version", "comment", "add", "-p", "P01", "-s", "amend"],
    ["--agenda", "a", "--agenda", "b", "comment", "add", "-p", "P01", "-s", "amend"],
    ["comment", "add", "-p", "P01", "-s", "amend", "--no-name-holders"],
    ["verify", "--help"], ["verify", "-h"], ["verify", "HEAD"], ["verify", "--round"],
    ["verify", "--accept-rewrite=yes"], ["verify", "--accept-rewrite", "--accept-rewrite"],
    ["verify", "-fjson"], ["verify", "--form", "json"], ["verify", "--at", "-1"],
    ["verify", "--", "--at", "HEAD"], ["--agenda", "verify"], ["verify", "-p", "P01"],
    ["--version", "verify"], ["summary"], ["verif"],
]


@pytest.mark.parametrize("command, argv", PLAIN)
def test_a_plain_command_line_is_taken_and_gives_what_typer_gives(
        command: _direct.Command, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    direct = _direct_hands(command, argv)
    assert direct is not None, "a plain command line should not need typer"
    assert direct == _typer_hands(command, argv, monkeypatch)


@pytest.mark.parametrize("argv", LEFT_TO_TYPER)
def test_anything_unusual_is_left_to_typer(argv: list[str]) -> None:
    assert _direct.parse(argv) is None


def test_shell_completion_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_COALITION_COMPLETE", "bash_complete")
    assert _direct.parse(PLAIN[0][1]) is None
    assert _direct.parse(["verify"]) is None


def _tokens(command: _direct.Command):  # noqa: ANN202
    names = [name for names, _d, _k in command.options for name in names]
    return st.one_of(st.sampled_from(names + ["--help", "-h", "--", *command.words, "="]),
                     st.sampled_from(["P01", "p2", "amend", "7", "-3", "", "a b", "é", "--x",
                                      "json", "HEAD"]),
                     st.text(max_size=6))


@pytest.mark.parametrize("command", _direct.DIRECT, ids=lambda c: " ".join(c.words))
def test_any_command_line_direct_takes_typer_reads_the_same(command: _direct.Command) -> None:
    """Open-ended: whatever the direct path accepts, typer accepts too and hands the body
    the same values."""

    @given(st.lists(_tokens(command), max_size=10), st.booleans())
    def check(tokens: list[str], root: bool) -> None:
        argv = (["--agenda", "ag"] if root else []) + [*command.words, *tokens]
        direct = _direct_hands(command, argv)
        if direct is None:
            return
        with pytest.MonkeyPatch.context() as mp:
            assert direct == _typer_hands(command, argv, mp)

    check()


# --- the real command, both ways -------------------------------------------------------

# the real command in a subprocess: ``main()`` (the direct path when it takes the command line)
# or typer's ``_run()``; the last stderr line says whether typer was ever imported
_RUN = ("import json, os, sys\n"
        "sys.argv = ['coalition', *json.loads(sys.argv[1])]\n"
        "real = os._exit\n"
        "def leave(code):\n"
        "    sys.stderr.write('TYPER %s\\n' % ('typer' in sys.modules))\n"
        "    sys.stderr.flush()\n"
        "    real(code)\n"
        "os._exit = leave\n"
        "from coalition_cli import cli\n"
        "cli._leave(cli._run()) if sys.argv[1:2] == ['TYPER'] else cli.main()\n")


def _run(coalition, how: str, args: list[str]) -> tuple[int, str, str, bool]:  # noqa: ANN001
    """(exit code, stdout, stderr, typer imported) of ``coalition ARGS`` run ``how``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = _RUN.replace("sys.argv[1:2] == ['TYPER']", "True" if how == "typer" else "False")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(args)], cwd=coalition.root,
                          capture_output=True, text=True, env=env, timeout=120)
    lines = proc.stderr.splitlines()
    assert lines and lines[-1].startswith("TYPER "), proc.stderr
    return proc.returncode, proc.stdout, "\n".join(lines[:-1]), lines[-1] == "TYPER True"


def _args(coalition, *extra: str) -> list[str]:  # noqa: ANN001
    return ["comment", "add", "--as", "health", "--key", str(coalition.key("health")), *extra]


@pytest.mark.parametrize("extra, code, stderr", [
    (("-p", "P01", "-s", "amend", "-t", "x", "-f", "yaml"), 2, "error: format 'yaml'"),
    (("-p", "P09", "-s", "amend", "-t", "x"), 3, "error: P09 is not under consultation"),
    (("-p", "P01", "-s", "maybe", "-t", "x"), 3, "error: unknown stance 'maybe'"),
    (("-p", "P01", "-s", "amend", "--text-file", "/nonexistent/c.txt"), 3, "error: cannot read"),
    (("-p", "P01", "-s", "amend", "-t", "x", "--lang", "xx"), None, "error: "),
    (("-p", "P01", "-s", "amend", "-t", "x", "--round", "r9"), 3, "error: no round 'r9'"),
    (("-p", "P01", "-s", "amend", "-t", "x", "--share-with", "sec"), 3, "error: --share-with"),
])
def test_errors_are_the_same_line_and_exit_code_both_ways(coalition, extra, code,  # noqa: ANN001
                                                          stderr) -> None:
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="First",
                       closes=datetime(2099, 1, 1, tzinfo=timezone.utc))
    head = coalition.agenda.head()
    direct = _run(coalition, "direct", _args(coalition, *extra))
    typer = _run(coalition, "typer", _args(coalition, *extra))
    assert direct[3] is False and typer[3] is True  # the direct path never imported typer
    assert direct[:3] == typer[:3]
    assert direct[2].startswith(stderr) and (code is None or direct[0] == code), direct
    assert direct[0] != 0 and coalition.agenda.head() == head  # nothing written


def test_a_comment_is_written_the_same_both_ways(coalition) -> None:  # noqa: ANN001
    """The same record either way (ids, times and signatures aside), and a usage error
    (here --help) still goes to typer, which imports it."""
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="First",
                       closes=datetime(2099, 1, 1, tzinfo=timezone.utc))
    extra = ("-p", "p1", "-s", "amend", "-t", "Both ways.", "--theme", "data", "-f", "json")
    results = [_run(coalition, how, _args(coalition, *extra)) for how in ("direct", "typer")]
    assert [r[3] for r in results] == [False, True]
    written = [json.loads(r[1]) for r in results]
    assert all(r[0] == 0 and r[2] == "" for r in results), results
    from coalition_cli.verify import verify

    checked = verify(coalition.agenda, use_cache=False)
    assert checked.ok, checked.problems
    recs = {rec.id: rec for items in checked.records.values() for _p, rec in items}
    a, b = (recs[w["id"]] for w in written)
    same = lambda r: {k: v for k, v in r.fields().items()  # noqa: E731
                      if k not in ("id", "submitted_at")}
    assert same(a) == same(b) and a.themes == ("data",) and a.principle == "P01"
    helped = _run(coalition, "direct", ["comment", "add", "--help"])
    assert helped[0] == 0 and "--principle" in helped[1] and helped[3] is True


def _state(coalition) -> tuple:  # noqa: ANN001
    """What a verify may write: the clone's derived files and its git config."""
    derived = coalition.root / ".git" / "coalition"
    files = sorted((p.relative_to(derived).as_posix(), p.read_bytes())
                   for p in derived.rglob("*") if p.is_file()) if derived.is_dir() else []
    return files, (coalition.root / ".git" / "config").read_bytes(), coalition.agenda.head()


@pytest.mark.parametrize("extra, code, stderr", [
    (("--format", "yaml"), 2, "error: format 'yaml'"),
    (("--round", "r9"), 3, "error: no round 'r9'"),
    (("--round", "R 1"), None, "error: "),
    (("--at", "no-such-rev"), None, "error: "),
])
def test_verify_errors_are_the_same_line_and_exit_code_both_ways(
        coalition, extra, code, stderr) -> None:  # noqa: ANN001
    before = _state(coalition)
    direct = _run(coalition, "direct", ["verify", *extra])
    typer = _run(coalition, "typer", ["verify", *extra])
    assert direct[3] is False and typer[3] is True  # the direct path never imported typer
    assert direct[:3] == typer[:3]
    assert direct[2].startswith(stderr) and (code is None or direct[0] == code), direct
    assert direct[0] not in (0, 1) and len(direct[2].splitlines()) <= 2, direct
    assert _state(coalition) == before  # nothing written


def test_verify_answers_the_same_both_ways_clean_and_tampered(coalition) -> None:  # noqa: ANN001
    """The same verdict, output and exit code either way: a clean agenda (0, in JSON and on
    the terminal), then one whose principle a member's push edited with plain git (1)."""
    for args in (["verify", "--format", "json"], ["verify"]):
        results = [_run(coalition, how, args) for how in ("direct", "typer")]
        assert [r[3] for r in results] == [False, True]
        assert results[0][:3] == results[1][:3] and results[0][0] == 0, results
        if "--format" in args:
            assert json.loads(results[0][1])["ok"] is True
        else:
            assert results[0][1] == "" and ": ok" in results[0][2].splitlines()[-1]
    principle = next((coalition.root / "agenda" / "principles").glob("P01-*.md"))
    principle.write_text(principle.read_text() + "\nAn extra sentence nobody signed.\n")
    git = ["git", "-C", str(coalition.root)]
    subprocess.run([*git, "commit", "-qam", "edit P01 in place"], check=True)
    results = [_run(coalition, how, ["verify", "-f", "json"]) for how in ("direct", "typer")]
    assert [r[3] for r in results] == [False, True]
    assert results[0][:3] == results[1][:3] and results[0][0] == 1, results
    found = json.loads(results[0][1])
    assert not found["ok"] and any(p["path"].endswith(principle.name) for p in found["problems"])


def test_verify_loads_neither_typer_nor_dataclasses(coalition) -> None:  # noqa: ANN001
    """A plain verify, cold and then warm, never imports typer (the direct path) nor
    ``dataclasses`` (with ``inspect``, ``ast``, ``dis``: 9 ms of a 75 ms warm verify) — the
    value classes it meets are ``plainclass``'s — nor ``nacl.bindings`` (20 ms: libsodium is
    called through PyNaCl's compiled module, ``keys.sodium``), nor ``tempfile`` (with
    ``shutil``, ``random``, ``bz2``, ``lzma``: 7 ms) — nor, with its two workers,
    ``multiprocessing`` and ``pickle`` (``forked``: 7 ms more before the first record) — nor
    ``typing`` (3 ms)."""
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="First",
                       closes=datetime(2099, 1, 1, tzinfo=timezone.utc))
    actions.comment_add(coalition.agenda, coalition.who("health"), principle="P01",
                        stance="support", text="Loaded lightly.")
    code = ("import json, sys\n"
            "sys.modules.pop('typing', None)  # imported again only if the tool does\n"
            "before = set(sys.modules)  # (a site's own start-up may import any of them)\n"
            "run, sys.argv = sys.argv[-1], ['coalition', 'verify', '--format', 'json']\n"
            "from coalition_cli import cli\n"
            "if run == 'parallel':  # the workers, for a few records\n"
            "    from coalition_cli import verify\n"
            "    verify.PARALLEL_AT, verify.WORKER_CHUNK_MIN = 1, 1\n"
            "cli._leave = lambda code: print(json.dumps([code, sorted(set(sys.modules) - before)]))\n"
            "cli.main()\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for run in ("parallel", "cold", "warm"):
        if run != "warm":  # nothing derived: every record checked, every rule run
            shutil.rmtree(coalition.root / ".git" / "coalition", ignore_errors=True)
        proc = subprocess.run([sys.executable, "-c", code, run], cwd=coalition.root, env=env,
                              capture_output=True, text=True, timeout=120)
        exit_code, loaded = json.loads(proc.stdout.splitlines()[-1])
        assert exit_code == 0, (run, proc.stdout, proc.stderr)
        assert not {"typer", "click", "dataclasses", "inspect", "nacl.bindings",
                    "tempfile", "multiprocessing", "pickle", "typing"} & set(loaded), run
        assert (run == "parallel") == ("coalition_cli.forked" in loaded), run
        assert run == "warm" or "coalition_cli.keys.sodium" in loaded  # (warm: none checked)
        assert "coalition_cli.verify" in loaded and "coalition_cli.trust.ledger" in loaded


def test_a_cold_verify_imports_the_checks_once_for_its_workers(coalition) -> None:  # noqa: ANN001
    """The signature check (libsodium through cffi) and the restricted YAML reader are
    imported by a cold verify while git lists the tree, before its workers fork: once in
    all, not once in each worker (``-X importtime`` reports every process's imports)."""
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="First",
                       closes=datetime(2099, 1, 1, tzinfo=timezone.utc))
    for text in ("One.", "Two.", "Three."):
        actions.comment_add(coalition.agenda, coalition.who("health"), principle="P01",
                            stance="support", text=text)
    code = ("import sys\n"
            "sys.argv = ['coalition', 'verify', '--format', 'json']\n"
            "from coalition_cli import verify\n"
            "verify.PARALLEL_AT, verify.WORKER_CHUNK_MIN = 1, 1  # the workers, for a few\n"
            "from coalition_cli import cli\n"
            "cli.main()\n")
    shutil.rmtree(coalition.root / ".git" / "coalition", ignore_errors=True)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=coalition.root,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["ok"]
    imported = [line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")]
    assert imported.count("coalition_cli.keys.sodium") == 1
    assert imported.count("coalition_cli.fastyaml") == 1
    assert "coalition_cli.forked" in imported  # (the workers did run)
