"""Client-rendered pages: the page as the installed Chromium sees it after its scripts ran.

Some pages send a shell and build their tables with JavaScript. ``render_html`` loads such a
page in headless Chromium through Playwright (an optional extra: ``nim-scrape[render]``), waits
for tables within a deadline, and returns the DOM as HTML for ``parse.parse_page``. It drives
the Chromium already on the machine and never downloads one. Playwright is imported only here,
and only when a page is rendered.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from nim_scrape.errors import FetchError, UsageError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Request, Route

__all__ = ["CHROMIUM_ARGS", "CHROMIUM_NAMES", "find_chromium", "render_html"]

logger = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# No sandbox (containers and CI runners have no user namespaces for it), no GPU, and none of
# Chromium's own traffic (updates, sync, field trials): the only requests are the page's.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_INSTALL = (
    "install the extra with `pip install 'nim-scrape[render]'` and a browser with "
    "`apt-get install chromium`, or point NIM_SCRAPE_CHROMIUM at one"
)
# What a page needs to be read; images, fonts and media only cost time.
_SKIPPED = frozenset({"image", "font", "media"})
_LAUNCH_TIMEOUT = 60.0  # seconds for the browser to start, on a loaded CI runner
_SETTLE = 0.25  # seconds the number of table rows must hold still before the page is taken


def find_chromium() -> str | None:
    """The browser to drive: ``$NIM_SCRAPE_CHROMIUM``, else the first of CHROMIUM_NAMES on PATH."""
    chosen = os.environ.get("NIM_SCRAPE_CHROMIUM")
    if chosen:
        return chosen
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return None


def render_html(
    source: str,
    *,
    timeout: float,
    on_request: Callable[[str], None] | None = None,
) -> str:
    """The HTML of ``source`` (a URL or a local file) once its scripts have built its tables.

    Once the browser is up, waits at most ``timeout`` seconds in all for the page and for a
    ``<table>`` in it, and for rows still being added. ``on_request`` sees the URL of every request
    the page makes. Raises ``UsageError`` without Playwright or a browser, ``FetchError`` when
    the page cannot be loaded or shows no table in time.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UsageError("rendering pages needs Playwright", hint=_INSTALL) from None
    browser_path = _browser_path()
    url = _as_url(source)
    with sync_playwright() as playwright:
        browser = _launch(playwright, browser_path)
        # The page's time starts once the browser is up: a slow start is not a slow page.
        deadline = time.monotonic() + timeout
        try:
            page = browser.new_page()
            page.on("request", lambda request: _seen(request, on_request))
            page.route("**/*", _skip_heavy)
            _load(page, url, source, deadline)
            _wait_for_table(page, source, deadline, timeout)
            _settle(page, deadline)
            html: str = page.content()
            return html
        finally:
            browser.close()


def _browser_path() -> str:
    """The browser ``find_chromium`` chooses; a ``UsageError`` when there is none."""
    browser_path = find_chromium()
    if browser_path is None:
        raise UsageError("no Chromium or Chrome found on PATH", hint=_INSTALL)
    if not Path(browser_path).exists():
        raise UsageError(f"the browser {browser_path} does not exist", hint=_INSTALL)
    return browser_path


def _launch(playwright: Playwright, browser_path: str) -> Browser:
    """The browser, headless with CHROMIUM_ARGS; a ``UsageError`` when it will not start."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        return playwright.chromium.launch(
            executable_path=browser_path,
            args=list(CHROMIUM_ARGS),
            headless=True,
            timeout=_LAUNCH_TIMEOUT * 1000,
        )
    except PlaywrightError as exc:
        raise UsageError(
            f"the browser {browser_path} could not be started: {_first_line(exc)}",
            hint=_INSTALL,
        ) from exc


def _load(page: Page, url: str, source: str, deadline: float) -> None:
    """Go to ``url``; a ``FetchError`` when it cannot be loaded or answers with an HTTP error."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        response = page.goto(url, wait_until="domcontentloaded", timeout=_left_ms(deadline))
    except PlaywrightError as exc:
        raise FetchError(
            f"{source} could not be loaded in the browser: {_first_line(exc)}", url=source
        ) from exc
    if response is not None and response.status >= 400:
        raise FetchError(
            f"{source} answered HTTP {response.status} in the browser",
            url=source,
            status=response.status,
        )


def _wait_for_table(page: Page, source: str, deadline: float, timeout: float) -> None:
    """Wait for a ``<table>`` until the deadline; a ``FetchError`` when none appears."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.wait_for_selector("table", state="attached", timeout=_left_ms(deadline))
    except PlaywrightError as exc:
        raise FetchError(
            f"{source}: no table appeared within {timeout:g} s of loading it in the browser",
            url=source,
            hint="the page may need longer (raise the timeout) or is not the page",
        ) from exc


def _left_ms(deadline: float) -> float:
    """The milliseconds left before ``deadline``, at least one (Playwright's 0 is no limit)."""
    return max(1.0, (deadline - time.monotonic()) * 1000)


def _as_url(source: str) -> str:
    if "://" in source or source.startswith(("about:", "data:")):
        return source
    return Path(source).resolve().as_uri()


def _seen(request: Request, on_request: Callable[[str], None] | None) -> None:
    logger.debug("browser request: %s %s", request.method, request.url)
    if on_request is not None:
        on_request(request.url)


def _skip_heavy(route: Route) -> None:
    if route.request.resource_type in _SKIPPED:
        route.abort()
    else:
        route.continue_()


def _settle(page: Page, deadline: float) -> None:
    """Wait while tables are still growing (a page may add them one fetch at a time)."""
    count = -1
    while time.monotonic() + _SETTLE < deadline:
        now = int(page.evaluate("document.getElementsByTagName('tr').length"))
        if now == count:
            return
        count = now
        page.wait_for_timeout(_SETTLE * 1000)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
