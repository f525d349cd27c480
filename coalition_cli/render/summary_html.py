"""HTML rendering of a consultation summary: one standalone, printable,
accessible file with an inline SVG chart of stances per principle.

All values reach the page through jinja2 with autoescaping on; the chart's
geometry is computed here, its labels are escaped by the template.
"""

from __future__ import annotations

import math

from ._common import (
    CONFIDENTIAL_NOTE,
    NO_TEXT,
    NONE_MARK,
    ack_label,
    disposition_label,
    excluded_where,
    fmt_date,
    fmt_rate,
    fmt_share,
    member_name,
    plural,
    round_dates,
    short_sha,
    status_legend,
    known,
    stance_label,
    status_label,
    confidential_note,
    governance_notes,
    governance_section,
)
from ..i18n import _, lang, n_
from ._languages import version_note
from ._common import html_line as one_line
from ._common import html_text as clean_text


def _answer_view(c: dict) -> dict:
    return {"disposition": disposition_label(c.get("disposition")),
            "rationale": clean_text(c.get("rationale")) if c.get("rationale") else "",
            "commit": one_line(c.get("commit")), "commit_short": short_sha(one_line(c.get("commit"))),
            "ack": ack_label(c.get("ack"))}


def _counts_line(p: dict) -> str:
    line = (plural(p.get("comments", 0), "comment") + " · "
            + _("support share {share}", share=fmt_share(p.get("support_share"))))
    if p.get("voices") is not None:
        line += f" · {plural(p['voices'], 'member voice')}"
        if p.get("endorsements"):
            line += " " + _("({endorsements} of another member's comment)",
                            endorsements=plural(p["endorsements"], "endorsement"))
    return line


def _other_lang(p: dict) -> str:
    """The principle's shown language when it is not the page's (for a ``lang`` attribute)."""
    shown = p.get("text_lang")
    return shown if shown and shown != lang() else ""


def _paragraphs(text: str) -> list[list[str]]:
    import re

    return [[line for line in para.split("\n") if line.strip()]
            for para in re.split(r"\n\s*\n", clean_text(text)) if para.strip()]

