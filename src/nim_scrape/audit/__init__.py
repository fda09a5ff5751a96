"""The catalogue against the SDKs' own error codes.

``sdk`` (reading an SDK's codes from declarations, bundles, headers, tarballs), ``npm`` (getting a
package from a registry, checked), ``findings`` (the audit's typed result and its file),
``check`` (pure: the audit itself and what changed since the last one), ``report`` (text,
Markdown, JSON), ``run`` (read, audit, save).

May import: ``nim_scrape.article`` (the JavaScript tokenizer), ``nim_scrape.changes``,
``nim_scrape.fetch``, ``nim_scrape.catalogue``, ``nim_scrape.errors``, ``nim_scrape.about``.
"""
