"""Near-duplicate groups: the definition, and new comments taken in without redoing the old."""

from __future__ import annotations

import marshal
import random
import re
from pathlib import Path
from types import SimpleNamespace
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition_cli.reports import near_duplicates as nd
from coalition_cli.reports.near_duplicates import Campaigns, clusters, extend

WORDS = "data consent report community agree oppose fund the a of to we must never share".split()


def plain(texts: dict[str, str], threshold: float = nd.THRESHOLD) -> list[list[str]]:
    """The definition, written the slow way: every block's members in order, each compared
    with the block's representatives as plain sets, joining the first it matches."""
    sets, blocks = {}, defaultdict(list)
    words_of = nd._Words([])
    for cid, text in texts.items():
        words = re.findall(r"\w+", text.casefold())
        if len(words) < 3:
            continue
        sets[cid] = set(words)
        words_of.mask(sets[cid])  # (gives every word its two hashes)
        for key in dict.fromkeys(nd.keys_of(words, sets[cid], words_of.hashes)):
            blocks[key].append(cid)
    parent = {cid: cid for cid in sets}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for members in blocks.values():
        reps: list[str] = []
        for cid in members:
            for rep in reps:
                a, b = sets[cid], sets[rep]
                if len(a & b) / len(a | b) >= threshold:
                    parent[find(cid)] = find(rep)
                    break
            else:
                if len(reps) < 16:  # representatives per block, as the module's docstring says
                    reps.append(cid)
    groups = defaultdict(list)
    for cid in sets:
        groups[find(cid)].append(cid)
    return sorted((sorted(g) for g in groups.values() if len(g) >= nd.MINIMUM),
                  key=lambda g: (-len(g), g[0]))


def campaign(rng: random.Random, n: int) -> dict[str, str]:
    """A few template texts, each sent many times with small edits."""
    base = [" ".join(rng.choices(WORDS[: rng.randint(3, len(WORDS))], k=rng.randint(1, 12)))
            for _ in range(rng.randint(1, 5))]
    texts = {}
    for i in range(n):
        said = rng.choice(base).split()
        for _ in range(rng.randint(0, 3)):
            if said and rng.random() < 0.5:
                said.pop(rng.randrange(len(said)))
            else:
                said.insert(rng.randint(0, len(said)), rng.choice(WORDS))
        texts[f"c{i:03d}-{rng.randrange(10**6)}"] = " ".join(said)
    return texts


def in_steps(texts: dict[str, str], cuts: list[int], threshold: float = nd.THRESHOLD) -> Campaigns:
    """The state after taking ``texts`` in a few at a time, stored and read back between steps
    (as the summary does through its memo)."""
    items = list(texts.items())
    state = Campaigns(threshold)
    for cut in sorted(cuts) + [len(items)]:
        state = extend(state, dict(items[:cut]))
        state = Campaigns.restore(marshal.loads(marshal.dumps(state.parts())), threshold)
        assert state is not None
    return state


def test_a_template_campaign_is_one_group_and_other_texts_are_not() -> None:
    base = "Please reinstate work requirements for food stamps and support conservative waiver reform"
    texts = {f"t{i}": base + suffix for i, suffix in enumerate(["", ".", "!", " now", " please."])}
    texts["x"] = "Indigenous peoples govern data about their communities and lands."
    texts["y"] = "Annual reporting is too slow; ask for quarterly public reports instead."
    texts["edited"] = "Please reinstate the work requirements for food stamps and support waiver reform"
    assert clusters(texts) == [sorted([*(f"t{i}" for i in range(5)), "edited"])]


def test_the_fast_links_agree_with_the_plain_definition() -> None:
    rng = random.Random(7)
    for _ in range(300):
        texts = campaign(rng, rng.randint(0, 50))
        for threshold in (0.5, 0.7, 1.0):
            assert clusters(texts, threshold=threshold) == plain(texts, threshold)


