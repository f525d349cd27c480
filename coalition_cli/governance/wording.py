"""Every sentence about the governance rules that a report shows, in one place.

Renderers call these and only escape and lay out what they return (plain text), so a
translation catalog wraps the strings here and nowhere else. Nothing here reads git.
"""

from __future__ import annotations

from typing import Any

AWAITING = "awaiting-community-consent"

# what a report shows instead of a comment whose author withdrew consent to use it
CONSENT_WITHDRAWN_TEXT = "Its author withdrew consent to use this comment: its words are not shown."


def _names(items: list[str]) -> str:
    return ", ".join(str(i) for i in items)


def _share(value: float) -> str:
    return f"{value:.0%}"


def rule_group(rule: dict[str, Any], members: list[str] | None = None) -> str:
    """'the indigenous-led members (Kinship Circle, …)' / 'Kinship Circle and …'."""
    who = f" ({_names(members)})" if members else ""
    if rule.get("sector"):
        return f"the voting members of the {rule['sector']} sector{who}"
    return f"the members named for it{who}" if members else "the members named for it"


def rule_scope(rule: dict[str, Any]) -> str:
    parts = []
    if rule.get("theme"):
        parts.append(f"on the theme {rule['theme']}")
    if rule.get("principles"):
        parts.append(_names(rule["principles"]))
    return " and ".join(parts)


