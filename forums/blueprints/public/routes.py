"""Routes of the public blueprint."""
from flask import render_template, request

from ...public_cache import cacheable
from ...services.agenda import national_counters
from ...services.consultations import load_current_consultation
from ...services.home import department_choices, next_forums
from ...services.public import current_consultation
from . import bp


@bp.get("/")
@cacheable(params=("departement",))
def home():
    """Show first the forum search and the next forums (nationally or in the chosen department), then the figures."""
    consultation = current_consultation()
    departments = department_choices()
    chosen = request.args.get("departement", "").strip()
    department = next(((code, name) for code, name in departments if code == chosen), None)
    forums = next_forums(consultation, department[0] if department else None) if consultation else []
    counters = national_counters(consultation) if consultation else None
    return render_template(
        "public/home.html", consultation=consultation, counters=counters, forums=forums,
        departments=departments, department=department, unknown_department=bool(chosen) and department is None,
    )


@bp.get("/themes")
@cacheable
def themes():
    """Show the current consultation's themes: key messages, parts and sub-topics."""
    return render_template("public/themes.html", consultation=load_current_consultation())


@bp.get("/mentions-legales")
def legal_notice():
    """Show the legal notice: publisher, host, intellectual property."""
    return render_template("public/mentions_legales.html")


@bp.get("/donnees-personnelles")
def personal_data():
    """Show how personal data is processed and how to exercise one's rights."""
    return render_template("public/donnees_personnelles.html")


@bp.get("/accessibilite")
def accessibility():
    """Show the accessibility statement in the RGAA form."""
    return render_template("public/accessibilite.html")


@bp.get("/gestion-des-cookies")
def cookies():
    """Show which cookies the site sets and why no consent is asked."""
    return render_template("public/gestion_des_cookies.html")


@bp.get("/plan-du-site")
def site_map():
    """Show the map of the public site."""
    return render_template("public/plan_du_site.html")
