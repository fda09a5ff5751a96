import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from nim_scrape.catalogue.csvfile import catalogue_csv
from nim_scrape.catalogue.store import OutputFolder, catalogue_json
from nim_scrape.errors import CatalogueError
from nim_scrape.parse.tables import parse_page
from nim_scrape.pipeline import RefreshOptions, refresh

from .support import CURRENT, EDITION_2024_03


def test_first_run_creates_the_catalogue_and_its_state(tmp_path):
    result = refresh(RefreshOptions(source=str(CURRENT), out=tmp_path))
    assert (result.previous, result.created, result.changed) == (None, True, True)
    assert len(result.diff.added) == 274
    folder = OutputFolder(tmp_path)
    assert folder.json_path.read_text(encoding="utf-8") == catalogue_json(result.catalogue)
    assert folder.state_path.exists()


def test_a_byte_identical_page_stops_early(tmp_path):
    refresh(RefreshOptions(source=str(CURRENT), out=tmp_path))
    again = refresh(RefreshOptions(source=str(CURRENT), out=tmp_path))
    assert again.unchanged_because == "the page is byte-identical to the last run's"
    assert (again.changed, again.written) == (False, ())


def test_an_unreadable_catalogue_is_refused_and_force_replaces_it(tmp_path):
    folder = OutputFolder(tmp_path)
    folder.json_path.write_text('{"records": "oops"}', encoding="utf-8")
    with pytest.raises(CatalogueError, match="is not a nim-scrape catalogue"):
        refresh(RefreshOptions(source=str(CURRENT), out=tmp_path))
    assert folder.json_path.read_text(encoding="utf-8") == '{"records": "oops"}'
    result = refresh(RefreshOptions(source=str(CURRENT), out=tmp_path, force=True))
    assert len(folder.load().records) == len(result.catalogue.records) == 274


def test_temporaries_left_by_a_killed_run_are_cleared(tmp_path):
    leftover = tmp_path / ".nim_error_codes.json.abc12_yz.tmp"
    leftover.write_text("half a catalogue")
    refresh(RefreshOptions(source=str(CURRENT), out=tmp_path))
    assert not leftover.exists()


KILLABLE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from nim_scrape.pipeline import RefreshOptions, refresh

    out, *sources = sys.argv[1:]
    refresh(RefreshOptions(source=sources[0], out=Path(out), force=True))
    print("ready", flush=True)  # one whole catalogue is written: kills land mid-rewrite
    while True:
        for source in sources:
            refresh(RefreshOptions(source=source, out=Path(out), force=True))
    """
)


@pytest.mark.slow
def test_a_run_killed_mid_write_leaves_a_whole_catalogue(tmp_path):
    pages = [EDITION_2024_03, CURRENT]
    catalogues = [parse_page(p.read_text(encoding="utf-8"), url=str(p)) for p in pages]
    whole_json = {catalogue_json(c).encode() for c in catalogues}
    whole_csv = {catalogue_csv(c).encode() for c in catalogues}
    folder = OutputFolder(tmp_path)
    rng = random.Random(4)
    for _ in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLABLE, str(tmp_path), *map(str, pages)],
            stdout=subprocess.PIPE,
        )
        try:
            assert proc.stdout is not None
            proc.stdout.readline()
            time.sleep(rng.uniform(0.05, 0.6))
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        if folder.json_path.exists():
            assert folder.json_path.read_bytes() in whole_json
        if folder.csv_path.exists():
            assert folder.csv_path.read_bytes() in whole_csv
    assert folder.json_path.exists(), "no run got far enough to write; the test proved nothing"
