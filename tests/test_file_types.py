"""Document types told from content: accepted kinds, executables, damaged containers, zip bombs, names."""
import io
import os
import struct
import zipfile
import zlib

import pytest

from forums.file_types import (
    BAD_NAME, DAMAGED, EMPTY, NOT_ACCEPTED, TOO_EXPANDED, TOO_MANY_MEMBERS, DocumentRefused,
    DocumentType, clean_filename, detect_document_type, download_filename, format_size,
)

ODT_MIME = b"application/vnd.oasis.opendocument.text"
MB = 1024 * 1024


def pdf_bytes(padding=0):
    """Return a tiny valid PDF: one empty page, its cross-reference table computed."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    # A comment after the end marker pads the file to an exact size without breaking it.
    if padding:
        out += b"%" + b"x" * (padding - 2) + b"\n"
    return bytes(out)


def png_bytes():
    """Return a valid 1×1 white PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_bytes():
    """Return the start and end of a JFIF image: SOI, an APP0 JFIF segment, EOI."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def zip_bytes(members, first_stored=None):
    """Return a ZIP of ``members`` (name → bytes), deflated, ``first_stored`` written first and stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first_stored:
            name, data = first_stored
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ODT_MEMBERS = {
    "content.xml": b'<?xml version="1.0"?><office:document-content/>',
    "styles.xml": b'<?xml version="1.0"?><office:document-styles/>',
    "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
}
DOCX_MEMBERS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
    "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
    "word/document.xml": b'<?xml version="1.0"?><w:document/>',
}


def odt_bytes(**extra_members):
    """Return an ODT as LibreOffice writes it: "mimetype" first and stored, then the XML parts."""
    return zip_bytes({**ODT_MEMBERS, **extra_members}, first_stored=("mimetype", ODT_MIME))


def docx_bytes(**extra_members):
    """Return a DOCX: content types and the main document part."""
    return zip_bytes({**DOCX_MEMBERS, **extra_members})


def write_zip_bomb(path, megabytes=300):
    """Write a DOCX whose main part expands to ``megabytes`` MB of zeros; streamed, a few hundred KB."""
    block = bytes(MB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in DOCX_MEMBERS.items():
            if name != "word/document.xml":
                archive.writestr(name, data)
        with archive.open("word/document.xml", "w") as member:
            for _ in range(megabytes):
                member.write(block)
    return path


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56)
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"This program cannot be run in DOS mode."
SCRIPT = b"#!/bin/sh\nrm -rf ~\n"

VALID = [
    (pdf_bytes(), DocumentType.PDF, "pdf", "application/pdf", "Document PDF"),
    (png_bytes(), DocumentType.PNG, "png", "image/png", "Image PNG"),
    (jpeg_bytes(), DocumentType.JPEG, "jpg", "image/jpeg", "Image JPEG"),
    (odt_bytes(), DocumentType.ODT, "odt", "application/vnd.oasis.opendocument.text", "Document texte ODT"),
    (docx_bytes(), DocumentType.DOCX, "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Document Word (DOCX)"),
]


@pytest.mark.parametrize(("data", "kind", "extension", "mime_type", "label"), VALID,
                         ids=[row[1].value for row in VALID])
def test_accepted_kinds_are_told_from_a_path_and_from_a_stream(tmp_path, data, kind, extension, mime_type,
                                                                label):
    path = tmp_path / "sans-extension"
    path.write_bytes(data)
    stream = io.BytesIO(data)
    stream.seek(3)

    assert detect_document_type(path) is kind
    assert detect_document_type(str(path)) is kind
    assert detect_document_type(stream) is kind
    assert stream.tell() == 0
    assert (kind.extension, kind.mime_type, kind.label) == (extension, mime_type, label)


@pytest.mark.parametrize("data", [ELF, MZ, SCRIPT, b"<html><script>alert(1)</script></html>",
                                  b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"Bonjour\n", b"%PD"],
                         ids=["elf", "mz", "script", "html", "svg", "text", "truncated-pdf-signature"])
