"""Refusing zip bombs before a workbook is read (.xlsx and .ods are zip archives).

The central directory declares each member's unpacked size; a file that declares more than
the limit is refused without unpacking anything. The declaration can lie, so each member is
then inflated in small chunks, counting bytes and throwing them away, and the file is refused
the moment a member gives more than it declared. Memory stays a few megabytes whatever the
file holds; the readers that come after (calamine, openpyxl) only ever see honest archives.
"""
import io
import struct
import zipfile
import zlib

CHUNK = 64 * 1024
MAX_MEMBERS = 10_000
LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


class ArchiveRefused(ValueError):
    """The archive is damaged or unpacks to too much; ``reason`` is "size", "members" or "damaged"."""

    def __init__(self, reason: str, declared: int = 0):
        super().__init__(reason)
        self.reason, self.declared = reason, declared


def _member_chunks(data: memoryview, info: zipfile.ZipInfo):
    """Unpacked bytes of one member in bounded chunks, never more than it declared."""
    start = info.header_offset
    header = LOCAL_HEADER.unpack_from(data, start) if start + LOCAL_HEADER.size <= len(data) else None
    if header is None or header[0] != b"PK\x03\x04":
        raise ArchiveRefused("damaged")
    begin = start + LOCAL_HEADER.size + header[9] + header[10]
    raw = data[begin:begin + info.compress_size]
    if len(raw) != info.compress_size:
        raise ArchiveRefused("damaged")
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), CHUNK):
            yield bytes(raw[i:i + CHUNK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ArchiveRefused("damaged")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    try:
        for i in range(0, len(raw), CHUNK):
            pending = bytes(raw[i:i + CHUNK])
            while pending:
                out = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
                produced += len(out)
                if produced > info.file_size:
                    raise ArchiveRefused("size", produced)
                yield out
        out = inflater.flush()
    except zlib.error:
        raise ArchiveRefused("damaged") from None
    produced += len(out)
    if produced > info.file_size:
        raise ArchiveRefused("size", produced)
    yield out


def inspect(data: bytes, limit: int, formula_members: str = "xl/worksheets/") -> bool:
    """Check a workbook archive against ``limit`` unpacked bytes; True when a sheet holds a formula.

    Raises ArchiveRefused. The formula scan rides on the same pass (openpyxl must then read
    the file, because calamine gives a formula's cached value, not its text).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ArchiveRefused("damaged") from None
    if len(members) > MAX_MEMBERS:
        raise ArchiveRefused("members")
    declared = sum(m.file_size for m in members)
    if declared > limit:
        raise ArchiveRefused("size", declared)
    view = memoryview(data)
    has_formula = False
    for info in members:
        scan = not has_formula and info.filename.startswith(formula_members) and info.filename.endswith(".xml")
        tail = b""
        for chunk in _member_chunks(view, info):
            if scan:
                window = tail + chunk
                if b"<f>" in window or b"<f " in window:
                    has_formula, scan = True, False
                tail = window[-3:]
    return has_formula
