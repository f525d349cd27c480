"""HTML rendering of the "what we heard / what we did" report: one standalone, printable,
accessible file (the page shell and styles of ``_html``).

Members' words are the only text in quotation marks, each in an element that isolates its
direction (``dir="auto"``), so neither markup nor a bidirectional override in a comment can
leave it. Redlines are ``<del>``/``<ins>`` with a visible and a spoken cue, never colour alone.
"""

from __future__ import annotations

from . import _report as r
from ._common import (
    NONE_MARK,
    excluded_where,
    fmt_date,
    fmt_rate,
    plural,
    status_legend,
    known,
    status_label,
    distinction_sections,
    governance_notes,
    governance_section,
)
from ..i18n import _, lang, n_
from ._languages import version_note
from ._common import html_line as one_line

TEMPLATE = """{% extends "base.html" %}
{% macro quote(text, cut=False, lang="") %}<blockquote class="verbatim" dir="auto"{% if lang %} lang="{{ lang }}"{% endif %}><p>{{ q1 }}{{ text }}{{ q2 }}{% if cut %} <span class="muted">[…]</span>{% endif %}</p></blockquote>{% endmacro %}
{% block title %}{{ _("What we heard, what we did — {coalition}", coalition=coalition) }} — {{ _("round {id}", id=rnd.id) }}{% endblock %}
{% block body %}
<header class="report">
  <p class="kicker">{{ _("What we heard · what we did") }}</p>
  <h1><span dir="auto">{{ coalition }}</span>{{ colon() }}{{ _("consultation round {id}", id=rnd.id) }}</h1>
  <p class="muted"><span dir="auto">{{ rnd.title }}</span></p>
</header>
<nav aria-labelledby="h-contents">
  <h2 id="h-contents">{{ _("Contents") }}</h2>
  <ul>
    <li><a href="#h-read">{{ _("How to read this report") }}</a></li>
    <li><a href="#h-summary">{{ _("Executive summary") }}</a></li>
    <li><a href="#h-process">{{ _("The process") }}</a></li>
    <li><a href="#h-who">{{ _("Who took part") }}</a></li>
    <li><a href="#h-method">{{ _("Method") }}</a></li>
    <li><a href="#h-principles">{{ _("Principle by principle") }}</a></li>
    {% for title, paras in distinctions %}<li><a href="#h-distinction-{{ loop.index }}">{{ title }}</a></li>
    {% endfor %}{% if governance[1] %}<li><a href="#h-governance">{{ governance[0] }}</a></li>
    {% endif %}<li><a href="#h-appendix">{{ _("Appendix: check this report yourself") }}</a></li>
  </ul>
</nav>
<main>
<section aria-labelledby="h-read">
  <h2 id="h-read">{{ _("How to read this report") }}</h2>
  {% for para in how_to_read %}<p>{{ para }}</p>{% endfor %}
</section>
<section aria-labelledby="h-summary">
  <h2 id="h-summary">{{ _("Executive summary") }}</h2>
  {% for para in summary %}<p>{{ para }}</p>{% endfor %}
</section>
<section aria-labelledby="h-process">
  <h2 id="h-process">{{ _("The process") }}</h2>
  <table>
    <caption>{{ _("Dates and people of round {id}", id=rnd.id) }}</caption>
    <tbody>
    {% for label, value in process %}<tr><th scope="row">{{ label }}</th><td dir="auto">{{ value }}</td></tr>{% endfor %}
    </tbody>
  </table>
  {% if others %}<p>{{ _("Other rounds of this agenda:") }} {% for x in others %}{{ x.id }} (<span dir="auto">{{ x.title }}</span>, {{ _("opened {when}", when=x.opened) }}){% if not loop.last %}; {% endif %}{% endfor %}.</p>{% endif %}
</section>
<section aria-labelledby="h-who">
  <h2 id="h-who">{{ _("Who took part") }}</h2>
  <p>{{ _("{responded} of {members} voting members took a stance ({rate}).", responded=part.responded, members=part.members, rate=part.rate) }}</p>
  {% if part.sectors %}
  <table>
    <caption>{{ _("Participation by sector") }}</caption>
    <thead><tr><th scope="col">{{ _("Sector") }}</th><th scope="col" class="num">{{ _("Voting members") }}</th><th scope="col" class="num">{{ _("Took part") }}</th><th scope="col" class="num">{{ _("Rate") }}</th></tr></thead>
    <tbody>
    {% for s in part.sectors %}<tr><th scope="row">{{ s.name }}</th><td class="num">{{ s.members }}</td><td class="num">{{ s.responded }}</td><td class="num">{{ s.rate }}</td></tr>{% endfor %}
    </tbody>
  </table>
  {% endif %}
  {% if part.organisations %}<p>{{ _("Organisations that took part:") }}</p>
  <ul>{% for o in part.organisations %}<li><bdi>{{ o }}</bdi></li>{% endfor %}</ul>{% endif %}
  {% if part.unnamed %}<p>{{ part.unnamed }}</p>{% endif %}
</section>
<section aria-labelledby="h-method">
  <h2 id="h-method">{{ _("Method") }}</h2>
  {% for para in method %}<p>{{ para }}</p>{% endfor %}
  {% if excluded %}
  <table>
    <caption>{{ _("Records left out, and why") }}</caption>
    <thead><tr><th scope="col">{{ _("Problem") }}</th><th scope="col">{{ _("Records") }}</th><th scope="col">{{ _("Why") }}</th></tr></thead>
    <tbody>{% for e in excluded %}<tr><td>{{ e.problem }}</td><td>{{ e.where }}</td><td>{{ e.detail }}</td></tr>{% endfor %}</tbody>
  </table>
  {% endif %}
  <h3 id="h-legend">{{ _("What the statuses mean") }}</h3>
  <dl class="legend-list">
  {% for status, meaning in legend %}<dt><span class="badge st-{{ status }}">{{ status_label(status) }}</span></dt><dd>{{ meaning }}</dd>{% endfor %}
  </dl>
</section>
<section aria-labelledby="h-principles" class="break">
  <h2 id="h-principles">{{ _("Principle by principle") }}</h2>
  {% for p in principles %}
  <article class="principle{% if not loop.first %} break{% endif %}" id="{{ p.anchor }}" aria-labelledby="{{ p.anchor }}-h">
    <h3 id="{{ p.anchor }}-h"><span>{{ p.id }}</span> <span dir="auto"{% if p.text_lang %} lang="{{ p.text_lang }}"{% endif %}>{{ p.title }}</span> <span class="badge st-{{ p.status }}">{{ status_label(p.status) }}</span></h3>
    <p class="muted">{{ p.stance_line }}</p>
    {% for note in p.notes %}<p class="governance" dir="auto">{{ note }}</p>{% endfor %}
    {% if p.versions %}
    <div class="side-by-side" role="group" aria-label="{{ _("The principle in each language") }}">
    {% for v in p.versions %}<div lang="{{ v.lang }}"><h4 lang="{{ page_lang }}">{{ v.language }}</h4><p dir="auto"><strong>{{ v.title }}</strong></p>{% if v.note %}<p class="note" lang="{{ page_lang }}">{{ v.note }}</p>{% endif %}{% for para in v.paragraphs %}<p dir="auto">{{ para }}</p>{% endfor %}</div>{% endfor %}
    </div>
    {% elif p.version_note %}<p class="note">{{ p.version_note }}</p>{% endif %}
    <h4 id="{{ p.anchor }}-heard">{{ _("What members told us") }}</h4>
    {% if p.heard %}
    <ul class="items" aria-labelledby="{{ p.anchor }}-heard">
    {% for i in p.heard %}
      <li id="{{ p.anchor }}-{{ i.ref }}">
        <p><span class="ref">{{ i.ref }}</span> · <bdi class="who">{{ i.who }}</bdi> · {{ i.stance }}{% if i.comment %} <span class="muted">· {{ _("comment") }} <code>{{ i.comment }}</code></span>{% endif %}</p>
        {% if i.on %}<p class="muted">{{ _("On the passage:") }}</p>{{ quote(i.on, lang=i.lang) }}{% endif %}
        {% for q in i.quotes %}{{ quote(q, i.cut and loop.last, i.lang) }}{% else %}<p class="muted"><em>{{ _("No text: the member gave a stance only.") }}</em></p>{% endfor %}
        {% if i.proposal %}<p class="muted">{{ _("Proposed wording:") }}</p>{{ quote(i.proposal, lang=i.lang) }}{% endif %}
        {% if i.endorsed_by %}<p class="muted">{{ _m("Endorsed by {names}.", names=bdi(i.endorsed_by)) }}</p>{% endif %}
      </li>
    {% endfor %}
    </ul>
    {% elif not p.confidential_line %}<p class="muted">{{ _("No comments on this principle.") }}</p>{% endif %}
    {% if p.confidential_line %}<p class="note">{{ p.confidential_line }}</p>{% endif %}
    <h4>{{ _("What the coalition did") }}</h4>
    {% if p.did %}
    <ul>{% for d in p.did %}<li><span class="ref">{{ d.ref }}</span>{{ colon() }}<span dir="auto">{{ d.line }}</span>{% if d.ack %} {{ d.ack }}{% endif %}</li>{% endfor %}</ul>
    {% endif %}
    {% if p.excerpt %}
    <p>{{ _m("Change to the text ({inserted}, {deleted}):", inserted=ins(_("inserted")), deleted=dele(_("deleted"))) }}</p>
    <div class="redline redline-excerpt">
    {% for para in p.excerpt %}
      <p dir="auto"{% if para.cls %} class="{{ para.cls }}"{% endif %}>{% if para.cls == "added" %}<span class="sr-only">{{ _("New paragraph:") }} </span>{% elif para.cls == "deleted" %}<span class="sr-only">{{ _("Removed paragraph:") }} </span>{% endif %}
      {%- for s in para.segs -%}
      {%- if s.kind == "insert" -%}<ins>{{ s.text }}</ins>
      {%- elif s.kind == "delete" -%}<del>{{ s.text }}</del>
      {%- elif s.kind == "move-from" -%}<del class="move"><span class="move-note">{{ _("moved from here") }}</span>{{ s.text }}</del>
      {%- elif s.kind == "move-to" -%}<ins class="move"><span class="move-note">{{ _("moved here") }}</span>{{ s.text }}</ins>
      {%- else -%}{{ s.text }}{%- endif -%}
      {%- endfor -%}</p>
    {% endfor %}
    </div>
    {% else %}<p>{{ _("The text of this principle was not changed.") }}</p>{% endif %}
    <p><strong>{{ _("Dissent that remains:") }}</strong> {{ p.dissent }}</p>
  </article>
  {% endfor %}
</section>
{% for title, paras in distinctions %}
<section aria-labelledby="h-distinction-{{ loop.index }}">
  <h2 id="h-distinction-{{ loop.index }}">{{ title }}</h2>
  {% for para in paras %}<p dir="auto">{{ para }}</p>{% endfor %}
</section>
{% endfor %}
{% if governance[1] %}
<section aria-labelledby="h-governance">
  <h2 id="h-governance">{{ governance[0] }}</h2>
  {% for para in governance[1] %}<p dir="auto">{{ para|links }}</p>{% endfor %}
</section>
{% endif %}
<section aria-labelledby="h-appendix" class="break">
  <h2 id="h-appendix">{{ _("Appendix: check this report yourself") }}</h2>
  <p>{{ _m("Built from commit {commit} of the coalition's repository", commit=code(v.commit)) }}{% if v.draft %}; {{ _m("the round's draft is {draft} (tag {tag})", draft=code(v.draft), tag=code(v.draft_tag)) }}{% endif %}.</p>
  {% if v.closing %}
  <table>
    <caption>{{ _("The round's closing manifest") }}</caption>
    <tbody>
      <tr><th scope="row">{{ _("File") }}</th><td><code>{{ v.closing.path }}</code></td></tr>
      <tr><th scope="row">SHA-256</th><td><code>{{ v.closing.sha256 }}</code></td></tr>
      <tr><th scope="row">{{ _("Git blob") }}</th><td><code>{{ v.closing.blob }}</code></td></tr>
      <tr><th scope="row">{{ _("Records listed") }}</th><td>{{ v.closing.records }}</td></tr>
      <tr><th scope="row">{{ _("Signed by") }}</th><td>{{ v.closing.closed_by }}</td></tr>
    </tbody>
  </table>
  {% endif %}
  <p>{{ _("Commands, run in a copy of the repository:") }}</p>
  <ol class="commands">
  {% for c in v.commands %}<li>{{ _(c.what) }}{{ colon().rstrip() }}<pre><code>{{ c.command }}</code></pre></li>{% endfor %}
  </ol>
  {% if v.phrases %}
  <table>
    <caption>{{ _("The phrase to search for each quoted comment") }}</caption>
    <thead><tr><th scope="col">{{ _("Comment") }}</th><th scope="col">PHRASE</th><th scope="col">{{ _("Record") }}</th></tr></thead>
    <tbody>{% for x in v.phrases %}<tr><th scope="row">{{ x.ref }}</th><td dir="auto">{{ x.phrase }}</td><td>{% if x.path %}<code>{{ x.path }}</code>{% else %}{{ NONE_MARK }}{% endif %}</td></tr>{% endfor %}</tbody>
  </table>
  {% endif %}
</section>
</main>
<footer class="report">{{ _m("Generated from commit {commit} at {when} by coalition.", commit=code(generated_from), when=generated_at) }}</footer>
{% endblock %}
"""


