"""Each language's escaping of the page's text, one small function per literal or comment kind.

A string literal gives back exactly the page's text when the program runs; a comment shows it
to a reader and can never end early or turn into code: ``*/`` and ``/*`` (Kotlin, Swift and Dart
nest block comments), Java's ``\\u`` escapes (processed even inside comments), C's line splices
and trigraphs, and line breaks in a ``//`` comment. Characters that are invisible or that some
tools read as line or text-direction breaks (control and format characters, U+2028/U+2029) are
shown in comments as ``\\uXXXX`` and escaped in strings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

__all__ = [
    "ESCAPES",
    "c_comment",
    "c_string",
    "comment_lines",
    "dart_string",
    "go_string",
    "java_comment",
    "java_string",
    "kotlin_comment",
    "kotlin_string",
    "python_string",
    "swift_string",
]

# Control, format (text direction, byte order mark), line and paragraph separators, surrogates.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def hidden(char: str) -> bool:
    """True for a character a reader cannot see, or that a tool may take as a line break."""
    return unicodedata.category(char) in _HIDDEN


def comment_lines(text: str) -> list[str]:
    """``text`` as the lines of a comment: split at every line break, hidden characters shown as
    ``\\uXXXX``. Each language's comment function then escapes what its comments mean."""
    lines = text.splitlines() or [""]
    return ["".join(f"\\u{ord(c):04X}" if hidden(c) else c for c in line) for line in lines]


def _literal(text: str, table: dict[str, str], other: Callable[[str], str]) -> str:
    return "".join(table.get(c) or (other(c) if hidden(c) else c) for c in text)


_COMMON = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _utf16(char: str) -> str:
    data = char.encode("utf-16-be", "surrogatepass")
    return "".join(
        f"\\u{int.from_bytes(data[i : i + 2], 'big'):04X}" for i in range(0, len(data), 2)
    )


def java_string(text: str) -> str:
    """A Java string literal. ASCII only: javac reads a file in the platform's encoding unless told
    otherwise, so every other character is a ``\\uXXXX`` escape (a backslash is doubled, so a
    ``\\u`` on the page stays text: Java reads an escape only after an even run of backslashes)."""
    table = {**_COMMON, "\b": "\\b", "\f": "\\f"}
    return '"' + "".join(table.get(c) or (c if " " <= c <= "~" else _utf16(c)) for c in text) + '"'


def java_comment(line: str) -> str:
    """A line of Javadoc: HTML (it is rendered as such), ASCII only, with no backslash left for
    javac's ``\\u`` processing, no ``*/`` and no ``@`` that would start a tag."""
    table = {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "\\": "&#92;",
        "@": "&#64;",
    }
    text = "".join(table.get(c) or (c if " " <= c <= "~" else _utf16(c)) for c in line)
    return text.replace("*/", "*&#47;")


def kotlin_string(text: str) -> str:
    """A Kotlin string literal; ``$`` is escaped so ``${x}`` and ``$x`` stay text."""
    table = {**_COMMON, "$": "\\$", "\b": "\\b"}
    return '"' + _literal(text, table, _utf16) + '"'


def kotlin_comment(line: str) -> str:
    """A line of KDoc (Markdown); Kotlin block comments nest, so ``/*`` is broken up like ``*/``."""
    return line.replace("*/", "*&#47;").replace("/*", "&#47;*")


def swift_string(text: str) -> str:
    """A Swift string literal; the backslash is escaped, so ``\\(x)`` stays text."""
    table = {**_COMMON, "\0": "\\0"}
    return '"' + _literal(text, table, _swift_scalar) + '"'


def _swift_scalar(char: str) -> str:
    # A lone surrogate is no Unicode scalar: Swift (and Go) cannot hold it, so it becomes U+FFFD.
    return f"\\u{{{ord(char):X}}}" if unicodedata.category(char) != "Cs" else "\\u{FFFD}"


def dart_string(text: str) -> str:
    """A Dart string literal; ``$`` is escaped so ``${x}`` and ``$x`` stay text."""
    table = {**_COMMON, "$": "\\$", "\b": "\\b", "\f": "\\f", "\v": "\\v"}
    return '"' + _literal(text, table, lambda c: f"\\u{{{ord(c):X}}}") + '"'


def go_string(text: str) -> str:
    """A Go interpreted string literal (Go refuses a byte order mark anywhere but at the start,
    even inside a string, so that is escaped with the other hidden characters)."""
    table = {**_COMMON, "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}
    return '"' + _literal(text, table, _go_rune) + '"'


def _go_rune(char: str) -> str:
    if unicodedata.category(char) == "Cs":
        return "\\uFFFD"
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x80
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def python_string(text: str) -> str:
    """A Python string literal: ``repr`` escapes every character that is not printable."""
    return repr(text)


def c_string(text: str) -> str:
    """A C and C++ string literal of the UTF-8 bytes, ASCII only; ``?`` is escaped so that no
    trigraph (``??/`` is a backslash in C89 and C++98) can form."""
    table = {**_COMMON, "?": "\\?"}
    out = []
    for char in text:
        if char in table:
            out.append(table[char])
        elif " " <= char <= "~":
            out.append(char)
        else:
            # Octal, three digits: a hex escape would run on into a following hex digit.
            out.extend(f"\\{byte:03o}" for byte in char.encode("utf-8", "surrogatepass"))
    return '"' + "".join(out) + '"'


def c_comment(line: str) -> str:
    """A line inside a C block comment: no ``*/`` to end it and no ``/*`` for -Wcomment. A line
    splice (a backslash, or ``??/``, at the end) only joins two lines of the same comment."""
    return line.replace("*/", "* /").replace("/*", "/ *")


ESCAPES: dict[str, Callable[[str], str]] = {
    "kotlin_string": kotlin_string,
    "java_string": java_string,
    "swift_string": swift_string,
    "dart_string": dart_string,
    "go_string": go_string,
    "python_string": python_string,
    "c_string": c_string,
    "kotlin_comment": kotlin_comment,
    "java_comment": java_comment,
    "c_comment": c_comment,
}
