"""The package's public names: complete, sorted, each resolving to its stage's object."""

import importlib

import nim_scrape


def test_all_is_sorted_and_every_name_resolves():
    assert nim_scrape.__all__ == sorted(nim_scrape.__all__)
    assert set(nim_scrape.__all__) == set(nim_scrape._EXPORTS)
    for name in nim_scrape.__all__:
        assert getattr(nim_scrape, name) is not None, name


def test_every_stage_module_lists_what_it_exports():
    exported = set(nim_scrape.__all__)
    for module in ("diff", "errors", "export", "fetch", "models", "parse", "pipeline", "report"):
        names = set(importlib.import_module(f"nim_scrape.{module}").__all__)
        assert names, module
        assert exported & names, module


def test_an_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = nim_scrape.nope
