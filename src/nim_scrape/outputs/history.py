"""Each code's changes through the git history of the catalogue file.

As simonw/git-history reads a scraped file: every commit that touched the file is one version,
oldest first; consecutive versions are compared (here with the semantic differ,
``diff.compare``), and what changed becomes a list of events. The first version's records are
``added`` by the edition that created the catalogue.

Git is read with ``git log`` and ``git show`` through subprocess, so no dependency is added; that
is the only I/O here (``read_versions``). ``build_history`` is pure: versions in, events out.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from nim_scrape.catalogue.models import Catalogue, FrozenModel, Record
from nim_scrape.catalogue.store import load_catalogue
from nim_scrape.changes.diff import CatalogueDiff, RecordChange, RecordMove, compare
from nim_scrape.changes.report import first_run_line, summary_line
from nim_scrape.errors import CatalogueError, UsageError

__all__ = [
    "Edition",
    "History",
    "HistoryEvent",
    "Version",
    "build_history",
    "events_of",
    "read_history",
    "read_versions",
    "render_history",
]

logger = logging.getLogger(__name__)

EventKind = Literal["added", "changed", "removed", "moved"]
# Between fields of one commit line in ``git log``: a byte no hash or date contains.
_SEP = "\x1f"


class HistoryEvent(FrozenModel):
    """One change of one record in one edition; ``before`` is None when added, ``after`` when
    removed. ``section`` is where the record is after the change (before it, when removed)."""

    kind: EventKind
    code: int
    section: str
    updated_at: datetime | None
    commit: str
    committed_at: datetime
    fields: tuple[str, ...] = ()
    cosmetic: bool = False
    from_section: str | None = None
    before: Record | None = None
    after: Record | None = None


class Edition(FrozenModel):
    """One committed version of the catalogue that changed something, with its counts."""

    commit: str
    committed_at: datetime
    updated_at: datetime | None
    records: int
    created: bool
    counts: dict[str, int]
    summary: str
    sections_renamed: tuple[tuple[str, str], ...] = ()


class History(FrozenModel):
    """The editions, oldest first, and the events they brought, in the same order."""

    file: str
    editions: tuple[Edition, ...] = ()
    events: tuple[HistoryEvent, ...] = ()
    passed_over: tuple[str, ...] = ()

    def of(self, code: int) -> History:
        """The same history with only the events of ``code``."""
        events = tuple(event for event in self.events if event.code == code)
        return self.model_copy(update={"events": events})


@dataclass(frozen=True)
class Version:
    """The catalogue file as one commit left it."""

    commit: str
    committed_at: datetime
    data: bytes


# -- reading git ---------------------------------------------------------------------------------


def read_versions(path: Path) -> list[Version]:
    """Every committed version of the file at ``path``, oldest first.

    ``UsageError`` when git is missing, the file is not inside a git repository, or no commit
    holds it: the history has nothing to read, and the command line says so in one line.
    """
    folder = path.resolve().parent
    if not folder.is_dir():
        raise UsageError(f"cannot read the history of {path}: the folder {folder} does not exist")
    top = _git(folder, "rev-parse", "--show-toplevel", what=path)
    if top is None:
        raise UsageError(
            f"{path} is not in a git repository, so it has no history to read",
            hint="history reads the commits of the catalogue file; run it in a clone",
        )
    root = Path(top.decode().strip())
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    log = _git(root, "log", "--reverse", f"--format=%H{_SEP}%cI", "--", relative, what=path) or b""
    versions = []
    for line in log.decode().splitlines():
        commit, _, when = line.partition(_SEP)
        data = _git(root, "show", f"{commit}:{relative}", what=path)
        if data is None:  # the commit deleted the file: the next one that adds it goes on
            logger.info("commit %s removed %s", commit[:12], relative)
            continue
        versions.append(Version(commit, datetime.fromisoformat(when), data))
    if not versions:
        raise UsageError(
            f"{path} has no committed versions in its git repository",
            hint="commit the catalogue after each refresh to build its history",
        )
    logger.info("read %d versions of %s", len(versions), relative)
    return versions


def _git(cwd: Path, *args: str, what: Path) -> bytes | None:
    """The output of a git command, or None when git says no (not a repository, no such file)."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError as exc:
        raise UsageError(f"cannot read the history of {what}: git is not installed") from exc
    if done.returncode != 0:
        logger.debug("git %s: %s", " ".join(args), done.stderr.decode(errors="replace").strip())
        return None
    return done.stdout


# -- from versions to events ---------------------------------------------------------------------


