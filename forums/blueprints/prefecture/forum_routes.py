"""Routes of the prefecture blueprint for forums: lists with coverage, scheduling and the life cycle."""
from collections import Counter
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from synthesis.coverage import CANTON, COMMUNE, MIXED, Coverage

from ... import permissions
from ...extensions import db
from ...models import (
    Canton, CantonKind, Commune, Consultation, Department, Forum, ForumStatus, Role,
)
from ...services import forums as service
from ...services.coverage import department_coverage
from ...services.forums import TRANSITIONS, ForumError
from ...templating import french_datetime
from ...text import natural_key
from ...timeutils import utcnow
from . import bp
from .forum_forms import CancelForm, ForumForm, PostponeForm, show_service_errors
from .loaders import visible_arrondissement, visible_department, visible_forum

#: French names of the fields recorded in a forum's audit trail.
HISTORY_LABELS = {
    "title": "Titre", "starts_at": "Début", "ends_at": "Fin", "venue_name": "Lieu", "address": "Adresse",
    "commune_code": "Commune", "accessibility": "Accessibilité", "capacity": "Capacité",
    "animator_name": "Animateur", "animator_function": "Fonction de l'animateur",
    "description": "Présentation", "cantons": "Cantons couverts", "communes": "Communes couvertes",
    "speakers": "Intervenants", "status": "État",
}

#: Longest value shown in the history; longer texts are cut.
HISTORY_VALUE_LENGTH = 160


@bp.get("/departements/<code>/forums")
@login_required
def forums(code):
    """List a department's forums of a consultation, with its coverage."""
    return _forum_list(visible_department(code), None)


@bp.get("/arrondissements/<code>/forums")
@login_required
def arrondissement_forums(code):
    """List the forums prepared in an arrondissement, with the coverage of its cantons."""
    arrondissement = visible_arrondissement(code)
    return _forum_list(arrondissement.department, arrondissement)


@bp.route("/departements/<code>/forums/nouveau", methods=["GET", "POST"])
@login_required
def new_forum(code):
    """Create a draft forum in the department."""
    department = db.session.get(Department, code)
    permissions.ensure_visible(
        current_user,
        department is not None and (permissions.can_see_department(current_user, department)
                                    or permissions.can_plan_forums(current_user, department)),
        f"department:{code}",
    )
    permissions.ensure_allowed(current_user, permissions.can_plan_forums(current_user, department),
                               f"forum.create:department:{code}")
    consultation = Consultation.current()
    if consultation is None:
        flash("Aucune consultation n'est ouverte : un forum ne peut pas être créé.", "error")
        return redirect(_list_url(department))
    form = ForumForm()
    if not form.is_submitted() and current_user.role is Role.SUBPREFECTURE:
        form.animator_function.data = subprefect_function(current_user.arrondissement.name)
    warnings = []
    if form.is_submitted():
        forum, warnings = _save(form, department.code, consultation, None, lambda data, confirm: service.schedule_forum(
            department.code, consultation, data, _agent(), confirm_shared=confirm))
        if forum is not None:
            flash(f"Le brouillon « {forum.title} » est enregistré.", "success")
            return redirect(url_for(".forum", forum_id=forum.id))
    return _form_page(form, department, consultation, None, warnings)


@bp.get("/forums/<int:forum_id>")
@login_required
def forum(forum_id):
    """Show everything about a forum, its history and the actions the agent may take."""
    forum = visible_forum(
        forum_id,
        joinedload(Forum.department), joinedload(Forum.commune), joinedload(Forum.consultation),
        selectinload(Forum.cantons), selectinload(Forum.communes), selectinload(Forum.speakers),
        selectinload(Forum.date_changes),
    )
    can_change = permissions.can_change_forum_status(current_user, forum)
    started = forum.starts_at is not None and forum.starts_at <= utcnow()
    actions = {
        "edit": permissions.can_edit_forum(current_user, forum),
        "publish": can_change and forum.status in TRANSITIONS["publish"],
        "postpone": can_change and forum.status in TRANSITIONS["postpone"],
        "cancel": can_change and forum.status in TRANSITIONS["cancel"],
        "hold": can_change and forum.status in TRANSITIONS["hold"] and started,
        "delete": can_change and forum.status in TRANSITIONS["delete"],
    }
    return render_template("prefecture/forum.html", forum=forum, actions=actions,
                           history=history_rows(service.forum_history(forum)),
                           can_read_invitees=permissions.can_read_invitees(current_user, forum))


