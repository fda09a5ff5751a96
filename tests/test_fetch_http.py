import codecs
import urllib.parse

import pytest

from nim_scrape.about import DEFAULT_PAGE_URL
from nim_scrape.errors import FetchError, PageError, UsageError
from nim_scrape.fetch.http import (
    USER_AGENT,
    FetchLimits,
    check_source,
    decode_body,
    fetch_page,
    read_source,
)
from nim_scrape.parse.tables import parse_page

from .support import CURRENT, run

FAST = FetchLimits(timeout=2, retries=0, backoff=0)


# The cassette is each test's default cassette, not an extra one (``vcr("name")``): so
# ``--record-mode=rewrite`` re-records into that very file (tests/fixtures/README.md).


@pytest.mark.default_cassette("live_page.yaml")
@pytest.mark.vcr
def test_live_page_is_replayed_from_the_cassette(vcr):
    page = fetch_page(DEFAULT_PAGE_URL)
    assert page.status == 200
    # The fixture file opens with the note that marks it a reconstruction; the page served
    # from the cassette is the same without it.
    note, served = CURRENT.read_text(encoding="utf-8").split("\n", 1)
    assert note.startswith("<!-- RECONSTRUCTION, not a recording")
    assert page.text == served
    assert page.etag == 'W/"a3f1-19ae1c2b4e8"'
    assert page.last_modified == "Thu, 31 Oct 2024 07:38:33 GMT"
    assert vcr.play_count == 1


@pytest.mark.default_cassette("live_page_then_not_modified.yaml")
@pytest.mark.vcr
def test_a_conditional_get_of_the_live_page_is_replayed_from_the_cassette(vcr):
    first = fetch_page(DEFAULT_PAGE_URL)
    again = fetch_page(DEFAULT_PAGE_URL, etag=first.etag)
    assert (first.status, again.status, again.not_modified) == (200, 304, True)
    assert vcr.requests[1].headers["If-None-Match"] == first.etag
    assert vcr.play_count == 2


def test_local_file_is_a_source():
    page = read_source(str(CURRENT))
    assert page.url == str(CURRENT)
    assert "通用状态码" in page.text
    assert page.body_size == CURRENT.stat().st_size


# -- sources that cannot be used: usage errors, found before anything is fetched (#9) -------------

HINT = "(pass an http(s) URL, a file: URL or a local HTML file)"


def test_a_missing_local_file_is_a_usage_error(tmp_path):
    missing = tmp_path / "missing.html"
    with pytest.raises(UsageError) as info:
        read_source(str(missing))
    assert str(info.value) == f"cannot read {missing}: no such file {HINT}"
    result = run("parse", str(missing))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: cannot read {missing}: no such file {HINT}\n"


def test_a_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError) as info:
        check_source(str(tmp_path))
    assert info.value.message == f"cannot read {tmp_path}: it is a folder"
    result = run("parse", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: cannot read {tmp_path}: it is a folder {HINT}\n"


def test_refresh_from_a_missing_file_exits_2_and_leaves_the_catalogue(tmp_path):
    out = tmp_path / "out"
    assert run("refresh", "--source", str(CURRENT), "--out", str(out)).exit_code == 0
    before = (out / "nim_error_codes.json").read_bytes()
    missing = tmp_path / "missing.html"
    result = run("refresh", "--source", str(missing), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr == f"Error: cannot read {missing}: no such file {HINT}\n"
    assert (out / "nim_error_codes.json").read_bytes() == before


@pytest.fixture
def odd_name(tmp_path):
    """The page under a name that needs percent-encoding in a URL."""
    page = tmp_path / "错误码 page#1.html"
    page.write_bytes(CURRENT.read_bytes())
    return page


@pytest.mark.parametrize(
    "spell",
    [
        lambda p: "file://" + urllib.parse.quote(str(p)),
        lambda p: "file:" + urllib.parse.quote(str(p)),
        lambda p: "file://localhost" + urllib.parse.quote(str(p)),
        lambda p: "FILE://" + urllib.parse.quote(str(p)),
    ],
    ids=["file:///", "file:/", "file://localhost/", "upper case"],
)
def test_a_file_url_is_a_path(odd_name, spell):
    url = spell(odd_name)
    assert "%20" in url
    check_source(url)
    page = read_source(url)
    assert (page.url, page.body_size) == (str(odd_name), CURRENT.stat().st_size)
    assert run("parse", url).stdout == run("parse", str(CURRENT)).stdout


def test_a_file_url_of_a_missing_file_is_a_usage_error(tmp_path):
    url = f"file://{tmp_path}/missing.html"
    with pytest.raises(UsageError) as info:
        check_source(url)
    assert info.value.message == f"cannot read {url}: no such file"


def test_a_file_url_on_another_host_is_a_usage_error():
    with pytest.raises(UsageError) as info:
        check_source("file://tmp/page.html")
    assert str(info.value) == (
        "cannot read file://tmp/page.html: 'tmp' is not this machine "
        "(a local file's URL has three slashes: file:///path/to/page.html)"
    )


def test_a_local_file_with_a_colon_in_its_name_is_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page:2024.html").write_bytes(CURRENT.read_bytes())
    assert read_source("page:2024.html").body_size == CURRENT.stat().st_size


@pytest.mark.parametrize(
    ("source", "scheme"),
    [
        ("ftp://example.com/page.html", "ftp"),
        ("data:text/html,<table></table>", "data"),
        ("javascript:alert(1)", "javascript"),
        ("HTTPS+evil://example.com/", "https+evil"),
    ],
    ids=["ftp", "data", "javascript", "unknown"],
)
def test_other_schemes_are_usage_errors(httpserver, source, scheme):
    with pytest.raises(UsageError) as info:
        read_source(source)
    assert info.value.message == f"cannot read {source}: the {scheme}: scheme is not supported"
    result = run("parse", source)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: cannot read {source}: the {scheme}: scheme is not supported {HINT}\n"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://[::1]:99999/page", "Port out of range 0-65535"),
        ("https://", "it names no host"),
        ("http:///page.html", "it names no host"),
        ("http://x:abc/", "Port could not be cast to integer value as 'abc'"),
        ("http://☃.com/", "Invalid IDNA hostname: '☃.com'"),
    ],
    ids=["unclosed bracket", "port out of range", "no host", "three slashes", "port", "idna"],
)
def test_a_malformed_url_is_a_usage_error_not_a_traceback(url, reason):
    with pytest.raises(UsageError) as info:
        check_source(url)
    assert info.value.message == f"{url} is not a valid URL: {reason}"
    with pytest.raises(UsageError):
        fetch_page(url, limits=FAST)
    result = run("parse", url)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {url} is not a valid URL: {reason} {HINT}\n"


