"""Every sentence about the governance rules that a report shows, in one place.

Renderers call these and only escape and lay out what they return (plain text), in the
language of the report being rendered: every sentence here goes through the catalog
(``_()``, ``n_()``; numbers and shares through the report's translator), so a French report
has French governance wording. Nothing here reads git.
"""

from __future__ import annotations

from ..i18n import N_, _, colon, current, n_

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

AWAITING = "awaiting-community-consent"

# what a report shows instead of a comment whose author withdrew consent to use it (the data
# keeps the English words; a renderer shows them translated)
CONSENT_WITHDRAWN_TEXT = N_("Its author withdrew consent to use this comment: its words are "
                            "not shown.")

# the stances, as the report's language writes them after a count
_STANCES = {"support": N_("support"), "amend": N_("amend"), "neutral": N_("neutral"),
            "oppose": N_("oppose"), "block": N_("block")}


def withdrawn_text_translated(data: Any) -> Any:
    """``data`` (a report's) with ``CONSENT_WITHDRAWN_TEXT``, which the data carries in
    English where a comment's words were, in the report's language; unchanged in English."""
    if current().english:
        return data
    if isinstance(data, dict):
        return {k: withdrawn_text_translated(v) for k, v in data.items()}
    if isinstance(data, list):
        return [withdrawn_text_translated(v) for v in data]
    return _(CONSENT_WITHDRAWN_TEXT) if data == CONSENT_WITHDRAWN_TEXT else data


def _names(items: list[str]) -> str:
    return ", ".join(str(i) for i in items)


def _share(value: float) -> str:
    return current().percent(float(value))


def _number(value: Any) -> str:
    return current().number(value) if isinstance(value, (int, float)) else str(value)


def _stance(s: object) -> str:
    return _(_STANCES[str(s)]) if str(s) in _STANCES else str(s)


def rule_group(rule: dict[str, Any], members: list[str] | None = None) -> str:
    """'the indigenous-led members (Kinship Circle, …)' / 'Kinship Circle and …'."""
    # shown inside other messages ("the consent of {group}", "of {group}"): a translation
    # may leave out the article and put it in those (French: "des {group}", "les {group}")
    if rule.get("sector"):
        if members:
            return _("the voting members of the {sector} sector ({names})",
                     sector=rule["sector"], names=_names(members))
        return _("the voting members of the {sector} sector", sector=rule["sector"])
    if members:
        return _("the members named for it ({names})", names=_names(members))
    return _("the members named for it")


def rule_scope(rule: dict[str, Any]) -> str:
    parts = []
    if rule.get("theme"):
        parts.append(_("on the theme {theme}", theme=rule["theme"]))
    if rule.get("principles"):
        parts.append(_names(rule["principles"]))
    return parts[0] if len(parts) == 1 else (
        _("{first} and {second}", first=parts[0], second=parts[1]) if parts else "")


def _community_rule(r: dict[str, Any]) -> str:
    blocks = (_("no block") if not r.get("max_blocks") else
              n_("at most {n} blocks", "at most {n} blocks", int(r["max_blocks"])))
    return _("principles {scope} need the consent of {group} (at least {quorum} of them take a "
             "stance, {threshold} of those support it, {blocks})",
             scope=rule_scope(r), group=rule_group(r), quorum=_share(r.get("quorum", 0.5)),
             threshold=_share(r.get("threshold", 0.75)), blocks=blocks)


