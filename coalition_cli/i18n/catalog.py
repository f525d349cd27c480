"""The French catalog's upkeep: which messages the code writes, which the ``.po`` lacks.

    python -m coalition_cli.i18n.catalog            # list untranslated messages (exit 1 if any)
    python -m coalition_cli.i18n.catalog --update   # add new messages to the .po, compile the .mo

Messages are found where the reports write them: ``_()``, ``n_()``, ``N_()`` and ``p_()`` in
the Python sources of ``render/``, ``reports/`` and ``governance/`` (its report wording), and
``_()``, ``_m()``, ``n_()`` inside the jinja2 templates those modules keep as strings
(``TEMPLATE``). Babel reads and writes the ``.po`` and compiles the ``.mo``; the ``.mo`` is committed so an installed package needs no
compiler, and ``tests/test_i18n.py`` fails when it is not exactly what the ``.po`` compiles to.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

from . import DOMAIN, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent.parent
SOURCES = ("render", "reports", "governance")
PY_KEYWORDS = {"_": None, "N_": None, "n_": (1, 2), "p_": ((1, "c"), 2)}
TEMPLATE_KEYWORDS = ("_", "_m", "n_")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _template_messages(path: Path) -> list[tuple[str | tuple[str, ...], str]]:
    """Messages inside the jinja2 templates a module keeps as string constants."""
    import ast

    from jinja2 import Environment
    from jinja2.ext import babel_extract

    out = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{%" in node.value:
            Environment()  # babel_extract builds its own; imported for the error if missing
            for _line, _func, message, _comments in babel_extract(
                    io.BytesIO(node.value.encode()), TEMPLATE_KEYWORDS, [],
                    {"trim_blocks": "true", "lstrip_blocks": "true"}):
                if isinstance(message, tuple):
                    message = tuple(m for m in message if m)
                    message = message[0] if len(message) == 1 else message
                if message:
                    out.append((message, f"{path.name} (template)"))
    return out


def messages() -> dict[str | tuple[str, ...], set[str]]:
    """Every message the reports write -> the files that write it. A plural is a tuple
    (singular, plural); a message with a context is (context, message) keyed as such."""
    from babel.messages.extract import extract

    found: dict[str | tuple[str, ...], set[str]] = {}
    for folder in SOURCES:
        for path in sorted((PACKAGE / folder).glob("*.py")):
            # Babel warns on stderr about f-strings given as values (``_("{x}", x=f"…")``),
            # which are not messages; a message written as an f-string is caught at run time
            # (the translator's misses)
            with open(path, "rb") as fh, contextlib.redirect_stderr(io.StringIO()):
                for _line, message, _comments, context in list(extract(
                        "python", fh, keywords=PY_KEYWORDS, comment_tags=())):
                    key = message if context is None else (f"{context}\x04", message)
                    if key:
                        found.setdefault(key, set()).add(path.name)
            for message, where in _template_messages(path):
                found.setdefault(message, set()).add(where)
    return found


def read_po(lang: str):  # noqa: ANN201
    from babel.messages.pofile import read_po as _read

    with open(po_path(lang), "rb") as fh:
        return _read(fh, locale=lang.replace("-", "_") + "_CA")


def compiled(lang: str) -> bytes:
    """The .mo the .po compiles to (what must be committed beside it)."""
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, read_po(lang), use_fuzzy=False)
    return out.getvalue()


def untranslated(lang: str = "fr") -> list[str]:
    """Messages the code writes that the catalog of ``lang`` does not translate."""
    catalog = read_po(lang)
    missing = []
    for key in messages():
        msgid = key[0] if isinstance(key, tuple) and not key[0].endswith("\x04") else key
        context = None
        if isinstance(key, tuple) and key[0].endswith("\x04"):
            context, msgid = key[0][:-1], key[1]
        entry = catalog.get(msgid, context=context)
        strings = entry.string if entry is not None else None
        if isinstance(strings, tuple):
            ok = all(strings)
        else:
            ok = bool(strings)
        if entry is None or not ok or entry.fuzzy:
            missing.append(msgid if isinstance(msgid, str) else msgid)
    return sorted(missing)


def update(lang: str = "fr") -> int:
    """Add the code's new messages to the .po (untranslated) and compile the .mo."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = read_po(lang) if po_path(lang).exists() else Catalog(locale=f"{lang}_CA",
                                                                  domain=DOMAIN)
    added = 0
    for key, where in sorted(messages().items(), key=lambda kv: str(kv[0])):
        context = None
        msgid = key
        if isinstance(key, tuple) and key[0].endswith("\x04"):
            context, msgid = key[0][:-1], key[1]
        if catalog.get(msgid, context=context) is None:
            catalog.add(msgid, string=("", "") if isinstance(msgid, tuple) else "",
                        locations=[(w, None) for w in sorted(where)], context=context)
            added += 1
    po_path(lang).parent.mkdir(parents=True, exist_ok=True)
    with open(po_path(lang), "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=False,
                 include_lineno=False)
    mo_path(lang).write_bytes(compiled(lang))
    return added


def main(argv: list[str]) -> int:
    if "--update" in argv:
        added = update("fr")
        print(f"{added} new message(s) added to {po_path('fr')}; .mo compiled")
    missing = untranslated("fr")
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    if not missing:
        print(f"every message is translated ({po_path('fr').name})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
