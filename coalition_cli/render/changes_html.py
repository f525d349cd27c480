"""HTML rendering of a tracked-change report: one standalone file, with
``<del>``/``<ins>`` redlines (struck red / underlined green, so colour is not
the only cue), moves marked, and a table of comment anchors and dispositions.
"""

from __future__ import annotations

from ._common import (
    MOVE_FROM,
    MOVE_TO,
    NONE_MARK,
    clean_text,
    display_paragraphs,
    member_name,
    move_numbers,
    one_line,
    principle_heading,
    short_sha,
    version_label,
    disposition_word,
    quoted,
    fate_help,
    fate_label,
    stance_label,
    status_label,
)
from ..i18n import _
from ._languages import version_note

TEMPLATE = """{% extends "base.html" %}
{% block title %}{{ _("Tracked changes") }} — {{ frm.label }} → {{ to.label }}{% endblock %}
{% block body %}
<header class="report">
  <p class="kicker">{{ _("Tracked changes") }}</p>
  <h1>{{ frm.label }} → {{ to.label }}</h1>
  <dl class="meta">
    <div><dt>{{ _("From") }}</dt><dd>{{ frm.full }}</dd></div>
    <div><dt>{{ _("To") }}</dt><dd>{{ to.full }}</dd></div>
    {% if to.author %}<div><dt>{{ _("Changes by") }}</dt><dd>{{ to.author }}</dd></div>{% endif %}
  </dl>
</header>
<main>
<section aria-labelledby="h-counts">
  <h2 id="h-counts">{{ _("Counts") }}</h2>
  <ul class="cards">
    {% for c in counts %}<li><span class="num">{{ c.value }}</span><span class="lbl">{{ c.label }}</span></li>{% endfor %}
  </ul>
  <p class="note">{{ _("Key:") }} <del>{{ _("deleted") }}</del> · <ins>{{ _("inserted") }}</ins> · <span class="move-note">{{ _("moved from here") }}</span><del class="move">{{ _("text") }}</del> · <span class="move-note">{{ _("moved here") }}</span><ins class="move">{{ _("text") }}</ins> · <ins class="pilcrow">¶</ins> {{ _("paragraph split") }}, <del class="pilcrow">¶</del> {{ _("paragraphs joined") }}.</p>
</section>

<section aria-labelledby="h-text" class="redline">
  <h2 id="h-text">{{ _("Principles") }}</h2>
  {% for p in principles %}
  <article class="principle" id="{{ p.anchor }}" aria-labelledby="{{ p.anchor }}-h">
    <h3 id="{{ p.anchor }}-h"><span dir="auto">{{ p.heading }}</span> <span class="badge st-{{ p.status_class }}">{{ p.status }}</span></h3>
    {% if p.version_note %}<p class="note">{{ p.version_note }}</p>{% endif %}
    {% if p.old_title %}<p class="muted">{{ _("Title:") }} <del>{{ p.old_title }}</del> <ins>{{ p.title }}</ins></p>{% endif %}
    {% for para in p.paras %}
    <p dir="auto"{% if para.cls %} class="{{ para.cls }}"{% endif %}>{% if para.cls == "added" %}<span class="sr-only">{{ _("New paragraph:") }} </span>{% elif para.cls == "deleted" %}<span class="sr-only">{{ _("Removed paragraph:") }} </span>{% endif %}
      {%- for s in para.segs -%}
      {%- if s.kind == "equal" -%}{{ s.text }}
      {%- elif s.kind == "delete" -%}<del>{{ s.text }}</del>
      {%- elif s.kind == "insert" -%}<ins>{{ s.text }}</ins>
      {%- elif s.kind == "move-from" -%}<span class="move-note">{{ _("moved from here") }}{{ s.n }}</span><del class="move">{{ s.text }}</del>
      {%- else -%}<span class="move-note">{{ _("moved here") }}{{ s.n }}</span><ins class="move">{{ s.text }}</ins>
      {%- endif -%}
      {%- endfor -%}
      {%- if para.split == "insert" %} <ins class="pilcrow" title="{{ _("paragraph split") }}">¶</ins>{% elif para.split == "delete" %} <del class="pilcrow" title="{{ _("paragraphs joined") }}">¶</del>{% endif -%}
    </p>
    {% else %}
    <p class="muted"><em>{{ _("No text.") }}</em></p>
    {% endfor %}
    {% if p.comments %}
    <h4>{{ _("Comments") }}</h4>
    <ul class="items">
    {% for c in p.comments %}
      <li><span class="who">{{ c.who }}</span> <span class="muted">· {{ c.stance }} · {{ _("comment") }} <code>{{ c.id }}</code></span> <span class="badge fate-{{ c.fate_class }}" title="{{ c.fate_help }}">{{ c.fate }}</span>
        {% if c.text %}<p dir="auto"{% if c.lang %} lang="{{ c.lang }}"{% endif %}>{{ c.text }}</p>{% endif %}
        <p class="muted">{{ _("Disposition:") }} {% if c.disposition %}<strong>{{ c.disposition }}</strong>{% if c.rationale %} — <span dir="auto">{{ c.rationale }}</span>{% endif %}{% if c.commit %} ({{ _("in") }} <code title="{{ c.commit }}">{{ c.commit_short }}</code>){% endif %}{% else %}{{ _("awaiting") }}{% endif %}</p>
      </li>
    {% endfor %}
    </ul>
    {% endif %}
  </article>
  {% endfor %}
</section>

<section aria-labelledby="h-fates">
  <h2 id="h-fates">{{ _("Comments, anchors and dispositions") }}</h2>
  {% if comments %}
  <table id="fates">
    <caption>{{ _("Where each comment's quoted passage is in the new version, and how it was answered") }}</caption>
    <thead><tr><th scope="col">{{ _("Comment") }}</th><th scope="col">{{ _("Principle") }}</th><th scope="col">{{ _("Member") }}</th><th scope="col">{{ _("Stance") }}</th><th scope="col">{{ _("Anchor") }}</th><th scope="col">{{ _("Quote then → now") }}</th><th scope="col">{{ _("Disposition") }}</th><th scope="col">{{ _("Commit") }}</th></tr></thead>
    <tbody>
    {% for c in comments %}
      <tr>
        <th scope="row"><code>{{ c.id }}</code></th>
        <td><a href="#{{ c.anchor }}">{{ c.principle }}</a></td>
        <td>{{ c.who }}</td>
        <td>{{ c.stance }}</td>
        <td><span class="badge fate-{{ c.fate_class }}" title="{{ c.fate_help }}">{{ c.fate }}</span></td>
        <td dir="auto">{% if c.quote %}{{ quoted(c.quote) }}{% if c.new_quote %} → {{ quoted(c.new_quote) }}{% endif %}{% else %}{{ NONE_MARK }}{% endif %}</td>
        <td>{% if c.disposition %}<strong>{{ c.disposition }}</strong>{% if c.rationale %}<br><span dir="auto">{{ c.rationale }}</span>{% endif %}{% else %}<span class="muted">{{ _("awaiting") }}</span>{% endif %}</td>
        <td>{% if c.commit %}<code title="{{ c.commit }}">{{ c.commit_short }}</code>{% else %}{{ NONE_MARK }}{% endif %}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p class="muted">{{ _("No comments.") }}</p>
  {% endif %}
</section>
</main>
<footer class="report">{{ _("Generated by coalition from {frm} to {to}.", frm=frm.full, to=to.full) }}</footer>
{% endblock %}
"""


