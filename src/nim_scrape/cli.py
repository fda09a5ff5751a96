"""The ``nim-scrape`` command: reads options, calls the library, prints. No logic of its own.

Imports of the heavier stages happen inside each command, so ``parse`` never loads the differ
or apprise (#6: start-up counts).
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import NimScrapeError
from .fetch import FetchLimits
from .guard import Thresholds
from .models import DEFAULT_PAGE_URL

logger = logging.getLogger(__name__)

# Start-up counts (#6): beautifulsoup4 imports soupsieve (CSS selectors, ~30 ms of compiling
# regular expressions) whether or not it is used. nim-scrape never selects with CSS, so the
# command line process skips it, and bs4 treats it as not installed. Library users importing
# nim_scrape.parse are not affected.
sys.modules.setdefault("soupsieve", None)  # type: ignore[arg-type]
warnings.filterwarnings("ignore", "The soupsieve package is not installed", UserWarning)

F = TypeVar("F", bound=Callable[..., Any])


def _options(*specs: tuple[str, Any, Any, str]) -> Callable[[F], F]:
    """Options given as (flag, type, default, help), in the order they are listed in --help."""

    def decorate(func: F) -> F:
        for flag, kind, default, text in reversed(specs):
            func = click.option(flag, type=kind, default=default, show_default=True, help=text)(
                func
            )
        return func

    return decorate


# Defaults come from the library's own, so the command line and the API cannot disagree.
_LIMITS, _THRESHOLDS = FetchLimits(), Thresholds()

_fetch_options = _options(
    (
        "--timeout",
        click.FloatRange(min=0.1),
        _LIMITS.timeout,
        "Seconds to wait for the server on each try.",
    ),
    (
        "--retries",
        click.IntRange(0, 10),
        _LIMITS.retries,
        "Tries after the first on timeouts, dropped connections, 429 and 5xx.",
    ),
    (
        "--max-bytes",
        click.IntRange(min=1024),
        _LIMITS.max_bytes,
        "Refuse a page larger than this (the real page is about 0.3 MB).",
    ),
)

_guard_options = _options(
    (
        "--max-sections-removed",
        click.IntRange(min=0),
        _THRESHOLDS.max_sections_removed,
        "Guard: refuse when more sections than this are gone (renamed ones do not count).",
    ),
    (
        "--max-removed-share",
        click.FloatRange(0, 1),
        _THRESHOLDS.max_records_removed_share,
        "Guard: refuse when more than this share of the records is gone.",
    ),
    (
        "--min-size-ratio",
        click.FloatRange(0, 1),
        _THRESHOLDS.min_size_ratio,
        "Guard: refuse when the page is smaller than this share of the last run's.",
    ),
)


def _format_option(*choices: str) -> Callable[[F], F]:
    """One ``--format`` switch, spelled the same on every command; the first choice is default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NimScrapeError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            # One line on stderr and the error's own exit status; no traceback (SPEC.md).
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nim-scrape")
@click.option("-v", "--verbose", count=True, help="Say more: -v for progress, -vv for details.")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, debug: bool) -> None:
    """Keep a catalogue of the NetEase Yunxin IM SDK (NIM) error codes in sync with its page.

    \b
    Exit status: 0 done, 1 changes found (with --exit-code), 2 usage error,
    3 fetch failed, 4 not the error-code page, 5 refused by a safety guard,
    6 catalogue written but a notification failed.
    """
    level = logging.DEBUG if verbose > 1 or debug else logging.INFO if verbose else logging.WARNING
    _log_to_stderr(level)
    ctx.obj = {"debug": debug or verbose > 1}


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (click's test runner swaps it per call)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("nim-scrape: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _log_to_stderr(level: int) -> None:
    package = logging.getLogger("nim_scrape")
    package.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in package.handlers):
        package.addHandler(_StderrHandler())


def _limits(timeout: float, retries: int, max_bytes: int) -> FetchLimits:
    return FetchLimits(timeout=timeout, retries=retries, max_bytes=max_bytes)


def _exit_code_option(func: F) -> F:
    return click.option(
        "--exit-code", is_flag=True, help="Exit with status 1 when something changed."
    )(func)


def _color(fmt: str) -> bool:
    return fmt == "text" and sys.stdout.isatty()


def _progress(message: str) -> None:
    # Progress goes to a terminal only: CI logs and pipes get the report, not the chatter.
    if sys.stderr.isatty():
        click.echo(click.style(f"… {message}", dim=True), err=True)


@cli.command()
@click.argument("source")
@_format_option("json", "csv")
@_fetch_options
def parse(source: str, fmt: str, timeout: float, retries: int, max_bytes: int) -> None:
    """Print the catalogue parsed from SOURCE, an http(s) URL or a local HTML file.

    \b
    Example:
        nim-scrape parse tests/fixtures/nim-error-codes-2024-10-31.html --format csv
    """
    from .export import catalogue_csv, catalogue_json
    from .fetch import read_source
    from .parse import parse_page

    page = read_source(source, limits=_limits(timeout, retries, max_bytes))
    catalogue = parse_page(page.text, url=page.url)
    text = catalogue_csv(catalogue) if fmt == "csv" else catalogue_json(catalogue)
    click.echo(text, nl=False)


