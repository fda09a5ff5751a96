"""What the benchmark measures, each measurement one function returning one row of the table.

A page measurement takes the pages, the scale, the runs and the work folder; a diff measurement
takes the two catalogues of the largest scale and the runs. ``run`` measures them all.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from pages import Catalogues, Pages, load_csv, serve, write_catalogues, write_pages
from runner import (
    CSV_DIFF,
    MAX_BYTES,
    NIM_SCRAPE,
    ROOT,
    Row,
    measure_call,
    measure_process,
    run_child,
    settle,
)

PANDAS_SCRIPT = str(ROOT / "benchmarks" / "pandas_read_html.py")

# The rows' names, as the table (and the README's copy of it) shows them.
PARSE = "nim-scrape parse (process)"
PANDAS = "pandas.read_html script (process)"
PARSE_PAGE = "parse_page (in-process)"
READ_HTML = "pandas.read_html (in-process)"
REFRESH = "nim-scrape refresh, replayed (process)"
DIFF = "nim-scrape diff (process)"
CSV_DIFF_PROCESS = "csv-diff (process)"
COMPARE_FILES = "compare_files, from the files (in-process)"
CSV_DIFF_FILES = "csv_diff load_csv + compare, from the files (in-process)"
COMPARE = "compare, catalogues in memory (in-process)"
CSV_DIFF_MEMORY = "csv_diff.compare, rows in memory (in-process)"
DIFF_COMPACT = "nim-scrape diff, compact json.dump (process)"
COMPARE_FILES_COMPACT = "compare_files, compact json.dump (in-process)"
INVALID = "nim-scrape diff, an invalid catalogue refused (process)"


# -- parse and refresh, at every scale -------------------------------------------------------------


def parse_process(pages: Pages, scale: int, repeat: int, work: Path) -> Row:
    page = str(pages[(scale, "current")])
    argv = [NIM_SCRAPE, "parse", page, "--format", "csv", "--max-bytes", MAX_BYTES]
    return measure_process(PARSE, scale, repeat, argv)


def pandas_process(pages: Pages, scale: int, repeat: int, work: Path) -> Row:
    page = str(pages[(scale, "current")])
    argv = [sys.executable, PANDAS_SCRIPT, page, str(work / "pandas.csv")]
    return measure_process(PANDAS, scale, repeat, argv)


def parse_in_process(pages: Pages, scale: int, repeat: int, work: Path) -> Row:
    from nim_scrape.parse.tables import parse_page

    text = pages[(scale, "current")].read_text(encoding="utf-8")
    return measure_call(PARSE_PAGE, scale, repeat, lambda: parse_page(text))


def pandas_in_process(pages: Pages, scale: int, repeat: int, work: Path) -> Row:
    import pandas as pd

    page = pages[(scale, "current")]
    return measure_call(READ_HTML, scale, repeat, lambda: pd.read_html(page))


def refresh_replayed(pages: Pages, scale: int, repeat: int, work: Path) -> Row:
    """A refresh of the page served from 127.0.0.1 over a catalogue of the previous edition,
    each run on a fresh copy of that catalogue without its run state."""
    from nim_scrape.catalogue.store import OutputFolder

    seeded, out = work / f"seed-x{scale}", work / f"out-x{scale}"
    shutil.rmtree(seeded, ignore_errors=True)
    previous = str(pages[(scale, "previous")])
    seed = [NIM_SCRAPE, "refresh", "--source", previous, "--out", str(seeded)]
    run_child([*seed, "--max-bytes", MAX_BYTES])
    settle()

    def fresh_output() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(seeded, out)
        OutputFolder(out).state_path.unlink(missing_ok=True)

    with serve(pages[(scale, "current")]) as url:
        argv = [NIM_SCRAPE, "refresh", "--source", url, "--out", str(out), "--format", "json"]
        argv += ["--max-bytes", MAX_BYTES]
        return measure_process(REFRESH, scale, repeat, argv, fresh_output)


PAGE_MEASUREMENTS = (
    parse_process,
    pandas_process,
    parse_in_process,
    pandas_in_process,
    refresh_replayed,
)


# -- diff, at the largest scale --------------------------------------------------------------------


def diff_process(c: Catalogues, repeat: int) -> Row:
    argv = [NIM_SCRAPE, "diff", str(c.old.json), str(c.new.json), "--format", "json"]
    row = measure_process(DIFF, c.scale, repeat, argv)
    row.note = f"{c.old.records:,} → {c.new.records:,} records"
    return row


def csv_diff_process(c: Catalogues, repeat: int) -> Row:
    argv = [CSV_DIFF, str(c.old.csv), str(c.new.csv), "--key", "id", "--json"]
    row = measure_process(CSV_DIFF_PROCESS, c.scale, repeat, argv)
    row.note = f"{c.keyed:,} rows with a unique key"
    return row


def compare_files_in_process(c: Catalogues, repeat: int) -> Row:
    from nim_scrape.changes.files import compare_files

    def call() -> object:
        return compare_files(c.old.json.read_bytes(), c.new.json.read_bytes())

    return measure_call(COMPARE_FILES, c.scale, repeat, call)


def csv_diff_from_files(c: Catalogues, repeat: int) -> Row:
    import csv_diff

    def call() -> object:
        return csv_diff.compare(load_csv(c.old.csv), load_csv(c.new.csv))

    return measure_call(CSV_DIFF_FILES, c.scale, repeat, call)


def compare_in_memory(c: Catalogues, repeat: int) -> Row:
    from nim_scrape.catalogue.store import read_catalogue
    from nim_scrape.changes.diff import compare

    old, new = read_catalogue(c.old.json), read_catalogue(c.new.json)
    return measure_call(COMPARE, c.scale, repeat, lambda: compare(old, new))


def csv_diff_in_memory(c: Catalogues, repeat: int) -> Row:
    import csv_diff

    old, new = load_csv(c.old.csv), load_csv(c.new.csv)
    return measure_call(CSV_DIFF_MEMORY, c.scale, repeat, lambda: csv_diff.compare(old, new))


def compact_diff_process(c: Catalogues, repeat: int) -> Row:
    """The diff of catalogues a user's script re-serialised with ``json.dump``: no record
    per line to compare as bytes, so every record is read as a JSON value."""
    argv = [NIM_SCRAPE, "diff", str(c.old.compact), str(c.new.compact), "--format", "json"]
    row = measure_process(DIFF_COMPACT, c.scale, repeat, argv)
    size = c.new.compact.stat().st_size
    row.note = f"json.dump(doc, fp, ensure_ascii=False): one line of {size / 1e6:.1f} MB"
    return row


def compact_compare_files_in_process(c: Catalogues, repeat: int) -> Row:
    from nim_scrape.changes.files import compare_files

    def call() -> object:
        return compare_files(c.old.compact.read_bytes(), c.new.compact.read_bytes())

    return measure_call(COMPARE_FILES_COMPACT, c.scale, repeat, call)


def invalid_refused_process(c: Catalogues, repeat: int) -> Row:
    """The diff of a catalogue whose records name no listed section (its sections emptied, as a
    bad hand edit might) with a valid one: refused, exit 2, as soon as the scan shows it."""
    data = c.old.json.read_bytes()
    sections, records = data.index(b'"sections": ['), data.index(b',\n  "records": [')
    invalid = c.old.json.with_name(f"invalid-x{c.scale}.json")
    invalid.write_bytes(data[:sections] + b'"sections": []' + data[records:])
    settle()
    argv = [NIM_SCRAPE, "diff", str(invalid), str(c.new.json), "--format", "json"]
    row = measure_process(INVALID, c.scale, repeat, argv, expect=(2,))
    row.note = "the previous catalogue with its sections emptied: exit 2"
    return row


DIFF_MEASUREMENTS = (
    diff_process,
    csv_diff_process,
    compare_files_in_process,
    csv_diff_from_files,
    compare_in_memory,
    csv_diff_in_memory,
    compact_diff_process,
    compact_compare_files_in_process,
    invalid_refused_process,
)


def run(scales: list[int], repeat: int, work: Path) -> list[Row]:
    """Every measurement, ``repeat`` runs each (0: 7 at x1, 3 up to x100, fewer above)."""
    pages = write_pages(work, scales)
    rows = []
    for scale in scales:
        runs = repeat or (7 if scale == 1 else 3 if scale <= 100 else 1)
        rows += [measure(pages, scale, runs, work) for measure in PAGE_MEASUREMENTS]
    top = max(scales)
    catalogues = write_catalogues(pages, top, work)
    settle()
    # The diff rows are short and this machine may be shared: three runs each, medians shown.
    runs = repeat or 3
    return rows + [measure(catalogues, runs) for measure in DIFF_MEASUREMENTS]
