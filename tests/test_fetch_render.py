"""Client-rendered pages rendered by the real Chromium, served from 127.0.0.1 (#10)."""

from __future__ import annotations

import socket
import sys
import time

import pytest

from nim_scrape.errors import FetchError, UsageError
from nim_scrape.fetch.render import render_html
from nim_scrape.parse.tables import parse_page

from .browser import Requests, require_browser
from .support import CURRENT, FIXTURES

SHAPES = FIXTURES / "shapes"
TIMEOUT = 30.0

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def recorded():
    return parse_page(CURRENT.read_text(encoding="utf-8"))


@pytest.fixture
def browser():
    require_browser()


def serve(httpserver, name: str, content_type: str = "text/html; charset=utf-8") -> str:
    httpserver.expect_request(f"/{name}").respond_with_data(
        (SHAPES / name).read_bytes(), content_type=content_type
    )
    httpserver.expect_request("/static/css/app.7f3a9c.css").respond_with_data(
        "body{}", content_type="text/css"
    )
    return httpserver.url_for(f"/{name}")


def assert_same_catalogue(html: str, recorded) -> None:
    catalogue = parse_page(html)
    assert [s.title for s in catalogue.sections] == [s.title for s in recorded.sections]
    assert catalogue.records == recorded.records
    assert catalogue.content_hash == recorded.content_hash
    assert catalogue.updated_at == recorded.updated_at


def test_page_building_its_tables_from_inline_data_renders_to_the_recorded_records(
    browser, httpserver, recorded
):
    url = serve(httpserver, "client-rendered-inline.html")
    requests = Requests()
    html = render_html(url, timeout=TIMEOUT, on_request=requests)
    assert_same_catalogue(html, recorded)
    assert url in requests
    assert requests.leaving_localhost() == []


def test_page_fetching_its_data_from_its_server_renders_to_the_recorded_records(
    browser, httpserver, recorded
):
    url = serve(httpserver, "client-rendered-fetch.html")
    data_url = serve(httpserver, "client-rendered-data.json", "application/json")
    requests = Requests()
    html = render_html(url, timeout=TIMEOUT, on_request=requests)
    assert_same_catalogue(html, recorded)
    assert data_url in requests
    assert requests.leaving_localhost() == []


def test_page_that_never_builds_a_table_is_a_fetch_error_within_the_timeout(browser, httpserver):
    httpserver.expect_request("/shell").respond_with_data(
        '<!DOCTYPE html><title>doc</title><div id="app"></div>'
        "<script>setInterval(function () { document.title = Date.now(); }, 100);</script>",
        content_type="text/html",
    )
    url = httpserver.url_for("/shell")
    asked: list[float] = []
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no table appeared within 3 s") as caught:
        render_html(url, timeout=3, on_request=lambda _: asked.append(time.monotonic()))
    # It waited the whole timeout, and no longer than it from the page's request (the browser
    # is up by then) to the error, plus closing the browser.
    assert time.monotonic() - started >= 3
    assert time.monotonic() - asked[0] < 3 + 2
    assert caught.value.url == url
    assert caught.value.exit_code == 3


def test_http_error_in_the_browser_is_a_fetch_error_with_its_status(browser, httpserver):
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    url = httpserver.url_for("/gone")
    with pytest.raises(FetchError, match="answered HTTP 404") as caught:
        render_html(url, timeout=TIMEOUT)
    assert caught.value.status == 404


def test_unreachable_page_is_a_fetch_error(browser):
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"http://127.0.0.1:{port}/page"
    with pytest.raises(FetchError, match="could not be loaded in the browser") as caught:
        render_html(url, timeout=TIMEOUT)
    assert caught.value.url == url


def test_local_file_renders(browser, recorded):
    html = render_html(str(SHAPES / "client-rendered-inline.html"), timeout=TIMEOUT)
    assert_same_catalogue(html, recorded)


def test_no_browser_is_a_usage_error_naming_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("NIM_SCRAPE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(UsageError) as caught:
        render_html("http://127.0.0.1:9/page", timeout=1)
    message = str(caught.value)
    assert "no-such-chromium does not exist" in message
    assert "pip install 'nim-scrape[render]'" in message
    assert "apt-get install chromium" in message
    assert caught.value.exit_code == 2


def test_no_browser_on_path_is_a_usage_error(monkeypatch, tmp_path):
    monkeypatch.delenv("NIM_SCRAPE_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match="no Chromium or Chrome found on PATH"):
        render_html("http://127.0.0.1:9/page", timeout=1)


def test_no_playwright_is_a_usage_error_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    with pytest.raises(UsageError, match=r"needs Playwright .*pip install 'nim-scrape\[render\]'"):
        render_html("http://127.0.0.1:9/page", timeout=1)
