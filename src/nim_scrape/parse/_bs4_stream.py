"""beautifulsoup4, streamed: each kept element handed over as soon as it closes, then freed.

BeautifulSoup builds the whole tree before it hands anything over, and on a page of 300,000
rows the tree is where the memory goes. bs4 has no public hook for "an element has just
closed", so this adapter overrides ``BeautifulSoup.handle_endtag``, the callback the tree
builder calls at each end tag, and reads ``currentTag``, the element being built, which bs4 does
not document. That is all of bs4's inner workings nim-scrape relies on, and it lives here alone:
``tests/test_parse_bs4_stream.py`` pins the behaviour (order, freeing, truncated pages,
nesting), so a bs4 release that changes it fails there, by name, before anything else. The range of
beautifulsoup4 in pyproject.toml is the one those tests were run against, lowest version
included.

(An earlier version also reset the private ``_most_recent_element`` after freeing an element:
bs4 links the next element to it, but that link holds one emptied object, not a chain, and the
peak memory of a x100 page is the same without it.)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag
from bs4.filter import SoupStrainer

__all__ = ["stream"]


def stream(markup: str, take: Callable[[Tag], None], *, only: SoupStrainer) -> None:
    """Parse ``markup`` with lxml and hand each element ``only`` keeps to ``take``, in page order.

    An element is handed over whole (what it contains, a nested kept element included) the
    moment it closes, and is freed once ``take`` returns: keep plain values, not the tag.
    Elements a truncated page never closed are handed over at the end, in order: lxml closes
    them when the markup runs out.
    """
    with warnings.catch_warnings():
        # A page that is one short line (a bare error text) is still a page, not a file name.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        _StreamingSoup(markup, take, only)


class _StreamingSoup(BeautifulSoup):
    """A strained soup that hands over and frees each top-level element as it closes."""

    def __init__(self, markup: str, take: Callable[[Tag], None], only: SoupStrainer) -> None:
        self._take = take
        super().__init__(markup, "lxml", parse_only=only, multi_valued_attributes=None)

    def handle_endtag(self, name: str, nsprefix: str | None = None) -> None:
        super().handle_endtag(name, nsprefix)
        # Back at the top: the element just closed is a kept one, complete.
        if self.currentTag is self and self.contents:
            done = self.contents[-1]
            if isinstance(done, Tag) and done.name == name:
                self._take(done)
                done.decompose()
