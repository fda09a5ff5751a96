"""The article's markdown source as HTML, for the one HTML parser (``parse.parse_page``).

The vendor writes its docs in markdown with front matter, GFM pipe tables and ``:::`` containers
(``::: note note``, ``:::::: div linked-codes``, ``::: code 安卓``). markdown-it-py renders them;
every container, whatever its name, becomes a ``<div>`` whose content is rendered markdown, so a
table inside a note or a tab is read like any other. Pure: text in, text out.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

__all__ = ["front_matter_title", "markdown_to_html"]

logger = logging.getLogger(__name__)

_TITLE = re.compile(r"""^title\s*:\s*(?P<value>.+?)\s*$""", re.M)


def markdown_to_html(text: str, *, document: bool = True) -> str:
    """``text`` (markdown, optionally with front matter) rendered as HTML.

    With ``document`` the result is a whole page whose ``<title>`` is the front matter's
    ``title``; without it, only the rendered body (for an article found inside a page).
    """
    body: str = _renderer().render(text)
    if not document:
        return body
    title = front_matter_title(text)
    head = f"<title>{html.escape(title, quote=False)}</title>" if title else ""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"{head}</head>\n<body>\n{body.lstrip()}</body></html>\n"
    )


def front_matter_title(text: str) -> str | None:
    """The ``title:`` of the front matter, if ``text`` starts with one.

    Read line by line rather than as YAML: the title is the one key used, and a YAML parser
    would be a dependency for one line.
    """
    tokens = _renderer().parse(text)
    matter = next((t for t in tokens if t.type == "front_matter"), None)
    if matter is None:
        return None
    found = _TITLE.search(matter.content)
    if not found:
        return None
    value = found["value"]
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value.strip() or None


def _any_container(params: str, markup: str) -> bool:
    # Any named container opens a block: the site has more kinds than the three seen so far.
    return bool(params.strip())


def _render_container(
    renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</div>\n"
    kind, _, rest = token.info.strip().partition(" ")
    rest = rest.strip()
    if kind == "div":  # `::: div linked-codes` is a plain block with a class
        return f'<div class="{html.escape(rest)}">\n'
    attrs = f' class="{html.escape(kind)}"'
    if rest:  # `::: note note`, `::: code 安卓`: a kind and its title
        attrs += f' data-title="{html.escape(rest)}"'
    return f"<div{attrs}>\n"


_MD: MarkdownIt | None = None


def _renderer() -> MarkdownIt:
    global _MD
    if _MD is None:
        # CommonMark plus GFM tables; raw HTML in the source passes through (cells may hold
        # <br>), and the result only ever goes to the parser, never to a browser.
        md = MarkdownIt("commonmark", {"html": True}).enable("table")
        md.use(front_matter_plugin)
        md.use(container_plugin, name="any", validate=_any_container, render=_render_container)
        _MD = md
    return _MD
