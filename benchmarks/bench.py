"""Scale benchmark: coalition at N = 1,000 / 10,000 / 100,000 signed comments, against real baselines.

For each N it builds (once, then reuses) a synthetic agenda — 200 members each
with their own Ed25519 key, 20 principles, one open round and N signed member
records (about 90 % comments, 7 % endorsements, 2 % withdrawals, 1 % comments
superseding an earlier one) whose texts mix invented sentences with real public
comments (``../shared/data/public-comments``, template campaign included) —
and then measures, side by side in the same run and the same repository:

* ``comment add`` vs a plain ``git add`` + ``git commit`` of one file;
* ``verify`` with no cache vs the floor: every record and signature blob read
  through one ``git cat-file --batch`` plus a bare Ed25519 verification loop
  (libsodium, the check verify uses) over the same signatures, in one process;
* ``verify`` and ``summary`` warm (a head already verified and summarised in
  this clone), and their first run after new comments (only those are parsed
  and checked; the summary's clusters are recomputed);
* one record's verification in process vs one ``ssh-keygen -Y verify``;
* ``changes`` on a 100-principle ~50 KB draft with 5 % word edits vs
  ``git diff --word-diff`` of the same texts (time and hunks);
* ``coalition --help`` start-up, and the peak memory of ``summary``.

Commands run as a user runs them: the real ``coalition`` script installed next
to ``sys.executable`` (not the pyenv shim on PATH, which adds ~0.15 s), in a
subprocess, timed wall-clock; medians of a few repetitions. Peak memory is the
maximum resident set of the process, as ``wait4`` reports it (``/usr/bin/time -f %M``),
spawned from a small parent (see ``peak_mb``); for the cold summary also the peak of its
whole process tree — fork workers and git included — as the sum of every process's Pss
(``tree_peak_mb``).

    python benchmarks/bench.py                      # N = 1,000, 10,000, 100,000
    python benchmarks/bench.py --sizes 1000,10000   # a subset
    python benchmarks/bench.py --quick              # fewer repetitions, N <= 10,000

Generated repositories are kept in ``$COALITION_BENCH_DIR`` (default
``/tmp/coalition-bench``) so re-runs skip generation; ``--rebuild`` makes them
again. The table is printed and written to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import bench_redline  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

from coalition_cli import actions, records, redline  # noqa: E402
from coalition_cli.identity import Identity  # noqa: E402
from coalition_cli.model import KeyEntry, Member, Record, stamp  # noqa: E402
from coalition_cli.signing import PrivateKey, _decode, _signed_message, allowed_signers_line  # noqa: E402

GENERATOR = 5  # bump when the synthetic agenda changes: cached repositories are rebuilt
MEMBERS = 200
PRINCIPLES = 20
ROUND = "r1"
# the shared folder sits beside the checkout (../shared), wherever that is cloned
PUBLIC_COMMENTS = HERE.parent.parent / "shared" / "data" / "public-comments" / "usda-2017-0002-sample.csv"
ENV = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
       "LC_ALL": "C", "NO_COLOR": "1"}
for _name in ("COALITION_AGENDA", "COALITION_KEY", "COALITION_MEMBER", "COALITION_PASSPHRASE_FILE"):
    ENV.pop(_name, None)


def coalition_cmd() -> list[str]:
    """The real entry-point script next to this interpreter (the PATH shim adds ~0.15 s)."""
    script = Path(sys.executable).parent / "coalition"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "coalition_cli"]


# --- the synthetic agenda ---------------------------------------------------------------------

OPENINGS = [
    "We support this principle", "Our organisation broadly agrees", "We are concerned that",
    "Speaking for our members,", "From our experience delivering services,", "We strongly object:",
    "This is a welcome step, but", "As an Indigenous-led organisation,", "Our board discussed this and",
    "We would ask the coalition to consider whether", "In practice,", "Frontline staff tell us that",
    "Funders need clarity here:", "Our research shows that", "We cannot accept this wording because",
]
CLAIMS = [
    "annual public reporting is not enough for communities to hold partners to account",
    "de-identified data can still be linked back to individuals in small communities",
    "consent should be sought again whenever data is reused for a new purpose",
    "the principle should name who is accountable when an agreement is breached",
    "Indigenous data sovereignty must be built in from the start, not added later",
    "small organisations do not have the capacity to meet these reporting requirements",
    "the wording on benefit sharing is too vague to be enforced",
    "governments should publish every data sharing agreement in plain language",
    "a complaints process must be independent of the agencies that hold the data",
    "the definition of administrative data should include contracted service providers",
    "we need a clear timeline for reviewing each agreement",
    "communities must be able to see how their data improved services",
    "privacy impact assessments should be published before any data is shared",
    "the coalition should commit to funding community data literacy",
    "linking datasets across agencies raises risks the draft does not address",
    "evaluation findings should be returned to the people they describe",
    "the threshold for sharing without consent is set far too low",
    "data should never be used to deny or reduce a person's services",
    "cultural safety training should be required for every analyst with access",
    "the principle duplicates existing law and adds nothing practical",
]
CLOSINGS = [
    "We propose stronger language.", "Please clarify this before the next draft.",
    "We would be glad to help redraft it.", "This is essential for trust.",
    "Otherwise we cannot endorse the agenda.", "Thank you for the opportunity to comment.",
    "See our earlier submission for details.", "", "", "",
]
STANCES = ["support", "amend", "neutral", "oppose", "block"]
STANCE_WEIGHTS = [40, 30, 12, 14, 4]
SECTORS = ["funder", "service-provider", "advocacy", "indigenous-led", "research", "network"]
PEOPLE = ["Aroha", "Ben", "Chloe", "Dev", "Eru", "Fatima", "Grace", "Hemi", "Ivy", "Jon", None, None]
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def public_comments() -> list[str]:
    if not PUBLIC_COMMENTS.is_file():
        return []
    out = []
    with PUBLIC_COMMENTS.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = _CONTROL.sub(" ", html.unescape(row.get("Text Comment") or "").replace("\r\n", "\n"))
            if text.strip():
                out.append(text[: records.MAX_TEXT])
    return out


def comment_text(rng: random.Random, real: list[str]) -> str:
    if real and rng.random() < 0.15:
        text = rng.choice(real)
        if rng.random() < 0.5:  # a campaign variant: a changed greeting or sign-off
            text = rng.choice(["", "Dear USDA, ", "Hello. ", "To whom it may concern: "]) + text
        return text
    sentences = []
    for _ in range(rng.randint(1, 4)):
        sentences.append(f"{rng.choice(OPENINGS)} {rng.choice(CLAIMS)}.")
    closing = rng.choice(CLOSINGS)
    return " ".join(sentences) + (" " + closing if closing else "")


def bench_key(i: int) -> PrivateKey:
    """Member i's key, derived from a fixed seed (index 0 is the facilitator)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = hashlib.sha256(b"coalition-bench-key-%d" % i).digest()
    return PrivateKey(Ed25519PrivateKey.from_private_bytes(seed), f"bench-{i}")


