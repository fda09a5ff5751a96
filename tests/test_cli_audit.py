"""``nim-scrape audit`` on local sources: output, saved files, exit statuses."""

import json

import pytest
from click.testing import CliRunner

from nim_scrape.catalogue.store import catalogue_json
from nim_scrape.cli import cli

from .sdk_support import NODE_NIM, SDK, WEB_SDK, small_catalogue
from .support import CURRENT


@pytest.fixture
def catalogue(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(catalogue_json(small_catalogue()), encoding="utf-8")
    return path


def run(*args):
    return CliRunner().invoke(cli, ["audit", *map(str, args)])


def test_json_is_the_saved_audit(catalogue, tmp_path):
    out = tmp_path / "out"
    result = run(
        "--catalogue",
        catalogue,
        "--sdk",
        NODE_NIM,
        "--sdk",
        WEB_SDK,
        "--out",
        out,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (out / "sdk_audit.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout)["counts"] == {
        "documented_not_in_sdk": 6,
        "in_sdk_not_documented": 5,
        "meaning_differs": 3,
        "doc_conflicts": 2,
        "sdk_conflicts": 1,
    }


def test_exit_code_tells_whether_the_findings_changed(catalogue, tmp_path):
    args = ("--catalogue", catalogue, "--sdk", NODE_NIM, "--out", tmp_path / "out", "--exit-code")
    first, second = run(*args), run(*args)
    assert (first.exit_code, second.exit_code) == (1, 0)
    assert first.stdout == second.stdout
    assert first.stdout.startswith(
        "SDK audit: 3 documented but not in the SDK, 2 in the SDK but not documented"
    )
    third = run(
        "--catalogue",
        catalogue,
        "--sdk",
        NODE_NIM,
        "--sdk",
        WEB_SDK,
        "--out",
        tmp_path / "out",
        "--exit-code",
    )
    assert third.exit_code == 1


def test_a_source_without_codes_exits_2_and_writes_nothing(catalogue, tmp_path):
    result = run(
        "--catalogue",
        catalogue,
        "--sdk",
        NODE_NIM,
        "--sdk",
        SDK / "no-codes.d.ts",
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {SDK / 'no-codes.d.ts'} declares no error codes (expected an enum "
        "V2NIMErrorCode or a map of {code, message} entries)\n"
    )
    assert not (tmp_path / "out").exists()


def test_sdk_is_required(catalogue):
    result = run("--catalogue", catalogue)
    assert result.exit_code == 2
    assert "Missing option '--sdk'" in result.stderr


def test_a_missing_catalogue_exits_2(tmp_path):
    result = run(
        "--catalogue", tmp_path / "none.json", "--sdk", NODE_NIM, "--out", tmp_path / "out"
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: cannot read the catalogue {tmp_path / 'none.json'}")


def test_an_unwritable_out_exits_7(catalogue, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("--catalogue", catalogue, "--sdk", NODE_NIM, "--out", blocker)
    assert result.exit_code == 7
    assert (
        result.stderr.splitlines()[-1]
        == f"Error: cannot write {blocker / 'sdk_audit.json'}: Not a directory"
    )


def test_refresh_audits_after_a_change_and_reports_only_new_findings(refreshed):
    out = refreshed("2024-03-13")
    args = ["refresh", "--source", str(CURRENT), "--out", str(out), "--audit-sdk", str(NODE_NIM)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    report = first.stdout.split("\n\n", 1)
    assert report[0].startswith("20 added, 2 changed, 248 cosmetic")
    assert "\nSDK audit, new since the last one: " in first.stdout
    saved = json.loads((out / "sdk_audit.json").read_text(encoding="utf-8"))
    assert (saved["catalogue"]["codes"], saved["catalogue"]["updated_at"]) == (
        232,
        "2024-10-31T15:38:33+08:00",
    )
    again = CliRunner().invoke(cli, args)
    assert (again.exit_code, again.stdout) == (0, "no changes\n")


def test_refresh_with_an_sdk_source_that_does_not_exist_changes_nothing(refreshed, tmp_path):
    out = refreshed("2024-03-13")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    missing = tmp_path / "no-such-sdk.d.ts"
    args = ["refresh", "--source", str(CURRENT), "--out", str(out), "--audit-sdk", str(missing)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: no such SDK source: {missing}")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


BUNDLE_WITH = 'var a={{V2NIM_ERROR_CODE_UNKNOWN:{{code:0,message:"unknown {text}"}}}};\n'


def test_a_bundle_string_with_a_surrogate_pair_is_read_as_its_character(catalogue, tmp_path):
    bundle = tmp_path / "NIM_BROWSER_SDK.js"
    bundle.write_text(BUNDLE_WITH.format(text="\\uD83D\\uDE00"), encoding="utf-8")
    result = run(
        "--catalogue", catalogue, "--sdk", bundle, "--out", tmp_path / "out", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    (finding,) = json.loads(result.stdout)["in_sdk_not_documented"]
    assert finding["sdk_message"] == "unknown 😀"


def test_a_lone_surrogate_in_a_bundle_is_a_usage_error_naming_the_line(catalogue, tmp_path):
    bundle = tmp_path / "NIM_BROWSER_SDK.js"
    bundle.write_text("\n" + BUNDLE_WITH.format(text="\\uD83D alone"), encoding="utf-8")
    result = run("--catalogue", catalogue, "--sdk", bundle, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: cannot read {bundle.name}:2: a string holds a lone surrogate \\uD83D"
        " (a JavaScript string's \\uD800-\\uDFFF escapes come in pairs)"
    ]
