"""Where the fixtures are, and the published rows they were built from."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from click.testing import CliRunner, Result

from nim_scrape.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
CURRENT = FIXTURES / "nim-error-codes-2024-10-31.html"
EDITION_2024_03 = FIXTURES / "nim-error-codes-2024-03-13.html"
EDITION_2024_08 = FIXTURES / "nim-error-codes-2024-08-23.html"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """``nim-scrape ARGS`` as a user runs it: exit status, stdout and stderr apart. An exception
    the command does not handle fails the test rather than hiding in the result."""
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def published_rows() -> list[tuple[str, int, str, str]]:
    """The 274 rows of the 2024-10-31 edition as published: section, code, message, description."""
    with (FIXTURES / "nim-error-codes-2024-10-31.tsv").open(encoding="utf-8", newline="") as fp:
        return [
            (row["section"], int(row["code"]), row["message"], row["description"])
            for row in csv.DictReader(fp, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


def load_module(name: str, path: Path) -> ModuleType:
    """A script of the repository that is not part of the package, imported by its path."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in the module look themselves up there
    spec.loader.exec_module(module)
    return module