def test_a_block_keeps_sixteen_representatives() -> None:
    """Texts opening alike but otherwise different fill their block's representatives; later
    ones are compared with those sixteen only."""
    rng = random.Random(2)
    vocab = [f"w{i}" for i in range(400)]
    for _ in range(5):
        texts = {}
        for i in range(120):
            tail = rng.sample(vocab, rng.randint(3, 9))
            texts[f"b{i:03d}"] = "we must share this " + " ".join(tail)
            if rng.random() < 0.3:  # and some near-copies of an earlier one
                texts[f"b{i:03d}x"] = texts[rng.choice(list(texts))] + " " + rng.choice(vocab)
        assert clusters(texts) == plain(texts)
        state = in_steps(texts, [40, 80])
        assert state.groups() == plain(texts)
        assert max(len(r) for r in state.blocks.values() if type(r) is list) == 16


def test_new_texts_taken_in_give_the_groups_computed_from_scratch() -> None:
    rng = random.Random(11)
    for _ in range(200):
        texts = campaign(rng, rng.randint(0, 80))
        cuts = [rng.randint(0, len(texts)) for _ in range(rng.randint(0, 6))]
        for threshold in (0.5, 0.7):
            state = in_steps(texts, cuts, threshold)
            assert state.groups() == clusters(texts, threshold=threshold) == \
                plain(texts, threshold)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["data", "consent", "fund", "we", "É", "ß", ".", " ", "x"]),
                         max_size=14).map(" ".join), max_size=40),
       st.lists(st.integers(min_value=0, max_value=40), max_size=5))
def test_any_texts_in_any_steps_give_the_same_groups(said: list[str], cuts: list[int]) -> None:
    texts = {f"id{i}": t for i, t in enumerate(said)}
    assert in_steps(texts, [min(c, len(texts)) for c in cuts]).groups() == plain(texts)


def test_a_changed_earlier_text_is_not_taken_for_the_same_one() -> None:
    rng = random.Random(3)
    for _ in range(100):
        texts = campaign(rng, 30)
        state = extend(Campaigns(), texts)
        ids = list(texts)
        changed = dict(texts)
        changed[ids[rng.randrange(len(ids))]] += " data consent fund"  # edited
        removed = {k: v for k, v in texts.items() if k != ids[rng.randrange(len(ids))]}
        first = {"new": "we must never share the data of the community", **texts}  # earlier
        for other in (changed, removed, first):
            again = Campaigns.restore(state.parts())
            assert extend(again, other).groups() == plain(other)


def test_a_damaged_state_is_not_used_and_never_hangs() -> None:
    texts = campaign(random.Random(5), 40)
    good = extend(Campaigns(), texts)
    head, parent, blocks, ids, said, members = good.parts()
    assert members  # the campaign has groups
    cycle = list(parent)
    cycle[0] = len(cycle) - 1
    skipped_root = [-1] + [0] * (len(parent) - 1)
    root, group = next(iter(members.items()))
    twice = {**members, root: sorted([*group, group[-1]])}
    elsewhere = {**members, root + 1 if parent[root + 1] != root + 1 else root + 2: group}
    unsorted = {**members, root: group[::-1]}
    for parts in ([head, cycle, blocks, ids, said, members],
                  [head, skipped_root, blocks, ids, said, members],
                  [head, parent[:-1], blocks, ids, said, members],
                  [head, parent, blocks, ids[:-1], said, members],
                  [head, parent, blocks, ids, said[:-1], members],
                  [head, parent, blocks, ids, [*said[:-1], 7], members],
                  [head, parent, blocks, ids, said, twice], [head, parent, blocks, ids, said, elsewhere],
                  [head, parent, blocks, ids, said, unsorted],
                  [head, parent, blocks, ids, said, {**members, root: [ids[root]]}],
                  [head, parent, blocks, ids, said, {**members, root: [ids[root], 10**6]}],
                  [{**head, "version": nd.VERSION + 1}, parent, blocks, ids, said, members],
                  [{**head, "made_at": None}, parent, blocks, ids, said, members],
                  [{**head, "threshold": 0.5}, parent, blocks, ids, said, members], "junk", None,
                  [head, parent, blocks, ids, said]):
        assert Campaigns.restore(parts) is None
    far = Campaigns.restore([head, parent, {k: 10**6 for k in blocks}, ids, said, members])
    assert far is not None  # links fine, blocks not
    more = {**texts, "extra": next(iter(texts.values()))}
    assert extend(far, more).groups() == plain(more)


