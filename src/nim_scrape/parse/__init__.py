"""Tables to records: reading an error-code article's HTML into a typed catalogue.

``tables`` (beautifulsoup4 + lxml: headings, tables, rows, cells), ``columns`` (which column
holds the code, the message, the description: header words shared with ``article.shapes``;
no bs4), ``_bs4_stream`` (the one place that knows bs4's inner workings).

May import: ``nim_scrape.catalogue``, ``nim_scrape.errors``, ``nim_scrape._gc``.
"""
