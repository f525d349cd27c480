"""``comment add``'s direct path (``cli._direct``): its option table is typer's command, option
for option; for any command line it takes, the body gets exactly what typer hands it; what it
does not take is left to typer; and a real ``comment add`` answers the same — output, error
lines, exit codes, what is written — with and without typer."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from coalition_cli import actions
from coalition_cli.cli import _add, _direct
from coalition_cli.cli._lazy import load_command

REPO = Path(__file__).resolve().parent.parent
ROW = next(row for row in __import__("coalition_cli.cli", fromlist=["COMMANDS"]).COMMANDS
           if row[0] == "comment")


def _click_add():  # noqa: ANN202
    return load_command(ROW).commands["add"]


def test_the_table_is_typers_command_option_for_option() -> None:
    """Names, short forms, repeatable or flag, the value's type, what is required: a new
    option of ``comment add`` that the table lacks fails here (and typer would answer it)."""
    kinds = {"int": "int", "path": "path", "str": "str", "boolean": "flag"}
    seen = set()
    for param in _click_add().params:
        kind = "multi" if param.multiple else kinds[param.type.name]
        assert not param.envvar and param.callback is None, param.name
        if kind == "path":  # no check typer would make on the value: Path(value) is all
            assert not (param.type.exists or param.type.resolve_path), param.name
        if kind == "flag":
            assert param.is_flag and param.default is False, param.name
        seen.add((tuple(sorted(param.opts)), param.name, kind, tuple(param.secondary_opts)))
        assert param.required == (param.name in _direct.REQUIRED), param.name
    table = {(tuple(sorted(names)), dest, kind, ()) for names, dest, kind in _direct.ADD_OPTIONS}
    assert seen == table
    body = inspect.signature(_add.add).parameters
    assert set(body) == {dest for _n, dest, _k in _direct.ADD_OPTIONS}


def _typer_hands(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict | None:
    """The keyword arguments typer's command gives the body for ``argv`` (None: typer refuses
    the command line)."""
    from coalition_cli.cli import build_app

    from coalition_cli.cli._common import _root_agenda

    got: list[dict] = []

    def body(**kw: object) -> None:  # the agenda open_agenda will use: given, else the root's
        got.append({**kw, "agenda": kw["agenda"] or _root_agenda()})

    monkeypatch.setattr(_add, "add", body)
    result = CliRunner().invoke(build_app(), argv, catch_exceptions=False)
    monkeypatch.undo()
    if result.exit_code != 0:
        return None
    assert len(got) == 1
    return got[0]


def _direct_hands(argv: list[str]) -> dict | None:
    params = _direct.parse(argv)
    if params is None:
        return None
    defaults = {name: p.default for name, p in inspect.signature(_add.add).parameters.items()
                if p.default is not inspect.Parameter.empty}
    return {**defaults, **params}


PLAIN = [
    ["comment", "add", "--principle", "P01", "--stance", "amend", "--text", "Quarterly."],
    ["comment", "add", "-p", "p2", "-s", "support", "-t", "Yes.", "-f", "json"],
    ["--agenda", "ag", "comment", "add", "-p", "P01", "-s", "block", "--text-file", "c.txt",
     "--as", "health", "--key", "k", "--passphrase-file", "pw", "--kind", "editorial"],
    ["--agenda=ag", "comment", "add", "--principle=P03", "--stance=oppose", "--theme", "a",
     "--theme=b", "--share-with", "x,y", "--share-with", "z", "--name-holders",
     "--attribution", "confidential", "--round", "r1", "--lang", "fr", "--occurrence", "2",
     "--quote", "the data", "--propose", "Other words.", "--supersedes", "abc",
     "--local-contexts", "lc.json", "--agenda", "other"],
    ["comment", "add", "--stance", "neutral", "--principle", "P01", "--occurrence", "+3"],
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
]


@pytest.mark.parametrize("argv", PLAIN)
def test_a_plain_command_line_is_taken_and_gives_what_typer_gives(
        argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    direct = _direct_hands(argv)
    assert direct is not None, "a plain comment add should not need typer"
    assert direct == _typer_hands(argv, monkeypatch)


@pytest.mark.parametrize("argv", LEFT_TO_TYPER)
def test_anything_unusual_is_left_to_typer(argv: list[str]) -> None:
    assert _direct.parse(argv) is None


def test_shell_completion_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_COALITION_COMPLETE", "bash_complete")
    assert _direct.parse(PLAIN[0]) is None


_NAMES = [name for names, _d, _k in _direct.ADD_OPTIONS for name in names]
_TOKENS = st.one_of(st.sampled_from(_NAMES + ["--help", "-h", "--", "comment", "add", "="]),
                    st.sampled_from(["P01", "p2", "amend", "7", "-3", "", "a b", "é", "--x"]),
                    st.text(max_size=6))


@given(st.lists(_TOKENS, max_size=10), st.booleans())
def test_any_command_line_direct_takes_typer_reads_the_same(tokens: list[str], root: bool) -> None:
    """Open-ended: whatever the direct path accepts, typer accepts too and hands the body
    the same values."""
    argv = (["--agenda", "ag"] if root else []) + ["comment", "add", *tokens]
    direct = _direct_hands(argv)
    if direct is None:
        return
    with pytest.MonkeyPatch.context() as mp:
        assert direct == _typer_hands(argv, mp)


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
