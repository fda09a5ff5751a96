"""The house by stage: each room imports only the rooms below it, and the README says what each holds."""

import pytest

from .layout import ROOMS, imports, modules, readme_table, room_of, table

MODULES = modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_only_downwards(module):
    own = ROOMS.index(room_of(module))
    upwards = [
        f"line {line}: {target}"
        for line, target, relative in imports(MODULES[module])
        if not relative and target != "nim_scrape" and ROOMS.index(room_of(target)) > own
    ]
    assert upwards == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "nim_scrape"))
def test_no_module_imports_the_package_face_or_imports_relatively(module):
    found = [
        (line, target, relative)
        for line, target, relative in imports(MODULES[module])
        if relative or target == "nim_scrape"
    ]
    assert found == []


def test_every_room_says_what_it_holds_and_may_import():
    for room in ROOMS[1:-1]:
        doc = MODULES[f"nim_scrape.{room}"].read_text(encoding="utf-8")
        assert "May import" in doc, room


def test_the_readme_layout_table_is_the_one_the_folders_give():
    # Regenerate with `make layout` after adding or moving a module.
    assert readme_table() == table()
