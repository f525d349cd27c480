"""What the governance rules cost: the consensus tally of every principle of a round of N
member voices, with the plain rule, and with a community rule and ``silence: consent``; and
the governance pass of ``verify`` (``governance.checks.judge_governance``) over N records.

    PYTHONPATH=. python benchmarks/bench_governance.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import time
from types import SimpleNamespace

from coalition_cli.consensus import fold, tally
from coalition_cli.governance.checks import judge_governance
from coalition_cli.governance.consent import CommunityRule
from coalition_cli.model import Config, Member, Record

STANCES = ("support", "amend", "neutral", "oppose", "block")


def records(n: int, members: int = 200, principles: int = 20) -> list[Record]:
    return [Record(type="comment", id=f"{i:016x}", round="r1", member=f"m{i % members:03d}",
                   submitted_at=f"2026-11-{1 + i % 28:02d}T10:00:00Z",
                   principle=f"P{1 + (i * 7) % principles:02d}", stance=STANCES[i % 5],
                   kind="general", text="t") for i in range(n)]


def best(fn, reps: int = 3) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    voting = {f"m{i:03d}": Member(id=f"m{i:03d}", name="x", roles=("member",),
                                  sector="indigenous-led" if i < 5 else "funder")
              for i in range(200)}
    plain = Config(name="x")
    governed = Config(name="x", silence="consent",
                      community=(CommunityRule(theme="indigenous-data-governance",
                                               sector="indigenous-led"),))
    principles = [f"P{i:02d}" for i in range(1, 21)]
    print("| N | tally, plain rule | tally, community + silence | verify governance pass |")
    print("|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        recs = records(n)
        state = fold(recs)

        def run(config: Config) -> None:
            for pid in principles:
                tally(state, pid, voting, config,
                      themes=("indigenous-data-governance",) if pid in ("P02", "P09") else ())

        result = SimpleNamespace(config=governed, access={}, consent_withdrawn={}, accepted={},
                                 problem=lambda *a: None)
        trusted = SimpleNamespace(members=voting)
        by_round = {"r1": [(f"p/{r.id}", r) for r in recs]}
        t_plain, t_gov = best(lambda: run(plain)), best(lambda: run(governed))
        t_pass = best(lambda: judge_governance(result, trusted, dict(by_round)))
        print(f"| {n:,} | {t_plain * 1000:.1f} ms | {t_gov * 1000:.1f} ms | {t_pass * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
