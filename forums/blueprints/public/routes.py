"""Routes of the public blueprint."""
from flask import render_template

from ...public_cache import cacheable
from ...services.agenda import national_counters
from ...services.consultations import load_current_consultation
from . import bp


@bp.get("/")
@cacheable
def home():
    """Show the current consultation: its dates, national figures, themes, parts and sub-topics."""
    consultation = load_current_consultation()
    counters = national_counters(consultation) if consultation else None
    return render_template("public/home.html", consultation=consultation, counters=counters)


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
