from datetime import datetime, timedelta, timezone

from nim_scrape.changelog import HEADER, add_entry, entry
from nim_scrape.diff import compare

from .strategies import build


def test_first_entry_says_the_catalogue_was_created_on_the_page_date():
    catalogue = build([("S", [(1, "a", "b")])]).model_copy(
        update={
            "updated_at": datetime(2024, 10, 31, 15, 38, 33, tzinfo=timezone(timedelta(hours=8)))
        }
    )
    assert (
        entry(None, catalogue)
        == "## 2024-10-31 15:38:33+08:00\n\nCatalogue created: 1 records in 1 sections.\n"
    )


def test_a_page_without_a_date_gets_the_run_date():
    catalogue = build([("S", [(1, "a", "b")])])
    now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert entry(None, catalogue, now=now).startswith("## 2026-11-26 09:00:00+08:00\n")


def test_new_entries_go_on_top():
    a, b = build([("S", [(1, "a", "b")])]), build([("S", [(2, "a", "b")])])
    log = add_entry(None, "## one\n")
    log = add_entry(log, entry(compare(a, b), b, now=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    assert log.startswith(
        HEADER + "\n## 2026-01-01 00:00:00+00:00\n\n### Summary: 1 added, 1 removed\n"
    )
    assert log.endswith("\n## one\n")
