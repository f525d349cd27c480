"""The issue's N = 1,000,000 figures, beside N = 100,000 in the same run, without the whole table.

``bench.py --sizes 100000,1000000`` measures everything at both sizes (well over an hour on
two cores, most of it cold verifies repeated for their medians); this script measures only
what issue 16 judges at 1,000,000 — warm verify and summary, the first verify after one new
comment and the first summary after ten (each beside a warm run right after it), and the
cold summary's time and peak memory over its whole process tree — on the repositories
``bench.py`` builds (``--dir``, default ``$COALITION_BENCH_DIR`` or /tmp/coalition-bench;
missing ones are generated). Prints each size's figures as JSON and writes them to
``--output``.

    python benchmarks/bench_million.py                       # N = 100,000 and 1,000,000
    python benchmarks/bench_million.py --sizes 1000,10000    # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402


def measure(repo: Path, reps: int) -> dict:
    cmd = bench.coalition_cmd()
    verify, summary = [*cmd, "verify", "--format", "json"], [*cmd, "summary"]
    got: dict = {"load": os.getloadavg()[0]}
    bench.run(verify, repo)  # settle: the verdicts and the summary of this head
    bench.run(summary, repo)
    got["verify_warm"] = bench.median([bench.run(verify, repo)[0] for _ in range(reps)])
    got["summary_warm"] = bench.median([bench.run(summary, repo)[0] for _ in range(reps)])
    got.update(bench.bench_after_new(repo, max(2, reps - 1)))
    return got


def cold_summary(repo: Path) -> dict:
    bench.drop_cache(repo)
    started = time.perf_counter()
    pss, rss = bench.tree_peak_mb([*bench.coalition_cmd(), "summary"], repo)
    return {"summary_cold": time.perf_counter() - started, "summary_cold_tree_pss": pss,
            "summary_cold_tree_rss": rss}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--dir", default=os.environ.get("COALITION_BENCH_DIR", "/tmp/coalition-bench"))
    parser.add_argument("--output", default="million.json")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes: comma-separated numbers, not {args.sizes!r}")
    out: dict[int, dict] = {}
    for n in sizes:  # the warm and incremental figures of every size first, side by side
        out[n] = measure(bench.agenda_repo(Path(args.dir), n, False), args.reps)
        print(n, json.dumps(out[n]), flush=True)
    for n in sizes:  # then the cold summaries (each drops the derived cache)
        out[n].update(cold_summary(bench.agenda_repo(Path(args.dir), n, False)))
        print(n, json.dumps(out[n]), flush=True)
        Path(args.output).write_text(json.dumps(out, indent=1), encoding="utf-8")
    Path(args.output).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