def build_history(versions: Sequence[Version], *, name: str = "catalogue") -> History:
    """The editions and events of ``versions`` (oldest first).

    A version that is not a readable catalogue (a hand edit, a layout this nim-scrape does not
    know) is passed over and named in ``passed_over``: the next readable one is compared with
    the last readable one, so one bad commit does not hide the rest of the history.
    """
    editions: list[Edition] = []
    events: list[HistoryEvent] = []
    passed_over: list[str] = []
    previous: Catalogue | None = None
    for version in versions:
        try:
            current = load_catalogue(version.data, name=f"{name} at {version.commit[:12]}")
        except CatalogueError as exc:
            # Info, not a warning: an old layout stays in the history for good, and the page
            # (which reads the history for its badges) would repeat it on every run.
            logger.info("%s; passed over", exc.message)
            passed_over.append(exc.message)
            continue
        if previous is not None and previous.content_hash == current.content_hash:
            continue  # the file changed, the catalogue did not (a layout change, say)
        changes = None if previous is None else compare(previous, current)
        if changes is not None and not changes.has_changes:
            previous = current
            continue
        editions.append(_edition(version, current, changes))
        events.extend(events_of(changes, current, version))
        previous = current
    return History(
        file=name, editions=tuple(editions), events=tuple(events), passed_over=tuple(passed_over)
    )


def read_history(path: Path) -> History:
    """The history of the catalogue file at ``path`` through its git repository."""
    return build_history(read_versions(path), name=str(path))


def _edition(version: Version, current: Catalogue, changes: CatalogueDiff | None) -> Edition:
    return Edition(
        commit=version.commit,
        committed_at=version.committed_at,
        updated_at=current.updated_at,
        records=len(current.records),
        created=changes is None,
        counts=changes.counts() if changes else {"added": len(current.records)},
        summary=summary_line(changes) if changes else first_run_line(current),
        sections_renamed=tuple((r.before, r.after) for r in changes.sections_renamed)
        if changes
        else (),
    )


def events_of(
    changes: CatalogueDiff | None, current: Catalogue, version: Version
) -> list[HistoryEvent]:
    """The events of one edition: every record ``added`` when ``changes`` is None (the first
    version), else one event per record added, changed, removed or moved."""
    when = {
        "updated_at": current.updated_at,
        "commit": version.commit,
        "committed_at": version.committed_at,
    }
    if changes is None:
        return [_event("added", None, record, **when) for record in current.records]
    events = [_event("added", None, record, **when) for record in changes.added]
    events += [_kept("changed", c, cosmetic=c.cosmetic, **when) for c in changes.changed]
    events += [_kept("moved", m, from_section=m.from_section, **when) for m in changes.moved]
    events += [_event("removed", record, None, **when) for record in changes.removed]
    return events


def _kept(kind: EventKind, pair: RecordChange | RecordMove, **rest: Any) -> HistoryEvent:
    """The event of a record on both sides of the change: as it was, as it is, what differs."""
    return _event(kind, pair.before, pair.after, fields=pair.fields, **rest)


def _event(
    kind: EventKind, before: Record | None, after: Record | None, **rest: Any
) -> HistoryEvent:
    record = after or before
    assert record is not None
    return HistoryEvent(
        kind=kind, code=record.code, section=record.section, before=before, after=after, **rest
    )


# -- showing it ----------------------------------------------------------------------------------


def render_history(history: History, fmt: str, *, code: int | None = None) -> str:
    """The history as text or JSON: the events of ``code``, or a summary per edition."""
    if code is not None:
        history = history.of(code)
    if fmt == "json":
        data = history.model_dump(mode="json")
        if code is not None:
            data["code"] = code
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if code is None:
        lines = [_edition_line(edition) for edition in reversed(history.editions)]
        lines += [f"passed over: {reason}" for reason in history.passed_over]
        return "".join(line + "\n" for line in lines)
    if not history.events:
        count = len(history.editions)
        return f"code {code} appears in none of the {count} editions of {history.file}\n"
    return "".join(_event_lines(event) for event in history.events)


def _date(when: datetime | None, committed: datetime) -> str:
    """The page's 更新时间, or the commit's date (marked) for a page that gave none."""
    return when.isoformat(sep=" ") if when else f"{committed.isoformat(sep=' ')} (committed)"


def _edition_line(edition: Edition) -> str:
    when = _date(edition.updated_at, edition.committed_at)
    return f"{when}  {edition.commit[:12]}  {edition.summary}"


def _event_lines(event: HistoryEvent) -> str:
    when = _date(event.updated_at, event.committed_at)
    kind = f"{event.kind} (cosmetic)" if event.cosmetic else event.kind
    where = f"{event.from_section} → {event.section}" if event.from_section else event.section
    lines = [f"{when}  {event.code}  {kind}  {where}  (commit {event.commit[:12]})"]
    if event.kind in ("added", "removed"):
        record = event.after or event.before
        assert record is not None
        lines.append(f"    {record.message}  {record.description}")
    elif event.before is not None and event.after is not None:
        for name in _shown_fields(event.fields):
            lines.append(f"    {name}: {_field(event.before, name)}")
            lines.append(f"    {' ' * len(name)}→ {_field(event.after, name)}")
    return "".join(line + "\n" for line in lines)


def _shown_fields(fields: Iterable[str]) -> list[str]:
    # Links live inside the description's text; their change shows there.
    shown = [name for name in fields if name != "links"]
    return shown or list(fields)


def _field(record: Record, name: str) -> str:
    if name == "links":
        return "; ".join(f"{link.text} <{link.href}>" for link in record.links) or "(none)"
    value = getattr(record, name)
    return str(value)
