"""scripts/bench.py all: targets lifted out of each benchmark's output into one table, and
docs/performance.md's results replaced between their markers (never by hand)."""

from scripts import bench
from scripts import bench_util as util
from tests import conftest


def test_target_lines_are_lifted_out_of_a_section():
    line = util.target_line("build 10 | x", "130 s", "plain 9 s", "14x", "<= 120 s", False)
    report = util.target_line("parse", "2.6 s", "11.8 s", "4.5x", "none", None)
    text, targets = util.split_targets(f"intro\n{line}\n| a | b |\n{report}\nend")
    assert text == "intro\n| a | b |\nend"
    assert targets == [
        ["build 10 / x", "130 s", "plain 9 s", "14x", "<= 120 s", "**not met**"],
        ["parse", "2.6 s", "11.8 s", "4.5x", "none", "—"],
    ]


def test_the_results_are_replaced_between_the_markers(tmp_path, monkeypatch):
    page = tmp_path / "performance.md"
    page.write_text(
        f"# x\n## Performance\nintro\n\n{bench.RESULTS_START}\nold numbers\n{bench.RESULTS_END}\n"
        "\nprose after\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(bench, "RESULTS_PAGE", page)
    bench.write_results_page("| benchmark |\n| new |\n")
    assert page.read_text(encoding="utf-8") == (
        f"# x\n## Performance\nintro\n\n{bench.RESULTS_START}\n| benchmark |\n| new |\n"
        f"{bench.RESULTS_END}\n\nprose after\n"
    )


def test_the_performance_page_has_its_markers_once():
    assert bench.RESULTS_PAGE == conftest.ROOT / "docs" / "performance.md"
    text = bench.RESULTS_PAGE.read_text(encoding="utf-8")
    assert text.count(bench.RESULTS_START) == 1 and text.count(bench.RESULTS_END) == 1
    assert text.index(bench.RESULTS_START) > text.index("# Performance")
