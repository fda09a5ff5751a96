"""Errors on their way out: one line on stderr and the exit status the README gives it.

The library's errors become exit statuses in one place (``errors.EXIT_STATUS``) through click's
own ``ClickException``; anything else is a bug, exit 70, its traceback saved to a file.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from nim_scrape.about import __version__
from nim_scrape.errors import (
    CatalogueError,
    GuardRefused,
    NimScrapeError,
    ScriptOnlyPage,
    exit_status,
)

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


F = TypeVar("F", bound=Callable[..., Any])

UNEXPECTED = 70  # an unexpected error, a bug (README, "Exit status")
CLOSED_PIPE = 128 + 13  # what a shell reports for a program ended by SIGPIPE


class Failure(click.ClickException):
    """A failure on its way out: one line on stderr, and the exit status the README gives it."""

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
            result = func(*args, **kwargs)
            sys.stdout.flush()  # a reader gone away shows here, not at the interpreter's exit
            return result
        except BrokenPipeError:
            # `nim-scrape lookup 403 | head`: the reader has what it wanted. End quietly, as grep
            # and git do, with the status a shell gives a program that SIGPIPE ended.
            _quiet_stdout()
            raise click.exceptions.Exit(CLOSED_PIPE) from None
        except NimScrapeError as exc:
            if debug:
                traceback.print_exc()
            raise Failure(in_cli_terms(exc), exit_status(exc)) from exc
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


def in_cli_terms(error: NimScrapeError) -> str:
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


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush finds no closed pipe either."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


class _OneLineUsageError(click.ClickException):
    """click's own parameter errors in the one line every other error gets: what is wrong,
    and where the help is (click prints the usage and a "Try" line before it)."""

    exit_code = 2

    def __init__(self, error: click.UsageError) -> None:
        super().__init__(error.format_message())
        self.ctx = error.ctx

    def show(self, file: Any = None) -> None:
        where = f"{self.ctx.command_path} --help" if self.ctx else "nim-scrape --help"
        click.echo(f"Error: {self.format_message()} (see '{where}')", err=True)


class OneLineErrors(click.Group):
    """The command group, with click's usage errors said in one line on stderr."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _OneLineUsageError(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _OneLineUsageError(exc) from exc
