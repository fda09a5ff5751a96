"""A failed refresh keeps what it received, and the saved body reproduces the failure (#10)."""

from __future__ import annotations

import json

from .support import CURRENT, run

CAPTCHA = (
    "<html><head><title>安全验证</title></head><body><div id='captcha'>"
    "请完成安全验证：拖动滑块完成拼图</div></body></html>"
)


def failure(out):
    folder = out / ".nim-scrape" / "last-failure"
    return folder, json.loads((folder / "failure.json").read_text(encoding="utf-8"))


def test_a_page_that_is_not_the_page_is_kept_with_its_headers_masked(httpserver, refreshed):
    out = refreshed("2024-10-31")
    httpserver.expect_request("/errors").respond_with_data(
        CAPTCHA,
        content_type="text/html; charset=utf-8",
        headers={"Set-Cookie": "sid=s3cr3t", "X-Request-Id": "abc"},
    )
    url = httpserver.url_for("/errors")
    result = run("refresh", "--source", url, "--out", str(out), "--retries", "0")
    assert result.exit_code == 4
    folder, saved = failure(out)
    assert (saved["url"], saved["status"], saved["exit_status"]) == (url, 200, 4)
    assert saved["error"] == result.stderr.removeprefix("Error: ").strip()
    headers = {name.lower(): value for name, value in saved["headers"]}
    assert (headers["set-cookie"], headers["x-request-id"]) == ("****", "abc")
    assert (folder / "body.html").read_text(encoding="utf-8") == CAPTCHA
    assert saved["reproduce"] == f"nim-scrape parse {folder / 'body.html'}"
    again = run("parse", str(folder / "body.html"))
    assert again.exit_code == 4
    assert "a captcha or verification page" in again.stderr
    assert "s3cr3t" not in (folder / "failure.json").read_text(encoding="utf-8")


def test_an_http_error_keeps_the_status_and_the_start_of_the_body(httpserver, refreshed):
    out = refreshed("2024-10-31")
    httpserver.expect_request("/errors").respond_with_data(
        "<h1>503 Service Unavailable</h1>" + "x" * 400_000, status=503, content_type="text/html"
    )
    url = httpserver.url_for("/errors")
    assert run("refresh", "--source", url, "--out", str(out), "--retries", "0").exit_code == 3
    folder, saved = failure(out)
    assert (saved["status"], saved["exit_status"]) == (503, 3)
    body = (folder / saved["body_file"]).read_bytes()
    assert body.startswith(b"<h1>503 Service Unavailable</h1>")
    assert len(body) == 256 * 1024


def test_a_refused_page_is_kept_and_its_diff_shows_what_was_refused(refreshed, tmp_path):
    out = refreshed("2024-10-31")
    half = tmp_path / "half.html"
    html = CURRENT.read_text(encoding="utf-8")
    half.write_text(html[: html.index("<h2", len(html) // 3)] + "</body></html>", encoding="utf-8")
    result = run("refresh", "--source", str(half), "--out", str(out))
    assert result.exit_code == 5
    folder, saved = failure(out)
    body = folder / "body.html"
    assert body.read_bytes() == half.read_bytes()
    assert saved["reproduce"] == f"nim-scrape diff {out / 'nim_error_codes.json'} {body}"
    shown = run(*saved["reproduce"].split()[1:])
    assert shown.exit_code == 0
    assert "removed" in shown.stdout.splitlines()[0]


def test_a_run_that_cannot_connect_keeps_the_error_without_a_body(refreshed):
    out = refreshed("2024-10-31")
    url = "http://127.0.0.1:9/errors"
    assert run("refresh", "--source", url, "--out", str(out), "--retries", "0").exit_code == 3
    folder, saved = failure(out)
    assert (saved["source"], saved["exit_status"]) == (url, 3)
    assert saved["error"].startswith(f"cannot fetch {url}: cannot connect")
    assert sorted(p.name for p in folder.iterdir()) == ["failure.json"]


def test_the_run_folder_is_ignored_by_git(refreshed):
    out = refreshed("2024-10-31")
    assert (out / ".nim-scrape" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
