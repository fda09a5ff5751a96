"""``nim-scrape export``: SQLite with full-text search, NDJSON, a TypeScript module (#13)."""

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from nim_scrape.catalogue.models import Catalogue, Record, Section
from nim_scrape.catalogue.store import read_catalogue
from nim_scrape.outputs.typescript import catalogue_typescript

from .support import run
from .toolchain import needed

REPO = Path(__file__).parent.parent
REAL = REPO / "output" / "nim_error_codes.json"


@pytest.fixture(scope="module")
def exported_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "catalogue.db"
    result = run("export", str(path), "--catalogue", str(REAL))
    assert result.exit_code == 0, result.output
    metadata = path.with_name("catalogue.metadata.json")
    assert result.stdout == f"wrote {path}\nwrote {metadata}\n"  # see test_datasette.py
    return path


def rows(db: Path, sql: str, *args):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def test_sqlite_holds_every_record_and_section(exported_db):
    assert rows(exported_db, "select count(*) from records") == [(274,)]
    assert rows(exported_db, "select count(*) from sections") == [(26,)]
    assert rows(
        exported_db,
        "select section, message, section_url from records where code = 103451 order by id",
    ) == [
        (
            "用户资料错误码",
            "user profile hit antispam",
            "https://doc.yunxin.163.com/messaging2/client-apis/DUxNjU3MzU?platform=client#用户资料错误码",
        ),
        (
            "好友错误码",
            "friend application not exist",
            "https://doc.yunxin.163.com/messaging2/client-apis/DUxNjU3MzU?platform=client#好友错误码",
        ),
    ]


FTS_QUERY = (
    "select records.code from records join records_fts on records.rowid = records_fts.rowid "
    "where records_fts match ? order by records.code"
)


def containing(text: str) -> list[tuple[int]]:
    """The codes whose message or description holds ``text``, case ignored, as SQL returns them."""
    records = read_catalogue(REAL).records
    hits = [r.code for r in records if text.lower() in f"{r.message}\n{r.description}".lower()]
    return [(code,) for code in sorted(hits)]


def test_full_text_search_in_english(exported_db):
    assert rows(exported_db, FTS_QUERY, "ANTISPAM") == containing("antispam")
    assert (103451,) in containing("antispam")
    assert rows(exported_db, FTS_QUERY, '"user profile hit antispam"') == [(103451,)]


def test_full_text_search_finds_a_chinese_substring(exported_db):
    # 更新消息功能未开通 holds 消息功能 in the middle: no word boundary a tokenizer would see.
    assert rows(exported_db, FTS_QUERY, "消息功能") == containing("消息功能")
    assert (107341,) in containing("消息功能")


def test_sqlite_utils_finds_the_search_table_as_datasette_does(exported_db):
    import sqlite_utils

    db = sqlite_utils.Database(exported_db)
    assert db["records"].detect_fts() == "records_fts"
    found = [(row["code"], row["message"]) for row in db["records"].search("好友申请不存在")]
    assert found == [(103451, "friend application not exist")]


def test_history_table(history_repo, tmp_path):
    path = tmp_path / "with-history.sqlite"
    catalogue = history_repo / "X" / "nim_error_codes.json"
    result = run("export", "--history", str(path), "--catalogue", str(catalogue))
    assert result.exit_code == 0, result.output
    assert rows(path, "select kind, updated_at from history where code = 107341") == [
        ("added", "2024-10-31T15:38:33+08:00")
    ]
    assert rows(path, "select kind, count(*) from history group by kind order by kind") == [
        ("added", 274),
        ("changed", 250),
    ]


def test_export_replaces_an_earlier_file(exported_db, tmp_path):
    path = tmp_path / "again.db"
    shutil.copy(exported_db, path)
    with sqlite3.connect(path) as conn:
        conn.execute("delete from records")
    assert run("export", str(path), "--catalogue", str(REAL)).exit_code == 0
    assert rows(path, "select count(*) from records") == [(274,)]
    # no temporary file left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.db", "again.metadata.json"]


def test_unknown_suffix_names_the_supported_ones(tmp_path):
    result = run("export", str(tmp_path / "codes.xlsx"), "--catalogue", str(REAL))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: cannot export to {tmp_path / 'codes.xlsx'}: unknown suffix '.xlsx' "
        "(name a file ending in one of .db, .sqlite, .ndjson, .ts, .xml, .po, .arb, .xcstrings, "
        ".kt, .java, .swift, .dart, .h, .go, .py)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_unknown_suffix_is_refused_before_the_catalogue_is_read(tmp_path):
    result = run("export", str(tmp_path / "codes"), "--catalogue", str(tmp_path / "none.json"))
    assert result.exit_code == 2
    assert "unknown suffix '(none)'" in result.stderr


