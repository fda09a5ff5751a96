"""Every error nim-scrape raises on purpose, each with the exit status SPEC.md gives it.

The tree::

    NimScrapeError                 (exit 1 is never used for errors; see subclasses)
    ├── UsageError                 exit 2: the command's input is wrong (bad file, bad option value)
    ├── FetchError                 exit 3: the page could not be fetched
    ├── PageError                  exit 4: fetched, but not a recognisable error-code page
    │   └── ParseError             exit 4: a table no longer has the shape the parser knows
    ├── GuardRefused               exit 5: a safety guard refused to overwrite the catalogue
    │   └── CatalogueError         exit 5: the catalogue already on disk cannot be read
    ├── NotFound                   exit 1: ``lookup`` found no record with that code (as grep)
    └── NotifyError                exit 6: the catalogue was written, a notification failed

The CLI turns any of them into one line on stderr and the class's ``exit_code``.
"""

from __future__ import annotations

__all__ = [
    "CatalogueError",
    "FetchError",
    "GuardRefused",
    "NimScrapeError",
    "NotFound",
    "NotifyError",
    "PageError",
    "ParseError",
    "UsageError",
]


class NimScrapeError(Exception):
    """Base class: a failure the tool expected and can explain in one line."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(NimScrapeError):
    """The input given on the command line cannot be used."""

    exit_code = 2


class FetchError(NimScrapeError):
    """The page could not be fetched: network, HTTP status, size or time limits."""

    exit_code = 3

    def __init__(
        self, message: str, *, url: str, status: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.status = status


class PageError(NimScrapeError):
    """The page was fetched but is not the NIM error-code page."""

    exit_code = 4


class ParseError(PageError):
    """A table or row no longer matches the shape the parser knows."""


class GuardRefused(NimScrapeError):
    """A safety guard refused to replace the catalogue; ``--force`` overrides it."""

    exit_code = 5


class CatalogueError(GuardRefused):
    """The catalogue already on disk cannot be read, so it is not overwritten."""


class NotFound(NimScrapeError):
    """``lookup`` found no record with the code asked for."""

    exit_code = 1


class NotifyError(NimScrapeError):
    """A notification could not be delivered (the catalogue is already written)."""

    exit_code = 6
