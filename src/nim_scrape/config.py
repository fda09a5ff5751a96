"""The pages a job follows, read from a TOML file: one ``[[page]]`` table per page.

```toml
[[page]]
name = "v2"                                   # an identifier: letters, digits, - and _
source = "https://doc.yunxin.163.com/…"       # a URL, or a file (relative to this file)
out = "output/v2"                             # optional; default output/<name>
render = false                                # optional: load it in headless Chromium
timeout = 30                                  # optional: seconds per try
audit_sdk = ["npm:node-nim@10.9.80"]          # optional: audit this page against SDKs
[page.thresholds]                             # optional: the guard's, as the options name them
max_removed_share = 0.5
[page.columns]                                # optional: which header holds which role
code = "状态码"
description = "描述"
```

Everything is checked before anything is fetched: a mistake is a ``UsageError`` (exit 2) naming
the file, the line and the key. Paths in the file are relative to the file's folder, so a job
runs the same from any working directory.

May import: ``nim_scrape.changes``, ``nim_scrape.fetch``, ``nim_scrape.errors``.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nim_scrape.changes.guard import Thresholds
from nim_scrape.errors import UsageError
from nim_scrape.fetch.http import FetchLimits, is_url

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

__all__ = [
    "CONFIG_NAME",
    "ROLES",
    "PageConfig",
    "find_config",
    "no_job_for",
    "pages_named",
    "read_config",
]

CONFIG_NAME = "nim-scrape.toml"
ROLES = ("code", "message", "description")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_KEYS = frozenset(
    {"name", "source", "out", "render", "timeout", "audit_sdk", "thresholds", "columns"}
)
_THRESHOLD_KEYS = {
    "max_sections_removed": "max_sections_removed",
    "max_removed_share": "max_records_removed_share",
    "max_blanked_share": "max_blanked_share",
    "min_size_ratio": "min_size_ratio",
}


@dataclass(frozen=True)
class PageConfig:
    """One page of the job: where it comes from, where its catalogue lives, how to read it."""

    name: str
    source: str
    out: Path
    render: bool = False
    limits: FetchLimits = field(default_factory=FetchLimits)
    thresholds: Thresholds = field(default_factory=Thresholds)
    audit_sdk: tuple[str, ...] = ()
    columns: Mapping[str, str] = field(default_factory=dict)


def find_config(given: Path | None, *, here: Path | None = None) -> Path | None:
    """The configuration to use: ``given``, else ``nim-scrape.toml`` in ``here`` (the working
    folder) if there is one; None means no configuration (the one page, as always)."""
    if given is not None:
        return given
    default = (here or Path.cwd()) / CONFIG_NAME
    return default if default.is_file() else None


def pages_named(
    pages: tuple[PageConfig, ...], names: Sequence[str], path: Path
) -> tuple[PageConfig, ...]:
    """The pages of ``path`` that ``names`` name (all without names), in the file's order;
    ``UsageError`` for a name that is none of them, listing the names there are."""
    known = {page.name for page in pages}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(
            f"no page named {unknown[0]!r} in {path}", hint=f"its pages: {', '.join(sorted(known))}"
        )
    return tuple(page for page in pages if not names or page.name in names)


def no_job_for(option: str) -> UsageError:
    """The error for an option that names a page when there is no configuration."""
    return UsageError(
        f"{option} names a page of a configuration, and there is none",
        hint=f"pass --config FILE or write {CONFIG_NAME} here",
    )


def read_config(path: Path) -> tuple[PageConfig, ...]:
    """The pages ``path`` declares, checked; ``UsageError`` naming file, line and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8"
        raise UsageError(f"cannot read the configuration {path}: {reason or exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from exc
    where = _Locator(path, text)
    unknown = sorted(set(data) - {"page"})
    if unknown:
        raise where.error(None, unknown[0], "unknown setting (a job has [[page]] tables only)")
    tables = data.get("page")
    if not isinstance(tables, list) or not tables:
        raise UsageError(f"{path}: no [[page]] table", hint="declare each page in a [[page]] table")
    pages = tuple(_page(table, index, path.parent, where) for index, table in enumerate(tables))
    _check_apart(pages, where)
    return pages


def _page(table: dict[str, Any], index: int, base: Path, where: _Locator) -> PageConfig:
    for key in sorted(set(table) - _KEYS):
        raise where.error(index, key, f"unknown key (known: {', '.join(sorted(_KEYS))})")
    name = _required_str(table, "name", index, where)
    if not _NAME.fullmatch(name):
        raise where.error(index, "name", f"{name!r} is not a name: letters, digits, - and _")
    source = _required_str(table, "source", index, where)
    if not is_url(source):
        source = str(base / source)
    out = table.get("out", f"output/{name}")
    if not isinstance(out, str) or not out:
        raise where.error(index, "out", "must be a folder's path")
    render = table.get("render", False)
    if not isinstance(render, bool):
        raise where.error(index, "render", "must be true or false")
    timeout = table.get("timeout", FetchLimits().timeout)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not (math.isfinite(timeout) and timeout >= 0.1)
    ):
        raise where.error(index, "timeout", "must be a number of seconds, at least 0.1")
    sdks = table.get("audit_sdk", [])
    if not isinstance(sdks, list) or not all(isinstance(s, str) and s for s in sdks):
        raise where.error(index, "audit_sdk", "must be a list of SDK sources")
    return PageConfig(
        name=name,
        source=source,
        out=(base / out),
        render=render,
        limits=FetchLimits(timeout=float(timeout)),
        thresholds=_thresholds(table.get("thresholds", {}), index, where),
        audit_sdk=tuple(s if s.startswith("npm:") else str(base / s) for s in sdks),
        columns=_columns(table.get("columns", {}), index, where),
    )


