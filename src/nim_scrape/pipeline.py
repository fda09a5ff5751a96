"""The refresh job: fetch, parse, diff, guard, write, report, notify, under the folder's lock.

The stages are plain functions in their own modules; this module sequences them and holds the
rules that tie them together (README, "Every change is delivered, at least once"):

- nothing is written unless every check before it passed;
- the run state is a cache: it skips work only when it describes the catalogue on disk now;
- every change is delivered at least once: the catalogue as last delivered is kept aside
  until a run has shown the report and sent every notification, so a run that dies or whose
  notification fails leaves the delivery to the next run, which reports from that catalogue.

May import: every room but the command line.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from nim_scrape.about import DEFAULT_PAGE_URL, __version__
from nim_scrape.article.source import catalogue_of_page
from nim_scrape.catalogue.csvfile import catalogue_csv, catalogue_schema
from nim_scrape.catalogue.models import Catalogue
from nim_scrape.catalogue.state import RunState, load_state, save_state
from nim_scrape.catalogue.store import (
    OutputFolder,
    catalogue_json,
    load_catalogue,
    read_catalogue_bytes,
    read_text,
)
from nim_scrape.changes.diff import CatalogueDiff, compare
from nim_scrape.changes.guard import Thresholds, check
from nim_scrape.changes.report import report_schema
from nim_scrape.deliver import changelog, messages, policy
from nim_scrape.errors import (
    CatalogueError,
    FetchError,
    GuardRefused,
    NimScrapeError,
    PageError,
    UsageError,
)
from nim_scrape.fetch.evidence import save_failure
from nim_scrape.fetch.http import FetchLimits, Page, Received, Recorder
from nim_scrape.fetch.source import get_page

if TYPE_CHECKING:
    from nim_scrape.audit.run import AuditResult
    from nim_scrape.audit.sdk import Sdk
    from nim_scrape.changes.report import Report

__all__ = [
    "PageFailure",
    "RefreshOptions",
    "RefreshResult",
    "check_configuration",
    "delivered",
    "note_failure",
    "outbox",
    "refresh",
    "send_all",
    "update",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RefreshOptions:
    """What one refresh does; the command line builds it from its options."""

    source: str = DEFAULT_PAGE_URL
    out: Path = Path("output")
    limits: FetchLimits = field(default_factory=FetchLimits)
    thresholds: Thresholds = field(default_factory=Thresholds)
    force: bool = False
    render: bool = False
    notify: tuple[str, ...] = ()
    audit_sdk: tuple[str, ...] = ()
    lock_timeout: float = 60.0
    # Which header holds which role (code, message, description), where guessing needs help.
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did, and the change it reports (from the catalogue last delivered)."""

    catalogue: Catalogue
    previous: Catalogue | None
    diff: CatalogueDiff
    created: bool
    written: tuple[Path, ...]
    unchanged_because: str | None = None
    notify_error: NimScrapeError | None = None
    audit: AuditResult | None = None
    audit_error: NimScrapeError | None = None
    names_carried: int = 0

    @property
    def changed(self) -> bool:
        """True when there is a change to deliver (what ``--exit-code`` tells)."""
        return self.created or self.diff.has_changes

    @property
    def report(self) -> Report:
        """The change report, with the SDK audit's new findings when there are any."""
        from nim_scrape.changes.report import build_report

        report = build_report(None if self.created else self.diff, self.catalogue)
        if self.names_carried:
            note = (
                f"the page names no section: {self.names_carried} section names kept from the "
                "catalogue, matched by their rows"
            )
            report = replace(report, notes=(*report.notes, note))
        if self.audit and self.audit.changed:
            from nim_scrape.audit.report import render_changes

            head, *lines = render_changes(self.audit.changes, "text").splitlines()
            report = report.with_block(head, lines, key="sdk_audit")
        return report


def _quiet(_: str) -> None:
    pass


