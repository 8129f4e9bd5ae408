"""Routes of the minutes blueprint: record, read and publish the minutes of held forums, follow the missing ones.

Every view loads its objects scoped to the agent's territory (out of scope: 404), asks the policy
(forbidden: 403), calls an operation of forums/services/minutes.py and commits once.
"""
import os
from typing import NamedTuple

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import RequestEntityTooLarge

from ... import permissions
from ...errors import render_error
from ...extensions import db
from ...file_storage import delete_stored, send_stored
from ...documents.minutes_render import topic_groups
from ...file_types import format_size
from ...models import (
    AttachmentKind, AttendanceCategory, Consultation, Forum, Minutes, MinutesAttachment, MinutesTopic, MinutesVersion, Proposal,
    ProposalOrigin, Question, Role, Subtopic, Theme, ThemePart,
)
from ...models.minutes import counted_total
from ...services import minutes as service
from ...services.minutes import MinutesData, MinutesError
from ...services.minutes_followup import followup
from ...services.question_search import theme_choices
from ...spreadsheets import csv_download, spreadsheet_csv
from ...timeutils import PARIS
from ..prefecture.loaders import visible_arrondissement, visible_department, visible_forum
from . import bp
from .forms import PartOutline, PublicationForm, ThemeOutline, UploadForm, minutes_form

#: Query parameters of the proposals' CSV and JSON.
PROPOSAL_FILTERS = ("theme", "subtopic", "origin")

#: Columns of the proposals' CSV.
PROPOSALS_CSV_HEADER = (
    "Forum", "Date du forum", "Arrondissement", "Thème", "Sous-thème", "Origine", "Proposition", "Numéro du forum",
)


# --- loading and checking --------------------------------------------------------------------------

def minutes_options():
    """Return the loader options of a forum's minutes page, for a query count independent of its size."""
    minutes = joinedload(Forum.minutes)
    return (
        joinedload(Forum.department), joinedload(Forum.consultation), joinedload(Forum.arrondissement),
        minutes.selectinload(Minutes.topics).joinedload(MinutesTopic.subtopic).joinedload(Subtopic.part)
        .joinedload(ThemePart.theme),
        minutes.selectinload(Minutes.proposals).joinedload(Proposal.theme),
        minutes.selectinload(Minutes.proposals).joinedload(Proposal.subtopic),
        minutes.selectinload(Minutes.versions).joinedload(MinutesVersion.saved_by),
        minutes.selectinload(Minutes.attachments).joinedload(MinutesAttachment.uploaded_by),
        minutes.joinedload(Minutes.updated_by),
    )


def _readable_forum(forum_id):
    forum = visible_forum(forum_id, *minutes_options())
    permissions.ensure_allowed(current_user, permissions.can_read_minutes(current_user, forum),
                               f"minutes.read:forum:{forum_id}")
    return forum


def _recordable_forum(forum_id):
    forum = visible_forum(forum_id, *minutes_options())
    permissions.ensure_allowed(current_user, permissions.can_record_minutes(current_user, forum),
                               f"minutes.record:forum:{forum_id}")
    return forum


def _visible_attachment(attachment_id):
    attachment = db.session.scalar(
        db.select(MinutesAttachment).where(MinutesAttachment.id == attachment_id)
        .options(joinedload(MinutesAttachment.minutes).joinedload(Minutes.forum))
    )
    permissions.ensure_visible(
        current_user,
        attachment is not None and permissions.can_see_forum(current_user, attachment.minutes.forum),
        f"minutes_attachment:{attachment_id}",
    )
    return attachment


def _followed_department(code):
    department = visible_department(code)
    permissions.ensure_allowed(current_user, permissions.can_follow_minutes(current_user, department),
                               f"minutes.follow:department:{code}")
    return department


@bp.app_template_filter("file_size")
def file_size(size):
    """Show a byte count in French: "1,5 Mo"."""
    return format_size(size)


def _agent():
    return current_user._get_current_object()