def _required_str(table: dict[str, Any], key: str, index: int, where: _Locator) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise where.error(
            index, key, "is required (a string)" if value is None else "must be a string"
        )
    return value.strip()


def _thresholds(value: Any, index: int, where: _Locator) -> Thresholds:
    if not isinstance(value, dict):
        raise where.error(index, "thresholds", "must be a table")
    settings: dict[str, Any] = {}
    for key, number in value.items():
        if key not in _THRESHOLD_KEYS:
            known = ", ".join(_THRESHOLD_KEYS)
            raise where.error(index, f"thresholds.{key}", f"unknown threshold (known: {known})")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise where.error(index, f"thresholds.{key}", "must be a number")
        settings[_THRESHOLD_KEYS[key]] = number
    try:
        return Thresholds(**settings)
    except ValueError as exc:
        raise where.error(index, "thresholds", str(exc)) from exc


def _columns(value: Any, index: int, where: _Locator) -> dict[str, str]:
    if not isinstance(value, dict):
        raise where.error(index, "columns", "must be a table of role = header")
    for role, header in value.items():
        if role not in ROLES:
            raise where.error(index, f"columns.{role}", f"unknown role (roles: {', '.join(ROLES)})")
        if not isinstance(header, str) or not header.strip():
            raise where.error(index, f"columns.{role}", "must be the header's text")
    return {role: header.strip() for role, header in value.items()}


def _check_apart(pages: tuple[PageConfig, ...], where: _Locator) -> None:
    """Two pages with one name or one output folder would overwrite each other's catalogue."""
    names: dict[str, int] = {}
    outs: dict[Path, str] = {}
    for index, page in enumerate(pages):
        if page.name in names:
            raise where.error(index, "name", f"{page.name!r} is the name of another page too")
        names[page.name] = index
        folder = page.out.resolve()
        if folder in outs:
            raise where.error(
                index, "out", f"{page.out} is the output folder of {outs[folder]!r} too"
            )
        outs[folder] = page.name


class _Locator:
    """Where a key of the n-th ``[[page]]`` is written, for messages a person can act on.

    tomllib says where a syntax error is, not where a value is; the file is read again by lines
    to find the table and the key (or the table itself when the key is missing).
    """

    _HEADER = re.compile(r"^\s*\[\[\s*page\s*\]\]")
    _SUBTABLE = re.compile(r"^\s*\[\s*page\.(\w+)\s*\]")

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def error(self, index: int | None, key: str, problem: str) -> UsageError:
        line = self._line(index, key)
        at = f":{line}" if line else ""
        return UsageError(f"{self.path}{at}: {key}: {problem}")

    def _line(self, index: int | None, key: str) -> int | None:
        starts = [n for n, line in enumerate(self.lines) if self._HEADER.match(line)]
        if index is None:
            first, last = 0, (starts[0] if starts else len(self.lines))
        elif index < len(starts):
            first = starts[index]
            last = starts[index + 1] if index + 1 < len(starts) else len(self.lines)
        else:
            return None
        table, _, leaf = key.rpartition(".")
        in_table = not table
        for n in range(first, last):
            sub = self._SUBTABLE.match(self.lines[n])
            if sub:
                in_table = sub.group(1) == table
                if in_table and not leaf:
                    return n + 1
                continue
            if in_table and re.match(rf"^\s*[\"']?{re.escape(leaf)}[\"']?\s*=", self.lines[n]):
                return n + 1
        return first + 1 if index is not None else None
