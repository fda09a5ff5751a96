"""Two catalogues compared: what changed, whether to believe it, and how to say it.

``diff`` (pure: ``compare(previous, current)``), ``files`` (the same from two catalogue files,
with a fast path over their line layout), ``guard`` (the plausibility guard), ``report`` (one
report model; text, Markdown and JSON renderings).

May import: ``nim_scrape.catalogue``, ``nim_scrape.errors``.
"""
