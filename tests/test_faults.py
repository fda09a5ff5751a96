"""Every way the page can fail to arrive, against real servers on 127.0.0.1: each ends with its
exit status and one line, and the catalogue files are byte-identical afterwards (#4)."""

import pytest
from click.testing import CliRunner
from werkzeug import Response

from nim_scrape.cli import cli
from nim_scrape.fetch import FetchLimits, fetch_page

from .servers import drops_the_connection, never_answers, raw_server, truncates_the_body
from .support import CURRENT


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def output(tmp_path):
    out = tmp_path / "output"
    assert run("refresh", "--source", str(CURRENT), "--out", str(out)).exit_code == 0
    return out


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def refresh_from(url: str, out, *extra: str):
    before = snapshot(out)
    result = run(
        "refresh", "--source", url, "--out", str(out), "--retries", "0", "--timeout", "2", *extra
    )
    assert snapshot(out) == before, "a failed refresh changed the catalogue"
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, "INTERNAL SERVER ERROR"), (503, "SERVICE UNAVAILABLE"), (429, "TOO MANY REQUESTS")],
)
def test_server_errors_exit_3(httpserver, output, status, reason):
    httpserver.expect_request("/page").respond_with_data("busy", status=status)
    url = httpserver.url_for("/page")
    result = refresh_from(url, output)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: cannot fetch {url}: HTTP {status} {reason} after 1 tries"
    )


def test_404_exits_3_without_retrying(httpserver, output):
    httpserver.expect_request("/page").respond_with_data("gone", status=404)
    url = httpserver.url_for("/page")
    result = run("refresh", "--source", url, "--out", str(output), "--retries", "3")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: cannot fetch {url}: HTTP 404 NOT FOUND")
    assert len(httpserver.log) == 1


def test_a_server_that_never_answers_times_out(output):
    with raw_server(never_answers) as base:
        result = refresh_from(f"{base}/page", output, "--timeout", "0.5")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: cannot fetch {base}/page: timed out after 0.5 s (1 tries)"
    )


def test_a_dropped_connection(output):
    with raw_server(drops_the_connection) as base:
        result = refresh_from(f"{base}/page", output)
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: cannot fetch {base}/page: the connection broke off")


def test_a_truncated_body(output):
    with raw_server(truncates_the_body) as base:
        result = refresh_from(f"{base}/page", output)
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: cannot fetch {base}/page: the connection broke off")


def test_a_redirect_loop(httpserver, output):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    url = httpserver.url_for("/a")
    result = refresh_from(url, output)
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: cannot fetch {url}: more than 5 redirects")


def test_a_64_mib_body_is_cut_off_while_streaming(httpserver, output):
    chunk = b"<p>" + b"x" * (1024 * 1024 - 3)

    def stream():
        for _ in range(64):
            yield chunk

    # No Content-Length: the cap must hold while the body streams in, not only up front.
    httpserver.expect_request("/big").respond_with_response(
        Response(stream(), content_type="text/html")
    )
    url = httpserver.url_for("/big")
    result = refresh_from(url, output)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: cannot fetch {url}: the body passed the 33554432-byte limit"
    )


def test_a_declared_64_mib_body_is_refused_before_reading(httpserver, output):
    httpserver.expect_request("/big").respond_with_data(
        b"x" * (64 * 1024 * 1024), content_type="text/html"
    )
    url = httpserver.url_for("/big")
    result = refresh_from(url, output)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: cannot fetch {url}: the body is 67108864 bytes, over the 33554432-byte limit"
    )


def test_a_gbk_page_without_a_charset_header_is_read_from_its_meta(httpserver, tmp_path):
    gbk = (CURRENT.parent / "variants" / "gbk-meta.html").read_bytes()
    httpserver.expect_request("/gbk").respond_with_data(gbk, content_type="text/html")
    out = tmp_path / "gbk"
    result = run("refresh", "--source", httpserver.url_for("/gbk"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "nim_error_codes.csv").read_bytes() == run_to_csv(CURRENT)


def run_to_csv(source) -> bytes:
    return (
        run("parse", str(source), "--format", "csv")
        .stdout_bytes.replace(b"\n", b"\r\n")
        .replace(b"\r\r\n", b"\r\n")
    )


@pytest.mark.parametrize(
    ("body", "content_type", "seen"),
    [
        (
            "<html><head><title>安全验证</title></head><body><p>请完成安全验证后继续访问</p><div class='geetest'></div></body></html>",
            "text/html",
            "a captcha or verification page",
        ),
        (
            "<html><head><title>网易云信 - 登录</title></head><body><form><input name=u><input type=password name=p></form></body></html>",
            "text/html",
            "a login page",
        ),
        (
            "<html><head><title>错误码</title></head><body><div id=app></div><noscript>请启用 JavaScript 后查看</noscript><script src=/app.js></script></body></html>",
            "text/html",
            "a script-only shell",
        ),
        (
            "<html><head><title>页面不存在</title></head><body><h1>页面不存在</h1><p>您访问的页面已被删除或不存在，请检查链接。</p></body></html>",
            "text/html",
            "an error page served as a success",
        ),
        ('{"code": 500, "msg": "internal error"}', "application/json", "the body is not HTML"),
        ("<html><body><p>这里没有表格</p></body></html>", "text/html", "no error-code tables"),
    ],
    ids=["captcha", "login", "script shell", "error page with 200", "json", "no tables"],
)
def test_pages_that_are_not_the_page_exit_4(httpserver, output, body, content_type, seen):
    httpserver.expect_request("/page").respond_with_data(body, content_type=content_type)
    url = httpserver.url_for("/page")
    result = refresh_from(url, output)
    assert result.exit_code == 4
    assert result.stderr.startswith(f"Error: {url} is not the NIM error-code page: {seen}")
    assert "open the URL in a browser" in result.stderr


# -- retries, at the fetcher: backoff set to zero so the tests do not sleep ------------------------

NO_WAIT = FetchLimits(timeout=2, retries=2, backoff=0, max_retry_after=0.05)


def test_503_then_200_is_retried(httpserver):
    httpserver.expect_ordered_request("/p").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/p").respond_with_data("<p>ok</p>", content_type="text/html")
    assert fetch_page(httpserver.url_for("/p"), limits=NO_WAIT).text == "<p>ok</p>"
    assert len(httpserver.log) == 2


def test_429_retry_after_is_honoured_up_to_the_bound(httpserver):
    # Retry-After of an hour: the bound (max_retry_after) keeps the wait short.
    httpserver.expect_ordered_request("/p").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    httpserver.expect_ordered_request("/p").respond_with_data("<p>ok</p>", content_type="text/html")
    assert fetch_page(httpserver.url_for("/p"), limits=NO_WAIT).text == "<p>ok</p>"


def test_retries_stop_after_the_set_number_of_tries(httpserver):
    httpserver.expect_request("/p").respond_with_data("down", status=500)
    with pytest.raises(Exception, match="after 3 tries"):
        fetch_page(httpserver.url_for("/p"), limits=NO_WAIT)
    assert len(httpserver.log) == 3


def test_a_dropped_connection_is_retried_then_reported():
    with (
        raw_server(drops_the_connection) as base,
        pytest.raises(Exception, match="the connection broke off"),
    ):
        fetch_page(f"{base}/p", limits=NO_WAIT)


def test_the_total_time_bound_stops_retrying():
    limits = FetchLimits(timeout=0.3, retries=10, backoff=0, total_time=0.5)
    with raw_server(never_answers) as base, pytest.raises(Exception, match="timed out"):
        fetch_page(f"{base}/p", limits=limits)
