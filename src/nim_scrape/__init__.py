"""nim-scrape: a typed, diffable catalogue of the NIM SDK error codes."""

from __future__ import annotations

__version__ = "0.1.0"
