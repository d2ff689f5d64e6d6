"""add-source as analysts get their sources: web pages, PDFs, Word files, links, texts in other
encodings; the original kept with its provenance; removing, renaming, re-adding, syndicating."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, make_dossier, pdf_with_streams, trickle, word_bomb

from briefing.cli import cli

FIXTURES = REPO / "tests" / "fixtures"
COLUMN_ONE = ["The left column opens the report on the lake.", "Its second sentence names the U.S. observer, Mr. Hale.",
              "Its third sentence closes the left column."]
COLUMN_TWO = ["The right column starts after the left one.", "It holds the commission's first reading of the level.",
              "Its last sentence ends the page."]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    root = tmp_path / "d"
    assert run("init", str(root), "--no-example").exit_code == 0
    return root


def entry(root: Path, source_id: str) -> dict:
    data = yaml.safe_load((root / "sources" / "sources.yaml").read_text(encoding="utf-8"))
    return next(item for item in data if item["id"] == source_id)


def two_column_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    width, height = A4
    doc = BaseDocTemplate(str(path), pagesize=A4, title="Commission report", author="Joint Commission")
    frames = [Frame(40, 60, width / 2 - 50, height - 120, id="left"), Frame(width / 2 + 10, 60, width / 2 - 50, height - 120, id="right")]
    doc.addPageTemplates([PageTemplate(id="two", frames=frames)])
    style = getSampleStyleSheet()["BodyText"]
    # one paragraph a column, long enough to wrap over several lines
    from reportlab.platypus import FrameBreak

    doc.build([Paragraph(" ".join(COLUMN_ONE), style), FrameBreak(), Paragraph(" ".join(COLUMN_TWO), style)])
    return path


def docx_file(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "Communiqué of the commission"
    document.add_heading("Communiqué", level=1)
    document.add_paragraph("The commission met in Calder on 7 April 2025.")
    document.add_paragraph("It read the level of Lake Orvane at 112.4 metres.")
    document.save(str(path))
    return path


# A page that names no outlet: no og:site_name, no publisher, no site in its title; only its address has a host.
BARE_PAGE = b"""<!DOCTYPE html><html lang="en"><head><title>Two countries share a lake</title>
<link rel="canonical" href="https://news.example.net/a/bare"></head><body><article>
<p>The governments of Estria and Lomond signed a water-sharing agreement for Lake Orvane on 11 March 2025.</p>
<p>Each country may draw at most 40 per cent of the lake's yearly inflow, the agreement says.</p>
</article></body></html>"""


class Pages(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes, dict]] = {}

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        if self.path in ("/trickle", "/trickle-headers"):
            return trickle(self, in_headers=self.path == "/trickle-headers")
        status, media, body, headers = self.routes.get(self.path, (404, "text/html", b"<h1>Not found</h1>", {}))
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", headers.get("Content-Length", str(len(body))))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A local HTTP server on 127.0.0.1, never the network; its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    Pages.routes = {
        "/world/lake-orvane": (200, "text/html; charset=utf-8", (FIXTURES / "article.html").read_bytes(), {}),
        "/logo.png": (200, "image/png", b"\x89PNG\r\n", {}),
        "/huge": (200, "text/html", b"<html></html>", {"Content-Length": "900000000"}),
        "/bare": (200, "text/html", BARE_PAGE.replace(b'<link rel="canonical" href="https://news.example.net/a/bare">', b""),
                  {}),
    }
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


# --- web pages --------------------------------------------------------------------------------


def test_a_web_page_gives_its_main_text_and_its_own_metadata(dossier: Path) -> None:
    result = run("add-source", str(FIXTURES / "article.html"), "-d", str(dossier))
    assert result.exit_code == 0, result.output
    text = (dossier / "sources" / "texts" / "article.txt").read_text(encoding="utf-8")
    assert 'signed a "comprehensive" water-sharing agreement' in text
    for absent in ("<", "&quot;", "&rsquo;", "Politics", "ADVERTISEMENT", "Orvane Phone", "All rights reserved"):
        assert absent not in text
    meta = entry(dossier, "article")
    assert (meta["title"], meta["outlet"], meta["author"], meta["date"], meta["language"], meta["url"]) == (
        "Two countries agree to share Lake Orvane", "Example Gazette", "Hélène Marsh", "2025-03-12", "en",
        "https://gazette.example.org/world/2025/03/12/lake-orvane-agreement")
    assert meta["provenance"] == dict.fromkeys(("title", "outlet", "author", "date", "language", "url"), "page")
    assert meta["original"] == "originals/article.html"
    import hashlib

    assert meta["original_sha256"] == hashlib.sha256((FIXTURES / "article.html").read_bytes()).hexdigest()
    assert (dossier / "sources" / "originals" / "article.html").read_bytes() == (FIXTURES / "article.html").read_bytes()
    assert "from the page: title, outlet, author, date, language, url" in result.output


def test_the_command_line_overrides_the_page_and_says_so(dossier: Path) -> None:
    result = run("add-source", str(FIXTURES / "article.html"), "-d", str(dossier), "--author", "H. Marsh",
                 "--origin", "orvane-wire")
    assert result.exit_code == 0, result.output
    meta = entry(dossier, "article")
    assert (meta["author"], meta["provenance"]["author"], meta["origin"]) == ("H. Marsh", "command line", "orvane-wire")


def test_what_the_page_does_not_give_stays_unknown(dossier: Path, tmp_path: Path) -> None:
    page = tmp_path / "bare.html"
    page.write_text("<html><body><article><p>" + "A plain sentence of the article without any metadata. " * 4
                    + "</p></article></body></html>", encoding="utf-8")
    assert run("add-source", str(page), "-d", str(dossier)).exit_code == 0
    meta = entry(dossier, "bare")
    for name in ("author", "date", "language", "url", "outlet"):
        assert (meta[name], meta["provenance"][name]) == ("unknown", "unknown"), name


def dated_page(head: str = "", body: str = "") -> bytes:
    """BARE_PAGE with `head` in its <head> (date metadata) and `body` at the start of its article."""
    return BARE_PAGE.replace(b"</head>", head.encode() + b"</head>").replace(b"<article>", b"<article>" + body.encode())


# A date the page's own metadata gives that no calendar has: the date library would read 2025-02-30 as
# 2025-02-01 (the month it can read, and day 1). The date stays unknown, and the page's words are shown.
IMPOSSIBLE_DATES = {
    "og-published": ('<meta property="article:published_time" content="2025-02-30">', ""),
    "og-published-with-time": ('<meta property="article:published_time" content="2025-02-30T08:30:00+01:00">', ""),
    "name-date-day-first": ('<meta name="date" content="30.02.2025">', ""),
    "itemprop": ('<meta itemprop="datePublished" content="2025-02-30">', ""),
    "time-element": ("", '<p><time datetime="2025-02-30">30 February 2025</time></p>'),
    "month-13": ('<meta name="dc.date" content="2025-13-01">', ""),
}


@pytest.mark.parametrize("head, body", IMPOSSIBLE_DATES.values(), ids=IMPOSSIBLE_DATES)
def test_an_impossible_date_of_the_page_stays_unknown_and_is_shown(dossier: Path, tmp_path: Path, head: str,
                                                                   body: str) -> None:
    page = tmp_path / "dated.html"
    page.write_bytes(dated_page(head, body))
    result = run("add-source", str(page), "-d", str(dossier))
    assert result.exit_code == 0, result.output
    meta = entry(dossier, "dated")
    assert (meta["date"], meta["provenance"]["date"]) == ("unknown", "unknown")
    impossible = "2025-13-01" if "2025-13" in head else "2025-02-30"
    assert f"warning: the page's date '{impossible}' is not one briefing can record ({impossible} is not a date of " \
           "the calendar" in result.output


def test_a_fetched_page_with_an_impossible_date_has_an_unknown_date(dossier: Path, server: str) -> None:
    Pages.routes["/impossible"] = (200, "text/html", dated_page(IMPOSSIBLE_DATES["og-published"][0]), {})
    result = run("add-source", f"{server}/impossible", "-d", str(dossier))
    assert result.exit_code == 0, result.output
    meta = entry(dossier, "impossible")
    assert (meta["date"], meta["provenance"]["date"]) == ("unknown", "unknown")
    assert "the page's date '2025-02-30' is not one briefing can record" in result.output


@pytest.mark.parametrize("head, date", [
    ('<meta property="article:published_time" content="2025-02-28T23:30:00+01:00">', "2025-02-28"),
    ('<meta name="date" content="28.02.2025">', "2025-02-28"),
    ('<meta property="article:published_time" content="2024-02-29">', "2024-02-29"),
    # the publication date is whole; the modification date is not, and is not the one read
    ('<meta property="article:published_time" content="2025-02-10">'
     '<meta property="article:modified_time" content="2025-02-30">', "2025-02-10"),
])
def test_a_date_of_the_calendar_is_read_as_before(dossier: Path, tmp_path: Path, head: str, date: str) -> None:
    page = tmp_path / "dated.html"
    page.write_bytes(dated_page(head))
    result = run("add-source", str(page), "-d", str(dossier))
    assert result.exit_code == 0, result.output
    assert (entry(dossier, "dated")["date"], entry(dossier, "dated")["provenance"]["date"]) == (date, "page")
    assert "warning" not in result.output


# --- PDF, Word, encodings ----------------------------------------------------------------------


def test_a_two_column_pdf_reads_column_after_column_with_whole_sentences(dossier: Path, tmp_path: Path) -> None:
    pdf = two_column_pdf(tmp_path / "report.pdf")
    result = run("add-source", str(pdf), "-d", str(dossier))
    assert result.exit_code == 0, result.output
    text = (dossier / "sources" / "texts" / "report.txt").read_text(encoding="utf-8")
    assert text.splitlines() == [" ".join(COLUMN_ONE), " ".join(COLUMN_TWO)]
    meta = entry(dossier, "report")
    assert (meta["title"], meta["author"], meta["provenance"]["title"]) == ("Commission report", "Joint Commission", "document")
    assert meta["original"] == "originals/report.pdf"


def test_a_pdf_without_a_text_layer_is_refused(dossier: Path, tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    scan = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(scan))
    page.rect(50, 50, 400, 600, fill=1)  # an image of a page, no text
    page.save()
    result = run("add-source", str(scan), "-d", str(dossier))
    assert result.exit_code == 1
    assert "this PDF has no text layer (a scanned image?)" in result.output
    assert not list((dossier / "sources" / "texts").iterdir())


def test_a_word_file_gives_its_paragraphs(dossier: Path, tmp_path: Path) -> None:
    result = run("add-source", str(docx_file(tmp_path / "communique.docx")), "-d", str(dossier))
    assert result.exit_code == 0, result.output
    assert (dossier / "sources" / "texts" / "communique.txt").read_text(encoding="utf-8") == (
        "Communiqué\nThe commission met in Calder on 7 April 2025.\nIt read the level of Lake Orvane at 112.4 metres.\n")
    assert entry(dossier, "communique")["provenance"]["title"] == "document"


def peak_memory_of(command: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, int]:
    """Run `command`, and measure the most memory it held (its peak resident size, in bytes). A process
    of its own runs it, so that no other child of the test session is counted."""
    measure = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(done.returncode); "
               "sys.stderr.write(done.stderr)")
    done = subprocess.run([sys.executable, "-c", measure, *command], cwd=cwd, capture_output=True, text=True, timeout=120)
    peak, code = done.stdout.split()
    return subprocess.CompletedProcess(command, int(code), "", done.stderr), int(peak) * 1024


def test_a_word_file_whose_zip_understates_a_part_is_read_within_the_limit(dossier: Path, tmp_path: Path) -> None:
    """Its headers say document.xml unpacks to 3 kB; it unpacks to 200 MB. Python's ZipFile.read unpacks
    a part whole before it cuts it to the size declared: before, add-source held it all (430 MB)."""
    bomb = word_bomb(tmp_path / "liar.docx", megabytes=200, declared=3000)
    done, peak = peak_memory_of([sys.executable, "-m", "briefing", "add-source", str(bomb), "-d", str(dossier)], tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"error: {bomb}: this Word file cannot be read (Bad CRC-32 for file "
                                        "'word/document.xml'); save it again as .docx"]
    assert peak < 150_000_000, f"{peak:,} bytes"
    assert not list((dossier / "sources" / "texts").iterdir())


def test_a_word_file_packed_as_word_never_packs_is_refused_before_it_is_unpacked(dossier: Path, tmp_path: Path) -> None:
    """bzip2: Python unpacks each read of it whole, whatever size was asked for."""
    packed = word_bomb(tmp_path / "packed.docx", megabytes=1, compression=zipfile.ZIP_BZIP2)
    result = run("add-source", str(packed), "-d", str(dossier))
    assert result.exit_code == 1
    assert "the part 'word/document.xml' is packed in a way Word never writes (compression method 12)" in result.output
    assert not list((dossier / "sources" / "texts").iterdir())


def test_a_pdf_with_an_image_larger_than_the_limit_is_read(dossier: Path, tmp_path: Path) -> None:
    """The image unpacks to 70 MB; pdfminer never unpacks an image for the text, so it counts for nothing."""
    figure = pdf_with_streams(tmp_path / "figure.pdf", b"BT /F1 14 Tf 72 700 Td (The lake fell by two metres.) Tj ET",
                              image_megabytes=70)
    result = run("add-source", str(figure), "-d", str(dossier))
    assert result.exit_code == 0, result.output
    assert (dossier / "sources" / "texts" / "figure.txt").read_text(encoding="utf-8") == "The lake fell by two metres.\n"


def test_a_windows_1252_text_is_decoded_and_said(dossier: Path, tmp_path: Path) -> None:
    path = tmp_path / "depeche.txt"
    path.write_bytes("Le président a reçu à Moscou. Café crème, élève, déjà vu.\n".encode("cp1252"))
    result = run("add-source", str(path), "-d", str(dossier))
    assert result.exit_code == 0, result.output
    assert "text decoded as cp1252" in result.output
    assert (dossier / "sources" / "texts" / "depeche.txt").read_text(encoding="utf-8").startswith("Le président a reçu à")
    assert (dossier / "sources" / "originals" / "depeche.txt").read_bytes() == path.read_bytes()


# --- links ---------------------------------------------------------------------------------------


def test_a_link_is_fetched_and_its_provenance_recorded(dossier: Path, server: str) -> None:
    result = run("add-source", f"{server}/world/lake-orvane", "-d", str(dossier))
    assert result.exit_code == 0, result.output
    meta = entry(dossier, "lake-orvane")
    assert meta["fetched_from"] == f"{server}/world/lake-orvane"
    assert meta["fetched_at"].endswith("Z") and meta["original"] == "originals/lake-orvane.html"
    assert meta["url"].startswith("https://gazette.example.org/")  # the page's canonical address


@pytest.mark.parametrize("path, message", [
    ("/missing", "the server answered HTTP 404 Not Found; nothing added"),
    ("/logo.png", "the link gives image/png, not a web page, a PDF, a Word file or text; nothing added"),
    ("/huge", "the link gives more than 20,000,000 bytes (900,000,000 bytes), too large for an article"),
])
def test_a_link_that_fails_says_why_in_one_line(dossier: Path, server: str, path: str, message: str) -> None:
    result = run("add-source", server + path, "-d", str(dossier))
    assert result.exit_code == 1
    assert result.output == f"error: {server}{path}: {message}" + result.output.split(message, 1)[1]
    assert not list((dossier / "sources" / "texts").iterdir())


def test_a_link_without_answer_times_out(server: str) -> None:
    import socket

    from briefing.authoring.fetch import fetch_url
    from briefing.errors import BriefingError

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts, never answers
    try:
        with pytest.raises(BriefingError, match="the server did not send the whole answer within 0.5 seconds"):
            fetch_url(f"http://127.0.0.1:{silent.getsockname()[1]}/", timeout=0.5)
    finally:
        silent.close()


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_link_that_trickles_is_given_up_at_the_timeout_in_all(server: str, path: str) -> None:
    """A byte every 0.2 s meets no socket timeout, in the body or in the headers: the fetch stops
    at its total time all the same (the server would go on for two minutes)."""
    import time

    from briefing.authoring.fetch import fetch_url
    from briefing.errors import BriefingError

    start = time.monotonic()
    with pytest.raises(BriefingError, match="the server did not send the whole answer within 1 seconds"):
        fetch_url(server + path, timeout=1)
    assert time.monotonic() - start < 5


def test_add_source_gives_up_a_trickling_link_after_its_timeout(dossier: Path, server: str) -> None:
    result = run("add-source", f"{server}/trickle", "-d", str(dossier), "--timeout", "1.5")
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {server}/trickle: the server did not send the whole answer within 1.5 "
                                    "seconds")
    assert not list((dossier / "sources" / "texts").iterdir())


def test_a_page_that_names_no_outlet_has_an_unknown_outlet_not_its_host(dossier: Path, tmp_path: Path) -> None:
    """The host of its canonical address is where the page was, not who published it: it stays in the URL."""
    page = tmp_path / "bare.html"
    page.write_bytes(BARE_PAGE)
    assert run("add-source", str(page), "-d", str(dossier)).exit_code == 0
    meta = entry(dossier, "bare")
    assert (meta["outlet"], meta["provenance"]["outlet"]) == ("unknown", "unknown")
    assert meta["url"] == "https://news.example.net/a/bare"


def test_a_fetched_page_that_names_no_outlet_has_an_unknown_outlet(dossier: Path, server: str) -> None:
    result = run("add-source", f"{server}/bare", "-d", str(dossier))
    assert result.exit_code == 0, result.output
    meta = entry(dossier, "bare")
    assert (meta["outlet"], meta["provenance"]["outlet"]) == ("unknown", "unknown")
    assert (meta["url"], meta["provenance"]["url"]) == (f"{server}/bare", "fetched")
    assert "127.0.0.1" not in meta["outlet"]


# --- managing sources -------------------------------------------------------------------------


def cited_dossier(tmp_path: Path) -> Path:
    return make_dossier(tmp_path / "m")  # facts cite source 'one'


def test_remove_source_is_refused_while_facts_cite_it(tmp_path: Path) -> None:
    root = cited_dossier(tmp_path)
    result = run("remove-source", "one", "-d", str(root))
    assert result.exit_code == 1
    assert "source 'one' is cited by" in result.output and "'meeting' (" in result.output
    assert (root / "sources" / "texts" / "one.txt").exists()


def test_remove_source_removes_the_entry_text_and_original(dossier: Path) -> None:
    assert run("add-source", str(FIXTURES / "article.html"), "-d", str(dossier)).exit_code == 0
    result = run("remove-source", "article", "-d", str(dossier))
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((dossier / "sources" / "sources.yaml").read_text(encoding="utf-8")) is None
    assert not (dossier / "sources" / "texts" / "article.txt").exists()
    assert not (dossier / "sources" / "originals" / "article.html").exists()
    assert "# One entry per article" in (dossier / "sources" / "sources.yaml").read_text(encoding="utf-8")


def test_rename_source_updates_every_fact_that_cites_it(tmp_path: Path) -> None:
    root = cited_dossier(tmp_path)
    result = run("rename-source", "one", "tass-0623", "-d", str(root))
    assert result.exit_code == 0, result.output
    facts = yaml.safe_load((root / "sources" / "facts" / "facts.yaml").read_text(encoding="utf-8"))
    assert {e["source"] for fact in facts for e in fact["evidence"]} == {"tass-0623"}
    assert (root / "sources" / "texts" / "tass-0623.txt").exists() and not (root / "sources" / "texts" / "one.txt").exists()
    assert run("check", "-d", str(root)).exit_code == 0
    assert run("rename-source", "tass-0623", "bad id", "-d", str(root)).exit_code == 1


def test_adding_a_text_again_is_refused_naming_its_source(dossier: Path) -> None:
    assert run("add-source", str(FIXTURES / "article.html"), "-d", str(dossier)).exit_code == 0
    result = run("add-source", str(FIXTURES / "article.html"), "-d", str(dossier), "--id", "again")
    assert result.exit_code == 1
    assert "this text is in the dossier already, as source 'article'" in result.output


def test_a_syndicated_copy_is_warned_about(dossier: Path, tmp_path: Path) -> None:
    assert run("add-source", str(FIXTURES / "article.html"), "-d", str(dossier)).exit_code == 0
    copy = tmp_path / "copy.html"
    copy.write_text((FIXTURES / "article.html").read_text(encoding="utf-8").replace(
        "Farmers&rsquo; groups in Lomond", "Farmers&rsquo; unions in Lomond"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["add-source", str(copy), "-d", str(dossier)])
    assert result.exit_code == 0
    assert "warning: sources 'article' and 'copy' share" in result.output


def test_a_changed_original_is_an_error_until_accepted(dossier: Path) -> None:
    assert run("add-source", str(FIXTURES / "article.html"), "-d", str(dossier)).exit_code == 0
    (dossier / "sources" / "facts" / "facts.yaml").write_text(yaml.safe_dump([{
        "id": "cap", "section": "summary", "claim": "Each country may draw at most 40 per cent of the inflow.",
        "evidence": [{"source": "article", "quote": "each country may draw at most 40 per cent of the lake’s yearly inflow"}]}]),
        encoding="utf-8")
    assert run("check", "-d", str(dossier)).exit_code == 0
    with (dossier / "sources" / "originals" / "article.html").open("a") as stream:
        stream.write("<!-- edited -->")
    result = run("check", "-d", str(dossier))
    assert result.exit_code == 1 and "the original file changed since it was added" in result.output
    assert run("sources", "--accept", "article", "-d", str(dossier)).exit_code == 0
    assert run("check", "-d", str(dossier)).exit_code == 0


# --- all errors in one pass, and a brief from every kind of source ----------------------------


def test_schema_and_check_errors_come_in_one_run(tmp_path: Path) -> None:
    root = make_dossier(tmp_path / "e", facts=[
        {"id": "good-but-wrong", "section": "sumary", "claim": "A claim.",
         "evidence": [{"source": "one", "quote": "Le président a reçu son ami"}]},
        {"id": "bad", "section": "summary", "claim": 12, "confidence": "maybe",
         "evidence": [{"source": "nowhere", "quote": "three words here"},
                      {"source": "one", "quote": "a quote that is not there"}]},
    ])
    result = run("check", "-d", str(root))
    assert result.exit_code == 1
    for expected in ("unknown section 'sumary'", "'claim' has the wrong type", "'confidence':",
                     "fact 'bad': unknown source 'nowhere'", "fact 'bad': quote not found in source 'one'",
                     "fact 'good-but-wrong': quote not found in source 'one'"):
        assert expected in result.output, expected


def test_a_brief_from_a_page_a_pdf_a_word_file_and_a_link(dossier: Path, tmp_path: Path, server: str) -> None:
    from readback import docx_paragraphs, pdf_text

    for source in (str(FIXTURES / "news-page.html"), str(two_column_pdf(tmp_path / "report.pdf")),
                   str(docx_file(tmp_path / "communique.docx")), f"{server}/world/lake-orvane"):
        assert run("add-source", source, "-d", str(dossier), "--reliability", "B").exit_code == 0
    quotes = {
        "news-page": "The commission, chaired in turn by each country for a year, will measure the lake’s level on the first Monday of every month",
        "report": "Its second sentence names the U.S. observer, Mr. Hale.",
        "communique": "The commission met in Calder on 7 April 2025.",
        "lake-orvane": 'signed a "comprehensive" water-sharing agreement for Lake Orvane',
    }
    claims = {"news-page": "The commission will measure the lake's level every month.",
              "report": "The report names an observer.", "communique": "The commission met in Calder on 7 April 2025.",
              "lake-orvane": "The agreement was signed."}
    facts = [{"id": f"f-{source_id}", "section": "summary", "headline": True, "claim": claims[source_id],
              "evidence": [{"source": source_id, "quote": quote}]} for source_id, quote in quotes.items()]
    (dossier / "sources" / "facts" / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    result = run("build", "-d", str(dossier), "-t", "analyst")
    assert result.exit_code == 0, result.output
    pdf = " ".join(pdf_text(dossier / "out" / "analyst.pdf").split())
    docx = " ".join(" ".join(docx_paragraphs(dossier / "out" / "analyst.docx")).split())
    for text in (pdf, docx):
        for absent in ("&quot;", "&rsquo;", "<p>", "Advertisement", "cookies"):
            assert absent not in text
    assert "Its second sentence names the U.S. observer, Mr. Hale." in pdf
    assert "The Lakeside Herald" in pdf and "Tomas Verlaine" in pdf  # the metadata taken from the page


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_a_dropped_property_of_a_pdf_or_word_file_is_named_as_theirs(dossier: Path, tmp_path: Path, kind: str) -> None:
    """A document property the schema refuses is dropped with a warning that names where it came from:
    the PDF's title, the Word file's title (before: "the page's title" for both)."""
    path = tmp_path / f"report.{kind}"
    title = "T" * 600  # longer than a title may be
    if kind == "pdf":
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import Paragraph, SimpleDocTemplate

        SimpleDocTemplate(str(path), title=title).build([Paragraph(
            "The commission met in Calder on 7 April 2025 and read the level of the lake.", getSampleStyleSheet()["BodyText"])])
    else:
        import docx

        document = docx.Document()
        document.core_properties.title = "Report\x85on the lake"  # a control character no brief can show
        document.add_paragraph("The commission met in Calder on 7 April 2025 and read the level of the lake.")
        document.save(str(path))
    result = run("add-source", str(path), "--dossier", str(dossier), "--reliability", "B")
    assert result.exit_code == 0, result.output
    expected = {"pdf": "the PDF's title", "docx": "the Word file's title"}[kind]
    assert f"warning: {expected} '" in result.output and "the page's" not in result.output, result.output


def test_control_characters_of_an_article_are_not_kept(dossier: Path, tmp_path: Path) -> None:
    """An escape sequence or another control character in a text is no part of the article: add-source
    leaves it out (and says so), so that `quote` never suggests a quote `check` refuses (before: the
    text kept "\\x1b[31m", and quote suggested "a \\u001b[31mreçu")."""
    import json

    path = tmp_path / "dispatch.txt"
    path.write_text("Le président \x1b[31ma reçu\x1b[0m son homologue\x07 à Moscou le 23 juin 2025.\x0c"
                    "Trois accords ont été signés.\n", encoding="utf-8")
    result = run("add-source", str(path), "--dossier", str(dossier), "--reliability", "B")
    assert result.exit_code == 0, result.output
    assert "4 control characters left out of the text" in result.output, result.output
    text = (dossier / "sources" / "texts" / "dispatch.txt").read_text(encoding="utf-8")
    assert text == "Le président a reçu son homologue à Moscou le 23 juin 2025.\nTrois accords ont été signés.\n"
    found = run("quote", "dispatch", "le president a recu son homologue", "--dossier", str(dossier), "--json")
    assert found.exit_code == 0 and "\x1b" not in json.loads(found.output)[0]["quote"]
    assert run("check", "--dossier", str(dossier)).exit_code == 0
