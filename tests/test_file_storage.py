"""Storing uploaded documents: generated names, hashes, limits, nothing left behind, safe downloads."""
import hashlib
import io
import os
import stat

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from forums import file_storage
from forums.file_storage import (
    CHUNK_SIZE, STORAGE_NAME, StoredFile, delete_stored, open_stored, send_stored, store_upload,
)
from forums.file_types import BAD_NAME, EMPTY, NOT_ACCEPTED, TOO_EXPANDED, DocumentRefused, DocumentType

from .test_file_types import (
    ELF, MB, MZ, docx_bytes, jpeg_bytes, odt_bytes, pdf_bytes, png_bytes, write_zip_bomb,
)

MAX_BYTES = 20 * MB


@pytest.fixture
def directory(tmp_path):
    """Return an upload directory that does not exist yet."""
    return tmp_path / "uploads"


def upload(data, filename="compte-rendu.pdf", content_type="application/pdf"):
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def files_under(directory):
    """Return every file under ``directory``, relative to it, temporary ones included."""
    return sorted(os.path.relpath(os.path.join(root, name), directory)
                  for root, _, names in os.walk(directory) for name in names)


@pytest.mark.parametrize(("data", "kind"), [
    (pdf_bytes(), DocumentType.PDF), (odt_bytes(), DocumentType.ODT), (docx_bytes(), DocumentType.DOCX),
    (jpeg_bytes(), DocumentType.JPEG), (png_bytes(), DocumentType.PNG),
], ids=lambda value: value.value if isinstance(value, DocumentType) else None)
def test_an_accepted_document_is_stored_under_a_generated_name(directory, data, kind):
    stored = store_upload(upload(data, filename="../CR du forum\x00.bin"), directory, MAX_BYTES)

    assert isinstance(stored, StoredFile)
    assert STORAGE_NAME.fullmatch(stored.storage_name)
    assert stored.storage_name.endswith("." + kind.extension)
    assert stored.kind is kind
    assert stored.mime_type == kind.mime_type
    assert stored.original_name == "CR du forum.bin"
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    path = directory / stored.storage_name[:2] / stored.storage_name
    assert path.read_bytes() == data
    assert files_under(directory) == [os.path.join(stored.storage_name[:2], stored.storage_name)]
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_content_decides_not_the_name_nor_the_browser(directory):
    stored = store_upload(upload(png_bytes(), filename="photo.pdf", content_type="application/pdf"),
                          directory, MAX_BYTES)

    assert stored.kind is DocumentType.PNG
    assert stored.mime_type == "image/png"
    assert stored.storage_name.endswith(".png")
    assert stored.original_name == "photo.pdf"


def test_the_same_document_twice_gets_two_names(directory):
    first = store_upload(upload(pdf_bytes()), directory, MAX_BYTES)
    second = store_upload(upload(pdf_bytes()), directory, MAX_BYTES)

    assert first.storage_name != second.storage_name
    assert first.sha256 == second.sha256
    assert len(files_under(directory)) == 2


def test_the_maximum_size_is_inclusive(directory):
    data = pdf_bytes(padding=3 * CHUNK_SIZE + 7)

    stored = store_upload(upload(data), directory, len(data))
    with pytest.raises(DocumentRefused):
        store_upload(upload(data), directory, len(data) - 1)

    assert stored.size == len(data)
    assert len(files_under(directory)) == 1


@pytest.mark.parametrize(("data", "filename", "message"), [
    (ELF, "compte-rendu.pdf", NOT_ACCEPTED),
    (MZ, "compte-rendu.pdf", NOT_ACCEPTED),
    (b"#!/bin/sh\necho\n", "compte-rendu.pdf", NOT_ACCEPTED),
    (b"", "compte-rendu.pdf", EMPTY),
    (pdf_bytes(), "../", BAD_NAME),
    (pdf_bytes(), "\x00\x01", BAD_NAME),
    (pdf_bytes(), None, BAD_NAME),
], ids=["elf-named-pdf", "mz-named-pdf", "script-named-pdf", "empty", "only-a-path", "only-controls",
        "no-name"])
def test_a_refused_document_leaves_nothing_stored(directory, data, filename, message):
    with pytest.raises(DocumentRefused) as refused:
        store_upload(upload(data, filename=filename), directory, MAX_BYTES)

    assert refused.value.message == message
    assert files_under(directory) == []


def test_a_zip_bomb_disguised_as_docx_leaves_nothing_stored(directory, tmp_path):
    bomb = write_zip_bomb(tmp_path / "compte-rendu.docx")

    with open(bomb, "rb") as stream:
        with pytest.raises(DocumentRefused) as refused:
            store_upload(FileStorage(stream=stream, filename="compte-rendu.docx"), directory, MAX_BYTES)

    assert refused.value.message == TOO_EXPANDED
    assert files_under(directory) == []


