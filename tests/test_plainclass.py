"""``plainclass.dataclass`` behaves as ``dataclasses.dataclass`` for what this package uses:
construction (positional, keyword, defaults, factories, ``__post_init__``, the errors),
repr, equality, hashing, frozenness, pickling, and ``dataclasses``' own functions — and
the write path's classes are made by it without importing ``dataclasses``."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coalition_cli import plainclass


def _pair(frozen: bool):  # noqa: ANN202
    """The same class body made both ways."""
    made = []
    for deco, fld in ((dataclasses.dataclass, dataclasses.field),
                      (plainclass.dataclass, plainclass.field)):
        class Thing:
            a: str
            b: int = 0
            c: tuple = ()
            d: list = fld(default_factory=list)
            e: str = fld(default="x", compare=False)
            f: bytes = fld(default=b"", repr=False)

        Thing.__qualname__ = "Thing"
        made.append(deco(frozen=frozen)(Thing))
    return made


def _hash(obj: object) -> object:
    try:
        return hash(obj)
    except TypeError as exc:  # a list field: unhashable both ways
        return str(exc)


@pytest.mark.parametrize("frozen", [True, False])
def test_the_methods_match_dataclasses(frozen: bool) -> None:
    real, plain = _pair(frozen)
    for args, kwargs in [(("p",), {}), (("p", 2), {"e": "y"}), ((), {"a": "q", "d": [1]}),
                         (("p", 1, (2,), [3], "z", b"k"), {})]:
        r, p = real(*args, **kwargs), plain(*args, **kwargs)
        assert repr(r) == repr(p)
        assert vars(r) == vars(p) and list(vars(r)) == list(vars(p))  # same order too
        assert dataclasses.astuple(r) == dataclasses.astuple(p) == plainclass.astuple(p)
        assert dataclasses.asdict(r) == dataclasses.asdict(p)
        assert (r == real(*args, **kwargs)) and (p == plain(*args, **kwargs))
        assert p == dataclasses.replace(p, e="other")  # compare=False
        assert p != r and p.__eq__(r) is NotImplemented  # another class: never equal
        if frozen:
            assert _hash(r) == _hash(p) and _hash(plain("p", 1, (2,), None)) == _hash(
                real("p", 1, (2,), None))
            with pytest.raises(dataclasses.FrozenInstanceError):
                p.a = "changed"
            with pytest.raises(dataclasses.FrozenInstanceError):
                del p.a
        else:
            assert real.__hash__ is None and plain.__hash__ is None
            p.a = "changed"
            assert p.a == "changed"
    assert plain("p").d is not plain("p").d  # a fresh list each time
    assert [f.name for f in dataclasses.fields(plain)] == [f.name for f in dataclasses.fields(real)]
    assert plainclass.field_names(plain) == tuple(f.name for f in dataclasses.fields(real))
    assert dataclasses.is_dataclass(plain) and plain.__match_args__ == real.__match_args__
    assert dataclasses.replace(plain("p", 1), b=5) == plain("p", 5)
    assert not hasattr(plain, "d") and plain.b == 0 and plain.e == "x"  # class attributes


@pytest.mark.parametrize("frozen", [True, False])
def test_the_same_calls_fail(frozen: bool) -> None:
    for cls in _pair(frozen):
        with pytest.raises(TypeError):
            cls()
        with pytest.raises(TypeError):
            cls("p", a="q")
        with pytest.raises(TypeError):
            cls("p", z=1)
        with pytest.raises(TypeError):
            cls("p", 1, (), [], "", b"", "extra")


def test_post_init_runs_and_may_refuse() -> None:
    @plainclass.dataclass(frozen=True)
    class Key:
        """doc"""

        raw: bytes

        def __post_init__(self) -> None:
            if len(self.raw) != 2:
                raise ValueError("two bytes")

    assert Key(b"ab").raw == b"ab" and Key.__doc__ == "doc"
    with pytest.raises(ValueError):
        Key(b"abc")


@given(st.text(), st.integers(), st.lists(st.integers(), max_size=3))
def test_pickles_and_compares_like_a_dataclass(a: str, b: int, d: list) -> None:
    _real, plain = _pair(True)
    globals()["Thing"] = plain  # pickle finds the class by its module and name
    try:
        p = plain(a, b, tuple(d), d)
        back = pickle.loads(pickle.dumps(p))
        assert back == p and vars(back) == vars(p)
    finally:
        del globals()["Thing"]


def test_the_write_path_classes_import_no_dataclasses() -> None:
    """The model, the store, the trust view: none of them imports dataclasses (or inspect)."""
    code = ("import sys\n"
            "import coalition_cli.actions, coalition_cli.trust.view, coalition_cli.signing\n"
            "import coalition_cli.identity, coalition_cli.translations\n"
            "print(sorted({'dataclasses', 'inspect'} & set(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_package_classes_answer_dataclasses_functions() -> None:
    from coalition_cli.model import KeyEntry, Member, Record

    names = [f.name for f in dataclasses.fields(Record)]
    assert tuple(names) == Record.__match_args__ == plainclass.field_names(Record)
    member = Member(id="m", name="M", sector="s", roles=("member",),
                    keys=(KeyEntry("ssh-ed25519 AAAA", None, "2026-01-01T00:00:00Z"),),
                    updated_at="2026-01-01T00:00:00Z", updated_by="sec")
    assert dataclasses.astuple(member) == plainclass.astuple(member)
    assert dataclasses.replace(member, name="N").name == "N"
