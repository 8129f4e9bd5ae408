"""Documents attached to minutes: stored under generated names outside the static folder, served as downloads.

Files live in the upload directory (``UPLOAD_DIRECTORY``), fanned out by the first two characters of
their generated name: ``ab/ab12…ef.pdf``. A storage name is only that file name; the fan-out
folder is derived from it.
"""
import hashlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass

from flask import send_file
from werkzeug.exceptions import NotFound

from .file_types import (
    DocumentRefused, DocumentType, clean_filename, detect_document_type, download_filename, format_size,
)

#: Bytes read from an upload at a time: an oversized one is never read more than a chunk past the limit.
CHUNK_SIZE = 64 * 1024

#: What a generated storage name looks like; any other name is refused before touching the disk.
STORAGE_NAME = re.compile(
    r"[0-9a-f]{32}\.(?:" + "|".join(kind.extension for kind in DocumentType) + r")"
)

#: Partial uploads are written under these names in the upload directory until they are accepted.
TEMPORARY_PREFIX = ".upload-"
TEMPORARY_SUFFIX = ".part"


@dataclass(frozen=True)
class StoredFile:
    """A document accepted and written to the upload directory."""

    #: Generated file name, e.g. "3f9c…e1.pdf"; the only way to find the file again.
    storage_name: str
    #: The name the user's file had, cleaned for display and as download name.
    original_name: str
    #: Size in bytes.
    size: int
    #: SHA-256 of the content, in hexadecimal.
    sha256: str
    #: Canonical MIME type of ``kind``, the one the file is served with.
    mime_type: str
    kind: DocumentType


def store_upload(file_storage, directory, max_bytes):
    """Store an uploaded werkzeug ``FileStorage`` in ``directory``; return a ``StoredFile``.

    Raise ``DocumentRefused`` for a bad name, an empty or oversized file, or content of a kind not
    accepted; then, as on any other failure, nothing is left in ``directory``.
    """
    original_name = clean_filename(file_storage.filename)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    # The partial file lives in the upload directory itself, so that accepting it is a rename on
    # the same file system, and a crash never leaves a half-written file under a real name.
    descriptor, temporary_path = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX,
                                                  dir=directory)
    try:
        with os.fdopen(descriptor, "w+b") as temporary:
            size, digest = _copy_limited(file_storage.stream, temporary, max_bytes)
            # An empty file is refused here too, as "Le fichier est vide.".
            kind = detect_document_type(temporary)
            temporary.flush()
            # The database will record this file as present once the caller commits: make it durable first.
            os.fsync(temporary.fileno())
        storage_name = f"{secrets.token_hex(16)}.{kind.extension}"
        final_path = _path(directory, storage_name)
        os.makedirs(os.path.dirname(final_path), mode=0o700, exist_ok=True)
        os.rename(temporary_path, final_path)
    except BaseException:
        os.unlink(temporary_path)
        raise
    return StoredFile(storage_name=storage_name, original_name=original_name, size=size,
                      sha256=digest, mime_type=kind.mime_type, kind=kind)


def _copy_limited(source, target, max_bytes):
    """Copy ``source`` to ``target`` chunk by chunk; return (size, SHA-256); refuse past ``max_bytes``."""
    size = 0
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            raise DocumentRefused(f"Le fichier dépasse la taille maximale de {format_size(max_bytes)}.")
        digest.update(chunk)
        target.write(chunk)
    return size, digest.hexdigest()


def _path(directory, storage_name):
    """Return the absolute path of a stored file; raise ``ValueError`` for a name that was not generated."""
    if not isinstance(storage_name, str) or not STORAGE_NAME.fullmatch(storage_name):
        raise ValueError(f"Not a storage name: {storage_name!r}")
    return os.path.join(os.path.abspath(directory), storage_name[:2], storage_name)


def open_stored(directory, storage_name):
    """Open a stored file for reading in binary mode; raise ``ValueError`` for a name not generated here."""
    return open(_path(directory, storage_name), "rb")


def delete_stored(directory, storage_name):
    """Delete a stored file; return whether it existed. Raise ``ValueError`` for a name not generated here."""
    try:
        os.unlink(_path(directory, storage_name))
    except FileNotFoundError:
        return False
    return True


def send_stored(directory, storage_name, download_name, mime_type):
    """Return a response downloading a stored file as ``download_name``; 404 when the file is missing.

    Raise ``ValueError`` for a name not generated here. Documents are for agents only: the
    response is kept out of every cache, and browsers save it rather than display or sniff it,
    under a name ending with the extension of its detected type.
    """
    path = _path(directory, storage_name)
    if not os.path.isfile(path):
        raise NotFound()
    response = send_file(path, mimetype=mime_type, as_attachment=True,
                         download_name=download_filename(download_name, mime_type))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