def refresh(
    options: RefreshOptions,
    *,
    show: Callable[[RefreshResult], None] | None = None,
    progress: Progress = _quiet,
    now: Callable[[], datetime] | None = None,
) -> RefreshResult:
    """Run the whole job once; raises a ``NimScrapeError`` for anything that stops it.

    ``show`` gets the result before notifications are sent (the command line prints the report
    there). The change counts as delivered only once ``show`` returned and every notification
    went out; until then the next run reports it again. A failed notification does not raise:
    the result carries it in ``notify_error``.

    The steps (``check_configuration``, ``update``, ``outbox``, ``delivered``, ``note_failure``)
    are public so that a job of several pages runs each page's steps and delivers once.
    """
    sdks = check_configuration(options)  # configuration first: nothing fetched or written yet
    folder = OutputFolder(options.out)
    clock = now or _utc_now
    with folder.locked(timeout=options.lock_timeout, waiting=progress):
        try:
            result = update(folder, options, sdks, progress=progress, clock=clock)
        except PageFailure as failure:
            _tell_failure(folder, failure, options.notify, clock())
            raise failure.error from None
        if show:
            show(result)
        messages_out = outbox(result, load_state(folder.state_path), folder)
        if options.notify and messages_out:
            progress(f"notifying {len(options.notify)} service(s)")
            try:
                send_all(messages_out, options.notify)
            except NimScrapeError as exc:
                return replace(result, notify_error=exc)
        delivered(folder, result)
    return result


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class PageFailure(Exception):
    """A page that could not be brought up to date (fetch, not the page, guard), with what the
    run received kept in ``evidence`` and whether the team is yet to hear of it (``tell``)."""

    def __init__(self, error: NimScrapeError, evidence: Path, *, tell: bool) -> None:
        super().__init__(str(error))
        self.error, self.evidence, self.tell = error, evidence, tell


def update(
    folder: OutputFolder,
    options: RefreshOptions,
    sdks: Sequence[Sdk] = (),
    *,
    progress: Progress = _quiet,
    clock: Callable[[], datetime] = _utc_now,
) -> RefreshResult:
    """Bring the catalogue in ``folder`` (locked by the caller) up to the page, then audit it.

    ``PageFailure`` when the page cannot be fetched, is not the page, or the guard refuses: the
    catalogue is untouched and what was received is kept as evidence. Other ``NimScrapeError``s
    (an unreadable catalogue, a folder that cannot be written) are raised as they are.
    """
    received: list[Received] = []
    try:
        result = _update(folder, options, progress, received.append)
    except (FetchError, PageError, GuardRefused) as exc:
        kept = save_failure(
            folder.failure_dir,
            source=options.source,
            error=exc,
            received=received[-1] if received else None,
            when=clock(),
        )
        tell = policy.tell_failure(load_state(folder.state_path))
        if not tell:
            logger.info("still failing; not notifying again")
        raise PageFailure(exc, kept, tell=tell) from exc
    return _audited(result, sdks, options.out) if sdks else result


def send_all(outbox: Sequence[messages.Message], urls: Sequence[str]) -> None:
    """Send every message to every URL; ``NotifyError`` for the first that fails."""
    from nim_scrape.deliver.notify import send  # apprise loads only when there is news

    for message in outbox:
        send(message, urls)


def check_configuration(options: RefreshOptions) -> list[Sdk]:
    """``UsageError`` for an option that cannot be used, before anything is fetched or written;
    the SDKs to audit against, read (and downloaded) once, here."""
    from nim_scrape.fetch.http import check_source

    check_source(options.source)
    if options.notify:
        from nim_scrape.deliver.notify import check_urls

        check_urls(options.notify)
    for source in options.audit_sdk:
        if not source.startswith("npm:") and not Path(source).exists():
            raise UsageError(
                f"no such SDK source: {source}", hint="a file, a folder, a .tgz or npm:NAME@VERSION"
            )
    if not options.audit_sdk:
        return []
    from nim_scrape.audit.run import read_sdks

    # Read (and download) now: an SDK that cannot be used stops the run before it writes.
    return read_sdks(options.audit_sdk)


def _audited(result: RefreshResult, sdks: Sequence[Sdk], out: Path) -> RefreshResult:
    """The audit against the SDKs, after the catalogue is up to date. It cannot undo the
    refresh: a failure to save it is reported after the change is delivered."""
    from nim_scrape.audit.run import save_audit

    try:
        return replace(result, audit=save_audit(result.catalogue, sdks, out=out))
    except NimScrapeError as exc:
        logger.warning("the SDK audit failed: %s", exc)
        return replace(result, audit_error=exc)


def _update(
    folder: OutputFolder, options: RefreshOptions, progress: Progress, on_received: Recorder
) -> RefreshResult:
    """Bring the catalogue in ``folder`` up to the page; the change still to deliver."""
    folder.remove_stale_temporaries()
    state = load_state(folder.state_path)
    previous_bytes = read_catalogue_bytes(folder.json_path) if folder.json_path.exists() else None
    previous = _previous(folder, previous_bytes, force=options.force)
    # The state describes this folder only if it was written with the catalogue now on disk.
    trusted = (
        previous_bytes is not None
        and state.catalogue_sha256 == _sha256(previous_bytes)
        and state.source == options.source
        and state.parser == __version__
    )
    progress(f"{'rendering' if options.render else 'fetching'} {options.source}")
    page = _read(options, state if trusted else None, on_received)
    reason = _unchanged(page, state) if trusted and not options.force else None
    if reason and previous is not None:
        save_state(folder.state_path, _next_state(state, options.source, page, previous_bytes))
        return _to_deliver(folder, previous, previous, None, written=(), unchanged_because=reason)
    size_before = state.body_size if trusted else None
    catalogue, changes, carried = _parse_and_check(page, previous, options, size_before, progress)
    pending_before = folder.pending_path.exists()
    written = _write_new(folder, catalogue, previous, changes) if catalogue is not previous else ()
    data = folder.json_path.read_bytes() if written or previous_bytes is None else previous_bytes
    save_state(folder.state_path, _next_state(state, options.source, page, data))
    # This run's own change is the one to deliver unless an older one is still pending.
    known = None if pending_before else changes
    return _to_deliver(folder, catalogue, previous, known, written=written, names_carried=carried)


