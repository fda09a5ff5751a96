"""The SDKs' own error codes, read from their sources without running them.

Three forms are read, found by shape wherever they are:

- a TypeScript enum, ``export declare enum V2NIMErrorCode { … NAME = 191001, … }``, each member
  after a ``/** 中文 / english */`` comment (node-nim's ``types/v2_def/v2_nim_enum_def.d.ts``);
- the same enum compiled, ``V2NIMErrorCode[V2NIMErrorCode["NAME"] = 191001] = "NAME";``
  (node-nim's ``dist/v2_def/v2_nim_enum_def.js``; minified: ``e[e.NAME=191001]="NAME"``);
- a map of objects, ``NAME:{code:191001,message:"misuse"}`` (nim-web-sdk-ng's minified bundle;
  HarmonyOS's ``NAME: { code: 107319, message: 'pin limit' }``).

A source is a file, a folder, a package tarball or ``npm:NAME@VERSION`` (``npm.py`` downloads
it). In a package, the files its ``package.json`` names as entry points are read first; only
when they declare no codes is every script of the package searched. The d.ts and its compiled
twin declare the same codes: they are merged, never counted twice.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
import stat
import tarfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from nim_scrape.article.jslex import LoneSurrogate, Token, tokenize
from nim_scrape.catalogue.models import FrozenModel
from nim_scrape.errors import UsageError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ENUM_NAMES",
    "Sdk",
    "SdkCode",
    "read_sdk",
    "scan_text",
]

logger = logging.getLogger(__name__)

# The enums that hold the codes. node-nim declares dozens of other enums in the same file, and
# the legacy V1 ``NIMResCode`` holds other codes: only these are read.
ENUM_NAMES = frozenset({"V2NIMErrorCode"})
# Map entries and compiled members count when their group has a key with this prefix: one
# HarmonyOS key and two browser keys (a typo, ``V2NIM_ERRPR_``) lack the full prefix.
_PREFIX = "V2NIM_"
_MEMBER_PREFIX = "V2NIM_ERROR_CODE_"

SCRIPT_SUFFIXES = (".d.ts", ".ts", ".js", ".mjs", ".cjs", ".ets")
# A file this large is not a script worth reading (the largest bundle is about 1.2 MB).
_MAX_FILE_BYTES = 64 * 1024 * 1024


class SdkCode(FrozenModel):
    """One code as an SDK declares it."""

    code: int
    name: str
    message: str = ""  # the English text ('' when the SDK gives none)
    message_zh: str = ""  # the Chinese text of an enum member's comment
    file: str = ""  # where it is declared, ``path:line``


class Sdk(FrozenModel):
    """What one ``--sdk`` source declares."""

    label: str  # e.g. node-nim@10.9.80: what the reports call it
    package: str  # e.g. node-nim: the same across versions, to compare audits over time
    version: str | None = None
    source: str  # as given on the command line
    files: tuple[str, ...] = ()  # the files the codes were read from
    codes: tuple[SdkCode, ...] = ()  # one per (name, code), in declaration order


# -- reading declarations from text --------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    name: str
    code: int
    pos: int
    doc: str | None = None
    message: str | None = None


def scan_text(text: str, *, file: str = "") -> list[SdkCode]:
    """Every error code ``text`` declares, in any of the three forms, in order of appearance."""
    if _PREFIX not in text and not any(name in text for name in ENUM_NAMES):
        return []  # cheap: most scripts of a package mention no code at all
    try:
        tokens = tokenize(text)
    except LoneSurrogate as exc:
        line = _LineIndex(text).line(exc.pos)
        raise UsageError(
            f"cannot read {file or 'the SDK source'}:{line}: {exc}",
            hint="a JavaScript string's \\uD800-\\uDFFF escapes come in pairs",
        ) from exc
    found = sorted([*_enums(tokens), *_compiled_enums(tokens), *_maps(tokens)], key=lambda f: f.pos)
    lines = _LineIndex(text)
    codes = []
    for item in found:
        zh, en = _split_doc(item.doc) if item.message is None else ("", item.message)
        where = f"{file}:{lines.line(item.pos)}" if file else f"line {lines.line(item.pos)}"
        codes.append(SdkCode(code=item.code, name=item.name, message=en, message_zh=zh, file=where))
    return codes


def _enums(tokens: Sequence[Token]) -> Iterator[_Found]:
    """``enum V2NIMErrorCode { NAME = 1, … }``, declared or not, const or not."""
    for i, token in enumerate(tokens):
        if not (token.kind == "name" and token.value == "enum" and i + 2 < len(tokens)):
            continue
        name, brace = tokens[i + 1], tokens[i + 2]
        if name.value not in ENUM_NAMES or brace.value != "{":
            continue
        j, last = i + 3, -1
        while j < len(tokens) and tokens[j].value != "}":
            member = tokens[j]
            value, j = _initializer(tokens, j + 1)
            if member.kind in ("name", "str"):
                # A member without a value follows the one before it, as TypeScript counts.
                number = value if value is not None else last + 1
                yield _Found(member.value, number, member.pos, member.doc)
                last = number
            while j < len(tokens) and tokens[j].value not in (",", "}"):
                j += 1  # a computed value: skip it
            if j < len(tokens) and tokens[j].value == ",":
                j += 1


def _initializer(tokens: Sequence[Token], j: int) -> tuple[int | None, int]:
    """The integer after ``=`` at ``j``, if that is what stands there."""
    if j < len(tokens) and tokens[j].value == "=":
        number, after = _integer(tokens, j + 1)
        if number is not None:
            return number, after
        return None, j + 1
    return None, j


def _integer(tokens: Sequence[Token], j: int) -> tuple[int | None, int]:
    sign = 1
    if j < len(tokens) and tokens[j].value == "-":
        sign, j = -1, j + 1
    if j < len(tokens) and tokens[j].kind == "num":
        try:
            return sign * int(tokens[j].value.replace("_", ""), 0), j + 1
        except ValueError:
            return None, j  # a fraction or an exponent: not a code
    return None, j


def _compiled_enums(tokens: Sequence[Token]) -> Iterator[_Found]:
    """``E[E["NAME"] = 1] = "NAME"`` or minified ``e[e.NAME=1]="NAME"``, grouped by run."""
    run: list[_Found] = []
    run_enum: str | None = None
    run_end = -1
    n = len(tokens)
    for i, token in enumerate(tokens):
        if token.kind != "name" or i + 9 >= n or tokens[i + 1].value != "[":
            continue
        if tokens[i + 2].value != token.value:
            continue
        j = i + 3
        if tokens[j].value == "[" and tokens[j + 1].kind == "str" and tokens[j + 2].value == "]":
            member, j = tokens[j + 1].value, j + 3
        elif tokens[j].value == "." and tokens[j + 1].kind == "name":
            member, j = tokens[j + 1].value, j + 2
        else:
            continue
        if tokens[j].value != "=":
            continue
        number, j = _integer(tokens, j + 1)
        if number is None or j + 2 >= n:
            continue
        if not (tokens[j].value == "]" and tokens[j + 1].value == "="):
            continue
        if not (tokens[j + 2].kind == "str" and tokens[j + 2].value == member):
            continue
        # Statements of one enum follow each other, separated by ; or ,
        if run and (token.value != run_enum or not _adjacent(tokens, run_end, i)):
            yield from _accepted(run, run_enum)
            run = []
        run.append(_Found(member, number, token.pos, token.doc))
        run_enum, run_end = token.value, j + 3
    yield from _accepted(run, run_enum)


def _adjacent(tokens: Sequence[Token], end: int, start: int) -> bool:
    return all(tokens[k].value in (";", ",") for k in range(end, start))


def _accepted(run: list[_Found], enum: str | None) -> list[_Found]:
    if enum in ENUM_NAMES or any(f.name.startswith(_MEMBER_PREFIX) for f in run):
        return run
    return []


def _maps(tokens: Sequence[Token]) -> Iterator[_Found]:
    """``KEY:{code:1,message:"…"}`` entries, grouped by the object literal that holds them."""
    groups: dict[int, list[_Found]] = {}
    braces: list[int] = []  # the index of each open {
    n = len(tokens)
    for i, token in enumerate(tokens):
        value = token.value
        if token.kind != "punct" or value not in "{}":
            continue
        if value == "}":
            if braces:
                braces.pop()
            continue
        if (
            braces
            and i >= 3
            and tokens[i - 1].value == ":"
            and tokens[i - 2].kind in ("name", "str")
            and tokens[i - 3].value in ("{", ",")
        ):
            entry = _entry(tokens, i, n)
            if entry is not None:
                code, message = entry
                key = tokens[i - 2]
                groups.setdefault(braces[-1], []).append(
                    _Found(key.value, code, key.pos, key.doc, message)
                )
        braces.append(i)
    for entries in groups.values():
        if any(f.name.startswith(_PREFIX) for f in entries):
            yield from entries


def _entry(tokens: Sequence[Token], i: int, n: int) -> tuple[int, str] | None:
    """``{code: 1, message: "…"}`` at ``i``: its code and message, or None for anything else."""
    props: dict[str, int | str] = {}
    j = i + 1
    while j + 2 < n and tokens[j].kind in ("name", "str") and tokens[j + 1].value == ":":
        key = tokens[j].value
        number, after = _integer(tokens, j + 2)
        if number is not None:
            props[key], j = number, after
        elif tokens[j + 2].kind == "str":
            props[key], j = tokens[j + 2].value, j + 3
        else:
            return None
        if j < n and tokens[j].value == ",":
            j += 1
    if j >= n or tokens[j].value != "}":
        return None
    code, message = props.get("code"), props.get("message")
    if isinstance(code, int) and isinstance(message, str):
        return code, message
    return None


_DOC_LINE = re.compile(r"^\s*\*?\s?")


def _split_doc(doc: str | None) -> tuple[str, str]:
    """``/** 中文 / english */`` as (中文, english); one language alone fills its side."""
    if not doc:
        return "", ""
    body = doc[3:-2] if doc.startswith("/**") else doc[2:-2] if doc.startswith("/*") else doc[2:]
    lines = [_DOC_LINE.sub("", line) for line in body.splitlines()]
    text = " ".join(line for line in lines if line and not line.startswith("@"))
    text = " ".join(text.split())
    if " / " in text:
        zh, en = text.split(" / ", 1)
        return zh.strip(), en.strip()
    if re.search(r"[\u3400-\u9fff]", text):
        return text, ""
    return "", text


class _LineIndex:
    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line(self, pos: int) -> int:
        import bisect

        return bisect.bisect_right(self._starts, pos)


# -- reading sources -----------------------------------------------------------------------------


class _Files(Protocol):
    """A package's files, from a folder or a tarball, by their path inside the package."""

    def names(self) -> list[str]: ...

    def read(self, name: str) -> bytes: ...


