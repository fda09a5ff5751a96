"""The ``nim-scrape`` command: reads options, calls the library, prints. No logic of its own.

Shared options are groups of stacked decorators that hand each command one options object
(``FetchLimits``, ``Thresholds``), as sqlite-utils shares its output switches. Errors become exit
statuses in one place, ``errors.EXIT_STATUS``, through click's own ``ClickException``. Stages load
inside the commands that use them, so ``--help`` and ``parse`` stay quick.

May import: every room (the command line is the top of the house).
"""

import logging

import click

from nim_scrape.about import __version__
from nim_scrape.cli.catalogue import (
    audit_command,
    export_command,
    history_command,
    lookup,
    site,
)
from nim_scrape.cli.failures import OneLineErrors
from nim_scrape.cli.page import diff, parse, refresh
from nim_scrape.cli.terminal import log_to_stderr

__all__ = ["cli"]


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
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
    log_to_stderr(level)
    ctx.meta["nim_scrape.debug"] = debug


for _command in (
    parse,
    refresh,
    diff,
    lookup,
    audit_command,
    site,
    export_command,
    history_command,
):
    cli.add_command(_command)
