"""Benchmark the word-level redline against ``git diff --word-diff``.

Builds a 100-principle draft of about 50 KB of English-like text, edits 5 % of
its words (substitutions, insertions, deletions), then times
``coalition_cli.redline.diff`` over every principle (median of 5 runs) and
``git diff --no-index --word-diff=porcelain`` over the two concatenated texts,
and counts the change hunks each reports. ``ms`` is wall time, ``cpu_ms`` CPU
time (including child processes), which is steadier on a busy machine.

Run it with ``python benchmarks/bench_redline.py``; ``run()`` returns the rows
so a bigger benchmark can reuse them.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coalition_cli import redline  # noqa: E402

T = TypeVar("T")

VOCABULARY = """
the of and to a in that is for on with as by be are this will it or from at
members coalition partners funding community report public data shared each
principle should must may not their all any other its we our they which who
services people support decisions accountability transparency annual process
information consent governance staff board indigenous rights access local
across within between evaluation outcomes resources commitment participation
organisations agreement review policy collective protect respect ensure clear
financial independent relationships trust learning evidence practice equitable
provide make take open regular timely written request response complaints
meetings records privacy security culturally safe language plain accessible
""".split()

PUNCTUATION = [",", ",", ";", ":"]


def _sentence(rng: random.Random, weights: list[float]) -> str:
    words = rng.choices(VOCABULARY, weights, k=rng.randint(8, 22))
    for i in range(2, len(words) - 2, 7):
        if rng.random() < 0.4:
            words[i] += rng.choice(PUNCTUATION)
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def make_principle(rng: random.Random, paragraphs: int = 2) -> list[list[str]]:
    """One principle body as paragraphs of words (punctuation attached)."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(VOCABULARY))]
    body = []
    for _ in range(paragraphs):
        text = " ".join(_sentence(rng, weights) for _ in range(rng.randint(2, 4)))
        body.append(text.split())
    if rng.random() < 0.3:  # a short list
        body.extend(["-", *_sentence(rng, weights).split()[:6]] for _ in range(3))
    return body


def render(body: list[list[str]], width: int = 72) -> str:
    """Hard-wrap each paragraph; list items stay on their own lines."""
    out = []
    for para in body:
        text = " ".join(para)
        out.append(text if para[0] == "-" else textwrap.fill(text, width))
    return "\n\n".join(out) + "\n"


def edit(rng: random.Random, body: list[list[str]], rate: float = 0.05) -> tuple[list[list[str]], int]:
    """Edit *rate* of the words; return the new body and the number of edits."""
    sites = 0
    new_body = []
    for para in body:
        new_para: list[str] = []
        for k, word in enumerate(para):
            if k == 0 or rng.random() >= rate:  # keep list markers and first words
                new_para.append(word)
                continue
            sites += 1
            kind = rng.choice(("sub", "ins", "del"))
            if kind == "sub":
                new_para.append(rng.choice(VOCABULARY))
            elif kind == "ins":
                new_para.extend((word, rng.choice(VOCABULARY)))
        new_body.append(new_para)
    return new_body, sites


def make_drafts(seed: int = 7, principles: int = 100, rate: float = 0.05) -> tuple[list[str], list[str], int]:
    """Old and new principle bodies, and the number of edit sites."""
    rng = random.Random(seed)
    old, new, sites = [], [], 0
    for _ in range(principles):
        body = make_principle(rng)
        edited, n = edit(rng, body, rate)
        old.append(render(body))
        new.append(render(edited))
        sites += n
    return old, new, sites


def concatenate(bodies: list[str]) -> str:
    return "".join(f"## P{i:03d}\n\n{body}\n" for i, body in enumerate(bodies, 1))


def git_word_diff(old: str, new: str) -> tuple[float, float, int]:
    """Wall and CPU seconds (median of 5) and change runs of ``git diff --word-diff=porcelain``."""
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp, "old.md"), Path(tmp, "new.md")
        a.write_text(old, encoding="utf-8")
        b.write_text(new, encoding="utf-8")
        cmd = ["git", "diff", "--no-index", "--no-color", "--word-diff=porcelain", str(a), str(b)]
        wall, cpu, output = _time(lambda: subprocess.run(cmd, capture_output=True, text=True, check=False).stdout)
    runs, in_run, in_header = 0, False, True
    for line in output.splitlines():
        if line.startswith("@@"):
            in_header, in_run = False, False
            continue
        if in_header:
            continue
        changed = line[:1] in ("+", "-")
        runs += changed and not in_run
        in_run = changed
    return wall, cpu, runs


def _time(fn: Callable[[], T], repeat: int = 5) -> tuple[float, float, T]:
    """Median wall and CPU seconds (own process and children) of *repeat* calls, and the last result."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), _cpu()
        result = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(_cpu() - c0)
    return statistics.median(wall), statistics.median(cpu), result


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run() -> list[dict]:
    """Run the benchmark; one row per tool."""
    old, new, sites = make_drafts()
    old_all, new_all = concatenate(old), concatenate(new)
    size_kb = round(len(old_all.encode("utf-8")) / 1024, 1)

    per_wall, per_cpu, ops_lists = _time(lambda: [redline.diff(a, b) for a, b in zip(old, new)])
    one_wall, one_cpu, one_ops = _time(lambda: redline.diff(old_all, new_all))
    git_wall, git_cpu, git_runs = git_word_diff(old_all, new_all)
    base = {"size_kb": size_kb, "principles": len(old), "edit_sites": sites}
    rows = [
        ("redline.diff per principle", per_wall, per_cpu, sum(redline.hunks(ops) for ops in ops_lists)),
        ("redline.diff one body", one_wall, one_cpu, redline.hunks(one_ops)),
        ("git diff --word-diff", git_wall, git_cpu, git_runs),
    ]
    return [
        {**base, "tool": tool, "ms": round(wall * 1000, 1), "cpu_ms": round(cpu * 1000, 1), "hunks": count}
        for tool, wall, cpu, count in rows
    ]


def format_table(rows: list[dict]) -> str:
    cols = ["tool", "size_kb", "principles", "edit_sites", "ms", "cpu_ms", "hunks"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    lines = [" | ".join(c.ljust(widths[c]) for c in cols)]
    lines.append("-+-".join("-" * widths[c] for c in cols))
    lines += [" | ".join(str(r[c]).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(format_table(run()))
