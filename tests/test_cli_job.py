"""Several pages in one job, through ``nim-scrape refresh --config``: each page on its own."""

import json
import shutil
from pathlib import Path

import pytest

from .support import CURRENT, EDITION_2024_03, FIXTURES, run

PAGES = FIXTURES / "pages"
CAPTCHA = (
    "<html><head><title>安全验证</title></head><body><p>请完成安全验证后继续访问</p>"
    "<div class='geetest'></div></body></html>"
)


def write_config(folder: Path, pages: dict[str, Path | str], **extra: str) -> Path:
    lines = []
    for name, source in pages.items():
        lines += ["[[page]]", f'name = "{name}"', f'source = "{source}"']
        lines += [f"{key} = {value}" for key, value in extra.items() if key.startswith(name + ".")]
        lines.append("")
    config = folder / "nim-scrape.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


@pytest.fixture
def four_pages(tmp_path, httpserver):
    """V2, a V1-style status page, a server API page, a Chinese 4-column page: one a captcha."""
    httpserver.expect_request("/server").respond_with_data(CAPTCHA, content_type="text/html")
    pages = {
        "v2": CURRENT,
        "v1-status": PAGES / "commsease-status-codes.html",
        "server-api": httpserver.url_for("/server"),
        "zh-four": PAGES / "chinese-four-columns.html",
    }
    return write_config(tmp_path, pages)


def httpserver_url(config: Path) -> str:
    """The server page's URL, as the configuration gives it."""
    text = config.read_text(encoding="utf-8")
    return text.split('name = "server-api"\nsource = "', 1)[1].split('"', 1)[0]


def catalogue(folder: Path) -> dict:
    return json.loads((folder / "nim_error_codes.json").read_text(encoding="utf-8"))


def test_a_page_that_fails_changes_nothing_of_its_own_and_holds_back_no_other(four_pages):
    out = four_pages.parent / "output"
    (out / "server-api").mkdir(parents=True)
    (out / "server-api" / "nim_error_codes.json").write_bytes(
        (Path("output") / "nim_error_codes.json").read_bytes()
    )
    before = (out / "server-api" / "nim_error_codes.json").read_bytes()

    result = run("refresh", "--config", str(four_pages), "--retries", "0")

    assert result.exit_code == 4
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"Error: 1 of 4 pages failed: server-api (exit 4: {httpserver_url(four_pages)}"
    )
    assert "a captcha or verification page" in line
    assert (out / "server-api" / "nim_error_codes.json").read_bytes() == before
    assert (out / "server-api" / ".nim-scrape" / "last-failure").is_dir()
    assert [(s["title"], s["record_count"]) for s in catalogue(out / "v1-status")["sections"]] == [
        ("Status Codes", 12),
        ("Team", 4),
        ("Audio & video calls and whiteboard", 2),
        ("Chat room", 3),
        ("Specific services", 2),
    ]
    assert len(catalogue(out / "v2")["records"]) == 274
    assert catalogue(out / "zh-four")["records"]
    # One report, a part per page, the failure said for the failing one.
    parts = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    assert [p.split(" (")[0] for p in parts] == [
        "== v2",
        "== v1-status",
        "== server-api",
        "== zh-four",
    ]
    assert "failed (exit 4)" in result.stdout.split("== server-api")[1].split("== zh-four")[0]


def test_the_json_report_has_a_part_per_page_with_its_status(four_pages):
    result = run("refresh", "--config", str(four_pages), "--retries", "0", "--format", "json")
    assert result.exit_code == 4
    parts = json.loads(result.stdout)["pages"]
    assert [(p["name"], p["status"]) for p in parts] == [
        ("v2", 0),
        ("v1-status", 0),
        ("server-api", 4),
        ("zh-four", 0),
    ]
    assert parts[0]["report"]["created"] is True
    assert "captcha" in parts[2]["error"]


def test_page_runs_one_page_of_the_configuration(four_pages):
    result = run("refresh", "--config", str(four_pages), "--page", "zh-four")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (four_pages.parent / "output").iterdir()) == ["zh-four"]


def test_an_unknown_page_is_a_usage_error_naming_the_pages(four_pages):
    result = run("refresh", "--config", str(four_pages), "--page", "nope")
    assert (result.exit_code, result.stderr.splitlines()) == (
        2,
        [
            f"Error: no page named 'nope' in {four_pages} "
            "(its pages: server-api, v1-status, v2, zh-four)"
        ],
    )


