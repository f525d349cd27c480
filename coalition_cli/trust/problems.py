"""Every kind of problem ``coalition verify`` reports, in one place, with what it means.

The keys are the ``problem`` values of ``verify --format json`` (a contract: SPEC.md);
the sentences are what ``docs/SECURITY.md`` and ``verify --explain`` say about them.
"""

from __future__ import annotations

PROBLEMS: dict[str, str] = {
    "bad-signature": "the .sig beside the file is not a valid SSH signature over its bytes",
    "unsigned": "a file that must be signed has no .sig beside it",
    "unknown-member": "signed by a key that no member of the verified registry holds",
    "revoked-key": "signed with a key that had lost its authority (revoked, or its member "
                   "removed), and not among the files that key's seal keeps",
    "not-permitted": "signed by someone who may not sign this kind of file (a non-facilitator, "
                     "or a key the pinned founders never vouched for)",
    "wrong-place": "the file's own fields disagree with where it is stored",
    "late": "added to a round after its closing manifest",
    "malformed": "the file cannot be read as the record it should be",
    "duplicate-id": "a record id used twice in one round",
    "out-of-window": "submitted outside the round's open window",
    "missing": "listed in a closing manifest but no longer in the tree",
    "rollback": "a signed file went back to an older version (by merge, revert or edit), or a "
                "revocation, removal or seal was undone",
    "removed": "a signed record present in an earlier commit is gone (or changed) at the head, "
               "and no facilitator-signed redaction says why",
    "incomplete-history": "the clone is shallow or grafted, so history cannot be checked",
    "history-rewritten": "the branch no longer contains the head this clone verified before",
}

# the problems whose presence makes the registry or the settings untrustworthy: signing
# commands refuse to act (exit 4) while one of them is reported on such a file
GOVERNED = ("members/", "coalition.yaml", "principles/")

__all__ = ["PROBLEMS", "GOVERNED"]
