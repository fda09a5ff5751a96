"""Text rules shared by the parser and the differ: whitespace normalisation and cosmetic keys."""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["cosmetic_key", "find_placeholders", "normalize_space"]

# Zero-width characters and the BOM vanish; every other Unicode space becomes a plain space.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# C0/C1 controls other than whitespace: a hostile page must not smuggle them into reports.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_PLACEHOLDER = re.compile(r"%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}")


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends; keep wording as is."""
    text = _CONTROLS.sub("", text.translate(_ZERO_WIDTH))
    return _SPACES.sub(" ", text).strip()


class _Insignificant(dict[int, int | None]):
    """A ``str.translate`` table that drops whitespace and punctuation, filled as it is used:
    classifying a character is slow, looking it up again is not (the differ keys 600,000
    texts)."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        kept = None if char.isspace() or unicodedata.category(char).startswith("P") else code
        self[code] = kept
        return kept


_INSIGNIFICANT = _Insignificant()


@functools.lru_cache(maxsize=1 << 16)
def cosmetic_key(text: str) -> str:
    """What is left of ``text`` once whitespace, punctuation and letter width are ignored.

    Two texts with the same key differ only cosmetically: a final 。 added, ``,`` turned
    into ``，``, a full-width bracket. NFKC folds the full-width forms onto their ASCII twins first.
    """
    return unicodedata.normalize("NFKC", text).translate(_INSIGNIFICANT)


def find_placeholders(*texts: str) -> tuple[str, ...]:
    """The printf (``%s``) and brace (``{name}``) placeholders in ``texts``, first seen first."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in _PLACEHOLDER.finditer(text):
            seen.setdefault(match.group(0), None)
    return tuple(seen)
