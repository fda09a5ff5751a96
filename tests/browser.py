"""The browser for tests that render pages: found once, the same way ``nim_scrape.fetch.render`` finds
it. Without Playwright or a browser the tests skip with the reason; under CI=true they fail."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

from nim_scrape.fetch.render import find_chromium

from .toolchain import needed

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def missing_browser() -> str | None:
    """Why pages cannot be rendered here, or None if they can."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install 'nim-scrape[render]')"
    path = find_chromium()
    if path is None:
        return "no Chromium on PATH (apt-get install chromium, or set NIM_SCRAPE_CHROMIUM)"
    if not Path(path).exists():
        return f"NIM_SCRAPE_CHROMIUM points at {path}, which does not exist"
    return None


def require_browser() -> None:
    """Skip the calling test when no browser can render pages; fail instead under CI=true."""
    problem = missing_browser()
    if problem is not None:
        needed(f"a browser for render tests: {problem}")


class Requests(list[str]):
    """Every URL the rendered page asked for (pass as ``on_request``)."""

    def __call__(self, url: str) -> None:
        self.append(url)

    def leaving_localhost(self) -> list[str]:
        return [u for u in self if urlsplit(u).hostname not in LOCAL_HOSTS]