TEMPLATE = """{% extends "base.html" %}
{% block title %}{{ _("Consultation summary — round {id}", id=rnd.id) }}{% if coalition %} — {{ coalition }}{% endif %}{% endblock %}
{% macro answer(c) %}<p class="answer"><span class="label">{{ _("Answer") }}</span><strong>{{ c.disposition }}</strong>{% if c.rationale %} — <span dir="auto">{{ c.rationale }}</span>{% endif %}{% if c.commit %} <span class="muted">({{ _("implemented in") }} <code title="{{ c.commit }}">{{ c.commit_short }}</code>)</span>{% endif %}</p>
{% if c.ack %}<p class="ack"><span class="label">{{ _("Acknowledgement") }}</span>{{ _("The commenter {ack}.", ack=c.ack) }}</p>{% endif %}{% endmacro %}
{% block body %}
<header class="report">
  <p class="kicker">{{ _("Consultation summary") }}{% if coalition %} · {{ coalition }}{% endif %}</p>
  <h1>{{ _("Round {id}", id=rnd.id) }}{% if rnd.title %}{{ colon() }}<span dir="auto">{{ rnd.title }}</span>{% endif %}</h1>
  <dl class="meta">
    <div><dt>{{ _("Status") }}</dt><dd>{{ rnd.status }}</dd></div>
    {% for label, value in rnd.dates %}<div><dt>{{ label }}</dt><dd>{{ value }}</dd></div>{% endfor %}
    <div><dt>{{ _("Draft") }}</dt><dd><code title="{{ rnd.draft }}">{{ rnd.draft_short }}</code></dd></div>
    {% if rnd.facilitators %}<div><dt>{{ _("Facilitated by") }}</dt><dd><bdi>{{ rnd.facilitators }}</bdi></dd></div>{% endif %}
  </dl>
</header>
<main>
<section aria-labelledby="h-participation">
  <h2 id="h-participation">{{ _("Participation") }}</h2>
  <ul class="cards">
    <li><span class="num">{{ part.responded }} / {{ part.members }}</span><span class="lbl">{{ _("voting members responded ({rate})", rate=part.rate) }}</span></li>
    <li><span class="num">{{ totals.comments }}</span><span class="lbl">{{ _("effective comments") }}</span></li>
    <li><span class="num">{{ totals.amendments }}</span><span class="lbl">{{ _("proposed amendments") }}</span></li>
    <li><span class="num">{{ totals.blocks }}</span><span class="lbl">{{ _("blocks") }}</span></li>
  </ul>
  {% if part.sectors %}
  <table id="participation">
    <caption>{{ _("Responses by sector") }}</caption>
    <thead><tr><th scope="col">{{ _("Sector") }}</th><th scope="col" class="num">{{ _("Voting members") }}</th><th scope="col" class="num">{{ _("Responded") }}</th><th scope="col" class="num">{{ _("Rate") }}</th></tr></thead>
    <tbody>
    {% for s in part.sectors %}
      <tr><th scope="row">{{ s.name }}</th><td class="num">{{ s.members }}</td><td class="num">{{ s.responded }}</td><td class="num">{{ s.rate }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% endif %}
</section>

<section aria-labelledby="h-principles">
  <h2 id="h-principles">{{ _("Principles") }}</h2>
  <figure>
    <ul class="legend" aria-hidden="true">
    {% for s in stances %}<li><span class="swatch" style="background: {{ s.fill }}"></span>{{ s.label }}</li>{% endfor %}
    </ul>
    <svg role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {{ chart.width }} {{ chart.height }}" width="{{ chart.width }}" height="{{ chart.height }}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif" font-size="12">
      <title id="chart-title">{{ _("Stances of members per principle") }}</title>
      <desc id="chart-desc">{{ chart.desc }}</desc>
      {% for t in chart.ticks %}
      <line x1="{{ t.x }}" y1="{{ chart.top - 4 }}" x2="{{ t.x }}" y2="{{ chart.axis_y }}" stroke="#d1d9e0" stroke-width="1"/>
      <text x="{{ t.x }}" y="{{ chart.axis_y + 14 }}" text-anchor="middle" fill="#59636e">{{ t.value }}</text>
      {% endfor %}
      <text x="{{ chart.bar_right }}" y="{{ chart.axis_y + 30 }}" text-anchor="end" fill="#59636e">{{ _("members ({scale})", scale=chart.scale_note) }}</text>
      {% for row in chart.rows %}
      <g>
        <title>{{ row.summary }}</title>
        <text x="{{ chart.label_w - 10 }}" y="{{ row.text_y }}" text-anchor="end" fill="#1f2328"><tspan font-weight="700">{{ row.id }}</tspan> {{ row.short_title }}</text>
        {% if not row.segments %}
        <text x="{{ chart.label_w + 4 }}" y="{{ row.text_y }}" fill="#59636e" font-style="italic">{{ _("no stances") }}</text>
        {% endif %}
        {% for seg in row.segments %}
        <rect x="{{ seg.x }}" y="{{ row.y }}" width="{{ seg.w }}" height="{{ chart.bar_h }}" fill="{{ seg.fill }}" stroke="#ffffff" stroke-width="1"><title>{{ seg.title }}</title></rect>
        {% if seg.show %}<text x="{{ seg.cx }}" y="{{ row.text_y }}" text-anchor="middle" fill="{{ seg.ink }}" font-weight="600" aria-hidden="true">{{ seg.count }}</text>{% endif %}
        {% endfor %}
      </g>
      {% endfor %}
    </svg>
    <figcaption>{{ _("Members' stances per principle (one voice per member). The table below gives the same figures.") }}</figcaption>
  </figure>

  <table id="principles">
    <caption>{{ _("Stances, support share and consensus status per principle") }}</caption>
    <thead>
      <tr>
        <th scope="col">{{ _("Principle") }}</th><th scope="col" class="title">{{ _("Title") }}</th><th scope="col" class="num">{{ _("Comments") }}</th>
        {% for s in stances %}<th scope="col" class="num">{{ s.label }}</th>{% endfor %}
        <th scope="col" class="num">{{ _("Support share") }}</th><th scope="col">{{ _("Status") }}</th>
      </tr>
    </thead>
    <tbody>
    {% for p in principles %}
      <tr>
        <th scope="row"><a href="#{{ p.anchor }}">{{ p.id }}</a></th>
        <td class="title" dir="auto">{{ p.title }}</td>
        <td class="num">{{ p.comments }}</td>
        {% for n in p.counts %}<td class="num">{{ n }}</td>{% endfor %}
        <td class="num">{{ p.share }}</td>
        <td><span class="badge st-{{ p.status_class }}">{{ p.status }}</span></td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  <p class="note">{{ _("Support share = (support + amend) ÷ (support + amend + oppose + block); neutral abstains. {none} means no member took a voting stance.", none=NONE_MARK) }}</p>
  <h3 id="h-legend">{{ _("How to read the statuses") }}</h3>
  <dl class="legend-list">
  {% for status, meaning in legend %}<dt><span class="badge st-{{ status }}">{{ status_label(status) }}</span></dt><dd>{{ meaning }}</dd>{% endfor %}
  </dl>
</section>

<section aria-labelledby="h-detail">
  <h2 id="h-detail">{{ _("Principle by principle") }}</h2>
  {% for p in principles %}
  <article class="principle" id="{{ p.anchor }}" aria-labelledby="{{ p.anchor }}-h">
    <h3 id="{{ p.anchor }}-h"><span>{{ p.id }}</span> <span dir="auto"{% if p.text_lang %} lang="{{ p.text_lang }}"{% endif %}>{{ p.title }}</span> <span class="badge st-{{ p.status_class }}">{{ p.status }}</span></h3>
    <p class="muted">{{ p.counts_line }}</p>
    {% for note in p.notes %}<p class="governance" dir="auto">{{ note }}</p>{% endfor %}
    {% if p.version_note %}<p class="note">{{ p.version_note }}</p>{% endif %}
    {% if p.versions and p.text %}
    <div class="side-by-side" role="group" aria-label="{{ _("Text at the round's draft") }}">
    {% for v in p.versions %}<div lang="{{ v.lang }}"><h4 lang="{{ page_lang }}">{{ v.language }}</h4><p dir="auto"><strong>{{ v.title }}</strong></p>{% if v.note %}<p class="note" lang="{{ page_lang }}">{{ v.note }}</p>{% endif %}{% for para in v.paragraphs %}<p dir="auto">{% for line in para %}{{ line }}{% if not loop.last %}<br>{% endif %}{% endfor %}</p>{% endfor %}</div>{% endfor %}
    </div>
    {% elif p.text %}
    <details class="principle-text" open><summary>{{ _("Text at the round's draft") }}</summary>
    {% for para in p.text %}<p dir="auto"{% if p.text_lang %} lang="{{ p.text_lang }}"{% endif %}>{% for line in para %}{{ line }}{% if not loop.last %}<br>{% endif %}{% endfor %}</p>{% endfor %}
    </details>
    {% endif %}
    {% if p.amendments %}
    <h4>{{ _("Proposed amendments") }}</h4>
    <ul class="items">
    {% for a in p.amendments %}
      <li>
        <bdi class="who">{{ a.who }}</bdi> <span class="muted">· {{ _("comment") }} <code>{{ a.comment }}</code></span>
        {% if a.confidential %}<p class="muted"><em>{{ a.note }}</em></p>{% endif %}
        {% if a.quote %}<blockquote dir="auto"{% if a.lang %} lang="{{ a.lang }}"{% endif %}><span class="label">{{ _("Replace") }}</span>{{ a.quote }}</blockquote>{% endif %}
        {% if a.proposed %}<blockquote class="proposal" dir="auto"{% if a.lang %} lang="{{ a.lang }}"{% endif %}><span class="label">{% if a.quote %}{{ _("With") }}{% else %}{{ _("Proposed text") }}{% endif %}</span>{{ a.proposed }}</blockquote>{% endif %}
      </li>
    {% endfor %}
    </ul>
    {% endif %}
    {% if p.blocks %}
    <h4>{{ _("Blocks") }}</h4>
    <ul class="items">
    {% for b in p.blocks %}
      <li>
        <bdi class="who">{{ b.who }}</bdi> <span class="muted">· {{ _("comment") }} <code>{{ b.comment }}</code></span>
        {% if b.text %}<blockquote class="block" dir="auto"{% if b.lang %} lang="{{ b.lang }}"{% endif %}>{{ b.text }}</blockquote>{% elif b.confidential %}<p class="muted"><em>{{ b.note }}</em></p>{% else %}<p class="muted"><em>{{ _(NO_TEXT) }}</em></p>{% endif %}
      </li>
    {% endfor %}
    </ul>
    {% endif %}
    {% if p.quotes %}
    <h4>{{ _("Comments and answers") }}</h4>
    <ul class="items">
    {% for q in p.quotes %}
      <li>
        <bdi class="who">{{ q.who }}</bdi> <span class="muted">· {{ q.stance }} · {{ _("comment") }} <code>{{ q.comment }}</code></span>
        {% if q.quote %}<blockquote dir="auto"{% if q.lang %} lang="{{ q.lang }}"{% endif %}><span class="label">{{ _("On") }}</span>{{ q.quote }}</blockquote>{% endif %}
        {% if q.text %}<p dir="auto"{% if q.lang %} lang="{{ q.lang }}"{% endif %}>{{ q.text }}</p>{% elif q.confidential %}<p class="muted"><em>{{ q.note }}</em></p>{% else %}<p class="muted"><em>{{ _(NO_TEXT) }}</em></p>{% endif %}
        {% if q.endorsed_by %}<p class="muted">{{ _("Endorsed by") }} <bdi>{{ q.endorsed_by }}</bdi></p>{% endif %}
        {{ answer(q) }}
      </li>
    {% endfor %}
    </ul>
    {% endif %}
    {% if not (p.amendments or p.blocks or p.quotes) %}<p class="muted">{{ _("No comments on this principle.") }}</p>{% endif %}
  </article>
  {% endfor %}
</section>

{% if governance[1] %}
<section aria-labelledby="h-governance">
  <h2 id="h-governance">{{ governance[0] }}</h2>
  {% for para in governance[1] %}<p dir="auto">{{ para|links }}</p>{% endfor %}
</section>
{% endif %}

<section aria-labelledby="h-unresolved">
  <h2 id="h-unresolved">{{ _("Unresolved") }}</h2>
  {% if unresolved %}
  <p>{{ _("Blocks, and objections the commenter maintains after the answer.") }}</p>
  <ul class="items">
  {% for u in unresolved %}
    <li><strong>{{ u.why }}</strong> {{ _("on") }} <a href="#{{ u.anchor }}">{{ u.principle }}</a> {{ _("by") }} <bdi class="who">{{ u.who }}</bdi> <span class="muted">· {{ u.stance }} · {{ _("comment") }} <code>{{ u.comment }}</code></span>
      {% if u.text %}<blockquote class="block" dir="auto"{% if u.lang %} lang="{{ u.lang }}"{% endif %}>{{ u.text }}</blockquote>{% endif %}
      {{ answer(u) }}
    </li>
  {% endfor %}
  </ul>
  {% else %}
  <p class="muted">{{ _("No blocks and no maintained objections.") }}</p>
  {% endif %}
</section>

<section aria-labelledby="h-dispositions">
  <h2 id="h-dispositions">{{ _("Dispositions") }}</h2>
  <ul class="cards">
    <li><span class="num">{{ disp.answered }}</span><span class="lbl">{{ _("comments answered") }}</span></li>
    <li><span class="num">{{ disp.awaiting }}</span><span class="lbl">{{ _("awaiting a disposition") }}</span></li>
  </ul>
  {% if disp.awaiting_ids %}<p>{{ _("Awaiting:") }} {% for i in disp.awaiting_ids %}<code>{{ i }}</code>{% if not loop.last %}, {% endif %}{% endfor %}</p>{% endif %}
</section>

<section aria-labelledby="h-clusters">
  <h2 id="h-clusters">{{ _("Near-identical comments") }}</h2>
  {% if clusters %}
  <table id="clusters">
    <caption>{{ _("Groups of near-identical comments (possible campaigns)") }}</caption>
    <thead><tr><th scope="col" class="num">{{ _("Size") }}</th><th scope="col">{{ _("Sample text") }}</th><th scope="col">{{ _("Comments") }}</th></tr></thead>
    <tbody>
    {% for c in clusters %}
      <tr><td class="num">{{ c.size }}</td><td dir="auto">{{ c.sample }}</td><td>{% for i in c.comments %}<code>{{ i }}</code>{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p class="muted">{{ _("None found.") }}</p>
  {% endif %}
</section>

<section aria-labelledby="h-integrity">
  <h2 id="h-integrity">{{ _("Integrity") }}</h2>
  <p>{{ _("{verified} records verified; {excluded} excluded from this summary.", verified=integrity.verified, excluded=integrity.excluded) }}</p>
  {% if excluded %}
  <table id="excluded">
    <caption>{{ _("Records left out, and why") }}</caption>
    <thead><tr><th scope="col">{{ _("Problem") }}</th><th scope="col">{{ _("Record") }}</th><th scope="col">{{ _("Detail") }}</th></tr></thead>
    <tbody>
    {% for e in excluded %}
      <tr><td><span class="badge st-blocked">{{ e.problem }}</span></td><td>{% if e.path %}<code>{{ e.path }}</code>{% else %}{{ e.where }}{% endif %}</td><td dir="auto">{{ e.detail }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% endif %}
</section>
</main>
<footer class="report">
  {{ _("Generated from commit") }} <code>{{ generated_from }}</code>{% if generated_at %} {{ _("at {when}", when=generated_at) }}{% endif %} {{ _("by coalition.") }}
</footer>
{% endblock %}
"""


