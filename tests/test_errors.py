"""The exception tree: each error's exit status as the README documents it, its message and hint
as the command line prints them, and the tree the module docstring draws, checked against the
classes themselves."""

import inspect
import re
from pathlib import Path

import pytest

import nim_scrape.errors as errors
from nim_scrape.errors import (
    EXIT_STATUS,
    CatalogueError,
    CatalogueFileError,
    FetchError,
    GuardRefused,
    LockBusy,
    NimScrapeError,
    NotFound,
    NotifyError,
    OutputError,
    PageError,
    ParseError,
    ScriptOnlyPage,
    UsageError,
    exit_status,
)

from .support import run

README = Path(__file__).parent.parent / "README.md"

# The README's "Exit status" table, read as a user reads it: which error gives which status.
DOCUMENTED = {
    NotFound: 1,  # for lookup, no record with that code (as grep)
    UsageError: 2,  # a wrong option, URL or input file
    CatalogueFileError: 2,
    FetchError: 3,  # the page could not be fetched
    PageError: 4,  # fetched, but not the error-code page
    ParseError: 4,
    ScriptOnlyPage: 4,  # a script-only shell without --render
    GuardRefused: 5,  # refused by a safety guard
    CatalogueError: 5,  # the catalogue in --out is unreadable
    LockBusy: 5,  # another run held the folder for over a minute
    NotifyError: 6,  # a notification failed
    OutputError: 7,  # the output folder cannot be written
}
CLASSES = [
    value
    for value in vars(errors).values()
    if inspect.isclass(value) and issubclass(value, NimScrapeError)
]


def make(kind: type[NimScrapeError], message: str = "it broke", **kwargs) -> NimScrapeError:
    if issubclass(kind, FetchError):
        kwargs.setdefault("url", "https://example.invalid/")
    return kind(message, **kwargs)


def readme_statuses() -> dict[int, str]:
    """Each status of the README's "Exit status" table, with its meaning."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Exit status", 1)[1].split("\n\n", 2)[1]
    rows = (line.split("|") for line in table.splitlines() if re.match(r"\| \d+ \|", line))
    return {int(cells[1]): cells[2].strip() for cells in rows}


def drawn_tree() -> list[tuple[int, str, int | None]]:
    """The tree of the module docstring: (depth, class name, exit status or None) per line."""
    drawing = errors.__doc__.split("The tree::", 1)[1].split("\n\n", 2)[1]
    nodes = []
    for line in drawing.splitlines():
        match = re.fullmatch(r" {4}((?:[│ ] {3})*)(?:[├└]── )?(\w+)\s+(\d+)?\s.*", line)
        assert match, f"a line of the drawn tree that is not a node: {line!r}"
        prefix, name, status = match.groups()
        depth = len(prefix) // 4 + (1 if "── " in line else 0)
        nodes.append((depth, name, int(status) if status else None))
    return nodes


# -- exit statuses -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", DOCUMENTED, ids=lambda kind: kind.__name__)
def test_each_error_exits_with_the_status_the_readme_gives_it(kind):
    error = make(kind)
    assert exit_status(error) == error.exit_code == DOCUMENTED[kind]
    assert DOCUMENTED[kind] in readme_statuses()


def test_every_error_class_has_a_documented_status():
    assert set(CLASSES) - {NimScrapeError} == set(DOCUMENTED)


def test_the_readme_table_has_a_row_for_every_status_and_for_a_bug():
    statuses = readme_statuses()
    assert set(statuses) == {0, 1, *EXIT_STATUS.values(), 70}
    assert statuses[70] == "an unexpected error, a bug"
    assert statuses[7].startswith("the output folder cannot be written")


def test_an_error_subclassed_by_a_caller_exits_as_its_nearest_documented_class():
    class Timeout(FetchError):
        """The page did not answer in time."""

    class Captcha(ScriptOnlyPage):
        """A captcha stands where the tables were."""

    assert exit_status(Timeout("timed out", url="https://example.invalid/")) == 3
    assert exit_status(Captcha("a captcha")) == 4


def test_the_bare_base_class_is_a_bug_exit_70():
    assert exit_status(NimScrapeError("something nobody named")) == 70


# -- docstrings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CLASSES, ids=lambda kind: kind.__name__)
def test_each_error_class_says_what_happened_in_its_own_docstring(kind):
    doc = kind.__dict__.get("__doc__")
    assert doc, f"{kind.__name__} has no docstring"
    assert doc.strip().endswith(".")


# -- message and hint ----------------------------------------------------------------------------


def test_an_error_without_a_hint_is_its_message():
    error = GuardRefused("refusing to replace the catalogue: 80% of the records are gone")
    assert error.message == "refusing to replace the catalogue: 80% of the records are gone"
    assert error.hint is None
    assert str(error) == error.message


def test_a_hint_follows_the_message_in_brackets():
    error = OutputError("cannot write output/nim_error_codes.json", hint="free some disk space")
    assert (error.message, error.hint) == (
        "cannot write output/nim_error_codes.json",
        "free some disk space",
    )
    assert str(error) == "cannot write output/nim_error_codes.json (free some disk space)"


def test_a_fetch_error_keeps_the_url_and_the_http_status():
    error = FetchError(
        "HTTP 503 from the page", url="https://doc.yunxin.163.com/x", status=503, hint="retry"
    )
    assert (error.url, error.status) == ("https://doc.yunxin.163.com/x", 503)
    assert str(error) == "HTTP 503 from the page (retry)"
    assert FetchError("cannot connect", url="https://doc.yunxin.163.com/x").status is None


def test_the_command_line_prints_message_and_hint_on_one_line_with_the_status(tmp_path):
    missing = tmp_path / "no-such-sdk"
    catalogue = Path(__file__).parent.parent / "output" / "nim_error_codes.json"
    out = tmp_path / "out"
    result = run("audit", "--catalogue", str(catalogue), "--sdk", str(missing), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: no such SDK source: {missing} (a file, folder, .tgz or npm:NAME)\n"
    )
    assert not out.exists()


# -- the tree ------------------------------------------------------------------------------------


def test_the_docstring_draws_the_real_class_tree():
    nodes = drawn_tree()
    assert nodes[0] == (0, "NimScrapeError", None)
    parents: dict[int, str] = {}
    for depth, name, _ in nodes:
        parents[depth] = name
        kind = getattr(errors, name)
        if depth:
            assert kind.__bases__ == (getattr(errors, parents[depth - 1]),), name
    assert {name for _, name, _ in nodes} == {kind.__name__ for kind in CLASSES}


def test_the_docstring_tree_gives_each_class_its_exit_status():
    drawn = {name: status for _, name, status in drawn_tree() if status is not None}
    assert drawn == {kind.__name__: status for kind, status in DOCUMENTED.items()}


@pytest.mark.parametrize(
    ("kind", "ancestors"),
    [
        (ScriptOnlyPage, (PageError, NimScrapeError)),
        (ParseError, (PageError, NimScrapeError)),
        (CatalogueFileError, (UsageError, NimScrapeError)),
        (FetchError, (NimScrapeError,)),
        (GuardRefused, (NimScrapeError,)),
        (NotFound, (NimScrapeError,)),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_a_caller_can_catch_an_error_by_what_it_is_a_kind_of(kind, ancestors):
    for ancestor in ancestors:
        with pytest.raises(ancestor):
            raise make(kind)
    assert not issubclass(kind, (OutputError, NotifyError))
