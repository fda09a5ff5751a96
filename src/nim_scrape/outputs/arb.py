"""Flutter's Application Resource Bundle (``.arb``): ``@@locale``, one message per distinct code.

Messages are ICU MessageFormat as Flutter's ``gen-l10n`` reads it with ``use-escaping: true``
(l10n.yaml): ``{name}`` (a Dart identifier in braces) is a placeholder and is declared in the
message's ``placeholders``, so ``l10n.nimError414(name)`` fills it; every apostrophe is doubled
(``''`` is one apostrophe inside or outside quoting); any other brace is quoted (``'{'``) so it
stays text. ``%s`` means nothing to ICU and stays as the page writes it. Keys are
``nimError<code>``: lowerCamelCase Dart identifiers, as the generated getters are named. The
file's origin is in ``@@x-…`` keys, which gen-l10n passes over (JSON has no comments).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from nim_scrape.about import __version__
from nim_scrape.outputs.localized import entries, generated_note

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["arb_key", "arb_message", "catalogue_arb", "render"]

# gen-l10n's lexer reads [a-zA-Z0-9]+ inside braces; a placeholder becomes a Dart parameter, so
# it must start with a letter and not be a word Dart or ICU reserves.
_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")
_RESERVED = frozenset({
    "assert", "break", "case", "catch", "class", "const", "continue", "default", "do", "else",
    "enum", "extends", "false", "final", "finally", "for", "if", "in", "is", "new", "null",
    "other", "plural", "rethrow", "return", "select", "super", "switch", "this", "throw", "true",
    "try", "var", "void", "while", "with",
})  # fmt: skip


def arb_key(code: int) -> str:
    """The code's message key: a Dart identifier starting lowercase."""
    return f"nimError{code}"


def _literal(text: str) -> str:
    return text.replace("'", "''").replace("{", "'{'").replace("}", "'}'")


def arb_message(text: str) -> tuple[str, list[str]]:
    """``text`` as an ICU message (see the module's docstring) and its placeholders in order."""
    out: list[str] = []
    names: list[str] = []
    end = 0
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name in _RESERVED:
            continue
        out.append(_literal(text[end : match.start()]))
        out.append(match.group(0))
        if name not in names:
            names.append(name)
        end = match.end()
    out.append(_literal(text[end:]))
    return "".join(out), names


def catalogue_arb(catalogue: Catalogue, lang: str = "en") -> str:
    """The ``.arb`` file in ``lang`` (``en``: the message column, ``zh``: 说明), codes ascending,
    each message with its meanings as ``description``."""
    note = generated_note(catalogue, f"nim-scrape export --lang {lang} FILE.arb")
    bundle: dict[str, object] = {
        "@@locale": lang,
        "@@last_modified": catalogue.updated_at.isoformat() if catalogue.updated_at else "",
        "@@x-generator": f"nim-scrape {__version__}",
        "@@x-source": catalogue.page_url,
        "@@x-note": " ".join(note) + " Read with use-escaping: true in l10n.yaml.",
    }
    for entry in entries(catalogue):
        message, names = arb_message(entry.text(lang))
        key = arb_key(entry.code)
        meta: dict[str, object] = {"description": "\n".join(entry.meanings())}
        if names:
            meta["placeholders"] = {name: {"type": "String"} for name in names}
        bundle[key] = message
        bundle[f"@{key}"] = meta
    return json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The export format's entry point (see ``formats``)."""
    return catalogue_arb(catalogue, options.lang)
