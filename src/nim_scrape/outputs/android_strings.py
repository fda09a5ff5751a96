"""Android string resources (``res/values/strings.xml``): one ``<string>`` per distinct code.

Text goes through two layers of escaping, XML and then Android's own (aapt2 reads the element's
text again): a backslash before ``\\``, ``"`` and ``'``; ``\\n`` and ``\\t`` for line breaks and
tabs; ``\\@`` and ``\\?`` at the start, where they would make a resource or attribute reference;
``\\u0020`` for a space that aapt2 would otherwise collapse or trim (leading, trailing, after
another whitespace character); ``&amp;``, ``&lt;`` and ``&gt;`` for XML. ``%`` is kept as the
page writes it and the string is marked ``formatted="false"``: aapt2 then does not reject texts
such as ``%s %d`` (several non-positional arguments), ``getString(id)`` returns the page's text
exactly, and ``getString(id, args)`` still formats it (escaping ``%`` as ``%%`` would make
``getString(id)`` return ``%%``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from nim_scrape.outputs.localized import entries, generated_note

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["android_escape", "catalogue_android_strings", "render"]

_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "'": "\\'",
    "\n": "\\n",
    "\t": "\\t",
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}
# The whitespace aapt2 collapses and trims (C isspace), besides the two it has letters for.
_OTHER_SPACE = frozenset("\r\x0b\x0c")


def android_escape(text: str) -> str:
    """``text`` as the content of a ``<string>`` element that aapt2 reads back as ``text``."""
    out: list[str] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch in "@?" and i == 0:
            out.append("\\" + ch)
        elif ch == " " and (i in (0, last) or text[i - 1].isspace()):
            out.append("\\u0020")
        elif ch in _OTHER_SPACE or ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def _comment(text: str) -> str:
    # "--" may not appear inside an XML comment; a space between the dashes keeps it readable.
    while "--" in text:
        text = text.replace("--", "- -")
    return text.rstrip("-")


def catalogue_android_strings(catalogue: Catalogue, lang: str = "en") -> str:
    """``strings.xml`` in ``lang`` (``en``: the message column, ``zh``: 说明), codes ascending,
    each string after a comment with its meanings (section, message, 说明)."""
    # Two hyphens may not stand in an XML comment, so the option is named without them.
    lines = generated_note(catalogue, "nim-scrape export strings.xml")[:-1]
    lines.append(
        f"Language {lang}. Do not edit by hand: regenerate with nim-scrape export, its lang "
        f"option {lang}."
    )
    note = "\n     ".join(_comment(line) for line in lines)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f"<!-- {note} -->\n",
        "<resources>\n",
    ]
    for entry in entries(catalogue):
        text = entry.text(lang)
        for meaning in entry.meanings():
            out.append(f"    <!-- {_comment(meaning)} -->\n")
        formatted = ' formatted="false"' if "%" in text else ""
        out.append(
            f'    <string name="{escape(entry.key)}"{formatted}>{android_escape(text)}</string>\n'
        )
    out.append("</resources>\n")
    return "".join(out)


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The export format's entry point (see ``formats``)."""
    return catalogue_android_strings(catalogue, options.lang)
