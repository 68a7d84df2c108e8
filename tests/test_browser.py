"""A real browser, as a reader: from the landing page, type a query, open a result, read English
and Chinese side by side, follow a cited article and come back; in Chinese and in English, at
1280 and 420 px. Needs Debian's Chromium (/usr/bin/chromium) and Playwright (Python); CI
installs both, elsewhere these tests are skipped. Screenshots go to `test-output/browser/` in
the checkout (or `$LITBALINT_TEST_OUTPUT/browser/`), to be looked at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from litbalint.pipeline import corpus_files, import_paths
from litbalint.store import Store
from tests.support.serving import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium installed")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
OUTPUT = Path(os.environ.get("LITBALINT_TEST_OUTPUT") or Path(__file__).parents[1] / "test-output")
LOCALES = {"zh": "zh-CN", "en": "en-US"}  # the browser's Accept-Language picks the interface
EXTERNAL = re.compile(r"^https://(doi\.org|pubmed\.ncbi\.nlm\.nih\.gov)/")
STAND_IN = "<!DOCTYPE html><title>cited</title><h1>The cited article (stand-in)</h1>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("browser") / "litbalint.db"
    with Store(db) as store:
        assert all(r.ok for r in import_paths(store, corpus_files()))
    port = free_port()
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


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


JOURNEYS = [("zh", "巴林特小组", "摘要"), ("en", "Balint group", "Abstract")]


@pytest.mark.parametrize("width", [1280, 420])
@pytest.mark.parametrize(("lang", "query", "abstract_heading"), JOURNEYS)
def test_reader_journey(server, browser, width, lang, query, abstract_heading) -> None:
    shots = OUTPUT / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=LOCALES[lang])
    context.route(EXTERNAL, lambda route: route.fulfill(content_type="text/html", body=STAND_IN))
    page = context.new_page()

    def shot(name: str) -> None:
        path = shots / f"{lang}-{width}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10000

    try:
        page.goto(server + "/", timeout=15000)
        box = page.locator("input[name=q]").first
        top = box.bounding_box()
        assert top is not None and top["y"] < 300, top  # the search box is at the top
        assert page.locator(".lb-home").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
        shot("1-landing")

        box.fill(query)
        box.press("Enter")  # the query
        page.wait_for_url("**/-/search?**")
        results = page.locator("ol.lb-results > li.lb-result")
        assert results.count() >= 1
        assert page.locator("mark").count() >= 1  # highlighted passages
        shot("2-results")

        clicks = 0
        results.first.locator("a.lb-result-title").click()
        clicks += 1
        page.wait_for_load_state()
        article_url = page.url
        assert "/articles/" in article_url
        assert abstract_heading in page.locator(".lb-article").inner_text()
        english = page.locator(".lb-parallel .lb-en:not(.lb-empty)").first
        chinese = page.locator(".lb-parallel .lb-zh:not(.lb-empty)").first
        assert english.inner_text() and chinese.inner_text()
        en_box, zh_box = english.bounding_box(), chinese.bounding_box()
        assert en_box and zh_box
        if width >= 1000:  # side by side: same line, Chinese to the right
            assert abs(en_box["y"] - zh_box["y"]) < 5 and zh_box["x"] > en_box["x"] + 200
        else:  # one column: each English sentence above its Chinese
            assert zh_box["y"] > en_box["y"] and abs(zh_box["x"] - en_box["x"]) < 5
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # no sideways
        assert clicks == 1  # from the landing page: the query, then one click
        shot("3-article")

        # a cited article: the seeds cite articles outside the corpus, which link to PubMed or
        # the DOI (answered here by a stand-in page: the test machine is offline)
        cited = page.locator(".lb-items a").first
        href = cited.get_attribute("href") or ""
        assert href.startswith(("/", "https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/"))
        cited.click()
        page.wait_for_load_state()
        assert page.url != article_url and ("/articles/" in page.url or page.url == href)
        page.go_back()
        assert page.url == article_url
        page.go_back()
        assert "/-/search?" in page.url and page.locator("li.lb-result").count() >= 1
    finally:
        context.close()