def _slug(value: str) -> str:
    return "p-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in value)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _chart(principles: list[dict], stances: list[str], colours: dict, members: int) -> dict:
    width, label_w, right = 760, 230, 20
    top, row_h, bar_h = 10, 30, 20
    bar_right = width - right
    totals = [sum((p.get("stances") or {}).get(s, 0) for s in stances) for p in principles]
    scale = max([members or 0, *totals, 1])
    unit = (bar_right - label_w) / scale
    step = max(1, math.ceil(scale / 5))
    ticks = [{"value": v, "x": round(label_w + v * unit, 1)} for v in range(0, scale + 1, step)]
    rows, desc = [], []
    for i, (p, total) in enumerate(zip(principles, totals)):
        counts = p.get("stances") or {}
        pid, title = one_line(p.get("id")), one_line(p.get("title"))
        y = top + i * row_h
        x = float(label_w)
        segs = []
        for s in stances:
            n = counts.get(s, 0)
            if not n:
                continue
            w = n * unit
            fill, ink = colours[s]
            segs.append({
                "x": round(x, 1), "w": round(w, 1), "cx": round(x + w / 2, 1), "count": n,
                "fill": fill, "ink": ink, "show": w >= 16,
                "title": f"{pid}: {stance_label(s)} "
                         + n_("{count} of {n} member", "{count} of {n} members", total, count=n),
            })
            x += w
        parts = ", ".join(f"{stance_label(s)} {counts.get(s, 0)}" for s in stances)
        summary = f"{pid} {title}: {parts}"
        desc.append(f"{pid}: {parts}.")
        rows.append({"id": pid, "short_title": _short(title, 24), "y": y,
                     "text_y": y + bar_h / 2 + 4, "segments": segs, "summary": summary})
    axis_y = top + len(principles) * row_h + 2
    return {
        "width": width, "height": axis_y + 38, "label_w": label_w, "bar_right": bar_right,
        "top": top, "bar_h": bar_h, "axis_y": axis_y, "rows": rows, "ticks": ticks,
        "scale_note": (_("scale: {n} = all voting members", n=scale) if scale == members
                       else _("scale: {n}", n=scale)),
        "desc": " ".join(desc) or _("No principles."),
    }


