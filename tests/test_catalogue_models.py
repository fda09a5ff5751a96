"""Records, sections and the catalogue as a library user meets them: built, hashed, checked,
frozen, written to JSON and read back, and described by the JSON Schema."""

import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from nim_scrape.catalogue.csvfile import catalogue_schema
from nim_scrape.catalogue.models import (
    BEIJING,
    MAX_CODE,
    SCHEMA_VERSION,
    Catalogue,
    Link,
    Record,
    Section,
    inconsistency,
)
from nim_scrape.catalogue.store import catalogue_json, load_catalogue
from nim_scrape.errors import CatalogueError

COMMITTED = Path(__file__).parent.parent / "output" / "nim_error_codes.json"
PAGE = "https://doc.yunxin.163.com/messaging2/client-apis/DUxNjU3MzU?platform=client"


def section(title: str, count: int, **fields) -> Section:
    fields.setdefault("headers", ("code", "desc", "说明"))
    return Section(title=title, anchor=title, url=f"{PAGE}#{title}", record_count=count, **fields)


def record(title: str, code: int, message: str = "misuse", **fields) -> Record:
    fields.setdefault("description", f"{message} 的说明。")
    return Record(section=title, code=code, message=message, section_anchor=title, **fields)


def two_sections(description: str = "使用姿势错误。") -> Catalogue:
    return Catalogue.build(
        sections=(section("通用错误码", 2), section("登录错误码", 1)),
        records=(
            record("通用错误码", 191001, "misuse", description=description),
            record("通用错误码", 191002, "cancelled"),
            record("登录错误码", 102422, "account banned"),
        ),
        page_url=PAGE,
        page_title="错误码",
        updated_at=datetime(2024, 10, 31, 15, 38, 33, tzinfo=BEIJING),
    )


# -- building ------------------------------------------------------------------------------------


def test_build_gives_a_current_catalogue_with_a_sha256_content_hash():
    catalogue = two_sections()
    assert catalogue.schema_version == SCHEMA_VERSION == 1
    assert catalogue.content_hash.startswith("sha256:")
    assert len(catalogue.content_hash) == len("sha256:") + 64
    assert catalogue.inconsistency() is None
    assert [s.record_count for s in catalogue.sections] == [2, 1]


def test_the_same_content_gives_the_same_hash_whatever_the_page_says_of_itself():
    again = Catalogue.build(
        sections=two_sections().sections,
        records=two_sections().records,
        page_url=PAGE + "&from=mirror",
        page_title="another title",
        updated_at=None,
    )
    assert again.content_hash == two_sections().content_hash


def test_a_changed_description_changes_the_hash():
    assert two_sections("使用姿势错误").content_hash != two_sections().content_hash


def test_the_hash_of_the_committed_catalogue_is_what_build_computes_from_its_content():
    committed = load_catalogue(COMMITTED.read_bytes(), name=str(COMMITTED))
    rebuilt = Catalogue.build(sections=committed.sections, records=committed.records)
    assert rebuilt.content_hash == committed.content_hash


def test_lookup_gives_every_record_of_a_code_in_page_order():
    catalogue = Catalogue.build(
        sections=(section("登录错误码", 1), section("账号错误码", 1)),
        records=(
            record("登录错误码", 102404, "%s not exist"),
            record("账号错误码", 102404, "account not exist"),
        ),
    )
    assert [r.section for r in catalogue.lookup(102404)] == ["登录错误码", "账号错误码"]
    assert catalogue.lookup(1) == []


# -- values that cannot be changed or padded -----------------------------------------------------


def test_a_record_cannot_be_changed_once_made():
    one = record("通用错误码", 191001)
    with pytest.raises(ValidationError, match="frozen"):
        one.code = 191002
    assert one.code == 191001


def test_a_catalogue_cannot_be_changed_once_made():
    catalogue = two_sections()
    with pytest.raises(ValidationError, match="frozen"):
        catalogue.content_hash = "sha256:0"


@pytest.mark.parametrize(
    "make",
    [
        lambda: record("通用错误码", 191001, colour="red"),
        lambda: section("通用错误码", 1, colour="red"),
        lambda: Catalogue(colour="red"),
        lambda: Link(text="console", href="https://app.yunxin.163.com", colour="red"),
    ],
    ids=["record", "section", "catalogue", "link"],
)
def test_an_unknown_field_is_refused(make):
    with pytest.raises(ValidationError, match="colour"):
        make()


def test_a_section_has_at_least_the_three_columns():
    with pytest.raises(ValidationError, match="headers"):
        Section(title="S", anchor="S", url=PAGE, headers=("code", "desc"), record_count=0)


# -- inconsistency: how the values fit together --------------------------------------------------


def test_a_record_whose_section_is_not_listed_is_named():
    catalogue = Catalogue(
        sections=(section("通用错误码", 1),),
        records=(record("通用错误码", 191001), record("登录错误码", 102422)),
    )
    assert catalogue.inconsistency() == (
        "record 1 names the section '登录错误码', which is not among its sections"
    )


