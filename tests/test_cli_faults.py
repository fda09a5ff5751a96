"""Every way the page can fail to arrive, against real servers on 127.0.0.1: each ends with its
exit status and one line, and the catalogue files are byte-identical afterwards (#4). Retries
are counted at the server, and their waits recorded instead of slept (#9)."""

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from werkzeug import Response

from nim_scrape.errors import FetchError
from nim_scrape.fetch.http import FetchLimits, fetch_page

from .servers import drops_the_connection, never_answers, raw_server, truncates_the_body
from .support import CURRENT, run


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
    with raw_server(never_answers) as server:
        result = refresh_from(f"{server.url}/page", output, "--timeout", "0.5")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: cannot fetch {server.url}/page: timed out after 0.5 s (1 tries)"
    )


def test_a_dropped_connection(output):
    with raw_server(drops_the_connection) as server:
        result = refresh_from(f"{server.url}/page", output)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: cannot fetch {server.url}/page: the connection broke off"
    )


def test_a_truncated_body(output):
    with raw_server(truncates_the_body) as server:
        result = refresh_from(f"{server.url}/page", output)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: cannot fetch {server.url}/page: the connection broke off"
    )


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


def test_a_page_that_is_not_the_page_exits_4(httpserver, output):
    # One case end to end: which pages are not the page, and what each is called, is
    # test_parse_tables.py's (test_pages_without_error_code_tables_say_what_they_are).
    captcha = "<html><head><title>安全验证</title></head><body><p>请完成安全验证后继续访问</p><div class='geetest'></div></body></html>"
    httpserver.expect_request("/page").respond_with_data(captcha, content_type="text/html")
    url = httpserver.url_for("/page")
    result = refresh_from(url, output)
    assert result.exit_code == 4
    assert result.stderr.startswith(
        f"Error: {url} is not the NIM error-code page: a captcha or verification page"
    )
    assert "open the URL in a browser" in result.stderr


# -- retries, at the fetcher: the waits are recorded, not slept ----------------------------------


def fetch_recording_waits(url: str, limits: FetchLimits) -> list[float]:
    waits: list[float] = []
    fetch_page(url, limits=limits, sleep=waits.append)
    return waits


def test_503_then_200_is_retried_after_growing_waits(httpserver):
    httpserver.expect_ordered_request("/p").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/p").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/p").respond_with_data("<p>ok</p>", content_type="text/html")
    waits: list[float] = []
    page = fetch_page(
        httpserver.url_for("/p"), limits=FetchLimits(retries=3, backoff=1.5), sleep=waits.append
    )
    assert (page.text, waits, len(httpserver.log)) == ("<p>ok</p>", [1.5, 3.0], 3)


def http_date(seconds_from_now: float) -> str:
    return format_datetime(datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now), True)


@pytest.mark.parametrize(
    ("retry_after", "waited"),
    [("3600", 60.0), ("7", 7.0), (http_date(-3600), 0.0), ("soon", 0.5)],
    ids=["an hour: bounded", "seconds: honoured", "a date past: no wait", "junk: backoff"],
)
def test_429_retry_after_is_honoured_up_to_the_bound(httpserver, retry_after, waited):
    httpserver.expect_ordered_request("/p").respond_with_data(
        "slow down", status=429, headers={"Retry-After": retry_after}
    )
    httpserver.expect_ordered_request("/p").respond_with_data("<p>ok</p>", content_type="text/html")
    limits = FetchLimits(retries=1, backoff=0.5, max_retry_after=60, total_time=300)
    assert fetch_recording_waits(httpserver.url_for("/p"), limits) == [waited]
    assert len(httpserver.log) == 2


def test_a_retry_after_date_is_honoured(httpserver):
    httpserver.expect_ordered_request("/p").respond_with_data(
        "slow down", status=503, headers={"Retry-After": http_date(30)}
    )
    httpserver.expect_ordered_request("/p").respond_with_data("<p>ok</p>", content_type="text/html")
    limits = FetchLimits(retries=1, max_retry_after=60, total_time=300)
    [waited] = fetch_recording_waits(httpserver.url_for("/p"), limits)
    assert 25 < waited <= 30


def test_retries_stop_after_the_set_number_of_tries(httpserver):
    httpserver.expect_request("/p").respond_with_data("down", status=500)
    url = httpserver.url_for("/p")
    waits: list[float] = []
    with pytest.raises(FetchError) as info:
        fetch_page(url, limits=FetchLimits(retries=2, backoff=1), sleep=waits.append)
    assert info.value.message == f"cannot fetch {url}: HTTP 500 INTERNAL SERVER ERROR after 3 tries"
    assert (info.value.status, waits, len(httpserver.log)) == (500, [1.0, 2.0], 3)


def test_a_retry_after_past_the_total_time_stops_the_tries(httpserver):
    # Waiting two minutes would end past the 100 s bound: give up now rather than after.
    httpserver.expect_request("/p").respond_with_data(
        "busy", status=503, headers={"Retry-After": "120"}
    )
    url = httpserver.url_for("/p")
    waits: list[float] = []
    limits = FetchLimits(retries=5, max_retry_after=300, total_time=100)
    with pytest.raises(FetchError) as info:
        fetch_page(url, limits=limits, sleep=waits.append)
    assert info.value.message == (
        f"cannot fetch {url}: HTTP 503 SERVICE UNAVAILABLE after 1 tries, when the 100 s total "
        "time ran out"
    )
    assert (waits, len(httpserver.log)) == ([], 1)


def test_a_dropped_connection_is_retried_then_reported():
    waits: list[float] = []
    with raw_server(drops_the_connection) as server, pytest.raises(FetchError) as info:
        fetch_page(f"{server.url}/p", limits=FetchLimits(retries=2, backoff=1), sleep=waits.append)
    assert info.value.message.startswith(
        f"cannot fetch {server.url}/p: the connection broke off (Server disconnected"
    )
    assert (waits, len(server.requests)) == ([1.0, 2.0], 3)


def test_the_total_time_bound_stops_retrying():
    # Real time: each try times out after 0.4 s, so the 0.6 s bound allows two; ten retries
    # would take 4.4 s. The server counts the tries, the message names as many.
    limits = FetchLimits(timeout=0.4, retries=10, backoff=0, total_time=0.6)
    with raw_server(never_answers) as server, pytest.raises(FetchError) as info:
        fetch_page(f"{server.url}/p", limits=limits)
    tries = len(server.requests)
    assert 1 <= tries <= 3
    assert info.value.message == (
        f"cannot fetch {server.url}/p: timed out after 0.4 s ({tries} tries, when the 0.6 s "
        "total time ran out)"
    )
