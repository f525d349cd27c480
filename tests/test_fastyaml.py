"""The fast readers of other clients' YAML never disagree with ruamel's safe loader.

Whatever ``fastyaml.parse_block`` (the restricted line parser) or ``fastyaml.parse_events``
(libyaml's C parser) accepts, ruamel — behind the same limits as before (no anchors,
aliases, tags, duplicate keys; depth) — reads to the same value; whatever those limits
refuse, neither fast path accepts.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coalition_cli import fastyaml, records
from coalition_cli.errors import MalformedData
from coalition_cli.fastyaml import lines, parse_block, parse_events, values

yaml = pytest.importorskip("yaml")
from ruamel.yaml import YAML  # noqa: E402


def ruamel_value(text: str) -> tuple[bool, object]:
    """(accepted, value) by the restricted ruamel path every refusal goes through."""
    try:
        return True, records._ruamel_load(text, "r.yaml")
    except MalformedData:
        return False, None


def agree(text: str) -> None:
    for fast in (parse_block, parse_events):
        value = fast(text)
        if value is None:
            continue
        ok, expected = ruamel_value(text)
        assert ok, f"{fast.__name__} accepted what ruamel refuses: {text!r}"
        assert value == expected and _types(value) == _types(expected), (fast.__name__, text)


def _types(value: object) -> object:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__


# --- records as other clients write them ------------------------------------------------------

_words = st.text(alphabet=st.sampled_from(list("abcXYZ019 .,:;#-_'\"/\\!&*?|>[]{}%@`~é\u00a0\n\t")),
                 max_size=30)
_scalars = st.one_of(_words, st.integers(-10**12, 10**12), st.booleans(), st.none(),
                     st.sampled_from(["yes", "no", "on", "off", "null", "~", "True", "1e3",
                                      "0o17", "0x1F", "1_000", "12:30", "2026-01-01",
                                      "2026-01-01T10:00:00Z", ".inf", "-.5", "+1", "<<", "=",
                                      "3f9c0a1be2d47a55", "1e5x", "0b101", "123abc",
                                      "1234567890123456", "10x5", "9:a"]))
_keys = st.sampled_from(["v", "type", "id", "round", "member", "principle", "stance",
                         "text", "themes", "anchor", "submitted_at", "attribution", "quote"])
_records = st.dictionaries(_keys, st.one_of(
    _scalars, st.lists(_scalars, max_size=4),
    st.dictionaries(st.sampled_from(["quote", "prefix", "suffix", "occurrence"]), _scalars,
                    max_size=4)), min_size=1, max_size=8)


def _ruamel_dump(value: object, flow: bool | None) -> str:
    out = io.StringIO()
    writer = YAML(typ="safe", pure=True)
    writer.default_flow_style = flow
    writer.dump(value, out)
    return out.getvalue()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_records, st.sampled_from(["pyyaml-block", "pyyaml-mixed", "ruamel-block",
                                  "ruamel-mixed", "pyyaml-indented"]))
def test_records_dumped_by_other_clients(value: dict, style: str) -> None:
    if style == "pyyaml-block":
        text = yaml.safe_dump(value, default_flow_style=False, allow_unicode=True, sort_keys=False)
    elif style == "pyyaml-mixed":
        text = yaml.safe_dump(value, default_flow_style=None, allow_unicode=True, sort_keys=False)
    elif style == "pyyaml-indented":
        text = yaml.dump(value, Dumper=yaml.SafeDumper, indent=4, sort_keys=False,
                         allow_unicode=True, default_flow_style=False)
    else:
        text = _ruamel_dump(value, False if style == "ruamel-block" else None)
    agree(text)


@settings(max_examples=400)
@given(st.lists(st.sampled_from([
    "v: 1", "type: comment", "type: 'comment'", 'type: "comment"', "id: abc123",
    "text: We support this principle.", "text: 'It''s fine: really'", 'text: "tab\\tand\\u00e9"',
    "themes: [a, b]", "themes: []", "themes:", "- a", "- 'b'", "  - c", "anchor:",
    "  quote: annual reporting", "  occurrence: 1", "  prefix: ''", "# a comment",
    "", "---", "text: x # trailing", "text: a: b", "text: [a, {b: c}]", "key: &a 1",
    "other: *a", "tagged: !!str 5", "dup: 1", "dup: 2", "empty: ~", "flag: yes",
    "when: 2026-01-01", "x:y", "text: |", "  block text", "  indented: too", "    deeper: 1",
    "text: \"open", "anchor: {quote: q, occurrence: 2}", "%YAML 1.1", "num: 0o17",
    "themes:\t[a]", "id: 3f9c0a1be2d47a55", "id: 1234e5", "neg: -3", "zero: 0", "lead: 007", "text: \"\\x41\\U0001F600\"",
]), min_size=1, max_size=12))
@example(["themes:", "- a", "- b", "id: x"])
@example(["anchor:", "  quote: q", "  occurrence: 1", "id: x"])
def test_hand_written_lines(lines: list[str]) -> None:
    agree("\n".join(lines) + "\n")


@settings(max_examples=300)
@given(_records, st.data())
def test_damaged_documents(value: dict, data: st.DataObject) -> None:
    text = yaml.safe_dump(value, default_flow_style=False, allow_unicode=True, sort_keys=False)
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    insert = data.draw(st.sampled_from(["", " ", "  ", ":", "- ", "'", '"', "#", "\n", "[",
                                        "{", "&x ", "*x", "!", ",", "\n  ", "\n- "]))
    agree(text[:at] + insert + text[at + cut:])


@pytest.mark.parametrize("text, refused", [
    ("a: &x 1\nb: *x\n", "anchors and aliases"),
    ("a: !!python/object:os.system 1\n", "tag"),
    ("a: 1\na: 2\n", "duplicate"),
    ("a: " + "[" * 40 + "]" * 40 + "\n", "nested deeper"),
])
def test_what_the_limits_refuse_no_fast_path_accepts(text: str, refused: str) -> None:
    assert parse_block(text) is None and parse_events(text) is None
    with pytest.raises(MalformedData, match=refused):
        records.parse_record(text.encode(), "r.yaml")


def test_an_ordinary_record_from_another_client_takes_the_fast_path() -> None:
    text = ("v: 1\ntype: comment\nid: 3f9c0a1be2d47a55\nround: r1\nmember: health\n"
            "principle: P01\nstance: support\nkind: general\nattribution: public\n"
            "themes: [reporting, trust]\nanchor:\n  quote: annual public reporting\n"
            "  occurrence: 1\ntext: 'We ask for quarterly reports: they keep us informed.'\n"
            "submitted_at: '2026-11-25T14:00:00Z'\n")
    fields = parse_block(text)
    assert fields is not None and fields == ruamel_value(text)[1]
    assert fields["anchor"] == {"quote": "annual public reporting", "occurrence": 1}
    assert records.parse_record(text.encode(), "r.yaml") == fields


def test_one_ruamel_loader_per_process() -> None:
    records._ruamel_load("a: 1\n", "a.yaml")
    first = records._ruamel()
    records._ruamel_load("b: 2\n", "b.yaml")
    assert records._ruamel() is first


# --- quoted scalars over several lines (PyYAML and ruamel fold long or multi-line text so) ---

_texts = st.text(alphabet=st.sampled_from(list("ab é'\"\\:#-\n")), max_size=40)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["text", "quote", "prefix", "suffix"]), _texts,
                       min_size=1, max_size=4),
       st.sampled_from(["pyyaml", "pyyaml-narrow", "ruamel", "nested"]))
def test_quoted_text_over_several_lines(value: dict, style: str) -> None:
    record = {"v": 1, "id": "3f9c0a1be2d47a55", **value}
    if style == "nested":
        record = {"v": 1, "anchor": value, "id": "x"}
    if style.startswith("pyyaml"):
        text = yaml.safe_dump(record, default_flow_style=False, allow_unicode=True,
                              sort_keys=False, width=12 if style.endswith("narrow") else 80)
    elif style == "ruamel":
        text = _ruamel_dump(record, False)
    else:
        text = yaml.safe_dump(record, default_flow_style=False, allow_unicode=True,
                              sort_keys=False)
    agree(text)


@pytest.mark.parametrize("text, expected", [
    ("text: 'one\n  two'\n", "one two"),
    ("text: 'one   \n    two  \n\n  three'\n", "one two\nthree"),
    ("text: 'a\n\n\n  b'\nid: x\n", "a\n\nb"),
    ('text: "a \\\n  b"\n', "a b"),
    ('text: "a\\\n\n  b"\n', "a\nb"),
    ('text: "tab\\t\n  x\\u00e9"\n', "tab\t xé"),
    ("text: 'it''s\n  # not a comment'\n", "it's # not a comment"),
])
def test_folded_quoted_scalars_read_as_ruamel_reads_them(text: str, expected: str) -> None:
    assert parse_block(text)["text"] == expected == ruamel_value(text)[1]["text"]


@pytest.mark.parametrize("text", [
    "text: 'one\ntwo'\n",           # a continuation line not indented past its key
    "anchor:\n  quote: 'one\n  two'\n",
    "text: 'never closed\n  still open\n",
    "text: 'a\n---\n  b'\n",
    "text: [a, 'b\n  c']\n",        # a flow collection over several lines
])
def test_doubtful_continuations_are_left_to_the_full_parsers(text: str) -> None:
    assert parse_block(text) is None
    agree(text)


def test_records_as_the_benchmarks_other_client_writes_them_take_the_line_parser(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record shape bench.py's other client writes (multi-line quoted anchors and texts
    included) is read by parse_block, not left to libyaml or ruamel, and read right."""
    import random
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import bench

    rng, real = random.Random(3), ["Dear USDA,\nPlease reinstate it.\n\nRe: the rule", "x: y"]
    for k in range(200):
        fields = {"v": 1, "type": "comment", "id": f"{rng.getrandbits(64):016x}", "round": "r1",
                  "principle": "P01", "member": "m001", "stance": "amend", "kind": "general",
                  "attribution": "public", "themes": [],
                  "anchor": {"quote": "q", "prefix": "ab\n\ncd ", "suffix": " e\n", "start": 0,
                             "end": 1} if k % 2 else None,
                  "text": bench.comment_text(rng, real), "submitted_at": "2026-11-12T18:49:36Z"}
        text = bench.other_client(fields).decode()
        value = parse_block(text)
        assert value is not None, text
        assert value == ruamel_value(text)[1]
        # and by its regular expressions (the line-by-line reader only below an entry)
        assert (lines._mapping(text, 1) if "\n " in text else lines._flat(text)) == value


