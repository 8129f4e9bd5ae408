"""ZIP bundles of the syntheses, and the documents ``flask synthesis`` writes to a folder.

A department's bundle holds its synthesis (``synthese-<code>.odt`` and ``.html``), the minutes of
every forum it annexes rendered as ``annexes/<nn>-forum-<id>-compte-rendu.html`` (or a note when
they are missing) with the documents attached to them, read from storage unchanged — the
document's footnotes and list of annexes link to those files —, and three CSV files for
spreadsheets: ``questions.csv`` (the department's published questions, anonymous),
``propositions.csv`` and ``preoccupations.csv`` (every recurring concern with each contribution
it groups, where the document's footnotes name only the first ones). The national bundle holds the national synthesis, ``departements.csv`` (the
figures of every department added up) and the national ``propositions.csv``.

Rows are read from the database as plain columns, a batch at a time (``yield_per``), and written
straight into the archive: a large department never sits in memory as ORM objects.
"""
import csv
import io
import logging
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import aliased
from werkzeug.utils import secure_filename

from synthesis import sources as refs
from synthesis.drafting import annex_title, forum_label
from synthesis.records import ForumRecord

from ..extensions import db
from ..file_storage import open_stored
from ..models import (
    Commune, Forum, ForumStatus, Minutes, Proposal, Question, QuestionStatus, Subtopic, Theme,
)
from ..services.national_synthesis import national_aggregate
from ..services.syntheses import current_generated
from ..services.synthesis_content import read_generated
from ..services.synthesis_inputs import ORIGIN_TO_ENGINE
from ..spreadsheets import safe_cell
from ..timeutils import PARIS, utcnow
from .addresses import SiteAddresses
from .content import department_content, national_content
from .html import render_html
from .minutes_render import minutes_annex_options, missing_minutes_note, render_minutes_annex, taken_up_questions
from .odt import render_odt

logger = logging.getLogger(__name__)

ANNEX_FOLDER = "annexes"
#: Rows fetched from the database per round trip while writing a CSV file or rendering minutes.
ROW_BATCH = 1000
MINUTES_BATCH = 20
#: Longest file name kept from an attached document's original name.
NAME_MAX_LENGTH = 100
#: Base file name of the national documents.
NATIONAL_STEM = "synthese-nationale"

QUESTION_HEADER = ("référence", "date", "forum", "thème", "sous-thème", "question", "soutiens",
                   "réponse publiée", "abordée au forum")
PROPOSAL_HEADER = ("forum", "date", "thème", "sous-thème", "origine", "proposition")
DEPARTMENT_HEADER = ("code", "département", "région", "forums prévus", "forums tenus", "couverture (%)",
                     "participants", "questions reçues", "questions publiées", "questions répondues",
                     "propositions", "comptes-rendus manquants", "première préoccupation")
CONCERN_HEADER = ("sous-thème", "préoccupation", "contribution")
NATIONAL_PROPOSAL_HEADER = ("code département", "département", "région", "forum", "thème", "sous-thème",
                            "origine", "proposition")
#: The engine's names of proposal origins → the French labels of the models.
ORIGIN_LABELS = {engine: origin.label for origin, engine in ORIGIN_TO_ENGINE.items()}


def department_stem(synthesis):
    """Return the base file name of a department's documents: "synthese-13"."""
    return f"synthese-{synthesis.department_code}"


def department_bundle(synthesis):
    """Return the bytes of the ZIP bundle of a DepartmentSynthesis (stored, or a draft never saved)."""
    buffer = io.BytesIO()
    _write_department_zip(synthesis, buffer)
    return buffer.getvalue()


def national_bundle(national):
    """Return the bytes of the ZIP bundle of a NationalSynthesis (stored, or a draft never saved)."""
    buffer = io.BytesIO()
    _write_national_zip(national, buffer)
    return buffer.getvalue()


def write_department_documents(synthesis, out_dir):
    """Write ``synthese-<code>.odt``, ``.html`` and ``.zip`` into ``out_dir``; return their paths."""
    content = department_content(synthesis)
    links = SiteAddresses(synthesis.consultation)
    return _write_documents(content, links, Path(out_dir) / department_stem(synthesis),
                            lambda stream: _write_department_zip(synthesis, stream))


