"""Quotes as people type them (issue 11): whole words at the edges, typographic and plain
quotes, dashes and spaces alike, the draft's own text stored, the closest passage shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import assume, given, strategies as st

from coalition_cli import actions, records
from coalition_cli.anchoring import (QuoteNotFound, _inside_word, fold, make_anchor,
                                     quote_spans)
from coalition_cli.model import now

from conftest import Coalition, git  # noqa: I001

TYPOGRAPHIC = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
               "\u2014": "-", "\u00a0": " ", "\u202f": " "}
WORDS = st.sampled_from(["data", "the", "them", "gathered", "don\u2019t", "\u201copen\u201d",
                         "co\u2013design", "10\u00a0%", "données", "e\u0301té", "ᐃᓄᒃ", "数据",
                         "共享", "1.2", "(a)", "\u2014", "it's", "x"])
SEPS = st.sampled_from([" ", "  ", "\n", "\n\n", ", ", ". ", "\u00a0", " \u2013 "])


@st.composite
def body_and_span(draw):
    """A body of words and a span of whole words in it."""
    pairs = draw(st.lists(st.tuples(WORDS, SEPS), min_size=1, max_size=30))
    body, bounds = "", []
    for word, sep in pairs:
        bounds.append((len(body), len(body) + len(word)))
        body += word + sep
    i = draw(st.integers(0, len(bounds) - 1))
    j = draw(st.integers(i, len(bounds) - 1))
    return body, bounds[i][0], bounds[j][1]


def typed(text: str, plain: list[bool]) -> str:
    """``text`` as someone might type it: some typographic characters made plain, every
    whitespace run made one space."""
    out = [TYPOGRAPHIC[ch] if ch in TYPOGRAPHIC and plain[k % len(plain)] else ch
           for k, ch in enumerate(text)]
    return " ".join("".join(out).split())


@given(st.text())
def test_folding_keeps_the_length_and_is_stable(text: str) -> None:
    assert len(fold(text)) == len(text)
    assert fold(fold(text)) == fold(text)


@given(body_and_span(), st.lists(st.booleans(), min_size=1, max_size=5))
def test_a_typed_quote_of_whole_words_is_found_and_stores_the_drafts_text(case, plain) -> None:
    body, start, end = case
    quote = typed(body[start:end], plain)
    assume(quote)
    spans = quote_spans(body, quote)
    assert (start, end) in spans
    anchor = make_anchor(body, quote, spans.index((start, end)) + 1)
    assert (anchor["start"], anchor["end"]) == (start, end)
    assert anchor["quote"] == body[start:end]  # the draft's characters, not the typed ones


@given(body_and_span(), st.text(st.sampled_from("the'-\" ado\u2019"), min_size=1, max_size=8))
def test_every_match_is_at_word_edges_and_reads_as_the_quote(case, quote) -> None:
    body = case[0]
    for start, end in quote_spans(body, quote):
        assert not _inside_word(body, start) and not _inside_word(body, end)
        assert fold(body[start:end]).split() == fold(quote).split()


@given(st.text(st.characters(whitelist_categories=("Ll", "Lu")), min_size=3, max_size=20),
       st.data())
def test_part_of_a_word_is_never_a_match(word: str, data) -> None:
    import unicodedata

    assume(all(not unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA"))
               for ch in word) and all(ch.isalnum() for ch in word))
    i = data.draw(st.integers(0, len(word) - 1))
    j = data.draw(st.integers(i + 1, len(word)))
    assume((i, j) != (0, len(word)))
    body = f"{word}, {word}."
    assert quote_spans(body, word[i:j]) == [] or word[i:j] == word


@given(body_and_span(), st.data())
def test_a_quote_not_found_names_a_passage_of_the_draft(case, data) -> None:
    body, start, end = case
    quote = body[start:end] + "zq"  # a typo at the end
    try:
        make_anchor(body, quote)
    except QuoteNotFound as exc:
        if exc.closest is not None:
            assert exc.closest in body
            assert " ".join(exc.closest.split()) in (exc.hint or "") or "…" in (exc.hint or "")
    except records.InputError:
        pass


def test_the_examples_of_the_issue() -> None:
    body = "We gathered them: the community\u2019s data \u2014 shared on \u201copen\u201d terms."
    assert quote_spans(body, "the") == [(18, 21)]  # not in "gathered", not in "them"
    anchor = make_anchor(body, "community's data - shared on \"open\" terms")
    assert anchor["quote"] == "community\u2019s data \u2014 shared on \u201copen\u201d terms"
    with pytest.raises(QuoteNotFound) as info:
        make_anchor(body, "comunity's data")
    assert info.value.closest == "community\u2019s data"
    assert quote_spans("数据共享原则", "共享") == [(2, 4)]  # no spaces between words: any edge


# --- through the CLI ------------------------------------------------------------------------

DRAFT = "We gathered them: the community\u2019s data \u2014 shared on \u201copen\u201d\u00a0terms."


@pytest.fixture
def draft(cli, coalition: Coalition) -> Coalition:
    c = coalition
    actions.principle_add(c.agenda, c.who("sec"), "Sharing", DRAFT)
    actions.round_open(c.agenda, c.who("sec"), "r1", title="Round one",
                       closes=now() + timedelta(days=10))
    cli.cwd = c.root
    return c


def add_with_quote(cli, c: Coalition, quote: str, code: int = 0):
    return cli("comment", "add", "-p", "P04", "-s", "amend", "--text", "Why.", "--quote", quote,
               "--key", c.key("health"), "--format", "json", code=code)


def stored_anchor(c: Coalition, path: str) -> dict:
    return records.parse_record(git(c.root, "show", f"HEAD:{path}").encode(), path)["anchor"]


@pytest.mark.parametrize("quote, stored", [
    ("the", "the"),
    ("community's data - shared", "community\u2019s data \u2014 shared"),
    ('"open" terms', "\u201copen\u201d\u00a0terms"),
])
def test_comment_add_matches_quotes_as_typed(cli, draft: Coalition, quote: str,
                                             stored: str) -> None:
    import json

    written = json.loads(add_with_quote(cli, draft, quote).stdout)
    anchor = stored_anchor(draft, written["path"])
    assert anchor["quote"] == stored
    assert DRAFT[anchor["start"]:anchor["end"]] == stored


def test_comment_add_shows_the_closest_passage(cli, draft: Coalition) -> None:
    before = git(draft.root, "rev-parse", "HEAD")
    result = add_with_quote(cli, draft, "comunity's data", code=3)
    error, hint = result.stderr.splitlines()
    assert error == "error: the quote does not occur in the principle at the round's draft"
    assert hint.startswith("hint: the closest passage in the draft is \"community\u2019s data\"")
    assert git(draft.root, "rev-parse", "HEAD") == before
