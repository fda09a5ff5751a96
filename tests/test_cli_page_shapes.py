"""Every shape the page may come in reaches the catalogue through the command line (#10)."""

from __future__ import annotations

import json

import pytest

from .browser import require_browser
from .support import CURRENT, FIXTURES, run

SHAPES = FIXTURES / "shapes"

SERVED = [
    ("nuxt-state.html", "nuxt-state"),
    ("nuxt-state-variant.html", "nuxt-state"),
    ("next-data.html", "next-data"),
    ("next-data-variant.html", "next-data"),
    ("initial-state.html", "initial-state"),
    ("initial-state-variant.html", "initial-state"),
    ("json-state.json", "json-state"),
    ("nim-error-codes.md", "markdown"),
    ("nim-error-codes-variant.md", "markdown"),
]


@pytest.fixture(scope="module")
def recorded():
    return json.loads(run("parse", str(CURRENT)).stdout)


@pytest.mark.parametrize(("name", "shape"), SERVED, ids=[name for name, _ in SERVED])
def test_each_shape_parses_to_the_recorded_records_and_says_its_shape(name, shape, recorded):
    result = run("-v", "parse", str(SHAPES / name))
    assert result.exit_code == 0, result.stderr
    catalogue = json.loads(result.stdout)
    assert catalogue["source_shape"] == shape
    assert catalogue["records"] == recorded["records"]
    assert catalogue["content_hash"] == recorded["content_hash"]
    assert f"nim-scrape: the page came as {shape}\n" in result.stderr


def test_the_recorded_page_is_html(recorded):
    assert recorded["source_shape"] == "html"


def test_a_script_only_shell_exits_4_naming_render():
    result = run("parse", str(SHAPES / "client-rendered-inline.html"))
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {SHAPES / 'client-rendered-inline.html'} is not the NIM error-code page as "
        "served: its scripts build the tables (pass --render to run them in headless Chromium)\n"
    )


def test_refresh_from_server_state_finds_the_same_catalogue_as_the_html_page(refreshed):
    out = refreshed("2024-03-13")
    result = run("-v", "refresh", "--source", str(SHAPES / "nuxt-state.html"), "--out", str(out))
    assert result.exit_code == 0
    assert result.stdout.startswith("20 added, 2 changed, 248 cosmetic")
    assert "nim-scrape: the page came as nuxt-state\n" in result.stderr
    written = json.loads((out / "nim_error_codes.json").read_text(encoding="utf-8"))
    assert written["source_shape"] == "nuxt-state"
    html = run("refresh", "--source", str(CURRENT), "--out", str(out), "--exit-code")
    assert (html.exit_code, html.stdout) == (0, "no changes\n")


@pytest.mark.slow
def test_parse_render_reads_a_client_rendered_page_served_locally(httpserver, recorded):
    require_browser()
    for name in ("client-rendered-fetch.html", "client-rendered-inline.html"):
        httpserver.expect_request(f"/{name}").respond_with_data(
            (SHAPES / name).read_bytes(), content_type="text/html; charset=utf-8"
        )
    httpserver.expect_request("/client-rendered-data.json").respond_with_data(
        (SHAPES / "client-rendered-data.json").read_bytes(), content_type="application/json"
    )
    url = httpserver.url_for("/client-rendered-fetch.html")
    result = run("parse", "--render", url)
    assert result.exit_code == 0, result.stderr
    catalogue = json.loads(result.stdout)
    assert (catalogue["source_shape"], catalogue["records"]) == ("rendered", recorded["records"])
    asked = {request.path for request, _ in httpserver.log}
    assert {"/client-rendered-fetch.html", "/client-rendered-data.json"} <= asked


@pytest.mark.slow
def test_refresh_render_writes_the_rendered_catalogue(refreshed, recorded):
    require_browser()
    out = refreshed("2024-03-13")
    page = SHAPES / "client-rendered-inline.html"
    result = run("refresh", "--render", "--source", str(page), "--out", str(out), "--exit-code")
    assert result.exit_code == 1, result.stderr
    assert result.stdout.startswith("20 added, 2 changed, 248 cosmetic")
    written = json.loads((out / "nim_error_codes.json").read_text(encoding="utf-8"))
    assert (written["source_shape"], written["records"]) == ("rendered", recorded["records"])


