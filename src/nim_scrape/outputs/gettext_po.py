"""A gettext catalogue (``.po``): one message per distinct code, ``msgid`` its key.

The ``msgid`` is the code's key (``nim_error_102404``), so an app looks a code up by its key, and
the ``msgstr`` is the text in the chosen language. Strings are C-escaped as the PO format says
(``\\\\``, ``\\"``, ``\\n``, ``\\t``, octal for other control characters) and a text holding line
breaks is split after each one, as msgcat writes it. Extracted comments (``#.``) give each
meaning's section, message and 说明, and the printf placeholders of the text.

No ``#, c-format`` flag: ``msgfmt -c`` checks a flagged message's ``msgstr`` against its
``msgid``, and a key has no directives, so every flagged text with ``%s`` would be refused
("number of format specifications in 'msgid' and 'msgstr' does not match"). The placeholders are
listed in a ``#.`` comment instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nim_scrape.about import __version__
from nim_scrape.outputs.localized import entries, generated_note

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["catalogue_po", "po_string", "printf_placeholders", "render"]

_LANGUAGE = {"en": "en", "zh": "zh_CN"}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
# printf conversions as C and Java write them: %s, %d, %1$s, %-5.2f, %%.
_PRINTF = re.compile(
    r"%(?:\d+\$)?[-+ #0]*(?:\d+|\*)?(?:\.\d+)?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGaAcspn%@]"
)


def printf_placeholders(text: str) -> list[str]:
    """The printf conversions in ``text``, in order, without ``%%``."""
    return [m for m in _PRINTF.findall(text) if m != "%%"]


def _escape(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return "".join(out)


def po_string(keyword: str, text: str) -> str:
    """``keyword "text"`` in PO syntax; a text with line breaks on one line per line."""
    lines = text.split("\n")
    if len(lines) == 1:
        return f'{keyword} "{_escape(text)}"\n'
    chunks = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return f'{keyword} ""\n' + "".join(f'"{_escape(chunk)}"\n' for chunk in chunks)


def _comments(prefix: str, text: str) -> str:
    # A comment ends at the line break: each line of the text gets its own marker.
    return "".join(f"{prefix} {line}".rstrip() + "\n" for line in text.splitlines() or [""])


def _header(catalogue: Catalogue, lang: str) -> str:
    edition = catalogue.updated_at
    revised = edition.strftime("%Y-%m-%d %H:%M%z") if edition else "YEAR-MO-DA HO:MI+ZONE"
    fields = [
        f"Project-Id-Version: nim-error-codes {edition.isoformat() if edition else ''}".rstrip(),
        f"PO-Revision-Date: {revised}",
        "Last-Translator: nim-scrape",
        "Language-Team: none",
        f"Language: {_LANGUAGE[lang]}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        f"X-Generator: nim-scrape {__version__}",
    ]
    note = generated_note(catalogue, f"nim-scrape export --lang {lang} FILE.po")
    return (
        "".join(_comments("#", line) for line in note)
        + 'msgid ""\nmsgstr ""\n'
        + "".join(f'"{_escape(field)}\\n"\n' for field in fields)
    )


def catalogue_po(catalogue: Catalogue, lang: str = "en") -> str:
    """The ``.po`` file in ``lang`` (``en``: the message column, ``zh``: 说明), codes ascending."""
    out = [_header(catalogue, lang)]
    for entry in entries(catalogue):
        text = entry.text(lang)
        block = ["\n"]
        for meaning in entry.meanings():
            block.append(_comments("#.", meaning))
        placeholders = printf_placeholders(text)
        if placeholders:
            block.append(_comments("#.", "printf placeholders: " + " ".join(placeholders)))
        block.append(po_string("msgid", entry.key))
        block.append(po_string("msgstr", text))
        out.append("".join(block))
    return "".join(out)


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The export format's entry point (see ``formats``)."""
    return catalogue_po(catalogue, options.lang)
