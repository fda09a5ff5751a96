"""Java: a final class with a ``public static final int`` per distinct code (Javadoc with every
meaning) and ``records(code)``, the code's records with their sections; compiles on Java 11+.

The file is ASCII only (javac reads sources in the platform's encoding unless told), and no
backslash from the page is left in a comment, where javac would read ``\\u`` escapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nim_scrape.outputs.code.escape import comment_lines, java_comment, java_string
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

# A method's bytecode is limited to 64 KiB: the records are put in the map in parts.
_PART = 200

_RECORD = """\
    private {name}() {{
    }}

    /** One meaning of a code: a row of one section of the page. */
    public static final class Record {{
        public final int code;
        /** The section title as on the page. */
        public final String section;
        /** The section on the vendor's page. */
        public final String sectionUrl;
        /** The English column. */
        public final String message;
        /** The description column, as plain text. */
        public final String description;

        Record(int code, String section, String sectionUrl, String message, String description) {{
            this.code = code;
            this.section = section;
            this.sectionUrl = sectionUrl;
            this.message = message;
            this.description = description;
        }}

        @Override
        public String toString() {{
            return code + " " + section + ": " + message;
        }}
    }}
"""

_LOOKUP = """\
    private static final Map<Integer, List<Record>> RECORDS = build();

    /**
     * Every meaning of a code, in page order.
     *
     * @param code an error code
     * @return its records; empty for a code the page does not give
     */
    public static List<Record> records(int code) {
        List<Record> found = RECORDS.get(code);
        return found == null ? Collections.<Record>emptyList() : found;
    }

    private static Map<Integer, List<Record>> build() {
        Map<Integer, List<Record>> map = new HashMap<>();
"""


def _doc(lines: list[str], indent: str) -> list[str]:
    body = [f"{indent} *{' ' if line else ''}{java_comment(line)}" for line in lines]
    # Javadoc is HTML: a line break of its own, so that each meaning reads on its line.
    body = [f"{line}<br>" if line != f"{indent} *" else line for line in body]
    return [f"{indent}/**", *body, f"{indent} */"]


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The Java source of ``catalogue``'s codes."""
    codes = sorted(codes_of(catalogue, options.names), key=lambda c: c.code)
    names = identifiers(codes, "java")
    keywords = LANGUAGES["java"].keywords
    name = type_name(options.output, "NimErrorCodes", keywords, exact=True)
    # A public class must be in the file of its name; any other is package-private.
    public = "public " if options.output is None or options.output.stem == name else ""
    package = jvm_package(options.output, keywords)
    out = [f"// {java_comment(line)}" for h in header_lines(catalogue) for line in comment_lines(h)]
    out += ["", f"package {package};"] if package else []
    out += [
        "",
        "import java.util.Arrays;",
        "import java.util.Collections;",
        "import java.util.HashMap;",
        "import java.util.List;",
        "import java.util.Map;",
        "",
    ]
    out += [
        *_doc(["The NetEase Yunxin IM SDK (NIM) error codes: a constant per code."], ""),
        f"{public}final class {name} {{",
        _RECORD.format(name=name),
    ]
    for code in codes:
        out += [
            *_doc(doc_lines(code), "    "),
            f"    public static final int {names[code.code]} = {code.code};",
            "",
        ]
    out.append(_LOOKUP.rstrip("\n"))
    parts = [codes[i : i + _PART] for i in range(0, len(codes), _PART)]
    out += [f"        part{i}(map);" for i in range(len(parts))]
    out += ["        return Collections.unmodifiableMap(map);", "    }"]
    for i, part in enumerate(parts):
        out += ["", f"    private static void part{i}(Map<Integer, List<Record>> map) {{"]
        for code in part:
            out.append(f"        map.put({code.code}, Collections.unmodifiableList(Arrays.asList(")
            rows = [
                f"            new Record({m.code}, "
                + ", ".join(
                    java_string(t) for t in (m.section, m.section_url, m.message, m.description)
                )
                + ")"
                for m in code.meanings
            ]
            out.append(",\n".join(rows) + ")));")
        out.append("    }")
    out += ["}", ""]
    return "\n".join(out)