def legend(rule: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Legend entries added after the general statuses, in plain words. The first of each
    pair is a status (``AWAITING``, which the renderer names) or a term already translated."""
    rule = rule or {}
    out: list[tuple[str, str]] = []
    if rule.get("community") and rule.get("community_principles", True):
        scopes = "; ".join(_community_rule(r) for r in rule["community"])
        where = rule.get("community_principles")
        here = " " + _("In this round: {principles}.", principles=_names(where)) if where else ""
        out.append((AWAITING, _("The coalition as a whole would reach consensus, but the "
                                "community whose data the principle is about has not given its "
                                "own consent yet. Under the coalition's signed rule, {scopes}. "
                                "Their silence never counts as consent.", scopes=scopes) + here))
    if rule.get("local_contexts"):
        out.append((_("Local Contexts Notice"),
                    _("A Notice applied by the coalition's facilitators (an institution, in the "
                      "Local Contexts framework): it says that Indigenous communities have "
                      "rights and interests in this material and invites them to set the "
                      "conditions of its use. It is not a community's own statement.")))
        out.append((_("Local Contexts Label"),
                    _("A Traditional Knowledge (TK) or Biocultural (BC) Label applied by an "
                      "Indigenous community — here a member of the indigenous-led sector — "
                      "stating its own conditions for the use of its knowledge and data. Follow "
                      "its link for what it asks of you.")))
    if rule.get("silence") == "consent":
        out.append((_("accepted by silence"),
                    _("The coalition decided that silence is consent: a member that took part "
                      "in this round and said nothing on a principle is counted as accepting "
                      "it. Members that did not take part are not counted, nor is the silence "
                      "of a community whose consent a principle needs.")))
    return out


def principle_notes(p: dict[str, Any]) -> list[str]:
    """Sentences for one principle of a summary or report: silence and community consent."""
    out = []
    silent = p.get("accepted_by_silence") or 0
    if silent:
        out.append(n_("Accepted by silence: {n} member that took part in the round raised no "
                      "objection to this principle and is counted as accepting it.",
                      "Accepted by silence: {n} members that took part in the round raised no "
                      "objection to this principle and are counted as accepting it.", silent))
    for g in p.get("community") or []:
        out.append(community_sentence(g))
    return out


_WHY = {
    "empty": N_("no voting member belongs to the group, so its consent cannot be given yet"),
    "block": N_("a member of the group blocks it"),
    "quorum": N_("too few of the group have taken a stance"),
    "threshold": N_("too few of the group who took a stance support it"),
}


def community_sentence(g: dict[str, Any]) -> str:
    rule = g.get("rule") or {}
    values = {"scope": rule_scope(rule), "consented": _number(g.get("consented", 0)),
              "size": _number(len(g.get("members") or [])),
              "group": rule_group(rule, g.get("members"))}
    if g.get("met"):
        return _("Community consent ({scope}): {consented} of {size} of {group} consented; "
                 "their consent is given.", **values)
    why = g.get("why")
    text = _("Community consent ({scope}): {consented} of {size} of {group} consented; not "
             "yet given: {why}.", why=_(_WHY[why]) if why in _WHY else why, **values)
    awaited = list(g.get("awaiting") or [])
    unnamed = g.get("awaiting_unnamed") or 0
    if awaited or unnamed:
        who = _names(awaited)
        if unnamed:
            more = n_("{n} whose comment is not public", "{n} whose comment is not public",
                      unnamed)
            who = _("{names} and {more}", names=who, more=more) if who else more
        text += " " + _("Awaiting the consent of: {who}.", who=who)
    return text


def confidential_note(held: dict[str, Any] | None) -> str | None:
    """The note beside a confidential comment whose author chose its holders (None: the
    renderer's usual note, 'shared with the facilitators only')."""
    if not held:
        return None
    if held.get("named"):
        return _("Confidential: counted in the figures; its text is held only by {names}, "
                 "chosen by its author.", names=_names(held["named"]))
    return n_("Confidential: counted in the figures; its text is held only by {n} "
              "organisation its author chose.",
              "Confidential: counted in the figures; its text is held only by {n} "
              "organisations its author chose.", held.get("holders", 0))


def confidential_line(p: dict[str, Any]) -> str | None:
    """The report's per-principle line on confidential comments, when some have chosen
    holders (None: the usual line)."""
    n, chosen = p.get("confidential") or 0, p.get("confidential_chosen") or 0
    if not (n and chosen):
        return None
    # chosen <= n: a single confidential comment is its author's
    held = n_("for {n} of them, by the organisations its author chose",
              "for {n} of them, by the organisations their author chose", chosen)
    return n_("{n} confidential comment: counted in the figures; its text is held only by the "
              "facilitators or, {held}.",
              "{n} confidential comments: counted in the figures; their text is held only by "
              "the facilitators or, {held}.", n, held=held)


SECTION_TITLE = N_("Indigenous data governance: notices, labels, consent and possession")


def _where(x: dict[str, Any]) -> str:
    if x.get("comment"):
        return _("{comment} on {principle}", comment=x["comment"], principle=x.get("principle"))
    return str(x.get("principle"))


def section(data: dict[str, Any]) -> list[str]:
    """The paragraphs of a report's "Consent and possession" section (none: no section)."""
    g = data.get("governance") or {}
    out = local_contexts_lines(g.get("local_contexts") or {})
    n = g.get("consent_withdrawn") or 0
    if n:
        which = ", ".join(_where(w) for w in g.get("withdrawn") or [])
        out.append(n_("Withdrawn consent: the authors of {n} comment withdrew consent to use it "
                      "({which}). It is still counted in the stances, but its words, proposals "
                      "and quotes are not shown in this report.",
                      "Withdrawn consent: the authors of {n} comments withdrew consent to use "
                      "them ({which}). They are still counted in the stances, but their words, "
                      "proposals and quotes are not shown in this report.", n, which=which))
    for h in g.get("held") or []:
        if h.get("named"):
            out.append(_("A confidential comment ({where}) is held by {names}, chosen by its "
                         "author; no one else can read it.",
                         where=_where(h), names=_names(h["named"])))
        else:
            out.append(n_("A confidential comment ({where}) is held by {n} organisation its "
                          "author chose and did not ask us to name; no one else can read it.",
                          "A confidential comment ({where}) is held by {n} organisations its "
                          "author chose and did not ask us to name; no one else can read it.",
                          h.get("holders", 0), where=_where(h)))
    return out


def local_contexts_lines(lc: dict[str, Any]) -> list[str]:
    """One sentence per applied set of Notices or Labels, with names and links."""
    out = []
    for n in lc.get("notices") or []:
        out.append(_("Local Contexts Notice on {scope}, applied by {by}: {items}. {project}",
                     scope=_scope(n.get("on")), by=n.get("by"), project=_project(n),
                     items="; ".join(_item(x) for x in n.get("notices") or [])))
    for lab in lc.get("labels") or []:
        values = {"scope": _scope(lab.get("on")), "project": _project(lab),
                  "items": "; ".join(_item(x) for x in lab.get("labels") or [])}
        if lab.get("by"):
            out.append(_("Local Contexts Label on {scope}, applied by {by}: {items}. {project}",
                         by=lab["by"], **values))
        else:
            out.append(_("Local Contexts Label on {scope}: {items}. {project}", **values))
    return out


def _scope(on: Any) -> str:
    """What a notice or label is on: the agenda, the round, a principle id, or (as the
    report's data says it) 'comment C3' / 'a comment'."""
    on = str(on)
    if on == "agenda":
        return _("the whole agenda")
    if on == "round":
        return _("this round")
    if on == "a comment":
        return _("a comment")
    if on.startswith("comment "):
        return _("comment {ref}", ref=on[len("comment "):])
    return on


def _item(x: dict[str, Any]) -> str:
    name = str(x.get("name"))
    kind = {"tk": "TK ", "bc": "BC "}.get(str(x.get("kind")), "")
    if name.upper().startswith(kind.strip()):  # Hub names often say it already
        kind = ""
    out = kind + name
    if x.get("community"):
        out = _("{label} of {community}", label=out, community=x["community"])
    return out + (f" ({x['url']})" if x.get("url") else "")


def _project(x: dict[str, Any]) -> str:
    if x.get("url"):
        return _("Local Contexts Hub project: {title} ({url}).", title=x.get("title"),
                 url=x["url"])
    return _("Local Contexts Hub project: {title}.", title=x.get("title"))


def _counts(stances: dict[str, int]) -> str:
    return ", ".join(f"{_number(n)} {_stance(s)}" for s, n in sorted(stances.items()))


def distinction_sections(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of each distinctions-based section of a report."""
    out = []
    # a principle's title as the report shows it (in the report's language where the agenda
    # has it)
    titles = {p.get("id"): p.get("title") for p in data.get("principles") or []}
    for d in data.get("distinctions") or []:
        paras = []
        if d.get("members"):
            paras.append(_("Organisations in this section: {names}. Only what they made public "
                           "is shown here; their anonymous and confidential comments are in the "
                           "coalition's figures only.", names=_names(d["members"])))
        else:
            paras.append(_("No member organisation of the coalition belongs to this section."))
        if d.get("approved_by"):
            paras.append(_("Approved by: {names} (this section as it reads here).",
                           names=_names(d["approved_by"])))
        if d.get("members") and d.get("awaiting"):
            paras.append(_("Not yet approved by: {names}.", names=_names(d["awaiting"])))
        if d.get("stale"):
            paras.append(_("{names} approved an earlier version of this section; it has "
                           "changed since.", names=_names(d["stale"])))
        for p in d.get("principles") or []:
            paras.append(f"{p['id']} — {titles.get(p['id']) or p.get('title')}{colon()}"
                         f"{_counts(p.get('stances', {}))}.")
            for i in p.get("items") or []:
                paras.append(f"{i['ref']} ({i.get('who')}, {_stance(i['stance'])}){colon()}"
                             f"{i.get('text') or ''}".rstrip(": \u00a0"))
        if d.get("members") and not d.get("principles"):
            paras.append(_("They made no public comment in this round."))
        out.append((str(d.get("title")), paras))
    return out
