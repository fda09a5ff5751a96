"""Broken pages never end in a traceback or a broken catalogue: each is refused with the
catalogue untouched, or written whole (#4, #9)."""

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nim_scrape.catalogue.store import load_catalogue
from nim_scrape.catalogue.text import normalize_space
from nim_scrape.changes.diff import compare
from nim_scrape.changes.guard import Thresholds
from nim_scrape.errors import FetchError, GuardRefused, PageError
from nim_scrape.fetch.http import FetchLimits, read_source
from nim_scrape.parse.tables import parse_page
from nim_scrape.pipeline import RefreshOptions, refresh

from .support import CURRENT

PAGE = CURRENT.read_text(encoding="utf-8")
PREVIOUS = parse_page(PAGE)
LIMITS = Thresholds()

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


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """An output folder holding the catalogue of the unmutated page, from that page's file."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "page.html").write_text(PAGE, encoding="utf-8")
    refresh(RefreshOptions(source=str(root / "page.html"), out=root / "out"))
    return root


def catalogue_files(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def blanked(changes) -> int:
    return sum(
        any(
            getattr(c.before, f).strip() and not getattr(c.after, f).strip()
            for f in ("message", "description")
        )
        for c in changes.changed
    )


@given(operations)
# Each example is a whole refresh (about 0.2 s): 100 of them cover the four outcomes well.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_mutated_page_is_refused_untouched_or_written_whole(template, ops):
    """The refresh job on a mutated page either refuses it (not the page: exit 4; implausible:
    exit 5), leaving every catalogue file byte-identical, or writes a catalogue that reads back
    as written, holds only normalised text, and lost no more than the guard allows."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        shutil.copytree(template, root, dirs_exist_ok=True)
        out = root / "out"
        before = catalogue_files(out)
        (root / "page.html").write_text(mutate(PAGE, ops), encoding="utf-8")
        try:
            result = refresh(RefreshOptions(source=str(root / "page.html"), out=out))
        except (PageError, GuardRefused) as exc:
            event(f"refused: {type(exc).__name__}")
            assert catalogue_files(out) == before
            return
        written = load_catalogue((out / "nim_error_codes.json").read_bytes())
    event("written")
    assert written == result.catalogue
    for record in written.records:
        for text in (record.section, record.message, record.description):
            assert text == normalize_space(text)
        assert record.section
    changes = compare(PREVIOUS, written)
    total = len(PREVIOUS.records)
    assert len(changes.sections_removed) <= LIMITS.max_sections_removed
    assert len(changes.removed) <= LIMITS.max_records_removed_share * total
    assert blanked(changes) <= LIMITS.max_blanked_share * total


@given(st.text(max_size=300))
@settings(max_examples=150)
def test_random_text_is_not_the_page(text):
    with pytest.raises(PageError):
        parse_page(text)


def test_a_deeply_nested_page_without_tables_is_not_the_page():
    html = "<html><body>" + "<div>" * 50_000 + "x" + "</div>" * 50_000 + "</body></html>"
    with pytest.raises(PageError):
        parse_page(html)


def test_tables_under_deep_nesting_still_parse():
    start, end = PAGE.index("<article"), PAGE.index("</article>")
    html = PAGE[:start] + "<div>" * 5_000 + PAGE[start:end] + "</div>" * 5_000 + PAGE[end:]
    catalogue = parse_page(html)
    assert (catalogue.sections, catalogue.records) == (PREVIOUS.sections, PREVIOUS.records)


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