def test_executables_and_unknown_content_are_refused_whatever_the_name(tmp_path, data):
    path = tmp_path / "compte-rendu.pdf"
    path.write_bytes(data)

    with pytest.raises(DocumentRefused) as refused:
        detect_document_type(path)

    assert refused.value.message == NOT_ACCEPTED
    assert str(refused.value) == NOT_ACCEPTED


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "vide.pdf"
    path.write_bytes(b"")

    with pytest.raises(DocumentRefused, match="^Le fichier est vide.$"):
        detect_document_type(path)
    with pytest.raises(DocumentRefused) as refused:
        detect_document_type(io.BytesIO())
    assert refused.value.message == EMPTY


def encrypt_mimetype(data):
    """Return ``data`` with its first member, "mimetype", flagged as encrypted in both of its headers."""
    flagged = bytearray(data)
    flagged[6] |= 1
    flagged[flagged.index(b"PK\x01\x02") + 8] |= 1
    return bytes(flagged)


@pytest.mark.parametrize("data", [
    zip_bytes({"lisez-moi.txt": b"bonjour"}),
    zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
    zip_bytes(ODT_MEMBERS, first_stored=("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")),
    # The mimetype must come first, stored: a ZIP that merely contains one is not an ODT.
    zip_bytes({**ODT_MEMBERS, "mimetype": ODT_MIME}),
    # Data in front of the container: another archive carrying a real DOCX behind it.
    zip_bytes({"lisez-moi.txt": b"bonjour"}) + docx_bytes(),
    encrypt_mimetype(odt_bytes()),
], ids=["plain-zip", "xlsx", "ods", "odt-mimetype-not-first", "data-in-front", "odt-encrypted-mimetype"])
def test_zip_containers_of_other_kinds_are_refused(data):
    with pytest.raises(DocumentRefused) as refused:
        detect_document_type(io.BytesIO(data))

    assert refused.value.message == NOT_ACCEPTED


def require_zip_version(data, version):
    """Return ``data`` with its first member asking, in the central directory, for ``version`` to be read."""
    patched = bytearray(data)
    patched[patched.index(b"PK\x01\x02") + 6] = version
    return bytes(patched)


def corrupt_mimetype(data):
    """Return ``data`` with one byte of the stored "mimetype" member changed: its CRC no longer matches."""
    start = data.index(ODT_MIME)
    return data[:start] + b"A" + data[start + 1:]


