"""Insert a paragraph in a DOCX with LibreOffice, as a desk officer would, and
save the result as PDF (and DOCX): run by the system's Python, which has
LibreOffice's `uno` module.

    python3 tests/office_insert.py IN.docx OUT.pdf OUT.docx AFTER TEXT [HEADING]

A new paragraph is started at the end of the first paragraph whose text starts
with AFTER (the Enter key: it takes that paragraph's style, and so its
numbering), and TEXT is typed into it. With HEADING, a new paragraph of the
style "Heading 1" is inserted before the paragraph whose text starts with
HEADING instead.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time

sys.path.append("/usr/lib/libreoffice/program")

import uno  # noqa: E402
from com.sun.star.beans import PropertyValue  # noqa: E402
from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK  # noqa: E402


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str, profile: str):
    office = subprocess.Popen(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
                               "--norestore", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return office, context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except Exception:
            time.sleep(0.25)
    office.kill()
    raise SystemExit("LibreOffice did not start")


def main(source: str, pdf: str, docx: str, after: str, text: str, heading: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as profile:
        office, desktop = connect(f"briefing{os.getpid()}", profile)
        try:
            document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0,
                                                    (prop("Hidden", True),))
            body = document.Text
            paragraphs = body.createEnumeration()
            while paragraphs.hasMoreElements():
                paragraph = paragraphs.nextElement()
                if not paragraph.supportsService("com.sun.star.text.Paragraph"):
                    continue  # a table
                if heading is None and paragraph.String.startswith(after):
                    cursor = body.createTextCursorByRange(paragraph.End)
                    body.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
                    body.insertString(cursor, text, False)
                    break
                if heading is not None and paragraph.String.startswith(heading):
                    cursor = body.createTextCursorByRange(paragraph.Start)
                    body.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
                    cursor.gotoPreviousParagraph(False)
                    cursor.ParaStyleName = "Heading 1"
                    body.insertString(cursor, text, False)
                    break
            else:
                raise SystemExit(f"no paragraph starts with {after!r}")
            document.storeToURL(uno.systemPathToFileUrl(os.path.abspath(pdf)), (prop("FilterName", "writer_pdf_Export"),))
            document.storeToURL(uno.systemPathToFileUrl(os.path.abspath(docx)), (prop("FilterName", "MS Word 2007 XML"),))
            document.close(True)
        finally:
            with contextlib.suppress(Exception):
                desktop.terminate()
            try:
                office.wait(timeout=30)
            except subprocess.TimeoutExpired:
                office.kill()


if __name__ == "__main__":
    main(*sys.argv[1:])