def test_check_source_fetches_nothing(httpserver):
    httpserver.expect_request("/page").respond_with_data("<p>ok</p>")
    check_source(httpserver.url_for("/page"))
    assert httpserver.log == []


def test_a_very_long_data_url_is_shortened_in_the_message():
    source = "data:text/html," + "x" * 10_000
    with pytest.raises(UsageError) as info:
        check_source(source)
    assert info.value.message == (f"cannot read {source[:119]}…: the data: scheme is not supported")


# -- fetching ------------------------------------------------------------------------------------


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


# -- decoding (#9) --------------------------------------------------------------------------------

GBK_PAGE = '<html><head><meta charset="gbk"></head><body>错误码</body></html>'.encode("gbk")
UTF16_PAGE = '<html><head><meta charset="utf-16"></head><body>错误码</body></html>'


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (GBK_PAGE, "text/html"),
        (GBK_PAGE, "text/html; charset=utf-8"),
        (GBK_PAGE, "text/html; charset=iso-8859-1"),
        (GBK_PAGE.replace(b' charset="gbk"', b""), "text/html"),
        ("<p>错误码</p>".encode("gb2312"), "text/html; charset=GB2312"),
        ("\ufeff<p>错误码</p>".encode(), None),
        ("\ufeff<p>错误码</p>".encode(), "text/html; charset=gbk"),
        (codecs.BOM_UTF16_LE + UTF16_PAGE.encode("utf-16-le"), "text/html; charset=gbk"),
        (codecs.BOM_UTF16_BE + UTF16_PAGE.encode("utf-16-be"), "text/html; charset=utf-8"),
        (UTF16_PAGE.encode("utf-16-le"), "text/html; charset=UTF-16"),
    ],
    ids=[
        "gbk meta only",
        "gbk meta, header lies",
        "gbk meta, latin-1 header",
        "gbk undeclared",
        "gb2312 header",
        "utf-8 bom",
        "utf-8 bom beats a gbk header",
        "utf-16 le bom beats a gbk header",
        "utf-16 be bom beats a utf-8 header",
        "utf-16 header without bom",
    ],
)
def test_charset_from_bom_header_or_meta(body, content_type):
    text = decode_body(body, content_type)
    assert "错误码" in text
    assert "\ufeff" not in text


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)],
    ids=["utf-16 le", "utf-16 be"],
)
def test_a_utf16_page_with_a_bom_gives_the_same_records(tmp_path, encoding, bom):
    """The page's <meta charset="utf-8"> and a wrong header both lose to the BOM."""
    path = tmp_path / "page.html"
    path.write_bytes(bom + CURRENT.read_text(encoding="utf-8").encode(encoding))
    page = read_source(path)
    assert page.text == decode_body(CURRENT.read_bytes(), None)
    assert decode_body(path.read_bytes(), "text/html; charset=iso-8859-1") == page.text
    records = parse_page(page.text).records
    assert len(records) == 274
    assert records == parse_page(CURRENT.read_text(encoding="utf-8")).records


@pytest.mark.parametrize(
    ("body", "content_type", "offset"),
    [
        (b"<p>ok</p><p>\xff</p>", None, 12),
        # Valid GB18030, but mojibake: a UTF-8 page with its last byte cut off is refused.
        ("<p>错误码：内部错误</p>".encode()[:-5] + b"x</p>", "text/html", 24),
        (b"<p>" + "错误码".encode()[:-1] + b"</p>", "text/html; charset=utf-8", 9),
        (
            codecs.BOM_UTF16_LE + "<p>错误码</p>".encode("utf-16-le")[:-1],
            "text/html; charset=utf-8",
            20,
        ),
    ],
    ids=["invalid byte", "utf-8 cut mid-character", "declared utf-8", "odd-length utf-16"],
)
def test_bytes_that_fit_no_encoding_are_refused_naming_the_offset(body, content_type, offset):
    with pytest.raises(PageError, match=rf"page.html: .* at byte {offset} ") as info:
        decode_body(body, content_type, source="page.html")
    assert info.value.hint.endswith(f"look at byte {offset}")


def test_an_undecodable_file_exits_4_naming_the_byte(tmp_path):
    path = tmp_path / "page.html"
    body = CURRENT.read_bytes()
    at = body.index("通用状态码".encode())
    path.write_bytes(body[:at] + b"\xff" + body[at:])
    result = run("parse", str(path))
    assert result.exit_code == 4
    assert result.stdout == ""
    assert f"utf-8 fails at byte {at} (invalid start byte)" in result.stderr
    assert "\ufffd" not in result.output
