"""``nim-scrape site``: the search page, driven in a real headless Chromium (#13).

The browser is Debian's chromium, launched by Playwright for Python (no browser download).
Without it these tests skip, saying why; under CI=true they fail. Every page is loaded with a
route that lets through only the page itself, so a request to anywhere else is seen.
"""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from nim_scrape.catalogue.models import Catalogue, Link, Record, Section
from nim_scrape.catalogue.store import read_catalogue
from nim_scrape.fetch.render import CHROMIUM_ARGS, find_chromium
from nim_scrape.outputs.history import read_history
from nim_scrape.outputs.site import render_site

from .browser import require_browser
from .support import run

REAL = Path(__file__).parent.parent / "output" / "nim_error_codes.json"
LIMIT = 600 * 1024


@pytest.fixture(scope="module")
def browser():
    """The Chromium ``--render`` uses, launched the same way (skips, or fails under CI=true)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=find_chromium(), args=list(CHROMIUM_ARGS)
        )
        yield launched
        launched.close()


class Visit:
    """A page of one browser context, with what it logged and asked for."""

    def __init__(self, context, url: str):
        self.context, self.url = context, url
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.route("**/*", self._route)

    def _console(self, message):
        if message.type in ("error", "warning"):
            self.errors.append(f"{message.type}: {message.text}")

    def _route(self, route):
        self.requests.append(route.request.url)
        own = route.request.url.split("?", 1)[0].split("#", 1)[0] == self.url
        route.continue_() if own else route.abort()

    def open(self, query: str = ""):
        self.page.goto(self.url + query)
        return self.page

    def shown(self) -> list[str]:
        return self.page.locator("#codes tbody tr:not([hidden]) td.code .t").all_inner_texts()


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = run("site", "--catalogue", str(REAL), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out / 'index.html'}\n"
    return out / "index.html"


@pytest.fixture
def visit(browser):
    opened = []

    def open_page(target: Path | str, **context_options) -> Visit:
        context = browser.new_context(**context_options)
        opened.append(context)
        return Visit(context, target.as_uri() if isinstance(target, Path) else target)

    yield open_page
    for context in opened:
        context.close()


@pytest.fixture
def served(httpserver, real_site):
    """The page as GitHub Pages would serve it: over HTTP, on 127.0.0.1."""
    httpserver.expect_request("/nim/index.html").respond_with_data(
        real_site.read_bytes(), content_type="text/html; charset=utf-8"
    )
    return httpserver.url_for("/nim/index.html")


def test_the_real_catalogue_makes_a_page_within_the_size_limit(real_site):
    assert len(read_catalogue(REAL).records) == 274
    assert real_site.stat().st_size <= LIMIT
    soup = BeautifulSoup(real_site.read_text(encoding="utf-8"), "html.parser")
    assert len(soup.select("#codes tbody tr")) == 274
    assert not soup.select("link[rel=stylesheet], script[src], img[src^=http], iframe")


def test_a_query_in_the_address_shows_both_meanings(visit, real_site):
    seen = visit(real_site)
    page = seen.open("?q=103451")
    assert seen.shown() == ["103451", "103451"]
    rows = page.locator("#codes tbody tr:not([hidden])")
    assert rows.locator("td").nth(1).inner_text() == "user profile hit antispam"
    assert rows.nth(1).locator("td").nth(1).inner_text() == "friend application not exist"
    assert page.locator("#codes tbody tr[hidden]").count() == 272
    assert page.locator("#q").input_value() == "103451"
    assert page.locator("#count").inner_text() == "2 of 274 records"
    assert rows.first.locator(".flag").inner_text() == "2 meanings"
    assert seen.errors == []
    assert seen.requests == [seen.url + "?q=103451"]


def flags(page) -> list[tuple[str, str]]:
    """The code and flag of each row shown, as the user reads them."""
    rows = page.locator("#codes tbody tr:not([hidden])")
    return [
        (row.locator("td.code .t").inner_text(), row.locator(".flag").inner_text())
        for row in rows.all()
    ]


def test_a_code_with_the_same_meaning_in_two_sections_says_where_not_meanings(visit, real_site):
    seen = visit(real_site)
    page = seen.open("?q=101301")
    assert flags(page) == [("101301", "in 2 sections"), ("101301", "in 2 sections")]
    assert page.locator("#codes tbody tr:not([hidden]) td.sec").all_inner_texts() == [
        "应用错误码",
        "登录错误码",
    ]
    assert "meanings" not in page.locator("#codes tbody tr:not([hidden])").first.inner_text()
    # 102404 is in three sections with two meanings: the meanings are what it says.
    page = seen.open("?q=102404")
    assert flags(page) == [("102404", "2 meanings")] * 3
    page.locator("#codes tbody tr:not([hidden]) .flag").first.click()  # shows them all
    assert page.locator("#q").input_value() == "102404"
    assert seen.errors == []


def test_a_cosmetic_difference_is_no_second_meaning(visit, tmp_path):
    def record(section: str, code: int, message: str, description: str) -> Record:
        return Record(
            section=section,
            code=code,
            message=message,
            description=description,
            section_anchor=section,
        )

    catalogue = Catalogue.build(
        sections=tuple(
            Section(
                title=t,
                anchor=t,
                url=f"https://example.invalid/p#{t}",
                headers=("code", "desc", "说明"),
                record_count=2,
            )
            for t in ("甲", "乙")
        ),
        records=(
            record("甲", 5, "user blocked", "用户被封禁"),
            record("甲", 6, "not found", "不存在。"),
            record("乙", 5, "user  blocked", "用户被封禁。"),  # a space and a 。 more
            record("乙", 6, "no such team", "群不存在。"),
        ),
    )
    path = tmp_path / "index.html"
    path.write_text(render_site(catalogue), encoding="utf-8")
    seen = visit(path)
    page = seen.open()
    assert flags(page) == [
        ("5", "in 2 sections"),
        ("6", "2 meanings"),
        ("5", "in 2 sections"),
        ("6", "2 meanings"),
    ]
    assert seen.errors == []


def test_typing_and_picking_a_section_filter_and_are_kept_in_the_address(visit, served):
    served_visit = visit(served)  # over HTTP, as published
    page = served_visit.open()
    assert page.locator("#count").inner_text() == "274 records"
    page.locator("#q").fill("Disabled")  # case ignored
    english = served_visit.shown()
    assert "107341" in english
    assert "101301" in english
    page.locator("#section").select_option("消息错误码")
    in_section = served_visit.shown()
    assert "107341" in in_section
    assert "101301" not in in_section
    assert set(in_section) < set(english)
    assert page.locator("#count").inner_text() == f"{len(in_section)} of 274 records"
    assert page.url == served + "?q=Disabled&section=%E6%B6%88%E6%81%AF%E9%94%99%E8%AF%AF%E7%A0%81"
    page.locator("#q").fill("未开通 消息")  # words in any order, each anywhere
    assert "107341" in served_visit.shown()
    page.locator("#q").fill("no such thing at all")
    assert served_visit.shown() == []
    assert page.locator("#empty").is_visible()
    page.reload()  # the address holds the search
    assert page.locator("#q").input_value() == "no such thing at all"
    assert page.locator("#section").input_value() == "消息错误码"
    assert served_visit.errors == []
    assert {url.split("?")[0] for url in served_visit.requests} == {served}


def test_a_row_links_to_its_section_on_the_vendor_page(visit, real_site):
    seen = visit(real_site)
    page = seen.open("?q=107341")
    link = page.locator("#codes tbody tr:not([hidden]) td.sec a")
    assert link.inner_text() == "消息错误码"
    sections = {s.title: s.url for s in read_catalogue(REAL).sections}
    assert link.get_attribute("href") == sections["消息错误码"]
    assert link.get_attribute("href").startswith(
        "https://doc.yunxin.163.com/messaging2/client-apis/DUxNjU3MzU?platform=client#"
    )


def test_the_keyboard_alone_searches_and_filters(visit, real_site):
    seen = visit(real_site)
    page = seen.open()

    def focused() -> str:
        return page.evaluate("document.activeElement.id || document.activeElement.textContent")

    page.keyboard.press("Tab")
    assert focused() == "Skip to the codes"
    page.keyboard.press("/")
    assert focused() == "q"
    page.keyboard.type("103451")
    assert seen.shown() == ["103451", "103451"]
    page.keyboard.press("Tab")
    assert focused() == "section"
    page.keyboard.press("ArrowDown")  # the first section, where 103451 is not
    assert page.locator("#section").input_value() == "通用状态码"
    assert seen.shown() == []
    page.keyboard.press("ArrowUp")
    assert seen.shown() == ["103451", "103451"]
    page.keyboard.press("Tab")  # hidden rows are skipped: the first row shown is next
    assert focused() == "2 meanings"
    page.keyboard.press("Tab")
    assert focused() == "用户资料错误码"
    assert seen.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_light_and_dark_and_a_phone_screen(visit, real_site, scheme):
    seen = visit(real_site, color_scheme=scheme, viewport={"width": 390, "height": 800})
    page = seen.open("?q=103451")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(13, 17, 23)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert seen.shown() == ["103451", "103451"]
    assert seen.errors == []


# -- the catalogue's text is data, never markup --------------------------------------------------

EVIL = '</script><script>window.pwned = 1</script><img src=https://evil.invalid/x.png onerror="window.pwned = 2">'
HOSTILE = Catalogue.build(
    sections=(
        Section(
            title='节"><b>粗</b>',
            anchor="a",
            url="javascript:window.pwned=3",
            headers=("code", "desc", "说明"),
            record_count=2,
        ),
        Section(
            title="@@ROWS@@",
            anchor="b",
            url="https://example.invalid/p#b",
            headers=("code", "desc", "说明"),
            record_count=1,
        ),
    ),
    records=(
        Record(section='节"><b>粗</b>', code=1, message=EVIL, description="x", section_anchor="a"),
        Record(
            section='节"><b>粗</b>',
            code=2,
            message="<!-- comment",
            description="see the link here",
            section_anchor="a",
            links=(
                Link(text="link", href="javascript:window.pwned=4"),
                Link(text="here", href="https://example.invalid/ok"),
            ),
        ),
        Record(section="@@ROWS@@", code=3, message="@@META@@", description="y", section_anchor="b"),
    ),
)


def test_hostile_text_is_shown_as_text_and_runs_nothing(visit, tmp_path):
    path = tmp_path / "index.html"
    path.write_text(render_site(HOSTILE), encoding="utf-8")
    seen = visit(path)
    page = seen.open()
    assert page.evaluate("window.pwned") is None
    assert seen.shown() == ["1", "2", "3"]
    cells = page.locator("#codes tbody td:nth-child(2)").all_inner_texts()
    assert cells == [EVIL, "<!-- comment", "@@META@@"]
    assert page.locator("#codes tbody td.sec").all_inner_texts() == [
        '节"><b>粗</b>',
        '节"><b>粗</b>',
        "@@ROWS@@",
    ]
    # No javascript: link is made; a web link in the description is.
    hrefs = page.locator("#codes a[href]").evaluate_all("els => els.map(e => e.href)")
    assert not [href for href in hrefs if href.startswith("javascript:")]
    assert "https://example.invalid/ok" in hrefs
    page.locator("#q").fill("script")
    assert seen.shown() == ["1"]
    assert seen.requests == [seen.url]  # the <img> never became an image
    assert seen.errors == []


# -- badges from the history ---------------------------------------------------------------------


def test_rows_of_the_latest_edition_carry_a_dated_badge(history_repo, visit, tmp_path):
    catalogue = history_repo / "X" / "nim_error_codes.json"
    result = run("site", "--catalogue", str(catalogue), "--out", str(tmp_path))
    assert result.exit_code == 0
    soup = BeautifulSoup((tmp_path / "index.html").read_text(encoding="utf-8"), "html.parser")
    badges = {}
    for row in soup.select("#codes tbody tr"):
        badge = row.select_one(".badge")
        if badge:
            badges.setdefault(badge.get_text(), set()).add(int(row.select_one(".t").get_text()))
    # 20 added, 2 changed (101301 in two sections); the 248 cosmetic changes get none.
    assert {text: len(codes) for text, codes in badges.items()} == {
        "new 2024-10-31": 20,
        "changed 2024-10-31": 1,
    }
    assert 107341 in badges["new 2024-10-31"]
    assert badges["changed 2024-10-31"] == {101301}
    assert "latest change 2024-10-31: 20 added, 2 changed" in soup.select_one(".meta").get_text()
    seen = visit(tmp_path / "index.html")
    page = seen.open("?recent=1")
    assert page.locator("#recent").is_checked()
    assert len(seen.shown()) == 22
    assert seen.errors == []


def test_a_catalogue_outside_git_gets_a_page_without_badges(refreshed, tmp_path):
    out = refreshed("2024-10-31")
    result = run("site", "--catalogue", str(out / "nim_error_codes.json"), "--out", str(tmp_path))
    assert result.exit_code == 0
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'class="badge' not in html
    assert 'id="recent"' not in html


def test_badges_follow_the_history(history_repo):
    catalogue = read_catalogue(history_repo / "X" / "nim_error_codes.json")
    with_history = render_site(
        catalogue, history=read_history(history_repo / "X" / "nim_error_codes.json")
    )
    assert with_history.count('class="badge new"') == 20
    assert render_site(catalogue).count('class="badge') == 0


def test_a_job_of_several_pages_makes_one_page_with_a_filter_per_page(visit, tmp_path, monkeypatch):
    from .support import FIXTURES

    v1 = FIXTURES / "pages" / "commsease-status-codes.html"
    config = tmp_path / "nim-scrape.toml"
    config.write_text(
        f'[[page]]\nname = "v1"\nsource = "{v1}"\n\n[[page]]\nname = "v2"\nsource = "v2.html"\n',
        encoding="utf-8",
    )
    (tmp_path / "v2.html").write_bytes((FIXTURES / "nim-error-codes-2024-10-31.html").read_bytes())
    monkeypatch.chdir(tmp_path)
    assert run("refresh").exit_code == 0
    result = run("site", "--out", "site")
    assert (result.exit_code, result.stdout) == (0, f"wrote {Path('site') / 'index.html'}\n")

    seen = visit(tmp_path / "site" / "index.html")
    page = seen.open("?q=403")
    shown = page.locator("#codes tbody tr:not([hidden]) td.sec").all_inner_texts()
    assert {text.split(" · ")[0] for text in shown} == {"v1", "v2"}
    page.locator("#section").select_option("v1")  # a page whole
    assert {
        t.split(" · ")[0]
        for t in page.locator("#codes tbody tr:not([hidden]) td.sec").all_inner_texts()
    } == {"v1"}
    page.locator("#q").fill("")
    assert page.locator("#count").inner_text() == "23 of 297 records"
    page.locator("#section").select_option("v2 · 通用错误码")  # one section of one page
    assert seen.shown()
    assert all(
        t.startswith("v2 · 通用错误码")
        for t in page.locator("#codes tbody tr:not([hidden]) td.sec").all_inner_texts()
    )
    assert seen.errors == []
