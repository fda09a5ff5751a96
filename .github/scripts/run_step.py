"""Run one nim-scrape command in a workflow step; its exit status decides what the job does.

Usage: run_step.py NAME --report FILE [--artifact NAME] -- COMMAND [ARG ...]

The command's stdout (its Markdown report) goes to FILE and, cut to fit, to the job summary; its
stderr is shown in the log as it comes and kept beside FILE (NAME.stderr.txt). The step outputs
`status` (the exit status), `changed` (true on 1, or on 6: written but not delivered) and
`notify_failed` (true on 6).

nim-scrape exits 1 only when it found changes (with --exit-code), so 0, 1 and 6 let the job go on
(6 fails the job later, once the change is committed or proposed). Every other status, including
one nim-scrape does not document (a crash of Python itself, a signal), fails the step: the job
summary then says what failed, the one-line error, what to do and where the evidence is (#9, #10).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).parent))
from cut_markdown import SUMMARY_LIMIT, cut, utf8_bytes

GO_ON = {0: "nothing changed", 1: "changes found", 6: "written, but a notification failed"}

# What each documented failure means and what to do about it (README, "Exit status").
FAILURES = {
    2: ("usage error", "Fix the option or input that the message names (`nim-scrape --help`)."),
    3: (
        "the page could not be fetched",
        "Check that the URL still answers; a scheduled run retries tomorrow. "
        "Run the workflow by hand once the page is back.",
    ),
    4: (
        "fetched, but not the error-code page",
        "Open the URL in a browser. If the page now needs JavaScript, set the repository "
        "variable `NIM_SCRAPE_RENDER` to `true`; if it moved, pass `--source`.",
    ),
    5: (
        "refused by a safety guard, catalogue unreadable, or the folder is busy",
        "Read the message and compare the saved page with the vendor's. If the page really "
        "changed this much, run the workflow by hand with `force` ticked.",
    ),
    7: ("the output folder cannot be written", "Check the runner's disk space and the checkout."),
    70: (
        "unexpected error (a bug in nim-scrape)",
        "Report it with the traceback from the evidence artifact.",
    ),
}
UNKNOWN = (
    "an exit status nim-scrape does not document (a crash)",
    "Read the step's log; report it with the evidence artifact.",
)


def _tee(source: IO[bytes], sinks: Sequence[IO[bytes]]) -> None:
    for chunk in iter(lambda: source.readline(), b""):
        for sink in sinks:
            sink.write(chunk)
            sink.flush()


def run(command: Sequence[str], report: Path, stderr_copy: Path) -> tuple[int, str]:
    """Run ``command``: stdout to ``report``; stderr to our stderr and ``stderr_copy``.

    Returns the exit status (128 + N for a signal, as a shell says it) and the stderr text.
    """
    report.parent.mkdir(parents=True, exist_ok=True)
    with report.open("wb") as out, stderr_copy.open("wb") as err_copy:
        try:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        except OSError as exc:  # not installed, not executable: the shell's 127/126
            message = f"cannot run {command[0]}: {exc.strerror or exc}\n"
            err_copy.write(message.encode())
            sys.stderr.write(message)
            return (127 if isinstance(exc, FileNotFoundError) else 126), message
        assert process.stderr is not None
        tee = threading.Thread(target=_tee, args=(process.stderr, [sys.stderr.buffer, err_copy]))
        tee.start()
        status = process.wait()
        tee.join()
    if status < 0:
        status = 128 - status
    return status, stderr_copy.read_text(encoding="utf-8", errors="replace")


def error_line(stderr: str) -> str:
    """The line nim-scrape says what happened in: its last ``Error:`` line, else the last one."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    return (errors or lines or ["(nothing on stderr)"])[-1]


def _fenced(text: str) -> str:
    """``text`` as a code block that nothing inside it can close (it may hold page text)."""
    ticks = 3
    while "`" * ticks in text:
        ticks += 1
    fence = "`" * ticks
    return f"{fence}\n{text}\n{fence}"


def evidence(name: str, status: int, artifact: str) -> str:
    """Where a run of ``nim-scrape NAME`` that failed with ``status`` left what shows why."""
    where = f"the artifact `{artifact}` of this run (the run's Summary page, under Artifacts)"
    if name == "refresh" and status in (3, 4, 5):  # refresh keeps the page it fetched
        return (
            f"what was fetched is in `output/.nim-scrape/last-failure/`, uploaded as {where}; "
            "the step's log has the whole message."
        )
    if status in (2, 3, 4, 5, 7):
        return "the step's log has the whole message."
    return f"the traceback and the step's stderr are in {where}."


def failure_summary(name: str, status: int, stderr: str, artifact: str) -> str:
    what, todo = FAILURES.get(status, UNKNOWN)
    signal_name = ""
    if status > 128:
        with contextlib.suppress(ValueError):
            signal_name = f", {signal.Signals(status - 128).name}"
    return "\n".join(
        [
            f"### nim-scrape {name} failed: exit {status}{signal_name} ({what})",
            "",
            _fenced(error_line(stderr)),
            "",
            f"**What to do:** {todo}",
            "",
            f"**Evidence:** {evidence(name, status, artifact)}",
            "",
        ]
    )


def annotation(text: str) -> str:
    """``text`` escaped as the message of a workflow command (``::error::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def error_command(title: str, message: str) -> str:
    """An ``::error`` workflow command: an annotation on the run's page."""
    title = annotation(title).replace(":", "%3A").replace(",", "%2C")
    return f"::error title={title}::{annotation(message)}"


def _append(path_variable: str, text: str) -> None:
    path = os.environ.get(path_variable)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fp:
        fp.write(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="what the step is called in the summary, e.g. refresh")
    parser.add_argument("--report", type=Path, required=True, help="where stdout goes")
    parser.add_argument(
        "--artifact",
        default="nim-scrape-failure",
        help="the name of the artifact the job uploads when it fails, for the job summary",
    )
    parser.add_argument("command", nargs="+", help="the command, after --")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):  # page text in an error line, on any locale
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")

    stderr_copy = args.report.with_name(f"{args.name}.stderr.txt")
    status, stderr = run(args.command, args.report, stderr_copy)
    report = args.report.read_text(encoding="utf-8", errors="replace")

    _append(
        "GITHUB_OUTPUT",
        f"status={status}\n"
        f"changed={'true' if status in (1, 6) else 'false'}\n"
        f"notify_failed={'true' if status == 6 else 'false'}\n",
    )
    if status in GO_ON:
        summary = cut(report, SUMMARY_LIMIT - 4096, measure=utf8_bytes)
        if status == 6:
            line = error_line(stderr)
            print(error_command(f"nim-scrape {args.name}: a notification failed", line))
            summary += (
                f"\n> **A notification failed** (exit 6): {line}\n"
                "> The change is committed or proposed; the next run sends it again.\n"
            )
        _append("GITHUB_STEP_SUMMARY", summary)
        return 0
    what, _ = FAILURES.get(status, UNKNOWN)
    print(
        error_command(f"nim-scrape {args.name} failed, exit {status}: {what}", error_line(stderr))
    )
    _append("GITHUB_STEP_SUMMARY", failure_summary(args.name, status, stderr, args.artifact))
    return status if 0 < status < 256 else 1


if __name__ == "__main__":
    sys.exit(main())