@bp.context_processor
def breadcrumb_helpers():
    """Give the blueprint's templates the link to the forum list the agent works from."""

    def forum_list_link(forum):
        if current_user.role is Role.SUBPREFECTURE:
            return ("Forums de l'arrondissement",
                    url_for("prefecture.arrondissement_forums", code=current_user.arrondissement_code))
        return (f"Forums – {forum.department.label}", url_for("prefecture.forums", code=forum.department_code))

    return {"forum_list_link": forum_list_link}


def _upload_directory():
    return current_app.config["UPLOAD_DIRECTORY"]


def _max_bytes():
    return current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024


def consultation_outline(consultation_id):
    """Return the consultation's themes, parts and sub-topics as ThemeOutline rows, in one query."""
    rows = db.session.execute(
        db.select(Theme, ThemePart, Subtopic)
        .join(ThemePart, ThemePart.theme_id == Theme.id)
        .join(Subtopic, Subtopic.part_id == ThemePart.id)
        .where(Theme.consultation_id == consultation_id)
        .order_by(Theme.position, ThemePart.position, Subtopic.position)
    ).all()
    themes = {}
    for theme, part, subtopic in rows:
        parts = themes.setdefault(theme, {})
        parts.setdefault(part, []).append(subtopic)
    return [ThemeOutline(theme, [PartOutline(part, subtopics) for part, subtopics in parts.items()])
            for theme, parts in themes.items()]


def _taken_up_questions(forum):
    return db.session.scalars(
        db.select(Question).where(Question.addressed_forum_id == forum.id)
        .options(joinedload(Question.subtopic)).order_by(Question.reference)
    ).all()


def _refusal(forum):
    """Return why the minutes of ``forum`` cannot be written now, or None."""
    return service.can_have_minutes(forum) or service.minutes_lock_reason(forum)


# --- the minutes of a forum ------------------------------------------------------------------------

@bp.get("/forums/<int:forum_id>")
@login_required
def show(forum_id):
    """Show the current minutes of a forum, its documents and versions, or how to write them."""
    return _show_page(_readable_forum(forum_id))


def _show_page(forum, upload_form=None, status=200):
    minutes = forum.minutes
    lock_reason = service.minutes_lock_reason(forum)
    can_record = permissions.can_record_minutes(current_user, forum)
    publication_form = None
    if minutes is not None and permissions.can_publish_minutes_summary(current_user, forum):
        publication_form = PublicationForm(formdata=None, show_names=minutes.summary_shows_names)
    if upload_form is None and minutes is not None and can_record and not lock_reason:
        upload_form = UploadForm(formdata=None)
    return render_template(
        "minutes/show.html", forum=forum, minutes=minutes, lock_reason=lock_reason, can_record=can_record,
        refusal=None if minutes is not None else service.can_have_minutes(forum),
        topic_groups=topic_groups(minutes) if minutes else [],
        questions=_taken_up_questions(forum) if minutes else [],
        upload_form=upload_form, publication_form=publication_form, max_size=format_size(_max_bytes()),
    ), status