def write_key_file(key: PrivateKey, path: Path) -> None:
    from cryptography.hazmat.primitives import serialization as ser

    data = key._key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, ser.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)


def member_id(i: int) -> str:
    return f"m{i:03d}"


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, input=input, env=ENV, check=True,
                          capture_output=True).stdout


def other_client(fields: dict) -> bytes:
    """A record as another conforming client writes it: ordinary block-style YAML (PyYAML's
    ``safe_dump``: plain scalars where they read back as text, quotes elsewhere, nested
    block mappings and lists), not the tool's canonical ``key: JSON`` lines."""
    import yaml

    global _Conforming
    if _Conforming is None:
        _Conforming = _conforming_dumper()
    return yaml.dump({k: v for k, v in fields.items() if v is not None}, Dumper=_Conforming,
                     sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=1 << 20).encode()


def _conforming_dumper():  # noqa: ANN202
    """PyYAML's safe dumper, quoting the text YAML 1.2 would read as something else (PyYAML
    knows only 1.1: it writes the id 7638e38499848311 plain, which 1.2 reads as a float)."""
    import yaml

    from coalition_cli.fastyaml import plain

    class Conforming(yaml.SafeDumper):
        pass

    def text(dumper, value):  # noqa: ANN001, ANN202
        try:
            unambiguous = plain(value) == value
        except Exception:  # noqa: BLE001 - not a plain scalar fastyaml decides
            unambiguous = False
        style = None if unambiguous else "'"
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Conforming.add_representer(str, text)
    return Conforming


_Conforming = None


def build_agenda(repo: Path, n: int, log=print, dump=None) -> None:  # noqa: ANN001
    """Create the synthetic agenda with n member records at ``repo`` (replacing what is there);
    ``dump`` writes a record's bytes (default: the tool's canonical form)."""
    t0 = time.perf_counter()
    if repo.exists():
        shutil.rmtree(repo)
    rng = random.Random(n)
    keys = [bench_key(i) for i in range(MEMBERS + 1)]
    write_key_file(keys[0], repo.parent / "keys" / "sec")
    for i in range(1, 6):
        write_key_file(keys[i], repo.parent / "keys" / member_id(i))
    opened = datetime.now(timezone.utc).replace(microsecond=0, second=0, minute=0) - timedelta(days=30)
    real_now = actions._write.now
    actions._write.now = lambda: opened  # the round opened 30 days ago; records fall inside its window
    try:
        agenda, _ = actions.init(repo, name="Bench Coalition", facilitator="sec",
                                 facilitator_name="Secretariat", key=keys[0], person="Maya")
        for name, value in (("user.name", "Bench"), ("user.email", "bench@example.invalid"),
                            ("gc.auto", "0"), ("commit.gpgsign", "false")):
            git(repo, "config", name, value)
        snap = agenda.snapshot()
        sec_member = snap.member("sec")
        sec = Identity(sec_member, keys[0], sec_member.keys[0])
        files: dict[str, bytes | None] = {}
        for i in range(1, MEMBERS + 1):
            mid = member_id(i)
            member = Member(id=mid, name=f"Member Organisation {i}", sector=SECTORS[i % len(SECTORS)],
                            roles=("member",), keys=(KeyEntry(keys[i].public.openssh, None, stamp(opened)),),
                            updated_at=stamp(opened), updated_by="sec")
            files.update(actions._signed(agenda, sec, f"members/{mid}.yaml", member.fields()))
        actions._commit(agenda, sec, files, f"members: register {MEMBERS} member organisations")
        prng = random.Random(1)
        bodies = []
        for p in range(1, PRINCIPLES + 1):
            body = bench_redline.render(bench_redline.make_principle(prng, paragraphs=3)).strip()
            bodies.append(body)
            actions.principle_add(agenda, sec, f"Principle number {p}", body)
        actions.round_open(agenda, sec, ROUND, title="First consultation",
                           closes=datetime(2099, 12, 31, 23, 59, 59, tzinfo=timezone.utc))
    finally:
        actions._write.now = real_now
    anchors = _anchors(bodies, rng)
    real = public_comments()
    base = agenda.p(f"rounds/{ROUND}/comments")
    start = opened + timedelta(minutes=5)
    span = 20 * 24 * 3600  # records spread over 20 days
    weights = [1 / (k + 1) ** 0.6 for k in range(MEMBERS)]  # some members write far more
    own: dict[int, list[tuple[str, str]]] = {}  # member -> [(comment id, principle)]
    comments: list[tuple[int, str, str]] = []  # (member, comment id, principle)
    stamps = sorted(rng.randrange(span) for _ in range(n))
    made = {"comment": 0, "endorsement": 0, "withdrawal": 0, "supersedes": 0}

    # the blobs through git fast-import, the folders' trees through git mktree: fast-import
    # inserting 10,000 files one by one into one folder is quadratic (hours at 1,000,000)
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE,
                            env=ENV)
    assert proc.stdin is not None
    out = proc.stdin
    folders: dict[str, list[tuple[str, str]]] = {}  # member -> [(file name, blob id)]
    for k in range(n):
        who = rng.choices(range(1, MEMBERS + 1), weights)[0]
        mid = member_id(who)
        rid = f"{rng.getrandbits(64):016x}"
        when_s = stamp(start + timedelta(seconds=stamps[k]))
        person = rng.choice(PEOPLE)
        roll = rng.random()
        kind = "comment"
        if roll < 0.07 and comments:
            target_member, target, target_pid = comments[rng.randrange(len(comments))]
            if target_member != who:
                kind = "endorsement"
        elif roll < 0.09 and own.get(who):
            kind = "withdrawal"
        if kind == "endorsement":
            rec = Record(type="endorsement", id=rid, round=ROUND, member=mid, submitted_at=when_s,
                         principle=target_pid, author=person, target=target,
                         text=rng.choice([None, "We endorse this comment."]))
        elif kind == "withdrawal":
            target, pid = own[who].pop(rng.randrange(len(own[who])))
            rec = Record(type="withdrawal", id=rid, round=ROUND, member=mid, submitted_at=when_s,
                         principle=pid, author=person, target=target)
        else:
            supersedes = None
            pid = f"P{rng.randint(1, PRINCIPLES):02d}"
            if 0.09 <= roll < 0.10 and own.get(who):
                supersedes, pid = own[who].pop(rng.randrange(len(own[who])))
                made["supersedes"] += 1
            stance = rng.choices(STANCES, STANCE_WEIGHTS)[0]
            anchor = rng.choice(anchors[pid]) if rng.random() < 0.3 else None
            proposal = None
            if stance == "amend" and rng.random() < 0.5:
                proposal = "The coalition will " + rng.choice(CLAIMS) + "."
            rec = Record(type="comment", id=rid, round=ROUND, member=mid, submitted_at=when_s,
                         principle=pid, author=person, stance=stance,
                         kind=rng.choice(["substantive", "substantive", "general", "editorial"]),
                         attribution="anonymous" if rng.random() < 0.1 else "public",
                         themes=(), anchor=anchor, text=comment_text(rng, real),
                         proposed_text=proposal, supersedes=supersedes)
            own.setdefault(who, []).append((rid, pid))
            comments.append((who, rid, pid))
        made[kind] += 1
        data = (dump or records.dump_record)(rec.fields())
        sig = keys[who].sign(data)
        folders.setdefault(mid, []).extend(((f"{rid}.yaml", blob(out, data)),
                                            (f"{rid}.yaml.sig", blob(out, sig))))
    out.write(b"done\n")
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    commit_folder(repo, base, folders, f"{n} synthetic member records")
    listed = git(repo, "ls-tree", "-r", "--name-only", "HEAD", "--", base).count(b".yaml.sig\n")
    if listed != n:  # e.g. written to a branch HEAD does not name
        raise SystemExit(f"the agenda's HEAD holds {listed} member records, not {n}")
    (repo / ".git" / "coalition-bench.json").write_text(json.dumps(
        {"generator": GENERATOR, "n": n, "made": made}), encoding="utf-8")
    log(f"  built N={n:,} in {time.perf_counter() - t0:.1f} s ({made})")


