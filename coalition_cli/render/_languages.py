"""Which language version of each principle a report shows: the version in the report's
language when the agenda has a signed one at the round's draft, else the reference text,
marked as such; a translation whose reference changed after it was written is marked out of
date. Members' comments are never translated: each keeps the language it was written in."""

from __future__ import annotations

from ..i18n import N_, _

LANGUAGE_NAMES = {"en": N_("English"), "fr": N_("French")}


def language_label(code: str) -> str:
    return _(LANGUAGE_NAMES[code]) if code in LANGUAGE_NAMES else code


def localize(data: dict, lang: str) -> dict:
    """``data`` with each principle's title and text in ``lang`` where the agenda has them,
    and ``text_lang`` (the language of what is shown), ``translation_out_of_date`` and
    ``translation_missing`` set. The data itself is not changed."""
    principles = data.get("principles")
    languages = data.get("languages") or []
    if not principles or not languages:
        return data
    reference = languages[0]
    out = dict(data)
    out["principles"] = []
    for p in principles:
        q = dict(p, reference_title=p.get("title"), reference_text=p.get("text"))
        t = (p.get("translations") or {}).get(lang) if lang != reference else None
        if t is not None:
            q["title"] = t["title"]
            if p.get("text") is not None:
                q["text"] = t["text"]
            q["text_lang"] = lang
            q["translation_out_of_date"] = bool(t.get("out_of_date"))
        else:
            q["text_lang"] = reference
            q["translation_missing"] = lang != reference and lang in languages
        out["principles"].append(q)
    return out


def version_note(p: dict) -> str:
    """A line saying the shown text is out of date or only in the reference language."""
    if p.get("translation_out_of_date"):
        return _("This translation is out of date: the reference text changed after it was "
                 "written.")
    if p.get("translation_missing"):
        return _("No translation of this principle yet: shown in {language}, the reference "
                 "language.", language=language_label(p.get("text_lang") or ""))
    return ""


SIDE_BY_SIDE_FORMATS = ("html", "docx")


def side_by_side(data: dict, languages: list[str]) -> dict:
    """``data`` with each principle's ``versions``: its title and text in each of
    ``languages`` (the bilingual layout puts them side by side), each marked with its
    language and whether it is out of date or missing."""
    principles = data.get("principles")
    if not principles:
        return data
    reference = (data.get("languages") or [languages[0]])[0]
    out = dict(data)
    out["principles"] = []
    for p in principles:
        versions = []
        for code in languages:
            t = (p.get("translations") or {}).get(code) if code != reference else None
            if code == reference or t is None:
                version = {"lang": reference,
                           "title": p.get("reference_title", p.get("title")) or "",
                           "text": p.get("reference_text", p.get("text")) or "", "note": ""}
                if code != reference:
                    version["note"] = _("No translation of this principle yet: shown in "
                                        "{language}, the reference language.",
                                        language=language_label(reference))
            else:
                version = {"lang": code, "title": t["title"], "text": t["text"],
                           "note": _("This translation is out of date: the reference text "
                                     "changed after it was written.")
                           if t.get("out_of_date") else ""}
            version["language"] = language_label(code)
            versions.append(version)
        out["principles"].append({**p, "versions": versions})
    return out
