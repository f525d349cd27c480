"""Tests of the word-level redline (coalition_cli.redline)."""

from __future__ import annotations

import random
import re
import textwrap
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition_cli import redline
from coalition_cli.errors import InputError
from coalition_cli.redline import apply, diff, hunks, normalize, stats

WORDS = [
    "the", "members", "coalition", "report", "annual", "public", "data", "funding",
    "café", "élève", "naïve", "ᐃᓄᒃᑎᑐᑦ", "ᓄᓇᕗᑦ", "مرحبا", "العربية", "👍🏽", "👨\u200d👩\u200d👧",
    "e\u0301te\u0301", "cafe\u0301s", "ö", "x_y", "42", "(", ")", ",", ".", "—", "«", "»",
    # bases of the sequences above, so that a diff is tempted to cut inside them
    "e", "te", "cafe", "s", "👍", "👨", "👩",
]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", "\n- ", "\n\n# ", "\n1. ", "\t", "\r\n"]


def changed(ops):
    return [op for op in ops if op["op"] != "equal"]


def join_words(words, seps):
    return "".join(w + s for w, s in zip(words, seps))


texts = st.one_of(
    st.text(max_size=200),
    st.builds(
        join_words,
        st.lists(st.sampled_from(WORDS), max_size=60),
        st.lists(st.sampled_from(SEPARATORS), min_size=60, max_size=60),
    ),
)


# ---------------------------------------------------------------- examples


def test_annual_to_quarterly_is_one_word_substitution():
    ops = diff(
        "The report commits to annual public reporting.",
        "The report commits to quarterly public reporting.",
    )
    assert changed(ops) == [{"op": "delete", "text": "annual"}, {"op": "insert", "text": "quarterly"}]
    assert ops[0] == {"op": "equal", "text": "The report commits to "}
    assert ops[-1] == {"op": "equal", "text": " public reporting."}
    assert hunks(ops) == 1
    assert stats(ops) == {
        "words_inserted": 1, "words_deleted": 1,
        "paragraphs_added": 0, "paragraphs_deleted": 0, "paragraphs_moved": 0,
    }


def test_rewrapping_is_no_change():
    paragraph = (
        "Members of the coalition commit to sharing funding data with every partner "
        "organisation, in plain language, at least once a year, and to answering "
        "questions about it within thirty days."
    )
    unwrapped = paragraph + "\n\nSecond paragraph, short.\n"
    wrapped = textwrap.fill(paragraph, 40) + "\n\n\n  Second paragraph,\r\nshort.   \n\n"
    assert wrapped != unwrapped
    assert normalize(wrapped) == normalize(unwrapped)
    ops = diff(unwrapped, wrapped)
    assert changed(ops) == []
    assert hunks(ops) == 0


def test_verbatim_paragraph_move_is_one_move_pair():
    paras = [f"Paragraph {name} has its own words about {name} things." for name in "ABCDE"]
    old = "\n\n".join(paras)
    new = "\n\n".join([paras[0], paras[2], paras[3], paras[1], paras[4]])
    ops = diff(old, new)
    moves = changed(ops)
    assert [op["op"] for op in moves] == ["move", "move"]
    assert {op["role"] for op in moves} == {"from", "to"}
    assert moves[0]["pair"] == moves[1]["pair"]
    assert all(op["text"].strip("\n") == paras[1] for op in moves)
    assert hunks(ops) == 1
    assert stats(ops)["paragraphs_moved"] == 1
    assert stats(ops)["words_inserted"] == stats(ops)["words_deleted"] == 0
    assert apply(ops, "new") == normalize(new) and apply(ops, "old") == normalize(old)


def test_rewritten_phrase_is_one_readable_replacement():
    ops = diff(
        "We will pay members on time every month, as agreed.",
        "We will reimburse partner organisations promptly every month, as agreed.",
    )
    assert changed(ops) == [
        {"op": "delete", "text": "pay members on time"},
        {"op": "insert", "text": "reimburse partner organisations promptly"},
    ]


def test_list_items_and_headings_stay_separate_blocks():
    text = (
        "Intro line\n- first item\n- second item\n* star\n+ plus\n"
        "1. one\n2. two\n# Heading\nbody text\nwrapped"
    )
    assert normalize(text).split("\n\n") == [
        "Intro line", "- first item", "- second item", "* star", "+ plus",
        "1. one", "2. two", "# Heading", "body text wrapped",
    ]
    # ...but a wrapped line that merely starts with a number or a hash tag does not
    assert normalize("founded in the year\n2026. Members\n#together agree") == (
        "founded in the year 2026. Members #together agree"
    )
    old = "- alpha beta gamma\n- delta epsilon zeta\n- eta theta iota"
    new = "- alpha beta gamma\n- delta epsilon changed\n- eta theta iota"
    ops = diff(old, new)
    assert changed(ops) == [{"op": "delete", "text": "zeta"}, {"op": "insert", "text": "changed"}]


