"""`litbalint serve` answers correctly while `litbalint import` writes the file it serves: a
real server (mutable, the default) on a file named corpus.db, three batches imported by another
process while pages, table searches, the search page and article pages are polled. The full-size
run is `python -m scripts.check_serve_while_writing` (20,000 records, and a harvest)."""

from __future__ import annotations

from pathlib import Path

from scripts.check_serve_while_writing import MAX_LAG_SECONDS, run


def test_pages_stay_right_and_new_rows_show_while_the_served_file_is_written(tmp_path: Path):
    result = run(tmp_path, records=800, batches=4, chinese_share=0.0, pollers=1)
    seen = result["seen"]
    assert seen.errors() == []
    assert seen.decreases == []  # counts never go down
    kinds = {kind for kind, _, _ in seen.requests}
    assert {"database page", "table search json", "search json", "article page"} <= kinds
    assert result["final_count"] == 800
    lags = seen.lags()
    assert len(lags) >= 2 and max(lags) < MAX_LAG_SECONDS  # several commits, each shown soon
    assert seen.served_counts[-1][1] == 800
