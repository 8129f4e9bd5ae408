"""Error pages in French: DSFR pages for people, JSON bodies for API clients."""
import time

from flask import jsonify, make_response, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from .applog import clean, get_logger
from .extensions import db, limiter

log = get_logger("errors")

#: Title and explanation shown for each status code.
MESSAGES = {
    400: ("Requête incorrecte", "La demande envoyée n'a pas pu être comprise. Vérifiez les informations saisies et réessayez."),
    403: ("Accès refusé", "Votre compte ne vous permet pas d'effectuer cette action."),
    404: ("Page non trouvée", "La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée."),
    405: ("Méthode non autorisée", "Cette adresse ne peut pas être utilisée de cette manière."),
    409: ("Action impossible", "Cette action n'est pas possible dans l'état actuel de la démarche."),
    413: ("Fichier trop volumineux", "Le contenu envoyé dépasse la taille autorisée."),
    429: ("Trop de tentatives", "Vous avez effectué trop de demandes en peu de temps. Patientez quelques minutes avant de réessayer."),
    500: ("Erreur inattendue", "Désolé, le service rencontre un problème. Nous travaillons à le résoudre le plus rapidement possible."),
    503: ("Service indisponible", "Le service est momentanément indisponible. Réessayez dans quelques instants."),
}

#: A rate limit's unit of time, in French: (singular, plural).
TIME_UNITS = {
    "second": ("seconde", "secondes"), "minute": ("minute", "minutes"), "hour": ("heure", "heures"),
    "day": ("jour", "jours"), "month": ("mois", "mois"), "year": ("an", "ans"),
}


def wants_json():
    """Tell whether the client is an API client rather than a browser."""
    return request.path.startswith("/api/")


def render_error(code, detail=None):
    """Return a French error response for ``code``; ``detail`` explains this particular case."""
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify(error={"status": code, "title": title, "message": detail or message}), code
    return render_template("errors/error.html", code=code, title=title, message=message, detail=detail), code


def french_rate(item):
    """Return a rate limit such as « 120 demandes par minute » or « 5 demandes en 15 minutes »."""
    singular, plural = TIME_UNITS[item.GRANULARITY.name]
    requests = f"{item.amount} demande{'s' if item.amount > 1 else ''}"
    return f"{requests} par {singular}" if item.multiples == 1 else f"{requests} en {item.multiples} {plural}"


def init_app(app):
    """Register the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.warning("CSRF refused: %s %s", request.method, request.path)
        return render_error(
            400,
            "Le formulaire a expiré ou n'a pas été envoyé depuis ce site. "
            "Rechargez la page et envoyez-le de nouveau.",
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error):
        # Flask-Limiter adds Retry-After and the X-RateLimit-* headers to this answer.
        detail = f"Limite atteinte : {french_rate(error.limit.limit)}."
        breached = limiter.current_limit
        if breached is not None:
            # As Flask-Limiter counts the Retry-After header.
            wait = max(1, int(breached.reset_at - time.time()))
            detail += f" Réessayez dans {wait} seconde{'s' if wait > 1 else ''}."
        return render_error(429, detail)

    @app.errorhandler(DataError)
    def unstorable_value(error):
        # PostgreSQL refuses some values (a NUL byte, a number out of range): the request is at fault.
        db.session.rollback()
        log.warning("value refused by the database on %s %s: %s", request.method, clean(request.path),
                    clean(error.orig))
        return render_error(400, "Une valeur envoyée ne peut pas être traitée. Vérifiez l'adresse ou le texte saisi.")

    @app.errorhandler(HTTPException)
    def http_error(error):
        detail = None
        if error.code == 400 and error.description != type(error).description:
            detail = error.description
        response = make_response(render_error(error.code or 500, detail))
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=error.original_exception)
        return render_error(500)
