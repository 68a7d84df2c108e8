"""A real browser: type a Chinese query into the search box, open the result, see English and
Chinese side by side. Needs Debian's Chromium (/usr/bin/chromium) and Playwright (Python); CI
installs both, elsewhere the test is skipped."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from litbalint.pipeline import corpus_files, import_paths
from litbalint.store import Store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium installed")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("browser") / "litbalint.db"
    with Store(db) as store:
        assert all(r.ok for r in import_paths(store, corpus_files()))
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "litbalint", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/-/versions.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("litbalint serve did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_chinese_query_to_side_by_side_article(server: str, tmp_path: Path) -> None:
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            # the table's search box leads readers to the search page
            page.goto(server + "/litbalint/articles", timeout=15000)
            page.locator("input[name=_search]").fill("同伴支持")
            page.locator("input[name=_search]").press("Enter")
            page.wait_for_load_state()
            assert "/-/search?q=" in page.url and "%E5%90%8C" in page.url
            # researchers search the ranked view, in English (the choice is kept in a cookie)
            page.goto(server + "/litbalint/article_search?lang=en", timeout=15000)
            search_box = page.locator("input[name=_search]")
            search_box.fill("同伴支持")
            search_box.press("Enter")
            page.wait_for_load_state()
            assert "/article_search" in page.url and "_sort=rank" in page.url  # ranked
            rows = page.locator("table.rows-and-columns tbody tr")
            assert rows.count() >= 2
            # open the first result's article page
            page.locator("table.rows-and-columns tbody tr td.col-id a").first.click()
            page.wait_for_load_state()
            text = page.inner_text("article")
            assert "Abstract" in text and "References (" in text  # English labels
            assert "背景" in text and "BACKGROUND" in text
            english = page.locator(".lb-parallel [lang=en]").first.inner_text()
            chinese = page.locator(".lb-parallel [lang|=zh]").first.inner_text()
            assert english and chinese
            page.screenshot(path=str(tmp_path / "article.png"), full_page=True)
            assert (tmp_path / "article.png").stat().st_size > 10000
        finally:
            browser.close()
