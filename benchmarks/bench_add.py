"""`comment add` at N = 1,000 against the Python floor, alternating in one run.

The same measurements as ``bench.py``'s two comment-add rows (``bench.run`` of the real
``coalition`` script next to this interpreter, ``bench._ADD_FLOOR``, the same command line,
a plain ``git add`` + ``git commit`` of a note between two adds as ``bench_comment_add``
does), but floor and add interleaved run by run, so that both see the same load:

    python -m venv V && V/bin/pip install . && V/bin/python benchmarks/bench_add.py [REPS] [DIR]

``DIR`` (default ``$COALITION_BENCH_DIR/add-1000``) is built with ``bench.build_agenda``
when it holds no agenda yet.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    base = Path(os.environ.get("COALITION_BENCH_DIR", "/tmp/coalition-bench"))
    repo = Path(sys.argv[2]) if len(sys.argv) > 2 else base / "add-1000" / "repo"
    if not (repo / "agenda" / "coalition.yaml").is_file():
        bench.build_agenda(repo, 1000)
    cmd = bench.coalition_cmd()
    key = repo.parent / "keys" / "m001"
    notes = repo / "notes"
    notes.mkdir(exist_ok=True)

    def add() -> float:
        return bench.run([*cmd, "comment", "add", "--principle", "P05", "--stance", "amend",
                          "--as", "m001", "--key", str(key), "--text",
                          f"Benchmark comment {time.time_ns()}: the reporting duty should be "
                          "quarterly."], repo)[0]

    bench.run([*cmd, "verify", "--format", "json"], repo)  # the caches of this code, warm
    add()
    loads = [os.getloadavg()[0]]
    ours, floor = [], []
    for i in range(reps):
        floor.append(bench.run([sys.executable, "-c", bench._ADD_FLOOR, f"floor {i}"], repo)[0])
        ours.append(add())
        note = notes / f"note-{time.time_ns()}-{i}.txt"
        note.write_text(f"A plain note {i}\n", encoding="utf-8")
        bench.run(["git", "add", "--", str(note.relative_to(repo))], repo)
        bench.run(["git", "commit", "-q", "-m", f"note {i}"], repo)
        loads.append(os.getloadavg()[0])
    a, f = statistics.median(ours), statistics.median(floor)
    print(f"comment add {a * 1000:.0f} ms, Python floor {f * 1000:.0f} ms: {a / f:.2f}x "
          f"(medians of {reps} alternating runs; 1-minute load {min(loads):.1f}-{max(loads):.1f})")


if __name__ == "__main__":
    main()
