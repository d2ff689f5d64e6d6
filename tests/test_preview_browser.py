"""The preview in a real browser: Debian's chromium, driven by Playwright.

`briefing watch` runs as a user runs it; the browser loads its URL once and
is never told to reload: edits must reach it by themselves."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import require
from watching import WatchProcess

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
SUMMARY = Path("sources") / "facts" / "visit.yaml"  # the meeting fact
CLAIM = "at the Kremlin on 23 June."


@pytest.fixture(scope="module")
def browser():
    chromium = require("chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
    with sync_api.sync_playwright() as playwright:
        # Playwright gives the browser a fresh profile folder of its own and removes it after
        launched = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def watching(default_dossier):
    process = WatchProcess(default_dossier, "-t", "analyst")
    process.wait_for("built analyst.html")
    yield process, default_dossier
    process.kill()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_saved_edit_appears_and_a_broken_quote_shows_its_error_line(browser, watching):
    process, dossier = watching
    page = browser.new_page()
    page.goto(process.url)
    assert page.locator("h1").inner_text() == "Mali–Russia: General Goïta’s visit to Moscow"
    assert "UNCLASSIFIED — FOR OFFICIAL USE ONLY" in page.locator(".marking-top").inner_text()

    edit(dossier / SUMMARY, CLAIM, "at the Kremlin on 23 June, as edited.")
    page.locator("p", has_text="as edited.").first.wait_for(timeout=10_000)  # no reload asked for

    edit(dossier / SUMMARY, 'quote: "', 'quote: "Nulle part ')  # the first quote no longer matches its source
    alert = page.get_by_role("alert")
    alert.wait_for(timeout=10_000)
    assert re.search(r"sources/facts/visit\.yaml:\d+: ", alert.inner_text())
    assert "as edited." in page.locator("main").inner_text()  # the last good brief stays below
    process.wait_for("error: ")
    assert "as edited." in (dossier / "out" / "analyst.html").read_text(encoding="utf-8")

    edit(dossier / SUMMARY, 'quote: "Nulle part ', 'quote: "')
    page.locator("#briefing-preview-errors").wait_for(state="detached", timeout=10_000)
    assert process.interrupt() in (0, 130)


def test_the_printed_page_has_the_marking_on_every_page_and_no_cut_table_row(browser, default_dossier, tmp_path):
    pdftotext = require("pdftotext")
    subprocess.run(["briefing", "build", "-d", str(default_dossier), "-t", "analyst", "-f", "html"], check=True,
                   capture_output=True)
    page = browser.new_page()
    page.goto((default_dossier / "out" / "analyst.html").as_uri())
    rows = page.eval_on_selector_all("main table tr", """rows => rows.map(row => [...row.cells].map(cell => {
        const copy = cell.cloneNode(true);
        copy.querySelectorAll("sup").forEach(sup => sup.remove());  // citation numbers
        return copy.textContent;
    }).join(" "))""")
    assert len(rows) > 10
    printed = tmp_path / "printed.pdf"
    page.pdf(path=str(printed), prefer_css_page_size=True, print_background=True)
    text = subprocess.run([pdftotext, str(printed), "-"], capture_output=True, text=True, check=True).stdout
    pages = [" ".join(page_text.split()) for page_text in text.split("\f") if page_text.strip()]
    assert len(pages) > 3
    for number, page_text in enumerate(pages, 1):
        assert page_text.count("UNCLASSIFIED — FOR OFFICIAL USE ONLY") == 2, f"page {number}: {page_text[:200]}"
        assert f"Page {number} of {len(pages)}" in page_text
    assert "BN-2025-0623-MLI-RUS-ANA · 24 June 2025" in pages[0]
    for row in rows:  # every row's words on one page: no row cut by a page break
        words = {word for word in re.findall(r"\w{6,}", row)}
        assert any(all(word in page_text for word in words) for page_text in pages), row


def test_axe_finds_no_serious_accessibility_problem(browser, default_dossier):
    """axe-core (the copy the axe-playwright-python package ships), run in chromium."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")
    subprocess.run(["briefing", "build", "-d", str(default_dossier), "-f", "html"], check=True, capture_output=True)
    for name in ("analyst", "executive", "defence"):
        page = browser.new_page()
        page.goto((default_dossier / "out" / f"{name}.html").as_uri())
        violations = axe.Axe().run(page).response["violations"]
        serious = [(v["id"], v["impact"], v["help"], [node["target"] for node in v["nodes"]][:3])
                   for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, serious
        page.close()