def _view(data: dict) -> dict:
    from ._html import stance_colours

    rnd = data.get("round") or {}
    stances = [str(s) for s in data.get("stances") or []]
    colours = stance_colours(stances)
    part = data.get("participation") or {}
    members, responded = part.get("members", 0), part.get("responded", 0)
    principles = data.get("principles") or []

    def text(v):
        return clean_text(v) if v else None

    pview = []
    for p in principles:
        counts = p.get("stances") or {}
        status = one_line(p.get("status"))
        pview.append({
            "id": one_line(p.get("id")),
            "anchor": _slug(one_line(p.get("id"))),
            "title": one_line(p.get("title")),
            "comments": p.get("comments", 0),
            "counts": [counts.get(s, 0) for s in stances],
            "share": fmt_share(p.get("support_share")),
            "status": status_label(status),
            "status_class": "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in status),
            "counts_line": _counts_line(p),
            "notes": governance_notes(p),
            "text": _paragraphs(p["text"]) if p.get("text") else [],
            "text_lang": _other_lang(p), "version_note": version_note(p),
            "versions": [{**v, "title": one_line(v["title"]), "paragraphs": _paragraphs(v["text"])}
                         for v in p.get("versions") or []],
            "amendments": [
                {"who": member_name(a.get("member"), a.get("attribution")),
                 "comment": one_line(a.get("comment")),
                 "confidential": a.get("attribution") == "confidential",
                 "note": confidential_note(a),
                 "quote": text(a.get("quote")), "proposed": text(a.get("proposed_text")),
                 "lang": one_line(a.get("lang"))}
                for a in p.get("amendments") or []
            ],
            "blocks": [
                {"who": member_name(b.get("member"), b.get("attribution")),
                 "comment": one_line(b.get("comment")),
                 "confidential": b.get("attribution") == "confidential", "text": text(b.get("text")),
                 "lang": one_line(b.get("lang")),
                 "note": confidential_note(b)}
                for b in p.get("blocks") or []
            ],
            "quotes": [
                {"who": member_name(q.get("member"), q.get("attribution")),
                 "comment": one_line(q.get("comment")),
                 "stance": stance_label(q.get("stance")), "quote": text(q.get("quote")),
                 "text": text(q.get("text")), "confidential": q.get("attribution") == "confidential",
                 "lang": one_line(q.get("lang")),
                 "note": confidential_note(q),
                 "endorsed_by": ", ".join(member_name(e) for e in q.get("endorsed_by") or []),
                 **_answer_view(q)}
                for q in p.get("quotes") or []
            ],
        })
    disp = data.get("dispositions") or {}
    integ = data.get("integrity") or {}
    excluded = data.get("excluded") or []
    comments = data.get("comments")
    return {
        "NONE_MARK": NONE_MARK, "CONFIDENTIAL_NOTE": CONFIDENTIAL_NOTE, "NO_TEXT": NO_TEXT,
        "legend": status_legend(data.get("rule")), "status_label": status_label,
        "page_lang": lang(),
        **({"bilingual": True} if any(p.get("versions") for p in principles) else {}),
        "governance": governance_section(data),
        "unresolved": [
            {"why": _("Block") if u.get("why") == "block" else _("Objection maintained"),
             "principle": one_line(u.get("principle")), "anchor": _slug(one_line(u.get("principle"))),
             "who": member_name(u.get("member"), u.get("attribution")),
             "stance": stance_label(u.get("stance")), "comment": one_line(u.get("comment")),
             "text": text(u.get("text")), "lang": one_line(u.get("lang")), **_answer_view(u)}
            for u in data.get("unresolved") or []
        ],
        "coalition": one_line(data.get("coalition")),
        "rnd": {
            "id": one_line(rnd.get("id")), "title": one_line(rnd.get("title")),
            "status": status_label(one_line(rnd.get("status")) or "unknown"),
            "opened_at": fmt_date(rnd.get("opened_at")), "closes_at": fmt_date(rnd.get("closes_at")),
            "dates": round_dates(rnd), "facilitators": ", ".join(one_line(f) for f in rnd.get("facilitators") or []),
            "draft": one_line(rnd.get("draft")) or NONE_MARK,
            "draft_short": short_sha(one_line(rnd.get("draft")), 12) or NONE_MARK,
        },
        "part": {
            "members": members, "responded": responded, "rate": fmt_rate(responded, members),
            "sectors": [
                {"name": one_line(k), "members": v.get("members", 0), "responded": v.get("responded", 0),
                 "rate": fmt_rate(v.get("responded", 0), v.get("members", 0))}
                for k, v in (part.get("by_sector") or {}).items()
            ],
        },
        "totals": {
            "comments": len(comments) if comments is not None
            else sum(p.get("comments", 0) for p in principles),
            "amendments": sum(len(p.get("amendments") or []) for p in principles),
            "blocks": sum(len(p.get("blocks") or []) for p in principles),
        },
        "stances": [{"name": s, "label": stance_label(s).capitalize(), "fill": colours[s][0]}
                    for s in stances],
        "chart": _chart(principles, stances, colours, members),
        "principles": pview,
        "disp": {"answered": disp.get("answered", 0), "awaiting": disp.get("awaiting", 0),
                 "awaiting_ids": [one_line(i) for i in disp.get("awaiting_ids") or []]},
        "clusters": [
            {"size": c.get("size", len(c.get("comments") or [])), "sample": clean_text(c.get("sample")),
             "comments": [one_line(i) for i in c.get("comments") or []]}
            for c in data.get("clusters") or []
        ],
        "integrity": {"verified": integ.get("verified", 0), "excluded": integ.get("excluded", len(excluded))},
        "excluded": [
            {"problem": one_line(e.get("problem")), "path": one_line(e.get("path")),
             "where": excluded_where(e), "detail": known(e.get("detail"))}
            for e in excluded
        ],
        "generated_from": one_line(data.get("generated_from")) or NONE_MARK,
        "generated_at": fmt_date(data["generated_at"]) if data.get("generated_at") else "",
    }


def render(data: dict) -> str:
    from ._html import render_template

    return render_template("summary.html", **_view(data))
