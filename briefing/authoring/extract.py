"""The text of an article as an analyst gets it: a saved web page, a PDF, a Word file or plain text.

Each kind is read by a well-kept library, never by regular expressions over
markup: trafilatura finds a web page's main text (without navigation, ads or
cookie banners) and its metadata, pdfminer.six lays out a PDF's text layer in
reading order (columns one after the other), python-docx reads a Word file's
paragraphs, and charset-normalizer tells the encoding of a plain text that is
not UTF-8. The result is one paragraph a line, as `check` and `quote` read it.
A Word file or a PDF that unpacks to more than 64 MB is refused before any of
them unpacks it (`load.unpacking`).

Metadata comes only from the file itself (a page's meta tags, a document's
properties); what it does not give stays unknown. Nothing is guessed.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BriefingError
from ..load.paths import MAX_FILE_BYTES
from ..load.unpacking import TooLarge, pdf_reader, read_parts, repacked
from .page_dates import page_date

PAGE = "page"  # provenance: the page's own metadata (meta tags, <html lang>, the canonical link)
DOCUMENT = "document"  # provenance: a PDF's or Word file's document properties
WESTERN = ("cp1252", "latin_1", "iso8859_15")
KINDS = {"html": ".html", "pdf": ".pdf", "docx": ".docx", "text": ".txt"}


@dataclass(frozen=True)
class Extracted:
    """What a file holds: its text, its kind, and the metadata the file itself gives."""

    text: str  # one paragraph a line, LF, ending with a line break
    kind: str  # html | pdf | docx | text
    metadata: dict[str, str] = field(default_factory=dict)  # title, author, date, outlet, language, url
    provenance: str = PAGE  # where `metadata` comes from
    encoding: str | None = None  # a plain text's encoding, when it is not UTF-8


def detect_kind(data: bytes, name: str = "", content_type: str = "") -> str:
    """html, pdf, docx or text: from the bytes first, then the media type or the file name."""
    head = data[:1024].lstrip().lower()
    suffix = Path(name).suffix.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536] or suffix == ".docx":
            return "docx"
        raise BriefingError("this is a zip archive but not a Word (.docx) file; save the article as .docx, PDF, "
                            "HTML or text", file=name or None)
    for magic, what in ((b"{\\rtf", "an RTF file"), (b"\xd0\xcf\x11\xe0", "an old Word or Office file (.doc)")):
        if data.startswith(magic):
            raise BriefingError(f"this is {what}; save it as .docx or PDF first", file=name or None)
    if "html" in content_type or suffix in (".html", ".htm", ".xhtml") or \
            head.removeprefix(b"\xef\xbb\xbf").startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def extract(data: bytes, name: str = "", content_type: str = "", url: str | None = None) -> Extracted:
    """The text and metadata of a file's bytes (`name` for messages and its suffix)."""
    kind = detect_kind(data, name, content_type)
    if kind == "html":
        result = extract_html(data, name, url)
    else:
        result = {"pdf": extract_pdf, "docx": extract_docx, "text": extract_text}[kind](data, name)
    if not result.text.strip():
        raise BriefingError("the file is empty; an article needs its text" if kind == "text" else
                            f"no article text found in this {kind.upper() if kind != 'html' else 'page'}", file=name or None)
    return result


def _paragraphs(lines) -> str:
    """One paragraph a line, whitespace inside a paragraph made single spaces, empty ones dropped."""
    kept = [" ".join(line.split()) for line in lines]
    return "".join(line + "\n" for line in kept if line)


