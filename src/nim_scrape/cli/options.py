"""The options several commands share, spelled the same everywhere.

Each group of stacked decorators hands its command one options object (``FetchLimits``,
``Thresholds``), as sqlite-utils shares its output switches.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from nim_scrape.changes.guard import Thresholds
from nim_scrape.cli.failures import Failure, in_cli_terms
from nim_scrape.errors import NimScrapeError, UsageError, exit_status
from nim_scrape.fetch.http import FetchLimits

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


F = TypeVar("F", bound=Callable[..., Any])

# Defaults come from the library's own, so the command line and the API cannot disagree.
_LIMITS, _THRESHOLDS = FetchLimits(), Thresholds()

# Defaults come from the library's own, so the command line and the API cannot disagree.
_LIMITS, _THRESHOLDS = FetchLimits(), Thresholds()


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

_DEFAULT_CATALOGUE = Path("output/nim_error_codes.json")


def _page_options(func: F) -> F:
    return _stack(
        click.option(
            "--catalogue",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help=f"The catalogue JSON file to read [default: {_DEFAULT_CATALOGUE}, or with a "
            "configuration each page's].",
        ),
        click.option(
            "--page",
            "page",
            default=None,
            metavar="NAME",
            help="The catalogue of this page of the job's configuration.",
        ),
        click.option(
            "--config",
            "config",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="The job's configuration (default: nim-scrape.toml here, if any).",
        ),
    )(func)


def catalogues_of(
    catalogue: Path | None, page: str | None, config: Path | None
) -> list[tuple[str | None, Path]]:
    """The catalogues a command reads, each with its page's name: the one ``--catalogue``
    names, the one of ``--page``, or with a configuration every page's; else ``output/``'s."""
    from nim_scrape.config import find_config, no_job_for, pages_named, read_config

    if catalogue is not None:
        if page is not None:
            raise UsageError("--catalogue and --page name different catalogues: pass one")
        return [(None, catalogue)]
    path = find_config(config)
    if path is None:
        if page is not None:
            raise no_job_for("--page")
        return [(None, _DEFAULT_CATALOGUE)]
    pages = pages_named(read_config(path), [page] if page else [], path)
    return [(p.name, p.out / "nim_error_codes.json") for p in pages]


def catalogue_option(func: F) -> F:
    """``--catalogue FILE``, or ``--page NAME`` of the job's configuration, handed on as the one
    ``catalogue`` to read (a configuration of several pages needs ``--page``)."""

    @_page_options
    @functools.wraps(func)
    def wrapper(
        *args: Any, catalogue: Path | None, page: str | None, config: Path | None, **kwargs: Any
    ) -> Any:
        found = _resolved(catalogue, page, config)
        if len(found) > 1:
            names = ", ".join(name or "" for name, _ in found)
            message = f"the configuration has {len(found)} pages: pass --page NAME ({names})"
            raise Failure(message, exit_status(UsageError(message)))
        return func(*args, catalogue=found[0][1], **kwargs)

    return wrapper  # type: ignore[return-value]


def catalogues_option(func: F) -> F:
    """As ``catalogue_option``, but every page's catalogue, handed on as ``catalogues``."""

    @_page_options
    @functools.wraps(func)
    def wrapper(
        *args: Any, catalogue: Path | None, page: str | None, config: Path | None, **kwargs: Any
    ) -> Any:
        return func(*args, catalogues=_resolved(catalogue, page, config), **kwargs)

    return wrapper  # type: ignore[return-value]


def _resolved(
    catalogue: Path | None, page: str | None, config: Path | None
) -> list[tuple[str | None, Path]]:
    # Options are read before the command's own error handling runs: say a mistake the same way.
    try:
        return catalogues_of(catalogue, page, config)
    except NimScrapeError as exc:
        raise Failure(in_cli_terms(exc), exit_status(exc)) from exc
