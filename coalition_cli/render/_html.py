"""The jinja2 environment (autoescape on) and the page shell shared by the
HTML reports: one standalone file, inline CSS, no script, no external asset,
a Content-Security-Policy that forbids both anyway, printable.

Templates live here as Python strings so they ship with the package without
any package-data configuration.
"""

from __future__ import annotations

import re

from functools import lru_cache

# Colour-blind-safe defaults for the default stances; other stances cycle
# through FALLBACK. Each entry: (fill, text colour on it).
STANCE_COLOURS = {
    "support": ("#1a7f4e", "#ffffff"),
    "amend": ("#7cc496", "#10271a"),
    "neutral": ("#c7ccd1", "#1f2328"),
    "oppose": ("#e9963e", "#2b1600"),
    "block": ("#b3261e", "#ffffff"),
}
FALLBACK = [("#4e79a7", "#ffffff"), ("#b07aa1", "#ffffff"), ("#9c755f", "#ffffff"),
            ("#76b7b2", "#0d2624"), ("#edc948", "#2b2400")]


def stance_colours(stances: list[str]) -> dict[str, tuple[str, str]]:
    out, i = {}, 0
    for s in stances:
        if s in STANCE_COLOURS:
            out[s] = STANCE_COLOURS[s]
        else:
            out[s] = FALLBACK[i % len(FALLBACK)]
            i += 1
    return out