NAMELESS = FIXTURES / "variants" / "no-section-names.html"


def test_a_page_naming_no_section_keeps_the_catalogues_names(refreshed, recorded):
    out = refreshed("2024-10-31")
    result = run("refresh", "--source", str(NAMELESS), "--out", str(out), "--exit-code")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "no changes\n"
        "the page names no section: 26 section names kept from the catalogue, matched by their rows\n"
    )
    written = json.loads((out / "nim_error_codes.json").read_text(encoding="utf-8"))
    assert [s["title"] for s in written["sections"]] == [s["title"] for s in recorded["sections"]]
    assert written["records"] == recorded["records"]
    assert "the page names no section: 26 names kept from the catalogue" in result.stderr


def test_with_no_catalogue_a_nameless_page_gets_numbered_sections(tmp_path):
    result = run("refresh", "--source", str(NAMELESS), "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    written = json.loads((tmp_path / "nim_error_codes.json").read_text(encoding="utf-8"))
    titles = [s["title"] for s in written["sections"]]
    assert titles[:2] == ["table 1", "table 2"]
    assert "错误码" not in titles


def test_the_same_content_in_another_shape_touches_no_file(tmp_path):
    first = run("refresh", "--source", str(SHAPES / "json-state.json"), "--out", str(tmp_path))
    assert first.exit_code == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.glob("*") if p.is_file()}
    again = run("refresh", "--source", str(CURRENT), "--out", str(tmp_path), "--exit-code")
    assert (again.exit_code, again.stdout) == (0, "no changes\n")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.glob("*") if p.is_file()}
    assert after == before
    forced = run("refresh", "--source", str(CURRENT), "--out", str(tmp_path), "--force")
    assert forced.exit_code == 0
    written = json.loads((tmp_path / "nim_error_codes.json").read_text(encoding="utf-8"))
    assert written["source_shape"] == "html"


STATE_PAGE = (
    "<html><head><title>Status Codes</title></head><body><div id='app'></div><script>"
    'window.__INITIAL_STATE__ = {"doc": {"html": "<h2 id=\\"codes\\">Codes</h2><table><tr>'
    "<th>Status code</th><th>Description</th></tr><tr><td>200</td><td>The operation "
    "succeeded.</td></tr><tr><td>302</td><td>Incorrect user name or password.</td></tr>"
    '</table>"}};</script><script src="/app.js"></script></body></html>'
)


def test_state_holding_a_table_of_other_column_names_is_the_article(tmp_path):
    """The article finder knows a code column by the parser's own words (Status code here)."""
    source = tmp_path / "state.html"
    source.write_text(STATE_PAGE, encoding="utf-8")
    result = run("-v", "parse", str(source))
    assert result.exit_code == 0, result.stderr
    catalogue = json.loads(result.stdout)
    assert catalogue["source_shape"] == "initial-state"
    assert [(r["section"], r["code"], r["description"]) for r in catalogue["records"]] == [
        ("Codes", 200, "The operation succeeded."),
        ("Codes", 302, "Incorrect user name or password."),
    ]


def test_a_shell_whose_table_header_says_login_is_still_a_shell(tmp_path):
    """A header row quoted in the diagnosis may hold the word login: the page is no login page
    for that, and running its scripts is still the way to its tables."""
    source = tmp_path / "shell.html"
    source.write_text(
        "<html><head><title>Docs</title></head><body><div id='app'></div>"
        f"<p>{'Loading the documentation. ' * 10}</p>"
        "<table><tr><th>login</th><th>help</th></tr></table>"
        "<script src='/app.js'></script></body></html>",
        encoding="utf-8",
    )
    result = run("parse", str(source))
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {source} is not the NIM error-code page as served: its scripts build the "
        "tables (pass --render to run them in headless Chromium)\n"
    )
