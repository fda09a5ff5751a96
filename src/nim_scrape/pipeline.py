"""The refresh job: fetch, parse, diff, guard, write, in that order, under the folder's lock.

The stages are plain functions in their own modules; this module only sequences them and holds
the one rule that ties them together: nothing is written unless every check before it passed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from . import __version__, changelog, messages
from .diff import CatalogueDiff, compare, compare_json
from .errors import (
    CatalogueError,
    FetchError,
    GuardRefused,
    NimScrapeError,
    NotifyError,
    PageError,
    UsageError,
)
from .export import catalogue_csv, catalogue_json, catalogue_schema
from .fetch import FetchLimits, Page, is_url, read_source
from .guard import Thresholds, check
from .models import DEFAULT_PAGE_URL, Catalogue
from .state import RunState, load_state, save_state
from .store import OutputFolder, read_catalogue, read_catalogue_bytes, read_text

__all__ = ["RefreshOptions", "RefreshResult", "diff_sources", "load_any", "refresh", "run_job"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RefreshOptions:
    source: str = DEFAULT_PAGE_URL
    out: Path = Path("output")
    limits: FetchLimits = field(default_factory=FetchLimits)
    thresholds: Thresholds = field(default_factory=Thresholds)
    force: bool = False
    lock_timeout: float = 60.0


@dataclass(frozen=True)
class RefreshResult:
    catalogue: Catalogue
    previous: Catalogue | None
    diff: CatalogueDiff | None
    written: tuple[Path, ...]
    unchanged_because: str | None = None
    notify_error: NotifyError | None = None

    @property
    def changed(self) -> bool:
        """True when the catalogue is new or its content changed (what ``--exit-code`` tells)."""
        return self.previous is None or bool(self.diff and self.diff.has_changes)


def _quiet(_: str) -> None:
    pass


def refresh(options: RefreshOptions, *, progress: Progress = _quiet) -> RefreshResult:
    """Run the whole job once; raises a ``NimScrapeError`` for anything that stops it."""
    folder = OutputFolder(options.out)
    with folder.locked(timeout=options.lock_timeout):
        folder.remove_stale_temporaries()
        state = load_state(folder.state_path)
        previous = _previous(folder, force=options.force)
        # The validators and the size are only comparable for the same source and parser.
        known = previous is not None and state.source == options.source
        progress(f"fetching {options.source}")
        page = read_source(
            options.source,
            limits=options.limits,
            etag=state.etag if known else None,
            last_modified=state.last_modified if known else None,
        )
        if previous is not None and not options.force:
            reason = _unchanged(page, state, known=known)
            if reason:
                save_state(folder.state_path, _next_state(state, options.source, page))
                return RefreshResult(
                    catalogue=previous,
                    previous=previous,
                    diff=CatalogueDiff(
                        updated_before=previous.updated_at, updated_after=previous.updated_at
                    ),
                    written=(),
                    unchanged_because=reason,
                )
        progress(f"parsing {page.body_size:,} bytes")
        catalogue = _parse(page)
        progress(f"parsed {len(catalogue.records)} records in {len(catalogue.sections)} sections")
        diff = None
        if previous is not None:
            diff = compare(previous, catalogue)
            if not options.force:
                check(
                    previous,
                    diff,
                    thresholds=options.thresholds,
                    size_before=state.body_size if known else None,
                    size_after=page.body_size,
                )
        progress("writing")
        written = _write_catalogue(folder, catalogue)
        if diff is None or diff.has_changes:
            # Only a real change gets an entry: an unchanged page leaves the folder untouched.
            entry = changelog.entry(diff, catalogue)
            log = changelog.add_entry(read_text(folder.changelog_path), entry)
            if folder.write(folder.changelog_path, log):
                written += (folder.changelog_path,)
        save_state(folder.state_path, _next_state(state, options.source, page))
    return RefreshResult(catalogue=catalogue, previous=previous, diff=diff, written=written)


def load_any(source: str, *, limits: FetchLimits | None = None) -> Catalogue:
    """A catalogue from a catalogue JSON file, an HTML file or a URL."""
    if _is_catalogue_file(source):
        with _given_by_the_user():
            return read_catalogue(Path(source))
    return _parse(read_source(source, limits=limits))


def diff_sources(old: str, new: str, *, limits: FetchLimits | None = None) -> CatalogueDiff:
    """The changes from ``old`` to ``new``: catalogue JSON files, HTML files or URLs."""
    if _is_catalogue_file(old) and _is_catalogue_file(new):
        with _given_by_the_user():
            old_data, new_data = read_catalogue_bytes(Path(old)), read_catalogue_bytes(Path(new))
            return compare_json(old_data, new_data, names=(old, new))
    return compare(load_any(old, limits=limits), load_any(new, limits=limits))


def _is_catalogue_file(source: str) -> bool:
    return source.endswith(".json") and not is_url(source)


@contextlib.contextmanager
def _given_by_the_user() -> Iterator[None]:
    """A catalogue the user named is input to check, not one a run would overwrite: a broken
    one is a usage error (exit 2), not a guard refusal."""
    try:
        yield
    except CatalogueError as exc:
        raise UsageError(
            exc.message, hint="pass a catalogue JSON file, an HTML file or a URL"
        ) from exc


def _parse(page: Page) -> Catalogue:
    from .parse import parse_page  # bs4 and lxml load only when a page is parsed (#6)

    return parse_page(page.text, url=page.url)


def _previous(folder: OutputFolder, *, force: bool) -> Catalogue | None:
    try:
        return folder.load()
    except CatalogueError:
        if not force:
            raise
        logger.warning("replacing the unreadable catalogue in %s (--force)", folder.root)
        return None


def _unchanged(page: Page, state: RunState, *, known: bool) -> str | None:
    if page.not_modified:
        return "the server answered 304 Not Modified"
    if known and state.parser == __version__ and page.body_sha256 == state.body_sha256:
        return "the page is byte-identical to the last run's"
    return None


def _next_state(state: RunState, source: str, page: Page) -> RunState:
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
        }
    )


def _write_catalogue(folder: OutputFolder, catalogue: Catalogue) -> tuple[Path, ...]:
    files = {
        folder.json_path: catalogue_json(catalogue),
        folder.csv_path: catalogue_csv(catalogue),
        folder.schema_path: catalogue_schema(),
    }
    return tuple(path for path, text in files.items() if folder.write(path, text))


# -- the unattended job: refresh, then tell the team -------------------------------------------


def run_job(
    options: RefreshOptions,
    *,
    notify: Sequence[str] = (),
    progress: Progress = _quiet,
    now: Callable[[], datetime] | None = None,
) -> RefreshResult:
    """``refresh``, then notify: on a change, on the first failure, and on recovery (#5).

    A failure is notified once, not on every scheduled run: the state file remembers it until a
    run succeeds again, which sends a recovery notice. The catalogue is written before anything
    is sent, so a failed notification never loses it.
    """
    folder = OutputFolder(options.out)
    clock = now or (lambda: datetime.now(timezone.utc))
    try:
        result = refresh(options, progress=progress)
    except (FetchError, PageError, GuardRefused) as exc:
        _record_failure(folder, exc, notify, clock())
        raise
    outbox: list[messages.Message] = []
    failing_since = _record_recovery(folder)
    if failing_since:
        outbox.append(messages.recovery(failing_since))
    if result.changed:
        outbox.append(messages.change(result.diff, result.catalogue))
    if notify and outbox:
        from .notify import send  # apprise is imported only when there is something to send

        progress(f"notifying {len(notify)} service(s)")
        try:
            for message in outbox:
                send(message, notify)
        except NotifyError as exc:
            # The catalogue is written; the caller reports both the change and this failure.
            return replace(result, notify_error=exc)
    return result


def _record_failure(
    folder: OutputFolder, error: NimScrapeError, notify: Sequence[str], when: datetime
) -> None:
    try:
        with folder.locked(timeout=5):
            state = load_state(folder.state_path)
            if state.failing_since and state.failure_notified:
                logger.info("still failing since %s; not notifying again", state.failing_since)
                return
            notified = False
            if notify:
                from .notify import send

                try:
                    send(messages.failure(error), notify)
                    notified = True
                except NimScrapeError as exc:
                    logger.warning("could not notify the failure: %s", exc)
            save_state(
                folder.state_path,
                state.model_copy(
                    update={
                        "failing_since": state.failing_since or when.isoformat(timespec="seconds"),
                        "failure": str(error),
                        "failure_notified": notified or not notify,
                    }
                ),
            )
    except GuardRefused:
        logger.info("another run holds the folder; its state is left to it")


def _record_recovery(folder: OutputFolder) -> str | None:
    """Clear a recorded failure; the time it started, if there was one."""
    with folder.locked(timeout=5):
        state = load_state(folder.state_path)
        if not state.failing_since:
            return None
        save_state(
            folder.state_path,
            state.model_copy(
                update={"failing_since": None, "failure": None, "failure_notified": None}
            ),
        )
        return state.failing_since
