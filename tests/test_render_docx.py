"""The DOCX renderer: Word's own styles, footnotes, fields and properties, read back."""

import io
import re
import shutil
import subprocess
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import docx
import pytest
from lxml import etree

from briefing.build import build_briefs
from conftest import HOSTILE, REPO, build_default, hostile_reference, linking_reference, make_dossier, require
from readback import W, blank_shares, docx_footnotes, flat

R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

@pytest.fixture(scope="module")
def default_docx(tmp_path_factory):
    return build_default(tmp_path_factory.mktemp("docx"), ("docx",))


@pytest.fixture(scope="module")
def contents_docx(tmp_path_factory):
    """The default analyst brief from a template that asks for a table of contents."""
    root = tmp_path_factory.mktemp("contents")
    shutil.copytree(REPO / "sources", root / "sources")
    shutil.copytree(REPO / "templates", root / "templates")
    template = root / "templates" / "analyst.md.j2"
    template.write_text(template.read_text().replace("numbered: true\n", "numbered: true\ntable_of_contents: true\n"))
    build_briefs(root, ("analyst",), ("docx",))
    return root / "out"


def xml(path, member: str):
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(member))


def test_structure_uses_real_word_styles(default_docx, contents_docx):
    document = docx.Document(str(default_docx / "analyst.docx"))
    used = {p.style.name for p in document.paragraphs}
    assert {"Title", "Subtitle", "Heading 1", "Heading 2", "List Bullet", "Numbered Paragraph"} <= used
    assert {"TOC Heading", "toc 1"} <= {p.style.name for p in docx.Document(str(contents_docx / "analyst.docx")).paragraphs}
    assert {t.style.name for t in document.tables} == {"Table Grid"}
    assert document.paragraphs[2].text == "Mali–Russia: General Goïta’s visit to Moscow"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Executive summary" and headings[-1] == "Sources"  # numbered by Word, not typed


def test_citations_are_native_footnotes_with_source_grade_and_quote(default_docx):
    path = default_docx / "analyst.docx"
    notes = docx_footnotes(path)
    assert len(notes) >= 5
    first = notes[sorted(notes)[0]]  # the three accords, which lead the bottom line
    assert "Report on the Kremlin communiqué (C): « Les accords signés sont les suivants" \
        in first.replace("\u00a0", " ")  # source, grade, then its verbatim words
    assert "Credibility\u00a01." in first  # the grade bound to its word
    assert "unknown" not in first and "[fr]" not in first  # the source's descriptor is in the sources list, once
    brief = docx_footnotes(default_docx / "executive.docx")
    for note in brief.values():  # the one-page note's footnotes name who says it, with their grades
        assert re.fullmatch(r"[^;]+ \([A-F]\)(; [^;]+ \([A-F]\))*(, of one origin)?\.", note.strip().replace("\u00a0", " ")), note
    references = xml(path, "word/document.xml").findall(f".//{W}footnoteReference/../{W}rPr/{W}rStyle")
    assert references and {r.get(f"{W}val") for r in references} == {"FootnoteReference"}
    styles = {p.get(f"{W}val") for p in xml(path, "word/footnotes.xml").iter(f"{W}pStyle")}
    assert styles == {"FootnoteText"}


def test_a_second_citation_of_a_fact_refers_to_its_first_footnote(default_docx):
    body = xml(default_docx / "analyst.docx", "word/document.xml")
    repeats = [f.get(f"{W}instr") for f in body.iter(f"{W}fldSimple")]
    assert repeats and all(instr.strip().startswith("NOTEREF _RefNote") for instr in repeats)
    bookmarks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    assert {instr.split()[1] for instr in repeats} <= bookmarks


