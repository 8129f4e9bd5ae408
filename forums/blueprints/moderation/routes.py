"""Routes of the moderation blueprint: the department's queue, its questions, decisions and answers.

Every view loads its objects scoped to the agent's territory (out of scope: 404), asks the policy
module (reading: moderators, the prefecture and the ministry; deciding: moderators and the
prefecture; otherwise 403), calls the moderation service and commits once.
"""
import re
from datetime import datetime
from difflib import SequenceMatcher

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ... import permissions
from ...extensions import db
from ...models import Consultation, Forum, ForumStatus, Question, QuestionStatus, RejectionReason, Theme
from ...services import duplicates
from ...services import moderation as service
from ...services import moderation_throughput
from ...services.mail import send_mails
from ...services.moderation import ModerationError
from ...templating import french_date
from ...timeutils import utcnow
from ..prefecture.loaders import visible_department
from . import bp
from .forms import (
    AWAITING_ANSWER, DEPARTMENT_TARGET, AddressedForm, AnswerForm, BulkDecisionForm, DisplayNameForm, MergeForm,
    PublicTextForm, QuestionListFiltersForm, QueueFiltersForm, RejectForm,
)

#: French names of the fields recorded in a question's audit trail.
HISTORY_LABELS = {
    "status": "État", "rejection_reason": "Motif", "rejection_note": "Précision", "public_text": "Texte public",
    "merged_into": "Regroupée avec", "support_count": "Soutiens", "answer_text": "Réponse",
    "addressed_forum": "Abordée lors du forum", "display_name": "Nom affiché",
}
#: Longest value shown in the history; longer texts are cut.
HISTORY_VALUE_LENGTH = 300

#: The action forms of the question page, each with its prefix (so that field ids stay unique).
ACTION_FORMS = {
    "reject": RejectForm, "edit": PublicTextForm, "merge": MergeForm, "answer": AnswerForm,
    "addressed": AddressedForm, "display_name": DisplayNameForm,
}

_TOKENS = re.compile(r"\s+|\S+")


@bp.app_template_filter("waiting_time")
def waiting_time(value, now=None):
    """Return how long ago ``value`` (a datetime or a timedelta) was, in French: "3 jours"."""
    delta = (now or utcnow()) - value if isinstance(value, datetime) else value
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return "moins d'une heure"
    if hours < 24:
        return f"{hours} heure{'s' if hours > 1 else ''}"
    return f"{delta.days} jour{'s' if delta.days > 1 else ''}"


@bp.get("/")
@login_required
def index():
    """Send a moderator or prefecture agent to their department's queue."""
    department_code = current_user.department_code
    permissions.ensure_allowed(
        current_user, department_code is not None and permissions.can_moderate_questions(current_user, department_code),
        "moderation.index",
    )
    return redirect(url_for(".queue", code=department_code))


@bp.get("/departements/<code>")
@login_required
def queue(code):
    """List the department's questions awaiting moderation, oldest first, with the likely duplicates."""
    department = _readable_department(code)
    return _queue_page(department, BulkDecisionForm(formdata=None))


@bp.post("/departements/<code>/decisions")
@login_required
def bulk(code):
    """Approve or reject the questions ticked in the queue, all or none."""
    department = _department_to_moderate(code, "bulk")
    form = BulkDecisionForm()
    if not form.validate():
        return _queue_page(department, form, 422)
    if not all(value.isdigit() for value in form.question_ids.data):
        abort(400, description="La sélection envoyée n'est pas valide : rechargez la file de modération.")
    ids = {int(value) for value in form.question_ids.data}
    questions = db.session.scalars(
        select(Question).where(Question.id.in_(ids), Question.department_code == department.code)
        .order_by(Question.submitted_at, Question.id)
    ).all()
    if len(questions) != len(ids):
        # Unknown and foreign ids read the same: nothing leaks about other departments.
        abort(400, description="Certaines questions sélectionnées sont introuvables dans ce département : "
                               "rechargez la file de modération.")
    try:
        count = service.bulk_decide(questions, form.action.data, _agent(), reason=form.reason.data or None,
                                    note=form.note.data or "")
    except ModerationError as error:
        db.session.rollback()
        return _queue_page(department, form, *_show_error(form, error))
    db.session.commit()
    done = "publiée" if form.action.data == "approve" else "refusée"
    plural = "s" if count > 1 else ""
    flash(f"{count} question{plural} {done}{plural}.", "success")
    return redirect(url_for(".queue", code=department.code, **_kept_filters()), 303)


