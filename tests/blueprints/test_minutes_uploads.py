"""Documents of the minutes through the web: bad files refused with nothing stored, downloads for agents only."""
import html
import io
import os
import re

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from forums.extensions import db as _db
from forums.file_storage import STORAGE_NAME, store_upload
from forums.models import (
    AttachmentKind, AuditEvent, DepartmentSynthesis, SynthesisAnnex, ForumStatus, Minutes, MinutesAttachment, MinutesVersion, Role,
    SynthesisStatus,
)

from ..conftest import new_client, paris_time
from ..test_file_types import ELF, MB, MZ, docx_bytes, jpeg_bytes, odt_bytes, pdf_bytes, png_bytes, zip_bytes


def text(response):
    return html.unescape(response.get_data(as_text=True))


def files_under(directory):
    """Return every file under ``directory``, temporary ones included."""
    return sorted(os.path.join(root, name) for root, _, names in os.walk(directory) for name in names)


def attachment_count(db):
    return db.session.scalar(db.select(db.func.count()).select_from(MinutesAttachment))


@pytest.fixture
def forum(create_forum):
    """A held forum of the Aix-en-Provence arrondissement (131)."""
    return create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))


@pytest.fixture
def minutes(db, forum, subtopics):
    """Minutes of the forum, written directly: these tests are about their documents."""
    record = Minutes(forum=forum, department_code=forum.department_code, consultation_id=forum.consultation_id,
                     attendance_public=40, version_number=1)
    record.versions = [MinutesVersion(number=1, snapshot={})]
    db.session.add(record)
    db.session.commit()
    return record


@pytest.fixture
def prefecture(create_agent, login):
    agent = create_agent(Role.PREFECTURE, department="13")
    login(agent)
    return agent


def upload(client, forum, data, name="compte-rendu.pdf", kind="signed"):
    # Encoded here, in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({"document": FileStorage(io.BytesIO(data), filename=name), "kind": kind})
    return client.post(f"/comptes-rendus/forums/{forum.id}/documents", data=body,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


# --- accepted documents --------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "mime_type"), [
    (pdf_bytes(), "application/pdf"), (odt_bytes(), "application/vnd.oasis.opendocument.text"),
    (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (jpeg_bytes(), "image/jpeg"), (png_bytes(), "image/png"),
], ids=["pdf", "odt", "docx", "jpeg", "png"])
def test_an_accepted_document_is_stored_and_listed(db, app, client, prefecture, forum, minutes, data, mime_type):
    response = upload(client, forum, data, name="CR signé.bin")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/comptes-rendus/forums/{forum.id}"
    [attachment] = db.session.scalars(db.select(MinutesAttachment)).all()
    assert (attachment.kind, attachment.mime_type, attachment.size) == (AttachmentKind.SIGNED, mime_type, len(data))
    assert attachment.original_name == "CR signé.bin"
    assert STORAGE_NAME.fullmatch(attachment.storage_name)
    stored = os.path.join(app.config["UPLOAD_DIRECTORY"], attachment.storage_name[:2], attachment.storage_name)
    with open(stored, "rb") as file:
        assert file.read() == data
    page = text(client.get(response.headers["Location"]))
    assert "Le document « CR signé.bin » est joint au compte-rendu." in page
    assert f'href="/comptes-rendus/documents/{attachment.id}"' in page
    assert "Compte-rendu signé non joint" not in page


def test_the_kind_other_does_not_count_as_the_signed_minutes(db, client, prefecture, forum, minutes):
    assert upload(client, forum, png_bytes(), name="photo.png", kind="other").status_code == 302

    page = text(client.get(f"/comptes-rendus/forums/{forum.id}"))
    assert "Autre document" in page
    assert "Compte-rendu signé non joint" in page


# --- bad files: a clear refusal, nothing stored -----------------------------------------------------------

def zip_bomb_docx():
    """A DOCX whose main part expands a thousandfold: 2 MB of zeros in a few kilobytes."""
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(2 * MB)})


@pytest.mark.parametrize(("data", "name", "message"), [
    (MZ, "compte-rendu.pdf", "Le type de ce fichier n'est pas accepté"),
    (ELF, "compte-rendu.pdf", "Le type de ce fichier n'est pas accepté"),
    (b"", "compte-rendu.pdf", "Le fichier est vide."),
    (zip_bomb_docx(), "compte-rendu.docx", "Ce document se décompresse en un volume anormal"),
    (pdf_bytes(), "/../\x01\x02/", "Le nom de ce fichier n'est pas utilisable"),
    (pdf_bytes(), "\x07\x1b", "Le nom de ce fichier n'est pas utilisable"),
], ids=["mz-as-pdf", "elf-as-pdf", "empty", "zip-bomb-as-docx", "separators-only", "control-characters-only"])
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_stored(db, app, client, prefecture, forum, minutes,
                                                                       data, name, message):
    before = files_under(app.config["UPLOAD_DIRECTORY"])

    response = upload(client, forum, data, name=name)

    assert response.status_code == 400
    page = text(response)
    error = re.search(r'<p class="fr-message fr-message--error" id="document-message-error">(.*?)</p>', page, re.S)
    assert error and message in error.group(1)
    assert 'class="fr-upload-group fr-upload-group--error"' in page
    assert attachment_count(db) == 0
    assert files_under(app.config["UPLOAD_DIRECTORY"]) == before


