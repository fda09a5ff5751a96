"""Typed code for apps: a module per language that turns the catalogue into constants, doc comments
and a lookup (Kotlin, Java, Swift, Dart, C/C++, Go, Python), and a user's own Jinja2 template.

``model`` gathers each distinct code with every meaning and the context templates see; ``naming``
gives each code one identifier per language; ``escape`` holds each language's string and comment
escaping. May import ``nim_scrape.catalogue``, ``nim_scrape.audit`` and ``nim_scrape.outputs.rows``.
"""
