"""Several pages in one job: each page on its own, one report and one notification for all.

Each page has its own catalogue, run state, guard, delivery and evidence, in its own folder
under its own lock, so a page that fails (cannot be fetched, is not the page, the guard refuses,
its folder cannot be written) changes nothing of its own and holds back no other page. The job
then shows one report with a part per page, sends one notification for all that is news, and
counts each page's change as delivered only once that notification went out.

The exit status is the most severe of the pages' (``SEVERITY``), so a scheduled job fails when
any page does, and says which.

May import: ``nim_scrape.pipeline`` and everything below it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from nim_scrape.catalogue.state import load_state
from nim_scrape.catalogue.store import OutputFolder
from nim_scrape.config import PageConfig
from nim_scrape.deliver import messages
from nim_scrape.errors import NimScrapeError, exit_status
from nim_scrape.pipeline import (
    PageFailure,
    RefreshOptions,
    RefreshResult,
    check_configuration,
    delivered,
    note_failure,
    outbox,
    send_all,
    update,
)

if TYPE_CHECKING:
    from nim_scrape.audit.sdk import Sdk

__all__ = ["SEVERITY", "JobResult", "PageRun", "render_job", "run_job"]

logger = logging.getLogger(__name__)

# Most severe first: a bug, an output folder that cannot be written, a refusal, not the page, no
# page, a notification that failed; then changes (with --exit-code) and nothing.
SEVERITY = (70, 7, 5, 4, 3, 6, 1, 0)


@dataclass(frozen=True)
class PageRun:
    """One page's part of the job: its result, or the error that stopped it."""

    page: PageConfig
    result: RefreshResult | None = None
    error: NimScrapeError | None = None
    failure: PageFailure | None = None  # for a fetch, page or guard failure: evidence, telling

    @property
    def status(self) -> int:
        return exit_status(self.error) if self.error else 0


@dataclass(frozen=True)
class JobResult:
    """Every page's part, and the notification's failure if it failed."""

    runs: tuple[PageRun, ...]
    notify_error: NimScrapeError | None = None

    @property
    def changed(self) -> bool:
        return any(run.result is not None and run.result.changed for run in self.runs)

    @property
    def failed(self) -> tuple[PageRun, ...]:
        return tuple(run for run in self.runs if run.error is not None)

    def exit_status(self, *, exit_code: bool = False) -> int:
        """The most severe status of the pages (``SEVERITY``)."""
        statuses = [run.status for run in self.runs]
        if self.notify_error:
            statuses.append(6)
        if exit_code and self.changed:
            statuses.append(1)
        return min(statuses, key=SEVERITY.index, default=0)

    def error_line(self) -> str:
        """One line naming each page that failed, with its status and its error."""
        parts = [f"{run.page.name} (exit {run.status}: {run.error})" for run in self.failed]
        if self.notify_error:
            parts.append(f"the notification ({self.notify_error})")
        count = len(self.failed)
        head = f"{count} of {len(self.runs)} pages failed" if count else "the pages are up to date"
        return f"{head}: {'; '.join(parts)}"


def run_job(
    pages: Sequence[PageConfig],
    *,
    notify: Sequence[str] = (),
    force: bool = False,
    show: Callable[[JobResult], None] | None = None,
    progress: Callable[[str], None] = lambda _: None,
    now: Callable[[], datetime] | None = None,
) -> JobResult:
    """Refresh every page of ``pages``; raises only for a configuration that cannot be used
    (before anything is fetched or written), never for one page's failure."""
    clock = now or (lambda: datetime.now(timezone.utc))
    options = {page.name: _options(page, force=force) for page in pages}
    # Every page's configuration first, and the notification URLs: a mistake in the last page
    # stops the job before the first is fetched.
    sdks = {name: check_configuration(o) for name, o in options.items()}
    if notify:
        from nim_scrape.deliver.notify import check_urls

        check_urls(notify)
    with contextlib.ExitStack() as locks:
        runs = tuple(
            _run_page(page, options[page.name], sdks[page.name], locks, progress, clock)
            for page in pages
        )
        job = JobResult(runs)
        if show:
            show(job)
        return _deliver(job, notify, clock(), progress)