def test_whole_paragraphs_added_and_deleted_are_counted():
    old = "Keep this paragraph.\n\nDrop this one entirely now."
    new = "Brand new opening words here.\n\nKeep this paragraph."
    ops = diff(old, new)
    s = stats(ops)
    assert s["paragraphs_added"] == 1 and s["paragraphs_deleted"] == 1
    assert s["words_inserted"] == 5 and s["words_deleted"] == 5
    for op in changed(ops):
        assert op["paragraphs"] == 1
    assert apply(ops, "new") == normalize(new) and apply(ops, "old") == normalize(old)


def test_replaced_paragraph_is_not_a_word_salad():
    old = "Members publish an annual report on the funding they receive from the coalition."
    new = "Partners may ask for a meeting with the board at any time of the year."
    ops = diff(old, new)
    assert ops == [
        {"op": "delete", "text": normalize(old), "paragraphs": 1},
        {"op": "insert", "text": normalize(new), "paragraphs": 1},
    ]


def test_similar_paragraphs_in_a_changed_run_are_paired_in_order():
    a = "Alpha paragraph speaks of funding data shared with every partner each year."
    b = "Bravo paragraph is about something else entirely and will be removed."
    c = "Charlie paragraph covers consent and privacy in all data collection."
    x = "Xray paragraph is brand new text that nobody has seen before today."
    old = "\n\n".join([a, b, c])
    new = "\n\n".join([a.replace("each year", "every quarter"), x, c.replace("all data", "any data")])
    ops = diff(old, new)
    check_ops(old, new, ops)
    assert [op for op in ops if op["op"] != "equal" and "paragraphs" not in op] == [
        {"op": "delete", "text": "each year"},
        {"op": "insert", "text": "every quarter"},
        {"op": "delete", "text": "all"},
        {"op": "insert", "text": "any"},
    ]
    whole = [(op["op"], op["text"].strip("\n")) for op in ops if "paragraphs" in op]
    assert sorted(whole) == [("delete", b), ("insert", x)]
    assert stats(ops)["paragraphs_added"] == stats(ops)["paragraphs_deleted"] == 1


def test_edge_cases():
    assert diff("", "") == []
    assert diff("  \n\n ", "\n") == []
    assert diff("", "Only new.") == [{"op": "insert", "text": "Only new.", "paragraphs": 1}]
    assert diff("Only old.", "") == [{"op": "delete", "text": "Only old.", "paragraphs": 1}]
    assert hunks([]) == 0
    with pytest.raises(InputError):
        apply([], "sideways")


def test_separate_edits_in_separate_paragraphs_are_separate_hunks():
    old = "One two three four.\n\nFive six seven eight.\n\nNine ten eleven twelve."
    new = "One two THREE four.\n\nFive six seven eight.\n\nNine ten eleven TWELVE."
    ops = diff(old, new)
    assert hunks(ops) == 2
    assert all("\n" not in op["text"] for op in changed(ops))


# ---------------------------------------------------------------- properties


def _glue(ch: str) -> bool:
    return ch == "\u200d" or "\U0001f3fb" <= ch <= "\U0001f3ff" or unicodedata.category(ch).startswith("M")


def splits_a_word(text: str, pos: int) -> bool:
    """Would cutting *text* at *pos* split a word or a character sequence?"""
    if pos <= 0 or pos >= len(text):
        return False
    if _glue(text[pos]) or (text[pos - 1] == "\u200d" and not text[pos].isspace()):
        return True
    base = pos - 1
    while base > 0 and _glue(text[base]):
        base -= 1
    return bool(re.match(r"\w", text[base]) and re.match(r"\w", text[pos]))