def _anchors(bodies: list[str], rng: random.Random) -> dict[str, list[dict]]:
    from coalition_cli.anchoring import make_anchor

    out = {}
    for p, body in enumerate(bodies, 1):
        words = list(re.finditer(r"\S+", body))
        found = []
        for _ in range(20):
            i = rng.randrange(max(1, len(words) - 8))
            quote = body[words[i].start() : words[min(len(words) - 1, i + rng.randint(2, 7))].end()]
            found.append(make_anchor(body, quote, 1))
        out[f"P{p:02d}"] = found
    return out


def agenda_repo(root: Path, n: int, rebuild: bool, log=print,  # noqa: ANN001
                other: bool = False) -> Path:
    repo = root / (f"other{n}" if other else f"n{n}") / "repo"
    marker = repo / ".git" / "coalition-bench.json"
    ok = False
    if marker.is_file() and not rebuild:
        try:
            ok = json.loads(marker.read_text()).get("generator") == GENERATOR
        except ValueError:
            ok = False
    if not ok:
        log(f"  generating the agenda for N={n:,} in {repo} ...")
        build_agenda(repo, n, log, dump=other_client if other else None)
    return repo


def cold_verifies(repo: Path, verify_cmd: list[str], reps: int) -> tuple[float, int]:
    """The median of ``reps`` verifies with no derived cache (each must pass), and the
    number of files they checked."""
    cold = []
    for _ in range(reps):
        drop_cache(repo)
        took, proc = run(verify_cmd, repo)
        result = json.loads(proc.stdout)
        assert result["ok"], result["problems"][:5]
        cold.append(took)
    return median(cold), result["checked"]


def bench_other_client(root: Path, n: int, reps: int, rebuild: bool, log=print) -> dict:  # noqa: ANN001
    """Cold verify of ``n`` records that another client wrote in ordinary YAML, against the
    floor measured on the same repository in the same run: each cold verify is followed by
    one run of the floor, so that a host whose speed drifts during the run (a shared VM
    drifts by ±15 %) moves both alike. ``ratio``: the median of each pair's ratio."""
    repo = agenda_repo(root, n, rebuild, log, other=True)
    verify_cmd = [*coalition_cmd(), "verify", "--format", "json"]
    run(verify_cmd, repo)  # settle the page cache
    floor_once = floor_runner(repo)
    colds, cats, loops = [], [], []
    for _ in range(reps):
        took, checked = cold_verifies(repo, verify_cmd, 1)
        cat, loop = floor_once()
        colds.append(took)
        cats.append(cat)
        loops.append(loop)
    ratio = median([cold / (cat + loop) for cold, cat, loop in zip(colds, cats, loops)])
    return {"n": n, "verify_cold": median(colds), "floor": median(cats) + median(loops),
            "floor_cat": median(cats), "floor_ed25519": median(loops), "checked": checked,
            "ratio": ratio}


# --- measuring --------------------------------------------------------------------------------


def run(cmd: list[str], cwd: Path, *, check: bool = True,
        stdin=None) -> tuple[float, subprocess.CompletedProcess]:  # noqa: ANN001
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, stdin=stdin)
    took = time.perf_counter() - t0
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-800:]}")
    return took, proc


# Started from a small Python process: Linux counts, in a child's maximum resident set, what
# the process it was forked from held before the exec — here, this script's own hundreds of MB.
_PEAK = """import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_pid, status, usage = os.wait4(p.pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def peak_mb(cmd: list[str], cwd: Path) -> float:
    """Maximum resident set (MB) of ``cmd``, as ``wait4`` reports it for the child (the figure
    ``/usr/bin/time -f %M`` prints, without needing that program), run from a small parent."""
    proc = subprocess.run([sys.executable, "-c", _PEAK, *cmd], cwd=cwd, env=ENV,
                          capture_output=True, text=True, check=True)
    kb, code = (int(x) for x in proc.stdout.split())
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}")
    return kb / 1024


# The peak of the memory of a command's whole process tree (itself, its fork workers, the git
# processes it runs), sampled every 20 ms from a small parent: the sum of each process's
# proportional set size (Pss in /proc/<pid>/smaps_rollup: a page shared by n processes —
# the fork workers share most of theirs with their parent — counts 1/n in each, so the sum
# is what the tree holds) and, beside it, the sum of the resident sets (shared pages counted
# in every process that maps them).
_TREE_PEAK = """import os, subprocess, sys, time
def tree(root):
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return out
def sizes(pid):
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss
def total(pids):
    pss = rss = 0
    for pid in pids:
        a, b = sizes(pid)
        pss, rss = pss + a, rss + b
    return pss, rss
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak_pss = peak_rss = 0
while p.poll() is None:
    # processes are read one after another, so a fork (a git process started, before its
    # exec) read mid-sample counts the parent's pages twice: a sample counts only when the
    # tree was the same before and after two passes, and gives the smaller of the two
    pids = tree(p.pid)
    first, second = total(pids), total(pids)
    if tree(p.pid) == pids:
        peak_pss = max(peak_pss, min(first[0], second[0]))
        peak_rss = max(peak_rss, min(first[1], second[1]))
    time.sleep(0.02)
print(peak_pss, peak_rss, p.returncode)
"""


def tree_peak_mb(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(Pss, RSS) peaks in MB of ``cmd``'s whole process tree, summed over its processes at
    each sample (``_TREE_PEAK``; Linux only)."""
    proc = subprocess.run([sys.executable, "-c", _TREE_PEAK, *cmd], cwd=cwd, env=ENV,
                          capture_output=True, text=True, check=True)
    pss, rss, code = (int(x) for x in proc.stdout.split())
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}")
    return pss / 1024, rss / 1024


