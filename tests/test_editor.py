"""``$EDITOR`` for real: the command runs on a pseudo-terminal and opens a real editor process
(vim driven by keystrokes, or a small scripted editor), as a member at a terminal would.

What must hold: instruction lines are never signed; leaving the editor without writing (or
without changing anything) writes nothing, exit 3; the temporary file lives in a private
folder that is gone afterwards, even when a signal ends the command while the editor is open.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest

from coalition_cli import actions
from coalition_cli.model import now

from conftest import Coalition, git  # noqa: I001

ROOT = Path(__file__).resolve().parents[1]

# A scripted editor: notes where it was opened (path, folder mode, pid, the text it was
# given) in $EDIT_MARKER, then acts as $EDIT_MODE says.
SCRIPTED_EDITOR = textwrap.dedent("""
    import json, os, stat, sys, time
    path = sys.argv[-1]
    with open(path, encoding="utf-8") as fh:
        given = fh.read()
    marker = os.environ["EDIT_MARKER"]
    with open(marker + ".tmp", "w") as fh:
        json.dump({"path": path, "pid": os.getpid(), "given": given,
                   "mode": stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)}, fh)
    os.replace(marker + ".tmp", marker)
    mode = os.environ.get("EDIT_MODE", "")
    if mode == "wait":
        while True:
            time.sleep(1)
    elif mode.startswith("first-line:"):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(mode[len("first-line:"):] + given)
    elif mode.startswith("bytes:"):
        with open(path, "wb") as fh:
            fh.write(bytes.fromhex(mode[len("bytes:"):]))
