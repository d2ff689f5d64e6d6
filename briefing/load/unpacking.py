"""What a file unpacks to, read within a size: the parts of a zip archive (a Word file: an
article, the reference document) and the streams of a PDF.

Zeros and spaces compress a thousand to one: a Word file or a PDF of 1 MB can
hold a part or a page that unpacks to 900 MB, and the libraries that read them
unpack each whole. So what a file unpacks to is measured first, by readers that
stop at the limit, and the file is refused past it (`TooLarge`).

The size a zip declares for a part is the writer's word: Python's `ZipFile.read`
unpacks a part whole (up to 2 GB at once) before it cuts it to the size
declared. So a part is refused when its declared size is over the limit, and
read by at most the limit whatever it declares. Only the two ways of packing
that Word and LibreOffice write are read (stored, deflated): Python unpacks each
read of the others (bzip2, LZMA) whole.
"""

from __future__ import annotations

import zipfile

from .paths import MAX_FILE_BYTES

WORD_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
CHUNK = 1_000_000


class TooLarge(Exception):
    """A part of an archive, or the parts together, unpack to more than the limit."""

    def __init__(self, part: str):
        super().__init__(part)
        self.part = part


def read_part(package: zipfile.ZipFile, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The part `name` of `package`, unpacked; `TooLarge` when it unpacks to more than `limit` bytes,
    `zipfile.BadZipFile` when it is packed in a way Word never writes."""
    info = package.getinfo(name)
    if info.compress_type not in WORD_COMPRESSIONS:
        raise zipfile.BadZipFile(f"the part '{name}' is packed in a way Word never writes "
                                 f"(compression method {info.compress_type})")
    if info.file_size > limit:
        raise TooLarge(name)
    chunks, size = [], 0
    with package.open(info) as part:
        while chunk := part.read(CHUNK):  # a bounded read unpacks at most this much, whatever the zip declares
            size += len(chunk)
            if size > limit:
                raise TooLarge(name)
            chunks.append(chunk)
    return b"".join(chunks)


def read_parts(package: zipfile.ZipFile, limit: int = MAX_FILE_BYTES) -> dict[str, bytes]:
    """Every part of `package`, unpacked, each by `read_part`; `TooLarge` (naming the part that
    passes it) when all of them together unpack to more than `limit` bytes."""
    parts: dict[str, bytes] = {}
    left = limit
    for info in package.infolist():
        if not info.is_dir():
            parts[info.filename] = read_part(package, info.filename, left)
            left -= len(parts[info.filename])
    return parts


def repacked(parts: dict[str, bytes]) -> bytes:
    """A zip archive of `parts`, stored: what a reader unpacks from it is exactly what it holds."""
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return out.getvalue()


def pdf_reader(data: bytes, limit: int = MAX_FILE_BYTES):
    """pypdf's reader of the PDF `data`, once every stream of it but its images is known to unpack to
    at most `limit` bytes in all (`TooLarge` otherwise); None for a PDF pypdf cannot read, which is
    left to the reader of its text to report. pypdf unpacks each stream with decoders set to stop at
    `limit` (a configuration of this call only), and keeps none. Images are left out: pdfminer, which
    reads a PDF's text, never unpacks them."""
    import io

    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    with apply_configuration(zlib_maximum_output_length=limit, lzw_maximum_output_length=limit,
                             run_length_maximum_output_length=limit, brotli_maximum_output_length=limit,
                             array_based_stream_maximum_output_length=limit, image_maximum_buffer_size=limit,
                             jbig2dec_binary=None):
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                reader.decrypt("")  # as pdfminer opens it: with no password
            left = limit
            for stream in _streams(reader):
                left -= _unpacked_size(stream)
                if left < 0:
                    raise LimitReachedError("the streams together")
        except LimitReachedError:  # one stream, or all of them together
            raise TooLarge("the streams of the PDF") from None
        except Exception:  # a damaged file, one that needs a password: pdfminer says what is wrong with it
            return None
    return reader


def _streams(reader):
    """Every stream object of the PDF but its images."""
    from pypdf.generic import IndirectObject, StreamObject

    for generation, numbers in list(reader.xref.items()):
        for number in list(numbers):
            found = reader.get_object(IndirectObject(number, generation, reader))
            if isinstance(found, StreamObject) and found.get("/Subtype") != "/Image":
                yield found


def _unpacked_size(stream) -> int:
    """What a stream unpacks to (pypdf's decoders stop at their limit, with LimitReachedError);
    0 for one they cannot unpack (a filter pypdf lacks, damaged data), which pdfminer refuses or passes by."""
    from pypdf.errors import LimitReachedError
    from pypdf.filters import decode_stream_data

    try:
        return len(decode_stream_data(stream))
    except LimitReachedError:
        raise
    except Exception:  # pypdf's decoders raise many kinds
        return 0
