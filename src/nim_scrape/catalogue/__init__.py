"""The catalogue: its typed values and the files that hold them.

``models`` (pydantic: records, sections, the catalogue and its consistency), ``text`` (the
whitespace and cosmetic rules every stage compares by), ``store`` (the JSON layout, strict
reading, atomic writes, the folder lock), ``csvfile`` (the CSV and the JSON Schema written
beside the JSON), ``state`` (the run state, a cache).

May import: ``nim_scrape.errors``, ``nim_scrape.about``, ``nim_scrape._gc``. Every other room
imports this one; it imports none of them.
"""
