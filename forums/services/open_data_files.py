"""Open data files prepared in advance: written by ``flask open-data build``, served as they are.

Each consultation has a folder in the open data directory (``OPEN_DATA_DIRECTORY``) named after its
slug, holding ``questions.csv``, ``questions.json``, ``propositions.csv``, ``propositions.json``
(forums.services.open_data_exports gives their content) and ``manifest.json``, which says when
each file was built, its size, row count and SHA-256, and which publication version it reflects.

A file is written to a temporary file in the same folder, then renamed over the previous one: a
reader opens either the old file or the new one, never half a file. A file whose content did
not change is left as it was, so its date, ETag and Last-Modified stay the same. A lock file
keeps two builds from interleaving.
"""
import fcntl
import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from ..publication import bump_publication_version, publication_version
from . import open_data_exports
from .open_data_exports import DATASETS, CsvFormat, JsonFormat

MANIFEST_NAME = "manifest.json"
#: Version of the manifest's shape; a manifest of another version is ignored (the next build rewrites it).
MANIFEST_SCHEMA = 1
LOCK_NAME = ".build.lock"
TEMPORARY_PREFIX = ".building-"
EXTENSIONS = ("csv", "json")


@dataclass(frozen=True)
class BuiltFile:
    """One prepared file as the manifest describes it."""

    #: File name in the consultation's folder, e.g. "questions.csv".
    name: str
    #: When this content was written (the file's modification time), aware UTC.
    built_at: datetime
    rows: int
    #: Size in bytes.
    size: int
    sha256: str

    def to_dict(self):
        """Return the JSON form of the entry."""
        return {"name": self.name, "built_at": self.built_at.isoformat(), "rows": self.rows, "size": self.size,
                "sha256": self.sha256}

    @classmethod
    def from_dict(cls, data):
        """Read an entry written by :meth:`to_dict`."""
        return cls(name=data["name"], built_at=datetime.fromisoformat(data["built_at"]), rows=int(data["rows"]),
                   size=int(data["size"]), sha256=data["sha256"])


@dataclass(frozen=True)
class Manifest:
    """What a consultation's folder holds: its files, and the publication version they were read at."""

    consultation: str
    #: The publication version read before the rows: a later publication gives a greater version.
    publication_version: int
    files: tuple[BuiltFile, ...]

    def file(self, name):
        """Return the entry of the file ``name``, or None."""
        return next((built for built in self.files if built.name == name), None)

    def to_dict(self):
        """Return the JSON form of the manifest."""
        return {"schema": MANIFEST_SCHEMA, "consultation": self.consultation,
                "publication_version": self.publication_version, "files": [built.to_dict() for built in self.files]}

    @classmethod
    def from_dict(cls, data):
        """Read a manifest written by :meth:`to_dict`; raise ValueError for another schema."""
        if data.get("schema") != MANIFEST_SCHEMA:
            raise ValueError(f"manifest schema {data.get('schema')!r}")
        return cls(consultation=data["consultation"], publication_version=int(data["publication_version"]),
                   files=tuple(BuiltFile.from_dict(built) for built in data["files"]))


@dataclass(frozen=True)
class BuildOutcome:
    """What a build did for one consultation."""

    manifest: Manifest
    #: Names of the files whose content changed (written anew); empty when all were already up to date.
    written: tuple[str, ...]
    #: True when nothing was read: nothing was published since the files were built.
    skipped: bool = False


def file_name(dataset, extension):
    """Return the name of a prepared file: "questions.csv"."""
    return f"{dataset}.{extension}"


def file_names():
    """Return the names of the files every consultation has, in the page's order."""
    return [file_name(dataset, extension) for dataset in DATASETS for extension in EXTENSIONS]


def consultation_directory(root, slug):
    """Return the folder of a consultation's files under the open data directory ``root``."""
    # Slugs are URL-safe by construction; a path separator or a dot name would leave ``root``.
    if not slug or "/" in slug or "\\" in slug or slug in (".", ".."):
        raise ValueError(f"consultation slug {slug!r} cannot name a folder")
    return os.path.join(root, slug)


def read_manifest(root, slug):
    """Return the manifest of a consultation's files, or None when they were never built."""
    try:
        with open(os.path.join(consultation_directory(root, slug), MANIFEST_NAME), encoding="utf-8") as file:
            return Manifest.from_dict(json.load(file))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextmanager
