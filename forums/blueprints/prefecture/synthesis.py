"""Routes of the prefecture blueprint for the departmental synthesis: overview, draft, parts, documents,
readiness and transmission, addenda.

Every view loads the department for the agents who may read its synthesis (its prefecture and
sub-prefectures, the ministry; anyone else out of the department gets 404), asks the policy
before a change (only the department's prefecture: 403 otherwise), calls an operation of
forums/services/syntheses.py and commits once. A transmitted synthesis is read-only: changes
answer 409 with the reason until the ministry reopens it; only an addendum may follow it.
"""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from synthesis.typography import count

from ... import permissions
from ...documents.addresses import SiteAddresses
from ...documents.bundle import department_stem
from ...documents.content import department_content, department_notices
from ...documents.html import markdown_html, render_html
from ...documents.responses import department_download, document_response
from ...errors import render_error
from ...extensions import db
from ...models import Consultation, Department, DepartmentSynthesis, SynthesisAnnex, SynthesisStatus
from ...services import syntheses as service
from ...services.syntheses import MissingMinutes, SynthesisError
from ...services.synthesis_content import read_texts
from ...synthesis_editing import PART_SLUGS, SECTIONS_CHANGED, SLUG_OF_PART, edit_part
from ...templating import french_date
from . import bp
from .synthesis_forms import AddendumForm, SubmitForm

NO_CONSULTATION = "Aucune consultation n'est en cours : il n'y a pas de synthèse départementale à rédiger."
NOT_PREPARED = "Le projet de synthèse de ce département n'a pas encore été préparé."
#: Why a sub-prefect gets the synthesis but not its bundle, which annexes every arrondissement's minutes.
BUNDLE_RESERVED = ("Le dossier complet annexe les comptes-rendus et documents de tous les forums du département : "
                   "il est réservé à la préfecture et au ministère. Téléchargez la synthèse seule (ODT ou HTML).")
#: Two clicks on « Préparer » at once: the database kept the first draft, the second is refused.
ALREADY_PREPARED = "Un projet de synthèse venait d'être préparé pour ce département : le voici."


@bp.context_processor
def synthesis_links():
    """Let the prefecture's pages ask whether the agent may open a department's synthesis."""
    return {"can_read_synthesis": lambda department: permissions.can_read_department_synthesis(current_user,
                                                                                                department)}


# --- loading and checking --------------------------------------------------------------------------

def _readable_department(code):
    """Return the department if the agent may read its synthesis: 404 out of territory, 403 otherwise."""
    # Codes are two or three letters and digits; anything else (a NUL byte breaks PostgreSQL) matches nothing.
    department = db.session.get(Department, code) if len(code) <= 3 and code.isalnum() else None
    permissions.ensure_visible(
        current_user,
        department is not None and (permissions.can_see_department(current_user, department)
                                    or permissions.can_read_department_synthesis(current_user, department)),
        f"department:{code}",
    )
    permissions.ensure_allowed(current_user, permissions.can_read_department_synthesis(current_user, department),
                               f"synthesis.read:department:{code}")
    return department


def _editable_department(code, action):
    """Return the department if the agent may change its synthesis: its prefecture only."""
    department = _readable_department(code)
    permissions.ensure_allowed(current_user, permissions.can_edit_department_synthesis(current_user, department),
                               f"synthesis.{action}:department:{code}")
    return department


def _stored_synthesis(consultation, code):
    """Return the department's synthesis with the agents and annexes its pages name, or None."""
    return db.session.scalar(
        db.select(DepartmentSynthesis)
        .where(DepartmentSynthesis.consultation_id == consultation.id, DepartmentSynthesis.department_code == code)
        .options(joinedload(DepartmentSynthesis.updated_by), joinedload(DepartmentSynthesis.submitted_by),
                 joinedload(DepartmentSynthesis.reopened_by), joinedload(DepartmentSynthesis.department),
                 selectinload(DepartmentSynthesis.annexes).joinedload(SynthesisAnnex.forum))
    )


def _stop(code, detail):
    """Stop the request with the French error page ``code``, explaining this case."""
    abort(make_response(render_error(code, detail)))


def _agent():
    return current_user._get_current_object()


def _overview_url(department):
    return url_for(".synthesis_overview", code=department.code)


def _current_synthesis(department):
    """Return (consultation, synthesis or None); 409 without a current consultation."""
    consultation = Consultation.current()
    if consultation is None:
        _stop(409, NO_CONSULTATION)
    return consultation, _stored_synthesis(consultation, department.code)


# --- the overview ----------------------------------------------------------------------------------

