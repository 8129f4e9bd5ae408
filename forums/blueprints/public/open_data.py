"""Open data of the consultation: the page that describes the datasets, and the prepared files.

The files hold the published questions and the proposals shown on public forum pages, anonymous
(see forums.services.open_data_exports). `flask open-data build` writes them ahead of time
(forums.services.open_data_files); a request only sends a file that exists, in constant time,
never reading the questions.
"""
import os

from flask import abort, current_app, render_template, request, send_file
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from ...errors import render_error
from ...extensions import db
from ...file_types import format_size
from ...models import Consultation
from ...public_cache import MAX_AGE, cacheable
from ...rate_limits import open_data_limit
from ...services.open_data_exports import DATASETS, PROPOSAL_COLUMNS, QUESTION_COLUMNS
from ...services.open_data_files import EXTENSIONS, consultation_directory, file_name, read_manifest
from ...services.public import current_consultation
from . import bp

MIMETYPES = {"csv": "text/csv", "json": "application/json"}
#: How often the files are rebuilt, as the README's cron line runs `flask open-data build`.
REBUILD_MINUTES = 15
NOT_BUILT = ("Les fichiers de données ouvertes sont produits régulièrement, toutes les "
             f"{REBUILD_MINUTES} minutes : celui-ci n'est pas encore disponible. Réessayez un peu plus tard.")
LICENCE_NAME = "Licence Ouverte / Open Licence 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

#: What each column of the questions file holds, in French, in the file's order.
QUESTION_COLUMN_DESCRIPTIONS = {
    "reference": "Référence publique de la question (par exemple 13-000124).",
    "department_code": "Code INSEE du département.",
    "department_name": "Nom du département.",
    "region_code": "Code INSEE de la région.",
    "region_name": "Nom de la région.",
    "forum_id": "Numéro du forum public pour lequel la question a été posée ; vide si elle a été posée au "
                "département.",
    "theme_code": "Code du thème.",
    "theme_title": "Intitulé du thème.",
    "subtopic_code": "Code du sous-thème.",
    "subtopic_title": "Intitulé du sous-thème.",
    "text": "Texte publié de la question, tel qu'il apparaît sur le site après modération.",
    "submitted_on": "Date de dépôt (AAAA-MM-JJ, heure de Paris).",
    "published_on": "Date de publication après modération (AAAA-MM-JJ).",
    "support_count": "Nombre de « Je soutiens ».",
    "answered": "La préfecture a-t-elle publié une réponse (oui ou non ; vrai ou faux en JSON) ?",
    "answered_on": "Date de la réponse (AAAA-MM-JJ).",
    "answer": "Réponse publiée par la préfecture (texte au format Markdown).",
    "addressed_forum_id": "Numéro du forum public où la question a été abordée.",
}
#: What each column of the proposals file holds, in French, in the file's order.
PROPOSAL_COLUMN_DESCRIPTIONS = {
    "id": "Numéro de la proposition.",
    "department_code": "Code INSEE du département.",
    "department_name": "Nom du département.",
    "region_code": "Code INSEE de la région.",
    "region_name": "Nom de la région.",
    "forum_id": "Numéro du forum public où la proposition a été formulée.",
    "forum_title": "Titre du forum.",
    "forum_date": "Date du forum (AAAA-MM-JJ, heure de Paris).",
    "theme_code": "Code du thème.",
    "theme_title": "Intitulé du thème.",
    "subtopic_code": "Code du sous-thème ; vide pour une proposition qui porte sur tout le thème.",
    "subtopic_title": "Intitulé du sous-thème.",
    "origin": "Origine de la proposition : public, elu, association ou forces_ordre.",
    "origin_label": "Origine en clair (public, élu, association, forces de l'ordre).",
    "text": "Texte de la proposition, tel qu'il figure dans la synthèse publique du compte-rendu.",
}


@bp.get("/donnees-ouvertes")
@cacheable(params=("consultation",))
def open_data():
    """Describe the open datasets of the consultation, their columns, licence and files, and when they were built."""
    consultation = _consultation()
    manifest = read_manifest(_root(), consultation.slug) if consultation is not None else None
    return render_template(
        "public/donnees_ouvertes.html", consultation=consultation,
        args={"consultation": consultation.slug} if consultation is not None and "consultation" in request.args
        else {},
        datasets=[
            ("questions", "Questions publiées", QUESTION_COLUMNS, QUESTION_COLUMN_DESCRIPTIONS),
            ("propositions", "Propositions des forums", PROPOSAL_COLUMNS, PROPOSAL_COLUMN_DESCRIPTIONS),
        ],
        files=_files(manifest), rebuild_minutes=REBUILD_MINUTES,
        licence_name=LICENCE_NAME, licence_url=LICENCE_URL,
    )


@bp.get("/donnees-ouvertes/<any(questions, propositions):dataset>.<any(csv, json):extension>")
@open_data_limit
def open_data_file(dataset, extension):
    """Send a prepared file of the consultation as a download, with validators and byte ranges."""
    consultation = _consultation()
    if consultation is None:
        abort(404)
    path = os.path.join(consultation_directory(_root(), consultation.slug), file_name(dataset, extension))
    try:
        file = open(path, "rb")
    except FileNotFoundError:
        return render_error(404, NOT_BUILT)
    # Size, date and ETag come from the opened file: a build that renames a new file in its place
    # meanwhile does not mix the old file's length with the new one's bytes.
    stat = os.fstat(file.fileno())
    response = send_file(
        file, mimetype=MIMETYPES[extension],
        etag=f"{stat.st_mtime_ns:x}-{stat.st_size:x}", last_modified=stat.st_mtime, max_age=MAX_AGE,
        conditional=False,
    )
    response.content_length = stat.st_size
    response.headers["Content-Disposition"] = f'attachment; filename="{dataset}-{consultation.slug}.{extension}"'
    try:
        return response.make_conditional(request, accept_ranges=True, complete_length=stat.st_size)
    except RequestedRangeNotSatisfiable:
        file.close()
        raise


def _files(manifest):
    """Return, in the page's order, (dataset, extension, BuiltFile or None, size in French) of each file."""
    files = []
    for dataset in DATASETS:
        for extension in EXTENSIONS:
            built = manifest.file(file_name(dataset, extension)) if manifest is not None else None
            files.append((dataset, extension, built, format_size(built.size) if built else None))
    return files


def _root():
    return current_app.config["OPEN_DATA_DIRECTORY"]


def _consultation():
    """Return the consultation named by ``?consultation=`` (404 when unknown), or the current one (maybe None)."""
    slug = request.args.get("consultation", "")
    if not slug:
        return current_consultation()
    consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == slug[:60]))
    if consultation is None:
        abort(404)
    return consultation
