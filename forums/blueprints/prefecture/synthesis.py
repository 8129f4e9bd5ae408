"""Routes of the prefecture blueprint for the departmental synthesis: overview, draft, parts, documents, submission.

Every view loads the department for the agents who may read its synthesis (its prefecture and
sub-prefectures, the ministry; anyone else out of the department gets 404), asks the policy
before a change (only the department's prefecture: 403 otherwise), calls an operation of
forums/services/syntheses.py and commits once. A submitted synthesis is read-only: the changes
answer 409 with the reason until the ministry reopens it.
"""
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from synthesis.drafting import ATTENDANCE_LABELS, ORIGIN_LABELS, forum_rows
from synthesis.figures import Figures
from synthesis.records import ATTENDANCE_CATEGORIES, PROPOSAL_ORIGINS
from synthesis.typography import format_decimal, format_number

from ... import permissions
from ...documents.bundle import department_stem
from ...documents.content import department_content
from ...documents.html import render_html
from ...documents.responses import department_download, document_response
from ...errors import render_error
from ...extensions import db
from ...models import Consultation, Department, DepartmentSynthesis
from ...services import syntheses as service
from ...services.syntheses import MissingMinutes, SynthesisError
from ...templating import french_date
from . import bp
from .synthesis_forms import MARKDOWN_HINT, SubmitForm, SynthesisPartsForm, part_label

NO_CONSULTATION = "Aucune consultation n'est en cours : il n'y a pas de synthèse départementale à rédiger."
NOT_PREPARED = "Le projet de synthèse de ce département n'a pas encore été préparé."
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
    """Return the department's synthesis with the agents its pages name, or None."""
    return db.session.scalar(
        db.select(DepartmentSynthesis)
        .where(DepartmentSynthesis.consultation_id == consultation.id, DepartmentSynthesis.department_code == code)
        .options(joinedload(DepartmentSynthesis.updated_by), joinedload(DepartmentSynthesis.submitted_by),
                 joinedload(DepartmentSynthesis.reopened_by))
    )


def _stop(code, detail):
    """Stop the request with the French error page ``code``, explaining this case."""
    abort(make_response(render_error(code, detail)))


def _agent():
    return current_user._get_current_object()


def _overview_url(department):
    return url_for(".synthesis_overview", code=department.code)


# --- the overview ----------------------------------------------------------------------------------

@bp.get("/departements/<code>/synthese")
@login_required
def synthesis_overview(code):
    """Show where the department's synthesis stands: status, figures, missing minutes, annexes and actions."""
    department = _readable_department(code)
    consultation = Consultation.current()
    synthesis = _stored_synthesis(consultation, department.code) if consultation is not None else None
    can_edit = permissions.can_edit_department_synthesis(current_user, department)
    editable = can_edit and synthesis is not None and not synthesis.is_locked
    return render_template(
        "prefecture/synthesis.html",
        department=department,
        consultation=consultation,
        synthesis=synthesis,
        state=service.synthesis_state(synthesis, consultation) if consultation is not None else None,
        missing=service.held_forums_without_minutes(consultation, department.code) if consultation else [],
        figures=figure_tables(synthesis.figures) if synthesis is not None else None,
        annexes=(synthesis.figures or {}).get("annexes", []) if synthesis is not None else [],
        parts=_part_lengths(synthesis) if synthesis is not None else [],
        actions={"prepare": can_edit and consultation is not None and synthesis is None,
                 "edit": editable, "regenerate": editable, "submit": editable},
        can_see_department=permissions.can_see_department(current_user, department),
    )


def _part_lengths(synthesis):
    """Return (numbered title, length written the French way or None when empty) of each part."""
    texts = [(part_label(column), (getattr(synthesis, column) or "").strip()) for column in service.PART_KEYS]
    return [(label, format_number(len(text)) if text else None) for label, text in texts]


def figure_tables(payload):
    """Return the stored figures as the overview's tables, or None when they are missing or outdated.

    Each table is (caption, header, rows), numbers already written the French way.
    """
    try:
        figures = Figures.from_dict((payload or {}).get("figures") or {})
    except (KeyError, TypeError, ValueError):
        return None
    attendance = figures.attendance
    attendance_rows = [(ATTENDANCE_LABELS[category], format_number(attendance.by_category[category].value))
                       for category in ATTENDANCE_CATEGORIES]
    attendance_rows += [("Total", format_number(attendance.total.value)),
                        ("Moyenne par forum ayant un compte-rendu", format_decimal(attendance.average))]

    def question_row(label, counts):
        return (label, *(format_number(getattr(counts, measure).value)
                         for measure in ("received", "published", "answered", "taken_up")))

    question_rows = [question_row(f"{code} {title}", figures.questions.by_theme[code])
                     for code, title in figures.themes]
    question_rows.append(question_row("Total", figures.questions.total))
    proposals = figures.proposals
    proposal_rows = [(f"Thème {code} {title}", format_number(proposals.by_theme[code].value))
                     for code, title in figures.themes]
    proposal_rows += [(f"Origine : {ORIGIN_LABELS[origin]}", format_number(proposals.by_origin[origin].value))
                      for origin in PROPOSAL_ORIGINS]
    proposal_rows.append(("Total", format_number(proposals.total.value)))
    return [
        ("Forums et couverture", ("Indicateur", "Nombre"), forum_rows(figures)),
        ("Participation d'après les comptes-rendus", ("Catégorie", "Participants"), attendance_rows),
        ("Questions des citoyens par thème",
         ("Thème", "Reçues", "Publiées", "Avec réponse", "Reprises en forum"), question_rows),
        ("Propositions par thème et par origine", ("Thème ou origine", "Propositions"), proposal_rows),
    ]