def test_a_state_read_from_an_authenticated_memo_is_still_checked_for_its_shape() -> None:
    """``restore(authenticated=True)`` (what ``campaign_memo`` read back under this user's
    key) skips the per-link checks, never the shape: parts of unequal lengths, another
    definition's head or a missing part are still not a state."""
    texts = campaign(random.Random(6), 20)
    head, parent, blocks, ids, said, members = extend(Campaigns(), texts).parts()
    assert Campaigns.restore([head, parent, blocks, ids, said, members], authenticated=True)
    for parts in ([head, parent[:-1], blocks, ids, said, members],
                  [head, parent, blocks, ids[:-1], said, members],
                  [head, parent, blocks, ids, said[:-1], members],
                  [head, parent, blocks, ids, [*said[:-1], 7], members],
                  [{**head, "version": nd.VERSION + 1}, parent, blocks, ids, said, members],
                  [head, parent, list(blocks), ids, said, members],
                  [head, parent, blocks, ids, said]):
        assert Campaigns.restore(parts, authenticated=True) is None


def test_texts_added_to_a_known_state_give_the_groups_computed_from_scratch() -> None:
    """``extend_by`` (the summary's step: the texts before are known to be the state's)
    agrees with ``extend`` and the plain definition, stored and read back between steps."""
    rng = random.Random(13)
    for _ in range(150):
        texts = campaign(rng, rng.randint(0, 60))
        items = list(texts.items())
        state = Campaigns()
        cuts = sorted(rng.randint(0, len(items)) for _ in range(rng.randint(0, 5)))
        for start, end in zip([0, *cuts], [*cuts, len(items)]):
            state = nd.extend_by(state, dict(items[start:end]))
            state = Campaigns.restore(marshal.loads(marshal.dumps(state.parts())))
            assert state is not None
        assert state.ids == list(texts) and state.texts == list(texts.values())
        assert state.groups() == clusters(texts) == plain(texts)


def test_the_step_finds_each_groups_first_text_whichever_way_it_must() -> None:
    """``summary_append._clusters`` with no groups shown before: each group's first text is
    a new comment's, its root's, or found by id among all (when neither: two older groups
    joined, or ids not in the order texts came); always the text the full build shows."""
    from coalition_cli.reports.summary_append import _clusters

    class Ids(list):  # counts the searches by id among all
        searched = 0

        def index(self, *args):  # noqa: ANN002, ANN202
            Ids.searched += 1
            return super().index(*args)

    rng = random.Random(21)
    for _ in range(80):
        made = campaign(rng, rng.randint(2, 40)).values()
        texts = {f"x{rng.randrange(10**6)}-{i}": text for i, text in enumerate(made)}
        items = list(texts.items())
        cut = rng.randint(0, len(items))
        state = nd.extend_by(extend(Campaigns(), dict(items[:cut])), dict(items[cut:]))
        state.ids = Ids(state.ids)
        assert _clusters(state, [], [], None, dict(items[cut:])) == [
            {"size": len(g), "comments": g, "sample": texts[g[0]]} for g in plain(texts)]
    assert 0 < Ids.searched < 80 * 4