@bp.get("/departements/<code>/questions")
@login_required
def questions(code):
    """List all the department's questions of the current consultation, newest first, by state."""
    department = _readable_department(code)
    filters = QuestionListFiltersForm(formdata=request.args)
    if not filters.validate():
        abort(400, description=f"Filtre incorrect. {filters.problems()}")
    chosen = filters.statut.data
    status = QuestionStatus(chosen) if chosen and chosen != AWAITING_ANSWER else None
    options = {"status": status, "awaiting_answer": chosen == AWAITING_ANSWER, "reference": filters.reference.data}
    page = service.department_questions(department.code, page=filters.page.data or 1, **options)
    if page.pages and page.page > page.pages:
        page = service.department_questions(department.code, page=page.pages, **options)
    return render_template("moderation/questions.html", department=department, page=page, filters=filters,
                           args=dict(filters.query_args(), code=department.code),
                           consultation=Consultation.current())


@bp.get("/questions/<int:question_id>")
@login_required
def question(question_id):
    """Show a question, its texts, its history and the actions the agent may take."""
    question = _readable_question(question_id)
    return _question_page(question)


@bp.post("/questions/<int:question_id>/publier")
@login_required
def approve(question_id):
    """Publish a pending question."""
    question = _question_to_moderate(question_id, "approve")
    return _act(question, None, None, lambda: service.approve(question, _agent()),
                f"La question {question.reference} est publiée : elle apparaît sur le site.")


@bp.post("/questions/<int:question_id>/refuser")
@login_required
def reject(question_id):
    """Refuse a pending question, or withdraw a published one, with a reason of the charter."""
    question = _question_to_moderate(question_id, "reject")
    form = RejectForm(prefix="reject")
    if not form.validate():
        return _question_page(question, {"reject": form}, 422)
    original = None
    reference = (form.original.data or "").strip()
    if reference:
        original = service.question_by_reference(question.department_code, reference)
        if original is None:
            form.original.errors.append(f"Aucune question de ce département ne porte la référence « {reference} ».")
            return _question_page(question, {"reject": form}, 422)
    withdrawn = question.status is QuestionStatus.PUBLISHED
    success = (f"La question {question.reference} est retirée du site." if withdrawn
               else f"La question {question.reference} ne sera pas publiée.")
    return _act(question, "reject", form, lambda: service.reject(
        question, form.reason.data, form.note.data, _agent(), original=original), success)


@bp.post("/questions/<int:question_id>/texte-public")
@login_required
def edit(question_id):
    """Replace the text shown to the public; the citizen's text is kept."""
    question = _question_to_moderate(question_id, "edit")
    form = PublicTextForm(prefix="edit")
    if not form.validate():
        return _question_page(question, {"edit": form}, 422)
    return _act(question, "edit", form, lambda: service.edit_public_text(question, form.public_text.data, _agent()),
                "Le texte public est modifié ; le texte d'origine reste conservé.")


@bp.post("/questions/<int:question_id>/nom-affiche")
@login_required
def display_name(question_id):
    """Replace or remove the name the citizen chose to show; the journal records the change, not the names."""
    question = _question_to_moderate(question_id, "edit_display_name")
    form = DisplayNameForm(prefix="display_name")
    if not form.validate():
        return _question_page(question, {"display_name": form}, 422)
    return _act(question, "display_name", form,
                lambda: service.edit_display_name(question, form.display_name.data, _agent()),
                "Le nom affiché est modifié.")


@bp.post("/questions/<int:question_id>/regrouper")
@login_required
def merge(question_id):
    """Merge the question into the earlier question it repeats."""
    question = _question_to_moderate(question_id, "merge")
    form = MergeForm(prefix="merge")
    if not form.validate():
        return _question_page(question, {"merge": form}, 422)
    original = service.question_by_reference(question.department_code, form.original.data)
    reference = original.reference if original is not None else ""
    return _act(question, "merge", form, lambda: service.merge(question, original, _agent()),
                f"La question {question.reference} est regroupée avec la question {reference} : "
                "ses soutiens l'ont rejointe.")