class _Folder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def names(self) -> list[str]:
        found = []
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if d != "node_modules" and not d.startswith("."))
            base = Path(folder).relative_to(self.root)
            found += [
                (base / f).as_posix() for f in sorted(files) if self._readable(Path(folder, f))
            ]
        return found

    @staticmethod
    def _readable(path: Path) -> bool:
        """A regular file of a script's size: links to nowhere, devices and pipes are skipped,
        so a folder can never make the audit hang or fill memory."""
        try:
            info = path.stat()
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and info.st_size <= _MAX_FILE_BYTES

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()


class _Tarball:
    """A package tarball, read in memory: nothing is extracted, so no path can escape."""

    def __init__(self, path: Path) -> None:
        self._members: dict[str, tarfile.TarInfo] = {}
        try:
            self._tar = tarfile.open(path, "r:*")  # noqa: SIM115 - closed in close()
            for member in self._tar.getmembers():
                parts = PurePosixPath(member.name).parts
                if member.isfile() and len(parts) > 1 and ".." not in parts:
                    # npm packs every file under one top folder, usually package/
                    self._members.setdefault("/".join(parts[1:]), member)
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise UsageError(f"cannot read the package {path}: {exc}") from exc

    def names(self) -> list[str]:
        return sorted(self._members)

    def read(self, name: str) -> bytes:
        member = self._members[name]
        if member.size > _MAX_FILE_BYTES:
            return b""
        handle = self._tar.extractfile(member)
        return handle.read() if handle else b""

    def close(self) -> None:
        self._tar.close()


