"""The package's rooms, read off the folders: the README's layout table and the import rules.

``python tests/layout.py`` prints the table the README holds (``make layout`` rewrites it there);
``tests/test_layout.py`` checks that the README's copy is current and that imports go downwards.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "nim_scrape"
README = PACKAGE.parent.parent / "README.md"

# Bottom to top: a module may import its own room and the rooms before it, never one after.
ROOMS = (
    "base",
    "catalogue",
    "fetch",
    "parse",
    "article",
    "changes",
    "deliver",
    "audit",
    "outputs",
    "pipeline",
    "config",
    "job",
    "cli",
    "face",
)
# The modules at the top of the package that every room may use.
BASE = ("about", "errors", "_aside", "_gc")
BEGIN, END = "<!-- layout: begin (make layout) -->", "<!-- layout: end -->"


def room_of(module: str) -> str:
    """The room of ``nim_scrape.X.Y``: its first part, or ``base`` for the shared modules."""
    first = module.split(".")[1] if "." in module else ""
    if first in ("", "__main__"):
        return "face"  # the public API and ``python -m``: above everything they hand out
    return "base" if first in BASE else first


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path) -> list[tuple[int, str, bool]]:
    """Each ``nim_scrape`` import in ``path``: its line, the module, and whether it is relative."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                found.append((node.lineno, module, True))
            elif module == "nim_scrape" or module.startswith("nim_scrape."):
                found.append((node.lineno, module, False))
        elif isinstance(node, ast.Import):
            found.extend(
                (node.lineno, alias.name, False)
                for alias in node.names
                if alias.name.startswith("nim_scrape")
            )
    return found


def _summary(doc: str | None) -> str:
    return " ".join((doc or "").split("\n\n", 1)[0].split())


def table() -> str:
    """The README's layout table: one line per room, its summary and its modules."""
    lines = ["| room | what it holds | modules |", "| --- | --- | --- |"]
    top = [p for p in sorted(PACKAGE.glob("*.py")) if p.stem not in ("__init__", "__main__")]
    base = ", ".join(f"`{p.name}`" for p in top if p.stem in BASE)
    lines.append(
        f"| `nim_scrape/` | the package face (`__init__.py`: the public API) and what every room shares | {base} |"
    )
    for room in ROOMS[1:-1]:
        folder = PACKAGE / room
        if folder.is_dir():
            doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
            names = ", ".join(
                f"`{p.name}`" for p in sorted(folder.glob("*.py")) if p.stem != "__init__"
            )
            lines.append(f"| `{room}/` | {_summary(doc)} | {names} |")
        else:
            doc = ast.get_docstring(ast.parse((PACKAGE / f"{room}.py").read_text(encoding="utf-8")))
            lines.append(f"| `{room}.py` | {_summary(doc)} | |")
    return "\n".join(lines) + "\n"


def readme_table() -> str | None:
    """The table between the markers in the README, or None if they are missing."""
    match = re.search(
        re.escape(BEGIN) + r"\n(.*?)" + re.escape(END), README.read_text("utf-8"), re.S
    )
    return match.group(1) if match else None


def write_readme() -> None:
    text = README.read_text(encoding="utf-8")
    new = re.sub(
        re.escape(BEGIN) + r"\n.*?" + re.escape(END),
        lambda _: f"{BEGIN}\n{table()}{END}",
        text,
        flags=re.S,
    )
    README.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_readme()
    else:
        print(table(), end="")