def median(values: list[float]) -> float:
    return statistics.median(values)


def drop_cache(repo: Path) -> None:
    shutil.rmtree(repo / ".git" / "coalition", ignore_errors=True)


# The least a signed write can cost from Python: the interpreter, libsodium's Ed25519 signature
# of a record — through PyNaCl's compiled module, as ``coalition_cli.keys.sodium`` signs — and
# five git plumbing processes (read the head, read its tree, write the blob, write the commit,
# move a ref — a scratch ref, so the agenda is left as it was).
_ADD_FLOOR = """import hashlib, subprocess, sys
from nacl._sodium import ffi, lib
lib.sodium_init()
pk, sk = ffi.new("unsigned char[]", 32), ffi.new("unsigned char[]", 64)
lib.crypto_sign_seed_keypair(pk, sk, hashlib.sha256(b"floor").digest())
record = b"v: 1\\ntype: \\"comment\\"\\ntext: \\"%s\\"\\n" % sys.argv[1].encode()
digest = hashlib.sha512(record).digest()
lib.crypto_sign(ffi.new("unsigned char[]", 64 + len(digest)), ffi.new("unsigned long long *"),
                digest, len(digest), sk)
def git(*args, data=None):
    return subprocess.run(["git", *args], input=data, capture_output=True, check=True).stdout
head = git("rev-parse", "HEAD").strip().decode()
git("cat-file", "-p", head + "^{tree}")
git("hash-object", "-w", "--stdin", data=record)
commit = git("commit-tree", head + "^{tree}", "-p", head, "-m", "floor").strip().decode()
git("update-ref", "refs/coalition-bench/floor", commit)
"""


def bench_comment_add(repo: Path, reps: int) -> tuple[float, float]:
    """(comment add, plain git add + commit) medians, interleaved."""
    cmd = coalition_cmd()
    key = repo.parent / "keys" / "m001"
    ours, plain = [], []
    notes = repo / "notes"
    notes.mkdir(exist_ok=True)
    for i in range(reps):
        took, _ = run([*cmd, "comment", "add", "--principle", "P05", "--stance", "amend", "--as", "m001",
                       "--key", str(key), "--text", f"Benchmark comment {time.time_ns()}: the "
                       "reporting duty should be quarterly."], repo)
        ours.append(took)
        note = notes / f"note-{time.time_ns()}-{i}.txt"
        note.write_text(f"A plain note {i}\n", encoding="utf-8")
        t_add, _ = run(["git", "add", "--", str(note.relative_to(repo))], repo)
        t_commit, _ = run(["git", "commit", "-q", "-m", f"note {i}"], repo)
        plain.append(t_add + t_commit)
    return median(ours), median(plain)


def blob(out, data: bytes) -> str:  # noqa: ANN001
    """Write ``data`` as a blob into a git fast-import stream; its object id."""
    out.write(b"blob\ndata %d\n%s\n" % (len(data), data))
    return hashlib.sha1(b"blob %d\0%s" % (len(data), data)).hexdigest()


def commit_folder(repo: Path, base: str, folders: dict[str, list[tuple[str, str]]],
                  message: str) -> None:
    """Commit ``base``/<folder>/<file> = blob for every entry of ``folders`` (blobs already
    in the repository) on top of HEAD, as one commit: each folder's tree made by one
    ``git mktree --batch``, then the commit by git fast-import."""
    batch = "\n".join("".join(f"100644 blob {sha}\t{name}\n" for name, sha in files)
                      for files in folders.values())
    trees = git(repo, "mktree", "--batch", input=batch.encode()).decode().split()
    top = git(repo, "mktree", input="".join(
        f"040000 tree {tree}\t{name}\n" for name, tree in zip(folders, trees)).encode()).decode().strip()
    head = git(repo, "rev-parse", "HEAD").decode().strip()
    branch = git(repo, "symbolic-ref", "HEAD").strip()  # init follows git's default branch
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=repo,
                            stdin=subprocess.PIPE, env=ENV)
    assert proc.stdin is not None
    text = f"{message}\n".encode()
    proc.stdin.write(b"commit %s\ncommitter Bench <bench@example.invalid> %d +0000\n"
                     b"data %d\n%s\nfrom %s\nM 040000 %s %s\n"
                     % (branch, int(time.time()), len(text), text, head.encode(), top.encode(),
                        base.encode()))
    imported(proc, repo)


def signed_file(out, path: bytes, data: bytes, sig: bytes) -> None:  # noqa: ANN001
    """A record and its signature, in a git fast-import stream."""
    out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data))
    out.write(b"M 100644 inline %s.sig\ndata %d\n%s\n" % (path, len(sig), sig))


def imported(proc: subprocess.Popen, repo: Path) -> None:
    """End a git fast-import stream, then check out what it committed (a working tree and a
    full index)."""
    assert proc.stdin is not None
    proc.stdin.write(b"\ndone\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    git(repo, "reset", "-q", "--hard", "HEAD")


def arrive(repo: Path, count: int, seed: int, back: int = 0) -> None:
    """``count`` new comments as a ``coalition sync`` brings them: one commit each, by
    members m010… (not the bench's own signer), submitted now (or ``back`` seconds ago: a
    member's late push), appended with git fast-import — no coalition command runs on them,
    so nothing about them is verified or remembered yet.

    Comments submitted now are stamped a second after any this process brought before:
    stamps have whole seconds, and a comment stamped in the second of the last one
    summarised, with a smaller id, comes before it in the round's order — a late comment,
    which the incremental summary leaves to the full build (``bench_after_new`` measures
    that case on its own), not a new one. Here a second passes in a quarter of one."""
    if not back:
        last = _ARRIVED.get(str(repo), 0)
        if int(time.time()) <= last:
            time.sleep(last + 1.001 - time.time())
        _ARRIVED[str(repo)] = int(time.time())
    rng = random.Random(seed)
    real = public_comments()
    branch = git(repo, "symbolic-ref", "HEAD").strip()
    head = git(repo, "rev-parse", "HEAD").decode().strip()
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=repo,
                            stdin=subprocess.PIPE, env=ENV)
    assert proc.stdin is not None
    out = proc.stdin
    when = int(time.time())
    for k in range(count):
        who = 10 + rng.randrange(MEMBERS - 10)
        mid, rid = member_id(who), f"{rng.getrandbits(64):016x}"
        rec = Record(type="comment", id=rid, round=ROUND, member=mid,
                     submitted_at=stamp(datetime.now(timezone.utc).replace(microsecond=0)
                                        - timedelta(seconds=back)),
                     principle=f"P{rng.randint(1, PRINCIPLES):02d}", author=rng.choice(PEOPLE),
                     stance=rng.choices(STANCES, STANCE_WEIGHTS)[0], kind="substantive",
                     attribution="public", themes=(), text=comment_text(rng, real))
        data = records.dump_record(rec.fields())
        sig = bench_key(who).sign(data)
        path = f"agenda/rounds/{ROUND}/comments/{mid}/{rid}.yaml".encode()
        message = f"comment {rid[:8]}: {mid} in {ROUND}\n".encode()
        out.write(b"commit %s\n" % branch)
        out.write(b"committer Bench <bench@example.invalid> %d +0000\n" % when)
        out.write(b"data %d\n%s\n" % (len(message), message))
        if k == 0:
            out.write(b"from %s\n" % head.encode())
        signed_file(out, path, data, sig)
    imported(proc, repo)


