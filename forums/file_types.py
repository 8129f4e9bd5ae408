"""Uploaded documents: their type told from their content, and names safe to display.

Pure functions, no Flask: the web app, the CLI and the tests call them alike.
"""
import enum
import os
import re
import unicodedata
import zipfile


class DocumentRefused(Exception):
    """A document the site does not accept; ``message`` is French and meant for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class DocumentType(enum.StrEnum):
    """The kinds of document accepted with the minutes of a forum."""

    PDF = "pdf"
    ODT = "odt"
    DOCX = "docx"
    JPEG = "jpeg"
    PNG = "png"

    @property
    def label(self):
        """Return the French name of the kind, e.g. "Document PDF"."""
        return DOCUMENT_DETAILS[self][0]

    @property
    def extension(self):
        """Return the canonical file extension, without its dot: "pdf", "jpg"…"""
        return DOCUMENT_DETAILS[self][1]

    @property
    def mime_type(self):
        """Return the canonical MIME type, the one files of this kind are served with."""
        return DOCUMENT_DETAILS[self][2]


#: Label, extension and MIME type of each kind.
DOCUMENT_DETAILS = {
    DocumentType.PDF: ("Document PDF", "pdf", "application/pdf"),
    DocumentType.ODT: ("Document texte ODT", "odt", "application/vnd.oasis.opendocument.text"),
    DocumentType.DOCX: ("Document Word (DOCX)", "docx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    DocumentType.JPEG: ("Image JPEG", "jpg", "image/jpeg"),
    DocumentType.PNG: ("Image PNG", "png", "image/png"),
}

#: What the first bytes of each kind of document are; ZIP containers are told apart by their members.
SIGNATURES = (
    (b"%PDF-", DocumentType.PDF),
    (b"\xff\xd8\xff", DocumentType.JPEG),
    (b"\x89PNG\r\n\x1a\n", DocumentType.PNG),
)
ZIP_SIGNATURE = b"PK\x03\x04"
#: Bit of a ZIP member's flags telling that it is encrypted.
ZIP_ENCRYPTED = 0x1
ODT_MIME_TYPE = DOCUMENT_DETAILS[DocumentType.ODT][2].encode("ascii")

#: Limits past which an ODT or DOCX is taken for a zip bomb. Real minutes, even full of photos,
#: stay far below them; nothing is ever decompressed to check them, only declared sizes are read.
ZIP_MAX_TOTAL_SIZE = 200 * 1024 * 1024
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_RATIO = 100
#: Small members (XML styles, settings) legitimately compress very well: the ratio is checked above this.
ZIP_RATIO_CHECKED_FROM = 1024 * 1024

#: Display names are cut to this many characters, extension included.
FILENAME_MAX_LENGTH = 150
#: Longest ending after the last dot still kept as an extension when a name is cut.
EXTENSION_MAX_LENGTH = 10

EMPTY = "Le fichier est vide."
NOT_ACCEPTED = ("Le type de ce fichier n'est pas accepté : seuls les documents PDF, ODT, DOCX "
                "et les images JPEG ou PNG le sont.")
DAMAGED = ("Ce document ODT/DOCX est endommagé ou incomplet : enregistrez-le de nouveau depuis "
           "votre traitement de texte, puis envoyez-le.")
TOO_EXPANDED = ("Ce document se décompresse en un volume anormal : par précaution, il est refusé. "
                "Enregistrez-le au format PDF puis envoyez-le.")
TOO_MANY_MEMBERS = ("Ce document contient un nombre anormal d'éléments : par précaution, il est refusé. "
                    "Enregistrez-le au format PDF puis envoyez-le.")
BAD_NAME = "Le nom de ce fichier n'est pas utilisable : renommez-le puis envoyez-le de nouveau."

_SPACES = re.compile(r"\s+")


def detect_document_type(stream_or_path):
    """Return the ``DocumentType`` of a document, told from its content alone; raise ``DocumentRefused``.

    ``stream_or_path`` is a path or a seekable binary stream holding the whole document, read from
    its start and left rewound. The name and the browser's MIME type are never consulted: anything
    not recognised here, executables included, is refused.
    """
    if isinstance(stream_or_path, (str, os.PathLike)):
        with open(stream_or_path, "rb") as stream:
            return _detect(stream)
    stream_or_path.seek(0)
    try:
        return _detect(stream_or_path)
    finally:
        stream_or_path.seek(0)


def _detect(stream):
    head = stream.read(8)
    if not head:
        raise DocumentRefused(EMPTY)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(ZIP_SIGNATURE):
        return _detect_zip(stream)
    raise DocumentRefused(NOT_ACCEPTED)


def _detect_zip(stream):
    """Return ODT or DOCX for a sound ZIP container of that kind, reading only its directory."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            _check_not_a_bomb(members)
            if not members:
                raise DocumentRefused(DAMAGED)
            # The container must begin at the first byte: whatever was put in front of it
            # (another archive, say) would otherwise be stored unchecked.
            first = min(members, key=lambda member: member.header_offset)
            if first.header_offset != 0:
                raise DocumentRefused(NOT_ACCEPTED)
            names = {member.filename for member in members}
            if _is_odt_mimetype(archive, first):
                if "content.xml" not in names:
                    raise DocumentRefused(DAMAGED)
                return DocumentType.ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DocumentType.DOCX
            raise DocumentRefused(NOT_ACCEPTED)
    # zipfile raises NotImplementedError for headers asking for features it lacks (a later version).
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as error:
        raise DocumentRefused(DAMAGED) from error


