"""The commands that read the page: ``parse``, ``refresh``, ``diff``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nim_scrape.about import DEFAULT_PAGE_URL
from nim_scrape.changes.guard import Thresholds
from nim_scrape.cli.failures import Failure, reports_errors
from nim_scrape.cli.options import exit_code_option, fetch_options, format_option, guard_options
from nim_scrape.cli.terminal import color_for, progress, render_report
from nim_scrape.errors import (
    NotifyError,
    UsageError,
)
from nim_scrape.fetch.http import FetchLimits

if TYPE_CHECKING:
    from nim_scrape.config import PageConfig
    from nim_scrape.job import JobResult
    from nim_scrape.pipeline import RefreshResult

logger = logging.getLogger(__name__)


@click.command()
@click.argument("source")
@format_option("json", "csv")
@fetch_options
@reports_errors
def parse(source: str, fmt: str, limits: FetchLimits, render: bool) -> None:
    """Print the catalogue parsed from SOURCE, an http(s) URL or a local HTML file.

    \b
    Example:
        nim-scrape parse tests/fixtures/nim-error-codes-2024-10-31.html --format csv
    """
    from nim_scrape.article.source import catalogue_of_page
    from nim_scrape.catalogue.csvfile import catalogue_csv
    from nim_scrape.catalogue.store import catalogue_json
    from nim_scrape.fetch.source import get_page

    catalogue = catalogue_of_page(get_page(source, limits=limits, render=render))
    click.echo(catalogue_csv(catalogue) if fmt == "csv" else catalogue_json(catalogue), nl=False)


@click.command()
@click.option(
    "--source",
    default=DEFAULT_PAGE_URL,
    show_default="the live page",
    help="Where to read the page: an http(s) URL or a local HTML file.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="The folder that holds the catalogue.",
)
@click.option("--force", is_flag=True, help="Write even when a safety guard refuses.")
@guard_options
@click.option(
    "--notify",
    "notify",
    multiple=True,
    envvar="NIM_SCRAPE_NOTIFY",
    metavar="URL",
    help="An apprise URL to tell of changes and failures (repeatable; or NIM_SCRAPE_NOTIFY, "
    "URLs separated by spaces).",
)
@click.option(
    "--audit-sdk",
    "audit_sdk",
    multiple=True,
    metavar="SOURCE",
    help="After the refresh, audit the catalogue against this SDK (repeatable; as audit --sdk).",
)
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A job of several pages ([[page]] tables); default: nim-scrape.toml here, if any.",
)
@click.option(
    "--page",
    "only",
    multiple=True,
    metavar="NAME",
    help="Refresh only this page of the configuration (repeatable).",
)
@exit_code_option
@format_option("text", "markdown", "json")
@fetch_options
@reports_errors
def refresh(
    source: str,
    out: Path,
    force: bool,
    thresholds: Thresholds,
    notify: tuple[str, ...],
    audit_sdk: tuple[str, ...],
    config: Path | None,
    only: tuple[str, ...],
    exit_code: bool,
    fmt: str,
    limits: FetchLimits,
    render: bool,
) -> None:
    """Fetch the page, diff it against the catalogue in --out, write what changed, report.

    The report goes to stdout; the files in --out are only rewritten when their content
    changed, and CHANGELOG.md gets an entry only when the catalogue did. A change that was
    not reported (the run was killed, a notification failed) is reported by the next run.

    \b
    Example:
        nim-scrape refresh
        nim-scrape refresh --source tests/fixtures/nim-error-codes-2024-10-31.html --out /tmp/demo
        nim-scrape refresh --format markdown --exit-code >> "$GITHUB_STEP_SUMMARY"
        nim-scrape refresh --notify 'dingtalk://TOKEN/' --notify 'mailtos://u:p@example.com'
        nim-scrape refresh --config nim-scrape.toml --page v2-client --page server-api

    With a configuration (--config, or nim-scrape.toml in the working folder), every page
    it declares is refreshed into its own folder, with one report and one notification.
    """
    pages = _configured_pages(config, only)
    if pages is not None:
        _refresh_pages(pages, notify=notify, force=force, exit_code=exit_code, fmt=fmt)
        return
    from nim_scrape.pipeline import RefreshOptions
    from nim_scrape.pipeline import refresh as run

    options = RefreshOptions(
        source=source,
        out=out,
        limits=limits,
        thresholds=thresholds,
        force=force,
        render=render,
        notify=notify,
        audit_sdk=audit_sdk,
    )

    def show(result: RefreshResult) -> None:
        if result.unchanged_because:
            logger.info("unchanged: %s", result.unchanged_because)
        for path in result.written:
            logger.info("wrote %s", path)
        click.echo(render_report(result.report, fmt, color=color_for(fmt)), nl=False)

    result = run(options, show=show, progress=progress)
    if result.notify_error:
        error = result.notify_error
        raise NotifyError(f"the catalogue is up to date, but {error.message}", hint=error.hint)
    if exit_code and result.changed:
        sys.exit(1)


@click.command()
@click.argument("old")
@click.argument("new")
@format_option("text", "markdown", "json")
@exit_code_option
@fetch_options
@reports_errors
def diff(old: str, new: str, fmt: str, exit_code: bool, limits: FetchLimits, render: bool) -> None:
    """Print what changed from OLD to NEW: catalogue JSON files, HTML files or URLs.

    \b
    Example:
        nim-scrape diff tests/fixtures/nim-error-codes-2024-03-13.html output/nim_error_codes.json
        nim-scrape diff old.json new.json --format json --exit-code
    """
    from nim_scrape.article.source import (
        catalogue_from,
        given_by_the_user,
        is_catalogue_file,
        read_catalogue_file,
    )

    if is_catalogue_file(old) and is_catalogue_file(new):
        from nim_scrape.changes.files import compare_files

        with given_by_the_user():
            data = read_catalogue_file(old), read_catalogue_file(new)
            changes = compare_files(*data, names=(old, new))
    else:
        from nim_scrape.changes.diff import compare

        before = catalogue_from(old, limits=limits, render=render)
        changes = compare(before, catalogue_from(new, limits=limits, render=render))
    click.echo(render_report(changes, fmt, color=color_for(fmt)), nl=False)
    if exit_code and changes.has_changes:
        sys.exit(1)


def _configured_pages(config: Path | None, only: tuple[str, ...]) -> tuple[PageConfig, ...] | None:
    """The pages of the job, or None for the one page of --source and --out as always."""
    from nim_scrape.config import find_config, no_job_for, pages_named, read_config

    ctx = click.get_current_context()
    path = find_config(config)
    if path is None:
        if only:
            raise no_job_for("--page")
        return None
    given = [
        f"--{name}"
        for name in ("source", "out", "audit-sdk")
        if _given(ctx, name.replace("-", "_"))
    ]
    if given and config is None and only:
        # --page would pick from the folder's job, which the explicit page replaces: running
        # the one page and dropping --page unsaid would refresh what was not asked for.
        raise UsageError(
            f"--page and {', '.join(given)} name different jobs ({path}, and one page on the "
            "command line): pass one"
        )
    if given and config is None:
        return None  # an explicit page on the command line wins over the folder's job
    if given:
        raise UsageError(f"--config and {', '.join(given)} name different jobs: pass one")
    return pages_named(read_config(path), only, path)


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def _refresh_pages(
    pages: tuple[PageConfig, ...],
    *,
    notify: tuple[str, ...],
    force: bool,
    exit_code: bool,
    fmt: str,
) -> None:
    from nim_scrape.job import render_job, run_job

    def show(job: JobResult) -> None:
        click.echo(render_job(job, fmt, color=color_for(fmt)), nl=False)

    job = run_job(pages, notify=notify, force=force, show=show, progress=progress)
    status = job.exit_status(exit_code=exit_code)
    if status not in (0, 1):
        raise Failure(job.error_line(), status)
    if status == 1:
        sys.exit(1)
