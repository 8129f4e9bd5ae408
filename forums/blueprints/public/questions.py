"""Asking a question, following it by its private link, and the moderation charter."""
import secrets

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_number
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from synthesis import french

from ...applog import clean, get_logger
from ...errors import render_error
from ...extensions import db, limiter
from ...models import Department, Forum, ForumStatus, OutgoingMail, Question, QuestionStatus, RejectionReason
from ...public_cache import cacheable
from ...services import questions as service
from ...services.duplicates import SHORT_TEXT_WORDS
from ...services.mail import external_url, send_mails
from ...services.public import current_consultation, public_forum
from ...services.questions import NeedsConfirmation, QuestionError, ReplayedSubmission
from ...templating import french_date, french_datetime
from ...timeutils import PARIS
from . import bp, question_page_cache
from .question_forms import DepartmentChoiceForm, QuestionForm, new_nonce, parse_id, show_service_errors

log = get_logger("questions")

#: Headers of the private follow-up page: never stored by a cache, indexed, or sent on as a referrer.
PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


def question_rate_limit():
    """Return the submission limit of the running app."""
    return current_app.config["QUESTION_RATE_LIMIT"]


@bp.route("/questions/poser", methods=["GET", "POST"])
@limiter.limit(question_rate_limit, methods=["POST"])
def ask_question():
    """Show the question form (for a forum, a department, or after choosing one) and receive it."""
    page_key = question_page_cache.page_key()
    page = question_page_cache.cached_page(page_key, new_nonce)
    if page is not None:
        return page
    if request.method == "POST":
        return _receive()
    consultation = current_consultation()
    if consultation is None:
        return _render("public/question_form.html", consultation=None)
    notice = None
    forum = None
    if "forum" in request.args:
        forum = _requested_forum(request.args["forum"], consultation)
        department = forum.department
        if not service.forum_accepts_questions(forum):
            notice = _closed_forum_notice(forum)
            forum = None
    elif "departement" in request.args:
        code = request.args["departement"].strip()
        if not code:
            return _department_step(consultation, error="Choisissez votre département.")
        department = db.session.get(Department, code) if len(code) <= 3 else None
        if department is None:
            return render_error(404, "Aucun département ne correspond à cette adresse. Choisissez votre "
                                     "département dans la liste de la page « Poser une question ».")
    else:
        return _department_step(consultation)
    form = QuestionForm()
    form.department_code.data = department.code
    form.forum_id.data = str(forum.id) if forum else ""
    form.new_nonce()
    page = _form_page(form, consultation, department, notice=notice)
    question_page_cache.store_page(page_key, page, form.nonce.data)
    return page


@bp.get("/questions/suivi/<token>")
def question_followup(token):
    """Show the citizen, by their private link, where their question stands."""
    question = service.question_for_token(
        token, joinedload(Question.theme), joinedload(Question.subtopic), joinedload(Question.department),
        joinedload(Question.forum).joinedload(Forum.commune), joinedload(Question.contact),
        joinedload(Question.addressed_forum), selectinload(Question.merged_into),
    )
    if question is None and request.args.get("nouvelle") == "1":
        # Where a robot that filled the honeypot is sent: thanked, as a person would be.
        response = current_app.make_response(_render("public/question_received.html"))
    elif question is None:
        response = current_app.make_response(render_error(
            404, "Ce lien de suivi ne correspond à aucune question. Vérifiez que vous avez copié l'adresse "
                 "complète, telle qu'elle figure dans l'accusé de réception."))
    else:
        response = current_app.make_response(_render(
            "public/question_followup.html",
            question=question,
            steps=service.followup_timeline(question),
            target=service.target_label(question.forum, question.department),
            followup_url=external_url("public.question_followup", token=token),
            has_email=bool(question.contact and question.contact.email),
            is_new=request.args.get("nouvelle") == "1",
            handling_days=current_app.config["QUESTION_HANDLING_DAYS"],
            QuestionStatus=QuestionStatus,
        ))
    response.headers.update(PRIVATE_HEADERS)
    return response


@bp.get("/charte-de-moderation")
@cacheable
def moderation_charter():
    """Show the public moderation charter: what is published, what is not, and why."""
    return _render(
        "public/charte_moderation.html",
        reasons=[(reason, service.REJECTION_EXPLANATIONS[reason]) for reason in RejectionReason],
        handling_days=current_app.config["QUESTION_HANDLING_DAYS"],
        min_length=service.TEXT_MIN_LENGTH,
        max_length_text=format_number(service.TEXT_MAX_LENGTH),
    )