""")


class Terminal:
    """``coalition ARGS`` with a pseudo-terminal as stdin, stdout and stderr."""

    def __init__(self, cwd: Path, args: list[str], env: dict[str, str | None],
                 columns: int = 120) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        self.master = master
        self.output = b""
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm"}
        full_env.pop("COLUMNS", None)  # the terminal's own size, as for a person
        for name, value in env.items():  # None removes a variable
            if value is None:
                full_env.pop(name, None)
            else:
                full_env[name] = value
        self.proc = subprocess.Popen([sys.executable, "-m", "coalition_cli", *args], cwd=cwd,
                                     env=full_env, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True)
        os.close(slave)

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every writer is gone
            return False
        self.output += chunk
        return bool(chunk)

    def expect(self, text: bytes, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert time.monotonic() < deadline, f"never saw {text!r} in {self.output!r}"
            if not self._read(0.2) and text not in self.output:
                raise AssertionError(f"ended before {text!r}: {self.output!r}")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        while self._read(0):
            pass
        os.close(self.master)
        code = self.proc.wait(timeout=5)
        return code, self.output.decode("utf-8", "replace")


def wait_for(path: Path, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"the editor never started ({path})"
        time.sleep(0.02)
    return json.loads(path.read_text(encoding="utf-8"))


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


@pytest.fixture
def open_round(coalition: Coalition) -> Coalition:
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Round one",
                       closes=now() + timedelta(days=10))
    return coalition


def scripted(tmp_path: Path, mode: str) -> tuple[dict[str, str], Path]:
    editor = tmp_path / "editor.py"
    editor.write_text(SCRIPTED_EDITOR, encoding="utf-8")
    marker = tmp_path / "editor-opened.json"
    marker.unlink(missing_ok=True)
    return {"EDITOR": f"{sys.executable} {editor}", "EDIT_MARKER": str(marker),
            "EDIT_MODE": mode}, marker


VIM = "vim -u NONE -i NONE -N -n"
needs_vim = pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")


def comment_add(c: Coalition, *extra: str) -> list[str]:
    return ["comment", "add", "-p", "P01", "-s", "amend", "--key", str(c.key("health")), *extra]


def last_comment_text(c: Coalition) -> str:
    from coalition_cli import records

    path = git(c.root, "diff-tree", "-r", "--no-commit-id", "--name-only", "HEAD").split()[0]
    return records.parse_record(git(c.root, "show", f"HEAD:{path}").encode(), path)["text"]


@needs_vim
def test_text_typed_in_vim_is_signed_without_the_instructions(open_round: Coalition) -> None:
    c = open_round
    term = Terminal(c.root, comment_add(c), {"EDITOR": VIM})
    term.expect(b"COMMENT.md")
    term.send("ggiWe would add a sunset clause.\x1b:wq\r")
    code, output = term.finish()
    assert code == 0, output
    text = last_comment_text(c)
    assert text == "We would add a sunset clause."
    assert "#" not in text and "removed" not in text


@needs_vim
@pytest.mark.parametrize("quit_keys", [":q!\r", ":wq\r"], ids=["quit-without-writing",
                                                               "write-unchanged"])
def test_leaving_vim_without_words_writes_nothing(open_round: Coalition, quit_keys: str) -> None:
    c = open_round
    before = git(c.root, "rev-parse", "HEAD")
    term = Terminal(c.root, comment_add(c), {"EDITOR": VIM})
    term.expect(b"COMMENT.md")
    term.send(quit_keys)
    code, output = term.finish()
    assert code == 3, output
    errors = re.findall(r"error: [^\r\n]*", output)  # after vim's own screen output
    assert len(errors) == 1 and "nothing was written" in errors[0], output
    assert "hint:" not in output
    assert git(c.root, "rev-parse", "HEAD") == before


@needs_vim
def test_principle_add_left_in_vim_uses_up_no_id(coalition: Coalition, cli) -> None:
    c = coalition
    before = git(c.root, "rev-parse", "HEAD")
    term = Terminal(c.root, ["principle", "add", "Open contracting", "--key", str(c.key("sec"))],
                    {"EDITOR": VIM})
    term.expect(b"PRINCIPLE.md")
    term.send(":q\r")
    code, output = term.finish()
    assert code == 3, output
    assert git(c.root, "rev-parse", "HEAD") == before
    cli.cwd = c.root
    assert cli("principle", "add", "Open contracting", "--body", "Text.",
               "--key", c.key("sec")).stdout.strip() == "P04"


def test_principle_edit_keeps_markdown_headings(coalition: Coalition, tmp_path: Path) -> None:
    """A body with a `#` heading: the instructions use another comment character."""
    c = coalition
    actions.principle_edit(c.agenda, c.who("sec"), "P02", body="# Scope\n\nPersonal data.")
    env, marker = scripted(tmp_path, "first-line:Intro line.\n")
    term = Terminal(c.root, ["principle", "edit", "P02", "--key", str(c.key("sec"))], env)
    code, output = term.finish()
    assert code == 0, output
    given = wait_for(marker)["given"]
    assert given.startswith("# Scope\n\nPersonal data.\n\n;")  # ';' marks the instructions
    body = git(c.root, "show", "HEAD:" + c.agenda.snapshot().principle("P02").path)
    assert body.endswith("Intro line.\n# Scope\n\nPersonal data.\n")


def test_principle_edit_left_unchanged_writes_nothing(coalition: Coalition,
                                                      tmp_path: Path) -> None:
    c = coalition
    before = git(c.root, "rev-parse", "HEAD")
    env, _marker = scripted(tmp_path, "")
    code, output = Terminal(c.root, ["principle", "edit", "P01", "--key", str(c.key("sec"))],
                            env).finish()
    assert code == 3, output
    assert "left unchanged" in output
    assert git(c.root, "rev-parse", "HEAD") == before


def test_an_editor_saving_utf16_is_read(open_round: Coalition, tmp_path: Path) -> None:
    c = open_round
    saved = "\ufeffQue les données restent ici.\n".encode("utf-16-le")
    env, _marker = scripted(tmp_path, "bytes:" + saved.hex())
    code, output = Terminal(c.root, comment_add(c), env).finish()
    assert code == 0, output
    assert last_comment_text(c) == "Que les données restent ici."


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_signal_while_the_editor_is_open_removes_the_private_folder(
        open_round: Coalition, tmp_path: Path, signame: str) -> None:
    c = open_round
    before = git(c.root, "rev-parse", "HEAD")
    env, marker = scripted(tmp_path, "wait")
    term = Terminal(c.root, comment_add(c), env)
    opened = wait_for(marker)
    folder = Path(opened["path"]).parent
    assert opened["mode"] == 0o700 and folder.is_dir()
    assert folder != Path(opened["path"]).parent.parent  # a folder of its own, not /tmp
    assert [p.name for p in folder.iterdir()] == ["COMMENT.md"]
    number = getattr(signal, signame)
    os.kill(term.proc.pid, number)
    code, output = term.finish()
    assert code == 128 + number, output
    assert f"error: interrupted by {signame}" in output
    assert not folder.exists()
    assert gone(opened["pid"])  # the editor was not left running
    assert git(c.root, "rev-parse", "HEAD") == before


def test_ctrl_c_while_the_editor_is_open_writes_nothing_and_cleans_up(
        open_round: Coalition, tmp_path: Path) -> None:
    """SIGINT to the whole foreground group, as the terminal sends on Ctrl-C: the editor
    dies of it, the command does not write, and the folder is gone."""
    c = open_round
    before = git(c.root, "rev-parse", "HEAD")
    env, marker = scripted(tmp_path, "wait")
    term = Terminal(c.root, comment_add(c), env)
    opened = wait_for(marker)
    os.killpg(term.proc.pid, signal.SIGINT)
    code, output = term.finish()
    assert code == 3, output
    assert "error: the editor was ended by SIGINT" in output
    assert not Path(opened["path"]).parent.exists()
    assert git(c.root, "rev-parse", "HEAD") == before


# --- text files and stdin as editors save them ------------------------------------------


@pytest.mark.parametrize("saved", [
    pytest.param("\ufeffUn texte.\n".encode("utf-8"), id="utf-8-bom"),
    pytest.param("\ufeffUn texte.\n".encode("utf-16-le"), id="utf-16-le-bom"),
    pytest.param("\ufeffUn texte.\n".encode("utf-16-be"), id="utf-16-be-bom"),
    pytest.param("Un texte.\n".encode("utf-32"), id="utf-32-bom"),  # (python writes the BOM)
])
def test_text_files_and_stdin_with_a_byte_order_mark(cli, open_round: Coalition, tmp_path: Path,
                                                     saved: bytes) -> None:
    c = open_round
    cli.cwd = c.root
    file = tmp_path / "comment.txt"
    file.write_bytes(saved)
    cli(*comment_add(c, "--text-file", str(file)))
    assert last_comment_text(c) == "Un texte.\n"  # no U+FEFF stored
    cli(*comment_add(c, "--text-file", "-"), input=saved)
    assert last_comment_text(c) == "Un texte.\n"


@pytest.mark.parametrize("saved, named", [
    pytest.param("Un été.\n".encode("utf-16-le"), "UTF-16LE", id="utf-16-without-bom"),
    pytest.param("Un été.\n".encode("cp1252"), "WINDOWS-1252", id="windows-1252"),
    pytest.param(b"\xff\xfe\x00\xd8", "UTF-16LE", id="broken-utf-16"),
])
def test_text_in_another_encoding_is_refused_with_a_way_to_convert_it(
        cli, open_round: Coalition, tmp_path: Path, saved: bytes, named: str) -> None:
    c = open_round
    cli.cwd = c.root
    file = tmp_path / "comment.txt"
    file.write_bytes(saved)
    before = git(c.root, "rev-parse", "HEAD")
    for args, source in ((comment_add(c, "--text-file", str(file)), str(file)),
                         (comment_add(c, "--text-file", "-"), "FILE")):
        result = cli(*args, input=saved, code=3)
        error, hint = result.stderr.splitlines()
        assert error.startswith("error: ") and named in error, result.stderr
        assert hint == f"hint: save it as UTF-8, or convert it with: iconv -f {named} -t UTF-8 " \
                       f"{source} > {source}.utf8"
    assert git(c.root, "rev-parse", "HEAD") == before


def test_the_editor_round_trip_keeps_every_word_of_the_text() -> None:
    """Whatever the text (Markdown headings included), opening it in the editor and saving
    it gives it back: only the instruction lines go."""
    from hypothesis import given, strategies as st

    from coalition_cli.textinput import (comment_char, editor_template, from_editor,
                                         strip_instructions)

    lines = st.lists(st.text(st.characters(blacklist_categories=("Cs",),
                                           blacklist_characters="\r\n"), max_size=20),
                     min_size=1, max_size=8)

    @given(lines, st.text(st.characters(blacklist_characters="\r\n"), max_size=30))
    def check(body_lines: list[str], extra: str) -> None:
        while body_lines and not body_lines[-1].strip():  # blank lines at the ends go
            body_lines.pop()
        while body_lines and not body_lines[0].strip():
            body_lines.pop(0)
        body = "\n".join(body_lines)
        if not body or len({line[:1] for line in body_lines} & set("#;@!$%^&|:")) == 10:
            return
        char = comment_char(body)
        assert all(not line.startswith(char) for line in body.splitlines())
        template = editor_template(body, [extra], char)
        assert strip_instructions(template, char) == body
        assert from_editor("Added.\n" + template, template, char, "text") == "Added.\n" + body

    check()
