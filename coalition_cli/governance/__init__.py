"""Indigenous data governance, enforced by the tool (issue 14).

One module per rule, each small and pure where it can be:

* ``consent`` — community authority in the consensus rule (a required group's own quorum,
  threshold and blocks on the principles a signed ``coalition.yaml`` names) and the
  coalition's choice about silence (``abstain`` or ``consent``);
* ``recipients`` — who holds a confidential comment (``--share-with``), and the author's
  withdrawal of consent to use a comment (``consent-withdrawal`` records);
* ``wording`` — every sentence about these rules that a report shows, in one place (so it
  is translated in one place).

What the tool enforces and what it leaves to the coalition: README, section "Indigenous
data governance".
"""