CSS = """
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --accent: #0b4f8a; --ok: #1a7f4e; --warn: #9a6700; --bad: #b3261e;
  --ins: #0f5c32; --ins-bg: #e6f4ea; --del: #b3261e; --del-bg: #fdecea;
  --move: #6f42c1; --move-bg: #f3effc;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0 auto; max-width: 64rem; padding: 2rem 1.5rem 3rem;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
        "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: #fff;
}
header.report { border-bottom: 3px solid var(--accent); padding-bottom: 1rem; margin-bottom: 1.5rem; }
header.report .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .8rem;
  color: var(--accent); font-weight: 600; margin: 0; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: .2rem 0 .4rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .8rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .4rem; }
h4 { font-size: .95rem; margin: 1rem 0 .4rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
p { margin: .4rem 0 .8rem; }
.meta { display: flex; flex-wrap: wrap; gap: .3rem 1.8rem; margin: .6rem 0 0; padding: 0; color: var(--muted); font-size: .92rem; }
.meta div { margin: 0; }
.meta dt { display: inline; font-weight: 600; color: var(--ink); }
.meta dt::after { content: ":"; }
.meta dd { display: inline; margin: 0 0 0 .3rem; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: .86em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(12.5rem, 1fr)); gap: .8rem; margin: .8rem 0 1.2rem; padding: 0; list-style: none; }
.cards li { border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; background: var(--soft); }
.cards .num { display: block; font-size: 1.6rem; font-weight: 700; line-height: 1.1; }
.cards .lbl { color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1.2rem; font-size: .93rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0 0 .4rem; color: var(--ink); }
th, td { padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); font-weight: 600; white-space: nowrap; }
tbody th { font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) td, tbody tr:nth-child(even) th { background: #fbfcfd; }
th.title, td.title { min-width: 11rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.st-consensus, .fate-anchored { color: var(--ok); }
.st-contested, .fate-modified, .fate-relocated { color: var(--warn); }
.st-blocked, .fate-orphaned { color: var(--bad); }
.st-no-quorum, .fate-unanchored { color: var(--muted); }
.st-added { color: var(--ins); } .st-removed { color: var(--del); } .st-modified { color: var(--warn); }
.st-unchanged { color: var(--muted); }
blockquote { margin: .4rem 0 .8rem; padding: .5rem .9rem; border-left: 4px solid var(--line); background: var(--soft);
  border-radius: 0 6px 6px 0; white-space: pre-line; overflow-wrap: anywhere; }
blockquote.proposal { border-left-color: var(--ok); }
blockquote.block { border-left-color: var(--bad); }
.label { font-weight: 600; color: var(--muted); font-size: .85rem; margin-right: .3rem; }
.who { font-weight: 600; }
.muted, .note { color: var(--muted); }
.note { font-size: .9rem; }
ul.items { list-style: none; padding: 0; margin: 0; }
ul.items > li { border-top: 1px solid var(--line); padding: .6rem 0; }
figure { margin: 1rem 0 1.5rem; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: .9rem; color: var(--muted); margin-top: .3rem; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; padding: 0; margin: .4rem 0; font-size: .9rem; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: 2px; vertical-align: -.1rem; margin-right: .35rem;
  border: 1px solid rgba(0,0,0,.25); }
.principle { border: 1px solid var(--line); border-radius: 8px; padding: .2rem 1rem .6rem; margin: 1rem 0; }
.principle > h3 { display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
.redline p { margin: .5rem 0; overflow-wrap: anywhere; }
del { color: var(--del); background: var(--del-bg); text-decoration: line-through; text-decoration-thickness: 1.5px; }
ins { color: var(--ins); background: var(--ins-bg); text-decoration: underline; text-decoration-thickness: 1.5px; }
del.move, ins.move { color: var(--move); background: var(--move-bg); }
ins.move { text-decoration-style: double; }
.move-note { font-size: .75rem; font-weight: 600; color: var(--move); border: 1px solid var(--move);
  border-radius: 4px; padding: 0 .25rem; margin: 0 .2rem; white-space: nowrap; }
p.added { border-left: 3px solid var(--ins); padding-left: .6rem; }
p.deleted { border-left: 3px solid var(--del); padding-left: .6rem; }
.pilcrow { font-weight: 700; }
.legend-list { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; margin: .4rem 0 1rem; }
.legend-list dt { margin: 0; } .legend-list dd { margin: 0; }
p.answer, p.ack { margin: .3rem 0; font-size: .93rem; }
details.principle-text { border-left: 4px solid var(--accent); background: var(--soft); padding: .3rem .9rem; margin: .6rem 0 1rem; border-radius: 0 6px 6px 0; }
details.principle-text summary { font-weight: 600; cursor: pointer; }
bdi, [dir="auto"] { unicode-bidi: isolate; }
q.verbatim::before, q.verbatim::after { content: none; }
.ref { font-weight: 700; font-variant-numeric: tabular-nums; }
.redline-excerpt { border: 1px dashed var(--line); padding: .3rem .8rem; border-radius: 6px; }
a { color: var(--accent); }
footer.report { margin-top: 2.5rem; padding-top: .8rem; border-top: 1px solid var(--line); color: var(--muted); font-size: .85rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--soft); padding: .5rem .7rem; border-radius: 6px; }
blockquote.verbatim p { margin: 0; }
nav ul { columns: 2; }
/* a spoken cue for every redline mark: screen readers do not announce <ins>/<del> */
ins::before, ins::after, del::before, del::after {
  position: absolute; width: 1px; height: 1px; overflow: hidden; white-space: nowrap;
  clip: rect(0 0 0 0); clip-path: inset(100%); }
ins::before { content: " [insertion start] "; } ins::after { content: " [insertion end] "; }
del::before { content: " [deletion start] "; } del::after { content: " [deletion end] "; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0,0,0,0); border: 0; }
@media (max-width: 40rem) { body { padding: 1rem; } table { font-size: .85rem; } }
@media print {
  @page { margin: 16mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, h3, h4, caption, figcaption, .label { break-after: avoid; page-break-after: avoid; }
  table, figure { break-inside: auto; }
  caption { break-after: avoid; }
  section.break, article.break { break-before: page; page-break-before: always; }
  details > summary { list-style: none; }
  tr, blockquote, figure, .cards li { break-inside: avoid; page-break-inside: avoid; }
  .principle { break-inside: auto; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""

BASE = """<!DOCTYPE html>
<html lang="{{ lang() }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="coalition">
<title>{% block title %}{% endblock %}</title>
<style>{{ css }}</style>
{% if lang() != "en" or bilingual is defined %}<style>{{ css_fr }}</style>
{% endif %}
</head>
<body>
{% block body %}{% endblock %}
</body>
</html>
"""


# the spoken cues of the redline marks, for text in French (its own rule, so a page in
# English is exactly what it was before French existed)
CSS_FR = """
:lang(fr) ins::before { content: " [début de l’insertion] "; } :lang(fr) ins::after { content: " [fin de l’insertion] "; }
:lang(fr) del::before { content: " [début de la suppression] "; } :lang(fr) del::after { content: " [fin de la suppression] "; }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.side-by-side > div { min-width: 0; }
@media (max-width: 40rem) { .side-by-side { grid-template-columns: 1fr; } }
"""


@lru_cache(maxsize=1)
def environment():
    import jinja2
    from markupsafe import Markup

    from . import changes_html, report_html, summary_html

    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {
                "base.html": BASE,
                "summary.html": summary_html.TEMPLATE,
                "changes.html": changes_html.TEMPLATE,
                "report.html": report_html.TEMPLATE,
            }
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["css"] = Markup(CSS)  # our constant, not user text
    env.globals["css_fr"] = Markup(CSS_FR)
    from .. import i18n

    # the words of the report being rendered (i18n.translating): {{ _("Participation") }}
    env.globals.update(_=i18n._, n_=i18n.n_, lang=i18n.lang, colon=i18n.colon, _m=_markup_message,
                       code=_code)
    env.filters["links"] = links
    return env


_LINK = re.compile(r"https://[^\s\"'<>\\]+")


def links(text: object):  # noqa: ANN201
    """``text`` escaped, with each https:// address in it (a Local Contexts Hub page or
    Label) made a link; sentence punctuation after an address stays outside it. Only https
    addresses, only in text the tool composed (``governance.wording``): no other scheme
    becomes a link."""
    from markupsafe import Markup, escape

    out, last = [], 0
    raw = str(text)
    for m in _LINK.finditer(raw):
        url = m.group().rstrip(").,;:")
        out.append(escape(raw[last:m.start()]))
        out.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = m.start() + len(url)
    out.append(escape(raw[last:]))
    return Markup("").join(out)


def _markup_message(message: str, **values):  # noqa: ANN202
    """A translated sentence with markup inside: the sentence is escaped, and each value is
    escaped too unless it is markup we made (``code(…)``)."""
    from markupsafe import Markup, escape

    from .. import i18n

    return Markup(escape(i18n._(message))).format(**values)


def _code(value: object):  # noqa: ANN202
    from markupsafe import Markup, escape

    return Markup("<code>{}</code>").format(escape(value))


def render_template(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
