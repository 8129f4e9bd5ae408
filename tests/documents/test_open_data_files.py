"""Open data files prepared in advance: the same bytes as the streamed exports, written atomically, under a lock."""
import json
import os
import threading

import pytest

from forums.models import QuestionStatus
from forums.publication import publication_version
from forums.services import open_data_exports
from forums.services.open_data_exports import proposals_csv, proposals_json, questions_csv, questions_json
from forums.services.open_data_files import (
    MANIFEST_NAME, TEMPORARY_PREFIX, Manifest, build_lock, build_open_data, consultation_directory,
    expire_public_caches, read_manifest,
)

EXPORTS = {"questions.csv": questions_csv, "questions.json": questions_json,
           "propositions.csv": proposals_csv, "propositions.json": proposals_json}


@pytest.fixture
def root(app):
    return app.config["OPEN_DATA_DIRECTORY"]


def _build(db, root, consultation, force=False):
    """Build as `flask open-data build` does."""
    with build_lock(root):
        [outcome] = build_open_data(db.session, root, [consultation], force=force)
        db.session.rollback()
        expire_public_caches(db.session, [outcome])
        db.session.commit()
    return outcome


def _read(root, slug, name):
    with open(os.path.join(consultation_directory(root, slug), name), "rb") as file:
        return file.read()


def _listing(root, slug):
    return sorted(os.listdir(consultation_directory(root, slug)))


def test_files_hold_the_same_bytes_as_the_streamed_exports(document_data, consultation, db, root):
    outcome = _build(db, root, consultation)

    assert outcome.written == ("questions.csv", "questions.json", "propositions.csv", "propositions.json")
    for name, export in EXPORTS.items():
        assert _read(root, "2009", name) == "".join(export(consultation)).encode("utf-8"), name
    assert _listing(root, "2009") == sorted([*EXPORTS, MANIFEST_NAME])


def test_manifest_gives_rows_sizes_digests_and_dates(document_data, consultation, db, root):
    _build(db, root, consultation)

    manifest = read_manifest(root, "2009")
    assert [built.name for built in manifest.files] == list(EXPORTS)
    rows = {built.name: built.rows for built in manifest.files}
    assert rows == {"questions.csv": 5, "questions.json": 5, "propositions.csv": 3, "propositions.json": 3}
    for built in manifest.files:
        path = os.path.join(consultation_directory(root, "2009"), built.name)
        assert built.size == os.path.getsize(path)
        assert abs(built.built_at.timestamp() - os.stat(path).st_mtime) < 0.001
        assert len(built.sha256) == 64
    assert Manifest.from_dict(json.loads(_read(root, "2009", MANIFEST_NAME))) == manifest


def test_an_unreadable_or_missing_manifest_means_not_built(consultation, db, root):
    assert read_manifest(root, "2009") is None
    _build(db, root, consultation)
    with open(os.path.join(consultation_directory(root, "2009"), MANIFEST_NAME), "w") as file:
        file.write('{"schema": 99}')

    assert read_manifest(root, "2009") is None


def test_unchanged_content_is_left_in_place_and_expires_no_cache(document_data, consultation, db, root):
    first = _build(db, root, consultation)
    stamps = {name: os.stat(os.path.join(consultation_directory(root, "2009"), name)).st_mtime_ns
              for name in EXPORTS}
    version = publication_version(db.session)[0]

    again = _build(db, root, consultation, force=True)

    assert again.written == () and not again.skipped
    assert again.manifest.files == first.manifest.files
    assert {name: os.stat(os.path.join(consultation_directory(root, "2009"), name)).st_mtime_ns
            for name in EXPORTS} == stamps
    assert publication_version(db.session)[0] == version


def test_a_build_that_changes_a_file_expires_the_public_caches(document_data, consultation, db, root):
    version = publication_version(db.session)[0]

    _build(db, root, consultation)

    assert publication_version(db.session)[0] == version + 1


def test_nothing_is_read_again_until_something_is_published(document_data, consultation, db, root,
                                                             count_queries):
    _build(db, root, consultation)
    # The build's own bump is newer than the files: the next build reads once, finds nothing new.
    assert _build(db, root, consultation).written == ()

    assert consultation.slug == "2009"  # loaded again after the commit, outside the count
    with count_queries() as statements:
        skipped = _build(db, root, consultation)
    assert skipped.skipped
    # The publication version, before and after.
    assert len(statements) == 2

    document_data.questions["pending"].status = QuestionStatus.PUBLISHED
    db.session.commit()
    rebuilt = _build(db, root, consultation)
    assert rebuilt.written == ("questions.csv", "questions.json")
    assert read_manifest(root, "2009").file("questions.csv").rows == 6


def test_a_build_whose_bump_was_lost_is_made_good_by_the_next(document_data, consultation, db, root):
    with build_lock(root):
        build_open_data(db.session, root, [consultation])
    db.session.rollback()
    version = publication_version(db.session)[0]

    assert _build(db, root, consultation).written == ()
    assert publication_version(db.session)[0] == version + 1


def test_a_failed_build_leaves_the_previous_files_and_no_partial_file(document_data, consultation, db, root,
                                                                      monkeypatch):
    _build(db, root, consultation)
    before = {name: _read(root, "2009", name) for name in [*EXPORTS, MANIFEST_NAME]}
    document_data.questions["pending"].status = QuestionStatus.PUBLISHED
    db.session.commit()

    def failing(consultation):
        yield from list(open_data_exports.question_items(consultation))[:2]
        raise RuntimeError("database gone")

    monkeypatch.setattr(open_data_exports, "BATCH", 1)
    monkeypatch.setitem(open_data_exports.DATASETS, "questions", (open_data_exports.QUESTION_COLUMNS, failing))
    with pytest.raises(RuntimeError):
        _build(db, root, consultation)

    assert {name: _read(root, "2009", name) for name in before} == before
    assert not [name for name in _listing(root, "2009") if name.startswith(TEMPORARY_PREFIX)]


def test_a_crashed_build_s_temporary_files_are_removed_by_the_next(consultation, db, root):
    os.makedirs(consultation_directory(root, "2009"))
    leftover = os.path.join(consultation_directory(root, "2009"), TEMPORARY_PREFIX + "abc")
    with open(leftover, "w") as file:
        file.write("half a file")

    _build(db, root, consultation)

    assert not os.path.exists(leftover)


def test_two_builds_never_interleave(root):
    entered, waiting = threading.Event(), threading.Event()

    def second_build():
        with build_lock(root, on_wait=waiting.set):
            entered.set()

    with build_lock(root):
        thread = threading.Thread(target=second_build)
        thread.start()
        assert waiting.wait(5)
        assert not entered.wait(0.2)
    thread.join(5)
    assert entered.is_set()


@pytest.mark.parametrize("slug", ["", "..", "a/b"])
def test_a_slug_that_would_leave_the_directory_is_refused(root, slug):
    with pytest.raises(ValueError):
        consultation_directory(root, slug)