@bp.get("/departements/<code>/synthese")
@login_required
def synthesis_overview(code):
    """Show where the department's synthesis stands: status, readiness, parts, figures, annexes and actions."""
    department = _readable_department(code)
    consultation = Consultation.current()
    synthesis = _stored_synthesis(consultation, department.code) if consultation is not None else None
    can_edit = permissions.can_edit_department_synthesis(current_user, department)
    editable = can_edit and synthesis is not None and not synthesis.is_locked
    generated, refreshed = service.refreshed_generated(synthesis) if synthesis is not None else (None, False)
    if refreshed:
        # Kept now, before the page reads anything: a later commit would expire what it shows.
        db.session.commit()
    readiness = (service.readiness(synthesis, generated=generated)
                 if synthesis is not None and not synthesis.is_locked else None)
    candidates = service.addendum_candidates(synthesis) if synthesis is not None else []
    return render_template(
        "prefecture/synthesis.html",
        department=department,
        consultation=consultation,
        synthesis=synthesis,
        state=service.synthesis_state(synthesis, consultation) if consultation is not None else None,
        generated=generated,
        parts=_part_summaries(synthesis, generated) if synthesis is not None else [],
        readiness=readiness,
        notices=department_notices(synthesis) if synthesis is not None else (),
        candidates=candidates,
        addendum_form=_addendum_form(candidates) if candidates and can_edit else None,
        actions={"prepare": can_edit and consultation is not None and synthesis is None,
                 "edit": editable, "submit": editable},
        can_see_department=permissions.can_see_department(current_user, department),
        can_download_bundle=permissions.can_download_synthesis_bundle(current_user, department),
    )


def _part_summaries(synthesis, generated):
    """Return, per part, its slug, title and how many of its sections the agents wrote in."""
    texts = read_texts(synthesis)
    return [(SLUG_OF_PART[part.key], part.title,
             sum(1 for section in part.sections if texts.text(section.key)), len(part.sections))
            for part in generated.draft.parts]


# --- preparing and writing ------------------------------------------------------------------------

@bp.post("/departements/<code>/synthese/preparer")
@login_required
def prepare_synthesis(code):
    """Create the draft, its generated content computed from the department's forums, questions and minutes."""
    department = _editable_department(code, "prepare")
    consultation, _ = _current_synthesis(department)
    try:
        service.prepare_draft(consultation, department.code, _agent())
        db.session.commit()
    except SynthesisError as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(_overview_url(department))
    except IntegrityError:
        db.session.rollback()
        if service.department_synthesis(consultation, department.code) is None:
            raise
        flash(ALREADY_PREPARED, "info")
        return redirect(_overview_url(department))
    flash("Le projet de synthèse est préparé : ses trois parties sont calculées à partir des données du "
          "département et se mettront à jour d'elles-mêmes. Ajoutez votre propre texte à chaque section avant de "
          "le transmettre.", "success")
    return redirect(_overview_url(department))


def _changeable(code, action):
    """Return (department, synthesis) for a change; otherwise stop with the reason.

    No consultation: 409. No draft yet: back to the overview, which offers to prepare it.
    Transmitted: 409 until the ministry reopens it.
    """
    department = _editable_department(code, action)
    _, synthesis = _current_synthesis(department)
    if synthesis is None:
        flash(NOT_PREPARED + " Préparez-le d'abord.", "info")
        abort(redirect(_overview_url(department)))
    if synthesis.is_locked:
        _stop(409, _locked_message(synthesis))
    return department, synthesis


def _current(synthesis):
    """Return the synthesis' generated content, recomputed and kept first if the department's data changed."""
    generated, refreshed = service.refreshed_generated(synthesis)
    if refreshed:
        db.session.commit()
    return generated


def _locked_message(synthesis):
    when = f" le {french_date(synthesis.submitted_at)}" if synthesis.submitted_at else ""
    return (f"La synthèse a été transmise au ministère{when} : elle ne peut plus être modifiée. "
            "Si elle doit être corrigée, demandez au ministère de la rouvrir.")


@bp.get("/departements/<code>/synthese/modifier")
@login_required
def edit_synthesis(code):
    """Open the first part of the synthesis for writing."""
    department, _ = _changeable(code, "edit")
    return redirect(url_for(".edit_synthesis_part", code=department.code, part=next(iter(PART_SLUGS))))


@bp.route("/departements/<code>/synthese/modifier/<part>", methods=["GET", "POST"])
@login_required
def edit_synthesis_part(code, part):
    """Write the prefecture's text of one part, section by section, beside the generated blocks."""
    if part not in PART_SLUGS:
        abort(404)
    department, synthesis = _changeable(code, "edit")
    generated = _current(synthesis)
    draft_part = generated.draft.part(PART_SLUGS[part])
    links = SiteAddresses(synthesis.consultation)
    outcome = edit_part(synthesis, generated, draft_part,
                        save=lambda texts, versions: service.update_texts(synthesis, texts, versions, _agent()),
                        render_part=lambda markdown: markdown_html(markdown, links))
    if outcome.stale_form:
        _stop(400, SECTIONS_CHANGED)
    if outcome.saved:
        db.session.commit()
        flash(f"« {draft_part.title} » : votre texte est enregistré.", "success")
        return redirect(url_for(".edit_synthesis_part", code=department.code, part=part))
    return render_template(
        "prefecture/synthesis_edit.html", department=department, synthesis=synthesis,
        part_url=lambda key: url_for(".edit_synthesis_part", code=department.code, part=SLUG_OF_PART[key]),
        **outcome.page(synthesis, generated, draft_part),
    ), outcome.status