def test_ndjson_has_one_record_per_line(tmp_path):
    path = tmp_path / "codes.ndjson"
    assert run("export", str(path), "--catalogue", str(REAL)).exit_code == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 274
    first = json.loads(lines[0])
    assert first == {
        "section": "通用状态码",
        "code": 0,
        "message": "unknown error",
        "description": "未知错误。",
        "section_anchor": "通用状态码",
        "section_url": "https://doc.yunxin.163.com/messaging2/client-apis/DUxNjU3MzU?platform=client#通用状态码",
        "links": [],
        "placeholders": [],
    }


# -- TypeScript ----------------------------------------------------------------------------------

HOSTILE = Catalogue.build(
    sections=(
        Section(
            title='引号"和\\反斜杠',
            anchor="a",
            url="https://example.invalid/p\n// injected\n#a",
            headers=("code", "desc", "说明"),
            record_count=2,
        ),
    ),
    records=(
        Record(
            section='引号"和\\反斜杠',
            code=7,
            message='quote " backslash \\ backtick ` ${x} */',
            description="line\u2028separator </script>",
            section_anchor="a",
        ),
        Record(
            section='引号"和\\反斜杠',
            code=7,
            message="second meaning",
            description="第二个含义",
            section_anchor="a",
        ),
    ),
    page_url="https://example.invalid/page\nthrow new Error('injected from the page URL');",
)


def tsc() -> str | None:
    found = shutil.which("tsc") or str(REPO / ".venv" / "node" / "node_modules" / ".bin" / "tsc")
    return found if Path(found).exists() else None


@pytest.fixture(scope="module")
def compiler() -> str:
    found = tsc()
    if found is None or shutil.which("node") is None:
        needed("tsc not found (npm install --prefix .venv/node typescript@5)")
    assert found
    return found


USE = """\
import { NIM_ERROR_CODES, nimErrorRecords, type NimErrorCode, type NimErrorRecord } from "./$MODULE";
const two: readonly NimErrorRecord[] = nimErrorRecords($CODE);
const known: NimErrorCode = $CODE;
const message: string = NIM_ERROR_CODES[$CODE][1].message;
// @ts-expect-error: not a code of the catalogue
const unknown: NimErrorCode = 999999;
export const seen = [two.length, known, message, unknown];
"""


@pytest.fixture(scope="module")
def compiled(compiler, tmp_path_factory):
    """The real catalogue's module (written by the command) and a hostile one, each with a
    use of its types, compiled once with --strict to JavaScript; tsc's result."""
    folder = tmp_path_factory.mktemp("typescript")
    assert run("export", str(folder / "codes.ts"), "--catalogue", str(REAL)).exit_code == 0
    (folder / "hostile.ts").write_text(catalogue_typescript(HOSTILE), encoding="utf-8")
    for module, code in (("codes", 103451), ("hostile", 7)):
        use = USE.replace("$MODULE", module).replace("$CODE", str(code))
        (folder / f"use_{module}.ts").write_text(use, encoding="utf-8")
    done = subprocess.run(
        [compiler, "--strict", "--target", "es2020", "--module", "commonjs", "--outDir", "js",
         "codes.ts", "hostile.ts", "use_codes.ts", "use_hostile.ts"],
        cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return folder, done


def test_typescript_module_type_checks(compiled):
    _, done = compiled
    assert done.returncode == 0, done.stdout + done.stderr


def test_typescript_module_keeps_every_meaning_and_the_text_as_data(compiled):
    folder, _ = compiled
    # Run as JavaScript: the records come back exactly as the catalogue has them.
    script = (
        "const real = require('./js/codes.js'); const hostile = require('./js/hostile.js');"
        "console.log(JSON.stringify([real.nimErrorRecords(103451).map(r => r.section),"
        " real.nimErrorRecords(42).length, hostile.nimErrorRecords(7)]));"
    )
    out = subprocess.run(
        ["node", "-e", script], cwd=folder, capture_output=True, text=True, check=True
    ).stdout
    sections, unknown, hostile = json.loads(out)
    assert sections == ["用户资料错误码", "好友错误码"]
    assert unknown == 0
    assert [(r["message"], r["description"]) for r in hostile] == [
        (r.message, r.description) for r in HOSTILE.records
    ]
