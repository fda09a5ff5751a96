"""A page from any source, whatever fetches it: one call for http(s), files and the browser.

``get_page`` is the one place that chooses between ``http.read_source`` (an http(s) URL, a local
HTML or markdown file, a ``file:`` URL) and ``render.render_html`` (the same sources, their
scripts run in Chromium). Callers (the refresh job, the command line) say what they want, not
how to get it; Playwright loads only when a page is rendered.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from nim_scrape.fetch.http import FetchLimits, Page, Received, Recorder, check_source, read_source

__all__ = ["get_page"]


def get_page(
    source: str | Path,
    *,
    limits: FetchLimits | None = None,
    render: bool = False,
    etag: str | None = None,
    last_modified: str | None = None,
    on_received: Recorder | None = None,
) -> Page:
    """The page ``source`` names: fetched (conditionally, given ``etag``/``last_modified``), read
    from a file, or with ``render`` loaded in a browser once its scripts have built the tables
    (``Page.rendered``; a rendered page is never conditional).

    ``on_received`` sees every answer as it came, before it is decoded or judged.
    """
    limits = limits or FetchLimits()
    if not render:
        return read_source(
            source,
            limits=limits,
            etag=etag,
            last_modified=last_modified,
            on_received=on_received,
        )
    from nim_scrape.fetch.render import render_html

    check_source(str(source))  # a bad source is a usage error before a browser starts
    html = render_html(str(source), timeout=limits.timeout)
    data = html.encode("utf-8")
    if on_received:
        on_received(Received(str(source), None, (("content-type", "text/html"),), data))
    return Page(
        url=str(source),
        text=html,
        body_sha256=hashlib.sha256(data).hexdigest(),
        body_size=len(data),
        rendered=True,
    )
