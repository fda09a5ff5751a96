"""What this nim-scrape is, and the page it follows when told nothing else.

A module of its own, imported by whichever stage needs it, so that the package face
(``nim_scrape/__init__.py``) only hands names out and the command line can print its version
and defaults without loading pydantic.
"""

__all__ = ["DEFAULT_PAGE_URL", "__version__"]

__version__ = "0.1.0"
DEFAULT_PAGE_URL = "https://doc.yunxin.163.com/messaging2/client-apis/DUxNjU3MzU?platform=client"