def test_exit_code_says_a_page_changed_and_a_second_run_finds_nothing(tmp_path):
    config = write_config(
        tmp_path, {"v2": EDITION_2024_03, "zh": PAGES / "chinese-four-columns.html"}
    )
    first = run("refresh", "--config", str(config), "--exit-code")
    assert first.exit_code == 1, first.stderr
    shutil.copy(CURRENT, tmp_path / "current.html")
    config.write_text(
        config.read_text(encoding="utf-8").replace(str(EDITION_2024_03), "current.html"),
        encoding="utf-8",
    )
    second = run("refresh", "--config", str(config), "--exit-code")
    assert second.exit_code == 1
    assert second.stdout.split("== zh")[0].splitlines()[1].startswith("20 added, 2 changed")
    third = run("refresh", "--config", str(config), "--exit-code")
    assert (third.exit_code, third.stdout.count("no changes")) == (0, 2)


def test_one_notification_for_all_pages_and_each_delivered_once_it_went_out(tmp_path, httpserver):
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("no", status=500)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    hook = f"json://127.0.0.1:{httpserver.port}/hook"
    config = write_config(tmp_path, {"v2": CURRENT, "zh": PAGES / "chinese-four-columns.html"})

    failed = run("refresh", "--config", str(config), "--notify", hook)
    assert failed.exit_code == 6
    again = run("refresh", "--config", str(config), "--notify", hook)
    assert again.exit_code == 0, again.stderr
    quiet = run("refresh", "--config", str(config), "--notify", hook)
    assert quiet.exit_code == 0

    titles = [json.loads(r.data)["title"] for r, _ in httpserver.log]
    # The failed one, then the same news again; each time one message for both pages.
    assert len(titles) == 2
    assert titles[0] == titles[1]
    assert titles[0].startswith("v2: NIM error codes: ")
    assert "; zh: NIM error codes: " in titles[0]


CONFIG_ERRORS = [
    ('[[page]]\nname = "v2"\n', "{config}:1: source: is required (a string)"),
    (
        '[[page]]\nname = "v 2"\nsource = "x.html"\n',
        "{config}:2: name: 'v 2' is not a name: letters, digits, - and _",
    ),
    (
        '[[page]]\nname = "a"\nsource = "x.html"\n\n[[page]]\nname = "a"\nsource = "y.html"\n',
        "{config}:6: name: 'a' is the name of another page too",
    ),
    (
        '[[page]]\nname = "a"\nsource = "x.html"\nout = "same"\n\n'
        '[[page]]\nname = "b"\nsource = "y.html"\nout = "same"\n',
        "{config}:9: out: {folder}/same is the output folder of 'a' too",
    ),
    ('[[page]]\nname = "a"\nsource = "x.html"\nrendr = true\n', None),
    (
        '[[page]]\nname = "a"\nsource = "x.html"\n[page.thresholds]\nmax_removed_share = 2\n',
        None,
    ),
    (
        '[[page]]\nname = "a"\nsource = "x.html"\n[page.columns]\nkode = "状态码"\n',
        "{config}:5: columns.kode: unknown role (roles: code, message, description)",
    ),
    ("[[page]\n", None),
    ("title = 'x'\n", "{config}:1: title: unknown setting (a job has [[page]] tables only)"),
]


@pytest.mark.parametrize(
    ("text", "line"),
    CONFIG_ERRORS,
    ids=[
        "no-source",
        "bad-name",
        "duplicate-name",
        "one-out-folder",
        "unknown-key",
        "bad-threshold",
        "unknown-role",
        "not-toml",
        "unknown-top-level",
    ],
)
def test_configuration_errors_are_usage_errors_naming_file_line_and_key(tmp_path, text, line):
    config = tmp_path / "nim-scrape.toml"
    config.write_text(text, encoding="utf-8")
    result = run("refresh", "--config", str(config))
    assert result.exit_code == 2
    (stderr,) = result.stderr.splitlines()
    assert stderr.startswith(f"Error: {config}")
    if line:
        assert stderr == "Error: " + line.format(config=config, folder=tmp_path)
    assert not (tmp_path / "output").exists()


def test_a_missing_source_in_a_later_page_stops_the_job_before_anything_is_written(tmp_path):
    config = write_config(tmp_path, {"v2": CURRENT, "gone": tmp_path / "missing.html"})
    result = run("refresh", "--config", str(config))
    assert result.exit_code == 2
    assert not (tmp_path / "output").exists()


def test_without_a_configuration_refresh_is_the_one_page_as_always(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("refresh", "--source", str(CURRENT))
    assert result.exit_code == 0
    assert (tmp_path / "output" / "nim_error_codes.json").exists()


def test_nim_scrape_toml_in_the_working_folder_is_the_job(tmp_path, monkeypatch):
    write_config(tmp_path, {"zh": PAGES / "chinese-four-columns.html"})
    monkeypatch.chdir(tmp_path)
    result = run("refresh")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "output" / "zh" / "nim_error_codes.json").exists()


