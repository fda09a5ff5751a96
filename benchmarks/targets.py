"""The benchmark's targets, checked on the rows measured, and each row's peer."""

from __future__ import annotations

from measurements import (
    COMPARE,
    COMPARE_FILES,
    COMPARE_FILES_COMPACT,
    CSV_DIFF_FILES,
    CSV_DIFF_MEMORY,
    CSV_DIFF_PROCESS,
    DIFF,
    DIFF_COMPACT,
    INVALID,
    PANDAS,
    PARSE,
    PARSE_PAGE,
    READ_HTML,
)
from runner import Check, Row, find, ratio

# Which row each of ours is shown beside ("vs peer" in the table).
PEERS = {
    PARSE: PANDAS,
    PARSE_PAGE: READ_HTML,
    DIFF: CSV_DIFF_PROCESS,
    COMPARE_FILES: CSV_DIFF_FILES,
    COMPARE: CSV_DIFF_MEMORY,
    DIFF_COMPACT: CSV_DIFF_PROCESS,
    COMPARE_FILES_COMPACT: CSV_DIFF_FILES,
    INVALID: CSV_DIFF_PROCESS,
}

# The diff targets are set for catalogues of about 300,000 records: the x1000 page.
DIFF_SCALE = 1000


def parse_against_pandas(rows: list[Row]) -> list[Check]:
    checks = []
    for scale, limit in ((1, 0.75), (100, 1.25)):
        value = ratio(rows, PARSE, PANDAS, scale)
        if value is not None:
            name = f"parse x{scale}, process: at most {limit}x pandas"
            checks.append(Check(name, f"{value:.2f}x", value <= limit))
    return checks


def parse_at_scale(rows: list[Row]) -> list[Check]:
    small, large = find(rows, PARSE, 100), find(rows, PARSE, 1000)
    if not (small and large and large.peak_mb is not None):
        return []
    growth = large.median / small.median
    return [
        Check("parse x1000 at most 12x the x100 time", f"{growth:.1f}x", growth <= 12),
        Check(
            "parse x1000 peak memory under 2 GB", f"{large.peak_mb:,.0f} MB", large.peak_mb < 2048
        ),
    ]


def diff_process(rows: list[Row], top: int) -> list[Check]:
    """Two catalogue files diffed: under 10 s, at most 0.6x csv-diff's time on the same
    records, and in less memory than csv-diff."""
    ours, theirs = find(rows, DIFF, top), find(rows, CSV_DIFF_PROCESS, top)
    if not (ours and theirs):
        return []
    checks = [
        Check(f"diff x{top}, process: under 10 s", f"{ours.median:.2f} s", ours.median < 10),
        Check(
            f"diff x{top}, process: at most 0.6x csv-diff",
            f"{ours.median / theirs.median:.2f}x",
            ours.median <= 0.6 * theirs.median,
        ),
    ]
    if ours.peak_mb is not None and theirs.peak_mb is not None:
        name = f"diff x{top}, process: less peak memory than csv-diff ({theirs.peak_mb:,.0f} MB)"
        checks.append(Check(name, f"{ours.peak_mb:,.0f} MB", ours.peak_mb < theirs.peak_mb))
    return checks


def diff_from_files(rows: list[Row], top: int) -> list[Check]:
    value = ratio(rows, COMPARE_FILES, CSV_DIFF_FILES, top)
    if value is None:
        return []
    name = f"diff x{top}, in-process from the files: faster than csv-diff"
    return [Check(name, f"{value:.2f}x", value < 1)]


def compact_diff(rows: list[Row], top: int) -> list[Check]:
    """The diff is near-linear for any valid input: a catalogue re-serialised by
    ``json.dump`` diffs, as a process, at most in csv-diff's time on the same records."""
    value = ratio(rows, DIFF_COMPACT, CSV_DIFF_PROCESS, top)
    if value is None:
        return []
    name = f"compact json.dump diff at most 1.0x csv-diff (x{top}, process)"
    return [Check(name, f"{value:.2f}x", value <= 1)]


def invalid_refused(rows: list[Row], top: int) -> list[Check]:
    """An invalid catalogue fails at its first problem, not after reading everything: refused
    in at most a fifth of csv-diff's whole diff."""
    value = ratio(rows, INVALID, CSV_DIFF_PROCESS, top)
    if value is None:
        return []
    name = f"an invalid catalogue refused in at most 0.2x csv-diff's diff (x{top}, process)"
    return [Check(name, f"{value:.2f}x", value <= 0.2)]


def check(rows: list[Row], scales: list[int]) -> list[Check]:
    checks = parse_against_pandas(rows) + parse_at_scale(rows)
    top = max(scales)
    if top < DIFF_SCALE:
        return checks
    return (
        checks
        + diff_process(rows, top)
        + diff_from_files(rows, top)
        + compact_diff(rows, top)
        + invalid_refused(rows, top)
    )
