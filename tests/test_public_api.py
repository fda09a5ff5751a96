"""The package's public names: one list, each exported name documented and resolving to its
stage's object, and every public name of a stage either exported or deliberately internal."""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import nim_scrape

# Public in their module for the command line or another stage, not part of the library's API.
INTERNAL = {
    "pipeline": {
        "PageFailure",
        "check_configuration",
        "delivered",
        "note_failure",
        "outbox",
        "send_all",
        "update",
    },
    "changes.diff": {"COMPARED_FIELDS", "Side", "compare_sides", "differing", "record_key"},
    "errors": {"EXIT_STATUS", "exit_status"},
    "catalogue.csvfile": {"CSV_FIELDS", "catalogue_schema"},
    "fetch.http": {
        "DEFAULT_MAX_BYTES",
        "USER_AGENT",
        "Received",
        "Recorder",
        "check_source",
        "decode_body",
        "http_client",
        "is_url",
    },
    "outputs.formats": {
        "FORMATS",
        "SUFFIXES",
        "ExportOptions",
        "Format",
        "check_output",
        "export_files",
        "format_for",
        "formats_help",
    },
    "changes.guard": {"check"},
    "outputs.history": {
        "Edition",
        "Version",
        "build_history",
        "events_of",
        "read_versions",
        "render_history",
    },
    "article.markdown": {"front_matter_title"},
    "fetch.render": {"CHROMIUM_ARGS", "CHROMIUM_NAMES", "find_chromium"},
    "article.shapes": {"SHAPES", "is_script_shell", "string_literals"},
    "outputs.site": {"RECENT_EDITIONS", "Badge", "recent_badges", "render_pages_site"},
    "catalogue.models": {
        "BEIJING",
        "FrozenModel",
        "KNOWN_SCHEMA_VERSIONS",
        "MAX_CODE",
        "SCHEMA_VERSION",
        "inconsistency",
    },
    "changes.report": {
        "Block",
        "Item",
        "catalogue_size",
        "first_run_line",
        "md_escape",
        "render",
        "render_first_run",
        "summary_line",
    },
    "catalogue.store": {
        "OutputFolder",
        "atomic_write",
        "read_catalogue",
        "read_catalogue_bytes",
        "read_text",
    },
}


def test_all_is_sorted_and_every_name_resolves_to_its_module():
    assert nim_scrape.__all__ == sorted(nim_scrape.__all__)
    for module, names in nim_scrape._EXPORTS.items():
        stage = importlib.import_module(f"nim_scrape.{module}")
        for name in names:
            assert name in stage.__all__, f"{module}.{name} is exported but not in its __all__"
            assert getattr(nim_scrape, name) is getattr(stage, name), name


@pytest.mark.parametrize("module", sorted(nim_scrape._EXPORTS))
def test_every_public_name_of_a_stage_is_exported_or_known_internal(module):
    stage = importlib.import_module(f"nim_scrape.{module}")
    public = set(nim_scrape._EXPORTS[module]) | INTERNAL.get(module, set())
    assert set(stage.__all__) == public


def test_every_exported_name_is_documented():
    for name in nim_scrape.__all__:
        member = getattr(nim_scrape, name)
        assert inspect.getdoc(member), f"{name} has no docstring"


def test_the_type_checking_imports_name_exactly_the_exports():
    tree = ast.parse(Path(nim_scrape.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module.removeprefix("nim_scrape."), alias.name)
        for block in tree.body
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    expected = {(module, name) for module, names in nim_scrape._EXPORTS.items() for name in names}
    assert imported == expected


def test_the_item_types_of_a_diff_are_exported():
    for name in ("RecordChange", "RecordMove", "SectionRename", "HeaderRename"):
        assert name in nim_scrape.__all__


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = nim_scrape.nope