def _receive():
    form = QuestionForm()
    code = (form.department_code.data or "").strip()
    # Read together; the sub-topic is only held, so that the service finds it in the session.
    consultation, department, subtopic = service.submission_rows(
        code if len(code) <= 3 else None, parse_id(form.subtopic_id.data))
    if consultation is None:
        return _render("public/question_form.html", consultation=None)
    if form.is_spam:
        # Answered as if accepted, a 303 to a follow-up link of the real shape, so that the robot
        # learns nothing; nothing is stored, and the link leads to the same thanks as before.
        log.warning("question honeypot filled: ip=%s department=%s", request.remote_addr,
                    clean(form.department_code.data or "", 10))
        return redirect(url_for(".question_followup", token=secrets.token_urlsafe(32), nouvelle=1), 303)
    if department is None:
        abort(400, "Le département auquel s'adresse votre question manque ou n'existe pas. "
                   "Recommencez depuis la page « Poser une question ».")
    if not form.validate():
        return _form_page(form, consultation, department)
    confirmation = None
    # A confirmation only holds for the text it was given for: an edited text is checked again.
    confirmed = bool(form.confirmed.data) and form.confirmed.data == french.fingerprint(form.text.data or "")
    try:
        question, token = service.submit_question(form.question_data(), confirmed=confirmed,
                                                  consultation=consultation)
    except QuestionError as error:
        db.session.rollback()
        show_service_errors(form, error.errors)
    except NeedsConfirmation as needed:
        db.session.rollback()
        form.confirmed.data = french.fingerprint(form.text.data or "")
        confirmation = needed
    except ReplayedSubmission as replay:
        db.session.rollback()
        log.info("question form posted again: reference=%s", replay.question.reference)
        return redirect(url_for(".question_followup", token=replay.token, nouvelle=1), 303)
    else:
        # Read before the commit expires them: reading after would load the question again.
        question_id, reference, forum_id = question.id, question.reference, question.forum_id
        db.session.commit()
        log.info("question received: reference=%s forum=%s", reference, forum_id)
        # Without an address no acknowledgement was queued: nothing to look for in the outbox.
        if (form.email.data or "").strip():
            _send_acknowledgement(question_id, reference)
        return redirect(url_for(".question_followup", token=token, nouvelle=1), 303)
    return _form_page(form, consultation, department, confirmation=confirmation)


def _send_acknowledgement(question_id, reference):
    """Try to send the question's acknowledgement now; the outbox retries it if this fails."""
    mails = db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.question_id == question_id, OutgoingMail.kind == "acknowledgement")
    ).all()
    if not mails:
        return
    try:
        send_mails(mails)
    except Exception:
        # The question is committed: whatever breaks in the mail path must not hide its reference
        # from the citizen, who would otherwise send it again. The message stays in the outbox.
        db.session.rollback()
        log.exception("acknowledgement of %s not sent now; it stays in the outbox", reference)


def _requested_forum(value, consultation):
    """Return the public forum of ``?forum=``, or answer 404."""
    forum_id = parse_id(value)
    forum = public_forum(forum_id) if forum_id is not None else None
    if forum is None or forum.consultation_id != consultation.id:
        abort(404)
    return forum


def _closed_forum_notice(forum):
    if forum.status is ForumStatus.CANCELLED:
        return (f"Le forum « {forum.title} » est annulé. Vous pouvez adresser votre question à la préfecture "
                f"du département : elle y répondra.")
    return (f"Le forum « {forum.title} » a eu lieu le {french_date(forum.starts_at.astimezone(PARIS))}. "
            "Vous pouvez adresser votre question à la préfecture du département : elle y répondra.")


def _department_order(department):
    # "2A" and "2B" sit between "19" and "21", and overseas codes after "95", as in the agenda.
    return (len(department.code), department.code.replace("2A", "20A").replace("2B", "20B"))


def _department_step(consultation, error=None):
    departments = sorted(db.session.scalars(select(Department)).all(), key=_department_order)
    chooser = DepartmentChoiceForm()
    chooser.departement.choices = [SelectChoice("", "Choisir un département")] + [
        SelectChoice(department.code, department.label) for department in departments
    ]
    if error:
        chooser.departement.errors = [error]
    return _render("public/question_form.html", consultation=consultation, chooser=chooser)


def _form_page(form, consultation, department, notice=None, confirmation=None):
    themes = service.current_themes(consultation)
    forums = service.open_forums(consultation, department.code)
    form.theme_id.choices = [SelectChoice(str(theme.id), theme.title) for theme in themes]
    form.forum_id.choices = [SelectChoice("", f"La préfecture, sans forum particulier ({department.label})")] + [
        SelectChoice(str(forum.id), _forum_choice(forum)) for forum in forums
    ]
    # Sub-topics are rendered by the template, one group per theme; only the value is read back.
    form.subtopic_id.choices = []
    return _render(
        "public/question_form.html",
        consultation=consultation, form=form, department=department, themes=themes, notice=notice,
        confirmation=confirmation, short_words=SHORT_TEXT_WORDS,
        min_length=service.TEXT_MIN_LENGTH, max_length=service.TEXT_MAX_LENGTH,
        max_length_text=format_number(service.TEXT_MAX_LENGTH),
        max_display_name=service.DISPLAY_NAME_MAX_LENGTH,
        handling_days=current_app.config["QUESTION_HANDLING_DAYS"],
    )


def _render(template, **context):
    """Render a page of this module: each one carries the emergency notice and its link."""
    return render_template(template, pre_complaint_url=service.PRE_COMPLAINT_URL, **context)


def _forum_choice(forum):
    commune = f" – {forum.commune.name}" if forum.commune else ""
    return f"{french_datetime(forum.starts_at)}{commune} – {forum.title}"