@bp.route("/forums/<int:forum_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(forum_id):
    """Write or update the minutes of a forum that has taken place."""
    forum = _recordable_forum(forum_id)
    refusal = _refusal(forum)
    if refusal:
        return render_error(409, refusal)
    form = minutes_form(consultation_outline(forum.consultation_id), service.taken_up_candidates(forum))
    if not form.is_submitted():
        form.based_on.data = str(forum.minutes.version_number if forum.minutes is not None else 0)
        if forum.minutes is not None:
            form.fill(MinutesData.from_minutes(forum.minutes))
        else:
            form.add_proposal_rows()
    elif form.wants_more_rows():
        form.add_proposal_rows()
    elif form.validate():
        try:
            service.save_minutes(forum, form.to_data(), _agent(), based_on=form.based_on_version())
        except MinutesError as error:
            db.session.rollback()
            form.show_service_errors(error.errors)
        else:
            db.session.commit()
            flash("Le compte-rendu est enregistré.", "success")
            return redirect(url_for(".show", forum_id=forum_id))
    has_errors = bool(form.errors or form.form_errors or form.proposal_errors)
    return render_template("minutes/edit.html", forum=forum, form=form, has_errors=has_errors), (
        400 if has_errors else 200)


@bp.get("/forums/<int:forum_id>/versions/<int:number>")
@login_required
def version(forum_id, number):
    """Show a past version of the minutes, as it was saved."""
    forum = _readable_forum(forum_id)
    saved = service.version_snapshot(forum.minutes, number) if forum.minutes is not None else None
    if saved is None:
        return render_error(404, "Cette version du compte-rendu n'existe pas.")
    return render_template("minutes/version.html", forum=forum, minutes=forum.minutes, version=saved,
                           view=version_view(saved.snapshot or {}, consultation_outline(forum.consultation_id)))


class VersionView(NamedTuple):
    """A saved version of the minutes, ready to show: labels resolved, missing parts empty."""

    attendance: list
    #: None when no category was counted.
    attendance_total: int | None
    duration_minutes: int | None
    topics: list
    strengths: str
    weaknesses: str
    proposals: list
    questions: list
    notes: str
    attachments: list


def version_view(snapshot, outline):
    """Return the VersionView of a MinutesVersion snapshot; themes and sub-topics named as the consultation does."""
    themes = {theme.theme.id: theme.theme for theme in outline}
    subtopics = {subtopic.id: subtopic for theme in outline for part in theme.parts for subtopic in part.subtopics}
    counts = snapshot.get("attendance") or {}
    attendance = [(category.label, counts.get(category.value)) for category in AttendanceCategory]
    topics = []
    for topic in snapshot.get("topics") or []:
        known = subtopics.get(topic.get("subtopic_id"))
        code = topic.get("subtopic_code") or (known.code if known else "")
        title = topic.get("subtopic_title") or (known.title if known else "")
        topics.append({"title": f"{code} – {title}".strip(" –"), "concerns": topic.get("concerns") or "",
                       "answers": topic.get("answers") or ""})
    proposals = []
    for proposal in snapshot.get("proposals") or []:
        subtopic, theme = subtopics.get(proposal.get("subtopic_id")), themes.get(proposal.get("theme_id"))
        if subtopic is not None:
            topic = f"{subtopic.code} – {subtopic.title}"
        elif proposal.get("subtopic_code"):
            topic = f"{proposal['subtopic_code']} – {proposal.get('subtopic_title', '')}".strip(" –")
        elif theme is not None:
            topic = f"Thème {theme.code} – {theme.title}"
        else:
            topic = f"Thème {proposal.get('theme_code', '')} – {proposal.get('theme_title', '')}".strip(" –")
        origin = proposal.get("origin")
        label = ProposalOrigin(origin).label if origin in {value.value for value in ProposalOrigin} else origin or ""
        proposals.append({"topic": topic, "origin": label, "text": proposal.get("text") or ""})
    questions = [item.get("reference") if isinstance(item, dict) else item
                 for item in snapshot.get("questions") or snapshot.get("question_references") or []]
    kinds = {kind.value: kind.label for kind in AttachmentKind}
    attachments = [(item.get("original_name") or item.get("name") or "", kinds.get(item.get("kind"), ""))
                   for item in snapshot.get("attachments") or []]
    return VersionView(
        attendance=attendance, attendance_total=counted_total(count for _, count in attendance),
        duration_minutes=snapshot.get("duration_minutes"), topics=topics,
        strengths=snapshot.get("strengths") or "", weaknesses=snapshot.get("weaknesses") or "",
        proposals=proposals, questions=questions, notes=snapshot.get("notes") or "", attachments=attachments,
    )


# --- documents -------------------------------------------------------------------------------------

@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Refuse a request larger than MAX_CONTENT_LENGTH before reading it, with the limit in French."""
    return render_error(413, f"Le fichier dépasse la taille maximale de {format_size(_max_bytes())}. "
                             "Réduisez-le (par exemple en l'enregistrant au format PDF) puis envoyez-le de nouveau.")


@bp.post("/forums/<int:forum_id>/documents")
@login_required
def upload(forum_id):
    """Attach the signed minutes or another document."""
    forum = _recordable_forum(forum_id)
    if forum.minutes is None:
        return render_error(409, "Enregistrez d'abord le compte-rendu : les documents s'y rattachent.")
    lock_reason = service.minutes_lock_reason(forum)
    if lock_reason:
        return render_error(409, lock_reason)
    form = UploadForm()
    if not form.validate():
        return _show_page(forum, upload_form=form, status=400)
    if _upload_size(form.document.data) > _max_bytes():
        form.document.errors.append(f"Le fichier dépasse la taille maximale de {format_size(_max_bytes())}.")
        return _show_page(forum, upload_form=form, status=413)
    directory = _upload_directory()
    try:
        attachment = service.attach_document(forum.minutes, form.document.data, AttachmentKind(form.kind.data),
                                             _agent(), directory, _max_bytes())
    except MinutesError as error:
        db.session.rollback()
        form.document.errors.extend(message for messages in error.errors.values() for message in messages)
        return _show_page(_readable_forum(forum_id), upload_form=form, status=400)
    name = attachment.original_name
    try:
        db.session.commit()
    except Exception:
        # The row is not recorded: the stored file would be an orphan nobody can reach.
        db.session.rollback()
        delete_stored(directory, attachment.storage_name)
        raise
    flash(f"Le document « {name} » est joint au compte-rendu.", "success")
    return redirect(url_for(".show", forum_id=forum_id))


def _upload_size(file_storage):
    """Return the size of an upload werkzeug has already received, without reading it; 0 when unknown."""
    stream = file_storage.stream
    try:
        position = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(position)
    except (AttributeError, OSError, ValueError):
        return 0
    return size


@bp.get("/documents/<int:attachment_id>")
@login_required
def download(attachment_id):
    """Download a document of the minutes, as an attachment."""
    attachment = _visible_attachment(attachment_id)
    forum = attachment.minutes.forum
    permissions.ensure_allowed(current_user, permissions.can_read_minutes(current_user, forum),
                               f"minutes.download:attachment:{attachment_id}")
    try:
        return send_stored(_upload_directory(), attachment.storage_name, attachment.original_name,
                           attachment.mime_type)
    except ValueError:
        abort(404)


@bp.post("/documents/<int:attachment_id>/supprimer")
@login_required
def delete_document(attachment_id):
    """Remove a document from the minutes."""
    attachment = _visible_attachment(attachment_id)
    forum = attachment.minutes.forum
    permissions.ensure_allowed(current_user, permissions.can_record_minutes(current_user, forum),
                               f"minutes.delete_document:attachment:{attachment_id}")
    lock_reason = service.minutes_lock_reason(forum)
    if lock_reason:
        return render_error(409, lock_reason)
    name = attachment.original_name
    try:
        service.remove_document(attachment, _agent(), _upload_directory())
    except MinutesError as error:
        db.session.rollback()
        return render_error(409, " ".join(m for messages in error.errors.values() for m in messages))
    db.session.commit()
    flash(f"Le document « {name} » est retiré du compte-rendu.", "success")
    return redirect(url_for(".show", forum_id=forum.id))


# --- the public summary ----------------------------------------------------------------------------

@bp.post("/forums/<int:forum_id>/publication")
@login_required
def publication(forum_id):
    """Publish the public summary of the minutes on the forum's page, or withdraw it."""
    forum = visible_forum(forum_id, joinedload(Forum.minutes))
    permissions.ensure_allowed(current_user, permissions.can_publish_minutes_summary(current_user, forum),
                               f"minutes.publish:forum:{forum_id}")
    if forum.minutes is None:
        return render_error(409, "Enregistrez d'abord le compte-rendu : sa synthèse publique en est tirée.")
    form = PublicationForm()
    try:
        if form.unpublish.data:
            service.unpublish_summary(forum.minutes, _agent())
            message = "La synthèse publique est retirée de la page du forum."
        else:
            service.publish_summary(forum.minutes, _agent(), show_names=form.show_names.data)
            message = "La synthèse publique est en ligne sur la page du forum."
    except MinutesError as error:
        db.session.rollback()
        return render_error(409, " ".join(m for messages in error.errors.values() for m in messages))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".show", forum_id=forum_id))


