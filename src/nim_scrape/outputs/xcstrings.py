"""An Apple String Catalog (``.xcstrings``): every code with its ``en`` and ``zh-Hans`` text.

A String Catalog holds every language at once, so ``--lang`` does not apply: ``en`` is the
message column, ``zh-Hans`` the 说明 (each falling back to the other when empty). Keys are the
codes' keys (``nim_error_102404``) with ``extractionState: manual``, so Xcode keeps them though
no source file names them literally. Values are the page's text, ``%`` included: looked up by
key (``String(localized:)``, ``NSLocalizedString``) a value is returned as written, and only
``String(format:)`` reads ``%`` as a format specifier. JSON has no comments, so what generated
the file goes in each string's ``comment`` (Xcode shows it to translators), after its meanings.
The JSON is laid out as Xcode writes it (keys sorted, ``" : "``), so Xcode's rewrite of the
file changes nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from nim_scrape.outputs.localized import entries, generated_note

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["LOCALES", "catalogue_xcstrings", "render"]

# The catalogue's language and the String Catalog's name for it.
LOCALES = (("en", "en"), ("zh", "zh-Hans"))


def catalogue_xcstrings(catalogue: Catalogue) -> str:
    """The String Catalog: source language ``en``, every code in ``en`` and ``zh-Hans``."""
    note = " ".join(generated_note(catalogue, "nim-scrape export FILE.xcstrings"))
    strings: dict[str, object] = {}
    for entry in entries(catalogue):
        strings[entry.key] = {
            "comment": "\n".join([*entry.meanings(), note]),
            "extractionState": "manual",
            "localizations": {
                locale: {"stringUnit": {"state": "translated", "value": entry.text(lang)}}
                for lang, locale in LOCALES
            },
        }
    document = {"sourceLanguage": "en", "strings": strings, "version": "1.0"}
    return (
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, separators=(",", " : "))
        + "\n"
    )


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """The export format's entry point (see ``formats``)."""
    return catalogue_xcstrings(catalogue)
