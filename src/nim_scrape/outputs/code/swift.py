"""Swift: an ``enum`` of the distinct codes (``Int`` raw values, doc comments with every meaning),
each with ``records``, and ``records(for:)`` for any ``Int``, for iOS and macOS apps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nim_scrape.outputs.code.escape import comment_lines, swift_string
from nim_scrape.outputs.code.model import codes_of, doc_lines, header_lines, identifiers, type_name
from nim_scrape.outputs.code.naming import LANGUAGES

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["render"]

_RECORD = """\
    /// One meaning of a code: a row of one section of the page.
    public struct Record: Equatable, Hashable {
        public let code: Int
        /// The section title as on the page, e.g. 通用错误码.
        public let section: String
        /// The section on the vendor's page.
        public let sectionUrl: String
        /// The English column.
        public let message: String
        /// The 说明 column, as plain text.
        public let description: String
    }

    /// Every meaning of this code, in page order.
    public var records: [Record] { {name}.records(for: rawValue) }

    /// Every meaning of `code`, in page order; empty for a code the page does not give.
    public static func records(for code: Int) -> [Record] {
        switch code {
"""


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The Swift source of ``catalogue``'s codes."""
    codes = sorted(codes_of(catalogue, options.names), key=lambda c: c.code)
    names = identifiers(codes, "swift")
    name = type_name(options.output, "NimErrorCode", LANGUAGES["swift"].keywords)
    out = [f"// {line}" for h in header_lines(catalogue) for line in comment_lines(h)]
    out += ["", "/// The NetEase Yunxin IM SDK (NIM) error codes: a case per code.",
            f"public enum {name}: Int, CaseIterable {{"]  # fmt: skip
    for code in codes:
        out += [f"    /// {line}".rstrip() for line in doc_lines(code)]
        out += [f"    case {names[code.code]} = {code.code}", ""]
    out.append(_RECORD.replace("{name}", name).rstrip("\n"))
    for code in codes:
        out += [f"        case {code.code}:", "            return ["]
        for m in code.meanings:
            out.append(
                f"                Record(code: {m.code}, section: {swift_string(m.section)}, "
                f"sectionUrl: {swift_string(m.section_url)}, message: {swift_string(m.message)}, "
                f"description: {swift_string(m.description)}),"
            )
        out.append("            ]")
    out += ["        default:", "            return []", "        }", "    }", "}", ""]
    return "\n".join(out)
