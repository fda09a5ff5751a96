"""Finding the article in whatever came: the DOM, script state, JSON or markdown.

``shapes`` (which shape the page came in, and the catalogue in it), ``jslex`` (a JavaScript
tokenizer and string decoder: state is read, never run), ``markdown`` (markdown-it-py).

May import: ``nim_scrape.parse``, ``nim_scrape.fetch``, ``nim_scrape.catalogue``,
``nim_scrape.errors``, ``nim_scrape.about``.
"""