def _view(data: dict) -> dict:
    rnd = data.get("round") or {}
    stances = list(data.get("stances") or [])
    part = data.get("participation") or {}
    principles = []
    for p in data.get("principles") or []:
        pid = one_line(p.get("id"))
        heard = []
        for i in p.get("heard") or []:
            if i.get("attribution") == "confidential":
                continue
            heard.append({
                "ref": one_line(i.get("ref")), "who": r.who(i),
                "stance": r.stance_word(i.get("stance")),
                "comment": one_line(i.get("comment")), "on": one_line(i.get("on")),
                "quotes": [one_line(q) for q in i.get("quotes") or []], "cut": bool(i.get("cut")),
                "proposal": one_line(i.get("proposal")), "lang": one_line(i.get("lang")),
                "endorsed_by": ", ".join(one_line(e) if e else _("a member who asked to stay anonymous")
                                         for e in i.get("endorsed_by") or []),
            })
        excerpt = [{"cls": para.cls, "segs": [{"kind": s.kind, "text": s.text} for s in para.segments]}
                   for para in r.excerpt((p.get("change") or {}).get("ops") or [])]
        dissent = p.get("dissent") or []
        if dissent:
            dissent_text = "; ".join(
                f"{d.get('ref')} ({r.dissent_why(d)})"
                for d in dissent) + "."
        elif p.get("opposed"):
            dissent_text = _("{members} opposed.", members=plural(p["opposed"], "member"))
        else:
            dissent_text = _("none.")
        principles.append({
            "id": pid, "anchor": "p-" + "".join(ch if ch.isalnum() else "-" for ch in pid),
            "title": one_line(p.get("title")), "status": one_line(p.get("status")),
            "stance_line": r.stance_line(p, stances), "heard": heard,
            "version_note": version_note(p),
            "versions": [{**v, "title": one_line(v["title"]),
                          "paragraphs": [one_line(x) for x in (v.get("text") or "").split("\n\n")
                                         if x.strip()]} for v in p.get("versions") or []],
            "text_lang": p.get("text_lang") if p.get("text_lang") not in (None, lang()) else "",
            "notes": governance_notes(p),
            "confidential_line": r.confidential_line(p),
            "did": [{"ref": one_line(i.get("ref")), "line": r.did_line(i), "ack": r.ack_line(i)}
                    for i in p.get("heard") or []],
            "excerpt": excerpt, "dissent": dissent_text,
        })
    v = data.get("verification") or {}
    excluded = (data.get("method") or {}).get("excluded") or []
    unnamed = part.get("unnamed") or 0
    return {
        "NONE_MARK": NONE_MARK,
        "coalition": one_line(data.get("coalition")),
        "rnd": {"id": one_line(rnd.get("id")), "title": one_line(rnd.get("title"))},
        "how_to_read": r.how_to_read(data), "summary": r.executive_summary(data),
        "process": r.process_rows(data),
        "others": [{"id": one_line(x.get("id")), "title": one_line(x.get("title")),
                    "opened": fmt_date(x.get("opened_at"))}
                   for x in data.get("rounds") or [] if x.get("id") != rnd.get("id")],
        "part": {"members": part.get("members", 0), "responded": part.get("responded", 0),
                 "rate": fmt_rate(part.get("responded", 0), part.get("members", 0)),
                 "sectors": [{"name": one_line(k), "members": s.get("members", 0),
                              "responded": s.get("responded", 0),
                              "rate": fmt_rate(s.get("responded", 0), s.get("members", 0))}
                             for k, s in (part.get("by_sector") or {}).items()],
                 "organisations": [one_line(o) for o in part.get("organisations") or []],
                 "unnamed": n_("{n} other organisation took part without being named, because they "
                               "asked for anonymity or confidentiality.",
                               "{n} other organisations took part without being named, because "
                               "they asked for anonymity or confidentiality.", unnamed)
                 if unnamed else ""},
        "method": r.method_paragraphs(data),
        "excluded": [{"problem": one_line(e.get("problem")), "where": excluded_where(e),
                      "detail": known(e.get("detail"))} for e in excluded],
        "legend": status_legend((data.get("method") or {}).get("rule")),
        "page_lang": lang(),
        **({"bilingual": True} if any(p.get("versions") for p in data.get("principles") or [])
           else {}),
        "status_label": status_label, "q1": r.quote_marks()[0], "q2": r.quote_marks()[1],
        "ins": _ins, "dele": _del, "bdi": _bdi,
        "governance": governance_section(data),
        "distinctions": distinction_sections(data),
        "principles": principles,
        "v": {"commit": one_line(v.get("commit")), "draft": one_line(v.get("draft")),
              "draft_tag": one_line(v.get("draft_tag")), "closing": v.get("closing"),
              "commands": v.get("commands") or [],
              "phrases": [{"ref": one_line(x.get("ref")), "phrase": one_line(x.get("phrase")),
                           "path": one_line(x.get("path"))} for x in v.get("phrases") or []]},
        "generated_from": one_line(data.get("generated_from")) or NONE_MARK,
        "generated_at": fmt_date(data.get("generated_at")),
    }


def _ins(text: str):  # noqa: ANN202
    from markupsafe import Markup

    return Markup("<ins>{}</ins>").format(text)


def _bdi(text: str):  # noqa: ANN202
    from markupsafe import Markup

    return Markup("<bdi>{}</bdi>").format(text)


def _del(text: str):  # noqa: ANN202
    from markupsafe import Markup

    return Markup("<del>{}</del>").format(text)


def render(data: dict) -> str:
    from ._html import render_template

    return render_template("report.html", **_view(data))