def build_lock(root, on_wait=None):
    """Hold the build lock of ``root`` for the duration of the block; call ``on_wait`` first if another build has it."""
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, LOCK_NAME), "a") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def build_open_data(session, root, consultations, force=False):
    """Write the open data files of ``consultations`` under ``root``; return a BuildOutcome per consultation.

    Call it inside :func:`build_lock`. A consultation whose files reflect the current publication
    version is skipped unless ``force``. Then end the read transaction and call
    :func:`expire_public_caches`.
    """
    version, _ = publication_version(session)
    return [_build_consultation(root, consultation, version, force) for consultation in consultations]


def expire_public_caches(session, outcomes):
    """Bump the publication version when a file is newer than it; return whether it did. The caller commits.

    The open data page is cached by publication version: the bump makes it show the new dates. It
    is decided from the files' dates rather than from this build's writes, so that a build whose
    bump failed is made good by the next one.
    """
    _, changed_at = publication_version(session)
    newest = max((built.built_at for outcome in outcomes for built in outcome.manifest.files), default=None)
    if newest is None or (changed_at is not None and newest <= changed_at):
        return False
    bump_publication_version(session)
    return True


def _build_consultation(root, consultation, version, force):
    directory = consultation_directory(root, consultation.slug)
    previous = read_manifest(root, consultation.slug)
    names = file_names()
    if (not force and previous is not None and previous.publication_version == version
            and all(os.path.exists(os.path.join(directory, name)) for name in names)):
        return BuildOutcome(manifest=previous, written=(), skipped=True)
    os.makedirs(directory, exist_ok=True)
    # Under the lock, a temporary file is what a crashed build left behind.
    for leftover in os.listdir(directory):
        if leftover.startswith(TEMPORARY_PREFIX):
            os.unlink(os.path.join(directory, leftover))
    built, written = [], []
    for dataset, (columns, items) in DATASETS.items():
        for entry, changed in _write_dataset(directory, dataset, columns, items(consultation), previous):
            built.append(entry)
            if changed:
                written.append(entry.name)
    manifest = Manifest(consultation=consultation.slug, publication_version=version,
                        files=tuple(sorted(built, key=lambda entry: names.index(entry.name))))
    _write_atomically(directory, MANIFEST_NAME, json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1))
    return BuildOutcome(manifest=manifest, written=tuple(written))


def _write_dataset(directory, dataset, columns, items, previous):
    """Write a dataset's CSV and JSON files in one pass over its items; return [(BuiltFile, changed)]."""
    targets = [(CsvFormat(columns), _PendingFile(directory, file_name(dataset, "csv"))),
               (JsonFormat(), _PendingFile(directory, file_name(dataset, "json")))]
    rows = 0
    try:
        for rows, item in enumerate(items, 1):
            for form, target in targets:
                form.add(item)
            if rows % open_data_exports.BATCH == 0:
                for form, target in targets:
                    target.write(form.take())
        for form, target in targets:
            target.write(form.end())
        return [target.commit(rows, previous) for _, target in targets]
    finally:
        for _, target in targets:
            target.discard()


class _PendingFile:
    """A file being written next to its final name, hashed as it goes."""

    def __init__(self, directory, name):
        self.directory, self.name = directory, name
        descriptor, self.temporary_path = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=directory)
        self.file = os.fdopen(descriptor, "wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, text):
        data = text.encode("utf-8")
        self.digest.update(data)
        self.size += len(data)
        self.file.write(data)

    def commit(self, rows, previous):
        """Put the file in place unless the same content is already there; return (BuiltFile, changed)."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        final_path = os.path.join(self.directory, self.name)
        sha256 = self.digest.hexdigest()
        kept = previous.file(self.name) if previous is not None else None
        if kept is not None and kept.sha256 == sha256 and _has_size(final_path, kept.size):
            return kept, False
        # The mode mkstemp gives (0600) would keep a web server running as another user out.
        os.chmod(self.temporary_path, 0o644)
        os.replace(self.temporary_path, final_path)
        built_at = datetime.fromtimestamp(os.stat(final_path).st_mtime, UTC)
        return BuiltFile(name=self.name, built_at=built_at, rows=rows, size=self.size, sha256=sha256), True

    def discard(self):
        """Remove the temporary file if it was not put in place."""
        self.file.close()
        if os.path.exists(self.temporary_path):
            os.unlink(self.temporary_path)


def _has_size(path, size):
    try:
        return os.stat(path).st_size == size
    except FileNotFoundError:
        return False


def _write_atomically(directory, name, text):
    target = _PendingFile(directory, name)
    try:
        target.write(text)
        target.commit(0, None)
    finally:
        target.discard()
