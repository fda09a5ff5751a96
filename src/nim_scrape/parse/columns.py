"""Which column of an error-code table holds what: the roles of its columns, from their headers.

Error-code pages name their columns in many ways (``code | desc | 说明`` on the NIM V2 page,
``code | Description`` on the English V1 page, ``错误码 | 错误信息 | 描述和可能原因 | 处理建议``
elsewhere), so a table is read by its columns' roles, not by their names:

- ``code``: the error code (错误码, 状态码, 返回码, code, Error Code, error_code, StatusCode, ...);
- ``message``: a short message, often English (desc, message, 错误信息, ErrorMessage, ...),
  optional;
- ``description``: the explanation (说明, 描述, 详细描述, Description, 描述和可能原因, 含义, ...);
- any other column is kept as it is (a record's ``extra``): 处理建议, Troubleshooting Guide, ...

Header words are compared as ``header_key`` makes them: case, width, whitespace and punctuation
ignored, so ``Error Code:``, ``error_code`` and ``ErrorCode`` are one word, and so are
``详细描述。`` and ``详细描述``.

One module for the parser (``parse.tables``) and the article finder (``article.shapes``), so
that a table one takes for an error-code table the other does too. Pure text, no HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nim_scrape.catalogue.text import cosmetic_key
from nim_scrape.errors import UsageError

__all__ = [
    "ROLES",
    "Columns",
    "header_key",
    "is_code_header",
    "match_columns",
    "role_of",
]

ROLES = ("code", "message", "description")

# Each word as header_key leaves it: lower case, no spaces, no punctuation (``_`` included).
_WORDS: dict[str, frozenset[str]] = {
    "code": frozenset(
        {
            "code",
            "错误码",
            "错误代码",
            "错误码值",
            "状态码",
            "返回码",
            "结果码",
            "errorcode",
            "errcode",
            "statuscode",
            "httpstatuscode",
            "returncode",
            "retcode",
            "resultcode",
        }
    ),
    "message": frozenset(
        {
            "desc",
            "message",
            "msg",
            "错误信息",
            "错误消息",
            "错误提示",
            "提示信息",
            "返回信息",
            "英文描述",
            "errmessage",
            "errmsg",
            "errormessage",
            "errormsg",
        }
    ),
    "description": frozenset(
        {
            "说明",
            "描述",
            "详细描述",
            "场景说明",
            "含义",
            "中文说明",
            "中文描述",
            "错误描述",
            "错误说明",
            "描述和可能原因",
            "description",
            "detaildescription",
            "detaileddescription",
            "details",
            "meaning",
        }
    ),
}


def header_key(text: str) -> str:
    """A header as it is compared: without case, width, whitespace or punctuation."""
    return cosmetic_key(text).lower()


def role_of(header: str) -> str | None:
    """The role a header names (one of ``ROLES``), or None for any other column."""
    key = header_key(header)
    for role, words in _WORDS.items():
        if key in words:
            return role
    return None


def is_code_header(header: str) -> bool:
    """Whether ``header`` names an error-code column."""
    return header_key(header) in _WORDS["code"]


@dataclass(frozen=True)
class Columns:
    """Where a table keeps each role: a column index, or None where it has no such column."""

    code: int | None
    message: int | None
    description: int | None

    @property
    def missing(self) -> str | None:
        """The role without which the table cannot be read (``code``, ``description``), or None.

        A table needs a code column, and a description column, except that a message column
        alone beside the code is the whole text (``code | message``): nothing else could be its
        description.
        """
        if self.code is None:
            return "code"
        if self.description is None and self.message is None:
            return "description"
        return None

    def known(self) -> tuple[int, ...]:
        """The columns holding a role, in the order of ``ROLES``."""
        return tuple(c for c in (self.code, self.message, self.description) if c is not None)


def match_columns(labels: Sequence[str], override: Mapping[str, str] | None = None) -> Columns:
    """The roles of a table's columns, from its header row (``labels``: a header per column).

    ``override`` maps a role to the header that holds it in this page's tables, for headers no
    word here names (``{"code": "Value"}``); roles it does not name are found by their words.
    Each role takes the first column naming it. A message column with further unnamed columns
    beside it is no description: the table has none (``missing``), rather than a guess.
    """
    keys = [header_key(label) for label in labels]
    found: dict[str, int] = {}
    for role, header in _checked(override).items():
        key = header_key(header)
        if key in keys:
            found[role] = keys.index(key)
    taken = set(found.values())
    for role in ROLES:
        if role in found:
            continue
        for column, key in enumerate(keys):
            if column not in taken and key in _WORDS[role]:
                found[role] = column
                taken.add(column)
                break
    if "description" not in found and "message" in found:
        others = {k for c, k in enumerate(keys) if c not in taken and k}
        if others:
            # code | desc | 备注: 备注 may be the description under a new name; refusing says so,
            # where taking the message alone would drop every description without a word.
            del found["message"]
    return Columns(found.get("code"), found.get("message"), found.get("description"))


def _checked(override: Mapping[str, str] | None) -> Mapping[str, str]:
    if not override:
        return {}
    unknown = sorted(set(override) - set(ROLES))
    if unknown:
        raise UsageError(
            f"columns: {', '.join(map(repr, unknown))} is not a column role "
            f"(the roles are {', '.join(ROLES)})"
        )
    for role, header in override.items():
        if not isinstance(header, str) or not header_key(header):
            raise UsageError(f"columns: the {role} column's header {header!r} is not a header")
    return override