def _parse_and_check(
    page: Page,
    previous: Catalogue | None,
    options: RefreshOptions,
    size_before: int | None,
    progress: Progress,
) -> tuple[Catalogue, CatalogueDiff | None, int]:
    """The page's catalogue (``previous`` itself when the content is the same), its changes
    from ``previous``, and how many section names it kept from it; the guard has passed."""
    progress(f"parsing {page.body_size:,} bytes")
    catalogue = catalogue_of_page(page, columns=options.columns)
    if previous is None:
        return catalogue, None, 0
    catalogue, carried = _carry_section_names(previous, catalogue)
    progress(f"parsed {len(catalogue.records)} records in {len(catalogue.sections)} sections")
    changes = compare(previous, catalogue)
    if options.force:
        return catalogue, changes, carried
    check(
        previous,
        changes,
        thresholds=options.thresholds,
        size_before=size_before,
        size_after=page.body_size,
    )
    if not changes.has_changes:
        # The same content: the files stay as they are, whatever the page's title, date or
        # shape now say (README: a run that finds no change touches nothing).
        return previous, changes, carried
    return catalogue, changes, carried


def _to_deliver(
    folder: OutputFolder,
    catalogue: Catalogue,
    previous: Catalogue | None,
    known: CatalogueDiff | None,
    *,
    written: tuple[Path, ...],
    unchanged_because: str | None = None,
    names_carried: int = 0,
) -> RefreshResult:
    """The result, with the change from the catalogue last delivered (``known`` when this run
    made it, so a large catalogue is not compared twice)."""
    base = None if known is not None else _pending_base(folder)
    if known is not None and folder.pending_path.exists():
        diff, created = known, False
    elif base is not None:
        diff, created = compare(base, catalogue), not base.records and not base.sections
    else:
        diff, created = _no_change(catalogue), False
    return RefreshResult(
        catalogue=catalogue,
        previous=previous,
        diff=diff,
        created=created,
        written=written,
        unchanged_because=unchanged_because,
        names_carried=names_carried,
    )


def _carry_section_names(previous: Catalogue, current: Catalogue) -> tuple[Catalogue, int]:
    """``current`` with the titles and anchors of ``previous`` for the sections the page does
    not name, matched by their rows as the differ matches sections; and how many."""
    unnamed = {s.title for s in current.sections if not s.named}
    if not unnamed:
        return current, 0
    renames = {r.after: r.before for r in compare(previous, current).sections_renamed}
    old = {s.title: s for s in previous.sections}
    named = {t: old[renames[t]] for t in unnamed if t in renames}
    for title in sorted(unnamed - named.keys()):
        logger.warning("no section of the catalogue matches %s: it keeps that name", title)
    if not named:
        return current, 0
    sections = tuple(
        s.model_copy(update={"title": n.title, "anchor": n.anchor, "url": n.url, "named": True})
        if (n := named.get(s.title))
        else s
        for s in current.sections
    )
    records = tuple(
        r.model_copy(update={"section": n.title, "section_anchor": n.anchor})
        if (n := named.get(r.section))
        else r
        for r in current.records
    )
    logger.warning("the page names no section: %d names kept from the catalogue", len(named))
    rebuilt = Catalogue.build(
        sections=sections,
        records=records,
        page_url=current.page_url,
        page_title=current.page_title,
        updated_at=current.updated_at,
    )
    return rebuilt.model_copy(update={"source_shape": current.source_shape}), len(named)