_ARRIVED: dict[str, int] = {}  # repository -> the second its last new comments were stamped


def bench_after_new(repo: Path, reps: int) -> dict:
    """Side by side, ``reps`` times: the first ``verify`` after one new comment and a warm
    one right after it; the first ``summary`` after ten new comments (a summarised head
    before them) and a warm one right after it. Medians. Then once: the first ``summary``
    after ten comments submitted an hour ago (late pushes, which come before comments
    already summarised: the full build) and a warm one right after it."""
    cmd = coalition_cmd()
    verify_cmd, summary_cmd = [*cmd, "verify", "--format", "json"], [*cmd, "summary"]
    got: dict[str, list[float]] = {"verify_after_add": [], "verify_warm_pair": [],
                                   "summary_after_add": [], "summary_warm_pair": []}
    for i in range(reps):
        arrive(repo, 1, seed=time.time_ns())
        took, proc = run(verify_cmd, repo)
        assert json.loads(proc.stdout)["ok"]
        got["verify_after_add"].append(took)
        got["verify_warm_pair"].append(run(verify_cmd, repo)[0])
        run(summary_cmd, repo)
        arrive(repo, 10, seed=time.time_ns())
        got["summary_after_add"].append(run(summary_cmd, repo)[0])
        got["summary_warm_pair"].append(run(summary_cmd, repo)[0])
    out = {k: median(v) for k, v in got.items()}
    arrive(repo, 10, seed=time.time_ns(), back=3600)
    out["summary_after_late"] = run(summary_cmd, repo)[0]
    out["summary_warm_late"] = run(summary_cmd, repo)[0]
    return out


def bench_add_floor(repo: Path, reps: int) -> float:
    """The Python floor of a signed write (``_ADD_FLOOR``), median of ``reps`` runs."""
    return median([run([sys.executable, "-c", _ADD_FLOOR, f"floor {i}"], repo)[0]
                   for i in range(reps)])


def record_blobs(repo: Path) -> list[tuple[str, str, str]]:
    """(path, record blob, signature blob) of every member record at HEAD."""
    out = git(repo, "ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", f"agenda/rounds/{ROUND}/comments/")
    shas = {}
    for item in out.split(b"\0"):
        if item:
            meta, _, name = item.partition(b"\t")
            shas[name.decode()] = meta.split()[2].decode()
    return [(p, s, shas[p + ".sig"]) for p, s in shas.items() if p.endswith(".yaml") and p + ".sig" in shas]


def cat_batch(repo: Path, names: list[str]) -> list[bytes]:
    """Every object through one ``git cat-file --batch`` (requests fed from a thread)."""
    proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=repo, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=ENV)
    assert proc.stdin and proc.stdout
    payload = "".join(f"{n}\n" for n in names).encode()

    def feed() -> None:
        proc.stdin.write(payload)  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]

    writer = threading.Thread(target=feed)
    writer.start()
    read, readline = proc.stdout.read, proc.stdout.readline
    out = []
    for _ in names:
        size = int(readline().rsplit(b" ", 1)[1])
        out.append(read(size))
        read(1)
    writer.join()
    proc.wait()
    return out


def bench_floor(repo: Path, reps: int) -> tuple[float, float, float]:
    """(floor, cat-file part, verify part), medians of ``reps`` runs of ``floor_runner``."""
    once = floor_runner(repo)
    cats, loops = zip(*(once() for _ in range(reps)))
    return median(cats) + median(loops), median(cats), median(loops)


def floor_runner(repo: Path) -> Callable[[], tuple[float, float]]:
    """One run of the floor at a time: (cat-file part, verify part) — cat-file --batch of
    every blob + a bare Ed25519 loop with the fastest check installed — libsodium's, called
    as verify itself calls it (``coalition_cli.keys.sodium``: one buffer for every call)."""
    from nacl._sodium import ffi, lib

    crypto_sign_open = lib.crypto_sign_open
    out, out_len = ffi.new("unsigned char[]", 1 << 16), ffi.new("unsigned long long *")
    items = record_blobs(repo)
    names = [x for _p, rec, sig in items for x in (rec, sig)]
    blobs = cat_batch(repo, names)
    work = []
    for data, sig in zip(blobs[0::2], blobs[1::2]):
        raw, ns, alg, sig64, _blob = _decode(sig)  # type: ignore[misc]
        work.append((sig64 + _signed_message(ns, alg, data), raw))

    def once() -> tuple[float, float]:
        t0 = time.perf_counter()
        cat_batch(repo, names)
        cat = time.perf_counter() - t0
        t0 = time.perf_counter()
        for signed, raw in work:
            if crypto_sign_open(out, out_len, signed, len(signed), raw) != 0:
                raise RuntimeError("a record's signature does not verify")
        return cat, time.perf_counter() - t0

    return once


def bench_per_record(repo: Path, sample: int = 2000, ssh_runs: int = 25) -> tuple[float, float]:
    """(seconds per record in process, seconds per ``ssh-keygen -Y verify``).

    In process: ``signing.verify_detached_fast``, the check ``coalition verify`` runs on each
    record (dearmor, parse the SSHSIG blob, hash, Ed25519 verify), one record at a time.
    """
    from coalition_cli.signing import verify_detached_fast as verify

    items = record_blobs(repo)
    rng = random.Random(5)
    chosen = rng.sample(items, min(sample, len(items)))
    blobs = cat_batch(repo, [x for _p, rec, sig in chosen for x in (rec, sig)])
    pairs = list(zip(blobs[0::2], blobs[1::2]))
    t0 = time.perf_counter()
    for data, sig in pairs:
        assert verify(data, sig) is not None
    ours = (time.perf_counter() - t0) / len(pairs)
    with tempfile.TemporaryDirectory() as tmp:
        allowed = Path(tmp, "allowed_signers")
        allowed.write_text("".join(allowed_signers_line(member_id(i), bench_key(i).public) + "\n"
                                   for i in range(1, MEMBERS + 1)), encoding="utf-8")
        times = []
        for k, ((path, _r, _s), (data, sig)) in enumerate(zip(chosen[:ssh_runs], pairs)):
            rec, sigf = Path(tmp, f"{k}.yaml"), Path(tmp, f"{k}.yaml.sig")
            rec.write_bytes(data)
            sigf.write_bytes(sig)
            member = path.split("/")[-2]
            with rec.open("rb") as fh:
                took, _ = run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", member,
                               "-n", "coalition-cli", "-s", str(sigf)], Path(tmp), stdin=fh)
            times.append(took)
    return ours, median(times)


