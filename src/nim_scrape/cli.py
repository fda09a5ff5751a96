"""The ``nim-scrape`` command: reads options, calls the library, prints. No logic of its own.

Shared options are groups of stacked decorators that hand each command one options object
(``FetchLimits``, ``Thresholds``), as sqlite-utils shares its output switches. Errors become exit
statuses in one place, ``errors.EXIT_STATUS``, through click's own ``ClickException``. Stages load
inside the commands that use them, so ``--help`` and ``parse`` stay quick (#6).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from nim_scrape.about import DEFAULT_PAGE_URL, __version__
from nim_scrape.changes.guard import Thresholds
from nim_scrape.errors import (
    CatalogueError,
    CatalogueFileError,
    GuardRefused,
    NimScrapeError,
    NotFound,
    NotifyError,
    ScriptOnlyPage,
    UsageError,
    exit_status,
)
from nim_scrape.fetch.http import FetchLimits

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.changes.diff import CatalogueDiff
    from nim_scrape.changes.report import Report
    from nim_scrape.outputs.history import History
    from nim_scrape.pipeline import RefreshResult

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# Defaults come from the library's own, so the command line and the API cannot disagree.
_LIMITS, _THRESHOLDS = FetchLimits(), Thresholds()

UNEXPECTED = 70  # SPEC.md: an unexpected error, a bug


class _Finite(click.ParamType):  # type: ignore[type-arg]
    """A float within bounds; NaN and infinity are refused (they would switch a limit off)."""

    name = "number"

    def __init__(self, low: float, high: float | None = None) -> None:
        self.low, self.high = low, high

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        if number < self.low or (self.high is not None and number > self.high):
            upper = f" and {self.high:g}" if self.high is not None else ""
            self.fail(f"{value} is not between {self.low:g}{upper}", param, ctx)
        return number


def _stack(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return decorate


def fetch_options(func: F) -> F:
    """``--timeout``, ``--retries``, ``--max-bytes`` handed on as ``limits``, and ``--render``."""

    @_stack(
        click.option(
            "--timeout",
            type=_Finite(0.1),
            default=_LIMITS.timeout,
            show_default=True,
            help="Seconds to wait for the server on each try.",
        ),
        click.option(
            "--retries",
            type=click.IntRange(0, 10),
            default=_LIMITS.retries,
            show_default=True,
            help="Tries after the first on timeouts, dropped connections, 429 and 5xx.",
        ),
        click.option(
            "--max-bytes",
            type=click.IntRange(min=1024),
            default=_LIMITS.max_bytes,
            show_default=True,
            help="Refuse a page larger than this (the real page is about 0.3 MB).",
        ),
    )
    @click.option(
        "--render",
        is_flag=True,
        help="Load the page in headless Chromium and read it after its scripts ran "
        "(needs pip install 'nim-scrape[render]' and a Chromium).",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any, timeout: float, retries: int, max_bytes: int, render: bool, **kwargs: Any
    ) -> Any:
        limits = FetchLimits(timeout=timeout, retries=retries, max_bytes=max_bytes)
        return func(*args, limits=limits, render=render, **kwargs)

    return wrapper  # type: ignore[return-value]


def guard_options(func: F) -> F:
    """The plausibility guard's thresholds, handed on as ``thresholds``."""

    @_stack(
        click.option(
            "--max-sections-removed",
            type=click.IntRange(min=0),
            default=_THRESHOLDS.max_sections_removed,
            show_default=True,
            help="Guard: refuse when more sections than this are gone (renamed ones do not count).",
        ),
        click.option(
            "--max-removed-share",
            type=_Finite(0, 1),
            default=_THRESHOLDS.max_records_removed_share,
            show_default=True,
            help="Guard: refuse when more than this share of the records is gone.",
        ),
        click.option(
            "--max-blanked-share",
            type=_Finite(0, 1),
            default=_THRESHOLDS.max_blanked_share,
            show_default=True,
            help="Guard: refuse when more than this share of the records lost their message or "
            "description (blank, TODO, 暂无, …).",
        ),
        click.option(
            "--min-size-ratio",
            type=_Finite(0, 1),
            default=_THRESHOLDS.min_size_ratio,
            show_default=True,
            help="Guard: refuse when the page is smaller than this share of the last run's.",
        ),
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        max_sections_removed: int,
        max_removed_share: float,
        max_blanked_share: float,
        min_size_ratio: float,
        **kwargs: Any,
    ) -> Any:
        thresholds = Thresholds(
            max_sections_removed=max_sections_removed,
            max_records_removed_share=max_removed_share,
            max_blanked_share=max_blanked_share,
            min_size_ratio=min_size_ratio,
        )
        return func(*args, thresholds=thresholds, **kwargs)

    return wrapper  # type: ignore[return-value]


