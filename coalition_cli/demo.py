"""``coalition demo``: a whole consultation on the bundled sample agenda.

It builds a new git repository in a new folder, generates keys for the sample
members (stored in that folder, never in ``~/.ssh``), and replays
``demo_scenario.yaml`` through the same library calls the commands make: a
round, signed comments of every stance and attribution, an endorsement, a
withdrawal, a revision, a template campaign, the close, a revised draft, a
disposition for every comment, acknowledgements — then writes every report.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from datetime import timedelta
from importlib import resources
from pathlib import Path

from . import actions, records
from .agenda import Agenda
from .errors import InputError
from .identity import Identity
from .model import KeyEntry, Member, now
from .translations import is_translation, language_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Echo = Callable[[str], None]


def sample_agenda() -> Path:
    """The bundled sample agenda: inside the installed package, or the source tree's agenda/."""
    packaged = Path(str(resources.files("coalition_cli"))) / "sample_agenda"
    if (packaged / "coalition.yaml").is_file():
        return packaged
    source = Path(__file__).resolve().parent.parent / "agenda"
    if (source / "coalition.yaml").is_file():
        return source
    raise InputError("the sample agenda is missing from this installation",
                     hint="reinstall coalition-cli")


def _load(path: Path) -> Any:
    return records.load_yaml_bytes(path.read_bytes(), str(path), limit=4 * 1024 * 1024)


