"""What the parser relies on in the streaming adapter over beautifulsoup4's private state (#11).

If a bs4 release changes ``currentTag``, ``_most_recent_element`` or when ``handle_endtag`` is
called, these tests fail first, by name; pyproject.toml's range for beautifulsoup4 is the one
they were run against, lowest version included.
"""

import weakref

from bs4.filter import SoupStrainer

from nim_scrape.parse._bs4_stream import stream

KEPT = SoupStrainer(["h2", "table", "a"])


def handed(markup: str) -> list[str]:
    """Each element handed over, as its name and text at the moment it was handed."""
    seen: list[str] = []
    stream(markup, lambda tag: seen.append(f"{tag.name}:{tag.get_text('|')}"), only=KEPT)
    return seen


def test_kept_elements_are_handed_over_in_page_order():
    markup = (
        "<html><body><div class='chrome'><a href='/'>home</a></div>"
        "<h2>S1</h2><p>intro</p><table><tr><td>1</td><td>a</td></tr></table>"
        "<div><h2>S2</h2><div><table><tr><td>2</td><td>b</td></tr></table></div></div>"
        "</body></html>"
    )
    assert handed(markup) == ["a:home", "h2:S1", "table:1|a", "h2:S2", "table:2|b"]


def test_an_element_is_freed_before_the_next_one_is_handed_over():
    refs: list[weakref.ref] = []
    alive_when_handed: list[list[bool]] = []

    def take(tag):
        alive_when_handed.append([ref() is not None for ref in refs])
        refs.append(weakref.ref(tag))

    rows = "".join(f"<tr><td>{i}</td><td>x</td></tr>" for i in range(50))
    stream(f"<body>{f'<table>{rows}</table>' * 4}</body>", take, only=KEPT)
    # Each table is gone by the time the next is handed over: one table in memory at a time.
    assert alive_when_handed == [[], [False], [False, False], [False, False, False]]


def test_the_leftovers_of_a_truncated_page_are_handed_over_at_the_end():
    markup = "<body><h2>S</h2><table><tr><td>1</td><td>a</td></tr><tr><td>2</td><td>b"
    assert handed(markup) == ["h2:S", "table:1|a|2|b"]


def test_a_nested_table_is_handed_over_with_the_table_around_it():
    markup = (
        "<body><table><tr><td>1</td><td><table><tr><td>in</td></tr></table>after</td></tr>"
        "<tr><td>2</td><td><a href='#x'>link</a></td></tr></table></body>"
    )
    assert handed(markup) == ["table:1|in|after|2|link"]


def test_a_page_of_one_short_line_is_read_without_a_warning(recwarn):
    assert handed("https://example.com/page") == []
    assert [str(w.message) for w in recwarn] == []