def read_sdk(
    source: str,
    *,
    client: httpx.Client | None = None,
    cache_dir: Path | None = None,
    registry: str | None = None,
) -> Sdk:
    """The codes ``source`` declares: a script, a folder, a ``.tgz`` or ``npm:NAME@VERSION``.

    ``UsageError`` when the source cannot be used or declares no code; ``FetchError`` when the
    npm registry cannot be reached or the tarball is not the one it published.
    """
    if source.startswith("npm:"):
        from nim_scrape.audit.npm import fetch_package, parse_spec

        package = fetch_package(
            parse_spec(source), client=client, cache_dir=cache_dir, registry=registry
        )
        # The registry's name and version are what was asked for, whatever package.json says.
        return _from_tarball(package.path, source, known=(package.name, package.version))
    path = Path(source)
    if path.is_dir():
        return _from_package(_Folder(path), source, default_label=path.resolve().name)
    if not path.is_file():
        raise UsageError(f"no such SDK source: {source}", hint="a file, folder, .tgz or npm:NAME")
    if source.endswith((".tgz", ".tar.gz", ".tar")):
        return _from_tarball(path, source)
    if not source.endswith(SCRIPT_SUFFIXES):
        raise UsageError(
            f"cannot read {source} as an SDK source",
            hint="pass a .d.ts, .ts or .js file, a folder, a .tgz or npm:NAME@VERSION",
        )
    codes = _scan_file(path.read_bytes(), path.name)
    sdk = Sdk(label=path.name, package=path.name, source=source, files=(path.name,), codes=codes)
    return _checked(sdk)


