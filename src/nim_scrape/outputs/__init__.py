"""The catalogue where people use it: export formats, the search page, each code's history.

``formats`` (one registry of export formats, keyed by name or suffix), one module per format
(``localized``: what the string-resource formats share),
``site`` (a self-contained search page), ``history`` (each code's changes through git).

May import: ``nim_scrape.changes``, ``nim_scrape.catalogue``, ``nim_scrape.errors``,
``nim_scrape.about``.
"""