def _check_not_a_bomb(members):
    if len(members) > ZIP_MAX_MEMBERS:
        raise DocumentRefused(TOO_MANY_MEMBERS)
    if sum(member.file_size for member in members) > ZIP_MAX_TOTAL_SIZE:
        raise DocumentRefused(TOO_EXPANDED)
    for member in members:
        if (member.file_size > ZIP_RATIO_CHECKED_FROM
                and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1)):
            raise DocumentRefused(TOO_EXPANDED)


def _is_odt_mimetype(archive, first):
    """Tell whether ``first`` is the ODF "mimetype" member, stored uncompressed, naming a text document."""
    # Everything is checked before reading, so only these few plain stored bytes are ever read;
    # an encrypted member would make zipfile ask for a password.
    return (first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
            and not first.flag_bits & ZIP_ENCRYPTED and first.file_size == len(ODT_MIME_TYPE)
            and archive.read(first) == ODT_MIME_TYPE)


def clean_filename(name):
    """Return ``name`` fit for display: last path part, no control characters, at most 150 characters.

    Raise ``DocumentRefused`` when nothing usable is left. Only ever displayed and offered as the
    download name: the stored file's name is generated, never derived from this.
    """
    name = unicodedata.normalize("NFC", name or "")
    # Browsers on Windows may send the full path; either separator may come from any system.
    name = re.split(r"[/\\]", name)[-1]
    # Whitespace controls (tab, newline) separate words; other control and format characters,
    # NUL and the right-to-left override that disguises "gpj.exe" among them, are dropped.
    name = "".join(" " if char.isspace() else char for char in name
                   if char.isspace() or not unicodedata.category(char).startswith("C"))
    # Leading dots would hide the file on download; trailing dots and spaces Windows drops itself.
    name = _SPACES.sub(" ", name).strip(" .")
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= EXTENSION_MAX_LENGTH:
            name = stem[:FILENAME_MAX_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:FILENAME_MAX_LENGTH].rstrip(" .")
    if not name:
        raise DocumentRefused(BAD_NAME)
    return name


#: Extensions a file of each type may keep as the user wrote them.
_KEPT_EXTENSIONS = {DocumentType.JPEG: ("jpg", "jpeg")}
#: A fallback download name, when nothing of the user's is left.
DEFAULT_STEM = "document"


def download_filename(name, mime_type):
    """Return the name a stored document downloads as: cleaned, ending with the extension of its detected type.

    The content decided the type: a PDF named "rapport.html" downloads as "rapport.pdf", so that no
    browser or desktop opens it as a web page or a program, whatever its author called it.
    """
    kind = next((kind for kind in DocumentType if kind.mime_type == mime_type), None)
    try:
        name = clean_filename(name)
    except DocumentRefused:
        name = DEFAULT_STEM
    if kind is None:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and extension.lower() in _KEPT_EXTENSIONS.get(kind, (kind.extension,)):
        return name
    if dot and stem and 0 < len(extension) <= EXTENSION_MAX_LENGTH and extension.isalnum():
        name = stem
    return f"{name}.{kind.extension}"


def format_size(size):
    """Return a byte count in French: "20 Mo", "1,5 Mo", "12 Ko", "300 octets"."""
    for unit, factor in (("Mo", 1024 * 1024), ("Ko", 1024)):
        if size >= factor:
            value = round(size / factor, 1)
            text = f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
    return f"{size} octet" + ("s" if size > 1 else "")
