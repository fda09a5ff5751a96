import pytest

from nim_scrape.errors import FetchError
from nim_scrape.fetch import USER_AGENT, FetchLimits, decode_body, fetch_page, read_source
from nim_scrape.models import DEFAULT_PAGE_URL

from .support import CURRENT, FIXTURES

FAST = FetchLimits(timeout=2, retries=0, backoff=0)


@pytest.mark.vcr("live_page.yaml")
def test_live_page_is_replayed_from_the_cassette():
    page = fetch_page(DEFAULT_PAGE_URL)
    assert page.status == 200
    assert page.text == CURRENT.read_text(encoding="utf-8")
    assert page.etag == 'W/"a3f1-19ae1c2b4e8"'
    assert page.last_modified == "Thu, 31 Oct 2024 07:38:33 GMT"


def test_local_file_is_a_source():
    page = read_source(str(CURRENT))
    assert page.url == str(CURRENT)
    assert "通用状态码" in page.text
    assert page.body_size == CURRENT.stat().st_size


def test_missing_local_file_is_a_fetch_error(tmp_path):
    with pytest.raises(FetchError, match=r"cannot read .*missing.html"):
        read_source(str(tmp_path / "missing.html"))


def test_sends_a_descriptive_user_agent_and_follows_redirects(httpserver):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new", headers={"User-Agent": USER_AGENT}).respond_with_data(
        "<p>ok</p>", content_type="text/html; charset=utf-8"
    )
    page = fetch_page(httpserver.url_for("/old"), limits=FAST)
    assert (page.url, page.text) == (httpserver.url_for("/new"), "<p>ok</p>")


def test_http_404_raises_fetch_error_naming_url_and_status(httpserver):
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    url = httpserver.url_for("/gone")
    with pytest.raises(FetchError, match=rf"cannot fetch {url}: HTTP 404 NOT FOUND") as info:
        fetch_page(url, limits=FAST)
    assert info.value.status == 404


GBK_PAGE = '<html><head><meta charset="gbk"></head><body>错误码</body></html>'.encode("gbk")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (GBK_PAGE, "text/html"),
        (GBK_PAGE, "text/html; charset=utf-8"),
        (GBK_PAGE, "text/html; charset=iso-8859-1"),
        ("<p>错误码</p>".encode("gb2312"), "text/html; charset=GB2312"),
        ("\ufeff<p>错误码</p>".encode(), None),
    ],
    ids=["meta only", "header lies", "latin-1 header", "gb2312 header", "utf-8 bom"],
)
def test_charset_from_header_bom_or_meta(body, content_type):
    assert "错误码" in decode_body(body, content_type)
    assert "\ufeff" not in decode_body(body, content_type)


def test_gbk_fixture_decodes_from_its_meta():
    page = read_source(FIXTURES / "variants" / "gbk-meta.html")
    assert "通用状态码" in page.text
