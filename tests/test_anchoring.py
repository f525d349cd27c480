"""Tests of quote anchors and their fate in later versions (coalition_cli.anchoring)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coalition_cli.anchoring import (AmbiguousQuote, QuoteNotFound, _inside_word, make_anchor,
                                     occurrences, quote_spans, reanchor)
from coalition_cli.errors import InputError

BODY = (
    "Members share funding data with every partner organisation.\n\n"
    "Members meet quarterly to review progress. The board publishes minutes\n"
    "within two weeks of each meeting. Votes are recorded by name.\n\n"
    "Partners are consulted early, in plain language, and in their own language."
)
QUOTE = "The board publishes minutes within two weeks"


def assert_valid(body: str, anchor: dict) -> None:
    start, end = anchor["start"], anchor["end"]
    assert body[start:end] == anchor["quote"]
    assert anchor["prefix"] == body[max(0, start - 32) : start]
    assert anchor["suffix"] == body[end : end + 32]


# ---------------------------------------------------------------- make_anchor


def test_make_anchor_matches_a_hard_wrapped_passage_quoted_on_one_line():
    anchor = make_anchor(BODY, QUOTE)
    assert anchor["quote"] == "The board publishes minutes\nwithin two weeks"
    assert_valid(BODY, anchor)
    assert len(anchor["prefix"]) == 32 and anchor["prefix"].endswith("review progress. ")


def test_whitespace_insensitive_but_not_letter_insensitive():
    assert occurrences(BODY, "publishes   minutes \n within") == [BODY.index("publishes")]
    assert occurrences(BODY, "publishesminutes") == []
    with pytest.raises(QuoteNotFound, match="does not occur in the principle at the round's draft"):
        make_anchor(BODY, "The board publishes agendas")


def test_ambiguous_quote_lists_occurrences_and_occurrence_chooses():
    body = "Members share data. Partners share data too.\n\nEveryone will share data."
    with pytest.raises(AmbiguousQuote) as info:
        make_anchor(body, "share data")
    err = info.value
    assert err.occurrences == [8, 29, 60]
    assert len(err.contexts) == 3 and "[share data]" in err.contexts[1]
    assert "3 times" in err.message and "--occurrence N" in (err.hint or "")
    assert isinstance(err, InputError) and err.exit_code == 3
    assert make_anchor(body, "share data", occurrence=2)["start"] == 29
    with pytest.raises(InputError, match="out of range"):
        make_anchor(body, "share data", occurrence=4)
    with pytest.raises(InputError, match="out of range"):
        make_anchor(body, "share data", occurrence=0)


@pytest.mark.parametrize("quote", ["", "   ", "\n\t"])
def test_empty_quote_is_refused(quote):
    with pytest.raises(InputError):
        make_anchor(BODY, quote)


# ---------------------------------------------------------------- reanchor


def test_paragraph_inserted_above_keeps_the_anchor_with_shifted_offsets():
    anchor = make_anchor(BODY, QUOTE)
    added = "A new opening paragraph about the purpose of the coalition.\n\n"
    fate, new = reanchor(BODY, added + BODY, anchor)
    assert fate == "anchored"
    assert new["quote"] == anchor["quote"]
    assert (new["start"], new["end"]) == (anchor["start"] + len(added), anchor["end"] + len(added))
    assert_valid(added + BODY, new)


def test_rewrapped_and_edited_around_the_quote_stays_anchored():
    anchor = make_anchor(BODY, QUOTE)
    new_body = BODY.replace("Members meet quarterly", "Members meet every month").replace(
        "minutes\nwithin", "minutes within"
    )
    fate, new = reanchor(BODY, new_body, anchor)
    assert fate == "anchored"
    assert new["quote"] == "The board publishes minutes within two weeks"
    assert_valid(new_body, new)


def test_edited_quote_is_modified():
    anchor = make_anchor(BODY, QUOTE)
    new_body = BODY.replace("within two weeks", "within ten working days")
    fate, new = reanchor(BODY, new_body, anchor)
    assert fate == "modified"
    assert new["quote"] == "The board publishes minutes\nwithin ten working days"
    assert_valid(new_body, new)


def test_deleted_passage_is_orphaned():
    anchor = make_anchor(BODY, QUOTE)
    new_body = BODY.replace(
        " The board publishes minutes\nwithin two weeks of each meeting.", ""
    )
    assert reanchor(BODY, new_body, anchor) == ("orphaned", None)
    paragraph_gone = BODY.split("\n\n")
    new_body = "\n\n".join([paragraph_gone[0], paragraph_gone[2]])
    assert reanchor(BODY, new_body, anchor) == ("orphaned", None)


def test_quote_whose_words_were_all_replaced_is_orphaned_not_modified():
    anchor = make_anchor(BODY, "publishes minutes within two weeks")
    new_body = BODY.replace("publishes minutes\nwithin two weeks", "posts an audio recording")
    assert reanchor(BODY, new_body, anchor) == ("orphaned", None)


def test_quote_moved_to_another_paragraph_is_relocated():
    anchor = make_anchor(BODY, QUOTE)
    paras = BODY.split("\n\n")
    sentence = "The board publishes minutes\nwithin two weeks of each meeting."
    new_body = "\n\n".join(
        [paras[0], paras[1].replace(" " + sentence, ""), paras[2] + " " + sentence.replace("\n", " ")]
    )
    fate, new = reanchor(BODY, new_body, anchor)
    assert fate == "relocated"
    assert new["quote"] == QUOTE
    assert new["start"] > new_body.index("Partners are consulted")
    assert_valid(new_body, new)


def test_verbatim_paragraph_move_is_relocated_exactly():
    anchor = make_anchor(BODY, QUOTE)
    paras = BODY.split("\n\n")
    new_body = "\n\n".join([paras[0], paras[2], paras[1]])
    fate, new = reanchor(BODY, new_body, anchor)
    assert fate == "relocated"
    assert new["quote"] == anchor["quote"]
    assert new["start"] == new_body.index("The board publishes")
    assert_valid(new_body, new)


LONG = (
    "Opening words of the principle set the scene for everything that follows.\n\n"
    "Every member organisation keeps written records of its decisions, and the board "
    "publishes minutes within two weeks of each meeting so that partners can follow "
    "what was decided and why it was decided.\n\n"
    "Closing words thank the partners for their patience and their many good ideas."
)
LONG_QUOTE = "the board publishes minutes within two weeks of each meeting"


def test_moved_paragraph_with_a_small_edit_in_the_quote_is_relocated_by_its_context():
    anchor = make_anchor(LONG, LONG_QUOTE)
    first, middle, last = LONG.split("\n\n")
    new_body = "\n\n".join([first, last, middle.replace("two weeks", "three weeks")])
    fate, new = reanchor(LONG, new_body, anchor)
    assert fate == "relocated"
    assert new["quote"] == "the board publishes minutes within three weeks of each meeting"
    assert_valid(new_body, new)


def test_a_merely_similar_sentence_elsewhere_is_not_a_relocation():
    anchor = make_anchor(LONG, LONG_QUOTE)
    first, middle, last = LONG.split("\n\n")
    cut = middle.replace(" and the board publishes minutes within two weeks of each meeting so", " so")
    added = last + " In future the board publishes agendas within two weeks of each meeting as well."
    assert reanchor(LONG, "\n\n".join([first, cut, added]), anchor) == ("orphaned", None)


def test_two_equally_good_new_places_leave_the_comment_orphaned():
    anchor = make_anchor(LONG, LONG_QUOTE)
    first, middle, last = LONG.split("\n\n")
    copies = [middle.replace("Every member", "Each member"), middle.replace("why it was", "why it had been")]
    new_body = "\n\n".join([first, last, *copies])
    assert reanchor(LONG, new_body, anchor) == ("orphaned", None)


TWINS = (
    "Intro paragraph of the principle.\n\n"
    "Members publish an annual report on funding to all partners.\n\n"
    "Members publish an annual report on funding to all funders."
)


def other_paragraph_span(body: str) -> tuple[int, int]:
    start = body.index("to all funders") - 60
    return start, len(body)


@pytest.mark.parametrize(
    "rewrite, allowed",
    [
        ("Members send a short yearly summary to partners.", {"orphaned"}),
        ("Members publish a detailed annual report on funding to all partners.", {"modified"}),
        ("Partners receive nothing.", {"orphaned"}),
    ],
)
def test_rewritten_quote_never_jumps_to_the_lookalike_paragraph(rewrite, allowed):
    anchor = make_anchor(TWINS, "publish an annual report on funding to all", occurrence=1)
    assert anchor["start"] < TWINS.index("partners.")
    new_body = TWINS.replace("Members publish an annual report on funding to all partners.", rewrite)
    fate, new = reanchor(TWINS, new_body, anchor)
    assert fate in allowed
    if new is not None:
        assert new["end"] <= new_body.index("Members publish an annual report on funding to all funders")
        assert_valid(new_body, new)


def test_lookalike_with_the_exact_quote_is_not_a_relocation():
    anchor = make_anchor(TWINS, "an annual report on funding", occurrence=1)
    new_body = TWINS.replace("Members publish an annual report on funding to all partners.", "Gone.")
    assert reanchor(TWINS, new_body, anchor) == ("orphaned", None)


def test_bad_anchor_is_refused():
    anchor = make_anchor(BODY, QUOTE)
    with pytest.raises(InputError):
        reanchor(BODY.replace("board", "Board"), BODY, anchor)
    with pytest.raises(InputError):
        reanchor(BODY, BODY, {"quote": "x"})


# ---------------------------------------------------------------- properties

ALPHABET = st.sampled_from(
    list("abcde xyz.,;") + ["\n", "\n\n", "- ", "# ", "é", "e\u0301", "ᐃᓄᒃ", "مرح", "👍🏽", "\t", "\r\n", "  "]
)
bodies = st.one_of(
    st.lists(ALPHABET, min_size=1, max_size=120).map("".join),
    st.text(min_size=1, max_size=150),
)


@st.composite
def body_and_anchor(draw):
    body = draw(bodies)
    i = draw(st.integers(0, len(body) - 1))
    j = draw(st.integers(i + 1, len(body)))
    quote = body[i:j]
    assume(quote.strip())
    start = i + len(quote) - len(quote.lstrip())
    end = j - (len(quote) - len(quote.rstrip()))
    assume(not _inside_word(body, start) and not _inside_word(body, end))  # whole words only
    starts = [s for s, _ in quote_spans(body, quote)]
    assert start in starts
    return body, quote, starts.index(start) + 1, start, end


@settings(max_examples=300, deadline=None)
@given(body_and_anchor())
def test_make_anchor_round_trips_and_same_body_keeps_it(case):
    body, quote, occurrence, start, end = case
    anchor = make_anchor(body, quote, occurrence=occurrence)
    assert (anchor["start"], anchor["end"]) == (start, end)
    assert anchor["quote"] == quote.strip() == body[start:end]
    assert_valid(body, anchor)
    assert reanchor(body, body, anchor) == ("anchored", anchor)


@settings(max_examples=150, deadline=None)
@given(body_and_anchor())
def test_text_inserted_above_shifts_the_anchor(case):
    body, quote, occurrence, start, end = case
    anchor = make_anchor(body, quote, occurrence=occurrence)
    added = "Zqj wholly new preface paragraph.\n\n"
    fate, new = reanchor(body, added + body, anchor)
    assert fate == "anchored"
    assert (new["start"], new["end"]) == (start + len(added), end + len(added))
