from nim_scrape.changes.diff import compare
from nim_scrape.changes.report import build_report
from nim_scrape.deliver.messages import Message, change

from .strategies import build

ONE = build([("S", [(1, "a", "b")])])
TWO = build([("S", [(1, "a", "b"), (2, "c_d", "e")])])
URL = ONE.page_url


def test_a_first_run_is_announced_with_its_size():
    expected = Message(
        title="NIM error codes: new catalogue: 1 record in 1 section",
        text=f"new catalogue: 1 record in 1 section\n\n{URL}\n",
        markdown=f"### NIM error codes: new catalogue: 1 record in 1 section\n\n{URL}\n",
    )
    assert expected == change(None, ONE)


def test_a_change_is_announced_with_the_report_and_its_extra_blocks():
    report = build_report(compare(ONE, TWO)).with_block("SDK audit", ["new: 2"], key="audit")
    expected = Message(
        title="NIM error codes changed: 1 added",
        text=f"1 added\n\nAdded\n  + S 2 c_d: e\n\nSDK audit\n  new: 2\n\n{URL}\n",
        markdown=(
            "### NIM error codes: 1 added\n\n#### Added\n\n"
            "| section | code | message | 说明 |\n| --- | --- | --- | --- |\n| S | 2 | c\\_d | e |\n"
            f"\n#### SDK audit\n\n- new: 2\n\n{URL}\n"
        ),
    )
    assert expected == change(report, TWO)
