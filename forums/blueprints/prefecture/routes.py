"""Routes of the prefecture blueprint: the territorial agents' back office."""
from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from ... import permissions
from ...models import Consultation, Role
from ...models.territories import (
    commune_counts_by_arrondissement,
    commune_counts_by_canton,
    department_structure,
)
from ...services.coverage import department_coverage, forums_by_canton
from ...services.moderation import pending_summary
from . import bp
from .loaders import visible_arrondissement, visible_department
from .forum_routes import arrondissement_coverage


@bp.get("/")
@login_required
def home():
    """Send the agent to the page of their own territory."""
    if current_user.role is Role.SUBPREFECTURE:
        return redirect(url_for(".arrondissement", code=current_user.arrondissement_code))
    if current_user.department_code:
        return redirect(url_for(".department", code=current_user.department_code))
    return redirect(url_for(permissions.home_endpoint(current_user)))


@bp.get("/departements/<code>")
@login_required
def department(code):
    """Show a department's arrondissements and cantons."""
    department = visible_department(code, loader=department_structure)
    consultation = Consultation.current()
    return render_template(
        "prefecture/department.html",
        department=department,
        communes_by_canton=commune_counts_by_canton(code),
        communes_by_arrondissement=commune_counts_by_arrondissement(code),
        consultation=consultation,
        coverage=department_coverage(code, consultation) if consultation else None,
        canton_forums=forums_by_canton(code, consultation) if consultation else None,
        pending=(pending_summary(code) if consultation and permissions.can_read_moderation(current_user, department)
                 else None),
    )


@bp.get("/arrondissements/<code>")
@login_required
def arrondissement(code):
    """Show the cantons an arrondissement touches."""
    arrondissement = visible_arrondissement(code)
    consultation = Consultation.current()
    coverage = None
    if consultation is not None:
        coverage = arrondissement_coverage(
            department_coverage(arrondissement.department_code, consultation), arrondissement.code
        )
    return render_template(
        "prefecture/arrondissement.html",
        arrondissement=arrondissement,
        communes_by_canton=commune_counts_by_canton(arrondissement.department_code),
        consultation=consultation,
        coverage=coverage,
        canton_forums=forums_by_canton(arrondissement.department_code, consultation) if consultation else None,
    )