def bench_changes(root: Path, reps: int) -> dict:
    """``coalition changes`` on a 100-principle draft with 5 % word edits vs git diff --word-diff."""
    repo = root / "changes" / "repo"
    old, new, sites = bench_redline.make_drafts()
    signer = bench_key(0)  # principles are signed by a facilitator, like everything else

    def principle(i: int, body: str) -> bytes:
        return records.dump_principle({"id": f"P{i:03d}", "title": f"Principle {i}",
                                       "status": "active"}, body)

    marker = repo / ".git" / "coalition-bench.json"
    if not (repo / "agenda" / "coalition.yaml").is_file() or not marker.is_file() or \
            json.loads(marker.read_text(encoding="utf-8")).get("signed") is not True:
        if repo.exists():
            shutil.rmtree(repo)
        agenda, _ = actions.init(repo, name="Changes Bench", facilitator="sec", key=signer)
        git(repo, "config", "user.name", "Bench")
        git(repo, "config", "user.email", "bench@example.invalid")
        files: dict[str, bytes | None] = {}
        for i, body in enumerate(old, 1):
            path, data = agenda.p(f"principles/P{i:03d}-principle-{i}.md"), principle(i, body)
            files[path], files[path + ".sig"] = data, signer.sign(data)
        agenda.git.commit_files(files, "100 principles", author=("Bench", "bench@example.invalid"))
        agenda.git.close()
        marker.write_text(json.dumps({"signed": True}), encoding="utf-8")
    for i, body in enumerate(new, 1):  # the edited draft, in the working tree, signed
        path = repo / "agenda" / "principles" / f"P{i:03d}-principle-{i}.md"
        data = principle(i, body)
        path.write_bytes(data)
        path.with_name(path.name + ".sig").write_bytes(signer.sign(data))
    times, data = [], {}
    for _ in range(reps):
        took, proc = run([*coalition_cmd(), "changes", "--from", "HEAD", "--format", "json"], repo)
        times.append(took)
        data = json.loads(proc.stdout)
    ours_hunks = sum(redline.hunks(p["ops"]) for p in data["principles"])
    measured = bench_redline.git_word_diff(bench_redline.concatenate(old), bench_redline.concatenate(new))
    git_s, git_hunks = measured[0], measured[-1]  # (wall seconds, [cpu seconds,] hunks)
    size_kb = len(bench_redline.concatenate(old).encode()) / 1024
    return {"ours": median(times), "git": git_s, "ours_hunks": ours_hunks, "git_hunks": git_hunks,
            "size_kb": size_kb, "sites": sites}


def bench_history(root: Path, commits: int, reps: int) -> dict:
    """The history checks on their own: the ledger walk (every commit, every parent) over an
    agenda whose ``commits`` comments were each committed on their own, as members do — cold
    (nothing remembered), and after one more commit (the remembered state, then one step)."""
    repo = root / f"history-{commits}" / "repo"
    marker = repo / ".git" / "coalition-bench.json"
    if not marker.is_file() or json.loads(marker.read_text()).get("generator") != GENERATOR:
        if repo.exists():
            shutil.rmtree(repo)
        keys = [bench_key(i) for i in range(3)]
        real_now = actions._write.now
        opened = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
        actions._write.now = lambda: opened
        try:
            agenda, _ = actions.init(repo, name="History Bench", facilitator="sec", key=keys[0])
            sec = Identity(agenda.snapshot().member("sec"), keys[0],
                           agenda.snapshot().member("sec").keys[0])
            member = Member(id="m1", name="Member 1", sector="research", roles=("member",),
                            keys=(KeyEntry(keys[1].public.openssh, None, stamp(opened)),),
                            updated_at=stamp(opened), updated_by="sec")
            actions._commit(agenda, sec, actions._signed(agenda, sec, "members/m1.yaml",
                                                         member.fields()), "member m1")
            actions.principle_add(agenda, sec, "Principle", "Data reuse serves the community.")
            actions.round_open(agenda, sec, ROUND, title="History",
                               closes=datetime(2099, 1, 1, tzinfo=timezone.utc))
        finally:
            actions._write.now = real_now
        head = git(repo, "rev-parse", "HEAD").decode().strip()
        branch = git(repo, "symbolic-ref", "HEAD").strip()
        proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=repo,
                                stdin=subprocess.PIPE, env=ENV)
        assert proc.stdin is not None
        when = int(time.time())
        base = agenda.p(f"rounds/{ROUND}/comments/m1")
        for k in range(commits):
            rec = Record(type="comment", id=f"{k:016x}", round=ROUND, member="m1",
                         submitted_at=stamp(opened + timedelta(seconds=k % 80000 + 1)),
                         principle="P01", stance="support", kind="general",
                         attribution="public", text=f"Comment number {k}.")
            data = records.dump_record(rec.fields())
            sig = keys[1].sign(data)
            message = f"comment {k}\n".encode()
            proc.stdin.write(b"commit %s\ncommitter Bench <b@example.invalid> %d +0000\n"
                             % (branch, when + k))
            proc.stdin.write(b"data %d\n%s\n" % (len(message), message))
            if k == 0:
                proc.stdin.write(b"from %s\n" % head.encode())
            path = f"{base}/{rec.id}.yaml".encode()
            proc.stdin.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data))
            proc.stdin.write(b"M 100644 inline %s.sig\ndata %d\n%s\n" % (path, len(sig), sig))
        proc.stdin.write(b"done\n")
        proc.stdin.close()
        if proc.wait() != 0:
            raise SystemExit("git fast-import failed")
        git(repo, "reset", "-q", "--hard", "HEAD")
        marker.write_text(json.dumps({"generator": GENERATOR}), encoding="utf-8")
    walk = [sys.executable, "-c",
            "import sys, time; from coalition_cli.agenda import Agenda; "
            "from coalition_cli.trust.view import trusted; a = Agenda.open('agenda'); "
            "t = time.perf_counter(); v = trusted(a, use_cache=sys.argv[1] == '1'); "
            "assert not v.problems, v.problems; print(time.perf_counter() - t)"]

    def walked(use_cache: bool) -> float:
        proc = subprocess.run([*walk, "1" if use_cache else "0"], cwd=repo, capture_output=True,
                              env=ENV, check=True)
        return float(proc.stdout.decode().strip())

    cold = median([walked(False) for _ in range(reps)])
    walked(True)  # remember the head's state
    step = []
    for _ in range(reps):
        git(repo, "commit", "-q", "--allow-empty", "-m", "one more commit")
        step.append(walked(True))
    return {"commits": commits, "cold": cold, "step": median(step)}


def bench_help(reps: int) -> tuple[float, float]:
    cwd = Path(tempfile.gettempdir())
    ours = median([run([*coalition_cmd(), "--help"], cwd)[0] for _ in range(reps)])
    python = median([run([sys.executable, "-c", "pass"], cwd)[0] for _ in range(reps)])
    return ours, python


