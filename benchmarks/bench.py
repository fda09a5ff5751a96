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
  ``csv-diff`` on the same rows (those whose section and code form a unique key);
- the same diff of the two catalogues re-serialised by ``json.dump`` (one line each).

It prints a table of medians and ratios, checks the targets (targets.py), and writes
``results.md`` and ``results.json`` into the output folder. Nothing here is asserted by the
test suite: the numbers are reported, not enforced.

The parts: runner.py times and reports, pages.py builds the inputs, measurements.py holds one
function per row of the table, targets.py the targets and each row's peer.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The sibling modules, also when this file is imported by its path (tests/test_bench.py).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import measurements
import runner
import targets


def main(argv: list[str] | None = None) -> int:
    description = __doc__.split("\n\n", 1)[0]
    return runner.main(argv, description, measurements.run, targets.check, targets.PEERS)


if __name__ == "__main__":
    sys.exit(main())
