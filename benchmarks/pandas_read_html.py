"""The peer a user would write instead of nim-scrape: every table of the page to one CSV."""

import sys

import pandas as pd

tables = pd.read_html(sys.argv[1])
pd.concat(tables, ignore_index=True).to_csv(sys.argv[2], index=False)
