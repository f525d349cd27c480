"""`comment add` at N = 1,000 against the Python floor, alternating in one run.

The same measurements as ``bench.py``'s two comment-add rows (``bench.run`` of the real
``coalition`` script next to this interpreter, ``bench._ADD_FLOOR``, the same command line,
a plain ``git add`` + ``git commit`` of a note between two adds as ``bench_comment_add``
does), but floor and add interleaved run by run, so that both see the same load:

    python -m venv V && V/bin/pip install . && V/bin/python benchmarks/bench_add.py [REPS] [DIR]

``DIR`` (default ``$COALITION_BENCH_DIR/add-1000``) is built with ``bench.build_agenda``
when it holds no agenda yet. Two installs or more, alternating, each on its own copy of that
repository (a copy each: the remembered ledger of one install's code is not the other's):

    python benchmarks/bench_add.py REPS old=V1:COPY1/repo new=V2:COPY2/repo
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402


def sides(reps: int, specs: list[str]) -> None:
    """Each install's ``comment add`` beside a run of the floor, round after round."""
    runs = []
    for spec in specs:
        name, _, rest = spec.partition("=")
        venv, _, repo = rest.partition(":")
        runs.append((name, [str(Path(venv) / "bin" / "coalition")], Path(repo)))
    for _name, cmd, repo in runs:
        (repo / "notes").mkdir(exist_ok=True)
        bench.run([*cmd, "verify", "--format", "json"], repo)
        _add(cmd, repo)
    ours: dict[str, list[float]] = {name: [] for name, _c, _r in runs}
    floor = []
    for i in range(reps):
        for name, cmd, repo in runs:
            floor.append(bench.run([sys.executable, "-c", bench._ADD_FLOOR, f"floor {i}"], repo)[0])
            _note(repo, i)
            ours[name].append(_add(cmd, repo))
    f = statistics.median(floor)
    for name, took in ours.items():
        a = statistics.median(took)
        print(f"{name}: comment add {a * 1000:.1f} ms, Python floor {f * 1000:.1f} ms: {a / f:.2f}x")


def _add(cmd: list[str], repo: Path) -> float:
    key = repo.parent / "keys" / "m001"
    return bench.run([*cmd, "comment", "add", "--principle", "P05", "--stance", "amend",
                      "--as", "m001", "--key", str(key), "--text",
                      f"Benchmark comment {time.time_ns()}: the reporting duty should be "
                      "quarterly."], repo)[0]


def _note(repo: Path, i: int) -> None:
    """A plain git add + commit of a note, as another member's commit between two adds."""
    note = repo / "notes" / f"note-{time.time_ns()}-{i}.txt"
    note.write_text(f"A plain note {i}\n", encoding="utf-8")
    bench.run(["git", "add", "--", str(note.relative_to(repo))], repo)
    bench.run(["git", "commit", "-q", "-m", f"note {i}"], repo)


def main() -> None:
    if len(sys.argv) > 2 and "=" in sys.argv[2]:
        sides(int(sys.argv[1]), sys.argv[2:])
        return
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    base = Path(os.environ.get("COALITION_BENCH_DIR", "/tmp/coalition-bench"))
    repo = Path(sys.argv[2]) if len(sys.argv) > 2 else base / "add-1000" / "repo"
    if not (repo / "agenda" / "coalition.yaml").is_file():
        bench.build_agenda(repo, 1000)
    cmd = bench.coalition_cmd()
    (repo / "notes").mkdir(exist_ok=True)
    bench.run([*cmd, "verify", "--format", "json"], repo)  # the caches of this code, warm
    _add(cmd, repo)
    loads = [os.getloadavg()[0]]
    ours, floor = [], []
    for i in range(reps):
        floor.append(bench.run([sys.executable, "-c", bench._ADD_FLOOR, f"floor {i}"], repo)[0])
        ours.append(_add(cmd, repo))
        _note(repo, i)
        loads.append(os.getloadavg()[0])
    a, f = statistics.median(ours), statistics.median(floor)
    print(f"comment add {a * 1000:.0f} ms, Python floor {f * 1000:.0f} ms: {a / f:.2f}x "
          f"(medians of {reps} alternating runs; 1-minute load {min(loads):.1f}-{max(loads):.1f})")


if __name__ == "__main__":
    main()