def format_option(*choices: str) -> Callable[[F], F]:
    """One ``--format`` switch, spelled the same on every command; the first choice is default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


exit_code_option = click.option(
    "--exit-code", is_flag=True, help="Exit with status 1 when something changed."
)

catalogue_option = click.option(
    "--catalogue",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("output/nim_error_codes.json"),
    show_default=True,
    help="The catalogue JSON file to read.",
)


class Failure(click.ClickException):
    """A failure on its way out: one line on stderr and the exit status SPEC.md gives it."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.exit_code = status  # type: ignore[misc]


def reports_errors(func: F) -> F:
    """Turn the library's errors into exit statuses (``errors.EXIT_STATUS``); anything else is a
    bug: exit 70, its traceback saved to a file (``--debug`` prints it)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(click.get_current_context().find_root().meta.get("nim_scrape.debug"))
        try:
            return func(*args, **kwargs)
        except NimScrapeError as exc:
            if debug:
                traceback.print_exc()
            raise Failure(_in_cli_terms(exc), exit_status(exc)) from exc
        except KeyboardInterrupt:
            raise Failure("interrupted", 130) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if debug:
                traceback.print_exc()
            raise Failure(_unexpected(exc), UNEXPECTED) from exc

    return wrapper  # type: ignore[return-value]


# What to do, said with this command line's options; the library's own hints name none.
_CLI_HINTS: dict[type[NimScrapeError], str] = {
    GuardRefused: "override after checking the page: rerun with --force",
    ScriptOnlyPage: "pass --render to run them in headless Chromium",
    CatalogueError: "restore it from version control, or pass --force to replace it",
}


def _in_cli_terms(error: NimScrapeError) -> str:
    hint = next((_CLI_HINTS[k] for k in type(error).__mro__ if k in _CLI_HINTS), error.hint)
    return f"{error.message} ({hint})" if hint else error.message


def _unexpected(exc: Exception) -> str:
    what = f"unexpected error ({type(exc).__name__}: {exc})"
    try:
        fd, path = tempfile.mkstemp(prefix="nim-scrape-", suffix=".traceback.txt")
        with open(fd, "w", encoding="utf-8") as fp:
            fp.write(f"nim-scrape {__version__}, {' '.join(sys.argv)}\n")
            traceback.print_exception(exc, file=fp)
    except OSError:
        return f"{what}; rerun with --debug to see where, and please report it"
    return f"{what}; the traceback is in {path}, please report it (--debug prints it)"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nim-scrape")
@click.option("-v", "--verbose", count=True, help="Say more: -v for progress, -vv for details.")
@click.option("--debug", is_flag=True, help="Print the traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, debug: bool) -> None:
    """Keep a catalogue of the NetEase Yunxin IM SDK (NIM) error codes in sync with its page.

    \b
    Exit status: 0 done, 1 changes found (with --exit-code) or no such code
    (lookup), 2 usage error, 3 fetch failed, 4 not the error-code page,
    5 refused by a safety guard (or catalogue unreadable, or folder busy),
    6 catalogue written but a notification failed, 7 output folder not
    writable, 70 unexpected error (a bug).
    """
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    _log_to_stderr(level)
    ctx.meta["nim_scrape.debug"] = debug


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


def _color(fmt: str) -> bool:
    return fmt == "text" and sys.stdout.isatty()


def _progress(message: str) -> None:
    # Progress goes to a terminal only: CI logs and pipes get the report, not the chatter.
    if sys.stderr.isatty():
        click.echo(click.style(f"… {message}", dim=True), err=True)


@cli.command()
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
    from nim_scrape.catalogue.csvfile import catalogue_csv
    from nim_scrape.catalogue.store import catalogue_json

    catalogue = _parse_source(source, limits, render=render)
    click.echo(catalogue_csv(catalogue) if fmt == "csv" else catalogue_json(catalogue), nl=False)


@cli.command()
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
    """
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
        click.echo(_render(result.report, fmt, color=_color(fmt)), nl=False)

    result = run(options, show=show, progress=_progress)
    if result.notify_error:
        error = result.notify_error
        raise NotifyError(f"the catalogue is up to date, but {error.message}", hint=error.hint)
    if exit_code and result.changed:
        sys.exit(1)