@cli.command()
@click.option(
    "--source",
    default=DEFAULT_PAGE_URL,
    show_default="the live page",
    help="Where to read the page: an http(s) URL or a local HTML file.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="The folder that holds the catalogue.",
)
@click.option("--force", is_flag=True, help="Write even when a safety guard refuses.")
@_guard_options
@click.option(
    "--notify",
    "notify",
    multiple=True,
    envvar="NIM_SCRAPE_NOTIFY",
    metavar="URL",
    help="An apprise URL to tell of changes and failures (repeatable; or NIM_SCRAPE_NOTIFY, "
    "URLs separated by spaces).",
)
@_exit_code_option
@_format_option("text", "markdown", "json")
@_fetch_options
@click.pass_context
def refresh(
    ctx: click.Context,
    source: str,
    out: Path,
    force: bool,
    max_sections_removed: int,
    max_removed_share: float,
    min_size_ratio: float,
    notify: tuple[str, ...],
    exit_code: bool,
    fmt: str,
    timeout: float,
    retries: int,
    max_bytes: int,
) -> None:
    """Fetch the page, diff it against the catalogue in --out, write what changed, report.

    The report goes to stdout; the files in --out are only rewritten when their content
    changed, and CHANGELOG.md gets an entry only when the catalogue did.

    \b
    Example:
        nim-scrape refresh
        nim-scrape refresh --source tests/fixtures/nim-error-codes-2024-10-31.html --out /tmp/demo
        nim-scrape refresh --format markdown --exit-code >> "$GITHUB_STEP_SUMMARY"
        nim-scrape refresh --notify 'dingtalk://TOKEN/' --notify 'mailtos://u:p@example.com'
    """
    from .pipeline import RefreshOptions, run_job
    from .report import render, render_first_run

    thresholds = Thresholds(
        max_sections_removed=max_sections_removed,
        max_records_removed_share=max_removed_share,
        min_size_ratio=min_size_ratio,
    )
    options = RefreshOptions(
        source=source,
        out=out,
        limits=_limits(timeout, retries, max_bytes),
        thresholds=thresholds,
        force=force,
    )
    result = run_job(options, notify=notify, progress=_progress)
    if result.unchanged_because:
        logger.info("unchanged: %s", result.unchanged_because)
    if result.diff is None:
        click.echo(render_first_run(result.catalogue, fmt), nl=False)
    else:
        click.echo(render(result.diff, fmt, color=_color(fmt)), nl=False)
    for path in result.written:
        logger.info("wrote %s", path)
    if result.notify_error:
        raise result.notify_error
    if exit_code and result.changed:
        ctx.exit(1)


@cli.command()
@click.argument("old")
@click.argument("new")
@_format_option("text", "markdown", "json")
@_exit_code_option
@_fetch_options
@click.pass_context
def diff(
    ctx: click.Context,
    old: str,
    new: str,
    fmt: str,
    exit_code: bool,
    timeout: float,
    retries: int,
    max_bytes: int,
) -> None:
    """Print what changed from OLD to NEW: catalogue JSON files, HTML files or URLs.

    \b
    Example:
        nim-scrape diff tests/fixtures/nim-error-codes-2024-03-13.html output/nim_error_codes.json
        nim-scrape diff old.json new.json --format json --exit-code
    """
    from .pipeline import diff_sources
    from .report import render

    changes = diff_sources(old, new, limits=_limits(timeout, retries, max_bytes))
    click.echo(render(changes, fmt, color=_color(fmt)), nl=False)
    if exit_code and changes.has_changes:
        ctx.exit(1)


@cli.command()
@click.argument("code", type=int)
@click.option(
    "--catalogue",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("output/nim_error_codes.json"),
    show_default=True,
    help="The catalogue JSON file to look in.",
)
@_format_option("text", "json")
def lookup(code: int, catalogue: Path, fmt: str) -> None:
    """Print every record with CODE, with its section and a link to it; exit 1 if there is none.

    \b
    Example:
        nim-scrape lookup 103451
        nim-scrape lookup 403 --format json
    """
    import json

    from .errors import NotFound
    from .pipeline import load_any

    records = load_any(str(catalogue))
    found = records.lookup(code)
    if not found:
        raise NotFound(f"no record with code {code} in {catalogue}")
    urls = {section.title: section.url for section in records.sections}
    if fmt == "json":
        rows = [{**r.model_dump(mode="json"), "section_url": urls.get(r.section)} for r in found]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for record in found:
        click.echo(f"{record.code}  {record.section}  {record.message}")
        click.echo(f"    {record.description}")
        click.echo(f"    {urls.get(record.section, '')}")


def main() -> None:  # pragma: no cover - the console script calls cli() directly
    cli()
