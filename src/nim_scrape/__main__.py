from nim_scrape.cli import cli

cli(prog_name="nim-scrape")
