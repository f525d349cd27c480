"""The language versions of a round's principles, for reports: each principle's signed text
in every other language of the agenda at the round's draft, and whether it is out of date."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def translations_at(agenda: Any, commit: str, reference: dict[str, Any]) -> dict[str, dict]:
    """principle id -> language -> {title, text, out_of_date, translates} at ``commit``; only
    translations signed by a verified facilitator (``trust.view.signed_translations``)."""
    from ..trust import trusted
    from ..trust.view import signed_translations

    found = signed_translations(agenda, commit, trusted(agenda))
    out: dict[str, dict] = {}
    for (pid, lang), t in sorted(found.items()):
        ref = reference.get(pid)
        if ref is None:
            continue
        out.setdefault(pid, {})[lang] = {"title": t.title, "text": t.body,
                                         "out_of_date": t.out_of_date(ref),
                                         "translates": t.source_updated_at}
    return out


def add_translations(data: dict, agenda: Any, commit: str, reference: dict[str, Any],
                     languages: tuple[str, ...], *, with_text: bool = False) -> dict:
    """``data`` (a summary or report) with ``languages`` and each principle's
    ``translations`` (empty for an agenda in one language); ``with_text``: each principle's
    reference text too, where the data has none (the report's bilingual layout shows it)."""
    found = translations_at(agenda, commit, reference) if len(languages) > 1 else {}
    data["languages"] = list(languages)
    for p in data.get("principles") or []:
        p["translations"] = found.get(p.get("id"), {})
        if with_text and len(languages) > 1 and "text" not in p and p.get("id") in reference:
            p["text"] = reference[p["id"]].body
    return data