def _slug(value: str) -> str:
    return "p-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in value)


def _css_class(value: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in value)


def _comment_view(c: dict) -> dict:
    fate = one_line(c.get("fate"))
    quote, new_quote = one_line(c.get("quote")), one_line(c.get("new_quote"))
    return {
        "id": one_line(c.get("id")),
        "principle": one_line(c.get("principle")),
        "anchor": _slug(one_line(c.get("principle"))),
        "who": member_name(c.get("member"), c.get("attribution")),
        "stance": stance_label(c.get("stance")) if c.get("stance") else NONE_MARK,
        "fate": fate_label(fate) if fate else NONE_MARK,
        "fate_class": _css_class(fate),
        "fate_help": fate_help(fate),
        "quote": quote,
        "new_quote": new_quote if new_quote and new_quote != quote else "",
        "text": clean_text(c.get("text")) if c.get("text") else "",
        "lang": one_line(c.get("lang")),
        "disposition": disposition_word(c.get("disposition")) if c.get("disposition") else "",
        "rationale": clean_text(c.get("rationale")) if c.get("rationale") else "",
        "commit": one_line(c.get("commit")),
        "commit_short": short_sha(one_line(c.get("commit"))),
    }


def _view(data: dict) -> dict:
    frm, to = data.get("from") or {}, data.get("to") or {}
    comments = [_comment_view(c) for c in data.get("comments") or []]
    by_principle: dict = {}
    for c in comments:
        by_principle.setdefault(c["principle"], []).append(c)
    principles = []
    for p in data.get("principles") or []:
        ops = p.get("ops") or []
        numbers = move_numbers(ops)
        paras = []
        for para in display_paragraphs(ops):
            segs = []
            for s in para.segments:
                n = numbers.get(s.pair, "") if s.kind in (MOVE_FROM, MOVE_TO) else ""
                segs.append({"kind": s.kind, "text": s.text, "n": f" {n}" if n else ""})
            paras.append({"cls": para.cls, "split": para.split or "", "segs": segs})
        pid = one_line(p.get("id"))
        old_title = one_line(p.get("old_title"))
        title = one_line(p.get("title"))
        status = one_line(p.get("status"))
        principles.append({
            "id": pid, "anchor": _slug(pid), "heading": principle_heading(p),
            "title": title, "old_title": old_title if old_title and old_title != title else "",
            "status": status_label(status), "status_class": _css_class(status),
            "paras": paras, "comments": by_principle.get(pid, []), "version_note": version_note(p),
        })
    st = data.get("stats") or {}
    counts = [
        {"value": st.get(k, 0), "label": label}
        for k, label in (
            ("words_inserted", _("words inserted")), ("words_deleted", _("words deleted")),
            ("paragraphs_added", _("paragraphs added")),
            ("paragraphs_deleted", _("paragraphs deleted")),
            ("paragraphs_moved", _("paragraphs moved")), ("principles_added", _("principles added")),
            ("principles_removed", _("principles removed")),
            ("principles_modified", _("principles modified")),
        )
    ]

    def version(v: dict) -> dict:
        return {"label": one_line(v.get("label") or v.get("rev")) or NONE_MARK,
                "full": version_label(v), "author": one_line(v.get("author"))}

    return {"NONE_MARK": NONE_MARK, "quoted": quoted, "frm": version(frm), "to": version(to), "counts": counts,
            "principles": principles, "comments": comments}


def render(data: dict) -> str:
    from ._html import render_template

    return render_template("changes.html", **_view(data))
