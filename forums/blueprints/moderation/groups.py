"""Routes of the moderation blueprint that clear the queue by groups: the groups page and its decisions.

Same steps as every moderation view (load the department in the agent's scope, ask the policy,
call the service, commit once); the grouping and the decisions live in services/moderation_groups.py.
"""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ... import permissions
from ...extensions import db
from ...models import Consultation, RejectionReason
from ...services import moderation_groups as service
from ...services.mail import send_mails
from ...services.moderation import ModerationError
from . import bp
from .forms import GroupDecisionForm
from .routes import _agent, _department_to_moderate, _readable_department, _show_error

#: Fields the moderator fills in, whose refusals are shown next to them; the others are sent by the page.
_TYPED_FIELDS = ("reason", "note")


def group_form_prefix(question_id):
    """Return the prefix of the decision form of the group shown by ``question_id``: ids stay unique on the page."""
    return f"groupe-{question_id}"


@bp.get("/departements/<code>/groupes")
@login_required
def groups(code):
    """Show the first groups of the department's queue: repeats, near repeats, very short texts."""
    return _groups_page(_readable_department(code))


@bp.post("/departements/<code>/groupes/<int:question_id>")
@login_required
def decide_group(code, question_id):
    """Take one decision for every question of the group that ``question_id`` represents: all of them, or none."""
    department = _department_to_moderate(code, "group")
    form = GroupDecisionForm(prefix=group_form_prefix(question_id))
    if not form.validate():
        return _groups_page(department, {question_id: form}, 400, "La demande envoyée n'est pas valide : "
                                                               "rechargez la page des groupes.")
    try:
        decision = service.decide_group(department.code, form.question_ids.data, form.action.data, _agent(),
                                        keep_id=form.keep.data, original_id=form.original.data,
                                        reason=form.reason.data or None, note=form.note.data or "")
    except ModerationError as error:
        db.session.rollback()
        if error.field is not None and error.field not in _TYPED_FIELDS:
            return _groups_page(department, {question_id: form}, 400, error.message)
        return _groups_page(department, {question_id: form}, *_show_error(form, error))
    db.session.commit()
    if decision.mails:
        send_mails(decision.mails)
    flash(_summary(decision), "success")
    return redirect(url_for(".groups", code=department.code), 303)


def _summary(decision):
    count = len(decision.questions)
    plural = "s" if count > 1 else ""
    if decision.action == "publish":
        others = count - 1
        said = f"Question {decision.kept.reference} publiée"
        if others:
            said += f" ; {others} autre{'s' if others > 1 else ''} regroupée{'s' if others > 1 else ''} avec elle"
    elif decision.action == "merge":
        said = f"{count} question{plural} regroupée{plural} avec la question {decision.kept.reference}"
    else:
        reason = RejectionReason(decision.questions[0].rejection_reason).label
        said = f"{count} question{plural} refusée{plural} : {reason}"
    told = len(decision.mails)
    if told:
        said += f". {told} citoyen{'s' if told > 1 else ''} prévenu{'s' if told > 1 else ''} par courriel"
    return said + "."


def _groups_page(department, forms=None, status=200, error=None):
    page = service.pending_groups(department.code)
    forms = forms or {}
    decision_forms = {
        group.representative.id: forms.get(group.representative.id)
        or GroupDecisionForm(formdata=None, prefix=group_form_prefix(group.representative.id))
        for group in page.groups
    }
    return render_template(
        "moderation/groups.html",
        department=department,
        consultation=Consultation.current(),
        page=page,
        forms=decision_forms,
        can_decide=permissions.can_moderate_questions(current_user, department),
        error=error,
    ), status
