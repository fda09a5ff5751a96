"""Every error nim-scrape raises on purpose, named for what happened, each with its exit status.

The tree::

    NimScrapeError                 a failure the tool expected and can explain in one line
    ├── UsageError             2   the input given cannot be used (option, URL, file)
    │   └── CatalogueFileError 2   a catalogue file named on the command line is not valid
    ├── FetchError             3   the page could not be fetched
    ├── PageError              4   fetched, but not a recognisable error-code page
    │   ├── ParseError         4   a table no longer has the shape the parser knows
    │   └── ScriptOnlyPage     4   the page's scripts build its tables; they were not run
    ├── GuardRefused           5   a safety guard refused to replace the catalogue
    ├── CatalogueError         5   the catalogue already in the output folder cannot be read
    ├── LockBusy               5   another run holds the output folder
    ├── NotifyError            6   the catalogue was written, a notification failed
    ├── OutputError            7   the output folder cannot be written; the catalogue is intact
    └── NotFound               1   ``lookup`` found no record with that code (as grep)

``EXIT_STATUS`` is the one table from class to exit status (README, "Exit status"); the command
line reads it, and adds 70 for anything unexpected (a bug).
"""

from __future__ import annotations

__all__ = [
    "EXIT_STATUS",
    "CatalogueError",
    "CatalogueFileError",
    "FetchError",
    "GuardRefused",
    "LockBusy",
    "NimScrapeError",
    "NotFound",
    "NotifyError",
    "OutputError",
    "PageError",
    "ParseError",
    "ScriptOnlyPage",
    "UsageError",
    "exit_status",
]


class NimScrapeError(Exception):
    """Base class: a failure the tool expected and can explain in one line."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    @property
    def exit_code(self) -> int:
        """The exit status the README gives this error (``EXIT_STATUS``)."""
        return exit_status(self)


class UsageError(NimScrapeError):
    """The input given on the command line cannot be used."""


class CatalogueFileError(UsageError):
    """A catalogue file given as input is missing, unreadable or not a valid catalogue."""


class FetchError(NimScrapeError):
    """The page could not be fetched: network, HTTP status, size or time limits."""

    def __init__(
        self, message: str, *, url: str, status: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.status = status


class PageError(NimScrapeError):
    """The page was fetched but is not the NIM error-code page."""


class ParseError(PageError):
    """A table or row no longer matches the shape the parser knows."""


class ScriptOnlyPage(PageError):
    """The page is a shell whose scripts build the tables, and they were not run."""


class GuardRefused(NimScrapeError):
    """A safety guard refused to replace the catalogue; a human may override it."""


class CatalogueError(NimScrapeError):
    """The catalogue already in the output folder cannot be read, so it is not overwritten."""


class LockBusy(NimScrapeError):
    """Another run holds the output folder's lock."""


class NotifyError(NimScrapeError):
    """A notification could not be delivered (the catalogue is already written)."""


class OutputError(NimScrapeError):
    """A file in the output folder cannot be written; what was there is left as it was."""


class NotFound(NimScrapeError):
    """``lookup`` found no record with the code asked for."""


# Most specific class first is not needed: ``exit_status`` walks each error's own class tree.
EXIT_STATUS: dict[type[NimScrapeError], int] = {
    NotFound: 1,
    UsageError: 2,
    FetchError: 3,
    PageError: 4,
    GuardRefused: 5,
    CatalogueError: 5,
    LockBusy: 5,
    NotifyError: 6,
    OutputError: 7,
}


def exit_status(error: NimScrapeError) -> int:
    """The exit status the README gives ``error``: its nearest class in ``EXIT_STATUS``."""
    for kind in type(error).__mro__:
        if kind in EXIT_STATUS:
            return EXIT_STATUS[kind]
    return 70
