"""Benchmarks, checks and generators. They run as modules from the checkout root
(`python -m scripts.bench ...`), so `tests.support` imports without path edits. A regular
package, so `scripts` is ours even where another distribution installs a top-level `scripts`
folder, as pubmed_parser does."""