def _from_tarball(path: Path, source: str, *, known: tuple[str, str] | None = None) -> Sdk:
    tarball = _Tarball(path)
    try:
        return _from_package(tarball, source, default_label=path.name, known=known)
    finally:
        tarball.close()


def _from_package(
    files: _Files, source: str, *, default_label: str, known: tuple[str, str] | None = None
) -> Sdk:
    names = files.names()
    manifest = _manifest(files, names)
    package = str(manifest.get("name") or default_label)
    found = manifest.get("version")
    version = str(found) if found else None
    if known:
        package, version = known
    scripts = [n for n in names if n.endswith(SCRIPT_SUFFIXES)]
    entries = [n for n in _entry_points(manifest, set(names)) if n in scripts]
    declared = _declaring(files, entries) or _declaring(files, scripts)
    codes = _merge(declared)
    label = f"{package}@{version}" if version else package
    sdk = Sdk(
        label=label,
        package=package,
        version=version,
        source=source,
        files=tuple(sorted(declared, key=_rank)),
        codes=codes,
    )
    return _checked(sdk)


def _manifest(files: _Files, names: list[str]) -> dict[str, object]:
    if "package.json" not in names:
        return {}
    try:
        data = json.loads(files.read("package.json"))
    except (OSError, ValueError):
        logger.warning("package.json is not readable JSON; reading every script")
        return {}
    return data if isinstance(data, dict) else {}


def _entry_points(manifest: dict[str, object], names: set[str]) -> list[str]:
    """The files ``package.json`` points at (main, browser, module, types, exports)."""
    found: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, str):
            path = posixpath.normpath(value)
            for candidate in (path, f"{path}.js", f"{path}/index.js"):
                if candidate in names and candidate not in found:
                    found.append(candidate)
                    break
        elif isinstance(value, dict):
            for item in value.values():
                add(item)
        elif isinstance(value, list):
            for item in value:
                add(item)

    for key in ("main", "browser", "module", "types", "typings", "exports"):
        add(manifest.get(key))
    return found


def _declaring(files: _Files, names: Iterable[str]) -> dict[str, tuple[SdkCode, ...]]:
    """The files among ``names`` that declare codes, with their codes."""
    declared = {}
    for name in names:
        codes = _scan_file(files.read(name), name)
        if codes:
            logger.info("%s declares %d error codes", name, len(codes))
            declared[name] = codes
    return declared


def _scan_file(data: bytes, name: str) -> tuple[SdkCode, ...]:
    if len(data) > _MAX_FILE_BYTES or b"V2NIM" not in data:
        return ()
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return tuple(scan_text(text, file=name))


def _merge(declared: dict[str, tuple[SdkCode, ...]]) -> tuple[SdkCode, ...]:
    """One entry per (name, code): a d.ts and its compiled twin are one declaration. The text
    comes from the first file, in the order d.ts, ts, js, that gives one."""

    merged: dict[tuple[str, int], SdkCode] = {}
    for name in sorted(declared, key=_rank):
        for code in declared[name]:
            key = (code.name, code.code)
            kept = merged.get(key)
            if kept is None:
                merged[key] = code
            elif not kept.message and code.message:
                merged[key] = kept.model_copy(update={"message": code.message})
    return tuple(merged.values())


def _rank(name: str) -> tuple[int, str]:
    """d.ts first (it has the comments), then .ts, then compiled scripts."""
    return next(i for i, end in enumerate((*SCRIPT_SUFFIXES, "")) if name.endswith(end)), name


def _checked(sdk: Sdk) -> Sdk:
    if not sdk.codes:
        raise UsageError(
            f"{sdk.source} declares no error codes",
            hint="expected an enum V2NIMErrorCode or a map of {code, message} entries",
        )
    return sdk
