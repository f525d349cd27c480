"""Everything that writes to an agenda: one function per user action, one module per noun.

Each action reads the agenda through ``verified`` (the head with trusted data only), checks
who may do it, builds the record through ``model`` (so it always reads back), signs the
exact bytes and commits record and signature together in one commit
(``store.Git.commit_files``). Nothing is written when a check fails.

The clock every action reads is ``_write.now`` (tests set it there).
"""

from __future__ import annotations

from ..errors import GitError
from ..model import parse_stamp
from ._write import (
    ANONYMOUS_AUTHOR,
    GITATTRIBUTES,
    Written,
    _commit,
    _later,
    _signed,
    _signed_bytes,
    parse_closes,
    require_role,
    verified,
)
from .comments import (
    _member_records,
    _write_record,
    comment_ack,
    comment_add,
    comment_endorse,
    comment_reencrypt,
    comment_withdraw,
    find_record,
)
# The other nouns are imported when first named (``actions.member_add``, ``from
# coalition_cli.actions import init``): a command imports the one module it acts through.
_LAZY = {
    "comment_withdraw_consent": "governance", "label_add": "governance",
    "notice_add": "governance", "section_approve": "governance",
    "member_add": "members", "member_remove": "members", "member_revoke_key": "members",
    "principle_add": "principles", "principle_edit": "principles",
    "redact": "responses", "respond": "responses",
    "round_close": "rounds", "round_extend": "rounds", "round_open": "rounds",
    "round_reopen": "rounds",
    "principle_translate": "translations",
    "CONFIG_KEYS": "setup", "_config_dict": "setup", "_config_yaml": "setup",
    "config_replace": "setup", "config_set": "setup", "init": "setup", "migrate": "setup",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ANONYMOUS_AUTHOR", "CONFIG_KEYS", "GITATTRIBUTES", "GitError", "Written", "_commit",
    "_config_dict", "_config_yaml", "_later", "_member_records", "_signed", "_signed_bytes",
    "_write_record", "comment_ack", "comment_add", "comment_endorse", "comment_reencrypt",
    "comment_withdraw", "comment_withdraw_consent", "config_replace", "config_set",
    "find_record", "init", "label_add", "member_add", "member_remove", "member_revoke_key",
    "migrate", "notice_add", "parse_closes", "parse_stamp", "principle_add", "principle_edit",
    "principle_translate", "redact", "respond", "require_role", "round_close",
    "section_approve",
    "round_extend", "round_open", "round_reopen", "verified",
]
