"""Telling people: the change log, the messages, and when and where to send them.

``changelog`` (the committed CHANGELOG.md, each edition once), ``messages`` (what a change, a
failure or a recovery says), ``policy`` (pure: which messages a run sends, given its result
and what was sent before), ``notify`` (apprise: sending, cut to each service's limit).

May import: ``nim_scrape.changes``, ``nim_scrape.catalogue``, ``nim_scrape.errors``.
"""