def run_demo(folder: Path | None = None, echo: Echo = print) -> dict[str, Any]:
    from .signing import generate_key

    if folder is None:
        folder = Path.cwd() / f"coalition-demo-{now():%Y%m%d-%H%M%S}"
    folder = folder.expanduser().resolve()
    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"{folder} is not empty", hint="give a new folder: coalition demo DIR")
    sample = sample_agenda()
    scenario = _load(Path(str(resources.files("coalition_cli"))) / "demo_scenario.yaml")
    config = _load(sample / "coalition.yaml")
    people_files = {p.stem: _load(p) for p in sorted((sample / "members").glob("*.yaml"))}

    keys_dir = folder / "keys"
    keys_dir.mkdir(parents=True)
    reports = folder / "reports"
    reports.mkdir()
    repo = folder / "repository"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, capture_output=True)
    for key, value in (("user.name", "Coalition demo"), ("user.email", "demo@coalition.invalid"),
                       ("commit.gpgsign", "false")):
        subprocess.run(["git", "-C", str(repo), "config", key, value], check=True)

    echo(f"Building a sample consultation in {folder}")
    ids: dict[tuple[str, str], Identity] = {}  # (member, person) -> identity

    def key_for(member_id: str, person: str) -> Any:
        slug = "".join(c if c.isalnum() else "-" for c in person.lower()).strip("-")
        return generate_key(keys_dir / f"{member_id}--{slug}", None, comment=f"{person} ({member_id})")

    fac_id = scenario["facilitator"]
    fac = people_files[fac_id]
    fac_person = fac["people"][0]
    fac_key = key_for(fac_id, fac_person)
    agenda, _ = actions.init(repo, name=config["name"], facilitator=fac_id,
                             facilitator_name=fac["name"], key=fac_key, sector=fac["sector"],
                             person=fac_person, base_config=config)
    # The founding facilitator's registry entry takes the sample's roles.
    snap = agenda.snapshot()
    founder = snap.member(fac_id)
    ids[(fac_id, fac_person)] = Identity(founder, fac_key, founder.keys[0])
    facilitator = ids[(fac_id, fac_person)]
    for member_id, data in people_files.items():
        keys = [(key_for(member_id, person).public, person) for person in data["people"]
                if (member_id, person) not in ids]
        if not keys and member_id != fac_id:
            continue
        roles = list(data["roles"])
        if member_id == fac_id:
            roles = sorted(set(roles) | {"facilitator"})
        actions.member_add(agenda, facilitator, member_id, name=data["name"],
                           sector=data["sector"], roles=roles, keys=keys)
    snap = agenda.snapshot()
    for member in snap.members.values():
        for entry in member.keys:
            person = entry.person or member.name
            if (member.id, person) not in ids:
                ids[(member.id, person)] = _identity(keys_dir, member, entry)
    echo(f"  registered {len(snap.members)} member organisations, {len(ids)} signing keys")

    for path in sorted((sample / "principles").glob("P*.md")):
        if is_translation(path.name):
            continue  # the French texts: translate_sample below
        fields, body = records.split_front_matter(path.read_bytes(), str(path))
        actions.principle_add(agenda, facilitator, fields["title"], body,
                              themes=fields.get("themes") or ())
    echo(f"  drafted {len(agenda.snapshot().principles)} principles")
    translate_sample(agenda, facilitator, sample, echo)

    rnd = scenario["round"]
    closes = now() + timedelta(days=int(rnd.get("closes_in_days", 21)))
    actions.round_open(agenda, facilitator, rnd["id"], title=rnd["title"], closes=closes)

    def who(member_id: str, person: str | None = None) -> Identity:
        for (mid, p), ident in ids.items():
            if mid == member_id and (person is None or p == person):
                return ident
        raise InputError(f"the demo has no key for {member_id}")

    refs: dict[str, str] = {}
    for c in scenario["comments"]:
        written = actions.comment_add(
            agenda, who(c["member"], c.get("person")), principle=c["principle"],
            stance=c["stance"], text=c.get("text"), quote=c.get("quote"),
            propose=c.get("propose"), kind=c.get("kind", "substantive"),
            themes=c.get("themes", []), attribution=c.get("attribution", "public"),
            supersedes=refs.get(c["supersedes"]) if c.get("supersedes") else None,
            round_id=rnd["id"], lang=c.get("lang"))
        refs[c["ref"]] = written.id
    campaign = scenario.get("campaign") or {}
    campaign_ids = []
    for member_id, text in zip(campaign.get("members", []), campaign.get("variations", [])):
        written = actions.comment_add(
            agenda, who(member_id), principle=campaign["principle"], stance=campaign["stance"],
            text=text, kind=campaign.get("kind", "substantive"), themes=campaign.get("themes", []),
            attribution=campaign.get("attribution", "public"), round_id=rnd["id"])
        campaign_ids.append(written.id)
    for w in scenario.get("withdrawals", []):
        owner = next(c["member"] for c in scenario["comments"] if c["ref"] == w["ref"])
        actions.comment_withdraw(agenda, who(owner), refs[w["ref"]])
    for e in scenario.get("endorsements", []):
        actions.comment_endorse(agenda, who(e["member"]), refs[e["ref"]])
    if rnd.get("extend_by_days"):  # a notice of extension, as public consultations give
        actions.round_extend(agenda, facilitator, rnd["id"],
                             closes + timedelta(days=int(rnd["extend_by_days"])))
    echo(f"  {len(refs) + len(campaign_ids)} signed comments, "
         f"{len(scenario.get('withdrawals', []))} withdrawal, "
         f"{len(scenario.get('endorsements', []))} endorsement")
    review_ids = word_review_step(agenda, who("larchwood-foundation"), rnd["id"], reports, echo)
    actions.round_close(agenda, facilitator, rnd["id"])

    revised: dict[str, str] = {}
    for r in scenario.get("revisions", []):
        written = actions.principle_edit(agenda, facilitator, r["principle"], body=r["body"],
                                         title=r.get("title"))
        revised[written.id] = written.commit
    revise_translations(agenda, facilitator, scenario, echo)
    principle_of = {c["ref"]: c["principle"] for c in scenario["comments"]}
    for resp in scenario.get("responses", []):
        targets = campaign_ids if resp["ref"] == "campaign" else [refs[resp["ref"]]]
        pid = campaign.get("principle") if resp["ref"] == "campaign" else principle_of[resp["ref"]]
        linked = revised.get(pid) if resp["disposition"].startswith("accepted") else None
        for target in targets:
            actions.respond(agenda, facilitator, target, disposition=resp["disposition"],
                            rationale=resp["rationale"], commit=linked, force=True)  # all, withdrawn too
    answer_word_review(agenda, facilitator, review_ids)
    for a in scenario.get("acks", []):
        owner = next(c["member"] for c in scenario["comments"] if c["ref"] == a["ref"])
        actions.comment_ack(agenda, who(owner), refs[a["ref"]], a["answer"])
    echo(f"  closed {rnd['id']}, revised {len(revised)} principles, answered every comment")

    written_files = write_reports(agenda, rnd["id"], reports)
    written_files.update(write_reports_in_french(agenda, rnd["id"], reports))
    summary = written_files.pop("_summary")
    from .demo_governance import governance_step

    written_files.update(governance_step(agenda, scenario, facilitator, who, reports, echo))
    echo("")
    _print_table(summary, echo)
    echo("")
    echo("Reports:")
    for path in written_files.values():
        echo(f"  {path}")
    echo(f"Repository: {repo}   (try: cd {repo} && coalition verify && coalition comment list)")
    echo(f"Keys of the sample members: {keys_dir}")
    return {"folder": str(folder), "repository": str(repo), "reports": written_files,
            "round": rnd["id"]}


