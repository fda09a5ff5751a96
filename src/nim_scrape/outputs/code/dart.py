"""Dart: a class of ``static const int`` per distinct code (doc comments with every meaning) and
``records(code)``, the code's records with their sections, for Flutter apps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nim_scrape.outputs.code.escape import comment_lines, dart_string
from nim_scrape.outputs.code.model import codes_of, doc_lines, header_lines, identifiers, type_name
from nim_scrape.outputs.code.naming import LANGUAGES

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["render"]

_RECORD = """\
/// One meaning of a code: a row of one section of the page.
class {name}Record {{
  const {name}Record(this.code, this.section, this.sectionUrl, this.message, this.description);

  final int code;

  /// The section title as on the page, e.g. 通用错误码.
  final String section;

  /// The section on the vendor's page.
  final String sectionUrl;

  /// The English column.
  final String message;

  /// The 说明 column, as plain text.
  final String description;

  @override
  String toString() => '$code $section: $message';
}}

/// The NetEase Yunxin IM SDK (NIM) error codes: a constant per code.
class {name} {{
  {name}._();
"""

_LOOKUP = """\
  /// Every meaning of [code], in page order; empty for a code the page does not give.
  static List<{name}Record> records(int code) => _records[code] ?? const <{name}Record>[];

  static const Map<int, List<{name}Record>> _records = <int, List<{name}Record>>{{
"""


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The Dart source of ``catalogue``'s codes."""
    codes = sorted(codes_of(catalogue, options.names), key=lambda c: c.code)
    names = identifiers(codes, "dart")
    name = type_name(options.output, "NimErrorCodes", LANGUAGES["dart"].keywords)
    out = [f"// {line}" for h in header_lines(catalogue) for line in comment_lines(h)]
    out += ["", _RECORD.format(name=name)]
    for code in codes:
        out += [f"  /// {line}".rstrip() for line in doc_lines(code)]
        out += [f"  static const int {names[code.code]} = {code.code};", ""]
    out.append(_LOOKUP.format(name=name).rstrip("\n"))
    for code in codes:
        out.append(f"    {code.code}: <{name}Record>[")
        for m in code.meanings:
            args = ", ".join(
                dart_string(t) for t in (m.section, m.section_url, m.message, m.description)
            )
            out.append(f"      {name}Record({m.code}, {args}),")
        out.append("    ],")
    out += ["  };", "}", ""]
    return "\n".join(out)
