"""Kotlin: an ``object`` with a ``const val`` per distinct code (KDoc with every meaning) and
``records(code)``, the code's records with their sections, for Android apps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nim_scrape.outputs.code.escape import comment_lines, kotlin_comment, kotlin_string
from nim_scrape.outputs.code.model import (
    codes_of,
    doc_lines,
    header_lines,
    identifiers,
    jvm_package,
    type_name,
)
from nim_scrape.outputs.code.naming import LANGUAGES

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["render"]

_RECORD = """\
    /** One meaning of a code: a row of one section of the page. */
    data class Record(
        val code: Int,
        /** The section title as on the page, e.g. 通用错误码. */
        val section: String,
        /** The section on the vendor's page. */
        val sectionUrl: String,
        /** The English column. */
        val message: String,
        /** The 说明 column, as plain text. */
        val description: String,
    )
"""

_LOOKUP = """\
    /** Every meaning of [code], in page order; empty for a code the page does not give. */
    fun records(code: Int): List<Record> = RECORDS[code] ?: emptyList()

    private val RECORDS: Map<Int, List<Record>> = mapOf(
"""


def _doc(lines: list[str], indent: str) -> list[str]:
    body = [f"{indent} *{' ' if line else ''}{kotlin_comment(line)}" for line in lines]
    return [f"{indent}/**", *body, f"{indent} */"]


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The Kotlin source of ``catalogue``'s codes."""
    codes = codes_of(catalogue, options.names)
    names = identifiers(codes, "kotlin")
    keywords = LANGUAGES["kotlin"].keywords
    name = type_name(options.output, "NimErrorCodes", keywords)
    package = jvm_package(options.output, keywords)
    out = [
        f"// {kotlin_comment(line)}" for h in header_lines(catalogue) for line in comment_lines(h)
    ]
    out += ["", f"package {package}", ""] if package else [""]
    out += [
        *_doc(["The NetEase Yunxin IM SDK (NIM) error codes: a constant per code."], ""),
        f"object {name} {{",
    ]
    out.append(_RECORD)
    for code in sorted(codes, key=lambda c: c.code):
        out += [
            *_doc(doc_lines(code), "    "),
            f"    const val {names[code.code]}: Int = {code.code}",
            "",
        ]
    out.append(_LOOKUP.rstrip("\n"))
    for code in sorted(codes, key=lambda c: c.code):
        out.append(f"        {code.code} to listOf(")
        for m in code.meanings:
            args = ", ".join(
                kotlin_string(t) for t in (m.section, m.section_url, m.message, m.description)
            )
            out.append(f"            Record({m.code}, {args}),")
        out.append("        ),")
    out += ["    )", "}", ""]
    return "\n".join(out)