def word_review_step(agenda: Agenda, identity: Identity, round_id: str, folder: Path,
                     echo: Echo) -> list[str]:
    """One member reviews the draft in Word: the export, a review written in Word's own
    markup (a tracked replacement, a comment with a reply, a tagged comment holding a
    tracked insertion), and its import — signed like any comment. Returns the new ids."""
    from .review import default_stances, export_round, plan_import, submit
    from .review.wordmarkup import WordReview

    _draft, data = export_round(agenda, round_id)
    (folder / "draft-for-review.docx").write_bytes(data)
    review = WordReview(data, author=identity.person or identity.member.name,
                        date=f"{now():%Y-%m-%dT%H:%M:%SZ}")
    review.replace("are not enough on their own", "never justify a project on their own",
                   after="P01 ")
    review.comment_on("describe the expected benefit in plain language",
                      "[amend] Plain language, yes, and the outcomes it will be judged by.",
                      after="P01 ", replies=("Our board asks for this in every grant.",))
    k, at = review.find("share findings with the community first", after="P01 ")
    review.comment((k, at), (k, at + len("share findings with the community first")),
                   "[support] This is the commitment our grantees ask for.")
    reviewed = review.save()
    name = f"review-{identity.member.id}.docx"
    (folder / name).write_bytes(reviewed)
    plan = plan_import(agenda, reviewed, name, identity=identity, round_id=round_id)
    written = submit(agenda, identity, plan, default_stances(plan)[0])
    echo(f"  {identity.member.id} reviewed the draft in Word: {len(written)} comments imported "
         f"from {name}")
    return [w.id for w in written]


def answer_word_review(agenda: Agenda, facilitator: Identity, ids: list[str]) -> None:
    for comment_id in ids:
        actions.respond(agenda, facilitator, comment_id, disposition="noted",
                        rationale="Read with the other comments on P01 for the next draft.",
                        force=True)


def _identity(keys_dir: Path, member: Member, entry: KeyEntry) -> Identity:
    from .signing import PrivateKey, PublicKey

    fingerprint = PublicKey.from_openssh(entry.key).fingerprint
    for path in keys_dir.iterdir():
        if path.suffix == ".pub" and PublicKey.from_file(path).fingerprint == fingerprint:
            return Identity(member, PrivateKey.load(path.with_suffix("")), entry)
    raise InputError(f"the demo lost the key of {member.id}")


def write_reports(agenda: Agenda, round_id: str, folder: Path) -> dict[str, Any]:
    from .render import render_changes, render_report, render_summary
    from .reports import build_changes, build_report, build_summary
    from .verify import verify

    verified = verify(agenda)
    summary = build_summary(agenda, verified, round_id)
    out: dict[str, Any] = {"_summary": summary}

    def write(path: Path, content: str | bytes) -> None:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    for fmt in ("md", "html", "json", "csv", "docx"):
        path = folder / f"summary.{fmt}"
        write(path, render_summary(summary, fmt))
        out[f"summary-{fmt}"] = str(path)
    report = build_report(agenda, verified, round_id)
    for fmt, name in (("md", "report.md"), ("html", "report.html"), ("docx", "report.docx"),
                      ("csv", "report-data.csv")):
        path = folder / name
        write(path, render_report(report, fmt))
        out[f"report-{fmt}"] = str(path)
    changes = build_changes(agenda, round_id, "HEAD", verified=verified)
    for fmt, ext in (("md", "md"), ("html", "html"), ("json", "json"), ("docx", "docx")):
        path = folder / f"changes.{ext}"
        write(path, render_changes(changes, fmt))
        out[f"changes-{fmt}"] = str(path)
    os.chmod(folder, 0o755)
    return out


