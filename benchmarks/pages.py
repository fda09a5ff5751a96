"""The benchmark's inputs: pages at scale built from the recorded page, and catalogues of them.

Pages are rendered by tests/fixtures/build_fixtures.py, the same code as the test fixtures, from
the 2024-10-31 edition's tables copied ``scale`` times with distinct section titles and codes. A
"previous" edition of each has 1 % of its rows changed, 1 % removed and 1 % added.
"""

from __future__ import annotations

import csv
import http.server
import importlib.util
import json
import random
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from runner import MAX_BYTES, NIM_SCRAPE, ROOT, log, run_child

Pages = dict[tuple[int, str], Path]
"""Page files by scale and edition ("current" or "previous")."""


def _fixture_builder() -> Any:
    path = ROOT / "tests" / "fixtures" / "build_fixtures.py"
    spec = importlib.util.spec_from_file_location("build_fixtures", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_fixtures"] = module  # dataclasses in the module look themselves up there
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
    return [builder.Table(t.title, t.headers, _edited(t.rows, rng)) for t in tables]


def _edited(rows: tuple[Any, ...], rng: random.Random) -> tuple[Any, ...]:
    out = []
    for row in rows:
        roll = rng.random()
        if roll < 0.01:
            continue  # removed
        if roll < 0.02:
            row = replace(row, description=row.description + "（已更新）")  # changed
        out.append(row)
        if roll > 0.99:
            out.append(replace(row, code=row.code + 500_000, message=row.message + " (new)"))
    return tuple(out)


def write_pages(folder: Path, scales: list[int]) -> Pages:
    """Both editions of the page at each scale, written once and kept for later runs."""
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


# -- catalogues ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """One edition's catalogue in each layout the diff is measured on."""

    json: Path  # as nim-scrape writes it: one record per line
    compact: Path  # the same document re-serialised by json.dump, all on one line
    csv: Path  # the rows with a unique key, for csv-diff
    records: int


@dataclass(frozen=True)
class Catalogues:
    """The previous and current editions at one scale."""

    scale: int
    old: Catalogue
    new: Catalogue
    keyed: int  # rows whose section and code are a key in both editions: what csv-diff compares


def write_catalogues(pages: Pages, scale: int, work: Path) -> Catalogues:
    """Both editions parsed by ``nim-scrape parse`` and written in every layout."""
    docs = {}
    for edition, name in (("previous", "old"), ("current", "new")):
        target = work / f"{name}-x{scale}.json"
        with target.open("wb") as fp:
            page = str(pages[(scale, edition)])
            run_child([NIM_SCRAPE, "parse", page, "--max-bytes", MAX_BYTES], stdout=fp)
        docs[name] = json.loads(target.read_text(encoding="utf-8"))
    keys = _unique_keys(docs["old"]) & _unique_keys(docs["new"])
    old, new = (_layouts(work, f"{name}-x{scale}", docs[name], keys) for name in ("old", "new"))
    return Catalogues(scale, old, new, len(keys))


def _layouts(work: Path, stem: str, doc: dict[str, Any], keys: set[str]) -> Catalogue:
    compact, keyed = work / f"{stem}.compact.json", work / f"{stem}.csv"
    with compact.open("w", encoding="utf-8") as fp:
        json.dump(doc, fp, ensure_ascii=False)  # what a user's script would write: one line
    _write_keyed_csv(doc, keyed, keys)
    return Catalogue(work / f"{stem}.json", compact, keyed, len(doc["records"]))


def _key(record: dict[str, Any]) -> str:
    return f"{record['section']}:{record['code']}"


def _unique_keys(doc: dict[str, Any]) -> set[str]:
    counts: dict[str, int] = {}
    for record in doc["records"]:
        counts[_key(record)] = counts.get(_key(record), 0) + 1
    return {key for key, count in counts.items() if count == 1}


def _write_keyed_csv(doc: dict[str, Any], target: Path, keys: set[str]) -> None:
    with target.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.writer(fp)
        writer.writerow(["id", "section", "code", "message", "description"])
        for r in doc["records"]:
            if _key(r) in keys:
                writer.writerow([_key(r), r["section"], r["code"], r["message"], r["description"]])


def load_csv(path: Path) -> Any:
    """Rows as csv-diff reads them, keyed by section and code."""
    import csv_diff

    with path.open(encoding="utf-8", newline="") as fp:
        return csv_diff.load_csv(fp, key="id")
