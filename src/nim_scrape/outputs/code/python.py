"""Python: an ``IntEnum`` of the distinct codes (comments with every meaning) and ``lookup(code)``,
the code's records with their sections; importable on Python 3.10+."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nim_scrape.outputs.code.escape import comment_lines, python_string
from nim_scrape.outputs.code.model import codes_of, doc_lines, header_lines, identifiers

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["render"]

_DECLARATIONS = '''\
"""The NetEase Yunxin IM SDK (NIM) error codes: an IntEnum member per code, and lookup(code)."""

from __future__ import annotations

import enum
from typing import NamedTuple

__all__ = ["NimErrorCode", "NimErrorRecord", "lookup"]


class NimErrorRecord(NamedTuple):
    """One meaning of a code: a row of one section of the page."""

    code: int
    section: str  # the section title as on the page, e.g. 通用错误码
    section_url: str  # the section on the vendor's page
    message: str  # the English column
    description: str  # the 说明 column, as plain text


class NimErrorCode(enum.IntEnum):
    """Every code of the page; ``NimErrorCode.X.records`` gives its meanings."""
'''

_LOOKUP = '''\
    @property
    def records(self) -> tuple[NimErrorRecord, ...]:
        """Every meaning of this code, in page order."""
        return lookup(self)


def lookup(code: int) -> tuple[NimErrorRecord, ...]:
    """Every meaning of ``code``, in page order; empty for a code the page does not give."""
    return _RECORDS.get(int(code), ())


_RECORDS: dict[int, tuple[NimErrorRecord, ...]] = {
'''


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The Python source of ``catalogue``'s codes."""
    codes = sorted(codes_of(catalogue, options.names), key=lambda c: c.code)
    names = identifiers(codes, "python")
    out = [f"# {line}".rstrip() for h in header_lines(catalogue) for line in comment_lines(h)]
    out += [_DECLARATIONS]
    for code in codes:
        out += [f"    #: {line}".rstrip() for line in doc_lines(code)]
        out += [f"    {names[code.code]} = {code.code}", ""]
    out.append(_LOOKUP.rstrip("\n"))
    for code in codes:
        out.append(f"    {code.code}: (")
        for m in code.meanings:
            args = ", ".join(
                python_string(t) for t in (m.section, m.section_url, m.message, m.description)
            )
            out.append(f"        NimErrorRecord({m.code}, {args}),")
        out.append("    ),")
    out += ["}", ""]
    return "\n".join(out)
