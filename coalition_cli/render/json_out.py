"""JSON: exactly the dict the caller shaped (the spec's keys), nothing added."""

from __future__ import annotations

import json


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
