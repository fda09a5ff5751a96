"""The benchmark's runner: timing a child process or a call, the table, the targets, the CLI.

It knows nothing of what is measured: ``main`` is handed the measurements (a function from the
scales to rows), the target checks and which row is compared with which peer.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NIM_SCRAPE = str(BIN / "nim-scrape")
CSV_DIFF = str(BIN / "csv-diff")
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


class Check(NamedTuple):
    """One target of the issue, as measured."""

    target: str
    measured: str
    holds: bool


Measure = Callable[[list[int], int, Path], list[Row]]
"""The measurements: scales, runs per measurement (0 for each one's default), work folder."""
Targets = Callable[[list[Row], list[int]], list[Check]]


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


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


def run_child(
    argv: list[str], *, stdout: Any = subprocess.DEVNULL, expect: tuple[int, ...] = (0, 1)
) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, which must exit with one of ``expect``
    (by default 0, or 1: "changes found" for commands run with --exit-code)."""
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *argv], stdout=stdout, stderr=subprocess.PIPE, check=False
    )
    *messages, last = done.stderr.decode(errors="replace").strip().splitlines() or [""]
    elapsed, max_rss_kb, code = json.loads(last)
    if code not in expect:
        raise RuntimeError(f"{' '.join(argv)} exited {code}: {' '.join(messages)}")
    return elapsed, max_rss_kb / 1024


def measure_process(
    what: str,
    scale: int,
    repeat: int,
    argv: list[str],
    prepare: Callable[[], None] | None = None,
    expect: tuple[int, ...] = (0, 1),
) -> Row:
    """``argv`` run ``repeat`` times as a child process, ``prepare`` called before each run."""
    row = Row(what, scale)
    peaks = []
    for _ in range(repeat):
        if prepare:
            prepare()
        seconds, peak = run_child(argv, expect=expect)
        row.seconds.append(seconds)
        peaks.append(peak)
    row.peak_mb = max(peaks)
    log(f"{what} x{scale}: {row.median:.3f} s, {row.peak_mb:.0f} MB")
    return row


def measure_call(what: str, scale: int, repeat: int, call: Callable[[], object]) -> Row:
    """``call`` timed ``repeat`` times in this process."""
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


# -- the report ------------------------------------------------------------------------------------


def find(rows: list[Row], what: str, scale: int) -> Row | None:
    return next((r for r in rows if r.what == what and r.scale == scale), None)


def ratio(rows: list[Row], ours: str, theirs: str, scale: int) -> float | None:
    """Our median over the peer's at ``scale``, when both were measured."""
    mine, peer = find(rows, ours, scale), find(rows, theirs, scale)
    return mine.median / peer.median if mine and peer else None


def render(
    rows: list[Row], checks: list[Check], peers: dict[str, str], machine: str, command: str
) -> str:
    """The Markdown report: the rows (each beside its peer in ``peers``), then the targets."""
    lines = [
        "# nim-scrape benchmark",
        "",
        f"Machine: {machine}",
        f"Command: `{command}`",
        "",
        "| what | scale | median s | runs | peak MB | vs peer | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        versus = ratio(rows, row.what, peers.get(row.what, ""), row.scale)
        shown = f"{versus:.2f}x" if versus is not None else ""
        peak = f"{row.peak_mb:,.0f}" if row.peak_mb is not None else ""
        lines.append(
            f"| {row.what} | x{row.scale} | {row.median:.3f} | {len(row.seconds)} | {peak} | {shown} | {row.note} |"
        )
    lines += ["", "| target | measured | holds |", "| --- | ---: | --- |"]
    lines += [f"| {c.target} | {c.measured} | {'yes' if c.holds else 'NO'} |" for c in checks]
    return "\n".join(lines) + "\n"


def results_json(rows: list[Row], checks: list[Check], machine: str) -> str:
    data = {
        "machine": machine,
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
        "targets": [{"target": c.target, "measured": c.measured, "holds": c.holds} for c in checks],
    }
    return json.dumps(data, indent=2) + "\n"


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


# -- the command line ------------------------------------------------------------------------------


def parse_args(argv: list[str], description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
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
    return parser.parse_args(argv)


def main(
    argv: list[str] | None,
    description: str,
    measure: Measure,
    targets: Targets,
    peers: dict[str, str],
) -> int:
    """Measure, check the targets, print the table and write results.md and results.json."""
    given = sys.argv[1:] if argv is None else argv
    args = parse_args(given, description)
    scales = sorted({int(s) for s in args.scales.split(",")})
    work = args.out / "work"
    work.mkdir(parents=True, exist_ok=True)
    rows = measure(scales, args.repeat, work)
    checks = targets(rows, scales)
    command = "make bench" + (f' BENCH_ARGS="{" ".join(given)}"' if given else "")
    machine = machine_line()
    report = render(rows, checks, peers, machine, command)
    (args.out / "results.md").write_text(report, encoding="utf-8")
    (args.out / "results.json").write_text(results_json(rows, checks, machine), encoding="utf-8")
    print(report)
    print(f"written to {args.out / 'results.md'}", file=sys.stderr)
    return 0