# --- the regular expressions against the line-by-line reader ---------------------------------


def _by_lines(text: str) -> object:
    try:
        return lines._block(text.split("\n")[:-1])
    except (lines._NotMine, IndexError, ValueError):
        return "not mine"


def _by_entries(text: str) -> object:
    try:
        return lines._mapping(text, 1) if "\n " in text else lines._flat(text)
    except (lines._NotMine, IndexError, ValueError):
        return "not mine"


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(_records, st.sampled_from(["pyyaml", "pyyaml-narrow", "ruamel"]), st.data())
def test_entries_found_by_expression_read_as_line_by_line(value: dict, style: str,
                                                          data: st.DataObject) -> None:
    """What the entry expressions read (``_flat``, ``_mapping`` and the nested mappings it
    moves back to the start) is what ``_block`` reads line by line, on whole and damaged
    records alike; an entry they decline (None) goes to ``_block``, so is never lost."""
    if style == "ruamel":
        text = _ruamel_dump(value, False)
    else:
        text = yaml.safe_dump(value, default_flow_style=False, allow_unicode=True,
                              sort_keys=False, width=12 if style.endswith("narrow") else 80)
    if data.draw(st.booleans()):
        at = data.draw(st.integers(0, len(text)))
        insert = data.draw(st.sampled_from(["\n", " ", "\n  ", "\n- ", "#", ":", "'"]))
        text = text[:at] + insert + text[at:]
    if fastyaml.lines._unusual(text) or not text.endswith("\n"):
        return
    found = _by_entries(text)
    if found is not None and found != "not mine":
        assert found == _by_lines(text), text
        assert _types(found) == _types(_by_lines(text))
    agree(text)


