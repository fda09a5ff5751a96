"""nim-scrape's benchmark: parse, a replayed refresh and diff at scale, beside the peers.

Run ``make bench`` (or ``python benchmarks/bench.py --help``). It generates pages of about x1,
x100 and x1000 the real page's rows from the 2024-10-31 fixture (distinct sections and codes),
then measures, in one run on this machine:

- whole-process wall time and peak memory (the child's max RSS) of ``nim-scrape parse`` and of a
  ``pandas.read_html`` script writing the same CSV (benchmarks/pandas_read_html.py);
- in-process time of ``parse_page`` and of ``pandas.read_html``;
- a replayed ``nim-scrape refresh``: the page served from 127.0.0.1, diffed against a catalogue
  with 1 % of its rows changed, 1 % removed and 1 % added;
- ``nim-scrape diff`` of two catalogues of the largest scale (1 % changed, removed, added) and
  ``csv-diff`` on the same rows (those whose section and code form a unique key).

It prints a table of medians and ratios, checks the targets of issue #6, and writes
``results.md`` and ``results.json`` into the output folder. Nothing here is asserted by the
test suite: the numbers are reported, not enforced.
"""

from __future__ import annotations

import argparse
import csv
import http.server
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NIM_SCRAPE = str(BIN / "nim-scrape")
CSV_DIFF = str(BIN / "csv-diff")
PANDAS_SCRIPT = str(ROOT / "benchmarks" / "pandas_read_html.py")
MAX_BYTES = str(512 * 1024 * 1024)


@dataclass
class Row:
    """One measured line of the table."""

    what: str
    scale: int
    seconds: list[float] = field(default_factory=list)
    peak_mb: float | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


# -- inputs ----------------------------------------------------------------------------------------


def _fixture_builder() -> Any:
    path = ROOT / "tests" / "fixtures" / "build_fixtures.py"
    spec = importlib.util.spec_from_file_location("build_fixtures", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_fixtures"] = module
    spec.loader.exec_module(module)
    return module


def scaled_tables(builder: Any, scale: int, *, seed: int | None = None) -> list[Any]:
    """The real page's tables ``scale`` times, with distinct section titles and codes; with a
    ``seed``, 1 % of the rows changed, 1 % removed and 1 % added."""
    tables = []
    for copy in range(scale):
        for table in builder.read_tables():
            title = table.title if copy == 0 else f"{table.title} {copy}"
            rows = tuple(replace(r, code=r.code + copy * 1_000_000) for r in table.rows)
            tables.append(builder.Table(title, table.headers, rows))
    if seed is None:
        return tables
    rng = random.Random(seed)
    out = []
    for table in tables:
        rows = []
        for row in table.rows:
            roll = rng.random()
            if roll < 0.01:
                continue  # removed
            if roll < 0.02:
                row = replace(row, description=row.description + "（已更新）")  # changed
            rows.append(row)
            if roll > 0.99:
                rows.append(replace(row, code=row.code + 500_000, message=row.message + " (new)"))
        out.append(builder.Table(table.title, table.headers, tuple(rows)))
    return out


def write_pages(folder: Path, scales: list[int]) -> dict[tuple[int, str], Path]:
    builder = _fixture_builder()
    pages = {}
    for scale in scales:
        for edition, seed in (("current", None), ("previous", 7)):
            path = folder / f"page-x{scale}-{edition}.html"
            if not path.exists():
                tables = scaled_tables(builder, scale, seed=seed)
                html = builder.render(
                    tables, updated="2024/10/31 15:38:33", intro=builder.INTRO_2024
                )
                path.write_text(html, encoding="utf-8")
            pages[(scale, edition)] = path
            log(f"page x{scale} {edition}: {path.stat().st_size / 1e6:.1f} MB")
    return pages


# -- measuring -------------------------------------------------------------------------------------


# A small launcher times the command and reads its peak RSS from wait4(): measured from this
# (large) process, a forked child would report the parent's memory as its own peak.
_LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
print(json.dumps([time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]), file=sys.stderr)
"""


def run_child(argv: list[str], *, stdout: Any = subprocess.DEVNULL) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, which must succeed."""
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *argv], stdout=stdout, stderr=subprocess.PIPE, check=False
    )
    *messages, last = done.stderr.decode(errors="replace").strip().splitlines() or [""]
    elapsed, max_rss_kb, code = json.loads(last)
    if code not in (0, 1):  # 1: "changes found" for commands run with --exit-code
        raise RuntimeError(f"{' '.join(argv)} exited {code}: {' '.join(messages)}")
    return elapsed, max_rss_kb / 1024