@cli.command()
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
    if _is_catalogue_file(old) and _is_catalogue_file(new):
        from nim_scrape.changes.files import compare_files

        with _given_by_the_user():
            data = _read_given(old), _read_given(new)
            changes = compare_files(*data, names=(old, new))
    else:
        from nim_scrape.changes.diff import compare

        changes = compare(_load(old, limits, render=render), _load(new, limits, render=render))
    click.echo(_render(changes, fmt, color=_color(fmt)), nl=False)
    if exit_code and changes.has_changes:
        sys.exit(1)


@cli.command()
@click.argument("code", type=int)
@catalogue_option
@format_option("text", "json")
@reports_errors
def lookup(code: int, catalogue: Path, fmt: str) -> None:
    """Print every record with CODE, with its section and a link to it; exit 1 if there is none.

    \b
    Example:
        nim-scrape lookup 103451
        nim-scrape lookup 403 --format json
    """
    import json

    records = _load(str(catalogue), FetchLimits())
    found = records.lookup(code)
    urls = {section.title: section.url for section in records.sections}
    if fmt == "json":
        rows = [{**r.model_dump(mode="json"), "section_url": urls.get(r.section)} for r in found]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    for record in found if fmt == "text" else ():
        click.echo(f"{record.code}  {record.section}  {record.message}")
        click.echo(f"    {record.description}")
        click.echo(f"    {urls.get(record.section, '')}")
    if not found:
        raise NotFound(f"no record with code {code} in {catalogue}")


@cli.command("audit")
@catalogue_option
@click.option(
    "--sdk",
    "sdks",
    multiple=True,
    required=True,
    metavar="SOURCE",
    help="An SDK to hold the page against (repeatable): a .d.ts/.ts/.js file, a folder, a "
    "package .tgz, or npm:NAME@VERSION (downloaded from npm_config_registry, else npmjs.org).",
)
@format_option("text", "markdown", "json")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="The folder where the audit is saved (sdk_audit.json, SDK-AUDIT.md).",
)
@exit_code_option
@reports_errors
def audit_command(
    catalogue: Path, sdks: tuple[str, ...], fmt: str, out: Path, exit_code: bool
) -> None:
    """Hold the catalogue against the SDKs' own error codes; save and print what disagrees.

    Finds the codes documented but not in an SDK, in an SDK but not documented, whose SDK
    text differs from the page's, given two meanings by the page, or two names by an SDK.
    The files in --out are only rewritten when the audit changed; --exit-code exits 1 when
    the findings changed since the saved audit.

    \b
    Example:
        nim-scrape audit --sdk npm:node-nim@latest --sdk npm:nim-web-sdk-ng@latest
        nim-scrape audit --sdk node_modules/node-nim --format json --exit-code
        nim-scrape audit --sdk types/v2_def/v2_nim_enum_def.d.ts --out /tmp/audit
    """
    from nim_scrape.audit.check import run_audit
    from nim_scrape.audit.report import render

    result = run_audit(_load(str(catalogue), FetchLimits()), sdks, out=out)
    for path in result.written:
        logger.info("wrote %s", path)
    click.echo(render(result.audit, fmt), nl=False)
    if exit_code and result.changed:
        sys.exit(1)


@cli.command()
@catalogue_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The folder to write index.html into.",
)
@reports_errors
def site(catalogue: Path, out: Path) -> None:
    """Write a self-contained search page of the catalogue: OUT/index.html.

    One file, nothing fetched from elsewhere: open it from disk or publish it (GitHub Pages).
    Where the catalogue is in a git repository, rows added or changed by the latest editions
    carry a badge with their date.

    \b
    Example:
        nim-scrape site
        nim-scrape site --out site && xdg-open 'site/index.html?q=103451'
    """
    from nim_scrape.outputs.site import write_site

    records = _load(str(catalogue), FetchLimits())
    path = write_site(records, out, history=_history_if_any(catalogue))
    click.echo(f"wrote {path}")


