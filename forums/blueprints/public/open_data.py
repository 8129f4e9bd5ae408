"""Open data of the consultation: the page that describes the datasets, and the streamed files.

The files hold the published questions and the proposals shown on public forum pages, anonymous
(see forums.services.open_data_exports); they are read from the database as they are sent.
"""
from flask import Response, abort, render_template, request, stream_with_context

from ...extensions import db
from ...models import Consultation
from ...public_cache import cacheable
from ...rate_limits import open_data_limit
from ...services.open_data_exports import (
    PROPOSAL_COLUMNS, QUESTION_COLUMNS, proposals_csv, proposals_json, questions_csv, questions_json,
)
from ...services.public import current_consultation
from . import bp

#: Dataset in the URL → (file name stem, {format: generator of the export}).
DATASETS = {
    "questions": ("questions", {"csv": questions_csv, "json": questions_json}),
    "propositions": ("propositions", {"csv": proposals_csv, "json": proposals_json}),
}
MIMETYPES = {"csv": "text/csv", "json": "application/json"}
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
    """Describe the open datasets of the consultation, their columns and licence, and link to the files."""
    consultation = _consultation()
    return render_template(
        "public/donnees_ouvertes.html", consultation=consultation,
        args={"consultation": consultation.slug} if consultation is not None and "consultation" in request.args
        else {},
        datasets=[
            ("questions", "Questions publiées", QUESTION_COLUMNS, QUESTION_COLUMN_DESCRIPTIONS),
            ("propositions", "Propositions des forums", PROPOSAL_COLUMNS, PROPOSAL_COLUMN_DESCRIPTIONS),
        ],
        licence_name=LICENCE_NAME, licence_url=LICENCE_URL,
    )


@bp.get("/donnees-ouvertes/<any(questions, propositions):dataset>.<any(csv, json):extension>")
@open_data_limit
def open_data_file(dataset, extension):
    """Stream a dataset of the consultation as CSV or JSON, as a file to save."""
    consultation = _consultation()
    if consultation is None:
        abort(404)
    stem, exports = DATASETS[dataset]
    chunks = exports[extension](consultation)
    response = Response(stream_with_context(chunks), mimetype=MIMETYPES[extension])
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}-{consultation.slug}.{extension}"'
    return response


def _consultation():
    """Return the consultation named by ``?consultation=`` (404 when unknown), or the current one (maybe None)."""
    slug = request.args.get("consultation", "")
    if not slug:
        return current_consultation()
    consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == slug[:60]))
    if consultation is None:
        abort(404)
    return consultation
