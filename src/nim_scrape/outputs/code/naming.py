"""One identifier per distinct code and language: the SDK's own name where an SDK gives one, else
words of the code's first message in the language's convention; never a keyword, never twice.

A code whose first message gives no ASCII word (empty, or Chinese only) is named by its number
(``CODE_191001``). Identifiers are given in page order: the first code to claim a name keeps it
and later ones have their code appended, so a row added further down the page renames nothing
above it. Keywords and the names a generated file declares itself get the code appended too.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nim_scrape.audit.sdk import Sdk

__all__ = [
    "LANGUAGES",
    "Language",
    "assign",
    "lower_camel",
    "sdk_names",
    "upper_camel",
    "upper_snake",
    "words_of",
]

# Longer messages are sentences; eight words name the code well enough, and a clash that the
# cut causes is told apart by the code like any other.
MAX_WORDS = 8
_PRINTF = re.compile(r"%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]")
_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def words_of(message: str) -> list[str]:
    """The lower-case ASCII words of ``message``, placeholders such as ``%s`` left out."""
    text = _PRINTF.sub(" ", message)
    words = [w.lower() for w in _WORD.findall(_CAMEL_BREAK.sub(" ", text))]
    return words[:MAX_WORDS]


def upper_snake(words: Sequence[str]) -> str:
    """``["not", "exist"]`` → ``NOT_EXIST``."""
    return "_".join(w.upper() for w in words)


def lower_camel(words: Sequence[str]) -> str:
    """``["not", "exist"]`` → ``notExist``."""
    return words[0].lower() + "".join(w.capitalize() for w in words[1:])


def upper_camel(words: Sequence[str]) -> str:
    """``["not", "exist"]`` → ``NotExist``."""
    return "".join(w.capitalize() for w in words)


@dataclass(frozen=True)
class Language:
    """How one language names a constant: its convention, its keywords, the names the generated
    file declares in the same scope, and a prefix for derived names where constants are global
    (C's enumerators share one namespace with every other header's names)."""

    name: str
    style: Callable[[Sequence[str]], str]
    keywords: frozenset[str]
    reserved: frozenset[str] = frozenset()
    prefix: tuple[str, ...] = ()

    def derived(self, words: Sequence[str], code: int) -> str:
        """The identifier ``words`` give; the code's number when they give none."""
        words = list(words) or ["code", str(code)]
        if words[0][0].isdigit():
            words = ["code", *words]
        return self.style([*self.prefix, *words])

    def taken(self, name: str) -> bool:
        """True for a name the language or the generated file already uses."""
        return name in self.keywords or name in self.reserved


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Every word the language reserves, including contextual ones that would make a declaration
# read differently; a superset costs only a suffix.
_JAVA = _words("""
    abstract assert boolean break byte case catch char class const continue default do double
    else enum extends final finally float for goto if implements import instanceof int interface
    long native new package private protected public return short static strictfp super switch
    synchronized this throw throws transient try void volatile while true false null var yield
    record sealed permits non-sealed module exports opens requires uses provides to with open
    transitive when
""")
_KOTLIN = _words("""
    as break class continue do else false for fun if in interface is null object package return
    super this throw true try typealias typeof val var when while by catch constructor delegate
    dynamic field file finally get import init param property receiver set setparam value where
    actual abstract annotation companion const crossinline data enum expect external final infix
    inline inner internal lateinit noinline open operator out override private protected public
    reified sealed suspend tailrec vararg it
""")
_SWIFT = _words("""
    associatedtype class deinit enum extension fileprivate func import init inout internal let
    open operator private precedencegroup protocol public rethrows static struct subscript
    typealias var break case catch continue default defer do else fallthrough for guard if in
    repeat return throw switch where while as any await false is nil self super throws true try
    async Any Self Type Protocol associativity convenience didSet dynamic final get indirect infix
    lazy left mutating none nonmutating optional override postfix precedence prefix required
    right set some unowned weak willSet actor consume copy discard each macro package borrowing
    consuming isolated nonisolated sending
""")
_DART = _words("""
    abstract as assert async await base break case catch class const continue covariant default
    deferred do dynamic else enum export extends extension external factory false final finally
    for function get hide if implements import in interface is late library mixin new null of on
    operator part required rethrow return sealed set show static super switch sync this throw
    true try type typedef var void when while with yield
""")
_C = _words("""
    auto break case char const continue default do double else enum extern float for goto if
    inline int long register restrict return short signed sizeof static struct switch typedef
    union unsigned void volatile while _Alignas _Alignof _Atomic _Bool _Complex _Generic
    _Imaginary _Noreturn _Static_assert _Thread_local alignas alignof and and_eq asm bitand bitor
    bool catch char8_t char16_t char32_t class compl concept consteval constexpr constinit
    const_cast co_await co_return co_yield decltype delete dynamic_cast explicit export false
    friend mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected
    public reinterpret_cast requires static_assert static_cast template this thread_local throw
    true try typeid typename using virtual wchar_t xor xor_eq NULL EOF
""")
_GO = _words("""
    break case chan const continue default defer else fallthrough for func go goto if import
    interface map package range return select struct switch type var
""")

LANGUAGES: Mapping[str, Language] = {
    lang.name: lang
    for lang in (
        Language("kotlin", upper_snake, _KOTLIN, _words("RECORDS Companion")),
        Language("java", upper_snake, _JAVA, _words("RECORDS")),
        Language("swift", lower_camel, _SWIFT, _words("records rawValue allCases hashValue")),
        Language(
            "dart",
            lower_camel,
            _DART,
            _words("records hashCode runtimeType toString noSuchMethod"),
        ),
        Language("c", upper_snake, _C, prefix=("nim", "error")),
        Language("go", upper_camel, _GO, _words("Code Record Lookup Records Codes")),
        Language("python", upper_snake, frozenset(keyword.kwlist), _words("MRO")),
    )
}


def assign(
    entries: Iterable[tuple[int, str | None, Sequence[str]]], language: Language
) -> dict[int, str]:
    """Each code's identifier in ``language``, from ``(code, sdk_name, words)`` in page order.

    An SDK name that is not a plain ASCII identifier is not used. A name that a keyword, the
    generated file or an earlier code already holds gets ``_CODE`` (or ``CODE`` in camel case)
    appended, as often as it takes.
    """
    names: dict[int, str] = {}
    used: set[str] = set()
    for code, sdk_name, words in entries:
        if sdk_name and IDENTIFIER.match(sdk_name):
            base, suffix = sdk_name, f"_{code}"
        else:
            base = language.derived(words, code)
            suffix = f"_{code}" if language.style is upper_snake else str(code)
        name = base
        while language.taken(name) or name in used:
            name += suffix
        names[code] = name
        used.add(name)
    return names


def sdk_names(sdks: Sequence[Sdk]) -> dict[int, str]:
    """Each code's name in the first SDK that declares it (its first name there, if two)."""
    names: dict[int, str] = {}
    for sdk in sdks:
        for found in sdk.codes:
            names.setdefault(found.code, found.name)
    return names