# --- follow-up lists -------------------------------------------------------------------------------

@bp.get("/departements/<code>")
@login_required
def department_followup(code):
    """List the department's held forums without minutes, and minutes without their signed document."""
    department = _followed_department(code)
    return _followup_page(department, None)


@bp.get("/arrondissements/<code>")
@login_required
def arrondissement_followup(code):
    """List the arrondissement's held forums without minutes, and minutes without their signed document."""
    arrondissement = visible_arrondissement(code)
    permissions.ensure_allowed(
        current_user, permissions.can_follow_minutes(current_user, arrondissement.department),
        f"minutes.follow:arrondissement:{code}",
    )
    return _followup_page(arrondissement.department, arrondissement)


def _followup_page(department, arrondissement):
    consultation = Consultation.current()
    result = None
    if consultation is not None:
        result = followup(department.code, consultation.id,
                          arrondissement_code=arrondissement.code if arrondissement else None)
    return render_template("minutes/followup.html", department=department, arrondissement=arrondissement,
                           consultation=consultation, result=result)


@bp.app_template_global()
def minutes_followup_entry(department, consultation, arrondissement=None):
    """Return {"url", "without_minutes", "without_signed_document"} for a territory page, or None.

    None when the agent does not follow minutes there or no consultation is open.
    """
    if consultation is None or not permissions.can_follow_minutes(current_user, department):
        return None
    result = followup(department.code, consultation.id,
                      arrondissement_code=arrondissement.code if arrondissement else None)
    url = (url_for("minutes.arrondissement_followup", code=arrondissement.code) if arrondissement
           else url_for("minutes.department_followup", code=department.code))
    return {"url": url, "without_minutes": len(result.without_minutes),
            "without_signed_document": len(result.without_signed_document)}


