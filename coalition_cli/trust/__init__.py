"""Trust: what `coalition` believes, and why an insider with push access cannot change it.

The rules, in the order they are applied (each is one function; the problem kinds are
in ``problems.PROBLEMS``; ``docs/SECURITY.md`` names the test that shows each):

1. **Roots** (``roots``). The founders are the keys pinned for this clone
   (``coalition trust``) or given for one run (``verify --trust``); without either,
   those the first ``coalition.yaml`` names, and every report on trust says "trust on
   first use". A fingerprint in an unsigned file never extends a pin.
2. **Governed files only move forward** (``ledger``, ``forward``). The registry, the settings, the
   principles (and each one's text in another language of the agenda, ``P03-….fr.md``)
   and each round's ``round.yaml`` and ``closing.yaml`` are trusted version
   by version over the whole history DAG: a new version must be signed by a key that
   had the authority at *every* parent it differs from (the first registry by a
   founder), is parsed only after that, and never goes back — revocations, removals
   and seals are permanent; a closed round reopens only with a signed reopening.
3. **Seals** (``seals``). A key that loses its authority keeps vouching only for the
   files its sealing registry change lists; any other file it signed is
   ``revoked-key``, wherever it sits in history.
4. **Records are judged at the head** (``verify``): a comment by a key of its member,
   a facilitator's record by a facilitator of the trusted registry (or sealed), every
   file inside its round's window and manifest; a signed record that an ancestor had
   and the head lost is ``removed`` unless a facilitator-signed redaction names it.
5. **History must be whole**: a shallow or grafted clone is ``incomplete-history``.
6. **Writes and reads act on verified state** (``view``): signing commands start from
   ``verified_snapshot`` and refuse while the governed files at the head are not
   exactly their trusted versions; listings show trusted data only.
"""

from .problems import PROBLEMS
from .roots import Roots, pin, roots
from .view import Trusted, trusted, verified_snapshot

__all__ = ["PROBLEMS", "Roots", "roots", "pin", "Trusted", "trusted", "verified_snapshot"]