def write_national_documents(national, out_dir):
    """Write ``synthese-nationale.odt``, ``.html`` and ``.zip`` into ``out_dir``; return their paths."""
    content = national_content(national)
    links = SiteAddresses(national.consultation)
    return _write_documents(content, links, Path(out_dir) / NATIONAL_STEM,
                            lambda stream: _write_national_zip(national, stream))


def _write_documents(content, links, stem, write_zip):
    odt_path, html_path, zip_path = (stem.with_name(stem.name + suffix) for suffix in (".odt", ".html", ".zip"))
    odt_path.write_bytes(render_odt(content, links))
    html_path.write_text(render_html(content, links), encoding="utf-8")
    with zip_path.open("wb") as stream:
        write_zip(stream)
    return [odt_path, html_path, zip_path]


# --- the department ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Annex:
    """One annex of the bundle: its number, its forum, its title and the minutes' id (None: missing)."""

    number: int
    forum_id: int
    title: str
    minutes_id: int | None


@dataclass(frozen=True)
class _ForumRow:
    """A forum of the department as the bundle names it."""

    label: str
    annex_title: str
    #: Paris date, as a French spreadsheet reads it.
    day: str
    status: ForumStatus
    minutes_id: int | None


def _write_department_zip(synthesis, stream):
    content = department_content(synthesis)
    forums = _department_forums(synthesis)
    annexes = [_Annex(number, annex.forum_id, annex.title, forums[annex.forum_id].minutes_id)
               for number, annex in enumerate((a for a in content.annexes if a.forum_id in forums), 1)]
    width = max(2, len(str(len(annexes))))
    prefixes = {annex.forum_id: f"{ANNEX_FOLDER}/{annex.number:0{width}d}-forum-{annex.forum_id}" for annex in annexes}
    minutes_files = {annex.forum_id: (f"{prefixes[annex.forum_id]}-compte-rendu.html" if annex.minutes_id
                                      else f"{prefixes[annex.forum_id]}-compte-rendu-manquant.txt")
                     for annex in annexes}
    links = SiteAddresses(synthesis.consultation, annex_files=minutes_files)
    stem = department_stem(synthesis)
    # The annexes' own names are taken first: a document's name may never shadow them.
    used = set(minutes_files.values())
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, used, f"{stem}.odt", render_odt(content, links), zipfile.ZIP_STORED)
        _add(archive, used, f"{stem}.html", render_html(content, links))
        for annex in annexes:
            if annex.minutes_id is None:
                _add(archive, used, minutes_files[annex.forum_id], missing_minutes_note(annex.title))
        _write_minutes(archive, used, {annex.forum_id: annex for annex in annexes}, prefixes, minutes_files)
        _write_csv(archive, used, "questions.csv", QUESTION_HEADER, _question_rows(synthesis, forums))
        _write_csv(archive, used, "propositions.csv", PROPOSAL_HEADER, _proposal_rows(synthesis, forums))
        _write_csv(archive, used, "preoccupations.csv", CONCERN_HEADER, _concern_rows(synthesis, forums))


def _department_forums(synthesis):
    """Return {forum id: _ForumRow} of the department's forums, in date order."""
    rows = db.session.execute(
        db.select(Forum.id, Forum.title, Forum.starts_at, Forum.status, Commune.name, Minutes.id)
        .outerjoin(Commune, Commune.code == Forum.commune_code)
        .outerjoin(Minutes, Minutes.forum_id == Forum.id)
        .where(Forum.consultation_id == synthesis.consultation_id,
               Forum.department_code == synthesis.department_code)
        .order_by(Forum.starts_at, Forum.id)
    )
    forums = {}
    for forum_id, title, starts_at, status, place, minutes_id in rows:
        record = ForumRecord(forum_id, synthesis.department_code, None, title, starts_at, status.value,
                             place=place or "")
        forums[forum_id] = _ForumRow(forum_label(record), annex_title(record), _day(starts_at), status, minutes_id)
    return forums