def test_header_marking_footer_page_field_and_table_of_contents(contents_docx):
    default_docx = contents_docx
    document = docx.Document(str(default_docx / "analyst.docx"))
    section = document.sections[0]
    # as in the PDF: the marking alone on the first page, with the reference and the date on the others
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[0].text == "UNCLASSIFIED — FOR OFFICIAL USE ONLY"
    assert section.header.paragraphs[0].text.split("\t") == [
        "BN-2025-0623-MLI-RUS-ANA", "UNCLASSIFIED — FOR OFFICIAL USE ONLY", "24\u00a0June\u00a02025"]
    footer = section.footer._element
    instructions = " ".join(t.text for t in footer.iter(f"{W}instrText"))
    assert "PAGE" in instructions and "NUMPAGES" in instructions
    body = xml(default_docx / "analyst.docx", "word/document.xml")
    assert any("TOC \\o" in (t.text or "") for t in body.iter(f"{W}instrText"))
    # the TOC's result is already the list of sections, each linked to its heading: nothing to update
    entries = [p.text for p in document.paragraphs if p.style.name == "toc 1"]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [entry.split("\t")[-1] for entry in entries] == headings
    assert [entry.split("\t")[0] for entry in entries] == [str(n) for n in range(1, len(headings) + 1)]
    anchors = {h.get(f"{W}anchor") for h in body.iter(f"{W}hyperlink")} - {None}
    assert anchors and anchors <= {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    assert not any("filled in when the document is opened" in p.text for p in document.paragraphs)


def test_word_asks_nothing_on_opening(default_docx):
    for path in default_docx.glob("*.docx"):
        settings = xml(path, "word/settings.xml")
        assert settings.find(f"{W}updateFields") is None, path.name


def test_core_properties_come_from_the_dossier_and_source_date_epoch(default_docx):
    properties = docx.Document(str(default_docx / "defence.docx")).core_properties
    assert properties.title == "Mali–Russia: General Goïta’s visit to Moscow"
    assert properties.author == "Sahel Desk analysts"
    assert properties.subject.startswith("Meeting of General Assimi Goïta")
    assert "Rosatom" in properties.keywords
    assert properties.created == properties.modified == datetime(2025, 6, 24, tzinfo=timezone.utc)


def test_source_urls_are_hyperlinks_in_the_footnotes(tmp_path):
    sources = [{"id": "one", "file": "texts/one.txt", "outlet": "Outlet", "url": "https://example.org/article",
                "reliability": "B"}]
    root = make_dossier(tmp_path, sources=sources)
    build_briefs(root, ("analyst",), ("docx",))
    path = root / "out" / "analyst.docx"
    links = list(xml(path, "word/footnotes.xml").iter(f"{W}hyperlink"))
    assert links and "".join(t.text for t in links[0].iter(f"{W}t")) == "Outlet"  # the source's name is its link
    targets = {r.get("Target") for r in xml(path, "word/_rels/footnotes.xml.rels")}
    assert "https://example.org/article" in targets


def test_a_restyled_reference_document_restyles_the_brief(tmp_path):
    root = make_dossier(tmp_path)
    (root / "templates").mkdir()
    reference = docx.Document(str(REPO / "templates" / "reference.docx"))
    reference.styles["Heading 1"].font.size = docx.shared.Pt(22)
    reference.save(str(root / "templates" / "reference.docx"))
    build_briefs(root, ("executive",), ("docx",))
    built = docx.Document(str(root / "out" / "executive.docx"))
    assert built.styles["Heading 1"].font.size == docx.shared.Pt(22)


# What a brief may take from a reference document: the parts it writes itself, and the style parts.
BRIEF_PARTS = {"[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "word/document.xml",
               "word/_rels/document.xml.rels", "word/styles.xml", "word/numbering.xml", "word/settings.xml",
               "word/fontTable.xml", "word/theme/theme1.xml", "word/footnotes.xml", "word/_rels/footnotes.xml.rels",
               "word/header1.xml", "word/footer1.xml", "word/header2.xml", "word/footer2.xml",  # the first page's own
               "word/_rels/fontTable.xml.rels", *(f"word/fonts/font{n}.odttf" for n in range(1, 5))}  # the brief's typeface


def assert_only_styles_taken(data: bytes, urls: set[str]) -> None:
    """A built DOCX holds the brief's own parts and the reference's style parts, and links only to `urls`."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        assert names <= BRIEF_PARTS, names - BRIEF_PARTS
        for rels in (name for name in names if name.endswith(".rels")):
            for rel in etree.fromstring(package.read(rels)):
                if rel.get("TargetMode") == "External":
                    assert rel.get("Type").endswith("/hyperlink") and rel.get("Target") in urls, (rels, rel.attrib)
        everything = b"".join(package.read(name) for name in names)
        assert not [word for word in HOSTILE if word.encode() in everything]
        settings = etree.fromstring(package.read("word/settings.xml"))
        assert not [e.tag for e in settings.iter() if etree.QName(e).localname in
                    ("attachedTemplate", "linkStyles", "mailMerge", "writeProtection", "documentProtection")]
    section = docx.Document(io.BytesIO(data)).sections[0]  # the marking on page 1: the brief's own first-page header
    assert not section.different_first_page_header_footer or "UNCLASSIFIED" in section.first_page_header.paragraphs[0].text


def test_a_hostile_reference_document_gives_its_styles_and_nothing_else(tmp_path):
    """Built by the command itself: macros, unknown parts, custom XML, an attached template, a mail merge,
    beacons and links to file:// and smb:// addresses stay out; the restyled heading comes in."""
    from briefing.cli import run

    sources = [{"id": "one", "file": "texts/one.txt", "outlet": "Outlet", "url": "https://example.org/article",
                "reliability": "B"}]
    root = make_dossier(tmp_path / "dossier", sources=sources)
    hostile_reference(root / "templates" / "reference.docx")
    assert run(["build", "-d", str(root), "-t", "analyst", "-t", "executive", "-f", "docx"]) == 0
    for name in ("analyst", "executive"):
        path = root / "out" / f"{name}.docx"
        assert_only_styles_taken(path.read_bytes(), {"https://example.org/article"})
        assert docx.Document(str(path)).styles["Heading 1"].font.size == docx.shared.Pt(22)
    first_page_header = docx.Document(str(root / "out" / "analyst.docx")).sections[0].first_page_header
    assert first_page_header.paragraphs[0].text == "UNCLASSIFIED"


def test_the_mailed_docx_takes_nothing_of_a_hostile_reference_but_its_styles(tmp_path):
    import email
    from email import policy

    from briefing.cli import run

    root = make_dossier(tmp_path / "dossier")
    hostile_reference(root / "templates" / "reference.docx")
    assert run(["mail", "-d", str(root), "-t", "executive", "--to", "office@example.org", "--from",
                "desk@example.org", "--attach-docx"]) == 0
    message = email.message_from_bytes((root / "out" / "executive.eml").read_bytes(), policy=policy.default)
    (attached,) = [part.get_content() for part in message.iter_attachments() if part.get_filename().endswith(".docx")]
    assert_only_styles_taken(attached, set())


# What a part taken from a reference document may hold that looks like an address: the name of
# the owner of Word's compatibility settings (w:compatSetting w:uri), which names, and is never fetched.
NAMES_NOT_LINKS = {"http://schemas.microsoft.com/office/word"}
STYLE_PART_NAMES = ("word/document.xml", "word/styles.xml", "word/numbering.xml", "word/settings.xml",
                    "word/fontTable.xml", "word/theme/theme1.xml")


def addresses_in(package: zipfile.ZipFile, name: str) -> list[str]:
    """Every attribute value, text and processing instruction of a part that names a place: a
    scheme (http:, file:, C:), a host (//host) or a file share (\\\\server)."""
    looks = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*:\S|//|\\\\)")
    root = etree.fromstring(package.read(name))
    found = [str(node) for node in root.xpath("/processing-instruction() | //processing-instruction()")]
    for element in root.iter():
        values = list(element.attrib.values()) if isinstance(element.tag, str) else []
        found += [value for value in values + [element.text or ""] if looks.match(value) and value not in NAMES_NOT_LINKS]
    return found


def test_a_reference_document_s_links_written_as_attributes_stay_out(tmp_path):
    """A picture bullet's VML image, header shape defaults, document variables, an address in a style,
    the theme or the fonts table, a style sheet to fetch: none reaches the brief, built by the command."""
    from briefing.cli import run

    root = make_dossier(tmp_path / "dossier")
    linking_reference(root / "templates" / "reference.docx")
    assert run(["build", "-d", str(root), "-t", "analyst", "-t", "executive", "-f", "docx"]) == 0
    for name in ("analyst", "executive"):
        with zipfile.ZipFile(root / "out" / f"{name}.docx") as package:
            for part in STYLE_PART_NAMES:
                assert addresses_in(package, part) == [], (name, part)
            everything = b"".join(package.read(part) for part in package.namelist() if not part.endswith(".rels"))
        for word in (b"beacon", b"evil.example", b"numPicBullet", b"lvlPicBulletId", b"hdrShapeDefaults", b"docVar",
                     b"xml-stylesheet", b"passwd"):
            assert word not in everything, (name, word)


# What a brief keeps of a reference document's settings: the layout, nothing that acts.
LAYOUT_SETTINGS = {"zoom", "defaultTabStop", "characterSpacingControl", "compat", "themeFontLang", "clrSchemeMapping",
                   "decimalSymbol", "listSeparator"}


def test_a_reference_document_keeps_only_its_known_settings_and_its_lists(tmp_path):
    """Tracked changes, a revision view, unknown settings go; the layout settings and the reference's own
    list definitions stay (its bullet list still draws its bullet from them)."""
    root = make_dossier(tmp_path / "dossier")
    linking_reference(root / "templates" / "reference.docx")
    build_briefs(root, ("analyst",), ("docx",))
    path = root / "out" / "analyst.docx"
    settings = {etree.QName(child).localname for child in xml(path, "word/settings.xml")}
    assert settings <= LAYOUT_SETTINGS | {"footnotePr", "endnotePr", "embedTrueTypeFonts", "saveSubsetFonts"}, settings - LAYOUT_SETTINGS
    assert {"zoom", "defaultTabStop", "compat"} <= settings
    numbering = xml(path, "word/numbering.xml")
    assert {etree.QName(child).localname for child in numbering} == {"abstractNum", "num"}
    with zipfile.ZipFile(REPO / "templates" / "reference.docx") as shipped:
        own = etree.fromstring(shipped.read("word/numbering.xml"))
    nsids = {n.get(f"{W}val") for n in numbering.iter(f"{W}nsid")}
    assert {n.get(f"{W}val") for n in own.iter(f"{W}nsid")} <= nsids  # every list of the reference, and the brief's
    assert docx.Document(str(path)).styles["List Bullet"].element.pPr.numPr is not None


def test_libreoffice_converts_every_docx_and_keeps_the_claims(default_docx, tmp_path):
    office = require("libreoffice")
    pdftotext = require("pdftotext")
    copies = []
    for path in sorted(default_docx.glob("*.docx")):
        copies.append(shutil.copy(path, tmp_path / path.name))
    result = subprocess.run(
        [office, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), *map(str, copies)],
        capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr
    for name in ("executive", "analyst", "defence"):
        converted = tmp_path / "pdf" / f"{name}.pdf"
        assert converted.is_file(), result.stdout + result.stderr
        text = flat(subprocess.run([pdftotext, str(converted), "-"], capture_output=True, text=True, check=True).stdout)
        if name != "defence":  # the digest leads with the security bottom line
            assert "Putin received Mali’s transitional president, General Assimi Goïta" in text
        assert "UNCLASSIFIED — FOR OFFICIAL USE ONLY" in text
        # the footnotes appear in the converted pages, with the verbatim quotes where the template has them
        assert "Médard Clobechi (C)" in text or "Les accords signés sont les suivants" in text
        if name == "analyst":
            assert "Les accords signés sont les suivants" in text
        if name == "defence":
            assert "Iounous-Bek Ievkourov" in text
    assert len(subprocess.run([pdftotext, str(tmp_path / "pdf" / "executive.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout.split("\f")) == 2  # one page, then the end
    for name in ("analyst", "defence"):  # no block held together leaves a third of a page blank
        shares = blank_shares(tmp_path / "pdf" / f"{name}.pdf")
        assert all(share < 1 / 3 for share in shares[:-1]), (name, [f"{share:.0%}" for share in shares])


@pytest.mark.parametrize("section, width, margin", [
    ("<w:sectPr/>", 11906, 1417),  # nothing said: A4, with margins of 2.5 cm
    ('<w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr>', 12240, 1417),  # US Letter, no margins said
    ('<w:sectPr><w:pgSz w:w="21cm" w:h="29.7cm"/><w:pgMar w:left="2cm" w:right="1in" w:top="0" w:bottom="0"/></w:sectPr>',
     11906, 1134)])
def test_a_reference_page_setup_is_completed_and_read_in_any_unit(tmp_path, section, width, margin):
    """What a reference document's page setup leaves out is A4's with 2.5 cm margins; a length in
    cm, in or pt is read as Word reads it. Before, a missing margin was a TypeError."""
    from bad_inputs import reference_section

    root = make_dossier(tmp_path)
    reference_section(section)(root)
    build_briefs(root, ("analyst",), ("docx",))
    built = docx.Document(str(root / "out" / "analyst.docx")).sections[0]
    assert built.page_width.twips == width and built.left_margin.twips == margin
    assert built.header_distance is not None and built.page_height.twips > 15000


def test_a_table_that_breaks_keeps_its_header_with_the_first_rows_and_its_last_two_rows_together(default_docx):
    """In Word's terms: the header row's (and, in a long table, its first rows') and the next-to-last
    row's paragraphs keep with the next, so a page break never leaves the header alone, or with two
    rows, at a page foot, or one row alone overleaf. A table of `WHOLE_TABLE` rows (the accords, a
    row each with its notes) keeps its header with its first row, and breaks where the page ends."""
    from briefing.render.tables import WHOLE_TABLE, first_rows

    body = docx.Document(str(default_docx / "analyst.docx")).element.body

    def keeps(row):
        return all(p.find(f"{W}pPr/{W}keepNext") is not None for p in row.iter(f"{W}p"))

    tables = [t.findall(f"{W}tr") for t in body.iter(f"{W}tbl")]
    breaking = [rows for rows in tables if len(rows) >= 4 and not all(keeps(row) for row in rows[:-1])]  # not held on one page
    assert len(breaking) >= 2  # the chronology and the accords table, at least
    for rows in breaking:
        start = first_rows(len(rows) - 1)
        kept_rows = (*range(start), len(rows) - 2) if len(rows) - 1 > WHOLE_TABLE else tuple(range(start))
        for index in kept_rows:
            assert all(p.find(f"{W}pPr/{W}keepNext") is not None for p in rows[index].iter(f"{W}p")), index
        if len(rows) - 2 > start:
            assert not keeps(rows[start])  # where the table may break
        if len(rows) - 1 <= WHOLE_TABLE:
            assert not any(keeps(row) for row in rows[start:-1])  # an accord a row: it breaks where the page ends
        assert all(p.find(f"{W}pPr/{W}keepNext") is None for p in rows[-1].iter(f"{W}p"))


# --- the typeface, embedded ---------------------------------------------------

def _embedded_faces(path: Path) -> dict[str, bytes]:
    """The fonts a DOCX embeds, by their font-table element (embedRegular…), deobfuscated."""
    from briefing.render.docx.embedded import obfuscated

    with zipfile.ZipFile(path) as package:
        table = etree.fromstring(package.read("word/fontTable.xml"))
        rels = etree.fromstring(package.read("word/_rels/fontTable.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        faces = {}
        for font in table.iter(f"{W}font"):
            for embed in font:
                if etree.QName(embed).localname.startswith("embed"):
                    data = package.read("word/" + targets[embed.get(R + "id")])
                    faces[etree.QName(embed).localname] = obfuscated(data, embed.get(f"{W}fontKey"))
    return faces


def test_the_docx_embeds_its_typeface_and_it_draws_every_letter_of_the_brief(default_docx):
    from fontTools.ttLib import TTFont

    for path in sorted(default_docx.glob("*.docx")):
        faces = _embedded_faces(path)
        assert set(faces) == {"embedRegular", "embedBold", "embedItalic", "embedBoldItalic"}, path.name
        with zipfile.ZipFile(path) as package:
            text = "".join(t.text or "" for name in package.namelist() if name.endswith(".xml")
                           for t in etree.fromstring(package.read(name)).iter(f"{W}t"))
            settings = {etree.QName(child).localname for child in etree.fromstring(package.read("word/settings.xml"))}
        assert {"embedTrueTypeFonts", "saveSubsetFonts"} <= settings
        for tag, data in faces.items():
            font = TTFont(io.BytesIO(data))  # a font again once the key is applied
            assert font["name"].getDebugName(1) == "DejaVu Sans", tag
            drawn = set(font.getBestCmap())
            assert not {char for char in text if ord(char) not in drawn and not char.isspace()}, (path.name, tag)


def test_libreoffice_sets_the_brief_in_the_embedded_faces(default_docx, tmp_path):
    """The faces given another family name, found nowhere on this machine, and the
    styles pointed at it: the PDF LibreOffice makes of the DOCX uses those faces, so
    a reader without DejaVu Sans sees the brief as it was laid out."""
    from fontTools.ttLib import TTFont

    from briefing.render.docx.embedded import obfuscated

    office, pdffonts = require("libreoffice"), require("pdffonts")
    source = default_docx / "executive.docx"
    faces = _embedded_faces(source)
    renamed = tmp_path / "renamed.docx"
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(renamed, "w", zipfile.ZIP_DEFLATED) as out:
        table = etree.fromstring(package.read("word/fontTable.xml"))
        rels = {rel.get("Id"): rel.get("Target") for rel in etree.fromstring(package.read("word/_rels/fontTable.xml.rels"))}
        keys = {"word/" + rels[embed.get(R + "id")]: (etree.QName(embed).localname, embed.get(f"{W}fontKey"))
                for embed in table.iter() if etree.QName(embed).localname.startswith("embed")}
        for info in package.infolist():
            data = package.read(info.filename)
            if info.filename in keys:
                tag, key = keys[info.filename]
                font = TTFont(io.BytesIO(faces[tag]))
                for record in font["name"].names:
                    if record.nameID in (1, 4, 6, 16):
                        record.string = record.toUnicode().replace("DejaVu Sans", "Briefing Test Sans").replace(
                            "DejaVuSans", "BriefingTestSans")
                buffer = io.BytesIO()
                font.save(buffer)
                data = obfuscated(buffer.getvalue(), key)
            elif info.filename.endswith(".xml"):
                data = data.replace(b"DejaVu Sans", b"Briefing Test Sans")
            out.writestr(info, data)
    subprocess.run([office, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(renamed)], capture_output=True, text=True, timeout=240, check=True)
    fonts = subprocess.run([pdffonts, str(tmp_path / "renamed.pdf")], capture_output=True, text=True, check=True).stdout
    assert "BriefingTestSans" in fonts and "DejaVu" not in fonts, fonts
