"""The benchmark's memory measure of a whole process tree counts the children a command
forks, once each, and a page shared after fork once in all (Pss), not in every process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

if not Path("/proc/self/smaps_rollup").exists():
    pytest.skip("needs Linux's /proc/<pid>/smaps_rollup", allow_module_level=True)

# a parent holding 60 MB it shares with a forked child (never written again), and a child
# allocating 80 MB of its own; both alive together for a second
FORKING = """
import os, time
shared = bytearray(60 << 20)
for i in range(0, len(shared), 4096):
    shared[i] = 1
pid = os.fork()
if pid == 0:
    own = bytearray(80 << 20)
    for i in range(0, len(own), 4096):
        own[i] = 1
    time.sleep(1.0)
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_the_tree_peak_sums_forked_children_and_counts_shared_pages_once(tmp_path: Path) -> None:
    import bench

    pss, rss = bench.tree_peak_mb([sys.executable, "-c", FORKING], tmp_path)
    assert 140 <= pss < 175  # 60 shared, once, + 80 of the child's own (+ two interpreters)
    assert rss >= pss + 50  # the shared 60 MB counted in both processes