def test_a_name_with_path_separators_and_control_characters_is_cleaned_never_used_as_a_path(
        db, app, client, prefecture, forum, minutes):
    before = files_under(app.config["UPLOAD_DIRECTORY"])

    assert upload(client, forum, pdf_bytes(), name="..\\..\\etc/passwd\x00\x1b.pdf").status_code == 302

    attachment = db.session.scalar(db.select(MinutesAttachment))
    assert attachment.original_name == "passwd.pdf"
    added = sorted(set(files_under(app.config["UPLOAD_DIRECTORY"])) - set(before))
    assert added == [os.path.join(app.config["UPLOAD_DIRECTORY"], attachment.storage_name[:2],
                                  attachment.storage_name)]


def test_no_file_chosen_is_refused_in_french(db, client, prefecture, forum, minutes):
    response = client.post(f"/comptes-rendus/forums/{forum.id}/documents", data={"kind": "signed"},
                           content_type="multipart/form-data")

    assert response.status_code == 400
    assert "Choisissez le fichier à joindre." in text(response)
    assert attachment_count(db) == 0


@pytest.fixture
def small_app(other_app, tmp_path):
    """An app accepting documents of 1 MB at most (requests of 2 MB), storing them under tmp_path."""
    return other_app(UPLOAD_MAX_MB=1, UPLOAD_DIRECTORY=str(tmp_path / "uploads"))


def logged_in(app, agent):
    from ..conftest import PASSWORD

    browser = new_client(app)
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
    return browser


