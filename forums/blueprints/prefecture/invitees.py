"""Routes of the prefecture blueprint for a forum's named invitees."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ... import permissions
from ...extensions import db
from ...models import Invitee, InviteeQuality
from ...services import invitees as service
from ...services.invitees import InviteeError, InviteeImportError
from ...spreadsheets import csv_download
from . import bp
from .invitee_forms import InviteeForm, InviteeImportForm
from .loaders import visible_forum

#: Import errors shown at most; the count of the others is given.
SHOWN_IMPORT_ERRORS = 50


@bp.get("/forums/<int:forum_id>/invites")
@login_required
def invitees(forum_id):
    """List a forum's invitees, with the forms to add, import and tick attendance."""
    forum = _readable_forum(forum_id)
    return _list_page(forum)


@bp.post("/forums/<int:forum_id>/invites")
@login_required
def add_invitee(forum_id):
    """Add one invitee to a forum."""
    forum = _readable_forum(forum_id)
    _ensure_can_manage(forum, "invitee.add")
    form = InviteeForm()
    if form.validate_on_submit():
        try:
            invitee = service.add_invitee(forum, _form_data(form),
                                          by=current_user._get_current_object())
        except InviteeError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(f"{invitee.full_name} a été ajouté aux invités.", "success")
            return redirect(url_for(".invitees", forum_id=forum.id))
    return _list_page(forum, form=form)


@bp.route("/forums/<int:forum_id>/invites/<int:invitee_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_invitee(forum_id, invitee_id):
    """Change an invitee's name, quality, organisation or e-mail."""
    forum, invitee = _forum_and_invitee(forum_id, invitee_id)
    _ensure_can_manage(forum, "invitee.update")
    form = InviteeForm(obj=invitee)
    if form.validate_on_submit():
        try:
            changes = service.update_invitee(invitee, _form_data(form),
                                             by=current_user._get_current_object())
        except InviteeError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            if changes:
                flash(f"Les informations de {invitee.full_name} ont été modifiées.", "success")
            else:
                flash(f"Aucune modification pour {invitee.full_name}.", "info")
            return redirect(url_for(".invitees", forum_id=forum.id))
    return render_template("prefecture/invitee_form.html", forum=forum, invitee=invitee, form=form)


@bp.post("/forums/<int:forum_id>/invites/<int:invitee_id>/supprimer")
@login_required
def remove_invitee(forum_id, invitee_id):
    """Remove an invitee from a forum."""
    forum, invitee = _forum_and_invitee(forum_id, invitee_id)
    _ensure_can_manage(forum, "invitee.remove")
    name = invitee.full_name
    service.remove_invitee(invitee, by=current_user._get_current_object())
    db.session.commit()
    flash(f"{name} a été retiré des invités.", "success")
    return redirect(url_for(".invitees", forum_id=forum.id))


@bp.post("/forums/<int:forum_id>/invites/import")
@login_required
def import_invitees(forum_id):
    """Add every invitee of a CSV file, or none if any line is wrong."""
    forum = _readable_forum(forum_id)
    _ensure_can_manage(forum, "invitee.import")
    import_form = InviteeImportForm()
    if not import_form.validate_on_submit():
        return _list_page(forum, import_form=import_form)
    try:
        added = service.import_invitees_csv(forum, import_form.file.data.stream,
                                    by=current_user._get_current_object())
    except InviteeImportError as error:
        db.session.rollback()
        return _list_page(forum, import_form=import_form, import_error=error)
    db.session.commit()
    count = len(added)
    flash(f"{count} invité{'s' if count > 1 else ''} importé{'s' if count > 1 else ''}.", "success")
    return redirect(url_for(".invitees", forum_id=forum.id))


@bp.get("/forums/<int:forum_id>/invites.csv")
@login_required
def export_invitees(forum_id):
    """Download a forum's invitees as CSV, for a mail merge."""
    forum = _readable_forum(forum_id)
    return csv_download(service.export_invitees_csv(forum), f"invites-forum-{forum.id}.csv", personal_data=True)


@bp.post("/forums/<int:forum_id>/invites/presence")
@login_required
def record_attendance(forum_id):
    """Record who came to a forum: ticked invitees were present, the others absent."""
    forum = _readable_forum(forum_id)
    _ensure_can_manage(forum, "invitee.attendance")
    try:
        attended_ids = {int(value) for value in request.form.getlist("attended")}
    except ValueError:
        abort(400, description="Case de présence invalide : rechargez la page et cochez de nouveau.")
    try:
        service.record_attendance(forum, attended_ids, by=current_user._get_current_object())
    except InviteeError as error:
        db.session.rollback()
        abort(400, description=error.message)
    db.session.commit()
    present = len(attended_ids)
    flash(f"Présence enregistrée : {present} présent{'s' if present > 1 else ''}.", "success")
    return redirect(url_for(".invitees", forum_id=forum.id))


def _forum_and_invitee(forum_id, invitee_id):
    forum = _readable_forum(forum_id)
    invitee = db.session.get(Invitee, invitee_id)
    if invitee is None or invitee.forum_id != forum.id:
        abort(404)
    return forum, invitee


def _readable_forum(forum_id):
    """Return the forum if the agent may read its invitees: 404 out of territory, 403 for administrators."""
    forum = visible_forum(forum_id)
    permissions.ensure_allowed(current_user, permissions.can_read_invitees(current_user, forum),
                               f"invitee.read:forum:{forum_id}")
    return forum


def _ensure_can_manage(forum, action):
    permissions.ensure_allowed(
        current_user, permissions.can_manage_invitees(current_user, forum), f"{action}:forum:{forum.id}"
    )


def _form_data(form):
    return {"full_name": form.full_name.data, "quality": form.quality.data,
            "organisation": form.organisation.data, "email": form.email.data}


def _show_errors(form, error):
    # The service names the fields at fault, so each message lands next to its field.
    db.session.rollback()
    for field, message in error.errors.items():
        form[field].errors.append(message)


def _list_page(forum, form=None, import_form=None, import_error=None):
    invitees = service.sorted_invitees(
        db.session.scalars(db.select(Invitee).where(Invitee.forum_id == forum.id)).all()
    )
    return render_template(
        "prefecture/invitees.html",
        forum=forum,
        invitees=invitees,
        can_manage=permissions.can_manage_invitees(current_user, forum),
        started=service.has_started(forum),
        form=form or InviteeForm(formdata=None),
        import_form=import_form or InviteeImportForm(formdata=None),
        import_error=import_error,
        shown_errors=SHOWN_IMPORT_ERRORS,
        qualities=list(InviteeQuality),
        max_megabytes=service.IMPORT_MAX_BYTES // 1024 // 1024,
        max_rows=service.IMPORT_MAX_ROWS,
    )

