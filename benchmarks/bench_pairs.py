"""Two installs of coalition side by side: the first verify after one new comment and the
first summary after ten, each beside a warm run right after it, alternating between them.

Each side is a CLI (``NAME=VENV:REPO``: the ``coalition`` of a venv) on its own copy of one
repository that ``bench.py`` built (the derived cache is kept per clone, so the two never
read each other's results); the new comments arrive as a sync brings them
(``bench.arrive``). Prints each round as it goes and the medians and ratios at the end.

    cp -a /tmp/coalition-bench/n100000/repo /tmp/a && cp -a /tmp/coalition-bench/n100000/repo /tmp/b
    python benchmarks/bench_pairs.py --reps 3 old=/tmp/venv-old:/tmp/a new=/tmp/venv-new:/tmp/b
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402


def side(spec: str) -> tuple[str, list[str], Path]:
    name, _, rest = spec.partition("=")
    venv, _, repo = rest.partition(":")
    if not (name and venv and repo):
        raise argparse.ArgumentTypeError(f"not NAME=VENV:REPO: {spec!r}")
    return name, [str(Path(venv) / "bin" / "coalition")], Path(repo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("sides", nargs="+", type=side, metavar="NAME=VENV:REPO")
    args = parser.parse_args(argv)
    got = {name: {k: [] for k in ("verify_after_1", "verify_warm", "summary_after_10",
                                  "summary_warm")} for name, _cmd, _repo in args.sides}
    for _name, cmd, repo in args.sides:  # settle: each side's verdicts and summary
        bench.run([*cmd, "verify", "--format", "json"], repo)
        bench.run([*cmd, "summary"], repo)
    for i in range(args.reps):
        for name, cmd, repo in args.sides:
            mine = got[name]
            bench.arrive(repo, 1, seed=time.time_ns())
            took, proc = bench.run([*cmd, "verify", "--format", "json"], repo)
            if not json.loads(proc.stdout)["ok"]:
                raise SystemExit(f"{name}: verify failed after a new comment")
            mine["verify_after_1"].append(took)
            mine["verify_warm"].append(bench.run([*cmd, "verify", "--format", "json"], repo)[0])
            bench.run([*cmd, "summary"], repo)
            bench.arrive(repo, 10, seed=time.time_ns())
            mine["summary_after_10"].append(bench.run([*cmd, "summary"], repo)[0])
            mine["summary_warm"].append(bench.run([*cmd, "summary"], repo)[0])
            print(name, i, {k: round(v[-1], 3) for k, v in mine.items()},
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
    for name, mine in got.items():
        m = {k: statistics.median(v) for k, v in mine.items()}
        print(name, {k: round(v, 3) for k, v in m.items()},
              f"verify {m['verify_after_1'] / m['verify_warm']:.2f}x",
              f"summary {m['summary_after_10'] / m['summary_warm']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