def measure_process(
    what: str, scale: int, repeat: int, argv: list[str], prepare: Callable[[], None] | None = None
) -> Row:
    row = Row(what, scale)
    peaks = []
    for _ in range(repeat):
        if prepare:
            prepare()
        seconds, peak = run_child(argv)
        row.seconds.append(seconds)
        peaks.append(peak)
    row.peak_mb = max(peaks)
    log(f"{what} x{scale}: {row.median:.3f} s, {row.peak_mb:.0f} MB")
    return row


def measure_call(what: str, scale: int, repeat: int, call: Callable[[], object]) -> Row:
    row = Row(what, scale)
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        row.seconds.append(time.perf_counter() - start)
    log(f"{what} x{scale}: {row.median:.3f} s")
    return row


def settle() -> None:
    """Let the inputs just written reach the disk, so writeback does not run during a timing."""
    os.sync()
    time.sleep(1)


@contextmanager
def serve(path: Path) -> Iterator[str]:
    """The page over HTTP on 127.0.0.1, as the live site would send it."""
    body = path.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/errors"
    finally:
        server.shutdown()
        server.server_close()


# -- the benchmark ---------------------------------------------------------------------------------


def parse_rows(
    pages: dict[tuple[int, str], Path], scale: int, repeat: int, work: Path
) -> list[Row]:
    import pandas as pd

    from nim_scrape.parse import parse_page

    page = pages[(scale, "current")]
    text = page.read_text(encoding="utf-8")
    return [
        measure_process(
            "nim-scrape parse (process)",
            scale,
            repeat,
            [NIM_SCRAPE, "parse", str(page), "--format", "csv", "--max-bytes", MAX_BYTES],
        ),
        measure_process(
            "pandas.read_html script (process)",
            scale,
            repeat,
            [sys.executable, PANDAS_SCRIPT, str(page), str(work / "pandas.csv")],
        ),
        measure_call("parse_page (in-process)", scale, repeat, lambda: parse_page(text)),
        measure_call("pandas.read_html (in-process)", scale, repeat, lambda: pd.read_html(page)),
    ]


def refresh_row(pages: dict[tuple[int, str], Path], scale: int, repeat: int, work: Path) -> Row:
    seeded = work / f"seed-x{scale}"
    out = work / f"out-x{scale}"
    shutil.rmtree(seeded, ignore_errors=True)
    run_child(
        [
            NIM_SCRAPE,
            "refresh",
            "--source",
            str(pages[(scale, "previous")]),
            "--out",
            str(seeded),
            "--max-bytes",
            MAX_BYTES,
        ]
    )

    settle()

    def fresh_output() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(seeded, out)
        (out / ".nim-scrape-state.json").unlink(missing_ok=True)

    with serve(pages[(scale, "current")]) as url:
        argv = [
            NIM_SCRAPE,
            "refresh",
            "--source",
            url,
            "--out",
            str(out),
            "--format",
            "json",
            "--max-bytes",
            MAX_BYTES,
        ]
        return measure_process(
            "nim-scrape refresh, replayed (process)", scale, repeat, argv, fresh_output
        )


