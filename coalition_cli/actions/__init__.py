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
from .governance import comment_withdraw_consent, label_add, notice_add, section_approve
from .members import member_add, member_remove, member_revoke_key
from .principles import principle_add, principle_edit
from .responses import redact, respond
from .rounds import round_close, round_extend, round_open, round_reopen
from .translations import principle_translate
from .setup import CONFIG_KEYS, _config_dict, _config_yaml, config_replace, config_set, init, migrate

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