class EndlessUpload:
    """An upload stream that never ends: a PDF header then filler, counting the bytes handed out."""

    def __init__(self, piece_size=1000):
        self.pieces = self._generate(piece_size)
        self.bytes_read = 0

    @staticmethod
    def _generate(piece_size):
        yield b"%PDF-1.4\n"
        while True:
            yield b"x" * piece_size

    def read(self, size=-1):
        data = bytearray()
        while len(data) < size:
            data += next(self.pieces)
        # Hand out at most ``size`` bytes, as a real stream does; the rest of the piece is dropped.
        data = bytes(data[:size])
        self.bytes_read += len(data)
        return data


@pytest.mark.parametrize(("max_bytes", "figure"), [(2 * MB, "2 Mo"), (1536 * 1024, "1,5 Mo"),
                                                   (MAX_BYTES, "20 Mo")])
def test_an_oversized_upload_is_refused_before_it_is_fully_read(directory, max_bytes, figure):
    stream = EndlessUpload()

    with pytest.raises(DocumentRefused) as refused:
        store_upload(FileStorage(stream=stream, filename="énorme.pdf"), directory, max_bytes)

    assert refused.value.message == f"Le fichier dépasse la taille maximale de {figure}."
    assert max_bytes < stream.bytes_read <= max_bytes + CHUNK_SIZE
    assert files_under(directory) == []


class TrickleUpload(io.RawIOBase):
    """A stream that returns a few bytes per read, as a slow network may."""

    def __init__(self, data):
        self.source = io.BytesIO(data)

    def readable(self):
        return True

    def read(self, size=-1):
        return self.source.read(min(size, 7))


def test_short_reads_are_put_together(directory):
    data = pdf_bytes(padding=1000)

    stored = store_upload(FileStorage(stream=TrickleUpload(data), filename="lent.pdf"), directory, MAX_BYTES)

    assert (directory / stored.storage_name[:2] / stored.storage_name).read_bytes() == data


def test_a_failure_while_storing_leaves_no_partial_file(directory, monkeypatch):
    def failing_rename(source, target):
        raise OSError("disque plein")

    monkeypatch.setattr(file_storage.os, "rename", failing_rename)

    with pytest.raises(OSError, match="disque plein"):
        store_upload(upload(pdf_bytes()), directory, MAX_BYTES)

    assert files_under(directory) == []


def test_a_stored_document_can_be_opened_and_deleted(directory):
    stored = store_upload(upload(odt_bytes(), filename="cr.odt"), directory, MAX_BYTES)

    with open_stored(directory, stored.storage_name) as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == stored.sha256
    with open_stored(str(directory), stored.storage_name) as stream:
        assert stream.read(2) == b"PK"

    assert delete_stored(directory, stored.storage_name) is True
    assert delete_stored(directory, stored.storage_name) is False
    assert files_under(directory) == []


BAD_STORAGE_NAMES = [
    "../x", "..", "", None, "/etc/passwd", "ab/" + "ab" * 16 + ".pdf", "../" + "ab" * 16 + ".pdf",
    "AB" * 16 + ".pdf", "ab" * 16 + ".exe", "ab" * 16 + ".pdf\n", "ab" * 16 + ".pdf/../../x",
    "ab" * 15 + ".pdf", "..\\" + "ab" * 16 + ".pdf", ".upload-abc.part",
]


@pytest.mark.parametrize("name", BAD_STORAGE_NAMES)
def test_names_that_were_not_generated_are_refused(directory, name):
    (directory / "ab").mkdir(parents=True)
    target = directory / "ab" / ("ab" * 16 + ".pdf")
    target.write_bytes(pdf_bytes())

    with pytest.raises(ValueError):
        open_stored(directory, name)
    with pytest.raises(ValueError):
        delete_stored(directory, name)
    with pytest.raises(ValueError):
        send_stored(directory, name, "x.pdf", "application/pdf")
    assert target.exists()


def test_tests_store_documents_outside_the_instance_folder(app):
    directory = app.config["UPLOAD_DIRECTORY"]

    assert not os.path.abspath(directory).startswith(os.path.abspath(app.instance_path))
    stored = store_upload(upload(pdf_bytes()), directory, MAX_BYTES)
    assert delete_stored(directory, stored.storage_name)


def test_a_download_is_an_attachment_kept_out_of_caches(app, directory):
    data = docx_bytes()
    stored = store_upload(upload(data, filename="Compte-rendu signé.docx"), directory, MAX_BYTES)

    with app.test_request_context():
        response = send_stored(directory, stored.storage_name, stored.original_name, stored.mime_type)
        try:
            response.direct_passthrough = False
            body = response.get_data()
        finally:
            response.close()

    assert response.status_code == 200
    assert body == data
    assert response.mimetype == DocumentType.DOCX.mime_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Compte-rendu%20sign%C3%A9.docx" in disposition


def test_a_missing_stored_file_is_not_found(app, directory):
    with app.test_request_context(), pytest.raises(NotFound):
        send_stored(directory, "ab" * 16 + ".pdf", "x.pdf", "application/pdf")
