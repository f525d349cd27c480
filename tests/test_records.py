"""Record files: the canonical form is YAML, user text round-trips, hostile YAML is refused."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from coalition_cli import records
from coalition_cli.errors import InputError, MalformedData
from coalition_cli.records import (
    MAX_RECORD_BYTES,
    clean_text,
    dump_record,
    load_yaml_bytes,
    parse_record,
    split_front_matter,
)

PATH = "agenda/rounds/r1/comments/health/abc.yaml"
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Field names as the tool writes them: plain identifiers. The YAML 1.2 words that
# a YAML reader turns into null or booleans are not field names.
_YAML_WORDS = {"null", "true", "false"}
keys = st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True).filter(lambda k: k not in _YAML_WORDS)
# Every Unicode scalar value (no lone surrogates: they are not text that UTF-8 can hold),
# control characters, U+2028, U+0085, U+FEFF and the non-characters included.
texts = st.text(st.characters(codec="utf-8"), max_size=60)
scalars = texts | st.integers()
values = (scalars | st.lists(scalars, max_size=5)
          | st.dictionaries(keys, scalars | st.lists(scalars, max_size=3), max_size=4))
fields_dicts = st.dictionaries(keys, values, min_size=1, max_size=8)


def yaml_load(data: bytes):
    return YAML(typ="safe", pure=True).load(data.decode("utf-8"))


# --- the canonical form ----------------------------------------------------------------


@settings(FUZZ, max_examples=150)
@given(fields_dicts)
@example({"text": "DEL \x7f and non-characters \ufffe \uffff"})
@example({"text": "line\u2028separator\x85next\ufeffbom", "themes": ["a\u2029b"]})
@example({"v": 1, "anchor": {"quote": "q", "start": 0, "end": -12345678901234567890}})
def test_dump_record_reads_back_identically_as_a_record_and_as_yaml(fields):
    data = dump_record(fields)
    assert data.endswith(b"\n") and b"\r" not in data
    assert parse_record(data, PATH) == fields
    # Any YAML reader gets the same values: the canonical form really is YAML.
    assert yaml_load(data) == fields
    # Canonical: dumping what was read gives the very same bytes (signatures stay valid).
    assert dump_record(parse_record(data, PATH)) == data


def test_dump_record_is_one_line_per_field_in_the_given_order():
    data = dump_record({"v": 1, "type": "comment", "skipped": None, "text": "a\nb",
                        "themes": ["x", "y"]})
    assert data == b'v: 1\ntype: "comment"\ntext: "a\\nb"\nthemes: ["x", "y"]\n'


# --- user text -----------------------------------------------------------------------------


@FUZZ
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=80), st.booleans())
@example("\udcff", True)  # what Python makes of a non-UTF-8 byte in argv
@example("a\r\nb", True)
@example("tab\there", False)
def test_clean_text_refuses_or_round_trips_byte_for_byte(value, multiline):
    try:
        out = clean_text(value, "the text", multiline=multiline)
    except InputError:
        return
    assert out is not None
    # Only Windows line ends are changed; nothing else (no normalisation, no stripping).
    assert out == value.replace("\r\n", "\n")
    if "\r" not in value:
        assert out.encode("utf-8") == value.encode("utf-8")
    # And it survives a record byte for byte.
    data = dump_record({"text": out})
    assert parse_record(data, PATH)["text"].encode("utf-8") == out.encode("utf-8")
    assert yaml_load(data)["text"] == out


@pytest.mark.parametrize("value, problem", [
    ("bell\x07", "U+0007"), ("del\x7f", "U+007F"), ("c1\x9b", "U+009B"), ("lone\ud800", "UTF-8"),
    ("replacement\ufffd", "UTF-8"), ("x" * 21, "limit"), ("   \n ", "empty"),
])
def test_clean_text_refusals_name_the_problem(value, problem):
    with pytest.raises(InputError) as info:
        clean_text(value, "the text", limit=20, required=True)
    assert problem in info.value.message
    assert info.value.message.startswith("the text ")


def test_clean_text_single_line_refuses_line_breaks():
    with pytest.raises(InputError, match=r"U\+000A"):
        clean_text("two\nlines", "--title", multiline=False)
    assert clean_text("one line", "--title", multiline=False) == "one line"


# --- any bytes at all ----------------------------------------------------------------------

YAML_PIECES = list("ab0129: -[]{}&*!|>'\"#%@`?,.~\\\n\t") + [
    "\n  ", "2001-13-45", "2001-02-28 25:00:00", "!!python/object:x", "<<: ", "? ", "---\n", "\udc80"]
YAMLISH = st.lists(st.sampled_from(YAML_PIECES), max_size=40).map(
    lambda parts: "".join(parts).encode("utf-8", "surrogateescape"))


@FUZZ
@given(st.binary(max_size=300) | YAMLISH)
@example(b"a: 2001-13-45\n")  # a timestamp YAML resolves but no calendar has
@example(b"a: 2001-02-28 25:00:00\n")
@example(b"\xef\xbb\xbfa: 1\n")
@example(b"a: 1\r\nb: 2\r\n")
def test_parse_record_on_any_bytes_raises_only_malformed_data(data):
    try:
        fields = parse_record(data, PATH)
    except MalformedData as exc:
        assert exc.path == PATH
        assert str(exc).startswith(PATH)
    except InputError:
        pass
    else:
        assert isinstance(fields, dict)


@pytest.mark.parametrize("text", ["a: 2001-13-45\n", "b: 1\na: 2001-02-30\n",
                                  "a: 2026-02-28 25:00:00\n"])
def test_impossible_dates_in_hand_written_yaml_are_malformed_data(text):
    with pytest.raises(MalformedData) as info:
        parse_record(text.encode(), PATH)
    assert info.value.path == PATH


# --- limits: hostile YAML ------------------------------------------------------------------

BILLION_LAUGHS = (
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
)
DEEP_BLOCK = "".join(f"{'  ' * i}k{i}:\n" for i in range(40)) + "  " * 40 + "end: 1\n"


@pytest.mark.parametrize("data, line, detail", [
    pytest.param(BILLION_LAUGHS.encode(), 1, "anchors and aliases", id="alias-bomb"),
    pytest.param(b"v: 1\nx: *undefined\n", 2, "anchors and aliases", id="bare-alias"),
    pytest.param(b"a: " + b"[" * 40 + b"]" * 40 + b"\n", 1, "nested deeper", id="deep-flow"),
    pytest.param(DEEP_BLOCK.encode(), 33, "nested deeper", id="deep-block"),
    pytest.param(b"v: 1\na: " + b"[" * 5_000 + b"]" * 5_000 + b"\n", 2, "nested deeper",
                 id="deep-canonical-json"),
    pytest.param(b"v: 1\nname: a\nname: b\n", 3, "duplicate key", id="duplicate-key"),
    pytest.param(b'v: 1\ntype: "x"\nv: 1\n', 3, "duplicate key", id="duplicate-key-canonical"),
    pytest.param(b"v: 1\nx: !!python/object/apply:os.system [\"touch pwned\"]\n", 2, "tag",
                 id="python-object-apply"),
    pytest.param(b"!!python/object:collections.OrderedDict\nv: 1\n", 1, "tag", id="python-object"),
    pytest.param(b"v: 1\nx: !custom 3\n", 2, "tag", id="local-tag"),
    pytest.param(b"v: 1\nx: !!binary aGVsbG8=\n", 2, "tag", id="binary-tag"),
    pytest.param(b"v: 1\nname: \"caf\xe9\"\n", 2, "UTF-8", id="latin-1"),
    pytest.param(b"v: 1\n\nx: \xff\xfe\n", 3, "UTF-8", id="invalid-utf8"),
    pytest.param(b"v: 1\nx: [1, 2\n", 3, "invalid YAML", id="unclosed-flow"),
    pytest.param(b"--- a\n--- b\n", 2, "invalid YAML", id="two-documents"),
])
def test_hostile_yaml_is_refused_naming_the_file_and_line(data, line, detail):
    with pytest.raises(MalformedData) as info:
        parse_record(data, PATH)
    exc = info.value
    assert exc.path == PATH
    assert exc.line == line, str(exc)
    assert str(exc).startswith(f"{PATH}:{line}: ")
    assert detail in exc.detail


def test_nesting_up_to_the_limit_is_fine():
    ok = b"a: " + b"[" * (records.MAX_DEPTH - 1) + b"]" * (records.MAX_DEPTH - 1) + b"\n"
    assert parse_record(ok, PATH)["a"] is not None


def test_huge_scalars_over_the_size_limit_are_refused_before_parsing():
    huge = b'v: 1\ntext: "' + b"x" * MAX_RECORD_BYTES + b'"\n'
    for read in (parse_record, load_yaml_bytes):
        with pytest.raises(MalformedData) as info:
            read(huge, PATH)
        assert info.value.path == PATH
        assert "limit" in info.value.detail
    # Just under the limit it reads.
    fits = b'text: "' + b"x" * (MAX_RECORD_BYTES - 20) + b'"\n'
    assert len(parse_record(fits, PATH)["text"]) == MAX_RECORD_BYTES - 20
    with pytest.raises(MalformedData, match="too large"):
        split_front_matter(b"---\nid: P01\n---\n" + b"x" * (records.MAX_BODY * 4 + 4096), "p.md")


def test_a_record_must_be_a_mapping():
    for data in (b"- 1\n- 2\n", b"just text\n", b"\n", b""):
        with pytest.raises(MalformedData) as info:
            parse_record(data, PATH)
        assert info.value.path == PATH


def test_parsed_values_are_data_never_objects():
    fields = parse_record(b"v: 1\nlist: [a, 1, {b: c}]\nn: ~\n", PATH)
    assert fields == {"v": 1, "list": ["a", 1, {"b": "c"}], "n": None}


# --- principle front matter ----------------------------------------------------------------


def test_front_matter_round_trips():
    data = records.dump_principle({"id": "P01", "title": "Ünïcode: \"quoted\"", "status": "active"},
                                  "Body line one.\n\nSecond paragraph.\n")
    fields, body = split_front_matter(data, "agenda/principles/P01-x.md")
    assert fields == {"id": "P01", "title": "Ünïcode: \"quoted\"", "status": "active"}
    assert body == "Body line one.\n\nSecond paragraph."


@pytest.mark.parametrize("data, line", [
    pytest.param(b"---\nid: P02\ntitle: x: y\nstatus: active\n---\nbody\n", 3, id="bad-line-3"),
    pytest.param(b"---\nid: P02\ntitle: t\nstatus: active\nid: P03\n---\nbody\n", 5, id="dup-key"),
    pytest.param(b'---\nid: "P02"\ntitle: "t"\ntitle: "u"\n---\nbody\n', 4, id="dup-canonical"),
    pytest.param(b"---\nid: P02\ntitle: !!python/object:os.system x\n---\n", 3, id="tag"),
    pytest.param(b"no front matter\n", 1, id="missing"),
    pytest.param(b"---\nid: P02\n", 1, id="unclosed"),
    pytest.param(b"---\nid: P02\ntitle: \xff\n---\n", 3, id="utf8"),
])
def test_front_matter_errors_name_the_line_of_the_file(data, line):
    path = "agenda/principles/P02-x.md"
    with pytest.raises(MalformedData) as info:
        split_front_matter(data, path)
    assert info.value.path == path
    assert info.value.line == line, str(info.value)
    assert re.match(rf"{re.escape(path)}:{line}: ", str(info.value))


# --- record_values: the checked fields, and the values that repeat --------------------------


def _comment(**over):
    fields = {"v": 1, "type": "comment", "id": "a1b2c3d4e5f60718", "round": "r1",
              "principle": "P01", "member": "m001", "stance": "support", "kind": "general",
              "attribution": "public", "themes": [], "text": "We agree.",
              "submitted_at": "2026-11-20T10:00:00Z"}
    fields.update(over)
    return {k: v for k, v in fields.items() if v is not None}


def test_a_repeated_value_is_checked_by_its_own_rule_and_a_bad_one_after_a_good_one_fails():
    from coalition_cli.model import record_values

    assert record_values(_comment(), "a.yaml")["member"] == "m001"
    assert record_values(_comment(), "a.yaml")["member"] == "m001"  # passed before: kept
    for bad, detail in [({"member": "M 1"}, "field 'member' has an invalid value"),
                        ({"kind": "urgent"}, "field 'kind' must be one of"),
                        ({"round": "r1\x1b"}, "control character"),
                        ({"member": ["m001"]}, "field 'member' must be text")]:
        with pytest.raises(MalformedData, match=re.escape(detail)):
            record_values(_comment(**bad), "a.yaml")


def test_a_stance_one_config_allows_is_not_let_through_for_another():
    """verify reads any stance (the config decides later); a writer checks the config's: a
    stance that passed for the first must still fail for the second."""
    from coalition_cli.model import DEFAULT_STANCES, record_values

    assert record_values(_comment(stance="veto"), "a.yaml", None)["stance"] == "veto"
    with pytest.raises(MalformedData, match="field 'stance' must be one of"):
        record_values(_comment(stance="veto"), "a.yaml", DEFAULT_STANCES)
    assert record_values(_comment(stance="veto"), "a.yaml", ("veto", "support"))["stance"] == "veto"


def test_verify_keeps_of_a_record_what_record_from_fields_makes_of_it():
    """A verified record's payload is its checked values in field order, with each missing
    field's default: ``record_of`` of it is the record ``record_from_fields`` makes."""
    from coalition_cli import verify
    from coalition_cli.model import record_from_fields

    cases = [_comment(), _comment(attribution="anonymous", themes=["consent"], author="Ana",
                                  anchor={"quote": "q", "start": 0, "end": 1}),
             {"v": 1, "type": "endorsement", "id": "b1b2c3d4e5f60718", "round": "r1",
              "member": "m002", "endorses": "a1b2c3d4e5f60718",
              "submitted_at": "2026-11-20T10:00:00Z"}]
    for fields in cases:
        data = records.dump_record(fields)
        path = f"agenda/rounds/r1/comments/{fields['member']}/{fields['id']}.yaml"
        _signer, _problem, _digest, payload, problem = verify._judged(
            path, data, ("ssh-ed25519 AAAA", "", "d"), frozenset({"ssh-ed25519 AAAA"}))
        assert problem == ""
        assert verify.record_of(payload) == record_from_fields(fields, path, None)


# any code point, lone surrogates included, drawn often from the few the writer escapes
_escaped = st.sampled_from(["\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\ufeff", "\ufffe",
                            "\uffff", "\ud800", "\udfff", "é", "a", "\t", "\n"])
_anything = st.text(st.characters(codec=None, categories=None) | _escaped, max_size=40)


@given(value=_anything | st.lists(_anything, max_size=3))
def test_a_value_is_escaped_exactly_where_the_expression_finds_a_character(value) -> None:  # noqa: ANN001
    """The ASCII shortcut of the writer (no expression compiled for an ASCII value with no
    DEL in it) gives what the expression gives for every value; and a text holds a lone
    surrogate exactly when the expression of every surrogate finds one."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    whole = re.sub("[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]",
                   lambda m: f"\\u{ord(m.group()):04x}", text)
    assert records._json(value) == whole
    for item in value if isinstance(value, list) else [value]:
        assert records._has_surrogate(item) == bool(re.search("[\ud800-\udfff]", item))
