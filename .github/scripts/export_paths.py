"""The files a team has nim-scrape export into its repository, checked: one path a line.

Usage: export_paths.py  (reads the EXPORTS environment variable: paths separated by spaces or
new lines, e.g. "app/src/main/kotlin/im/NimErrorCodes.kt ios/NimErrorCode.swift")

Both jobs of the workflow read the list through this script: the refresh job to write the files,
the propose job to take exactly those files (and nothing else) from what the refresh job handed
over. A path that is absolute, climbs out with "..", or points into .git/ or .github/ is refused
(exit 2, with an ::error:: line): a generated file never replaces the workflow or git's own files.
"""

from __future__ import annotations

import os
import sys
from pathlib import PurePosixPath

_FORBIDDEN_TOPS = {".git", ".github"}


def problem(path: str) -> str | None:
    """Why ``path`` cannot be an export of the workflow, or None."""
    parts = PurePosixPath(path).parts
    if path.startswith("/") or "\\" in path or ":" in path:
        return "is not a relative path inside the repository"
    if ".." in parts or not parts:
        return "climbs out of its folder"
    if parts[0] in _FORBIDDEN_TOPS:
        return f"is inside {parts[0]}/"
    return None


def main() -> int:
    paths = list(dict.fromkeys(os.environ.get("EXPORTS", "").split()))
    for path in paths:
        why = problem(path)
        if why:
            print(f"::error title=nim-scrape export::the export {path!r} {why}")
            return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