def legend(rule: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Legend entries added after the general statuses, in plain words."""
    rule = rule or {}
    out: list[tuple[str, str]] = []
    if rule.get("community") and rule.get("community_principles", True):
        scopes = "; ".join(f"principles {rule_scope(r)} need the consent of {rule_group(r)} "
                           f"(at least {_share(r.get('quorum', 0.5))} of them take a stance, "
                           f"{_share(r.get('threshold', 0.75))} of those support it, "
                           + ("no block" if not r.get("max_blocks") else
                              f"at most {r['max_blocks']} blocks") + ")"
                           for r in rule["community"])
        where = rule.get("community_principles")
        here = f" In this round: {_names(where)}." if where else ""
        out.append((AWAITING, "The coalition as a whole would reach consensus, but the "
                              "community whose data the principle is about has not given its "
                              f"own consent yet. Under the coalition's signed rule, {scopes}. "
                              f"Their silence never counts as consent.{here}"))
    if rule.get("local_contexts"):
        out.append(("Local Contexts Notice", "A Notice applied by the coalition's facilitators "
                                             "(an institution, in the Local Contexts framework): "
                                             "it says that Indigenous communities have rights "
                                             "and interests in this material and invites them to "
                                             "set the conditions of its use. It is not a "
                                             "community's own statement."))
        out.append(("Local Contexts Label", "A Traditional Knowledge (TK) or Biocultural (BC) "
                                            "Label applied by an Indigenous community — here a "
                                            "member of the indigenous-led sector — stating its "
                                            "own conditions for the use of its knowledge and "
                                            "data. Follow its link for what it asks of you."))
    if rule.get("silence") == "consent":
        out.append(("accepted by silence", "The coalition decided that silence is consent: a "
                                           "member that took part in this round and said "
                                           "nothing on a principle is counted as accepting it. "
                                           "Members that did not take part are not counted, "
                                           "nor is the silence of a community whose consent a "
                                           "principle needs."))
    return out


def principle_notes(p: dict[str, Any]) -> list[str]:
    """Sentences for one principle of a summary or report: silence and community consent."""
    out = []
    silent = p.get("accepted_by_silence") or 0
    if silent:
        out.append(f"Accepted by silence: {silent} "
                   + ("member" if silent == 1 else "members")
                   + " that took part in the round raised no objection to this principle "
                     "and " + ("is" if silent == 1 else "are") + " counted as accepting it.")
    for g in p.get("community") or []:
        out.append(community_sentence(g))
    return out


_WHY = {
    "empty": "no voting member belongs to the group, so its consent cannot be given yet",
    "block": "a member of the group blocks it",
    "quorum": "too few of the group have taken a stance",
    "threshold": "too few of the group who took a stance support it",
}


def community_sentence(g: dict[str, Any]) -> str:
    rule = g.get("rule") or {}
    group = rule_group(rule, g.get("members"))
    size = len(g.get("members") or [])
    head = (f"Community consent ({rule_scope(rule)}): {g.get('consented', 0)} of {size} of "
            f"{group} consented")
    if g.get("met"):
        return head + "; their consent is given."
    text = head + f"; not yet given: {_WHY.get(g.get('why'), g.get('why'))}."
    awaited = list(g.get("awaiting") or [])
    unnamed = g.get("awaiting_unnamed") or 0
    if awaited or unnamed:
        who = _names(awaited)
        if unnamed:
            more = f"{unnamed} whose comment is not public"
            who = f"{who} and {more}" if who else more
        text += f" Awaiting the consent of: {who}."
    return text


def confidential_note(held: dict[str, Any] | None) -> str | None:
    """The note beside a confidential comment whose author chose its holders (None: the
    renderer's usual note, 'shared with the facilitators only')."""
    if not held:
        return None
    if held.get("named"):
        return (f"Confidential: counted in the figures; its text is held only by "
                f"{_names(held['named'])}, chosen by its author.")
    k = held.get("holders", 0)
    return (f"Confidential: counted in the figures; its text is held only by {k} "
            + ("organisation" if k == 1 else "organisations") + " its author chose.")


def confidential_line(p: dict[str, Any]) -> str | None:
    """The report's per-principle line on confidential comments, when some have chosen
    holders (None: the usual line)."""
    n, chosen = p.get("confidential") or 0, p.get("confidential_chosen") or 0
    if not (n and chosen):
        return None
    return (f"{n} confidential " + ("comment" if n == 1 else "comments") + ": counted in the "
            f"figures; {'its' if n == 1 else 'their'} text is held only by the facilitators or, "
            f"for {chosen} of them, by the organisations {'its' if chosen == 1 else 'their'} "
            "author chose.")


SECTION_TITLE = "Indigenous data governance: notices, labels, consent and possession"


def section(data: dict[str, Any]) -> list[str]:
    """The paragraphs of a report's "Consent and possession" section (none: no section)."""
    g = data.get("governance") or {}
    out = local_contexts_lines(g.get("local_contexts") or {})
    n = g.get("consent_withdrawn") or 0
    if n:
        which = ", ".join(f"{w['comment']} on {w['principle']}" if w.get("comment") else
                          str(w.get("principle")) for w in g.get("withdrawn") or [])
        out.append(f"Withdrawn consent: the authors of {n} "
                   + ("comment" if n == 1 else "comments")
                   + " withdrew consent to use " + ("it" if n == 1 else "them")
                   + f" ({which}). " + ("It is" if n == 1 else "They are")
                   + " still counted in the stances, but " + ("its" if n == 1 else "their")
                   + " words, proposals and quotes are not shown in this report.")
    for h in g.get("held") or []:
        where = f"{h['comment']} on {h['principle']}" if h.get("comment") else str(h.get("principle"))
        if h.get("named"):
            who = _names(h["named"])
            out.append(f"A confidential comment ({where}) is held by {who}, chosen by its "
                       "author; no one else can read it.")
        else:
            k = h.get("holders", 0)
            out.append(f"A confidential comment ({where}) is held by {k} "
                       + ("organisation" if k == 1 else "organisations")
                       + " its author chose and did not ask us to name; no one else can read it.")
    return out


def local_contexts_lines(lc: dict[str, Any]) -> list[str]:
    """One sentence per applied set of Notices or Labels, with names and links."""
    out = []
    for n in lc.get("notices") or []:
        items = "; ".join(_item(x) for x in n.get("notices") or [])
        out.append(f"Local Contexts Notice on {_scope(n.get('on'))}, applied by {n.get('by')}: "
                   f"{items}. {_project(n)}")
    for lab in lc.get("labels") or []:
        items = "; ".join(_item(x) for x in lab.get("labels") or [])
        by = f", applied by {lab['by']}" if lab.get("by") else ""
        out.append(f"Local Contexts Label on {_scope(lab.get('on'))}{by}: {items}. {_project(lab)}")
    return out


def _scope(on: Any) -> str:
    return {"agenda": "the whole agenda", "round": "this round"}.get(str(on), str(on))


def _item(x: dict[str, Any]) -> str:
    name = str(x.get("name"))
    kind = {"tk": "TK ", "bc": "BC "}.get(str(x.get("kind")), "")
    if name.upper().startswith(kind.strip()):  # Hub names often say it already
        kind = ""
    who = f" of {x['community']}" if x.get("community") else ""
    link = f" ({x['url']})" if x.get("url") else ""
    return f"{kind}{name}{who}{link}"


def _project(x: dict[str, Any]) -> str:
    link = f" ({x['url']})" if x.get("url") else ""
    return f"Local Contexts Hub project: {x.get('title')}{link}."


def distinction_sections(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of each distinctions-based section of a report."""
    out = []
    for d in data.get("distinctions") or []:
        paras = []
        if d.get("members"):
            paras.append(f"Organisations in this section: {_names(d['members'])}. Only what they "
                         "made public is shown here; their anonymous and confidential comments "
                         "are in the coalition's figures only.")
        else:
            paras.append("No member organisation of the coalition belongs to this section.")
        if d.get("approved_by"):
            paras.append(f"Approved by: {_names(d['approved_by'])} (this section as it reads here).")
        if d.get("members") and d.get("awaiting"):
            paras.append(f"Not yet approved by: {_names(d['awaiting'])}.")
        if d.get("stale"):
            paras.append(f"{_names(d['stale'])} approved an earlier version of this section; it "
                         "has changed since.")
        for p in d.get("principles") or []:
            counts = ", ".join(f"{n} {s}" for s, n in sorted(p.get("stances", {}).items()))
            paras.append(f"{p['id']} — {p.get('title')}: {counts}.")
            for i in p.get("items") or []:
                paras.append(f"{i['ref']} ({i.get('who')}, {i['stance']}): {i.get('text') or ''}"
                             .rstrip(": "))
        if d.get("members") and not d.get("principles"):
            paras.append("They made no public comment in this round.")
        out.append((str(d.get("title")), paras))
    return out
