"""Getting a page: over HTTP, from a file, or through a browser.

``http`` (httpx: retries, limits, conditional requests, sources), ``encoding`` (the HTML
standard's sniffing: BOM, header, ``<meta>``, strict candidates), ``render`` (Playwright driving
the installed Chromium), ``source`` (one call that gets a page from any source, whatever fetches
it), ``evidence`` (what a failed run received, kept for a human).

May import: ``nim_scrape.catalogue`` (atomic writes), ``nim_scrape.errors``, ``nim_scrape.about``.
"""