def test_a_stored_state_keeps_its_segments_and_writes_only_its_new_texts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``campaign_memo``: the texts in segments; a state read back and extended keeps every
    segment it was read with and writes its new texts as a short segment of their own,
    until ``TAIL`` short ones are written again as whole ones; after each save it reads
    back as the state computed from scratch."""
    from coalition_cli.reports import campaign_memo

    monkeypatch.setattr(campaign_memo, "SEGMENT", 4)
    monkeypatch.setattr(campaign_memo, "TAIL", 3)
    agenda = SimpleNamespace(git=SimpleNamespace(git_dir=tmp_path), rel=".")
    texts = campaign(random.Random(17), 30)
    items = list(texts.items())
    folder = tmp_path / "coalition" / "results"

    def files() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in folder.glob("chunk.clusters-*")}

    campaign_memo.save(agenda, "r1", extend(Campaigns(), dict(items[:10])))
    assert len(files()) == 6  # 4 + 4 + 2 texts, each segment's ids and texts
    sizes = [[4, 4, 2], [4, 4, 2, 3], [4, 4, 2, 3, 2], [4, 4, 4, 4, 1]]
    cuts = [10, 13, 15, 17]
    for (start, end), size in zip(zip(cuts, cuts[1:]), sizes[1:]):
        before = files()
        state = campaign_memo.load(agenda, "r1", lazy=start != 13)
        assert state is not None and state.ids == list(texts)[:start]
        campaign_memo.save(agenda, "r1", nd.extend_by(state, dict(items[start:end])))
        back = campaign_memo.load(agenda, "r1")
        assert back is not None and [s[0] for s in back.stored] == size
        assert back.ids == list(texts)[:end] and back.texts == list(texts.values())[:end]
        assert back.groups() == clusters(dict(items[:end])) == plain(dict(items[:end]))
        now = files()
        kept = sum(before.get(name) == when for name, when in now.items())
        if len(size) > len(sizes[0]) and size[-1] != 1:  # one short segment more
            assert kept == len(before) and len(now) == len(before) + 2
        else:  # the three short ones (2, 3, 2) written again with the new text: 4 + 4
            assert kept == 4 and len(now) == 10
    next(folder.glob("chunk.clusters-*")).write_bytes(b"damaged")
    assert campaign_memo.load(agenda, "r1") is None


def test_a_state_read_lazily_reads_only_the_segments_of_the_texts_asked_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``load(lazy=True)``: each segment of ids or texts read when one of them is first
    asked for; extended, it groups as the state computed from scratch; a damaged segment
    of texts is a KeyError when read (the summary step then folds in full)."""
    from coalition_cli import cache
    from coalition_cli.reports import campaign_memo

    monkeypatch.setattr(campaign_memo, "SEGMENT", 4)
    agenda = SimpleNamespace(git=SimpleNamespace(git_dir=tmp_path), rel=".")
    texts = campaign(random.Random(18), 30)
    items = list(texts.items())
    campaign_memo.save(agenda, "r1", extend(Campaigns(), dict(items[:26])))
    reads: list[str] = []
    real = cache.Chunks.get
    monkeypatch.setattr(cache.Chunks, "get", lambda self, name: reads.append(name) or real(self, name))
    state = campaign_memo.load(agenda, "r1", lazy=True)
    assert state is not None and not reads  # nothing but the links and blocks
    assert state.ids[9] == items[9][0] and len(reads) == 1
    assert state.ids.index(items[25][0]) == 25 and len(reads) == 7  # every segment of ids
    assert state.ids == list(texts)[:26] and list(state.ids) == list(texts)[:26]
    assert state.texts[9] == items[9][1] and len(reads) == 8
    assert state.texts[10] == items[10][1] and len(reads) == 8  # the same segment
    grown = nd.extend_by(state, dict(items[26:]))
    assert grown.groups() == clusters(texts) == plain(texts)
    assert list(grown.texts) == list(texts.values())
    campaign_memo.save(agenda, "r1", grown)
    back = campaign_memo.load(agenda, "r1")
    assert back is not None and back.texts == list(texts.values())
    (named,) = [s for s in back.stored if s[0] == 4][:1]
    (tmp_path / "coalition" / "results" / f"chunk.clusters-{named[2]}.marshal").write_bytes(b"x")
    lazy = campaign_memo.load(agenda, "r1", lazy=True)
    assert lazy is not None and lazy.texts[5] == items[5][1]
    with pytest.raises(KeyError):
        lazy.texts[0]
    assert campaign_memo.load(agenda, "r1") is None


@given(st.integers(0, 40), st.integers(-45, 45), st.integers(-45, 45), st.sampled_from([None, 1, 2, -1, 3]))
def test_stored_texts_slice_as_a_list_does(extra: int, start: int, stop: int, step) -> None:  # noqa: ANN001
    """``StoredStrings`` in segments (of ``SEGMENT``, the last one partial), then texts taken
    in since: any slice is the list's."""
    from coalition_cli.reports import campaign_memo

    texts = [f"text {i}" for i in range(23)]
    size = 5
    segments = [[len(texts[i:i + size]), f"s{i}"] for i in range(0, len(texts), size)]

    class Store:
        def get(self, name: str) -> list[str]:
            at = int(name[1:])
            return texts[at:at + size]

    saved, campaign_memo.SEGMENT = campaign_memo.SEGMENT, size
    try:
        stored = campaign_memo.StoredStrings(Store(), segments) + [f"new {i}" for i in range(extra)]
        whole = texts + [f"new {i}" for i in range(extra)]
        assert stored[start:stop:step] == whole[start:stop:step]
        assert len(stored) == len(whole) and list(stored) == whole
    finally:
        campaign_memo.SEGMENT = saved
