"""The commands that read a catalogue: ``lookup``, ``audit``, ``site``, ``export``, ``history``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nim_scrape.cli.failures import reports_errors
from nim_scrape.cli.options import (
    catalogue_option,
    catalogues_option,
    exit_code_option,
    format_option,
)
from nim_scrape.errors import (
    NotFound,
    UsageError,
)

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.history import History

logger = logging.getLogger(__name__)


@click.command()
@click.argument("code", type=int)
@catalogues_option
@format_option("text", "json")
@reports_errors
def lookup(code: int, catalogues: list[tuple[str | None, Path]], fmt: str) -> None:
    """Print every record with CODE, with its section and a link to it; exit 1 if there is none.

    With a configuration of several pages, every page's catalogue is searched and each answer
    names its page (--page NAME searches one).

    \b
    Example:
        nim-scrape lookup 103451
        nim-scrape lookup 403 --format json
        nim-scrape lookup 302 --config nim-scrape.toml
    """
    import json

    rows: list[dict[str, object]] = []
    for page, path in catalogues:
        if page is not None and len(catalogues) > 1 and not path.exists():
            logger.info("page %s has no catalogue yet (%s)", page, path)
            continue
        records = _load(path)
        urls = {section.title: section.url for section in records.sections}
        for record in records.lookup(code):
            where = {"page": page} if page is not None else {}
            rows.append(
                {**where, **record.model_dump(mode="json"), "section_url": urls.get(record.section)}
            )
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    for row in rows if fmt == "text" else ():
        page_part = f"[{row['page']}]  " if "page" in row else ""
        click.echo(f"{page_part}{row['code']}  {row['section']}  {row['message']}")
        click.echo(f"    {row['description']}")
        click.echo(f"    {row['section_url'] or ''}")
    if not rows:
        searched = ", ".join(str(path) for _, path in catalogues)
        raise NotFound(f"no record with code {code} in {searched}")


@click.command("audit")
@catalogue_option
@click.option(
    "--sdk",
    "sdks",
    multiple=True,
    required=True,
    metavar="SOURCE",
    help="An SDK to hold the page against (repeatable): a .d.ts/.ts/.js file, a folder, a "
    "package .tgz, or npm:NAME@VERSION (downloaded from npm_config_registry, else npmjs.org).",
)
@format_option("text", "markdown", "json")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="The folder where the audit is saved (sdk_audit.json, SDK-AUDIT.md).",
)
@exit_code_option
@reports_errors
def audit_command(
    catalogue: Path, sdks: tuple[str, ...], fmt: str, out: Path, exit_code: bool
) -> None:
    """Hold the catalogue against the SDKs' own error codes; save and print what disagrees.

    Finds the codes documented but not in an SDK, in an SDK but not documented, whose SDK
    text differs from the page's, given two meanings by the page, or two names by an SDK.
    The files in --out are only rewritten when the audit changed; --exit-code exits 1 when
    the findings changed since the saved audit.

    \b
    Example:
        nim-scrape audit --sdk npm:node-nim@latest --sdk npm:nim-web-sdk-ng@latest
        nim-scrape audit --sdk node_modules/node-nim --format json --exit-code
        nim-scrape audit --sdk types/v2_def/v2_nim_enum_def.d.ts --out /tmp/audit
    """
    from nim_scrape.audit.report import render
    from nim_scrape.audit.run import run_audit

    result = run_audit(_load(catalogue), sdks, out=out)
    for path in result.written:
        logger.info("wrote %s", path)
    click.echo(render(result.audit, fmt), nl=False)
    if exit_code and result.changed:
        sys.exit(1)


@click.command()
@catalogues_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The folder to write index.html into.",
)
@reports_errors
def site(catalogues: list[tuple[str | None, Path]], out: Path) -> None:
    """Write a self-contained search page of the catalogue: OUT/index.html.

    One file, nothing fetched from elsewhere: open it from disk or publish it (GitHub Pages).
    Where the catalogue is in a git repository, rows added or changed by the latest editions
    carry a badge with their date. With a configuration of several pages, the one page holds
    them all, each row naming its page, and the section filter offers each page whole.

    \b
    Example:
        nim-scrape site
        nim-scrape site --out site && xdg-open 'site/index.html?q=103451'
    """
    from nim_scrape.outputs.site import write_site

    if len(catalogues) == 1:
        ((_, catalogue),) = catalogues
        path = write_site(_load(catalogue), out, history=_history_if_any(catalogue))
    else:
        from nim_scrape.catalogue.store import atomic_write
        from nim_scrape.outputs.site import render_pages_site

        pages = [(name or "", _load(path)) for name, path in catalogues]
        histories = {
            name or "": history
            for name, path in catalogues
            if (history := _history_if_any(path)) is not None
        }
        path = out / "index.html"
        atomic_write(path, render_pages_site(pages, histories=histories).encode())
    click.echo(f"wrote {path}")


def _export_help() -> str:
    from nim_scrape.outputs.formats import formats_help

    return f"""Write the catalogue to OUTPUT, in the format its suffix names.

    \b
    {formats_help().replace(chr(10), chr(10) + "    ")}

    Typed code names each code as the SDKs given with --sdk do (V2NIM_ERROR_CODE_MISUSE),
    else by its first message in the language's convention; --template renders your own
    Jinja2 template instead (README, "Using the catalogue in your app"). String resources
    take the page's English column, or with --lang zh its 说明.

    \b
    Example:
        nim-scrape export catalogue.db && datasette catalogue.db -m catalogue.metadata.json
        nim-scrape export --history catalogue.db
        nim-scrape export src/nimErrorCodes.ts
        nim-scrape export --sdk npm:node-nim@latest app/src/main/kotlin/im/NimErrorCodes.kt
        nim-scrape export --lang zh app/src/main/res/values-zh-rCN/strings.xml
        nim-scrape export --lang zh locale/zh_CN/LC_MESSAGES/nim_errors.po
        nim-scrape export NimErrors.xcstrings
        nim-scrape export --template errors.rs.j2 src/errors.rs
    """


@click.command("export", help=_export_help())
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@catalogue_option
@click.option(
    "--history",
    "with_history",
    is_flag=True,
    help="Add a history table: each code's changes through the catalogue's git history "
    "(SQLite only).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="The language of a .xml, .po or .arb file: en (the desc/message column) or zh (说明); "
    "an empty column falls back to the other.",
)
@click.option(
    "--sdk",
    "sdks",
    multiple=True,
    metavar="SOURCE",
    help="Name typed code's constants as this SDK does (repeatable; the first SDK naming a code "
    "wins): a .d.ts/.ts/.js file, a folder, a package .tgz, or npm:NAME@VERSION, as for audit.",
)
@click.option(
    "--metadata",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the Datasette metadata goes (SQLite only; default: beside the database, "
    "catalogue.db -> catalogue.metadata.json).",
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Render this Jinja2 template (sandboxed) instead of a built-in format; OUTPUT may then "
    "have any name.",
)
@reports_errors
def export_command(
    output: Path,
    catalogue: Path,
    with_history: bool,
    lang: str,
    sdks: tuple[str, ...],
    metadata: Path | None,
    template: Path | None,
) -> None:
    from nim_scrape.outputs.formats import check_output, export_files

    # before anything is read or written
    fmt = check_output(
        output, history=with_history, template=template is not None, metadata=metadata
    )
    if sdks and not fmt.module.startswith("code."):
        raise UsageError(
            f"--sdk names the constants of typed code; {output} is {fmt.name}",
            hint="drop --sdk, or export to a .kt, .java, .swift, .dart, .h, .go or .py file",
        )
    names = None
    if sdks:
        from nim_scrape.audit.run import read_sdks
        from nim_scrape.outputs.code.naming import sdk_names

        names = sdk_names(read_sdks(sdks))
    records = _load(catalogue)
    history = None
    if with_history:
        from nim_scrape.outputs.history import read_history

        history = read_history(catalogue)
    written = export_files(
        records,
        output,
        history=history,
        lang=lang,
        names=names,
        template=template,
        metadata=metadata,
    )
    for path in written:
        click.echo(f"wrote {path}")


@click.command("history")
@click.argument("code", type=int, required=False)
@catalogue_option
@format_option("text", "json")
@reports_errors
def history_command(code: int | None, catalogue: Path, fmt: str) -> None:
    """Print each change of CODE through the git history of the catalogue file; without CODE,
    what each edition changed.

    Reads every commit of the catalogue file (the catalogue must be in a git repository) and
    compares each version with the one before.

    \b
    Example:
        nim-scrape history 107341
        nim-scrape history --format json
    """
    from nim_scrape.outputs.history import read_history, render_history

    click.echo(render_history(read_history(catalogue), fmt, code=code), nl=False)


def _load(catalogue: Path) -> Catalogue:
    """The catalogue a command reads (``--catalogue``): a catalogue file, a page or a URL."""
    from nim_scrape.article.source import catalogue_from

    return catalogue_from(str(catalogue))


def _history_if_any(catalogue: Path) -> History | None:
    """The catalogue's history for the page's badges, or None where git has none to give."""
    from nim_scrape.outputs.history import read_history

    try:
        return read_history(catalogue)
    except UsageError as exc:
        logger.info("no history, so no badges: %s", exc.message)
        return None
