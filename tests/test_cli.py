import json
import re
import socket

import pytest
from click.testing import CliRunner

from nim_scrape.cli import cli

from .support import CURRENT, EDITION_2024_03, FIXTURES, run


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_parse_prints_the_catalogue_as_json():
    result = run("parse", str(CURRENT))
    assert result.exit_code == 0
    catalogue = json.loads(result.stdout)
    assert len(catalogue["records"]) == 274
    assert catalogue["records"][0] == {
        "section": "通用状态码",
        "code": 0,
        "message": "unknown error",
        "description": "未知错误。",
        "section_anchor": "通用状态码",
        "links": [],
        "placeholders": [],
    }


def test_parse_prints_csv():
    result = run("parse", str(CURRENT), "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("通用状态码,0,unknown error,未知错误。,")
    assert len(result.stdout.splitlines()) == 275


def test_parse_of_a_page_that_is_not_the_page_exits_4(tmp_path):
    login = tmp_path / "login.html"
    login.write_text(
        "<html><title>登录</title><body><form><input type=password></form></body></html>"
    )
    result = run("parse", str(login))
    assert result.exit_code == 4
    assert result.stderr.startswith(f"Error: {login} is not the NIM error-code page: a login page")
    assert "Traceback" not in result.output


def test_unknown_format_is_a_usage_error():
    result = run("parse", str(CURRENT), "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format': 'xml' is not one of 'json', 'csv'." in result.stderr
    assert result.stdout == ""


def test_lookup_prints_every_meaning_of_a_code_with_its_section(tmp_path):
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(run("parse", str(CURRENT)).stdout, encoding="utf-8")
    result = run("lookup", "103451", "--catalogue", str(catalogue), "--format", "json")
    assert result.exit_code == 0
    assert [(r["section"], r["message"]) for r in json.loads(result.stdout)] == [
        ("用户资料错误码", "user profile hit antispam"),
        ("好友错误码", "friend application not exist"),
    ]


@pytest.mark.parametrize(("fmt", "stdout"), [("json", "[]\n"), ("text", "")])
def test_lookup_of_an_unknown_code_exits_1_and_prints_an_empty_answer(tmp_path, fmt, stdout):
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(run("parse", str(CURRENT)).stdout, encoding="utf-8")
    result = run("lookup", "999999", "--catalogue", str(catalogue), "--format", fmt)
    assert (result.exit_code, result.stdout) == (1, stdout)
    assert result.stderr == f"Error: no record with code 999999 in {catalogue}\n"


def test_refresh_writes_the_catalogue_and_a_second_run_changes_no_byte(tmp_path):
    out = tmp_path / "output"
    first = run("refresh", "--source", str(CURRENT), "--out", str(out))
    assert first.exit_code == 0, first.output
    files = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert files == [
        "CHANGELOG.md",
        "nim_error_codes.csv",
        "nim_error_codes.json",
        "nim_error_codes.schema.json",
        "report.schema.json",
    ]
    before = {name: ((out / name).read_bytes(), (out / name).stat().st_mtime_ns) for name in files}
    second = run("refresh", "--source", str(CURRENT), "--out", str(out))
    assert (second.exit_code, second.stdout) == (0, "no changes\n")
    assert {
        name: ((out / name).read_bytes(), (out / name).stat().st_mtime_ns) for name in files
    } == before


@pytest.mark.vcr("live_page.yaml")
def test_refresh_of_the_live_page_replayed(tmp_path):
    result = run("refresh", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    local = run("parse", str(CURRENT)).stdout
    assert (tmp_path / "nim_error_codes.json").read_text(encoding="utf-8") == local


def test_refresh_that_cannot_connect_exits_3_and_writes_nothing(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/errors"
    result = run("refresh", "--source", url, "--out", str(tmp_path), "--retries", "0")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: cannot fetch {url}: cannot connect")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "nim_error_codes.json").exists()


def test_python_dash_m_runs_the_same_cli():
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nim_scrape",
            "parse",
            str(FIXTURES / "variants" / "rowspan.html"),
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 275


def test_every_command_has_help_with_an_example():
    for name, command in cli.commands.items():
        assert command.help, name
        assert "Example:" in command.help, name


def test_diff_between_two_editions_exits_1_with_exit_code():
    result = run(
        "diff", str(FIXTURES / "nim-error-codes-2024-08-23.html"), str(CURRENT), "--exit-code"
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("2 column headers renamed\n")


def test_diff_of_a_catalogue_file_and_its_page_is_empty(tmp_path):
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(run("parse", str(CURRENT)).stdout, encoding="utf-8")
    result = run("diff", str(catalogue), str(CURRENT), "--format", "json", "--exit-code")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["counts"]["added"] == 0


def test_diff_of_a_broken_catalogue_file_is_a_usage_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2", encoding="utf-8")
    result = run("diff", str(broken), str(CURRENT))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {broken} is not a nim-scrape catalogue")


def test_refresh_reports_changes_and_keeps_a_changelog(tmp_path):
    out = str(tmp_path)
    first = run(
        "refresh",
        "--source",
        str(FIXTURES / "nim-error-codes-2024-03-13.html"),
        "--out",
        out,
        "--exit-code",
    )
    assert (first.exit_code, first.stdout) == (1, "new catalogue: 254 records in 24 sections\n")
    second = run(
        "refresh", "--source", str(CURRENT), "--out", out, "--exit-code", "--format", "markdown"
    )
    assert second.exit_code == 1
    assert second.stdout.startswith("### NIM error codes: 20 added, 2 changed, 248 cosmetic")
    changelog = (tmp_path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## 2024-10-31 15:38:33+08:00") < changelog.index(
        "## 2024-03-13 14:40:07+08:00"
    )
    assert "Catalogue created: 254 records in 24 sections." in changelog

    def files() -> dict:
        # The lock is taken, not written: filelock before 4.2.3 reopens it truncated on each
        # acquire, so its time changes while it stays empty.
        return {
            p: (p.read_bytes(), 0 if p.name == "lock" else p.stat().st_mtime_ns)
            for p in tmp_path.rglob("*")
            if p.is_file()
        }

    before = files()
    third = run("refresh", "--source", str(CURRENT), "--out", out, "--exit-code")
    assert (third.exit_code, third.stdout) == (0, "no changes\n")
    assert files() == before


def test_parse_of_a_file_imports_neither_the_differ_nor_http_nor_apprise():
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from nim_scrape.cli import cli\n"
        f"cli(['parse', {str(CURRENT)!r}, '--format', 'csv'], standalone_mode=False)\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(done.stderr.split())
    assert "nim_scrape.parse.tables" in loaded
    assert (
        not {
            "nim_scrape.changes.diff",
            "nim_scrape.deliver.notify",
            "apprise",
            "httpx",
            "tenacity",
            "pandas",
        }
        & loaded
    )


def test_diff_of_two_catalogue_files_names_the_broken_one(tmp_path):
    good, broken = tmp_path / "good.json", tmp_path / "broken.json"
    good.write_text(run("parse", str(CURRENT)).stdout, encoding="utf-8")
    broken.write_text('{"records": [1]}', encoding="utf-8")
    result = run("diff", str(good), str(broken))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {broken} is not a nim-scrape catalogue")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["lookup", "not-a-number"],
            "Error: Invalid value for 'CODE': 'not-a-number' is not a valid integer."
            " (see 'nim-scrape lookup --help')",
        ),
        (
            ["refresh", "--zzz"],
            # click's own words for it vary between releases (8.2: "No such option: --zzz")
            re.compile(r"Error: No such option:? '?--zzz'?\.? \(see 'nim-scrape refresh --help'\)"),
        ),
        (["nope"], "Error: No such command 'nope'. (see 'nim-scrape --help')"),
        (
            ["refresh", "--timeout", "nan"],
            "Error: Invalid value for '--timeout': 'nan' is not a finite number"
            " (see 'nim-scrape refresh --help')",
        ),
    ],
    ids=["bad-argument", "unknown-option", "unknown-command", "bad-option-value"],
)
def test_click_usage_errors_are_one_line_on_stderr(args, line):
    result = CliRunner().invoke(cli, args, prog_name="nim-scrape")
    assert result.exit_code == 2
    (said,) = result.stderr.splitlines()
    assert line.fullmatch(said) if isinstance(line, re.Pattern) else said == line
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["diff", str(EDITION_2024_03), str(CURRENT)],
        ["lookup", "403", "--catalogue", "output/nim_error_codes.json"],
    ],
    ids=["diff", "lookup"],
)
def test_a_reader_that_closes_the_pipe_ends_the_command_quietly(args, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(tmp_path)}  # where a traceback file would go
    # As `nim-scrape … | head -0`: the reader is gone before the first line is written.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "nim_scrape", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            check=False,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")
    assert list(tmp_path.iterdir()) == []
