"""The brief's typeface embedded in the DOCX, so that Word lays the brief out
with the faces it was made with, on a machine that lacks DejaVu Sans (most
Windows and macOS machines): without it, Word would set another face, the
lines would fall elsewhere and the one-page note could run to two.

The four faces are shipped here cut to the letters a brief in a European
language uses (README.md says which, and how to redo them). They are embedded
as Word embeds fonts (ECMA-376 Part 1, 17.8.1): each an obfuscated part of the
font table, whose first 32 bytes are XORed with a key named beside it, and the
settings ask Word to keep them embedded, as subsets, when it saves.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from lxml import etree

FONT_DIR = Path(__file__).resolve().parent
FACES = {  # the font table's element → the face
    "embedRegular": "DejaVuSans.ttf",
    "embedBold": "DejaVuSans-Bold.ttf",
    "embedItalic": "DejaVuSans-Oblique.ttf",
    "embedBoldItalic": "DejaVuSans-BoldOblique.ttf",
}
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
# The elements of a font entry, in the schema's order (CT_Font), and the settings the schema puts before ours
_FONT_ORDER = ("altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig",
               "embedRegular", "embedBold", "embedItalic", "embedBoldItalic")
_SETTINGS_BEFORE = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                    "printFractionalCharacterWidth", "printFormsData")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NAMESPACE = uuid.UUID("6f1c1c52-4a43-4b4e-9d38-62726965666e")  # the keys are derived from the faces: same input, same file


def embed_family(word, family: str) -> None:
    """Embed the four faces of `family` (DejaVu Sans) in the opened document `word` (python-docx)."""
    table = _font_table(word)
    root = etree.fromstring(table.blob)
    entry = next((font for font in root.iterchildren(qn("w:font")) if font.get(qn("w:name")) == family), None)
    if entry is None:
        entry = etree.SubElement(root, qn("w:font"), {qn("w:name"): family})
    for tag in FACES:
        for old in entry.findall(qn(f"w:{tag}")):
            entry.remove(old)
    for number, (tag, face) in enumerate(FACES.items(), start=1):
        data = (FONT_DIR / face).read_bytes()
        key = "{" + str(uuid.uuid5(_NAMESPACE, hashlib.sha256(data).hexdigest())).upper() + "}"
        part = Part(PackURI(f"/word/fonts/font{number}.odttf"), OBFUSCATED_FONT, obfuscated(data, key), word.part.package)
        rel = table.relate_to(part, RT.FONT)
        _insert(entry, etree.Element(qn(f"w:{tag}"), {qn("r:id"): rel, qn("w:fontKey"): key, qn("w:subsetted"): "1"}),
                _FONT_ORDER[:_FONT_ORDER.index(tag)])
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    settings = word.settings.element
    for tag, before in (("embedTrueTypeFonts", _SETTINGS_BEFORE),
                        ("saveSubsetFonts", _SETTINGS_BEFORE + ("embedTrueTypeFonts", "embedSystemFonts"))):
        if settings.find(qn(f"w:{tag}")) is None:
            _insert(settings, etree.Element(qn(f"w:{tag}")), before)


def obfuscated(font: bytes, key: str) -> bytes:
    """`font` as Word stores an embedded font: its first 32 bytes XORed with the 16 bytes
    of the GUID `key` ("{XXXXXXXX-…}"), taken from its last hex pair to its first.
    The same call undoes it."""
    digits = key.strip("{}").replace("-", "")
    pad = bytes(int(digits[i:i + 2], 16) for i in range(30, -1, -2))
    head = bytes(byte ^ pad[index % 16] for index, byte in enumerate(font[:32]))
    return head + font[32:]


def _font_table(word) -> Part:
    """The document's font table part, made where the reference document has none."""
    try:
        return word.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        blob = etree.tostring(etree.Element(qn("w:fonts"), nsmap={"w": _W, "r": _R}),
                              xml_declaration=True, encoding="UTF-8", standalone=True)
        part = Part(PackURI("/word/fontTable.xml"),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml", blob,
                    word.part.package)
        word.part.relate_to(part, RT.FONT_TABLE)
        return part


def _insert(parent, element, before: tuple[str, ...]) -> None:
    """Insert `element` into `parent` after the last of its children named in `before`
    (those the schema puts first), or first of all."""
    names = {qn(f"w:{name}") for name in before}
    parent.insert(max((index + 1 for index, child in enumerate(parent) if child.tag in names), default=0), element)