def _write_minutes(archive, used, annexes, prefixes, minutes_files):
    """Render every annexed minutes and copy their documents, a batch of minutes at a time."""
    with_minutes = [forum_id for forum_id, annex in annexes.items() if annex.minutes_id is not None]
    if not with_minutes:
        return
    questions = taken_up_questions(with_minutes)
    directory = current_app.config["UPLOAD_DIRECTORY"]
    found = db.session.scalars(
        db.select(Minutes).where(Minutes.forum_id.in_(with_minutes))
        .options(*minutes_annex_options()).order_by(Minutes.forum_id)
        .execution_options(yield_per=MINUTES_BATCH)
    )
    for minutes in found:
        links = {}
        for attachment in minutes.attachments:
            safe = _safe_name(attachment.original_name, attachment.id, attachment.storage_name.rpartition(".")[2])
            name = _unique(f"{prefixes[minutes.forum_id]}-{safe}", used)
            links[attachment.id] = name.rpartition("/")[2]
            _copy_stored(archive, used, name, directory, attachment)
        page = render_minutes_annex(minutes, annexes[minutes.forum_id].title, questions.get(minutes.forum_id, ()),
                                    attachment_links=links)
        _add(archive, used, minutes_files[minutes.forum_id], page)


def _copy_stored(archive, used, name, directory, attachment):
    """Copy a stored document into the archive unchanged; a note stands in for a file missing from storage."""
    try:
        source = open_stored(directory, attachment.storage_name)
    except (FileNotFoundError, ValueError):
        logger.warning("Document %s (%s) missing from storage: left out of the bundle.",
                       attachment.id, attachment.storage_name)
        _add(archive, used, _unique(name + ".manquant.txt", used),
             f"Le document « {attachment.original_name} » est enregistré mais son fichier est introuvable "
             "sur le serveur : il n'a pas pu être joint.\n")
        return
    used.add(name)
    with source, archive.open(zipfile.ZipInfo(name, _zip_time()), "w") as target:
        shutil.copyfileobj(source, target)


def _question_rows(synthesis, forums):
    """Yield the department's published questions as CSV rows: anonymous, the public text only."""
    result = db.session.execute(
        db.select(Question.reference, Question.submitted_at, Question.forum_id, Theme.code, Theme.title,
                  Subtopic.code, Subtopic.title, Question.public_text, Question.support_count,
                  Question.answered_at, Question.addressed_forum_id)
        .join(Theme, Theme.id == Question.theme_id)
        .join(Subtopic, Subtopic.id == Question.subtopic_id)
        .where(Question.consultation_id == synthesis.consultation_id,
               Question.department_code == synthesis.department_code,
               Question.status == QuestionStatus.PUBLISHED)
        .order_by(Question.submitted_at, Question.id)
        .execution_options(yield_per=ROW_BATCH)
    )
    for (reference, submitted_at, forum_id, theme_code, theme_title, subtopic_code, subtopic_title, text,
         supports, answered_at, addressed_forum_id) in result:
        yield (reference, _day(submitted_at), _forum_name(forums, forum_id), f"{theme_code} {theme_title}",
               f"{subtopic_code} {subtopic_title}", text, supports, "oui" if answered_at else "non",
               _forum_name(forums, addressed_forum_id))


def _proposal_rows(synthesis, forums):
    """Yield the department's proposals as CSV rows, forum by forum."""
    subtopic = aliased(Subtopic)
    result = db.session.execute(
        db.select(Proposal.forum_id, Theme.code, Theme.title, subtopic.code, subtopic.title, Proposal.origin,
                  Proposal.text)
        .join(Theme, Theme.id == Proposal.theme_id)
        .outerjoin(subtopic, subtopic.id == Proposal.subtopic_id)
        .join(Forum, Forum.id == Proposal.forum_id)
        .where(Proposal.consultation_id == synthesis.consultation_id,
               Proposal.department_code == synthesis.department_code)
        .order_by(Forum.starts_at, Forum.id, Proposal.position, Proposal.id)
        .execution_options(yield_per=ROW_BATCH)
    )
    for forum_id, theme_code, theme_title, subtopic_code, subtopic_title, origin, text in result:
        forum = forums.get(forum_id)
        yield (_forum_name(forums, forum_id), forum.day if forum else "", f"{theme_code} {theme_title}",
               f"{subtopic_code} {subtopic_title}" if subtopic_code else "", origin.label, text)