# --- English and French ---------------------------------------------------------------------


def translate_sample(agenda: Agenda, facilitator: Identity, sample: Path, echo: Echo) -> None:
    """Sign the sample's French text of every principle (``P01-….fr.md``) before the round
    opens, so the round's draft covers both languages."""
    count = 0
    for path in sorted((sample / "principles").glob("P*.md")):
        lang = language_of(path.name)
        if lang is None:
            continue
        fields, body = records.split_front_matter(path.read_bytes(), str(path))
        actions.principle_translate(agenda, facilitator, fields["id"], lang,
                                    title=fields["title"], body=body)
        count += 1
    if count:
        echo(f"  translated {count} principles into French")


def revise_translations(agenda: Agenda, facilitator: Identity, scenario: dict[str, Any],
                        echo: Echo) -> None:
    """Revise the French text of the principles revised after the round, from the scenario's
    ``fr_body``; a revision without one leaves its French text out of date, on purpose."""
    stale = []
    for r in scenario.get("revisions", []):
        if r.get("fr_body"):
            actions.principle_translate(agenda, facilitator, r["principle"], "fr",
                                        body=r["fr_body"], title=r.get("fr_title"))
        else:
            stale.append(r["principle"])
    if stale:
        echo(f"  French text left out of date on purpose: {', '.join(stale)}")


def write_reports_in_french(agenda: Agenda, round_id: str, folder: Path) -> dict[str, Any]:
    """The reports in French (``reports/fr/``) and in both languages side by side
    (``reports/en-fr/``): the same data as the English ones, other words and texts."""
    from .render import render_changes, render_report, render_summary
    from .reports import build_changes, build_report, build_summary
    from .verify import verify

    verified = verify(agenda)
    summary = build_summary(agenda, verified, round_id)
    report = build_report(agenda, verified, round_id)
    changes = build_changes(agenda, round_id, "HEAD", verified=verified, lang="fr")
    out: dict[str, Any] = {}
    french, both = folder / "fr", folder / "en-fr"
    french.mkdir(exist_ok=True)
    both.mkdir(exist_ok=True)
    for fmt in ("md", "html", "docx"):
        for name, content in ((f"summary.{fmt}", render_summary(summary, fmt, lang="fr")),
                              (f"report.{fmt}", render_report(report, fmt, lang="fr")),
                              (f"changes.{fmt}", render_changes(changes, fmt, lang="fr"))):
            path = french / name
            path.write_bytes(content) if isinstance(content, bytes) else path.write_text(
                content, encoding="utf-8")
            out[f"fr-{name}"] = str(path)
    for fmt in ("html", "docx"):
        for name, content in ((f"summary.{fmt}", render_summary(summary, fmt, lang="en,fr")),
                              (f"report.{fmt}", render_report(report, fmt, lang="en,fr"))):
            path = both / name
            path.write_bytes(content) if isinstance(content, bytes) else path.write_text(
                content, encoding="utf-8")
            out[f"en-fr-{name}"] = str(path)
    return out


def _print_table(summary: dict[str, Any], echo: Echo) -> None:
    part = summary["participation"]
    echo(f"{summary['coalition']} — round {summary['round']['id']}: "
         f"{part['responded']} of {part['members']} voting members responded")
    echo(f"{'principle':<10}{'comments':>9}  {'support':>8}  status")
    for p in summary["principles"]:
        share = "—" if p["support_share"] is None else f"{p['support_share'] * 100:.0f}%"
        echo(f"{p['id']:<10}{p['comments']:>9}  {share:>8}  {p['status']}")
    clusters = summary["clusters"]
    if clusters:
        echo(f"near-identical comments: {', '.join(str(c['size']) for c in clusters)} in "
             f"{len(clusters)} cluster(s)")
    echo(f"integrity: {summary['integrity']['verified']} records verified, "
         f"{summary['integrity']['excluded']} excluded")
