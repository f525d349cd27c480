"""``dataclass`` without generated code: the same classes, made without ``exec``.

``dataclasses.dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__``,
``__hash__`` and the frozen ``__setattr__`` / ``__delattr__`` for every class and compiles
it when the module is imported — about a millisecond a class, which the 25 value classes a
``comment add`` loads turn into a sixth of its start-up — and importing ``dataclasses``
imports ``inspect`` (with ``ast``, ``dis``, ``tokenize``). Here the methods are shared
functions driven by each class's field tuple, and ``dataclasses`` is imported only when
something asks it about one of these classes (``dataclasses.fields``, ``replace``,
``astuple``, ``is_dataclass``: ``__dataclass_fields__`` is made on first use, with the
same ``Field`` objects ``dataclasses`` would make):

* ``__init__``: positional or keyword, defaults and ``default_factory``, ``__post_init__``;
  the instance dict filled in field order (as the generated one does, so instances keep
  sharing their keys);
* ``__repr__`` of the ``repr=True`` fields, ``__eq__`` (same class, the ``compare=True``
  fields equal) and, frozen, ``__hash__`` of those fields; not frozen, unhashable, as a
  dataclass with ``eq=True``; ``__match_args__``;
* frozen: assigning or deleting a field raises ``dataclasses.FrozenInstanceError``.

Only what this package uses is accepted: ``frozen`` and ``repr`` on the class; ``default``,
``default_factory``, ``repr`` and ``compare`` on a field; no inheritance between them, no
``ClassVar`` or ``InitVar``. ``tests/test_plainclass.py`` checks each behaviour against
``dataclasses.dataclass``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


__all__ = ["MISSING", "astuple", "dataclass", "field", "field_names"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # (dataclasses.MISSING stands in for it in the Field objects made)


class _Field:
    """What ``field(...)`` in a class body says, until the class is made."""

    __slots__ = ("default", "default_factory", "repr", "compare")

    def __init__(self, default: Any, default_factory: Any, repr: bool, compare: bool) -> None:  # noqa: A002
        self.default, self.default_factory = default, default_factory
        self.repr, self.compare = repr, compare


def field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,  # noqa: A002
          compare: bool = True) -> Any:
    """A field's default, factory, and whether it is shown and compared (as
    ``dataclasses.field``)."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return _Field(default, default_factory, repr, compare)


class _Spec:
    """One field of a made class: (name, annotation, default, factory, repr, compare)."""

    __slots__ = ("name", "type", "default", "default_factory", "repr", "compare")

    def __init__(self, name: str, type_: Any, value: Any) -> None:
        self.name, self.type = name, type_
        if isinstance(value, _Field):
            self.default, self.default_factory = value.default, value.default_factory
            self.repr, self.compare = value.repr, value.compare
        else:
            self.default, self.default_factory, self.repr, self.compare = value, MISSING, True, True


def dataclass(cls: type | None = None, *, frozen: bool = False, repr: bool = True) -> Any:  # noqa: A002
    """A drop-in for ``dataclasses.dataclass(cls, frozen=..., repr=...)``."""

    def wrap(cls: type) -> type:
        return _make(cls, frozen, repr)

    return wrap if cls is None else wrap(cls)


def field_names(cls: Any) -> tuple[str, ...]:
    """The fields of a made class (or instance), in order (``dataclasses.fields``' names)."""
    return tuple(spec.name for spec in cls.__plain_fields__)


