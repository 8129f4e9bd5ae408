"""The ministry's reading of a departmental synthesis: the document, its downloads, and its reopening."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from synthesis.typography import department_name

from ... import permissions
from ...documents.addresses import SiteAddresses
from ...documents.bundle import department_stem
from ...documents.content import department_content
from ...documents.html import markdown_html
from ...documents.responses import department_download
from ...errors import render_error
from ...extensions import db
from ...models import Consultation, Department, SynthesisStatus
from ...services.syntheses import (
    SynthesisError, addenda, department_synthesis, forum_name, reopen_synthesis, synthesis_state,
)
from . import bp
from .synthesis_forms import ReopenForm

NOT_PREPARED = "La préfecture n'a pas encore préparé la synthèse de ce département pour cette consultation."
NOT_SUBMITTED = ("Seule une synthèse transmise au ministère peut être rouverte : celle-ci est à l'état "
                 "« {label} », la préfecture peut déjà la modifier.")


@bp.get("/departements/<code>/synthese")
def department_synthesis_page(code):
    """Show a department's synthesis as transmitted: its status, early reason, addenda, parts, figures, annexes."""
    department, consultation, synthesis = _load(code)
    content = department_content(synthesis) if synthesis is not None else None
    links = SiteAddresses(consultation)
    page = render_template(
        "ministry/department_synthesis.html", department=department, consultation=consultation,
        synthesis=synthesis, content=content, state=synthesis_state(synthesis, consultation),
        parts=[(part, markdown_html(part.markdown, links)) for part in content.parts] if content else [],
        addenda=addenda(synthesis) if synthesis is not None else [], forum_name=forum_name,
        can_reopen=(synthesis is not None and synthesis.status is SynthesisStatus.SUBMITTED
                    and permissions.can_reopen_synthesis(current_user)),
        args=consultation_args(consultation),
    )
    db.session.commit()
    return page


@bp.get("/departements/<code>/synthese/document.<any(html, odt, zip):extension>")
def department_synthesis_download(code, extension):
    """Download a department's synthesis as HTML, OpenDocument text, or the ZIP bundle with its annexes."""
    _, consultation, synthesis = _load(code)
    if synthesis is None:
        return render_error(404, NOT_PREPARED)
    response = department_download(synthesis, extension, f"{department_stem(synthesis)}-{consultation.slug}")
    db.session.commit()
    return response


@bp.route("/departements/<code>/synthese/rouvrir", methods=["GET", "POST"])
def reopen_department_synthesis(code):
    """Reopen a submitted synthesis so that the prefecture can amend it, with a reason it will read."""
    department, consultation, synthesis = _load(code)
    permissions.ensure_allowed(current_user, permissions.can_reopen_synthesis(current_user),
                               f"synthesis.reopen:department:{code}")
    if synthesis is None:
        return render_error(404, NOT_PREPARED)
    if synthesis.status is not SynthesisStatus.SUBMITTED:
        return render_error(409, NOT_SUBMITTED.format(label=synthesis_state(synthesis, consultation).label))
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            reopen_synthesis(synthesis, form.reason.data, current_user._get_current_object())
        except SynthesisError as error:
            db.session.rollback()
            form.show_service_errors(error.errors)
        else:
            db.session.commit()
            name = department_name(department.name, department.full_name)
            flash(f"La synthèse {name.of} est rouverte : la préfecture peut la modifier et la transmettre "
                  "de nouveau.", "success")
            return redirect(url_for(".department_synthesis_page", code=code, **consultation_args(consultation)))
    has_errors = bool(form.errors or form.form_errors)
    return render_template(
        "ministry/reopen.html", department=department, consultation=consultation, synthesis=synthesis,
        form=form, args=consultation_args(consultation),
    ), 400 if has_errors else 200


def _load(code):
    """Return (department, consultation, its synthesis or None): 404 for an unknown department or consultation."""
    department = db.session.get(Department, code)
    if department is None:
        abort(404)
    permissions.ensure_allowed(current_user, permissions.can_read_department_synthesis(current_user, department),
                               f"synthesis.read:department:{code}")
    slug = request.args.get("consultation", "")
    if slug:
        consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == slug))
    else:
        consultation = Consultation.current()
    if consultation is None:
        abort(404)
    return department, consultation, department_synthesis(consultation, code)


def consultation_args(consultation):
    """Return the query-string arguments that name ``consultation`` in a link: none for the current one."""
    return {} if consultation.is_current else {"consultation": consultation.slug}