DATA_ONLY = """
import sys
from coalition_cli.agenda import Agenda
from coalition_cli.reports import build_summary
from coalition_cli.verify import verify
agenda = Agenda.open(sys.argv[1])
build_summary(agenda, verify(agenda))
"""


def bench_size(root: Path, n: int, reps: int, rebuild: bool, log=print) -> dict:  # noqa: ANN001
    repo = agenda_repo(root, n, rebuild, log)
    cmd = coalition_cmd()
    out: dict = {"n": n, "load": os.getloadavg()[0]}
    verify_cmd = [*cmd, "verify", "--format", "json"]
    summary_cmd = [*cmd, "summary"]
    data_cmd = [sys.executable, "-c", DATA_ONLY, str(repo / "agenda")]
    heavy = max(2, reps - 2) if n >= 100_000 else reps
    run(verify_cmd, repo)  # settle the OS page cache and the derived cache
    run(summary_cmd, repo)

    log(f"  N={n:,}: comment add vs git add + commit, and the Python floor ...")
    out["add"], out["git_commit"] = bench_comment_add(repo, reps)
    out["add_floor"] = bench_add_floor(repo, reps)
    log(f"  N={n:,}: the first verify after one new comment, the first summary after ten ...")
    out.update(bench_after_new(repo, heavy))

    log(f"  N={n:,}: verify cold ...")
    out["verify_cold"], out["checked"] = cold_verifies(repo, verify_cmd, heavy)
    log(f"  N={n:,}: floor (cat-file --batch + bare Ed25519 loop) ...")
    out["floor"], out["floor_cat"], out["floor_ed25519"] = bench_floor(repo, max(2, reps - 2))

    log(f"  N={n:,}: verify and summary warm ...")
    run(verify_cmd, repo)
    out["verify_warm"] = median([run(verify_cmd, repo)[0] for _ in range(reps)])
    run(summary_cmd, repo)  # "a head summarised before": the cold run above dropped its memo
    out["summary_warm"] = median([run(summary_cmd, repo)[0] for _ in range(heavy)])
    out["summary_data"] = median([run(data_cmd, repo)[0] for _ in range(reps)])
    out["summary_data_mb"] = peak_mb(data_cmd, repo)
    out["summary_mb"] = peak_mb(summary_cmd, repo)
    drop_cache(repo)
    out["summary_cold_mb"] = peak_mb(summary_cmd, repo)
    drop_cache(repo)  # the measure: the whole tree (the fork workers, git), summed
    out["summary_cold_tree_pss"], out["summary_cold_tree_rss"] = tree_peak_mb(summary_cmd, repo)
    out["verify_cold_mb"] = peak_mb(verify_cmd, repo)  # cache already rebuilt: a warm run's peak
    drop_cache(repo)
    out["verify_cold_mb"] = peak_mb(verify_cmd, repo)

    log(f"  N={n:,}: one record vs ssh-keygen -Y verify ...")
    out["per_record"], out["ssh_keygen"] = bench_per_record(repo)
    return out


# --- the table ---------------------------------------------------------------------------------


