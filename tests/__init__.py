"""litbalint tests (a regular package, so `tests.conftest` is ours even where another
distribution installs a top-level `tests` package, as pubmed_parser does)."""