@bp.route("/forums/<int:forum_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_forum(forum_id):
    """Change a forum's details."""
    forum = visible_forum(forum_id)
    permissions.ensure_allowed(current_user, permissions.can_edit_forum(current_user, forum),
                               f"forum.update:forum:{forum_id}")
    form = ForumForm()
    if not form.is_submitted():
        form.fill(service.ForumData.from_forum(forum))
    warnings = []
    if form.is_submitted():
        saved, warnings = _save(form, forum.department_code, forum.consultation, forum, lambda data, confirm: (
            service.update_forum(forum, data, _agent(), confirm_shared=confirm)))
        if saved is not None:
            flash("Les modifications du forum sont enregistrées.", "success")
            return redirect(url_for(".forum", forum_id=forum_id))
    return _form_page(form, forum.department, forum.consultation, forum, warnings)


@bp.route("/forums/<int:forum_id>/publier", methods=["GET", "POST"])
@login_required
def publish_forum(forum_id):
    """Say what becomes public and ask for confirmation, then publish a complete draft."""
    forum = _forum_for_status_change(forum_id, "publish")
    if request.method == "GET":
        try:
            service.check_publishable(forum, _agent())
        except ForumError as error:
            return _refused(forum_id, error)
        return render_template("prefecture/forum_publish.html", forum=forum)
    return _apply_transition(forum_id, lambda: service.publish_forum(forum, _agent()),
                             f"Le forum « {forum.title} » est publié : il apparaît sur le site public.")


@bp.route("/forums/<int:forum_id>/reporter", methods=["GET", "POST"])
@login_required
def postpone_forum(forum_id):
    """Move a published forum to a new date, keeping the old one in its history."""
    forum = _forum_for_status_change(forum_id, "postpone")
    form = PostponeForm()
    if not form.is_submitted():
        form.fill_schedule(forum.starts_at, forum.ends_at)
    if form.validate_on_submit():
        starts_at, ends_at = form.schedule()
        try:
            service.postpone_forum(forum, starts_at, ends_at, form.reason.data or "", _agent())
        except ForumError as error:
            db.session.rollback()
            if set(error.errors) == {"__all__"}:
                return _refused(forum_id, error)
            show_service_errors(form, error.errors)
        else:
            db.session.commit()
            flash(f"Le forum est reporté au {french_datetime(starts_at)}.", "success")
            return redirect(url_for(".forum", forum_id=forum_id))
    return render_template("prefecture/forum_postpone.html", forum=forum, form=form)


@bp.route("/forums/<int:forum_id>/annuler", methods=["GET", "POST"])
@login_required
def cancel_forum(forum_id):
    """Cancel a published forum, with a reason shown to the public."""
    forum = _forum_for_status_change(forum_id, "cancel")
    form = CancelForm()
    if form.validate_on_submit():
        try:
            service.cancel_forum(forum, form.reason.data, _agent())
        except ForumError as error:
            db.session.rollback()
            if set(error.errors) == {"__all__"}:
                return _refused(forum_id, error)
            show_service_errors(form, error.errors)
        else:
            db.session.commit()
            flash("Le forum est annulé. Sa page publique reste en ligne avec le motif.", "success")
            return redirect(url_for(".forum", forum_id=forum_id))
    return render_template("prefecture/forum_cancel.html", forum=forum, form=form)


@bp.post("/forums/<int:forum_id>/tenu")
@login_required
def hold_forum(forum_id):
    """Record that a forum took place."""
    forum = _forum_for_status_change(forum_id, "hold")
    return _apply_transition(forum_id, lambda: service.mark_forum_held(forum, _agent()),
                             "Le forum est marqué comme tenu.")


@bp.post("/forums/<int:forum_id>/supprimer")
@login_required
def delete_forum(forum_id):
    """Delete a draft."""
    forum = _forum_for_status_change(forum_id, "delete")
    title, department = forum.title, forum.department
    list_url = _list_url(department)
    try:
        service.delete_forum(forum, _agent())
    except ForumError as error:
        db.session.rollback()
        return _refused(forum_id, error)
    db.session.commit()
    flash(f"Le brouillon « {title} » est supprimé.", "success")
    return redirect(list_url)


def subprefect_function(arrondissement_name):
    """Return the usual function of the animator: "Sous-préfet de l'arrondissement d'Arles"."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if arrondissement_name.startswith(article):
            return f"Sous-préfet de l'arrondissement {contracted}{arrondissement_name[len(article):]}"
    preposition = "d'" if arrondissement_name[:1].upper() in "AEIOUYÉÈÊÎÔH" else "de "
    return f"Sous-préfet de l'arrondissement {preposition}{arrondissement_name}"


def arrondissement_coverage(coverage, code):
    """Return the part of a department's Coverage that concerns one arrondissement."""
    covered = tuple(unit for unit in coverage.covered if code in unit.arrondissement_codes)
    uncovered = dict(coverage.uncovered_by_arrondissement).get(code, ())
    return Coverage(coverage.unit_kind, len(covered) + len(uncovered), covered,
                    ((code, uncovered),) if uncovered else ())


def history_rows(events):
    """Return a forum's audit events as rows for people: when, who, what, and the changed fields."""
    codes = {"commune": set(), "canton": set()}
    for event in events:
        for name, (old, new) in (event.changes or {}).items():
            kind = {"commune_code": "commune", "communes": "commune", "cantons": "canton"}.get(name)
            if kind:
                codes[kind].update(value for value in _as_list(old) + _as_list(new) if value)
    names = {}
    if codes["canton"]:
        names.update(db.session.execute(
            db.select(Canton.code, Canton.name).where(Canton.code.in_(codes["canton"]))).all())
    if codes["commune"]:
        # Communes by name and postal code, never by INSEE code.
        names.update((commune.code, commune.label) for commune in db.session.scalars(
            db.select(Commune).where(Commune.code.in_(codes["commune"]))))
    return [
        {
            "when": event.occurred_at,
            "who": (event.agent.full_name or event.agent.email) if event.agent else "système",
            "summary": event.summary,
            "changes": [(HISTORY_LABELS.get(name, name), _readable(name, old, names), _readable(name, new, names))
                        for name, (old, new) in (event.changes or {}).items()],
        }
        for event in events
    ]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _readable(name, value, names):
    if value in (None, "", []):
        return "—"
    if name == "status":
        return ForumStatus(value).label
    if name in ("starts_at", "ends_at"):
        return french_datetime(datetime.fromisoformat(value))
    if name in ("commune_code", "communes", "cantons"):
        return ", ".join(names.get(code, code) for code in _as_list(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    text = str(value)
    return text if len(text) <= HISTORY_VALUE_LENGTH else text[:HISTORY_VALUE_LENGTH - 1] + "…"


def _agent():
    return current_user._get_current_object()


def _list_url(department):
    if current_user.role is Role.SUBPREFECTURE:
        return url_for(".arrondissement_forums", code=current_user.arrondissement_code)
    return url_for(".forums", code=department.code)


def _save(form, department_code, consultation, forum, operation):
    """Return (the saved forum, []) or (None, warnings to confirm), every message next to its field."""
    if not form.validate():
        # The service checks the rest too, so that the agent sees every problem at once.
        errors, _ = service.validate_forum(form.forum_data(), department_code, consultation, _agent(), forum)
        show_service_errors(form, errors)
        return None, []
    try:
        saved = operation(form.forum_data(), form.confirm_shared.data)
    except ForumError as error:
        db.session.rollback()
        show_service_errors(form, error.errors)
        return None, error.warnings
    db.session.commit()
    return saved, []


def _forum_for_status_change(forum_id, transition):
    forum = visible_forum(forum_id)
    permissions.ensure_allowed(current_user, permissions.can_change_forum_status(current_user, forum),
                               f"forum.{transition}:forum:{forum_id}")
    return forum


def _apply_transition(forum_id, operation, success):
    try:
        operation()
    except ForumError as error:
        db.session.rollback()
        return _refused(forum_id, error)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(".forum", forum_id=forum_id))


def _refused(forum_id, error):
    for messages in error.errors.values():
        for message in messages:
            flash(message, "error")
    return redirect(url_for(".forum", forum_id=forum_id))


def _forum_list(department, arrondissement):
    slug = request.args.get("consultation")
    consultation = (db.session.scalar(db.select(Consultation).where(Consultation.slug == slug))
                    if slug else Consultation.current())
    if slug and consultation is None:
        abort(404)
    forums, coverage = [], None
    if consultation is not None:
        query = (
            db.select(Forum)
            .where(Forum.department_code == department.code, Forum.consultation_id == consultation.id)
            .options(joinedload(Forum.commune), selectinload(Forum.cantons), selectinload(Forum.communes))
            .order_by(Forum.starts_at.is_(None), Forum.starts_at, Forum.id)
        )
        if arrondissement is not None:
            query = query.where(Forum.arrondissement_code == arrondissement.code)
        forums = db.session.scalars(query).all()
        coverage = department_coverage(department.code, consultation)
        if arrondissement is not None:
            coverage = arrondissement_coverage(coverage, arrondissement.code)
    counts = Counter(forum.status for forum in forums)
    status = request.args.get("statut")
    selected = ForumStatus(status) if status in {s.value for s in ForumStatus} else None
    return render_template(
        "prefecture/forums.html",
        department=department,
        arrondissement=arrondissement,
        consultation=consultation,
        consultations=db.session.scalars(db.select(Consultation).order_by(Consultation.meetings_start_on.desc())).all(),
        forums=[forum for forum in forums if selected is None or forum.status is selected],
        counts=counts,
        total=len(forums),
        selected=selected,
        statuses=list(ForumStatus),
        coverage=coverage,
        arrondissement_names={a.code: a.name for a in department.arrondissements},
        can_plan=permissions.can_plan_forums(current_user, department),
    )


def _form_page(form, department, consultation, forum, warnings):
    unit_kind = service.department_unit_kind(department.code)
    subprefect_arrondissement = (current_user.arrondissement_code
                                 if current_user.role is Role.SUBPREFECTURE else None)
    communes = sorted(db.session.scalars(
        db.select(Commune).where(Commune.department_code == department.code)
    ).all(), key=lambda c: natural_key(c.name))
    # A city divided into municipal arrondissements is chosen by arrondissement, unless a forum has it already.
    venue_communes = [c for c in communes
                      if (subprefect_arrondissement is None or c.arrondissement_code == subprefect_arrondissement)
                      and (not c.has_municipal_arrondissements or c.code == form.commune_code.data)]
    form.commune_code.choices = [SelectChoice("", "Choisir une commune")] + [
        SelectChoice(c.code, c.label) for c in venue_communes
    ]
    names = {a.code: a.name for a in department.arrondissements}
    sections = []
    if unit_kind != COMMUNE:
        cantons = db.session.scalars(
            db.select(Canton)
            .where(Canton.department_code == department.code, Canton.kind == CantonKind.CANTON)
            .options(selectinload(Canton.arrondissements))
        ).all()
        sections.append(_unit_section(
            form.canton_codes, CANTON_HINT,
            [(c.code, f"{c.name} ({c.code})", [a.code for a in c.arrondissements], None) for c in cantons],
            names, subprefect_arrondissement))
    if unit_kind != CANTON:
        parents = {c.code: c.name for c in communes if c.has_municipal_arrondissements}
        units = [(c.code, c.label, [c.arrondissement_code] if c.arrondissement_code else [], parents.get(c.parent_code))
                 for c in communes if c.is_coverage_unit]
        if unit_kind == MIXED:
            form.commune_codes.label.text = "Communes sans canton couvertes"
        elif parents:
            form.commune_codes.label.text = "Arrondissements municipaux couverts"
        sections.append(_unit_section(form.commune_codes, COMMUNE_HINTS[unit_kind], units, names,
                                      subprefect_arrondissement))
    shown = {section["field"].name for section in sections}
    for hidden in (form.canton_codes, form.commune_codes):
        if hidden.name not in shown:
            # Its messages ("this department has no cantons") go to the alert on top.
            form.form_errors.extend(hidden.errors)
    if unit_kind == COMMUNE:
        form.confirm_shared.label.text = "Je confirme : plusieurs forums couvriront ces communes"
    return render_template(
        "prefecture/forum_form.html",
        form=form, department=department, consultation=consultation, forum=forum, warnings=warnings,
        unit_kind=unit_kind, unit_sections=sections,
    )


#: Hints above the checkboxes of the covered territory.
CANTON_HINT = ("Un forum peut regrouper plusieurs cantons. Un canton qui s'étend sur plusieurs arrondissements "
               "est rangé sous le premier ; les autres sont indiqués.")
COMMUNE_HINTS = {
    COMMUNE: "Ce département n'a pas de cantons : cochez les communes couvertes, ou les arrondissements "
             "municipaux d'une ville qui en a.",
    MIXED: "Ces communes ne font partie d'aucun canton : cochez celles que le forum couvre ; une ville divisée "
           "en arrondissements municipaux l'est arrondissement par arrondissement.",
}


def _unit_section(field, hint, units, arrondissement_names, only_arrondissement):
    """Return one block of checkboxes: its field, hint and groups of (code, label, other arrondissements).

    Units are (code, label, arrondissement codes, parent city name or None). The arrondissements of
    a city are grouped under it; other units under the first arrondissement they touch, the others
    named. A sub-prefecture sees its own arrondissement's units, and any already chosen.
    """
    selected = set(field.data or [])
    groups = {}
    for code, label, codes, city in sorted(units, key=lambda unit: natural_key(unit[1])):
        codes = sorted(codes)
        if only_arrondissement is not None and only_arrondissement not in codes and code not in selected:
            continue
        home = only_arrondissement if only_arrondissement in codes else (codes[0] if codes else None)
        if city is not None:
            title, others = f"{city} : arrondissements municipaux", []
        else:
            title = f"Arrondissement {arrondissement_names.get(home, home)}" if home else "Hors arrondissement"
            others = [arrondissement_names.get(other, other) for other in codes if other != home]
        # Arrondissements in code order, units outside any last, then the cities' own arrondissements.
        groups.setdefault((city is not None, not home, home or "", title), []).append((code, label, others))
    return {"field": field, "hint": hint, "selected": selected,
            "groups": [(title, members) for (_, _, _, title), members in sorted(groups.items())]}
