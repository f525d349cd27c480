"""The governance settings of ``coalition.yaml``: their defaults for ``init``, their
explanation in the file, and ``coalition config set`` of them."""

from __future__ import annotations

import json

from ..errors import InputError
from .consent import SILENCE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# A new agenda asks for the consent of its Indigenous-led members on every principle whose
# front matter carries this theme (coalition principle add/edit --theme).
INDIGENOUS_THEME = "indigenous-data-governance"


def default_governance() -> dict[str, Any]:
    return {"silence": "abstain",
            "community": [{"theme": INDIGENOUS_THEME, "sector": "indigenous-led",
                           "quorum": 0.5, "threshold": 0.75, "max_blocks": 0}]}


CONSENT_COMMENT = (
    "# silence: abstain, or consent (a member that took part in the round and said nothing",
    "# on a principle accepts it). community: principles (by theme or id) that also need the",
    "# consent of a group (a sector or named members), by its own quorum, threshold and",
    "# max_blocks; that group's silence is never consent.",
)


DISTINCTIONS_COMMENT = (
    "# distinctions: report sections of their own (e.g. First Nations, Inuit, Metis",
    "# organisations), each {id, title, members and/or sectors}; its members approve it.",
)


def governance_setting(key: str, value: str) -> Any:
    """The value of ``config set consensus.silence|consensus.community|distinctions VALUE``."""
    if key == "consensus.silence":
        if value not in SILENCE:
            raise InputError(f"consensus.silence must be one of {', '.join(SILENCE)}, not '{value}'")
        return value
    try:
        rules = json.loads(value)
    except ValueError:
        if key == "distinctions":
            raise InputError("distinctions must be a JSON list of sections", hint='e.g. \'[{"id": '
                             '"inuit", "title": "Inuit organisations", "members": []}]\'') from None
        raise InputError("consensus.community must be a JSON list of rules",
                         hint='e.g. \'[{"theme": "indigenous-data-governance", '
                              '"sector": "indigenous-led"}]\'') from None
    if not isinstance(rules, list):
        raise InputError(f"{key} must be a JSON list")
    return rules
