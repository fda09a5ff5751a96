"""Join Markdown reports and cut the result to fit a limit, at a line, leaving valid Markdown.

GitHub refuses a pull-request body over 65,536 characters and drops a job summary over 1 MiB.
`head -c` cuts in the middle of a UTF-8 character and in the middle of a table row (#9). This
cuts after a whole line, closes a code fence or <details> block left open, and ends with a note
saying where the full report is.

Usage: cut_markdown.py [--limit N] [--unit utf16|bytes] [--where TEXT] [FILE ...] > OUT
Files that are missing or empty are skipped; with none left the output is --empty.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

PR_BODY_LIMIT = 65_536  # characters, as GitHub counts them (UTF-16 code units, as JavaScript)
SUMMARY_LIMIT = 1_048_576  # bytes of one step's job summary
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)


def utf16_units(text: str) -> int:
    """Length as JavaScript and GitHub count it: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


MEASURES: dict[str, Callable[[str], int]] = {"utf16": utf16_units, "bytes": utf8_bytes}


class _Blocks:
    """The code fence and <details> blocks open after the lines seen so far."""

    def __init__(self) -> None:
        self.fence: str | None = None
        self.details = 0

    def see(self, line: str) -> None:
        found = _FENCE.match(line)
        if self.fence is None and found:
            self.fence = found.group(1)
        elif self.fence is not None:
            if found and found.group(1).startswith(self.fence[0] * len(self.fence)):
                self.fence = None
        else:
            self.details += len(_DETAILS_OPEN.findall(line)) - len(_DETAILS_CLOSE.findall(line))

    def closers(self) -> list[str]:
        return ([self.fence] if self.fence else []) + ["</details>"] * max(self.details, 0)


def cut(
    text: str,
    limit: int,
    *,
    measure: Callable[[str], int] = utf16_units,
    where: str = "the job summary of this run and output/CHANGELOG.md",
) -> str:
    """``text`` unchanged if it fits in ``limit``, else its first whole lines and a note.

    Lines are kept whole (so a table row is never split, nor a multibyte character); open code
    fences and <details> blocks are closed; the note follows a blank line, so that it is never
    read as one more table row.
    """
    if measure(text) <= limit:
        return text
    lines = text.splitlines()

    def ending(kept: int, blocks: _Blocks) -> str:
        note = (
            f"> **Cut to fit:** {kept} of {len(lines)} lines are shown here. "
            f"The full report is in {where}."
        )
        return "\n".join(["", *blocks.closers(), "", note, ""])

    # The longest run of whole lines that fits with the ending it needs. Each line adds its own
    # length and may open or close a block, so the first lines that fit are found in one pass.
    blocks = _Blocks()
    best_kept, best_tail = 0, ending(0, blocks)
    size = 0
    for kept, line in enumerate(lines, start=1):
        size += measure(line) + 1
        if size > limit:
            break
        blocks.see(line)
        tail = ending(kept, blocks)
        if size + measure(tail) <= limit:
            best_kept, best_tail = kept, tail
    result = "".join(f"{line}\n" for line in lines[:best_kept]) + best_tail
    while measure(result) > limit:  # a limit too small for even the note
        result = result[:-1]
    return result


def join(paths: Sequence[Path]) -> str:
    """The non-empty files among ``paths``, one after another, a blank line apart."""
    texts = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8").strip("\n")
        except FileNotFoundError:
            continue
        if text.strip():
            texts.append(text)
    return "\n\n".join(texts) + "\n" if texts else ""


def run_url() -> str | None:
    """This workflow run's page, where the job summary is, when running on GitHub Actions."""
    parts = [os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if not all(parts):
        return None
    server, repository, run_id = parts
    return f"{server}/{repository}/actions/runs/{run_id}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--limit", type=int, default=PR_BODY_LIMIT)
    parser.add_argument("--unit", choices=sorted(MEASURES), default="utf16")
    parser.add_argument("--where", help="where the full report is (default: this run's summary)")
    parser.add_argument("--empty", default="", help="the output when no file has any text")
    args = parser.parse_args(argv)
    url = run_url()
    summary = f"the [job summary of this run]({url})" if url else "the job summary of this run"
    where = args.where or f"{summary} and in output/CHANGELOG.md"
    text = join(args.files) or (args.empty + "\n" if args.empty else "")
    # Bytes, not text: the runner's locale must not decide the encoding of the body.
    sys.stdout.buffer.write(
        cut(text, args.limit, measure=MEASURES[args.unit], where=where).encode()
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