# --- preparing, editing, regenerating -------------------------------------------------------------

@bp.post("/departements/<code>/synthese/preparer")
@login_required
def prepare_synthesis(code):
    """Create the draft, its three parts pre-filled from the department's forums, questions and minutes."""
    department = _editable_department(code, "prepare")
    consultation = Consultation.current()
    if consultation is None:
        _stop(409, NO_CONSULTATION)
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
    flash("Le projet de synthèse est préparé à partir des données du département : relisez et complétez "
          "ses trois parties avant de le transmettre.", "success")
    return redirect(_overview_url(department))


def _changeable(code, action):
    """Return (department, synthesis) for a change; otherwise stop with the reason.

    No consultation: 409. No draft yet: back to the overview, which offers to prepare it.
    Submitted: 409 until the ministry reopens it.
    """
    department = _editable_department(code, action)
    consultation = Consultation.current()
    if consultation is None:
        _stop(409, NO_CONSULTATION)
    synthesis = _stored_synthesis(consultation, department.code)
    if synthesis is None:
        flash(NOT_PREPARED + " Préparez-le d'abord.", "info")
        abort(redirect(_overview_url(department)))
    if synthesis.is_locked:
        _stop(409, _locked_message(synthesis))
    return department, synthesis


def _locked_message(synthesis):
    when = f" le {french_date(synthesis.submitted_at)}" if synthesis.submitted_at else ""
    return (f"La synthèse a été transmise au ministère{when} : elle ne peut plus être modifiée. "
            "Si elle doit être corrigée, demandez au ministère de la rouvrir.")


@bp.route("/departements/<code>/synthese/modifier", methods=["GET", "POST"])
@login_required
def edit_synthesis(code):
    """Edit the three parts of the synthesis, in Markdown."""
    department, synthesis = _changeable(code, "edit")
    form = SynthesisPartsForm()
    if not form.is_submitted():
        form.fill(synthesis)
    elif form.validate():
        try:
            service.update_parts(synthesis, form.parts(), _agent())
        except SynthesisError as error:
            db.session.rollback()
            form.show_service_errors(error.errors)
        else:
            db.session.commit()
            flash("Les trois parties de la synthèse sont enregistrées.", "success")
            return redirect(_overview_url(department))
    has_errors = bool(form.errors or form.form_errors)
    return render_template("prefecture/synthesis_edit.html", department=department, synthesis=synthesis, form=form,
                           has_errors=has_errors, markdown_hint=MARKDOWN_HINT), 400 if has_errors else 200


@bp.post("/departements/<code>/synthese/regenerer")
@login_required
def regenerate_synthesis(code):
    """Recompute the figures and the list of annexes from the current data, keeping the three texts."""
    department, synthesis = _changeable(code, "regenerate")
    service.regenerate_figures(synthesis, _agent())
    db.session.commit()
    flash("Les chiffres et la liste des annexes sont recalculés à partir des données actuelles ; "
          "le texte des trois parties est conservé.", "success")
    return redirect(_overview_url(department))


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
    return document_response(render_html(department_content(synthesis)), "html")


@bp.get("/departements/<code>/synthese.<any(odt, html, zip):extension>")
@login_required
def download_synthesis(code, extension):
    """Download the synthesis as OpenDocument text, standalone HTML, or the ZIP bundle with its annexes."""
    synthesis = _readable_synthesis(code)
    return department_download(synthesis, extension, department_stem(synthesis))


# --- submission -----------------------------------------------------------------------------------

@bp.route("/departements/<code>/synthese/transmettre", methods=["GET", "POST"])
@login_required
def submit_synthesis(code):
    """Ask for confirmation, then submit the synthesis to the ministry; refused while minutes are missing."""
    department, synthesis = _changeable(code, "submit")
    form = SubmitForm()
    refusal = None
    if form.validate_on_submit():
        try:
            service.submit_synthesis(synthesis, _agent())
        except SynthesisError as error:
            db.session.rollback()
            refusal = error
        else:
            db.session.commit()
            flash(_submitted_message(synthesis), "warning" if synthesis.is_late else "success")
            return redirect(_overview_url(department))
    missing = refusal.forums if isinstance(refusal, MissingMinutes) else service.held_forums_without_minutes(synthesis)
    status = 409 if refusal is not None else 400 if form.errors else 200
    return render_template(
        "prefecture/synthesis_submit.html", department=department, synthesis=synthesis, form=form,
        refusal=refusal, missing=missing, part_labels={column: part_label(column) for column in service.PART_KEYS},
        past_deadline=service.is_past_deadline(synthesis.consultation),
    ), status


def _submitted_message(synthesis):
    message = ("La synthèse est transmise au ministère. Elle et les comptes-rendus du département sont "
               "désormais verrouillés.")
    if synthesis.is_late:
        message += (f" Elle est signalée en retard : la date limite était le "
                    f"{french_date(synthesis.consultation.synthesis_due_on)}.")
    return message