def _concern_rows(synthesis, forums):
    """Yield one row per contribution of each recurring concern the synthesis lists."""
    generated = current_generated(synthesis) if synthesis.id is not None else read_generated(synthesis.generated)
    titles = {code: title for code, title, _ in generated.figures.subtopics}
    for concern in generated.concerns:
        scope = f"{concern.subtopic_code} {titles.get(concern.subtopic_code, '')}".strip() or "tous sous-thèmes"
        for source in concern.sources:
            if source.kind == refs.QUESTION:
                named = f"question {source.key}"
            else:
                named = "compte-rendu du " + _forum_name(forums, int(source.key))
            yield scope, concern.label, named


def _forum_name(forums, forum_id):
    if forum_id is None:
        return ""
    forum = forums.get(forum_id)
    return forum.label if forum is not None else f"forum n° {forum_id}"


# --- the nation -------------------------------------------------------------------------------------

def _write_national_zip(national, stream):
    content = national_content(national)
    aggregate = national_aggregate(national.consultation)
    links = SiteAddresses(national.consultation)
    stem = NATIONAL_STEM
    used = set()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, used, f"{stem}.odt", render_odt(content, links), zipfile.ZIP_STORED)
        _add(archive, used, f"{stem}.html", render_html(content, links))
        _write_csv(archive, used, "departements.csv", DEPARTMENT_HEADER, _department_rows(aggregate))
        _write_csv(archive, used, "propositions.csv", NATIONAL_PROPOSAL_HEADER, _national_proposal_rows(aggregate))


def _department_rows(aggregate):
    """Yield one row of figures per department whose synthesis the nation adds up."""
    regions = {result.code: result.region_name for result in aggregate.departments}
    for row in aggregate.comparison:
        coverage = "" if row.coverage_percentage is None else f"{row.coverage_percentage:.1f}".replace(".", ",")
        yield (row.code, row.name, regions.get(row.code, ""), row.forums_planned, row.forums_held, coverage,
               row.attendance, row.questions_received, row.questions_published, row.questions_answered,
               row.proposals, row.minutes_missing, row.top_concern)


def _national_proposal_rows(aggregate):
    """Yield every proposal of the departmental syntheses added up, in the catalogue's order."""
    themes = dict(aggregate.figures.themes)
    subtopics = {code: title for code, title, _ in aggregate.figures.subtopics}
    for entry in aggregate.catalogue.entries:
        proposal = entry.proposal
        subtopic = proposal.subtopic_code
        yield (proposal.department_code, entry.department_name, entry.region_name, proposal.forum_label,
               f"{proposal.theme_code} {themes.get(proposal.theme_code, '')}".strip(),
               f"{subtopic} {subtopics.get(subtopic, '')}".strip() if subtopic else "",
               ORIGIN_LABELS.get(proposal.origin, proposal.origin), proposal.text)


# --- archive helpers --------------------------------------------------------------------------------

def _zip_time():
    return utcnow().astimezone(PARIS).timetuple()[:6]


def _add(archive, used, name, data, compression=None):
    """Add a member from bytes or text (UTF-8)."""
    used.add(name)
    info = zipfile.ZipInfo(name, _zip_time())
    info.compress_type = compression if compression is not None else zipfile.ZIP_DEFLATED
    archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)


def _write_csv(archive, used, name, header, rows):
    """Write a CSV member for French spreadsheets (BOM, ``;``, formula-safe cells), row by row."""
    used.add(name)
    info = zipfile.ZipInfo(name, _zip_time())
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        text.write("\ufeff")
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(value) for value in row])


def _safe_name(original, attachment_id, extension):
    """Return an attached document's name safe in any file system: ASCII, no folder, not too long.

    The extension is the one of the stored file, which its content decided: a PDF named
    "compte-rendu.html" by its author still opens as a PDF.
    """
    stem = secure_filename(original or "")
    if "." in stem:
        stem = stem.rpartition(".")[0]
    stem = stem[:NAME_MAX_LENGTH - len(extension) - 1] or f"document-{attachment_id}"
    return f"{stem}.{extension}"


def _unique(name, used):
    """Return ``name``, or ``name`` numbered ("-2", "-3"…) before its extension when already taken."""
    if name not in used:
        return name
    folder, slash, base = name.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    number = 2
    while True:
        candidate = f"{folder}{slash}{stem}-{number}{dot}{extension}"
        if candidate not in used:
            return candidate
        number += 1


def _day(moment):
    """Return the Paris date of an aware datetime as a French spreadsheet reads it: "17/03/2009"."""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y") if moment is not None else ""