@bp.post("/questions/<int:question_id>/reponse")
@login_required
def answer(question_id):
    """Publish or correct the prefecture's answer, or show a preview of it."""
    question = _question_to_moderate(question_id, "answer")
    form = AnswerForm(prefix="answer")
    if not form.validate():
        return _question_page(question, {"answer": form}, 422)
    if form.preview.data:
        return _question_page(question, {"answer": form}, preview=form.answer.data)
    first = question.answered_at is None
    return _act(question, "answer", form, lambda: service.answer(question, form.answer.data, _agent()),
                "La réponse est publiée." if first else "La réponse est corrigée.", notifies=True)


@bp.post("/questions/<int:question_id>/forum")
@login_required
def addressed(question_id):
    """Record the forum at which the question was taken up."""
    question = _question_to_moderate(question_id, "address")
    form = AddressedForm(prefix="addressed")
    if not form.validate():
        return _question_page(question, {"addressed": form}, 422)
    value = form.forum.data
    forum = db.session.get(Forum, int(value)) if value.isdigit() else None
    return _act(question, "addressed", form, lambda: service.mark_addressed(question, forum, _agent()),
                "La question est marquée comme abordée lors du forum.", notifies=True)


# --- helpers --------------------------------------------------------------------------------------

def _agent():
    return current_user._get_current_object()


def _readable_department(code):
    department = visible_department(code)
    permissions.ensure_allowed(current_user, permissions.can_read_moderation(current_user, department),
                               f"moderation.read:department:{code}")
    return department


def _department_to_moderate(code, action):
    department = visible_department(code)
    permissions.ensure_allowed(current_user, permissions.can_moderate_questions(current_user, department),
                               f"moderation.{action}:department:{code}")
    return department


def _visible_question(question_id):
    question = db.session.scalar(
        select(Question).where(Question.id == question_id).options(
            joinedload(Question.department), joinedload(Question.theme), joinedload(Question.subtopic),
            joinedload(Question.forum), joinedload(Question.commune), joinedload(Question.contact),
            joinedload(Question.merged_into), joinedload(Question.addressed_forum),
        )
    )
    permissions.ensure_visible(
        current_user,
        question is not None and permissions.can_see_department(current_user, question.department_code),
        f"question:{question_id}",
    )
    return question


def _readable_question(question_id):
    question = _visible_question(question_id)
    permissions.ensure_allowed(current_user, permissions.can_read_moderation(current_user, question.department_code),
                               f"moderation.read:question:{question_id}")
    return question


def _question_to_moderate(question_id, action):
    question = _visible_question(question_id)
    permissions.ensure_allowed(current_user,
                               permissions.can_moderate_questions(current_user, question.department_code),
                               f"question.{action}:question:{question_id}")
    return question


def _act(question, name, form, operation, success, notifies=False):
    """Run a decision; on success commit, send the citizen's notification if any, and go back to the question.

    ``notifies`` tells that ``operation`` returns the notification it queued (or None).
    """
    try:
        result = operation()
    except ModerationError as error:
        db.session.rollback()
        forms = {name: form} if form is not None else {}
        return _question_page(question, forms, *_show_error(form, error))
    db.session.commit()
    if notifies and result is not None:
        send_mails([result])
    flash(success, "success")
    return redirect(url_for(".question", question_id=question.id), 303)


def _show_error(form, error):
    """Put the service's message next to its field; return (status, message for the page's alert)."""
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
        return 422, None
    # The question changed meanwhile (another moderator decided): a conflict, not a typing mistake.
    return 409, error.message


def _kept_filters():
    return {name: request.args[name] for name in ("theme", "forum", "page") if request.args.get(name)}


