from datetime import datetime, timedelta, timezone

from nim_scrape.catalogue.models import Catalogue
from nim_scrape.changes.diff import compare
from nim_scrape.changes.report import build_report
from nim_scrape.deliver.changelog import HEADER, add_entry, entry

from .strategies import build

BEIJING = timezone(timedelta(hours=8))
ONE = build([("S", [(1, "a", "b")])])
DATED = ONE.model_copy(update={"updated_at": datetime(2024, 10, 31, 15, 38, 33, tzinfo=BEIJING)})
TWO = build([("S", [(2, "a", "b")])])
THREE = build([("S", [(3, "a", "b")])])
NEW_YEAR = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_first_entry_says_the_catalogue_was_created_on_the_page_date():
    expected = (
        "## 2024-10-31 15:38:33+08:00\n"
        f"<!-- nim-scrape: {ONE.content_hash} -->\n"
        "\n"
        "Catalogue created: 1 record in 1 section.\n"
    )
    assert expected == entry(None, DATED)


def test_a_page_without_a_date_gets_the_run_date():
    now = datetime(2026, 11, 26, 9, 0, tzinfo=BEIJING)
    expected = "## 2026-11-26 09:00:00+08:00\n"
    assert expected == entry(None, TWO, now=now).split("<!--")[0]


def test_a_change_entry_is_the_markdown_report_under_the_marker():
    expected = (
        "## 2026-01-01 00:00:00+00:00\n"
        f"<!-- nim-scrape: {TWO.content_hash} -->\n"
        "\n"
        "### Summary: 1 added, 1 removed\n"
        "\n"
        "#### Added\n"
        "\n"
        "| section | code | message | 说明 |\n"
        "| --- | --- | --- | --- |\n"
        "| S | 2 | a | b |\n"
        "\n"
        "#### Removed\n"
        "\n"
        "| section | code | message | 说明 |\n"
        "| --- | --- | --- | --- |\n"
        "| S | 1 | a | b |\n"
    )
    assert expected == entry(compare(ONE, TWO), TWO, now=NEW_YEAR)


def test_an_entry_may_carry_blocks_added_to_the_report():
    report = build_report(compare(ONE, TWO)).with_block("SDK audit", ["new: 2"], key="audit")
    expected = "\n#### SDK audit\n\n- new: 2\n"
    assert expected == entry(report, TWO, now=NEW_YEAR).split("| S | 1 | a | b |\n")[1]


def test_new_entries_go_on_top():
    first = entry(None, ONE)
    second = entry(compare(ONE, TWO), TWO, now=NEW_YEAR)
    assert f"{HEADER}\n{second}\n{first}" == add_entry(add_entry(None, first), second)


def test_an_edition_already_in_the_log_leaves_it_unchanged():
    first = entry(None, ONE)
    second = entry(compare(ONE, TWO), TWO, now=NEW_YEAR)
    log = add_entry(add_entry(None, first), second)
    # The run repeated (the top entry again), or the first edition's entry written anew by a
    # run that was killed and started over from the same old catalogue.
    again = (
        add_entry(log, entry(compare(ONE, TWO), TWO, now=datetime(2027, 1, 1, tzinfo=BEIJING))),
        add_entry(log, entry(None, ONE)),
    )
    assert (log, log) == again


def test_a_new_edition_is_added_even_when_its_report_reads_the_same():
    # The same rows under another anchor: the report reads the same, the content differs.
    moved = Catalogue.build(
        sections=TWO.sections,
        records=tuple(r.model_copy(update={"section_anchor": "s2"}) for r in TWO.records),
    )
    second = entry(compare(ONE, TWO), TWO, now=NEW_YEAR)
    third = entry(compare(ONE, moved), moved, now=NEW_YEAR)
    assert (second.split("-->")[1], f"{HEADER}\n{third}\n{second}") == (
        third.split("-->")[1],
        add_entry(add_entry(None, second), third),
    )