@bp.app_template_global()
def forum_minutes_link(forum):
    """Return {"label", "url"} of the link to a forum's minutes for its page, or None when there is none to offer."""
    if not permissions.can_read_minutes(current_user, forum):
        return None
    if forum.minutes is not None:
        return {"label": "Compte-rendu", "url": url_for("minutes.show", forum_id=forum.id)}
    if permissions.can_record_minutes(current_user, forum) and service.can_have_minutes(forum) is None:
        return {"label": "Rédiger le compte-rendu", "url": url_for("minutes.edit", forum_id=forum.id)}
    return None


# --- proposals for agents --------------------------------------------------------------------------

class ProposalFilterError(ValueError):
    """Why the proposals' CSV or JSON cannot be answered: a French message, the parameter at fault, the status."""

    def __init__(self, message, parameter=None, status=400):
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        self.status = status


def parse_proposal_filters(args, consultation):
    """Return the keyword arguments of ``department_proposals`` given by the query string (codes, not ids)."""
    for name in args:
        if name not in PROPOSAL_FILTERS:
            raise ProposalFilterError(f"Paramètre inconnu : « {name[:50]} ». Paramètres acceptés : "
                                      + ", ".join(PROPOSAL_FILTERS) + ".", name[:50])
        if len(args.getlist(name)) > 1:
            raise ProposalFilterError(f"Le paramètre « {name} » ne peut être donné qu'une fois.", name)
    choices = theme_choices(consultation)
    filters = {}
    theme_code = args.get("theme", "").strip()
    if theme_code:
        theme = next((choice.theme for choice in choices if choice.theme.code == theme_code), None)
        if theme is None:
            codes = ", ".join(choice.theme.code for choice in choices)
            raise ProposalFilterError(f"Thème inconnu : « theme » attend le code d'un thème de la consultation "
                                      f"({codes}).", "theme")
        filters["theme_id"] = theme.id
    subtopic_code = args.get("subtopic", "").strip()
    if subtopic_code:
        owner, subtopic = next(((choice.theme, sub) for choice in choices for sub in choice.subtopics
                                if sub.code == subtopic_code), (None, None))
        if subtopic is None:
            raise ProposalFilterError("Sous-thème inconnu : « subtopic » attend le code d'un sous-thème de la "
                                      "consultation, par exemple 1.A.1.", "subtopic")
        if filters.get("theme_id", owner.id) != owner.id:
            raise ProposalFilterError(f"Le sous-thème {subtopic.code} n'appartient pas au thème {theme_code}.",
                                      "subtopic")
        filters["subtopic_id"] = subtopic.id
    origin = args.get("origin", "").strip()
    if origin:
        if origin not in {value.value for value in ProposalOrigin}:
            raise ProposalFilterError("Origine inconnue : « origin » accepte "
                                      + ", ".join(value.value for value in ProposalOrigin) + ".", "origin")
        filters["origin"] = ProposalOrigin(origin)
    return filters