def fmt_s(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


TARGET_N = 100_000  # the N the targets are set at; smaller N show their target unjudged
# what may grow at most 3× from 100,000 to 1,000,000 comments (issue 16)
_GROWTH_TARGETS = ("verify_warm", "summary_warm", "verify_after_add")


def table(results: list[dict], changes: dict | None, help_: tuple[float, float] | None,
          history: dict | None = None, other: dict | None = None) -> str:
    rows: list[tuple[str, str, str, str, str, str, str]] = []

    def row(what: str, n: str, ours: str, base: str, ratio: str, target: str, met: bool | None) -> None:
        if target and " at " not in target and n.replace(",", "").isdigit() and \
                int(n.replace(",", "")) != TARGET_N:
            target, met = f"{target} at {TARGET_N:,}", None  # the issue sets targets at one N
        verdict = "—" if met is None else ("yes" if met else "**no**")
        rows.append((what, n, ours, base, ratio, target, verdict))

    for r in results:
        n = f"{r['n']:,}"
        ratio = r["add"] / r["git_commit"]
        row("comment add vs git add + git commit (one file)", n, fmt_s(r["add"]), fmt_s(r["git_commit"]),
            f"{ratio:.2f}×", "≤ 1.5×", ratio <= 1.5)
        if "add_floor" in r:
            ratio = r["add"] / r["add_floor"]
            row("comment add vs the Python floor (interpreter + libsodium sign + 5 git plumbing "
                "calls)", n, fmt_s(r["add"]), fmt_s(r["add_floor"]), f"{ratio:.2f}×",
                "≤ 2× at 1,000", ratio <= 2 if r["n"] == 1000 else None)
        ratio = r["verify_cold"] / r["floor"]
        row(f"verify cold (no cache) vs floor: cat-file --batch {fmt_s(r['floor_cat'])} + "
            f"Ed25519 loop {fmt_s(r['floor_ed25519'])}", n, fmt_s(r["verify_cold"]), fmt_s(r["floor"]),
            f"{ratio:.2f}×", "≤ 2.5×", ratio <= 2.5)
        row("verify warm: a head verified before in this clone (its verdict remembered)", n,
            fmt_s(r["verify_warm"]), "", "", "≤ 1.5 s", r["verify_warm"] <= 1.5)
        row("summary warm: a head summarised before (terminal report)", n,
            fmt_s(r["summary_warm"]), "", "", "≤ 1.5 s", r["summary_warm"] <= 1.5)
        warm = r.get("verify_warm_pair", r["verify_warm"])
        ratio = r["verify_after_add"] / warm
        row("verify, first run after 1 new comment (as a sync brings it) vs verify warm right "
            "after it", n, fmt_s(r["verify_after_add"]), fmt_s(warm), f"{ratio:.2f}×", "≤ 2×",
            ratio <= 2)
        warm = r.get("summary_warm_pair", r["summary_warm"])
        ratio = r["summary_after_add"] / warm
        row("summary, first run after 10 new comments (a summarised head before them) vs "
            "summary warm right after it", n, fmt_s(r["summary_after_add"]), fmt_s(warm),
            f"{ratio:.2f}×", "≤ 2×", ratio <= 2)
        if "summary_after_late" in r:
            warm = r["summary_warm_late"]
            ratio = r["summary_after_late"] / warm
            row("└ the same after 10 comments submitted an hour ago (late pushes, before ones "
                "already summarised: the full build; one run)", n,
                fmt_s(r["summary_after_late"]), fmt_s(warm), f"{ratio:.2f}×", "", None)
        row(f"└ report data without any remembered result: verify + build_summary, clusters "
            f"remembered (peak {r['summary_data_mb']:.0f} MB)", n, fmt_s(r["summary_data"]),
            "", "", "", None)
        ratio = r["ssh_keygen"] / r["per_record"]
        row("one record verified, in process vs ssh-keygen -Y verify", n, fmt_s(r["per_record"]),
            fmt_s(r["ssh_keygen"]), f"{ratio:.0f}× faster", "≥ 50× faster", ratio >= 50)
        worst = max(r["summary_mb"], r["summary_cold_mb"])
        row(f"summary peak memory (warm; cold {r['summary_cold_mb']:.0f} MB; verify cold "
            f"{r['verify_cold_mb']:.0f} MB)", n, f"{r['summary_mb']:.0f} MB", "", "", "≤ 400 MB",
            worst <= 400)
        if "summary_cold_tree_pss" in r:
            row(f"summary cold, peak memory of the whole process tree: Pss summed over its "
                f"processes, sampled every 20 ms (RSS summed: "
                f"{r['summary_cold_tree_rss']:.0f} MB)", n,
                f"{r['summary_cold_tree_pss']:.0f} MB", "", "", "≤ 400 MB",
                r["summary_cold_tree_pss"] <= 400)
        row("load average (1 min) when this N started", n, f"{r['load']:.1f}", "", "", "", None)
    by_n = {r["n"]: r for r in results}
    sizes = sorted(by_n)
    for a, b in zip(sizes, sizes[1:]):
        grow = b / a
        for key, what in (("verify_cold", "verify cold"), ("verify_warm", "verify warm"),
                          ("verify_after_add", "verify after new comments"),
                          ("summary_warm", "summary warm"), ("summary_data", "report data"),
                          ("add", "comment add")):
            factor = by_n[b][key] / by_n[a][key]
            if (a, b) == (TARGET_N, 10 * TARGET_N) and key in _GROWTH_TARGETS:  # issue 16
                row(f"cost growth of {what}, N ×{grow:g}", f"{a:,}→{b:,}", f"×{factor:.2f}",
                    f"×{grow:g}", "", "≤ ×3", factor <= 3)
                continue
            row(f"cost growth of {what}, N ×{grow:g}", f"{a:,}→{b:,}", f"×{factor:.2f}", f"×{grow:g}",
                "", "linear or better", factor <= grow * 1.1)
        if (a, b) == (TARGET_N, 10 * TARGET_N):
            worst = max(by_n[b]["summary_mb"], by_n[b]["summary_cold_mb"], by_n[b]["verify_cold_mb"])
            row("peak memory at 1,000,000 (summary warm and cold, verify cold)", f"{b:,}",
                f"{worst:.0f} MB", "", "", "≤ 2.5 GB", worst <= 2500)
    if changes:
        ratio = changes["ours"] / changes["git"]
        hunk_gap = changes["ours_hunks"] / changes["git_hunks"] - 1
        row(f"changes, 100 principles {changes['size_kb']:.0f} KB, {changes['sites']} word edits "
            f"(hunks: ours {changes['ours_hunks']}, git {changes['git_hunks']}, {hunk_gap:+.1%})", "—",
            fmt_s(changes["ours"]), fmt_s(changes["git"]), f"{ratio:.0f}×", "≤ 1 s, hunks ±10 %",
            changes["ours"] <= 1 and abs(hunk_gap) <= 0.10)
    if history:
        n = f"{history['commits']:,} commits"
        row("history checks: ledger walk over every commit and parent, cold (all in one "
            "member's folder: the worst case of git's tree diff)", n,
            fmt_s(history["cold"]), "", "", "", None)
        row("history checks: the same after one new commit (remembered state + one step)", n,
            fmt_s(history["step"]), "", "", "", None)
    if other:
        ratio = other["ratio"]
        row(f"verify cold, records in ordinary YAML from another client, vs floor (each run beside "
            f"one of the floor; the median of their ratios): cat-file "
            f"--batch {fmt_s(other['floor_cat'])} + Ed25519 loop {fmt_s(other['floor_ed25519'])}",
            f"{other['n']:,}", fmt_s(other["verify_cold"]), fmt_s(other["floor"]),
            f"{ratio:.2f}×", "≤ 1.5× at 10,000", ratio <= 1.5 if other["n"] == 10_000 else None)
    if help_:
        ratio = help_[0] / help_[1]
        row("coalition --help start-up (baseline: python -c pass)", "—", fmt_s(help_[0]), fmt_s(help_[1]),
            f"{ratio:.1f}×", "≤ 0.3 s and ≤ 3×", help_[0] <= 0.3 and ratio <= 3)
    head = ("measurement", "N", "coalition", "baseline", "ratio", "target", "met")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None, help="comma-separated N (default 1000,10000,100000)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; N <= 10,000 unless --sizes")
    parser.add_argument("--reps", type=int, default=None, help="repetitions per measurement (default 5)")
    parser.add_argument("--dir", default=os.environ.get("COALITION_BENCH_DIR", "/tmp/coalition-bench"),
                        help="where generated repositories are kept ($COALITION_BENCH_DIR)")
    parser.add_argument("--rebuild", action="store_true", help="generate the repositories again")
    parser.add_argument("--output", default=str(HERE / "results.md"), help="also write the table here")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "").replace(",", "")) for s in
             (args.sizes or ("1000,10000" if args.quick else "1000,10000,100000")).split(",") if s]
    if args.sizes:
        sizes = [int(s) for s in args.sizes.replace("_", "").split(",") if s]
    reps = args.reps or (2 if args.quick else 5)
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    log(f"coalition benchmark: N = {', '.join(f'{n:,}' for n in sizes)}; {reps} repetitions; "
        f"repositories in {root}; CLI = {' '.join(coalition_cmd())}")
    started = time.perf_counter()
    results = [bench_size(root, n, reps, args.rebuild, log) for n in sizes]
    log("  changes vs git diff --word-diff ...")
    changes = bench_changes(root, reps)
    history_commits = 1000 if max(sizes) < 10_000 else 10_000
    log(f"  history checks over {history_commits:,} commits ...")
    history = bench_history(root, history_commits, max(2, reps - 2))
    other_n = 10_000 if max(sizes) >= 10_000 else 1_000
    log(f"  cold verify of {other_n:,} records in another client's YAML vs the floor ...")
    other = bench_other_client(root, other_n, max(2, reps - 2), args.rebuild, log)
    log("  --help start-up ...")
    help_ = bench_help(max(reps, 5))
    text = table(results, changes, help_, history, other)
    print(text)
    cpu = platform.processor() or platform.machine()
    header = (f"# coalition benchmark results\n\n"
              f"`python benchmarks/bench.py --sizes {','.join(map(str, sizes))}"
              f"{' --reps ' + str(reps) if args.reps else ''}{' --quick' if args.quick else ''}` — "
              f"{datetime.now(timezone.utc):%Y-%m-%d}, Python {platform.python_version()}, "
              f"{os.cpu_count()} cores ({cpu}), git {git(root, 'version').decode().split()[-1]}; "
              f"medians of {reps} runs; took {time.perf_counter() - started:.0f} s.\n\n")
    Path(args.output).write_text(header + text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