def _write_new(
    folder: OutputFolder,
    catalogue: Catalogue,
    previous: Catalogue | None,
    changes: CatalogueDiff | None,
) -> tuple[Path, ...]:
    """Write the new catalogue and its change log entry; the files whose content changed."""
    written: tuple[Path, ...] = ()
    new_json = catalogue_json(catalogue)
    if changes is None or changes.has_changes:
        if not folder.pending_path.exists():
            # The catalogue as last delivered, kept until this change is delivered.
            base = catalogue_json(previous if previous is not None else Catalogue())
            folder.write(folder.pending_path, base)
        entry = changelog.entry(changes, catalogue)
        log = changelog.add_entry(read_text(folder.changelog_path), entry)
        if folder.write(folder.changelog_path, log):
            written += (folder.changelog_path,)
    # The JSON file last: it is what the next run compares against, so everything else a
    # change writes is in place before the catalogue says the change happened.
    files = {
        folder.csv_path: catalogue_csv(catalogue),
        folder.schema_path: catalogue_schema(),
        folder.report_schema_path: report_schema(),
        folder.json_path: new_json,
    }
    written += tuple(path for path, text in files.items() if folder.write(path, text))
    return written


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(options: RefreshOptions, state: RunState | None, on_received: Recorder) -> Page:
    """The page: fetched (conditionally, when ``state`` describes this folder), or rendered."""
    return get_page(
        options.source,
        limits=options.limits,
        render=options.render,
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        on_received=on_received,
    )


def _previous(folder: OutputFolder, data: bytes | None, *, force: bool) -> Catalogue | None:
    if data is None:
        return None
    try:
        return load_catalogue(data, name=str(folder.json_path))
    except CatalogueError:
        if not force:
            raise
        logger.warning("replacing the unreadable catalogue in %s (forced)", folder.root)
        return None


def _pending_base(folder: OutputFolder) -> Catalogue | None:
    """The catalogue as last delivered, when a change since then is not delivered yet."""
    data = read_text(folder.pending_path)
    if data is None:
        return None
    try:
        return load_catalogue(data, name=str(folder.pending_path))
    except CatalogueError as exc:
        logger.warning("the undelivered change cannot be reported in full: %s", exc)
        return None


def _no_change(catalogue: Catalogue) -> CatalogueDiff:
    return CatalogueDiff(updated_before=catalogue.updated_at, updated_after=catalogue.updated_at)


def _unchanged(page: Page, state: RunState) -> str | None:
    if page.not_modified:
        return "the server answered 304 Not Modified"
    if page.body_sha256 == state.body_sha256:
        return "the page is byte-identical to the last run's"
    return None


def _next_state(state: RunState, source: str, page: Page, catalogue: bytes | None) -> RunState:
    if page.not_modified:
        # A 304 may refresh the validators; the body and its hash stay what they were.
        return state.model_copy(
            update={
                "etag": page.etag or state.etag,
                "last_modified": page.last_modified or state.last_modified,
            }
        )
    return state.model_copy(
        update={
            "source": source,
            "parser": __version__,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "body_sha256": page.body_sha256,
            "body_size": page.body_size,
            "catalogue_sha256": _sha256(catalogue) if catalogue is not None else None,
        }
    )


# -- telling the team ----------------------------------------------------------------------------


def outbox(result: RefreshResult, state: RunState, folder: OutputFolder) -> list[messages.Message]:
    """What a page that worked has to tell: its recovery, its change (once)."""
    outcome = policy.Outcome(
        changed=result.changed,
        content_hash=result.catalogue.content_hash,
        audit_changed=bool(result.audit and result.audit.changed),
    )
    sending = policy.to_send(outcome, state)
    outbox: list[messages.Message] = []
    if sending.recovery_since:
        outbox.append(messages.recovery(sending.recovery_since))
    if sending.change:
        outbox.append(
            messages.change(result.report, result.catalogue, full_report=folder.changelog_path)
        )
    return outbox


def _tell_failure(
    folder: OutputFolder, failure: PageFailure, urls: Sequence[str], when: datetime
) -> None:
    """Notify a failure the first time only, and note it in the state."""
    notified = False
    if failure.tell and urls:
        try:
            send_all([messages.failure(failure.error, evidence=failure.evidence)], urls)
            notified = True
        except NimScrapeError as exc:
            logger.warning("could not notify the failure: %s", exc)
    note_failure(folder, failure, when=when, notified=notified, notifying=bool(urls))


def note_failure(
    folder: OutputFolder, failure: PageFailure, *, when: datetime, notified: bool, notifying: bool
) -> None:
    """The failure in the folder's state: since when, and whether the team was told."""
    if not failure.tell:
        return  # told already: the state keeps when the failure began
    state = load_state(folder.state_path)
    after = policy.after_failure(
        state, error=str(failure.error), when=when, notified=notified, notifying=notifying
    )
    save_state(folder.state_path, after)


def delivered(folder: OutputFolder, result: RefreshResult) -> None:
    """The change was shown and sent: nothing is pending, the failure (if any) is over."""
    state = load_state(folder.state_path)
    save_state(folder.state_path, policy.after_delivery(state, result.catalogue.content_hash))
    folder.pending_path.unlink(missing_ok=True)
