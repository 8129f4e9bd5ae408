"""Error pages in French: DSFR pages for people, JSON bodies for API clients."""
from flask import jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .applog import get_logger

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


def wants_json():
    """Tell whether the client is an API client rather than a browser."""
    return request.path.startswith("/api/")


def render_error(code, detail=None):
    """Return a French error response for ``code``; ``detail`` explains this particular case."""
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify(error={"status": code, "title": title, "message": detail or message}), code
    return render_template("errors/error.html", code=code, title=title, message=message, detail=detail), code


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
