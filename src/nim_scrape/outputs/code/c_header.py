"""C and C++: a header with an ``enum`` of the distinct codes, each with a comment holding every
meaning, behind a header guard. Derived names start with ``NIM_ERROR_``: enumerators share one
namespace with every other header's names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nim_scrape.outputs.code.escape import c_comment, comment_lines
from nim_scrape.outputs.code.model import codes_of, doc_lines, header_lines, identifiers
from nim_scrape.outputs.code.naming import upper_snake, words_of

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["render"]


def _comment(lines: list[str], indent: str) -> list[str]:
    body = [f"{indent} *{' ' if line else ''}{c_comment(line)}".rstrip() for line in lines]
    return [f"{indent}/**", *body, f"{indent} */"]


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The C/C++ header of ``catalogue``'s codes."""
    codes = sorted(codes_of(catalogue, options.names), key=lambda c: c.code)
    names = identifiers(codes, "c")
    words = words_of(options.output.name.split(".")[0]) if options.output else []
    words = words or ["nim", "error", "codes"]
    # Never a name the implementation reserves (a leading underscore and a capital).
    guard = upper_snake(["nim", "scrape", *words, "h"])
    tag = "_".join(words if words[0] == "nim" else ["nim", *words])
    header = [line for h in header_lines(catalogue) for line in comment_lines(h)]
    out = [*_comment(header, ""), f"#ifndef {guard}", f"#define {guard}", ""]
    out += ["#ifdef __cplusplus", 'extern "C" {', "#endif", ""]
    if codes:  # C has no empty enum
        about = "The NetEase Yunxin IM SDK (NIM) error codes: an enumerator per code."
        out += [*_comment([about], ""), f"typedef enum {tag} {{"]
        for code in codes:
            out += [*_comment(doc_lines(code), "    "), f"    {names[code.code]} = {code.code},"]
        out += [f"}} {tag};", ""]
    out += ["#ifdef __cplusplus", "}", "#endif", "", f"#endif /* {guard} */", ""]
    return "\n".join(out)
