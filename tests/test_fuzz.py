"""Broken pages never end in a traceback: each parses, or fails with exit 4 or 5 (#4)."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nim_scrape.diff import compare
from nim_scrape.errors import FetchError, NimScrapeError, PageError
from nim_scrape.fetch import FetchLimits, read_source
from nim_scrape.guard import check
from nim_scrape.parse import parse_page

from .support import CURRENT

PAGE = CURRENT.read_text(encoding="utf-8")
PREVIOUS = parse_page(PAGE)

PATTERNS = {
    "row": re.compile(r"<tr>.*?</tr>\n?", re.S),
    "cell": re.compile(r"<t[dh][^>]*>.*?</t[dh]>"),
    "tag": re.compile(r"<[^<>]+>"),
}

operations = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "delete row",
                "duplicate row",
                "delete cell",
                "duplicate cell",
                "swap tags",
                "insert text",
                "cut",
            ]
        ),
        st.integers(min_value=0, max_value=10**6),
        st.integers(min_value=0, max_value=10**6),
        st.text(max_size=20),
    ),
    min_size=1,
    max_size=8,
)


def mutate(html: str, ops) -> str:
    for name, i, j, text in ops:
        kind = {"row": "row", "cell": "cell", "tag": "tag"}.get(name.split()[-1], "tag")
        spans = [m.span() for m in PATTERNS[kind].finditer(html)]
        if not spans:
            continue
        start, end = spans[i % len(spans)]
        if name.startswith("delete"):
            html = html[:start] + html[end:]
        elif name.startswith("duplicate"):
            html = html[:end] + html[start:end] + html[end:]
        elif name == "swap tags":
            other_start, other_end = spans[j % len(spans)]
            if (start, end) != (other_start, other_end):
                (a, b), (c, d) = sorted([(start, end), (other_start, other_end)])
                html = html[:a] + html[c:d] + html[b:c] + html[a:b] + html[d:]
        elif name == "insert text":
            html = html[:start] + text + html[start:]
        elif name == "cut":
            html = html[: i % max(1, len(html))]
    return html


def run_job(html: str) -> None:
    """What refresh does with a page once it has it: parse, diff, guard."""
    catalogue = parse_page(html)
    check(PREVIOUS, compare(PREVIOUS, catalogue))


@given(operations)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_pages_parse_or_fail_with_exit_4_or_5(ops):
    try:
        run_job(mutate(PAGE, ops))
    except NimScrapeError as exc:
        exit_code = exc.exit_code
    else:
        exit_code = 0
    assert exit_code in (0, 4, 5)


@given(st.text(max_size=300))
@settings(max_examples=150)
def test_random_text_is_not_the_page(text):
    with pytest.raises(PageError):
        parse_page(text)


def test_a_deeply_nested_page_without_tables_is_not_the_page():
    html = "<html><body>" + "<div>" * 50_000 + "x" + "</div>" * 50_000 + "</body></html>"
    with pytest.raises(PageError):
        parse_page(html)


def test_tables_under_deep_nesting_still_parse_or_fail_cleanly():
    start, end = PAGE.index("<article"), PAGE.index("</article>")
    html = PAGE[:start] + "<div>" * 5_000 + PAGE[start:end] + "</div>" * 5_000 + PAGE[end:]
    try:
        catalogue = parse_page(html)
    except PageError:
        return
    assert len(catalogue.records) == 274


def test_a_huge_page_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.html"
    with huge.open("wb") as fp:
        fp.truncate(40 * 1024 * 1024)
    with pytest.raises(FetchError, match="over the 33554432-byte limit"):
        read_source(str(huge), limits=FetchLimits())


def test_a_flat_page_of_junk_is_not_the_page():
    html = "<html><body>" + "<p>噪声 noise</p>" * 50_000 + "</body></html>"
    with pytest.raises(PageError, match="no error-code tables"):
        parse_page(html)