def extract_html(data: bytes, name: str = "", url: str | None = None) -> Extracted:
    """A web page's main text and the metadata of the page itself (trafilatura, lxml)."""
    with warnings.catch_warnings():  # urllib3, imported by trafilatura, adds filters of its own
        import trafilatura

    document = trafilatura.bare_extraction(
        data, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True,
        # the dates the page declares (meta tags, structured data), never one searched for in its text
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None:
        raise BriefingError("no article text found in this page (trafilatura found no main text)", file=name or None)
    found = document if isinstance(document, dict) else document.as_dict()
    tree = _page_tree(data)
    canonical = _canonical_url(tree)
    metadata = {"title": found.get("title"), "author": found.get("author"), "date": page_date(found.get("date"), tree),
                "outlet": _stated_outlet(found.get("sitename"), found.get("url"), url, canonical),
                "url": canonical or None, "language": _page_language(tree)}
    return Extracted(_paragraphs((found.get("text") or "").splitlines()), "html",
                     {key: str(value).strip() for key, value in metadata.items() if value and str(value).strip()})


def _stated_outlet(sitename: str | None, *addresses: str | None) -> str | None:
    """The outlet a page names (its og:site_name, its publisher, the site in its title). Where it
    names none, trafilatura gives the host name of the page's address, which says where the page
    was, not who published it: that is no outlet (the address is kept as the URL)."""
    if not sitename:
        return None
    hosts = {_host(address) for address in addresses if address}
    return None if sitename.strip().lower() in hosts else sitename


def _host(address: str) -> str:
    """'https://www.gazette.example.org:8080/x' → 'gazette.example.org:8080', as trafilatura names a site from it."""
    from urllib.parse import urlsplit

    return re.sub(r"^(?:www|w[0-9]+)\.", "", urlsplit(address).netloc.lower())


def _page_tree(data: bytes):
    import lxml.html

    try:
        return lxml.html.document_fromstring(data)
    except Exception:  # lxml's parser errors on a document it cannot read at all
        return None


def _page_language(tree) -> str | None:
    """`<html lang="fr-FR">` → 'fr': the language the page declares."""
    lang = (tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "") if tree is not None else ""
    code = lang.strip().split("-")[0].split("_")[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _canonical_url(tree) -> str | None:
    """The page's own address: `<link rel="canonical">`, else `og:url`; only an http(s) one."""
    if tree is None:
        return None
    candidates = tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href') + \
        tree.xpath('//meta[@property="og:url"]/@content')
    return next((href.strip() for href in candidates if href.strip().lower().startswith(("http://", "https://"))), None)


def extract_pdf(data: bytes, name: str = "") -> Extracted:
    """A PDF's text layer in reading order: pdfminer's text boxes (a paragraph each, the columns one
    after the other), the lines of a box joined; the title and author of its document properties."""
    import io

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        properties = _pdf_properties(pdf_reader(data))
    except TooLarge:
        raise _unpacks_too_much("PDF", name) from None
    paragraphs = []
    try:
        for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
            for box in page:
                if isinstance(box, LTTextContainer):
                    lines = [line.strip() for line in box.get_text().splitlines() if line.strip()]
                    paragraphs.append(_join_lines(lines))
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as error:
        raise BriefingError(f"this PDF cannot be read ({type(error).__name__}: {error}); save it again or "
                            "export the text", file=name or None) from None
    except MemoryError:  # streams pypdf could not read and pdfminer did (`pdf_reader`): one line all the same
        raise BriefingError("this PDF needs more memory to read than this machine has; save the pages you need "
                            "as a PDF of their own, or export the text", file=name or None) from None
    text = _paragraphs(paragraphs)
    if not text.strip():
        raise BriefingError("this PDF has no text layer (a scanned image?); run it through OCR first, or save "
                            "the text by hand", file=name or None)
    return Extracted(text, "pdf", properties, DOCUMENT)


def _join_lines(lines: list[str]) -> str:
    """The lines of one paragraph as one line: a line ending in a hyphen joins the next without a space."""
    joined = ""
    for line in lines:
        joined += line if not joined or joined.endswith("-") else " " + line
    return joined


def _pdf_properties(reader) -> dict[str, str]:
    try:
        info: dict = dict(reader.metadata or {}) if reader is not None else {}
    except Exception:  # a damaged information dictionary: the text is what matters
        return {}
    found = {"title": info.get("/Title"), "author": info.get("/Author")}
    return {key: str(value).strip() for key, value in found.items() if value and str(value).strip()
            and str(value).strip().lower() not in ("untitled", "anonymous", "(anonymous)")}


def _unpacks_too_much(kind: str, name: str) -> BriefingError:
    return BriefingError(f"this {kind} unpacks to more than {MAX_FILE_BYTES // 1_000_000} MB, far more than the text "
                         "of an article (a file made to fill the memory?); save the part you need as a file of its "
                         "own, or export the text; nothing added", file=name or None)


def extract_docx(data: bytes, name: str = "") -> Extracted:
    """A Word file's paragraphs (and table cells), in order; title and author of its properties."""
    import io
    import zipfile

    import docx
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = read_parts(package)
        document = docx.Document(io.BytesIO(repacked(parts)))  # python-docx unpacks parts whole: these are known
        _check_whole_text(document.element.body, name)
        lines = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            lines += [cell.text for row in table.rows for cell in row.cells]
        properties = document.core_properties
    except TooLarge:
        raise _unpacks_too_much("Word file", name) from None
    except (zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError) as error:
        reason = " ".join(str(error).split())[:120]
        raise BriefingError(f"this Word file cannot be read ({reason}); save it again as .docx", file=name or None) from None
    found = {"title": properties.title, "author": properties.author,
             "language": (properties.language or "").split("-")[0].lower() or None}
    return Extracted(_paragraphs(lines), "docx", {key: str(value).strip() for key, value in found.items() if value},
                     DOCUMENT)


def _check_whole_text(body, name: str) -> None:
    """Refuse a run of text (`w:t`) that holds anything but text: an entity reference a DOCTYPE
    declares (`&place;`), a comment, a processing instruction. Word writes none of them, and
    python-docx reads a run's text only up to the first: the rest would be lost without a word."""
    from docx.oxml.ns import qn
    from lxml import etree

    for run in body.iter(qn("w:t")):
        if len(run):
            inside = run[0]
            what = (f"the XML entity reference &{inside.name};" if isinstance(inside, etree._Entity) else
                    "an XML comment" if isinstance(inside, etree._Comment) else "XML markup")
            raise BriefingError(f"this Word file holds {what} inside its text (line {inside.sourceline} of its "
                                "word/document.xml), which Word never writes, and the text after it would be lost; "
                                "open it in Word or LibreOffice and save it again as .docx", file=name or None)


def extract_text(data: bytes, name: str = "") -> Extracted:
    """Plain text: UTF-8 (a BOM dropped), else the encoding charset-normalizer detects, which is said."""
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        offset = data.index(b"\x00")
        raise BriefingError(f"not a text file (byte {offset} is 0x00); save the article as text, HTML, PDF or .docx",
                            file=name or None)
    encoding = None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        matches = list(from_bytes(data))
        best = matches[0] if matches else None
        if best is None:
            raise BriefingError("the encoding of this text cannot be told (it is not UTF-8, and no common encoding "
                                "reads it as text); save it as UTF-8", file=name or None) from None
        # A short text fits several code pages about as well; Windows-1252 (and Latin-1) is by far
        # the most common one of saved texts, so among the close fits it is taken first.
        western = [m for m in matches if m.encoding in WESTERN and m.chaos <= best.chaos + 0.1]
        chosen = western[0] if western else best
        text, encoding = str(chosen).removeprefix("\ufeff"), chosen.encoding
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Extracted(text if text.endswith("\n") or not text else text + "\n", "text", {}, PAGE, encoding)
