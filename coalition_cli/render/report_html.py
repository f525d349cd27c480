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
    distinction_sections,
    governance_notes,
    governance_section,
)
from ._common import html_line as one_line

TEMPLATE = """{% extends "base.html" %}
{% macro quote(text, cut=False) %}<blockquote class="verbatim" dir="auto"><p>“{{ text }}”{% if cut %} <span class="muted">[…]</span>{% endif %}</p></blockquote>{% endmacro %}
{% block title %}What we heard, what we did — {{ coalition }} — round {{ rnd.id }}{% endblock %}
{% block body %}
<header class="report">
  <p class="kicker">What we heard · what we did</p>
  <h1><span dir="auto">{{ coalition }}</span>: consultation round {{ rnd.id }}</h1>
  <p class="muted"><span dir="auto">{{ rnd.title }}</span></p>
</header>
<nav aria-labelledby="h-contents">
  <h2 id="h-contents">Contents</h2>
  <ul>
    <li><a href="#h-read">How to read this report</a></li>
    <li><a href="#h-summary">Executive summary</a></li>
    <li><a href="#h-process">The process</a></li>
    <li><a href="#h-who">Who took part</a></li>
    <li><a href="#h-method">Method</a></li>
    <li><a href="#h-principles">Principle by principle</a></li>
    {% for title, paras in distinctions %}<li><a href="#h-distinction-{{ loop.index }}">{{ title }}</a></li>
    {% endfor %}{% if governance[1] %}<li><a href="#h-governance">{{ governance[0] }}</a></li>
    {% endif %}<li><a href="#h-appendix">Appendix: check this report yourself</a></li>
  </ul>
</nav>
<main>
<section aria-labelledby="h-read">
  <h2 id="h-read">How to read this report</h2>
  {% for para in how_to_read %}<p>{{ para }}</p>{% endfor %}
</section>
<section aria-labelledby="h-summary">
  <h2 id="h-summary">Executive summary</h2>
  {% for para in summary %}<p>{{ para }}</p>{% endfor %}
</section>
<section aria-labelledby="h-process">
  <h2 id="h-process">The process</h2>
  <table>
    <caption>Dates and people of round {{ rnd.id }}</caption>
    <tbody>
    {% for label, value in process %}<tr><th scope="row">{{ label }}</th><td dir="auto">{{ value }}</td></tr>{% endfor %}
    </tbody>
  </table>
  {% if others %}<p>Other rounds of this agenda: {% for x in others %}{{ x.id }} (<span dir="auto">{{ x.title }}</span>, opened {{ x.opened }}){% if not loop.last %}; {% endif %}{% endfor %}.</p>{% endif %}
</section>
<section aria-labelledby="h-who">
  <h2 id="h-who">Who took part</h2>
  <p>{{ part.responded }} of {{ part.members }} voting members took a stance ({{ part.rate }}).</p>
  {% if part.sectors %}
  <table>
    <caption>Participation by sector</caption>
    <thead><tr><th scope="col">Sector</th><th scope="col" class="num">Voting members</th><th scope="col" class="num">Took part</th><th scope="col" class="num">Rate</th></tr></thead>
    <tbody>
    {% for s in part.sectors %}<tr><th scope="row">{{ s.name }}</th><td class="num">{{ s.members }}</td><td class="num">{{ s.responded }}</td><td class="num">{{ s.rate }}</td></tr>{% endfor %}
    </tbody>
  </table>
  {% endif %}
  {% if part.organisations %}<p>Organisations that took part:</p>
  <ul>{% for o in part.organisations %}<li><bdi>{{ o }}</bdi></li>{% endfor %}</ul>{% endif %}
  {% if part.unnamed %}<p>{{ part.unnamed }}, because they asked for anonymity or confidentiality.</p>{% endif %}
</section>
<section aria-labelledby="h-method">
  <h2 id="h-method">Method</h2>
  {% for para in method %}<p>{{ para }}</p>{% endfor %}
  {% if excluded %}
  <table>
    <caption>Records left out, and why</caption>
    <thead><tr><th scope="col">Problem</th><th scope="col">Records</th><th scope="col">Why</th></tr></thead>
    <tbody>{% for e in excluded %}<tr><td>{{ e.problem }}</td><td>{{ e.where }}</td><td>{{ e.detail }}</td></tr>{% endfor %}</tbody>
  </table>
  {% endif %}
  <h3 id="h-legend">What the statuses mean</h3>
  <dl class="legend-list">
  {% for status, meaning in legend %}<dt><span class="badge st-{{ status }}">{{ status }}</span></dt><dd>{{ meaning }}</dd>{% endfor %}
  </dl>
</section>
<section aria-labelledby="h-principles" class="break">
  <h2 id="h-principles">Principle by principle</h2>
  {% for p in principles %}
  <article class="principle{% if not loop.first %} break{% endif %}" id="{{ p.anchor }}" aria-labelledby="{{ p.anchor }}-h">
    <h3 id="{{ p.anchor }}-h"><span>{{ p.id }}</span> <span dir="auto">{{ p.title }}</span> <span class="badge st-{{ p.status }}">{{ p.status }}</span></h3>
    <p class="muted">{{ p.stance_line }}</p>
    {% for note in p.notes %}<p class="governance" dir="auto">{{ note }}</p>{% endfor %}
    <h4 id="{{ p.anchor }}-heard">What members told us</h4>
    {% if p.heard %}
    <ul class="items" aria-labelledby="{{ p.anchor }}-heard">
    {% for i in p.heard %}
      <li id="{{ p.anchor }}-{{ i.ref }}">
        <p><span class="ref">{{ i.ref }}</span> · <bdi class="who">{{ i.who }}</bdi> · {{ i.stance }}{% if i.comment %} <span class="muted">· comment <code>{{ i.comment }}</code></span>{% endif %}</p>
        {% if i.on %}<p class="muted">On the passage:</p>{{ quote(i.on) }}{% endif %}
        {% for q in i.quotes %}{{ quote(q, i.cut and loop.last) }}{% else %}<p class="muted"><em>No text: the member gave a stance only.</em></p>{% endfor %}
        {% if i.proposal %}<p class="muted">Proposed wording:</p>{{ quote(i.proposal) }}{% endif %}
        {% if i.endorsed_by %}<p class="muted">Endorsed by <bdi>{{ i.endorsed_by }}</bdi>.</p>{% endif %}
      </li>
    {% endfor %}
    </ul>
    {% elif not p.confidential_line %}<p class="muted">No comments on this principle.</p>{% endif %}
    {% if p.confidential_line %}<p class="note">{{ p.confidential_line }}</p>{% endif %}
    <h4>What the coalition did</h4>
    {% if p.did %}
    <ul>{% for d in p.did %}<li><span class="ref">{{ d.ref }}</span>: <span dir="auto">{{ d.line }}</span>{% if d.ack %} {{ d.ack }}{% endif %}</li>{% endfor %}</ul>
    {% endif %}
    {% if p.excerpt %}
    <p>Change to the text (<ins>inserted</ins>, <del>deleted</del>):</p>
    <div class="redline redline-excerpt">
    {% for para in p.excerpt %}
      <p dir="auto"{% if para.cls %} class="{{ para.cls }}"{% endif %}>{% if para.cls == "added" %}<span class="sr-only">New paragraph: </span>{% elif para.cls == "deleted" %}<span class="sr-only">Removed paragraph: </span>{% endif %}
      {%- for s in para.segs -%}
      {%- if s.kind == "insert" -%}<ins>{{ s.text }}</ins>
      {%- elif s.kind == "delete" -%}<del>{{ s.text }}</del>
      {%- elif s.kind == "move-from" -%}<del class="move"><span class="move-note">moved from here</span>{{ s.text }}</del>
      {%- elif s.kind == "move-to" -%}<ins class="move"><span class="move-note">moved here</span>{{ s.text }}</ins>
      {%- else -%}{{ s.text }}{%- endif -%}
      {%- endfor -%}</p>
    {% endfor %}
    </div>
    {% else %}<p>The text of this principle was not changed.</p>{% endif %}
    <p><strong>Dissent that remains:</strong> {{ p.dissent }}</p>
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
  {% for para in governance[1] %}<p dir="auto">{{ para }}</p>{% endfor %}
</section>
{% endif %}
<section aria-labelledby="h-appendix" class="break">
  <h2 id="h-appendix">Appendix: check this report yourself</h2>
  <p>Built from commit <code>{{ v.commit }}</code> of the coalition's repository{% if v.draft %}; the round's draft is <code>{{ v.draft }}</code> (tag <code>{{ v.draft_tag }}</code>){% endif %}.</p>
  {% if v.closing %}
  <table>
    <caption>The round's closing manifest</caption>
    <tbody>
      <tr><th scope="row">File</th><td><code>{{ v.closing.path }}</code></td></tr>
      <tr><th scope="row">SHA-256</th><td><code>{{ v.closing.sha256 }}</code></td></tr>
      <tr><th scope="row">Git blob</th><td><code>{{ v.closing.blob }}</code></td></tr>
      <tr><th scope="row">Records listed</th><td>{{ v.closing.records }}</td></tr>
      <tr><th scope="row">Signed by</th><td>{{ v.closing.closed_by }}</td></tr>
    </tbody>
  </table>
  {% endif %}
  <p>Commands, run in a copy of the repository:</p>
  <ol class="commands">
  {% for c in v.commands %}<li>{{ c.what }}:<pre><code>{{ c.command }}</code></pre></li>{% endfor %}
  </ol>
  {% if v.phrases %}
  <table>
    <caption>The phrase to search for each quoted comment</caption>
    <thead><tr><th scope="col">Comment</th><th scope="col">PHRASE</th><th scope="col">Record</th></tr></thead>
    <tbody>{% for x in v.phrases %}<tr><th scope="row">{{ x.ref }}</th><td dir="auto">{{ x.phrase }}</td><td>{% if x.path %}<code>{{ x.path }}</code>{% else %}{{ NONE_MARK }}{% endif %}</td></tr>{% endfor %}</tbody>
  </table>
  {% endif %}
</section>
</main>
<footer class="report">Generated from commit <code>{{ generated_from }}</code> at {{ generated_at }} by coalition.</footer>
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
                "stance": r.STANCE_WORDS.get(str(i.get("stance")), one_line(i.get("stance"))),
                "comment": one_line(i.get("comment")), "on": one_line(i.get("on")),
                "quotes": [one_line(q) for q in i.get("quotes") or []], "cut": bool(i.get("cut")),
                "proposal": one_line(i.get("proposal")),
                "endorsed_by": ", ".join(one_line(e) if e else "a member who asked to stay anonymous"
                                         for e in i.get("endorsed_by") or []),
            })
        excerpt = [{"cls": para.cls, "segs": [{"kind": s.kind, "text": s.text} for s in para.segments]}
                   for para in r.excerpt((p.get("change") or {}).get("ops") or [])]
        dissent = p.get("dissent") or []
        if dissent:
            dissent_text = "; ".join(
                f"{d.get('ref')} ({'block' if d.get('why') == 'block' else 'objection maintained after the answer'})"
                for d in dissent) + "."
        elif p.get("opposed"):
            dissent_text = f"{plural(p['opposed'], 'member')} opposed."
        else:
            dissent_text = "none."
        principles.append({
            "id": pid, "anchor": "p-" + "".join(ch if ch.isalnum() else "-" for ch in pid),
            "title": one_line(p.get("title")), "status": one_line(p.get("status")),
            "stance_line": r.stance_line(p, stances), "heard": heard,
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
                 "unnamed": plural(unnamed, "other organisation") + " took part without being named"
                 if unnamed else ""},
        "method": r.method_paragraphs(data),
        "excluded": [{"problem": one_line(e.get("problem")), "where": excluded_where(e),
                      "detail": one_line(e.get("detail"))} for e in excluded],
        "legend": status_legend((data.get("method") or {}).get("rule")),
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


def render(data: dict) -> str:
    from ._html import render_template

    return render_template("report.html", **_view(data))