def test_a_section_whose_count_does_not_add_up_is_named():
    catalogue = Catalogue(
        sections=(section("通用错误码", 3), section("登录错误码", 1)),
        records=(record("通用错误码", 191001), record("登录错误码", 102422)),
    )
    assert catalogue.inconsistency() == (
        "the section '通用错误码' says it has 3 records, the file holds 1"
    )


def test_build_takes_the_counts_as_given_and_inconsistency_tells_when_they_are_wrong():
    catalogue = Catalogue.build(
        sections=(section("通用错误码", 0),), records=(record("通用错误码", 1),)
    )
    assert catalogue.sections[0].record_count == 0
    assert catalogue.inconsistency() == (
        "the section '通用错误码' says it has 0 records, the file holds 1"
    )


@pytest.mark.parametrize("code", [-1, MAX_CODE, 2**40])
def test_a_code_outside_0_to_2_31_minus_1_is_named(code):
    catalogue = Catalogue(sections=(section("S", 1),), records=(record("S", code),))
    assert catalogue.inconsistency() == (
        f"record 0 has the code {code}, not a whole number from 0 to 2147483647"
    )


@pytest.mark.parametrize("code", [0, 2**31 - 1])
def test_the_ends_of_the_code_range_are_accepted(code):
    catalogue = Catalogue(sections=(section("S", 1),), records=(record("S", code),))
    assert catalogue.inconsistency() is None


def test_an_unknown_schema_version_is_named_before_anything_else():
    catalogue = Catalogue(schema_version=2, sections=(), records=(record("S", -1),))
    assert catalogue.inconsistency() == "schema_version 2 is not one this nim-scrape reads (1)"


def test_two_sections_of_one_title_are_named():
    catalogue = Catalogue(sections=(section("S", 0), section("S", 0)))
    assert catalogue.inconsistency() == "two sections have the same title"


def test_the_first_record_at_fault_is_the_one_named():
    catalogue = Catalogue(
        sections=(section("S", 3),),
        records=(record("S", 1), record("S", -5), record("T", 2)),
    )
    assert catalogue.inconsistency() == (
        "record 1 has the code -5, not a whole number from 0 to 2147483647"
    )


def test_a_reader_checks_titles_and_codes_without_building_records():
    sections = (section("S", 2),)
    assert inconsistency(1, sections, ["S", "S"], [1, 2]) is None
    # a JSON true is not a code, though Python counts it as an int
    assert inconsistency(1, sections, ["S", "S"], [1, True]) == (
        "record 1 has the code True, not a whole number from 0 to 2147483647"
    )


# -- JSON ----------------------------------------------------------------------------------------


def test_a_catalogue_survives_the_round_trip_through_its_json_file():
    catalogue = Catalogue.build(
        sections=(
            section("通用错误码", 2, headers=("code", "desc", "说明", "备注")),
            section("table 2", 1, named=False),
        ),
        records=(
            record(
                "通用错误码",
                101301,
                '%s not exist, "quoted" {name}',
                description="请在控制台开通。\u00a0see console",
                links=(Link(text="控制台", href="https://app.yunxin.163.com/"),),
                placeholders=("%s", "{name}"),
                code_note="废弃",
                extra={"备注": "旧码"},
            ),
            record("通用错误码", 0, "unknown error"),
            record("table 2", 2**31 - 1, "largest"),
        ),
        page_url=PAGE,
        page_title="错误码",
        updated_at=datetime(2024, 10, 31, 15, 38, 33, tzinfo=BEIJING),
    )
    text = catalogue_json(catalogue)
    assert load_catalogue(text) == catalogue
    assert load_catalogue(text.encode("utf-8")) == catalogue
    assert '"updated_at": "2024-10-31T15:38:33+08:00"' in text


def test_an_empty_catalogue_survives_the_round_trip():
    empty = Catalogue.build(sections=(), records=())
    assert load_catalogue(catalogue_json(empty)) == empty


def test_the_committed_catalogue_is_written_back_byte_for_byte():
    data = COMMITTED.read_bytes()
    assert catalogue_json(load_catalogue(data)).encode("utf-8") == data


def test_a_file_whose_counts_do_not_add_up_is_refused_with_the_reason():
    broken = Catalogue(sections=(section("S", 2),), records=(record("S", 1),))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(catalogue_json(broken), name="edited.json")
    assert str(caught.value) == (
        "edited.json is not a valid nim-scrape catalogue: "
        "the section 'S' says it has 2 records, the file holds 1"
    )


# -- JSON Schema ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    return json.loads(catalogue_schema())


def test_the_schema_validates_the_committed_catalogue(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(COMMITTED.read_text(encoding="utf-8")), schema)


def test_the_schema_refuses_what_the_models_refuse(schema):
    data = json.loads(catalogue_json(two_sections()))
    jsonschema.validate(data, schema)
    data["records"][0]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        jsonschema.validate(data, schema)
    del data["records"][0]["colour"]
    data["records"][0]["code"] = "191001"
    with pytest.raises(jsonschema.ValidationError, match="'191001' is not of type 'integer'"):
        jsonschema.validate(data, schema)