def check_ops(old: str, new: str, ops) -> None:
    old_n, new_n = normalize(old), normalize(new)
    assert apply(ops, "new") == new_n
    assert apply(ops, "old") == old_n
    assert all(op["text"] for op in ops), "no empty ops"
    for a, b in zip(ops, ops[1:]):
        assert not (a["op"] == b["op"] == "equal"), "adjacent equal ops are merged"
    o = n = 0
    for op in ops:
        size = len(op["text"])
        if op["op"] == "equal":
            o, n = o + size, n + size
            continue
        on_old = op["op"] == "delete" or op.get("role") == "from"
        text, pos = (old_n, o) if on_old else (new_n, n)
        assert not splits_a_word(text, pos) and not splits_a_word(text, pos + size), op
        if op["op"] in ("insert", "delete") and "paragraphs" not in op:
            assert "\n" not in op["text"], "a word-level change stays inside one paragraph"
        else:  # whole paragraphs: the op covers complete blocks only
            start = pos + len(op["text"]) - len(op["text"].lstrip("\n"))
            end = pos + len(op["text"].rstrip("\n"))
            assert start == 0 or text[start - 2 : start] == "\n\n", op
            assert end == len(text) or text[end : end + 2] == "\n\n", op
        if on_old:
            o += size
        else:
            n += size


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_apply_rebuilds_both_sides(a, b):
    check_ops(a, b, diff(a, b))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=80), st.randoms(use_true_random=False))
def test_random_word_edits_never_split_words(words, rnd):
    seps = [rnd.choice(SEPARATORS[:6]) for _ in words]
    new_words, new_seps = [], []
    for w, s in zip(words, seps):
        roll = rnd.random()
        if roll < 0.15:
            continue  # deletion
        new_words.append(rnd.choice(WORDS) if roll < 0.3 else w)
        new_seps.append(s)
        if roll > 0.9:  # insertion
            new_words.append(rnd.choice(WORDS))
            new_seps.append(" ")
    old, new = join_words(words, seps), join_words(new_words, new_seps)
    check_ops(old, new, diff(old, new))


@settings(max_examples=100, deadline=None)
@given(texts)
def test_normalize_is_idempotent_and_diff_of_equal_texts_is_equal(a):
    assert normalize(normalize(a)) == normalize(a)
    assert changed(diff(a, normalize(a))) == []


# ---------------------------------------------------------------- a large draft

VOCAB = (
    "the of and to a in that is for on with as by be are this will members coalition partners "
    "funding community report public data shared each principle should must may not their all "
    "services people support decisions accountability transparency annual process information "
    "consent governance staff board rights access local evaluation outcomes resources respect"
).split()


def make_large_draft(seed: int, rate: float = 0.05) -> tuple[str, str, int]:
    rng = random.Random(seed)
    old_paras, new_paras, sites = [], [], 0
    while sum(len(p) for p in old_paras) < 50_000:
        words = [rng.choice(VOCAB) for _ in range(rng.randint(40, 120))]
        words = [w + "." if rng.random() < 0.07 else w for w in words]
        new_words = []
        for k, w in enumerate(words):
            if k == 0 or rng.random() >= rate:
                new_words.append(w)
                continue
            sites += 1
            kind = rng.choice("sid")
            if kind == "s":
                new_words.append(rng.choice(VOCAB))
            elif kind == "i":
                new_words += [w, rng.choice(VOCAB)]
        old_paras.append(textwrap.fill(" ".join(words), 72))
        new_paras.append(textwrap.fill(" ".join(new_words), 72))
    return "\n\n".join(old_paras), "\n\n".join(new_paras), sites


@pytest.mark.parametrize("seed", [1, 2])
def test_large_draft_with_five_percent_edits(seed):
    old, new, sites = make_large_draft(seed)
    ops = diff(old, new)
    check_ops(old, new, ops)
    count = hunks(ops)
    assert 0.5 * sites <= count <= 1.1 * sites, (count, sites)
    old_n, new_n = normalize(old), normalize(new)
    assert max(len(op["text"]) for op in ops if op["op"] == "delete") < 0.5 * len(old_n)
    assert max(len(op["text"]) for op in ops if op["op"] == "insert") < 0.5 * len(new_n)
    s = stats(ops)
    assert s["paragraphs_added"] == s["paragraphs_deleted"] == 0
    assert s["words_deleted"] < 0.1 * len(old_n.split())


def test_tokenize_keeps_marks_and_emoji_sequences_together():
    assert redline.tokenize("cafe\u0301s  ok") == ["cafe\u0301s", "  ", "ok"]
    assert redline.tokenize("a 👨\u200d👩\u200d👧 b") == ["a", " ", "👨\u200d👩\u200d👧", " ", "b"]
    assert redline.tokenize("👍🏽!") == ["👍🏽", "!"]
    assert redline.tokenize("ᐃᓄᒃᑎᑐᑦ, مرحبا") == ["ᐃᓄᒃᑎᑐᑦ", ",", " ", "مرحبا"]
