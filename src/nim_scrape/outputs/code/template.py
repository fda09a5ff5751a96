"""A user's own Jinja2 template (``--template FILE``), rendered in Jinja2's sandbox with the
context of ``model.context`` and each language's escaping as filters (README, "Your own
template"). The sandbox keeps a template from reaching Python's internals; undefined names are
errors, so a typo fails the export instead of writing an empty value."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nim_scrape.errors import UsageError
from nim_scrape.outputs.code.escape import ESCAPES, comment_lines
from nim_scrape.outputs.code.model import context

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.formats import ExportOptions

__all__ = ["render"]


def _json(value: Any) -> str:
    # Jinja2's own tojson escapes <, > and & for HTML; a code file wants the text as it is.
    return json.dumps(value, ensure_ascii=False)


def render(catalogue: Catalogue, options: ExportOptions) -> str:
    """``options.template`` rendered with the catalogue's context; ``UsageError`` for a template
    that cannot be read, does not parse, or fails (an undefined name, a sandbox refusal)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    path = options.template
    if path is None:
        raise UsageError("no template given", hint="pass --template FILE")
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the template {path}: {exc}") from exc
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(ESCAPES)
    env.filters["json"] = _json
    env.filters["comment_lines"] = comment_lines
    try:
        return env.from_string(source).render(context(catalogue, options.names))
    except jinja2.TemplateSyntaxError as exc:
        raise UsageError(
            f"the template {path} does not parse: line {exc.lineno}: {exc.message}"
        ) from exc
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
        message = " ".join(str(exc).split())
        raise UsageError(f"the template {path} failed: {type(exc).__name__}: {message}") from exc