def diff_rows(pages: dict[tuple[int, str], Path], scale: int, repeat: int, work: Path) -> list[Row]:
    import csv_diff

    from nim_scrape.diff import compare
    from nim_scrape.store import compare_files, read_catalogue

    old_json, new_json = work / f"old-x{scale}.json", work / f"new-x{scale}.json"
    old_csv, new_csv = work / f"old-x{scale}.csv", work / f"new-x{scale}.csv"
    for edition, target in (("previous", old_json), ("current", new_json)):
        with target.open("wb") as fp:
            run_child(
                [NIM_SCRAPE, "parse", str(pages[(scale, edition)]), "--max-bytes", MAX_BYTES],
                stdout=fp,
            )
    keys = unique_keys(old_json) & unique_keys(new_json)
    write_keyed_csv(old_json, old_csv, keys)
    write_keyed_csv(new_json, new_csv, keys)
    old, new = read_catalogue(old_json), read_catalogue(new_json)
    old_rows, new_rows = load_csv(old_csv), load_csv(new_csv)
    settle()
    rows = [
        measure_process(
            "nim-scrape diff (process)",
            scale,
            repeat,
            [NIM_SCRAPE, "diff", str(old_json), str(new_json), "--format", "json"],
        ),
        measure_process(
            "csv-diff (process)",
            scale,
            repeat,
            [CSV_DIFF, str(old_csv), str(new_csv), "--key", "id", "--json"],
        ),
        measure_call(
            "compare_files, from the files (in-process)",
            scale,
            repeat,
            lambda: compare_files(old_json.read_bytes(), new_json.read_bytes()),
        ),
        measure_call(
            "csv_diff load_csv + compare, from the files (in-process)",
            scale,
            repeat,
            lambda: csv_diff.compare(load_csv(old_csv), load_csv(new_csv)),
        ),
        measure_call(
            "compare, catalogues in memory (in-process)", scale, repeat, lambda: compare(old, new)
        ),
        measure_call(
            "csv_diff.compare, rows in memory (in-process)",
            scale,
            repeat,
            lambda: csv_diff.compare(old_rows, new_rows),
        ),
    ]
    rows[0].note = f"{len(old.records):,} → {len(new.records):,} records"
    rows[1].note = f"{len(keys):,} rows with a unique key"
    return rows


def load_csv(path: Path) -> Any:
    import csv_diff

    with path.open(encoding="utf-8", newline="") as fp:
        return csv_diff.load_csv(fp, key="id")


def unique_keys(path: Path) -> set[str]:
    counts: dict[str, int] = {}
    for record in json.loads(path.read_text(encoding="utf-8"))["records"]:
        key = f"{record['section']}:{record['code']}"
        counts[key] = counts.get(key, 0) + 1
    return {key for key, count in counts.items() if count == 1}


def write_keyed_csv(source: Path, target: Path, keys: set[str]) -> None:
    with target.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.writer(fp)
        writer.writerow(["id", "section", "code", "message", "description"])
        for r in json.loads(source.read_text(encoding="utf-8"))["records"]:
            key = f"{r['section']}:{r['code']}"
            if key in keys:
                writer.writerow([key, r["section"], r["code"], r["message"], r["description"]])


# -- the report ------------------------------------------------------------------------------------


def find(rows: list[Row], what: str, scale: int) -> Row | None:
    return next((r for r in rows if r.what == what and r.scale == scale), None)


def targets(rows: list[Row], scales: list[int]) -> list[tuple[str, str, bool]]:
    checks: list[tuple[str, str, bool]] = []

    def ratio(scale: int) -> float | None:
        ours = find(rows, "nim-scrape parse (process)", scale)
        theirs = find(rows, "pandas.read_html script (process)", scale)
        return ours.median / theirs.median if ours and theirs else None

    for scale, limit in ((1, 0.75), (100, 1.25)):
        value = ratio(scale)
        if value is not None:
            checks.append(
                (
                    f"parse x{scale}, process: at most {limit}x pandas",
                    f"{value:.2f}x",
                    value <= limit,
                )
            )
    small, large = (find(rows, "nim-scrape parse (process)", s) for s in (100, 1000))
    if small and large:
        growth = large.median / small.median
        checks.append(("parse x1000 at most 12x the x100 time", f"{growth:.1f}x", growth <= 12))
        assert large.peak_mb is not None
        checks.append(
            ("parse x1000 peak memory under 2 GB", f"{large.peak_mb:,.0f} MB", large.peak_mb < 2048)
        )
    top = max(scales)
    if top < 1000:
        return checks  # the diff targets are set for catalogues of about 300,000 records
    ours, theirs = (
        find(rows, "nim-scrape diff (process)", top),
        find(rows, "csv-diff (process)", top),
    )
    if ours and theirs:
        checks.append(
            (f"diff x{top}, process: under 10 s", f"{ours.median:.2f} s", ours.median < 10)
        )
        checks.append(
            (
                f"diff x{top}, process: faster than csv-diff",
                f"{ours.median / theirs.median:.2f}x",
                ours.median < theirs.median,
            )
        )
    ours, theirs = (
        find(rows, "compare_files, from the files (in-process)", top),
        find(rows, "csv_diff load_csv + compare, from the files (in-process)", top),
    )
    if ours and theirs:
        checks.append(
            (
                f"diff x{top}, in-process from the files: faster than csv-diff",
                f"{ours.median / theirs.median:.2f}x",
                ours.median < theirs.median,
            )
        )
    return checks


