"""``fastyaml``'s second reader: libyaml's C parser (PyYAML's ``CParser``, when installed),
whose events are turned into values here — or None, "not mine"."""

from __future__ import annotations

from .values import MAX_DEPTH, _DIRECTIVE, _NotMine, _UNUSUAL, plain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def parse_events(text: str) -> Any:
    """The document through libyaml's C parser when PyYAML has it; None when it is missing,
    the text is not plain data (anchors, aliases, tags, directives, several documents,
    ambiguous scalars, duplicate keys, too deep) or libyaml finds an error."""
    parser = _c_parser()
    if parser is None or _UNUSUAL.search(text) or _DIRECTIVE.search(text):
        return None
    try:
        return _from_events(parser(text))
    except (_NotMine, RecursionError):
        return None
    except Exception:  # noqa: BLE001 - any libyaml error: ruamel names it
        return None


_PARSER: list = []


def _c_parser() -> Any:
    if not _PARSER:
        try:
            import yaml

            loader = yaml.CSafeLoader  # AttributeError without libyaml
        except (ImportError, AttributeError):
            _PARSER.append(None)
        else:
            def events(text: str) -> Any:
                parser = loader(text)
                try:
                    while parser.check_event():
                        yield parser.get_event()
                finally:
                    parser.dispose()

            _PARSER.append(events)
    return _PARSER[0]


def _from_events(events: Any) -> Any:
    import yaml

    stack: list[Any] = []  # [container, pending key or _NO_KEY]
    result: Any = _NO_KEY
    documents = 0
    for event in events:
        kind = type(event)
        if kind in (yaml.StreamStartEvent, yaml.StreamEndEvent):
            continue
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1 or event.explicit and getattr(event, "version", None):
                raise _NotMine
            continue
        if kind is yaml.DocumentEndEvent:
            continue
        if kind is yaml.AliasEvent or getattr(event, "anchor", None) is not None:
            raise _NotMine
        if getattr(event, "tag", None) is not None:
            raise _NotMine  # an explicit tag: refused on ruamel's path
        if kind is yaml.ScalarEvent:
            if event.style in ("|", ">"):
                raise _NotMine  # block scalars: chomping and folding stay ruamel's
            value = plain(event.value) if not event.style else event.value  # plain: None or ''
        elif kind in (yaml.SequenceStartEvent, yaml.MappingStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _NotMine
            stack.append([[] if kind is yaml.SequenceStartEvent else {}, _NO_KEY])
            continue
        elif kind in (yaml.SequenceEndEvent, yaml.MappingEndEvent):
            container, pending = stack.pop()
            if pending is not _NO_KEY:
                raise _NotMine
            value = container
        else:
            raise _NotMine
        if not stack:
            result = value
            continue
        top = stack[-1]
        if isinstance(top[0], list):
            top[0].append(value)
        elif top[1] is _NO_KEY:
            if isinstance(value, (list, dict)):
                raise _NotMine  # a collection as a key
            if value in top[0]:
                raise _NotMine  # duplicate key: ruamel names it
            top[1] = value
        else:
            top[0][top[1]] = value
            top[1] = _NO_KEY
    if result is _NO_KEY or stack:
        raise _NotMine
    return result


_NO_KEY = object()