@given(st.text(alphabet=st.one_of(st.characters(max_codepoint=0x7f),
                                  st.sampled_from("\x85\xa0\u2028\u2029\ufeff\ufffe\uffffé\ud800")),
               max_size=40))
def test_the_ascii_check_finds_what_the_expression_finds(text: str) -> None:
    assert lines._unusual(text) == bool(values._UNUSUAL.search(text))


def test_a_directive_in_one_document_does_not_change_how_the_next_is_read() -> None:
    """ruamel keeps a document's ``%YAML 1.1`` on its loader: with one loader for every
    record, one member's record would make ``yes`` a boolean in the records read after it
    (and refuse ``0?`` in a flow mapping) — other members' records read differently."""
    assert records._ruamel_load("%YAML 1.1\n---\nflag: yes\n", "a.yaml") == {"flag": True}
    assert records._ruamel_load("flag: yes\n", "b.yaml") == {"flag": "yes"}
    assert records._ruamel_load("{v: 0?}\n", "c.yaml") == {"v": "0?"}
    assert records.load_yaml_bytes(b"flag: yes\nv: [on, 0?]\n", "d.yaml") == \
        {"flag": "yes", "v": ["on", "0?"]}


def test_the_start_of_a_plain_text_is_the_class_it_stands_for() -> None:
    """``_PLAIN_START`` is written as the characters it excludes: over every code point, it
    matches exactly A-Z, a-z, ``_``, ``/``, ``(`` and U+00A0 and up."""
    import re

    meant = re.compile(r"[A-Za-z_/(\u00a0-\U0010ffff]")
    assert [c for c in range(0x110000)
            if bool(values._PLAIN_START.match(chr(c))) != bool(meant.match(chr(c)))] == []


@given(st.text(alphabet=st.one_of(st.characters(max_codepoint=0x7f),
                                  st.sampled_from("\x85\x9f\xa0é\u2028\ud800")), max_size=40))
def test_a_field_found_printable_by_its_bytes_has_nothing_the_expression_refuses(text: str) -> None:
    """``Fields.str`` skips the control-character expression for ASCII text whose bytes are
    all printable (or tab, newline): exactly the ASCII texts the expression finds nothing in."""
    from coalition_cli.field_rules import printable_ascii, unprintable

    if printable_ascii(text):
        assert not unprintable().search(text)
    elif text.isascii():
        assert unprintable().search(text)