@pytest.mark.parametrize("data", [
    docx_bytes()[: len(docx_bytes()) // 2],
    b"PK\x03\x04" + bytes(200),
    zip_bytes(dict(list(ODT_MEMBERS.items())[1:]), first_stored=("mimetype", ODT_MIME)),
    corrupt_mimetype(odt_bytes()),
    require_zip_version(docx_bytes(), 75),
], ids=["truncated-docx", "zip-header-only", "odt-without-content", "odt-bad-crc", "unknown-zip-version"])
def test_damaged_odt_and_docx_are_refused(data):
    with pytest.raises(DocumentRefused) as refused:
        detect_document_type(io.BytesIO(data))

    assert refused.value.message == DAMAGED
    assert refused.value.message.startswith("Ce document ODT/DOCX est endommagé")


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    return write_zip_bomb(tmp_path_factory.mktemp("bomb") / "compte-rendu.docx")


def test_a_zip_bomb_disguised_as_docx_is_refused_without_being_expanded(zip_bomb, monkeypatch):
    assert os.path.getsize(zip_bomb) < 2 * MB

    def no_member_read(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_member_read)

    with pytest.raises(DocumentRefused) as refused:
        detect_document_type(zip_bomb)

    assert refused.value.message == TOO_EXPANDED
    assert "volume anormal" in refused.value.message and "refusé" in refused.value.message


def test_a_member_compressed_beyond_reason_is_refused_even_when_the_total_is_modest(tmp_path):
    path = write_zip_bomb(tmp_path / "petit.docx", megabytes=5)

    with pytest.raises(DocumentRefused) as refused:
        detect_document_type(path)

    assert refused.value.message == TOO_EXPANDED


def test_ordinary_members_are_not_taken_for_a_bomb():
    photo = os.urandom(3 * MB)
    # Small parts such as styles compress far beyond 100:1 and are legitimate.
    styles = b"<style/>" * (100 * 1024)

    with_photo = docx_bytes(**{"word/media/image1.jpeg": photo})
    with_styles = odt_bytes(**{"styles.xml": styles})

    assert detect_document_type(io.BytesIO(with_photo)) is DocumentType.DOCX
    assert detect_document_type(io.BytesIO(with_styles)) is DocumentType.ODT


def test_too_many_members_are_refused():
    members = {f"word/media/image{number}.png": b"" for number in range(10_001)}

    with pytest.raises(DocumentRefused) as refused:
        detect_document_type(io.BytesIO(docx_bytes(**members)))

    assert refused.value.message == TOO_MANY_MEMBERS


@pytest.mark.parametrize(("name", "expected"), [
    ("Compte-rendu signé.pdf", "Compte-rendu signé.pdf"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\system32\\cmd.exe", "cmd.exe"),
    ("C:\\Users\\sous-prefet\\Documents\\CR forum.odt", "CR forum.odt"),
    ("/var/tmp/a/b/photo.jpg", "photo.jpg"),
    ("rapport\x00.pdf.exe", "rapport.pdf.exe"),
    ("CR\r\nX-Injected: 1.pdf", "CR X-Injected: 1.pdf"),
    ("compte\trendu   du\x0bforum .pdf", "compte rendu du forum .pdf"),
    ("\x1b[31mrouge\x7f.png", "[31mrouge.png"),
    ("photo\u202egnp.exe", "photognp.exe"),
    ("  .cache.pdf  ", "cache.pdf"),
    ("rapport.pdf.", "rapport.pdf"),
    ("Pre\u0301fecture.pdf", "Préfecture.pdf"),
])
def test_clean_filename_keeps_a_safe_display_name(name, expected):
    assert clean_filename(name) == expected


def test_clean_filename_cuts_long_names_and_keeps_the_extension():
    cleaned = clean_filename("é" * 300 + ".docx")
    assert len(cleaned) == 150
    assert cleaned.endswith("é.docx")

    without_extension = clean_filename("a" * 300)
    assert without_extension == "a" * 150

    long_ending = clean_filename("rapport." + "b" * 300)
    assert long_ending == ("rapport." + "b" * 300)[:150]


@pytest.mark.parametrize("name", [None, "", "   ", "../", "..\\..\\", "\x00\x01\x02", "...", "a/b/ . "])
def test_clean_filename_refuses_what_leaves_nothing(name):
    with pytest.raises(DocumentRefused) as refused:
        clean_filename(name)

    assert refused.value.message == BAD_NAME


@pytest.mark.parametrize(("size", "expected"), [
    (0, "0 octet"), (1, "1 octet"), (300, "300 octets"), (12 * 1024, "12 Ko"), (1536 * 1024, "1,5 Mo"),
    (20 * MB, "20 Mo"),
])
def test_format_size_writes_french_units(size, expected):
    assert format_size(size) == expected


@pytest.mark.parametrize("name, mime_type, served", [
    # A PDF that is also valid HTML, named to be opened by the browser: it downloads as what it is.
    ("rapport.html", "application/pdf", "rapport.pdf"),
    # A right-to-left override shows "crexe.pdf"-like names for executables: dropped, and the type decides.
    ("cr\u202egpj.exe", "application/pdf", "crgpj.pdf"),
    ("CR signé du forum.pdf", "application/pdf", "CR signé du forum.pdf"),
    ("photo.JPEG", "image/jpeg", "photo.JPEG"),
    ("photo.jpg", "image/jpeg", "photo.jpg"),
    ("scan", "image/png", "scan.png"),
    ("compte.rendu.v2.docx", "application/vnd.oasis.opendocument.text", "compte.rendu.v2.odt"),
    ("\u2067\u202e", "application/pdf", "document.pdf"),
    ("a\u200fb\u061cc.odt", "application/vnd.oasis.opendocument.text", "abc.odt"),
])
def test_downloads_are_named_with_the_extension_of_their_type(name, mime_type, served):
    assert download_filename(name, mime_type) == served