def render(rows: list[Row], checks: list[tuple[str, str, bool]], machine: str, command: str) -> str:
    lines = [
        "# nim-scrape benchmark",
        "",
        f"Machine: {machine}",
        f"Command: `{command}`",
        "",
        "| what | scale | median s | runs | peak MB | vs peer | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    peers = {
        "nim-scrape parse (process)": "pandas.read_html script (process)",
        "parse_page (in-process)": "pandas.read_html (in-process)",
        "nim-scrape diff (process)": "csv-diff (process)",
        "compare_files, from the files (in-process)": "csv_diff load_csv + compare, from the files (in-process)",
        "compare, catalogues in memory (in-process)": "csv_diff.compare, rows in memory (in-process)",
    }
    for row in rows:
        peer = find(rows, peers.get(row.what, ""), row.scale)
        versus = f"{row.median / peer.median:.2f}x" if peer else ""
        peak = f"{row.peak_mb:,.0f}" if row.peak_mb is not None else ""
        lines.append(
            f"| {row.what} | x{row.scale} | {row.median:.3f} | {len(row.seconds)} | {peak} | {versus} | {row.note} |"
        )
    lines += ["", "| target | measured | holds |", "| --- | ---: | --- |"]
    lines += [f"| {name} | {value} | {'yes' if ok else 'NO'} |" for name, value, ok in checks]
    return "\n".join(lines) + "\n"


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--scales",
        default="1,100,1000",
        help="page sizes as multiples of the real page (default 1,100,1000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="runs per measurement (default: 7 at x1, 3 at x100, 1 above)",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench-output", help="where pages and results go"
    )
    args = parser.parse_args(argv)
    scales = sorted({int(s) for s in args.scales.split(",")})
    args.out.mkdir(parents=True, exist_ok=True)
    work = args.out / "work"
    work.mkdir(exist_ok=True)
    pages = write_pages(work, scales)
    rows: list[Row] = []
    for scale in scales:
        repeat = args.repeat or (7 if scale == 1 else 3 if scale <= 100 else 1)
        rows += parse_rows(pages, scale, repeat, work)
        rows.append(refresh_row(pages, scale, repeat, work))
    top = max(scales)
    rows += diff_rows(pages, top, args.repeat or (3 if top <= 100 else 2), work)
    checks = targets(rows, scales)
    command = "make bench" + (
        f' BENCH_ARGS="{" ".join(argv or sys.argv[1:])}"' if (argv or sys.argv[1:]) else ""
    )
    report = render(rows, checks, machine_line(), command)
    (args.out / "results.md").write_text(report, encoding="utf-8")
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "machine": machine_line(),
                "rows": [
                    {
                        "what": r.what,
                        "scale": r.scale,
                        "seconds": r.seconds,
                        "median": r.median,
                        "peak_mb": r.peak_mb,
                        "note": r.note,
                    }
                    for r in rows
                ],
                "targets": [{"target": n, "measured": v, "holds": ok} for n, v, ok in checks],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(report)
    print(f"written to {args.out / 'results.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
