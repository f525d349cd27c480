"""The lean start: the root help without typer, one command's parser built, no cryptography
for signing with an unencrypted key — and every answer the same as the whole CLI gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from hypothesis import given
from hypothesis import strategies as st

from coalition_cli.cli import COMMANDS, full_app
from coalition_cli.cli._roothelp import root_help, short_help

_WHOLE = typer.main.get_command(full_app())


def _typer_help(columns: int) -> str:
    """The root page as typer and click lay it out, every command built, ``columns`` wide."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    try:
        with _WHOLE.make_context("coalition", [], resilient_parsing=True) as ctx:
            return ctx.get_help() + "\n"
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


@pytest.mark.parametrize("columns", [20, 50, 52, 60, 79, 80, 81, 120, 300])
def test_root_help_is_typer_s_own_page(columns: int) -> None:
    width = max(min(columns, 80) - 2, 50)
    assert root_help("coalition", COMMANDS, width) + "\n" == _typer_help(columns)


def test_the_table_names_every_command_with_its_own_help() -> None:
    assert [row[0] for row in COMMANDS] == _WHOLE.list_commands(None)  # type: ignore[attr-defined]
    for name, _module, _what, text in COMMANDS:
        command = _WHOLE.commands[name]  # type: ignore[attr-defined]
        for limit in (20, 45, 60, 200):
            assert short_help(text, limit) == command.get_short_help_str(limit), name


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=80), st.integers(1, 90))
def test_short_help_truncates_as_click_does(text: str, limit: int) -> None:
    from typer._click.utils import make_default_short_help

    assert short_help(text, limit) == make_default_short_help(text, limit).strip()


def _start(args: list[str], cwd: Path, forget: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """``coalition ARGS`` as the installed script runs it, reporting the modules it loaded;
    ``forget``: modules the interpreter's start-up (a site hook) may have imported, dropped
    first, so that they are reported only if the tool imports them again."""
    code = ("import sys, json\n"
            f"for name in {list(forget)!r}: sys.modules.pop(name, None)\n"
            "sys.argv = ['coalition', *json.loads(sys.argv[1])]\n"
            "import os\n"
            "real_exit = os._exit\n"
            "def leave(code):\n"
            "    mods = sorted({m.split('.')[0] for m in sys.modules})\n"
            "    sys.stderr.write('\\nMODULES ' + json.dumps(mods) + '\\n'); sys.stderr.flush()\n"
            "    real_exit(code)\n"
            "os._exit = leave\n"
            "from coalition_cli.cli import main\n"
            "main()\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run([sys.executable, "-c", code, json.dumps(args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120)


def _modules(proc: subprocess.CompletedProcess) -> set[str]:
    line = [x for x in proc.stderr.splitlines() if x.startswith("MODULES ")][-1]
    return set(json.loads(line[len("MODULES "):]))


@pytest.mark.parametrize("args", [[], ["--help"], ["-h"], ["--version"]])
def test_root_answers_never_import_typer(tmp_path: Path, args: list[str]) -> None:
    proc = _start(args, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "typer" not in _modules(proc) and "click" not in _modules(proc)
    if args == ["--version"]:
        assert proc.stdout.startswith("coalition ")
    else:
        assert proc.stdout == _typer_help(int(os.environ.get("COLUMNS", "80")))


def test_one_command_builds_only_its_own_module(tmp_path: Path) -> None:
    proc = _start(["verify", "--help"], tmp_path)
    assert proc.returncode == 0 and "Usage: coalition verify" in proc.stdout
    probe = _start(["nosuch"], tmp_path)
    assert probe.returncode == 2
    assert "error: No such command 'nosuch'." in probe.stderr
    assert "hint: see 'coalition --help'" in probe.stderr


def test_a_typo_still_gets_a_suggestion(cli) -> None:  # noqa: ANN001
    result = cli("verfy", code=2)
    assert "Did you mean 'verify'?" in result.stderr


def test_comment_add_signs_without_cryptography(coalition) -> None:  # noqa: ANN001
    """An unencrypted OpenSSH key signs through libsodium: neither cryptography nor ruamel is
    imported (coalition.yaml is read by the fast path), and the record verifies."""
    from datetime import datetime, timezone

    from coalition_cli import actions
    from coalition_cli.verify import verify

    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="First",
                       closes=datetime(2099, 1, 1, tzinfo=timezone.utc))
    proc = _start(["comment", "add", "--principle", "P01", "--stance", "support", "--as",
                   "health", "--key", str(coalition.key("health")), "--text", "Lean."],
                  coalition.root, forget=("tempfile",))
    assert proc.returncode == 0, proc.stderr
    loaded = _modules(proc)
    assert "cryptography" not in loaded and "ruamel" not in loaded, sorted(loaded)
    # nor tempfile (and shutil, random, bz2, lzma with it: 5 ms)
    assert "tempfile" not in loaded, sorted(loaded)
    result = verify(coalition.agenda, use_cache=False)
    assert result.ok, result.problems
    texts = [rec.text for items in result.records.values() for _p, rec in items]
    assert texts == ["Lean."]


@pytest.mark.parametrize("args", [["comment", "--help"], ["member", "--help"], ["round"],
                                  ["principle", "--help"], ["config", "--help"], ["key"],
                                  ["comment", "ad"], ["comment", "add", "--help"],
                                  ["config", "show", "--help"]])
def test_groups_answer_as_the_whole_cli_does(args: list[str]) -> None:
    from typer.testing import CliRunner

    from coalition_cli.cli import build_app

    lazy = CliRunner().invoke(build_app(), args, prog_name="coalition")
    whole = CliRunner().invoke(full_app(), args, prog_name="coalition")
    assert (lazy.exit_code, lazy.output) == (whole.exit_code, whole.output)


def test_invoking_one_subcommand_builds_only_its_parser() -> None:
    from coalition_cli.cli import build_app

    root = typer.main.get_command(build_app())
    comment = root.commands["comment"]  # type: ignore[attr-defined]
    assert comment.commands["add"].name == "add"
    assert set(comment.commands._built) == {"add"}
    assert set(root.commands._built) == {"comment"}  # type: ignore[attr-defined]