def astuple(obj: Any) -> Any:
    """``dataclasses.astuple`` for these classes' values: made instances as tuples of their
    fields, lists, tuples and dicts walked; other values (immutable here) as they are."""
    fields = getattr(type(obj), "__plain_fields__", None)
    if fields is not None:
        return tuple(astuple(getattr(obj, spec.name)) for spec in fields)
    if isinstance(obj, (list, tuple)):
        return type(obj)(astuple(v) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((astuple(k), astuple(v)) for k, v in obj.items())
    return obj


def _make(cls: type, frozen: bool, with_repr: bool) -> type:
    if any(hasattr(base, "__plain_fields__") or hasattr(base, "__dataclass_fields__")
           for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__qualname__}: plainclass does not do inheritance")
    specs = []
    for name, type_ in cls.__dict__.get("__annotations__", {}).items():
        if isinstance(type_, str) and type_.startswith(("ClassVar", "InitVar", "typing.",
                                                        "dataclasses.")):
            raise TypeError(f"{cls.__qualname__}.{name}: plainclass does not do {type_}")
        value = cls.__dict__.get(name, MISSING)
        spec = _Spec(name, type_, value)
        if spec.default is MISSING and spec.default_factory is MISSING and specs and (
                specs[-1].default is not MISSING or specs[-1].default_factory is not MISSING):
            raise TypeError(f"non-default argument {name!r} follows default argument")
        if isinstance(value, _Field):  # as dataclasses: the default stays a class attribute
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        specs.append(spec)
    fields = tuple(specs)
    cls.__plain_fields__ = fields  # type: ignore[attr-defined]
    cls.__dataclass_fields__ = _DataclassFields()  # type: ignore[attr-defined]
    names = tuple(spec.name for spec in fields)
    cls.__match_args__ = names  # type: ignore[attr-defined]
    if not cls.__dict__.get("__doc__"):
        cls.__doc__ = f"{cls.__name__}({', '.join(names)})"
    if "__init__" not in cls.__dict__:
        cls.__init__ = _init(cls, fields)  # type: ignore[misc]
    if with_repr and "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr(tuple(f.name for f in fields if f.repr))  # type: ignore[method-assign]
    compared = tuple(f.name for f in fields if f.compare)
    if "__eq__" not in cls.__dict__:
        cls.__eq__ = _eq(compared)  # type: ignore[method-assign]
    if "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
        cls.__hash__ = _hash(compared) if frozen else None  # type: ignore[method-assign,assignment]
    if frozen:
        field_set = frozenset(names)
        cls.__setattr__ = _frozen_setattr(cls, field_set)  # type: ignore[method-assign]
        cls.__delattr__ = _frozen_delattr(cls, field_set)  # type: ignore[method-assign]
    return cls


class _DataclassFields:
    """``__dataclass_fields__``, made on first use: what ``dataclasses`` reads to answer
    ``fields``, ``replace``, ``astuple`` and ``is_dataclass`` about a made class."""

    def __get__(self, obj: Any, owner: type) -> dict[str, Any]:
        import dataclasses

        made = {}
        for spec in owner.__plain_fields__:  # type: ignore[attr-defined]
            f = dataclasses.field(
                default=dataclasses.MISSING if spec.default is MISSING else spec.default,
                default_factory=(dataclasses.MISSING if spec.default_factory is MISSING
                                 else spec.default_factory),
                repr=spec.repr, compare=spec.compare)
            f.name, f.type = spec.name, spec.type
            f._field_type = dataclasses._FIELD  # type: ignore[attr-defined]  # a plain field
            made[spec.name] = f
        type.__setattr__(owner, "__dataclass_fields__", made)
        return made


def _init(cls: type, fields: tuple[_Spec, ...]) -> Any:
    plan = [(f.name, f.default, f.default_factory) for f in fields]  # in field order
    names = tuple(p[0] for p in plan)
    known = frozenset(names)
    count = len(names)
    post_init = getattr(cls, "__post_init__", None) is not None
    where = f"{cls.__qualname__}.__init__()"

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > count:
            raise TypeError(f"{where} takes {count + 1} positional arguments but "
                            f"{len(args) + 1} were given")
        if kwargs:
            unknown = [k for k in kwargs if k not in known]
            if unknown:
                raise TypeError(f"{where} got an unexpected keyword argument {unknown[0]!r}")
        values = self.__dict__
        given = len(args)
        for at, (name, default, factory) in enumerate(plan):
            if at < given:
                if name in kwargs:
                    raise TypeError(f"{where} got multiple values for argument {name!r}")
                values[name] = args[at]
            elif name in kwargs:
                values[name] = kwargs[name]
            elif default is not MISSING:
                values[name] = default
            elif factory is not MISSING:
                values[name] = factory()
            else:
                raise TypeError(f"{where} missing 1 required argument: {name!r}")
        if post_init:
            self.__post_init__()

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _repr(names: tuple[str, ...]) -> Any:
    def __repr__(self: Any) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({parts})"

    return __repr__


def _values(names: tuple[str, ...]) -> Any:
    from operator import attrgetter

    if len(names) == 1:
        single = attrgetter(names[0])
        return lambda obj: (single(obj),)
    return attrgetter(*names) if names else (lambda obj: ())


def _eq(names: tuple[str, ...]) -> Any:
    values = _values(names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(names: tuple[str, ...]) -> Any:
    values = _values(names)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen_setattr(cls: type, names: frozenset[str]) -> Any:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            from dataclasses import FrozenInstanceError

            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _frozen_delattr(cls: type, names: frozenset[str]) -> Any:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            from dataclasses import FrozenInstanceError

            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__