def _proposals(code):
    """Return (department, consultation, proposals) for the query string; raise ProposalFilterError."""
    department = _followed_department(code)
    consultation = Consultation.current()
    if consultation is None:
        raise ProposalFilterError("Aucune consultation n'est ouverte en ce moment.", status=404)
    filters = parse_proposal_filters(request.args, consultation)
    return department, consultation, service.department_proposals(department.code, consultation.id, **filters)


@bp.get("/departements/<code>/propositions.csv")
@login_required
def department_proposals_csv(code):
    """Download the department's proposals as a spreadsheet, filtered like the JSON."""
    try:
        department, consultation, proposals = _proposals(code)
    except ProposalFilterError as error:
        return render_error(error.status, error.message)
    rows = [(
        proposal.forum.title,
        proposal.forum.starts_at.astimezone(PARIS).date().isoformat() if proposal.forum.starts_at else "",
        proposal.forum.arrondissement_code or "", f"{proposal.theme.code} – {proposal.theme.title}",
        f"{proposal.subtopic.code} – {proposal.subtopic.title}" if proposal.subtopic else "",
        proposal.origin.label, proposal.text, proposal.forum_id,
    ) for proposal in proposals]
    response = csv_download(spreadsheet_csv(PROPOSALS_CSV_HEADER, rows),
                            f"propositions-{department.code}-{consultation.slug}.csv")
    # Minutes are internal documents: no shared cache may keep them.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/departements/<code>/propositions.json")
@login_required
def proposals_api(code):
    """List the department's proposals as JSON for agents, filtered by theme, sub-topic and origin codes."""
    try:
        department, consultation, proposals = _proposals(code)
    except ProposalFilterError as error:
        body = {"status": error.status, "message": error.message}
        if error.parameter:
            body["parameter"] = error.parameter
        return jsonify(error=body), error.status
    response = jsonify({
        "department": {"code": department.code, "name": department.name},
        "consultation": consultation.slug,
        "count": len(proposals),
        "proposals": [proposal_to_dict(proposal) for proposal in proposals],
    })
    response.headers["Cache-Control"] = "private, no-store"
    return response


def proposal_to_dict(proposal):
    """Return a proposal as plain data: its forum, theme, sub-topic, origin and text."""
    forum = proposal.forum
    return {
        "id": proposal.id,
        "forum": {
            "id": forum.id, "title": forum.title,
            "starts_at": forum.starts_at.isoformat() if forum.starts_at else None,
            "arrondissement": forum.arrondissement_code,
            "minutes_url": url_for("minutes.show", forum_id=forum.id, _external=True),
        },
        "theme": {"code": proposal.theme.code, "title": proposal.theme.title},
        "subtopic": ({"code": proposal.subtopic.code, "title": proposal.subtopic.title}
                     if proposal.subtopic else None),
        "origin": {"code": proposal.origin.value, "label": proposal.origin.label},
        "text": proposal.text,
    }