def test_a_file_over_the_limit_is_refused_with_413_next_to_the_field(db, small_app, create_agent, forum, minutes,
                                                                     tmp_path):
    browser = logged_in(small_app, create_agent(Role.PREFECTURE, department="13"))

    response = upload(browser, forum, pdf_bytes(padding=MB + MB // 2))

    assert response.status_code == 413
    assert "Le fichier dépasse la taille maximale de 1 Mo." in text(response)
    assert 'id="upload-form"' in text(response)
    assert attachment_count(db) == 0
    assert files_under(tmp_path / "uploads") == []


class CountingStream(io.RawIOBase):
    """A request body of ``size`` zero bytes that counts the bytes read from it (seeking reads nothing)."""

    def __init__(self, size):
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence] + offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        count = max(0, min(len(buffer), self.size - self.position))
        buffer[:count] = bytes(count)
        self.position += count
        self.read_bytes += count
        return count


def test_an_oversized_request_is_a_french_413_page_before_its_body_is_read(db, small_app, create_agent, forum,
                                                                           minutes, tmp_path):
    browser = logged_in(small_app, create_agent(Role.PREFECTURE, department="13"))
    body = CountingStream(50 * MB)

    response = browser.post(f"/comptes-rendus/forums/{forum.id}/documents", input_stream=body,
                            content_length=body.size, content_type="multipart/form-data; boundary=limite")

    assert response.status_code == 413
    page = text(response)
    assert "Fichier trop volumineux" in page
    assert "Le fichier dépasse la taille maximale de 1 Mo." in page
    assert body.read_bytes < MB
    assert attachment_count(db) == 0
    assert files_under(tmp_path / "uploads") == []


def test_a_real_oversized_upload_through_the_form_is_a_french_413(db, small_app, create_agent, forum, minutes):
    browser = logged_in(small_app, create_agent(Role.PREFECTURE, department="13"))

    response = upload(browser, forum, pdf_bytes(padding=3 * MB))

    assert response.status_code == 413
    assert "Fichier trop volumineux" in text(response)
    assert attachment_count(db) == 0


def test_documents_wait_for_the_minutes(db, client, prefecture, forum):
    response = upload(client, forum, pdf_bytes())

    assert response.status_code == 409
    assert "Enregistrez d'abord le compte-rendu" in text(response)
    assert attachment_count(db) == 0


def test_no_document_is_added_or_removed_once_the_synthesis_is_submitted(db, app, client, prefecture, forum,
                                                                         minutes):
    assert upload(client, forum, pdf_bytes()).status_code == 302
    attachment = db.session.scalar(db.select(MinutesAttachment))
    db.session.add(DepartmentSynthesis(consultation_id=forum.consultation_id, department_code="13",
                                       status=SynthesisStatus.SUBMITTED, submitted_at=paris_time(2009, 5, 20),
                                       annexes=[SynthesisAnnex(forum_id=forum.id, minutes_version=1)]))
    db.session.commit()
    before = files_under(app.config["UPLOAD_DIRECTORY"])

    refused = upload(client, forum, png_bytes())
    removal = client.post(f"/comptes-rendus/documents/{attachment.id}/supprimer")

    assert refused.status_code == removal.status_code == 409
    assert "verrouillé" in text(refused)
    assert attachment_count(db) == 1
    assert files_under(app.config["UPLOAD_DIRECTORY"]) == before
    page = text(client.get(f"/comptes-rendus/forums/{forum.id}"))
    assert 'id="upload-form"' not in page and "/supprimer" not in page


# --- removing a document ------------------------------------------------------------------------------------

def test_removing_a_document_deletes_its_row_and_its_file(db, app, client, prefecture, forum, minutes):
    assert upload(client, forum, pdf_bytes(), name="brouillon.pdf").status_code == 302
    attachment = db.session.scalar(db.select(MinutesAttachment))
    path = os.path.join(app.config["UPLOAD_DIRECTORY"], attachment.storage_name[:2], attachment.storage_name)

    response = client.post(f"/comptes-rendus/documents/{attachment.id}/supprimer")

    assert response.status_code == 302
    assert attachment_count(db) == 0
    assert not os.path.exists(path)
    assert "Le document « brouillon.pdf » est retiré du compte-rendu." in text(client.get(response.headers["Location"]))


# --- downloads ----------------------------------------------------------------------------------------------

@pytest.fixture
def attachment(db, app, minutes):
    """A signed PDF attached to the minutes, stored in the upload directory."""
    stored = store_upload(FileStorage(io.BytesIO(pdf_bytes()), filename="CR signé du forum.pdf"),
                          app.config["UPLOAD_DIRECTORY"], 20 * MB)
    row = MinutesAttachment(minutes=minutes, kind=AttachmentKind.SIGNED, original_name=stored.original_name,
                            storage_name=stored.storage_name, mime_type=stored.mime_type, size=stored.size,
                            sha256=stored.sha256)
    db.session.add(row)
    db.session.commit()
    return row


#: Who may download the document of a forum of arrondissement 131 (Bouches-du-Rhône), and the answer.
DOWNLOADERS = {
    "prefecture13": ((Role.PREFECTURE, "13", None), 200),
    "subprefecture131": ((Role.SUBPREFECTURE, None, "131"), 200),
    "ministry": ((Role.MINISTRY, None, None), 200),
    "subprefecture132": ((Role.SUBPREFECTURE, None, "132"), 404),
    "prefecture75": ((Role.PREFECTURE, "75", None), 404),
    "moderator13": ((Role.MODERATOR, "13", None), 403),
    "moderator75": ((Role.MODERATOR, "75", None), 404),
    "admin": ((Role.ADMIN, None, None), 403),
}


@pytest.mark.parametrize("who", DOWNLOADERS)
def test_download_permission_matrix(db, client, login, create_agent, attachment, who):
    (role, department, arrondissement), expected = DOWNLOADERS[who]
    login(create_agent(role, department=department, arrondissement=arrondissement))

    response = client.get(f"/comptes-rendus/documents/{attachment.id}")

    assert response.status_code == expected
    if expected == 200:
        assert response.data == pdf_bytes()
        response.close()
    else:
        assert "CR signé du forum" not in text(response)


def test_anonymous_visitors_are_sent_to_login(client, attachment):
    response = client.get(f"/comptes-rendus/documents/{attachment.id}")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_an_unknown_document_is_404(client, prefecture, attachment):
    assert client.get(f"/comptes-rendus/documents/{attachment.id + 1}").status_code == 404


def test_a_download_is_an_attachment_that_browsers_neither_sniff_nor_cache(client, prefecture, attachment):
    response = client.get(f"/comptes-rendus/documents/{attachment.id}")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''CR%20sign%C3%A9%20du%20forum.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    response.close()


def test_a_document_missing_from_the_disk_is_404_not_500(db, app, client, prefecture, attachment):
    os.unlink(os.path.join(app.config["UPLOAD_DIRECTORY"], attachment.storage_name[:2], attachment.storage_name))

    assert client.get(f"/comptes-rendus/documents/{attachment.id}").status_code == 404


def test_every_upload_and_removal_is_in_the_audit_log(db, client, prefecture, forum, minutes):
    upload(client, forum, pdf_bytes())
    attachment = db.session.scalar(db.select(MinutesAttachment))
    client.post(f"/comptes-rendus/documents/{attachment.id}/supprimer")

    _db.session.expire_all()
    actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert len([action for action in actions if action.startswith("minutes.")]) == 2


def test_a_polyglot_downloads_with_the_extension_of_its_detected_type(db, client, prefecture, forum, minutes):
    # Valid PDF bytes named to be opened as a web page: saved as a PDF, whatever its name says.
    assert upload(client, forum, pdf_bytes(), name="rapport.html").status_code == 302
    attachment = db.session.scalar(db.select(MinutesAttachment))
    response = client.get(f"/comptes-rendus/documents/{attachment.id}")
    assert response.headers["Content-Disposition"] == "attachment; filename=rapport.pdf"
    response.close()


def test_a_name_stored_with_a_right_to_left_override_downloads_without_it(db, client, prefecture, attachment):
    # Rows written before names were cleaned on upload.
    attachment.original_name = "cr\u202egpj.exe"
    db.session.commit()
    response = client.get(f"/comptes-rendus/documents/{attachment.id}")
    assert response.headers["Content-Disposition"] == "attachment; filename=crgpj.pdf"
    response.close()