# --- documents ------------------------------------------------------------------------------------

def _readable_synthesis(code):
    """Return the synthesis for a document; a French 404 while none was prepared."""
    department = _readable_department(code)
    consultation = Consultation.current()
    synthesis = _stored_synthesis(consultation, department.code) if consultation is not None else None
    if synthesis is None:
        _stop(404, NOT_PREPARED)
    return synthesis


@bp.get("/departements/<code>/synthese/apercu")
@login_required
def preview_synthesis(code):
    """Show the print-ready document exactly as the ministry will read it."""
    synthesis = _readable_synthesis(code)
    body = render_html(department_content(synthesis), SiteAddresses(synthesis.consultation))
    db.session.commit()
    return document_response(body, "html")


@bp.get("/departements/<code>/synthese.<any(odt, html, zip):extension>")
@login_required
def download_synthesis(code, extension):
    """Download the synthesis as OpenDocument text, standalone HTML, or the ZIP bundle with its annexes."""
    synthesis = _readable_synthesis(code)
    if extension == "zip" and not permissions.can_download_synthesis_bundle(current_user, synthesis.department_code):
        permissions.log.warning("forbidden: agent=%s role=%s territory=%s action=synthesis.bundle:department:%s",
                                current_user.id, current_user.role.value, current_user.territory_code, code)
        _stop(403, BUNDLE_RESERVED)
    response = department_download(synthesis, extension, department_stem(synthesis))
    db.session.commit()
    return response


# --- transmission ---------------------------------------------------------------------------------

@bp.route("/departements/<code>/synthese/transmettre", methods=["GET", "POST"])
@login_required
def submit_synthesis(code):
    """Show what is ready and what is not, then transmit the synthesis on confirmation (and a reason, if early)."""
    department, synthesis = _changeable(code, "submit")
    generated = _current(synthesis)
    readiness = service.readiness(synthesis, generated=generated)
    form = SubmitForm()
    refusal = None
    status = 200
    if form.is_submitted():
        if form.validate() and form.check_early(readiness):
            try:
                service.submit_synthesis(synthesis, _agent(), early_reason=form.early_reason.data)
            except SynthesisError as error:
                db.session.rollback()
                refusal = error
                if "early_reason" in error.errors:
                    form.early_reason.errors = list(form.early_reason.errors) + error.errors["early_reason"]
            else:
                db.session.commit()
                flash(_submitted_message(synthesis), "warning" if synthesis.is_late else "success")
                return redirect(_overview_url(department))
        status = 409 if isinstance(refusal, MissingMinutes) else 400
        if isinstance(refusal, MissingMinutes):
            readiness = service.readiness(synthesis, generated=generated)
    return render_template(
        "prefecture/synthesis_submit.html", department=department, synthesis=synthesis, form=form,
        refusal=refusal if refusal is not None and "early_reason" not in refusal.errors else None,
        readiness=readiness, part_url=lambda slug: url_for(".edit_synthesis_part", code=department.code, part=slug),
    ), status


def _submitted_message(synthesis):
    message = ("La synthèse est transmise au ministère. Elle et les comptes-rendus qu'elle transmet sont désormais "
               "verrouillés.")
    if synthesis.is_early:
        message += (" Les comptes-rendus des forums qui restent à tenir pourront être transmis ensuite, "
                    "en complément, depuis cette page.")
    if synthesis.is_late:
        message += (f" Elle est signalée en retard : la date limite était le "
                    f"{french_date(synthesis.consultation.synthesis_due_on)}.")
    return message


def _addendum_form(candidates, formdata=None):
    form = AddendumForm(formdata=formdata)
    form.forum_ids.choices = [(forum.id, service.forum_name(forum)) for forum in candidates]
    if formdata is None:
        form.forum_ids.data = [forum.id for forum in candidates]
    return form


@bp.post("/departements/<code>/synthese/complement")
@login_required
def transmit_synthesis_addendum(code):
    """Send the ministry the minutes recorded since the transmission, as an addendum."""
    department = _editable_department(code, "addendum")
    _, synthesis = _current_synthesis(department)
    if synthesis is None:
        _stop(404, NOT_PREPARED)
    form = _addendum_form(service.addendum_candidates(synthesis), request.form)
    if not form.validate():
        _stop(400, " ".join(form.forum_ids.errors) or "Le formulaire a expiré : rechargez la page.")
    try:
        sent = service.transmit_addendum(synthesis, form.forum_ids.data, _agent())
    except SynthesisError as error:
        db.session.rollback()
        messages = [message for messages in error.errors.values() for message in messages]
        _stop(409 if synthesis.status is not SynthesisStatus.SUBMITTED else 400, " ".join(messages))
    db.session.commit()
    flash(f"Le complément est transmis au ministère ({count(len(sent), 'compte-rendu', 'comptes-rendus')}) ; "
          f"{'il est' if len(sent) == 1 else 'ils sont'} désormais verrouillé{'s' if len(sent) > 1 else ''}.",
          "success")
    return redirect(_overview_url(department))
