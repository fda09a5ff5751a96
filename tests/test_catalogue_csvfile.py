import csv
import io
import json

import pytest

from nim_scrape.catalogue.csvfile import CSV_FIELDS, catalogue_csv, catalogue_schema
from nim_scrape.catalogue.models import Catalogue, Record, Section
from nim_scrape.catalogue.store import catalogue_json, load_catalogue
from nim_scrape.errors import CatalogueError
from nim_scrape.parse.tables import parse_page

from .support import CURRENT


@pytest.fixture(scope="module")
def catalogue():
    return parse_page(CURRENT.read_text(encoding="utf-8"))


def tiny(*records: Record) -> Catalogue:
    section = Section(
        title="S",
        anchor="S",
        url="https://x/#S",
        headers=("code", "desc", "说明"),
        record_count=len(records),
    )
    return Catalogue.build(sections=(section,), records=records)


def record(message: str, description: str = "说明。") -> Record:
    return Record(
        section="S",
        code=1,
        message=message,
        description=description,
        section_anchor="S",
    )


def test_json_round_trips_and_is_deterministic(catalogue):
    text = catalogue_json(catalogue)
    assert load_catalogue(text) == catalogue
    assert catalogue_json(load_catalogue(text)) == text
    assert "通用状态码" in text  # not \u-escaped: the file reads as the page does


def test_csv_opens_in_excel_with_chinese_intact(catalogue):
    text = catalogue_csv(catalogue)
    assert text.startswith("\ufeffsection,code,")
    assert "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 274
    assert tuple(rows[0]) == CSV_FIELDS
    assert rows[28]["links"] == (
        "网易云信控制台 <https://app.yunxin.163.com/>; "
        "开始使用 IM 产品 <https://doc.yunxin.163.com/messaging2/guide/jk3MzY2MTI?platform=client>"
    )


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_cannot_run_as_formulas(start):
    text = catalogue_csv(tiny(record(f'{start}HYPERLINK("http://evil")', f"{start}1+1")))
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row["message"] == f'\'{start}HYPERLINK("http://evil")'
    assert row["description"] == f"'{start}1+1"


def test_schema_is_generated_from_the_models():
    schema = json.loads(catalogue_schema())
    assert schema["title"] == "Catalogue"
    assert set(schema["$defs"]["Record"]["required"]) >= {
        "section",
        "code",
        "message",
        "description",
    }


def test_schema_validates_the_catalogue(catalogue):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(json.loads(catalogue_json(catalogue)), json.loads(catalogue_schema()))


def test_a_file_that_is_not_a_catalogue_says_where():
    with pytest.raises(
        CatalogueError, match=r"old.json is not a nim-scrape catalogue: records.0.section"
    ):
        load_catalogue('{"records": [{"code": 1}]}', name="old.json")
    with pytest.raises(
        CatalogueError, match=r"old.json is not a nim-scrape catalogue: .*Invalid JSON"
    ):
        load_catalogue('{"records": [', name="old.json")


def test_csv_carries_the_code_note_and_the_columns_nim_scrape_does_not_know():
    annotated = record("deprecated").model_copy(
        update={"code_note": "废弃", "extra": {"适用平台": "iOS", "备注": "=cmd"}}
    )
    rows = list(csv.DictReader(io.StringIO(catalogue_csv(tiny(annotated)).removeprefix("\ufeff"))))
    assert (rows[0]["code_note"], rows[0]["extra"]) == ("废弃", "适用平台: iOS; 备注: =cmd")
