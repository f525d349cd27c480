"""The governance fields of a member's record, checked when the record is parsed
(``model.record_from_fields`` calls these): a confidential comment's chosen holders, and a
member's Local Contexts Labels."""

from __future__ import annotations

from ..errors import MalformedData
from ..ids import SLUG_ID

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def labels(fields: dict[str, Any], path: str) -> dict[str, Any] | None:
    """A member's Local Contexts Labels (never Notices: those are the facilitators')."""
    if fields.get("local_contexts") is None:
        return None
    from .local_contexts import parse

    value = parse(fields["local_contexts"], path)
    if value is not None and (value["notices"] or not value["labels"]):
        raise MalformedData(path, "a member's record holds Local Contexts Labels only "
                                  "(Notices are applied by facilitators)")
    return value


def sharing(fields: dict[str, Any], f: Any) -> dict[str, Any]:
    """``shared_with`` and ``holders_named`` of a comment (only beside ``encrypted``)."""
    if "shared_with" not in fields:
        return {}
    if "encrypted" not in fields:
        raise f.fail("field 'shared_with' belongs to a confidential comment only")
    named = fields.get("holders_named", False)
    if not isinstance(named, bool):
        raise f.fail("field 'holders_named' must be true or false")
    return {"shared_with": f.strs("shared_with", pattern=SLUG_ID), "holders_named": named}
