"""Notifications reach a real HTTP receiver on 127.0.0.1 through apprise's json:// scheme (#5)."""

import json
import logging
from pathlib import Path

import pytest

from nim_scrape.deliver.messages import Message
from nim_scrape.deliver.notify import fit, send

from .strategies import build
from .support import CURRENT, EDITION_2024_03, EDITION_2024_08, run


@pytest.fixture
def receiver(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


def posts(server) -> list[dict]:
    return [json.loads(request.data) for request, _ in server.log if request.path == "/hook"]


def hook(server, credentials: str = "") -> str:
    return f"json://{credentials}localhost:{server.port}/hook"


def test_a_change_is_notified_and_an_unchanged_run_sends_nothing(receiver, tmp_path):
    out = str(tmp_path)
    assert (
        run(
            "refresh", "--source", str(EDITION_2024_03), "--out", out, "--notify", hook(receiver)
        ).exit_code
        == 0
    )
    assert (
        run("refresh", "--source", str(CURRENT), "--out", out, "--notify", hook(receiver)).exit_code
        == 0
    )
    assert (
        run("refresh", "--source", str(CURRENT), "--out", out, "--notify", hook(receiver)).exit_code
        == 0
    )
    first, change = posts(receiver)
    assert first["title"] == "NIM error codes: new catalogue: 254 records in 24 sections"
    assert change["title"] == (
        "NIM error codes changed: 20 added, 2 changed, 248 cosmetic; "
        "2 sections added, 22 sections renamed, 2 column headers renamed"
    )
    assert "107341" in change["message"]
    assert "101301" in change["message"]
    assert change["message"].index("101301") < change["message"].index("Cosmetic")


def test_urls_come_from_the_environment_too(receiver, tmp_path):
    result = run(
        "refresh",
        "--source",
        str(CURRENT),
        "--out",
        str(tmp_path),
        env={"NIM_SCRAPE_NOTIFY": hook(receiver)},
    )
    assert result.exit_code == 0
    assert len(posts(receiver)) == 1


def test_a_failing_job_is_notified_once_then_its_recovery(receiver, tmp_path):
    out = str(tmp_path)
    assert run("refresh", "--source", str(CURRENT), "--out", out).exit_code == 0
    receiver.expect_request("/page").respond_with_data("down", status=503)
    broken = receiver.url_for("/page")
    for _ in range(3):
        result = run(
            "refresh",
            "--source",
            broken,
            "--out",
            out,
            "--retries",
            "0",
            "--notify",
            hook(receiver),
        )
        assert result.exit_code == 3
    assert [p["title"] for p in posts(receiver)] == ["nim-scrape: the refresh is failing"]
    assert f"cannot fetch {broken}: HTTP 503" in posts(receiver)[0]["message"]
    kept = tmp_path / ".nim-scrape" / "last-failure"
    assert f"What the run received is kept in {kept}." in posts(receiver)[0]["message"]

    assert (
        run("refresh", "--source", str(CURRENT), "--out", out, "--notify", hook(receiver)).exit_code
        == 0
    )
    assert [p["title"] for p in posts(receiver)] == [
        "nim-scrape: the refresh is failing",
        "nim-scrape: the refresh works again",
    ]


def test_a_failed_notification_exits_6_keeps_the_catalogue_and_hides_the_secret(
    httpserver, tmp_path, caplog
):
    httpserver.expect_request("/hook", method="POST").respond_with_data("no", status=500)
    caplog.set_level(logging.DEBUG)
    url = hook(httpserver, "bot:s3cr3t-t0ken@")
    result = run("-v", "refresh", "--source", str(CURRENT), "--out", str(tmp_path), "--notify", url)
    assert result.exit_code == 6
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            f"Error: the catalogue is up to date, but notifying json://bot:****@localhost:{httpserver.port}/hook failed"
        )
    )
    assert (tmp_path / "nim_error_codes.json").exists()
    assert "s3cr3t-t0ken" not in result.output
    assert "s3cr3t-t0ken" not in caplog.text


def test_a_long_report_is_cut_to_what_the_service_takes(receiver):
    old = build(
        [(f"S{i}", [(i * 100 + j, f"message {j}", "说明") for j in range(60)]) for i in range(40)]
    )
    new = build(
        [
            (f"S{i}", [(i * 100 + j, f"message {j} v2", "说明已改") for j in range(60)])
            for i in range(40)
        ]
    )
    from nim_scrape.changes.diff import compare
    from nim_scrape.deliver.messages import change

    log = Path("site-data/nim/CHANGELOG.md")  # wherever --out put it
    send(change(compare(old, new), new, full_report=log), [hook(receiver)])
    (body,) = posts(receiver)
    assert len(body["message"].encode()) <= 32768
    assert body["message"].startswith("2400 changed")
    assert body["message"].rstrip().endswith(f"the full report is in {log}.")


def test_a_cut_report_with_no_change_log_names_none():
    fitted = fit("line\n" * 1000, 200)
    assert fitted.rstrip().endswith("more lines not shown.")
    assert "CHANGELOG" not in fitted


@pytest.mark.parametrize("budget", [2048, 4096, 100])
def test_fit_never_passes_the_budget(budget):
    text = "".join(
        f"~ 消息错误码 {107300 + i} 撤回消息超过时间限制。默认限制为 2 分钟\n" for i in range(400)
    )
    fitted = fit(text, budget)
    assert len(fitted.encode()) <= budget
    if budget > 200:
        assert fitted.startswith("~ 消息错误码 107300")
        assert "more lines not shown" in fitted


def test_fit_leaves_a_short_report_alone():
    assert fit("2 column headers renamed\n", 2048) == "2 column headers renamed\n"


def test_chat_services_that_take_text_get_the_text_report(receiver):
    message = Message(title="t", text="PLAIN", markdown="**MARKDOWN**")
    send(message, [hook(receiver)])  # apprise's json:// takes text first
    assert posts(receiver)[0]["message"] == "PLAIN"


@pytest.mark.vcr("live_page_then_not_modified.yaml")
def test_a_second_run_sends_if_none_match_and_stops_on_304(tmp_path, vcr):
    first = run("refresh", "--out", str(tmp_path))
    assert first.exit_code == 0, first.output
    second = run("-v", "refresh", "--out", str(tmp_path))
    assert (second.exit_code, second.stdout) == (0, "no changes\n")
    assert "unchanged: the server answered 304 Not Modified" in second.stderr
    assert vcr.requests[1].headers["If-None-Match"] == 'W/"a3f1-19ae1c2b4e8"'
    assert vcr.play_count == 2


def test_an_unchanged_page_in_the_2024_08_edition_still_notifies_header_renames(receiver, tmp_path):
    out = str(tmp_path)
    run("refresh", "--source", str(EDITION_2024_08), "--out", out)
    assert (
        run("refresh", "--source", str(CURRENT), "--out", out, "--notify", hook(receiver)).exit_code
        == 0
    )
    assert [p["title"] for p in posts(receiver)] == [
        "NIM error codes changed: 2 column headers renamed"
    ]