def _options(page: PageConfig, *, force: bool) -> RefreshOptions:
    return RefreshOptions(
        source=page.source,
        out=page.out,
        limits=page.limits,
        thresholds=page.thresholds,
        force=force,
        render=page.render,
        audit_sdk=page.audit_sdk,
        columns=dict(page.columns),
    )


def _run_page(
    page: PageConfig,
    options: RefreshOptions,
    sdks: list[Sdk],
    locks: contextlib.ExitStack,
    progress: Callable[[str], None],
    clock: Callable[[], datetime],
) -> PageRun:
    """One page brought up to date under its folder's lock, which stays held until the job has
    delivered; its failure is its own."""
    progress(f"page {page.name}")
    folder = OutputFolder(page.out)
    try:
        locks.enter_context(folder.locked(timeout=options.lock_timeout, waiting=progress))
        return PageRun(page, result=update(folder, options, sdks, progress=progress, clock=clock))
    except PageFailure as failure:
        logger.info("page %s failed: %s", page.name, failure.error)
        return PageRun(page, error=failure.error, failure=failure)
    except NimScrapeError as exc:
        logger.info("page %s failed: %s", page.name, exc)
        return PageRun(page, error=exc)


def _deliver(
    job: JobResult, notify: Sequence[str], when: datetime, progress: Callable[[str], None]
) -> JobResult:
    """One notification for all the news; each page delivered once it went out."""
    news: list[tuple[str, messages.Message]] = []
    for run in job.runs:
        folder = OutputFolder(run.page.out)
        if run.result is not None:
            state = load_state(folder.state_path)
            news.extend((run.page.name, m) for m in outbox(run.result, state, folder))
        elif run.failure is not None and run.failure.tell:
            notice = messages.failure(run.failure.error, evidence=run.failure.evidence)
            news.append((run.page.name, notice))
    notify_error: NimScrapeError | None = None
    if notify and news:
        progress(f"notifying {len(notify)} service(s)")
        try:
            send_all([combined(news)], notify)
        except NimScrapeError as exc:
            notify_error = exc
    for run in job.runs:
        folder = OutputFolder(run.page.out)
        if run.result is not None and notify_error is None:
            delivered(folder, run.result)
        elif run.failure is not None:
            told = bool(notify) and notify_error is None
            note_failure(folder, run.failure, when=when, notified=told, notifying=bool(notify))
    return replace(job, notify_error=notify_error)


def combined(news: Sequence[tuple[str, messages.Message]]) -> messages.Message:
    """One message for the news of several pages: each page's part under its name."""
    if len(news) == 1:
        name, only = news[0]
        return replace(only, title=f"{name}: {only.title}")
    return messages.Message(
        title="; ".join(f"{name}: {m.title}" for name, m in news),
        text="\n".join(f"== {name}: {m.title}\n{m.text}" for name, m in news),
        markdown="\n".join(f"## {name}\n\n{m.markdown}" for name, m in news),
        full_report=None,
    )


def render_job(job: JobResult, fmt: str, *, color: bool = False) -> str:
    """The job's report: each page's report under its name, or the error that stopped it."""
    from nim_scrape.changes.report import render

    if fmt == "json":
        parts = {"pages": [_json_part(run) for run in job.runs]}
        return json.dumps(parts, ensure_ascii=False, indent=2) + "\n"
    texts = []
    for run in job.runs:
        name = run.page.name
        head = f"## {name}" if fmt == "markdown" else f"== {name} ({run.page.out})"
        if run.result is not None:
            body = render(run.result.report, fmt, color=color)
        else:
            body = f"failed (exit {run.status}): {run.error}\n"
        texts.append(f"{head}\n\n{body}" if fmt == "markdown" else f"{head}\n{body}")
    return "\n".join(texts)


def _json_part(run: PageRun) -> dict[str, Any]:
    from nim_scrape.changes.report import render

    part: dict[str, Any] = {"name": run.page.name, "out": str(run.page.out), "status": run.status}
    if run.result is not None:
        part["report"] = json.loads(render(run.result.report, "json"))
    else:
        part["error"] = str(run.error)
    return part