@cli.command("export")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@catalogue_option
@click.option(
    "--history",
    "with_history",
    is_flag=True,
    help="Add a history table: each code's changes through the catalogue's git history "
    "(SQLite only).",
)
@click.option(
    "--metadata",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the Datasette metadata goes (SQLite only; default: beside the database, "
    "catalogue.db -> catalogue.metadata.json).",
)
@reports_errors
def export_command(
    output: Path, catalogue: Path, with_history: bool, metadata: Path | None
) -> None:
    """Write the catalogue to OUTPUT, in the format its suffix names.

    \b
    .db, .sqlite  SQLite: tables records and sections, full-text search in
                  records_fts, and its Datasette metadata beside it (titles,
                  search, facets, queries); needs nim-scrape[sqlite]
    .ndjson       one record per line
    .ts           a typed TypeScript module: each code's records

    \b
    Example:
        nim-scrape export catalogue.db
        datasette catalogue.db -m catalogue.metadata.json
        nim-scrape export --history catalogue.db
        nim-scrape export src/nimErrorCodes.ts
    """
    from nim_scrape.outputs.formats import check_output, export_files

    check_output(output, history=with_history, metadata=metadata)  # before anything is read
    records = _load(str(catalogue), FetchLimits())
    history = None
    if with_history:
        from nim_scrape.outputs.history import read_history

        history = read_history(catalogue)
    for path in export_files(records, output, history=history, metadata=metadata):
        click.echo(f"wrote {path}")


@cli.command("history")
@click.argument("code", type=int, required=False)
@catalogue_option
@format_option("text", "json")
@reports_errors
def history_command(code: int | None, catalogue: Path, fmt: str) -> None:
    """Print each change of CODE through the git history of the catalogue file; without CODE,
    what each edition changed.

    Reads every commit of the catalogue file (the catalogue must be in a git repository) and
    compares each version with the one before.

    \b
    Example:
        nim-scrape history 107341
        nim-scrape history --format json
    """
    from nim_scrape.outputs.history import read_history, render_history

    click.echo(render_history(read_history(catalogue), fmt, code=code), nl=False)


# -- what the commands share ---------------------------------------------------------------------


def _render(changes: CatalogueDiff | Report, fmt: str, *, color: bool = False) -> str:
    from nim_scrape.changes.report import render

    return render(changes, fmt, color=color)


def _parse_source(source: str, limits: FetchLimits, *, render: bool = False) -> Catalogue:
    from nim_scrape.article.shapes import catalogue_of

    if render:
        from nim_scrape.fetch.http import check_source
        from nim_scrape.fetch.render import render_html

        check_source(source)
        return catalogue_of(render_html(source, timeout=limits.timeout), url=source, rendered=True)
    from nim_scrape.fetch.http import read_source

    page = read_source(source, limits=limits)
    return catalogue_of(page.text, url=page.url, content_type=page.content_type)


def _load(source: str, limits: FetchLimits, *, render: bool = False) -> Catalogue:
    """A catalogue from a catalogue JSON file, an HTML or markdown file, or a URL."""
    if not _is_catalogue_file(source):
        return _parse_source(source, limits, render=render)
    from nim_scrape.catalogue.store import load_catalogue

    with _given_by_the_user():
        return load_catalogue(_read_given(source), name=source)


def _history_if_any(catalogue: Path) -> History | None:
    """The catalogue's history for the page's badges, or None where git has none to give."""
    from nim_scrape.outputs.history import read_history

    try:
        return read_history(catalogue)
    except UsageError as exc:
        logger.info("no history, so no badges: %s", exc.message)
        return None


def _is_catalogue_file(source: str) -> bool:
    from nim_scrape.fetch.http import is_url

    return source.endswith(".json") and not is_url(source)


def _read_given(source: str) -> bytes:
    """The bytes of a catalogue file named by a path or a ``file:`` URL."""
    from nim_scrape.fetch.http import check_source

    try:
        path = check_source(source) or Path(source)
        return path.read_bytes()
    except (UsageError, OSError) as exc:
        reason = exc.message.rsplit(": ", 1)[-1] if isinstance(exc, UsageError) else exc.strerror
        raise CatalogueFileError(f"cannot read the catalogue {source}: {reason or exc}") from exc


@contextlib.contextmanager
def _given_by_the_user() -> Iterator[None]:
    """A catalogue the user named is input to check, not one a run would overwrite: a broken one
    is a usage error (exit 2), not a refusal (5)."""
    try:
        yield
    except CatalogueError as exc:
        raise CatalogueFileError(
            exc.message, hint="pass a catalogue JSON file, an HTML file or a URL"
        ) from exc