def test_an_explicit_page_wins_over_the_folder_s_job(tmp_path, monkeypatch):
    write_config(tmp_path, {"zh": PAGES / "chinese-four-columns.html"})
    monkeypatch.chdir(tmp_path)
    result = run("refresh", "--source", str(CURRENT), "--out", "one")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "one" / "nim_error_codes.json").exists()
    assert not (tmp_path / "output").exists()


def test_page_beside_an_explicit_page_is_a_usage_error_not_ignored(tmp_path, monkeypatch):
    write_config(tmp_path, {"zh": PAGES / "chinese-four-columns.html"})
    monkeypatch.chdir(tmp_path)
    result = run("refresh", "--source", str(CURRENT), "--page", "zh")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --page and --source name different jobs ({tmp_path / 'nim-scrape.toml'}, and "
        "one page on the command line): pass one\n"
    )
    assert not (tmp_path / "output").exists()


def test_column_roles_from_the_configuration_reach_the_parser(tmp_path):
    config = write_config(tmp_path, {"zh": PAGES / "chinese-four-columns.html"})
    config.write_text(
        config.read_text(encoding="utf-8") + '[page.columns]\ncode = "没有这一列"\n',
        encoding="utf-8",
    )
    result = run("refresh", "--config", str(config))
    assert result.exit_code == 4
    assert "没有这一列" in result.stderr


@pytest.fixture
def two_refreshed(tmp_path, monkeypatch):
    """A job of two pages, refreshed, run from its folder as a team would."""
    write_config(tmp_path, {"v2": CURRENT, "v1-status": PAGES / "commsease-status-codes.html"})
    monkeypatch.chdir(tmp_path)
    assert run("refresh").exit_code == 0
    return tmp_path


def test_lookup_searches_every_page_and_names_it(two_refreshed):
    result = run("lookup", "403", "--format", "json")
    assert result.exit_code == 0, result.stderr
    pages = {row["page"] for row in json.loads(result.stdout)}
    assert pages == {"v2", "v1-status"}
    text = run("lookup", "403").stdout.splitlines()
    assert text[0].startswith("[v2]  403  ")
    assert any(line.startswith("[v1-status]  403  ") for line in text)


def test_lookup_of_one_page(two_refreshed):
    result = run("lookup", "403", "--page", "v1-status", "--format", "json")
    assert {row["page"] for row in json.loads(result.stdout)} == {"v1-status"}


def test_a_command_that_reads_one_catalogue_asks_which_page(two_refreshed):
    result = run("export", "codes.ndjson")
    assert (result.exit_code, result.stderr.splitlines()) == (
        2,
        ["Error: the configuration has 2 pages: pass --page NAME (v2, v1-status)"],
    )
    chosen = run("export", "codes.ndjson", "--page", "v1-status")
    assert chosen.exit_code == 0, chosen.stderr
    first = json.loads((two_refreshed / "codes.ndjson").read_text(encoding="utf-8").splitlines()[0])
    assert first["section"] == "Status Codes"


@pytest.mark.slow
def test_a_job_killed_at_random_moments_loses_no_page_s_change(tmp_path, httpserver):
    import os
    import random
    import signal
    import subprocess
    import sys
    import time

    from werkzeug import Response

    def answer(request):
        time.sleep(0.5)  # slow, so kills land while notifying too
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(answer)
    hook = f"json://127.0.0.1:{httpserver.port}/hook"
    rng = random.Random(16)
    for attempt in range(6):
        folder = tmp_path / f"try-{attempt}"
        folder.mkdir()
        config = write_config(folder, {"v2": CURRENT, "zh": PAGES / "chinese-four-columns.html"})
        before = len(httpserver.log)
        job = [sys.executable, "-m", "nim_scrape", "refresh", "--config", str(config)]
        proc = subprocess.Popen([*job, "--notify", hook])
        time.sleep(rng.uniform(0.3, 2.5))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        again = run("refresh", "--config", str(config), "--notify", hook)
        assert again.exit_code == 0, again.output
        sent = [json.loads(r.data)["title"] for r, _ in httpserver.log[before:]]
        # Every page's change reached the team at least once, whenever the kill came.
        assert any(
            t.startswith("v2: ") or "; v2: " in t or t.startswith("v2: NIM") for t in sent
        ), sent
        assert any("zh: NIM error codes" in t for t in sent), (attempt, sent)
        quiet = run("refresh", "--config", str(config), "--notify", hook)
        assert quiet.stdout.count("no changes") == 2
