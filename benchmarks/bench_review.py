"""How long `review import` takes to read and map a reviewed Word file (no git, no signing):
the sample agenda's ten principles exported, then N comments and N tracked changes written
in Word's markup at word boundaries across them.

    python benchmarks/bench_review.py            # N = 10, 50, 100 (the sample holds ~230 slots)
    python benchmarks/bench_review.py --sizes 50
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coalition_cli import records
from coalition_cli.review.export import export_docx
from coalition_cli.review.layout import Draft, layout
from coalition_cli.review.mapping import map_review
from coalition_cli.review.ooxml import open_package
from coalition_cli.review.wordmarkup import WordReview


def sample_draft() -> Draft:
    folder = Path(__file__).resolve().parent.parent / "agenda" / "principles"
    principles = []
    for path in sorted(folder.glob("P*.md")):
        fields, body = records.split_front_matter(path.read_bytes(), str(path))
        principles.append((fields["id"], fields["title"], body))
    return Draft("Common Ground", "r1", "First draft", "2030-01-01T00:00:00Z", "a" * 40,
                 tuple(principles))


def review(draft: Draft, n: int, seed: int = 1) -> tuple[bytes, int]:
    rng = random.Random(seed)
    r = WordReview(export_docx(draft))
    bodies = [k for k, p in enumerate(layout(draft)) if p.role == "body"]
    slots = [(k, w) for k in bodies for w in range(0, len(r.texts[k].split(" ")) - 4, 6)]
    rng.shuffle(slots)
    for i, (k, w) in enumerate(slots[: 2 * n]):
        words = r.texts[k].split(" ")
        start = sum(len(x) + 1 for x in words[:w])
        end = start + len(words[w]) + 1 + len(words[w + 1])
        if i % 2:
            r.change(k, start, end, "newly proposed words")
        else:
            r.comment((k, start), (k, end), f"[amend] comment {i}")
    return r.save(), min(2 * n, len(slots))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,50,100")
    args = parser.parse_args()
    draft = sample_draft()
    stances = ("support", "amend", "neutral", "oppose", "block")
    print("| comments and changes written | .docx bytes | read (ms) | map (ms) | items |")
    print("|---|---|---|---|---|")
    for n in (int(x) for x in args.sizes.split(",")):
        data, written = review(draft, n)
        best_read = best_map = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            package = open_package(data)
            t1 = time.perf_counter()
            mapping = map_review(package, draft, stances)
            t2 = time.perf_counter()
            best_read, best_map = min(best_read, t1 - t0), min(best_map, t2 - t1)
        print(f"| {written} | {len(data):,} | {best_read * 1000:.0f} | {best_map * 1000:.0f} "
              f"| {len(mapping.items)} |")


if __name__ == "__main__":
    main()