def _queue_page(department, bulk_form, status=200, error=None):
    consultation = Consultation.current()
    themes, forums = [], []
    if consultation is not None:
        themes = db.session.scalars(
            select(Theme).where(Theme.consultation_id == consultation.id).order_by(Theme.position)
        ).all()
        forums = db.session.scalars(
            select(Forum).where(Forum.department_code == department.code, Forum.consultation_id == consultation.id,
                                Forum.status != ForumStatus.DRAFT)
            .order_by(Forum.starts_at, Forum.id)
        ).all()
    filters = QueueFiltersForm(formdata=request.args)
    filters.set_choices(themes, forums, describe_forum)
    if not filters.validate():
        abort(400, description=f"Filtre incorrect. {filters.problems()}")
    theme_id = next((theme.id for theme in themes if theme.code == filters.theme.data), None)
    forum_id = (0 if filters.forum.data == DEPARTMENT_TARGET
                else int(filters.forum.data) if filters.forum.data else None)
    page_number = filters.page.data or 1
    queue = service.moderation_queue(department.code, theme_id, forum_id, page=page_number)
    if queue.pagination.pages and page_number > queue.pagination.pages:
        # After decisions empty the last page, show the page that is now the last.
        queue = service.moderation_queue(department.code, theme_id, forum_id, page=queue.pagination.pages)
    questions = [item.question for item in queue.items]
    return render_template(
        "moderation/queue.html",
        department=department,
        consultation=consultation,
        queue=queue,
        originals=duplicates.likely_originals(questions),
        short={question.id for question in questions if duplicates.is_short(question.public_text)},
        filters=filters,
        args=dict(filters.query_args(), code=department.code),
        bulk_form=bulk_form,
        selected=set(bulk_form.question_ids.data or []),
        can_decide=permissions.can_moderate_questions(current_user, department),
        pace=moderation_throughput.department_pace(department.code),
        handling_days=current_app.config["QUESTION_HANDLING_DAYS"],
        error=error,
    ), status


def _question_page(question, forms=None, status=200, error=None, preview=None):
    can_decide = permissions.can_moderate_questions(current_user, question.department_code)
    forms = {name: (forms or {}).get(name) or form_class(formdata=None, prefix=name)
             for name, form_class in ACTION_FORMS.items()}
    if not forms["edit"].public_text.data:
        forms["edit"].public_text.data = question.public_text
    if forms["display_name"].display_name.data is None and question.contact is not None:
        forms["display_name"].display_name.data = question.contact.display_name
    if not forms["answer"].answer.data:
        forms["answer"].answer.data = question.answer_text
    addressable = []
    if can_decide and question.status in service.TRANSITIONS["address"]:
        addressable = service.forums_for_addressing(question.department_code, question.consultation_id)
        forms["addressed"].set_choices(addressable, describe_forum)
    originals = duplicates.likely_originals([question]) if question.status is QuestionStatus.PENDING else {}
    if not forms["merge"].original.data and question.id in originals:
        forms["merge"].original.data = originals[question.id].reference
    actions = {name: can_decide and question.status in allowed for name, allowed in service.TRANSITIONS.items()}
    return render_template(
        "moderation/question.html",
        question=question,
        forms=forms,
        actions=actions,
        can_decide=can_decide,
        addressable=addressable,
        original=originals.get(question.id),
        short=duplicates.is_short(question.text),
        diff=text_diff(question.text, question.public_text) if question.public_text != question.text else None,
        history=history_rows(service.question_history(question)),
        next_question=service.next_pending(question) if can_decide else None,
        public_url=service.public_question_url(question) if question.is_public else None,
        reasons=list(RejectionReason),
        error=error,
        preview=preview,
    ), status


def describe_forum(forum):
    """Return how a forum is named in the selects: its title and its day, which tell apart forums of the same name."""
    return f"{forum.title} – {french_date(forum.starts_at)}" if forum.starts_at else forum.title


def text_diff(original, edited):
    """Return the change from ``original`` to ``edited`` word by word, as ("same"|"removed"|"added", text) pieces."""
    before, after = _TOKENS.findall(original), _TOKENS.findall(edited)
    pieces = []
    for operation, i1, i2, j1, j2 in SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if operation == "equal":
            pieces.append(("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(before[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(after[j1:j2])))
    return pieces


def history_rows(events):
    """Return a question's audit events as rows for people: when, who, what, and the changed fields."""
    return [
        {
            "when": event.occurred_at,
            "who": (event.agent.full_name or event.agent.email) if event.agent else "système",
            "summary": event.summary,
            "changes": [(HISTORY_LABELS.get(name, name), _readable(name, old), _readable(name, new))
                        for name, (old, new) in (event.changes or {}).items()],
        }
        for event in events
    ]


def _readable(name, value):
    if value in (None, ""):
        return "—"
    if name == "status":
        return QuestionStatus(value).label
    if name == "rejection_reason":
        return RejectionReason(value).label
    text = str(value)
    return text if len(text) <= HISTORY_VALUE_LENGTH else text[:HISTORY_VALUE_LENGTH - 1] + "…"
