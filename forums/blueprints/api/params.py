"""Query parameters of the API, parsed strictly: each mistake is reported with the parameter's name."""
import re
from datetime import date

from ...extensions import db
from ...models import Consultation, Department, Forum, ForumStatus
from ...services.open_data import ForumFilters
from ...services.public import PUBLIC_STATUSES, current_consultation
from ...services.question_search import MAX_QUERY_LENGTH, ORDERS, theme_choices

#: Parameters of the forum lists; the CSV export takes them all but the pagination.
FILTER_PARAMETERS = ("consultation", "department", "status", "from", "to")
#: Parameters of the question list, as the public pages filter them.
QUESTION_FILTER_PARAMETERS = ("consultation", "department", "forum", "theme", "subtopic", "q", "order")
PAGINATION_PARAMETERS = ("page", "per_page")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^\d{1,9}$")
_DEPARTMENT = re.compile(r"^(?:\d{2}|2[AB]|97\d)$")
_PUBLIC_STATUS_NAMES = ", ".join(status.value for status in PUBLIC_STATUSES)


class ApiError(Exception):
    """An API answer other than 200: its status, a French message and the query parameter at fault."""

    def __init__(self, status, message, parameter=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


def check_parameters(args, allowed):
    """Refuse parameters the endpoint does not know and parameters given more than once."""
    for name in args:
        if name not in allowed:
            shown = name[:50]
            accepted = ", ".join(allowed) if allowed else "aucun"
            raise ApiError(400, f"Paramètre inconnu : « {shown} ». Paramètres acceptés : {accepted}.", shown)
        if len(args.getlist(name)) > 1:
            raise ApiError(400, f"Le paramètre « {name} » ne peut être donné qu'une fois.", name)


def parse_consultation(args):
    """Return the consultation asked for by its slug, or the current one."""
    slug = args.get("consultation", "").strip()
    if slug:
        consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == slug[:60]))
        if consultation is None:
            raise ApiError(404, "Aucune consultation ne porte cet identifiant.", "consultation")
        return consultation
    consultation = current_consultation()
    if consultation is None:
        raise ApiError(404, "Aucune consultation n'est ouverte en ce moment.")
    return consultation


def parse_forum_filters(args):
    """Return the ForumFilters given by the query string."""
    from_date = _parse_date(args, "from")
    to_date = _parse_date(args, "to")
    if from_date and to_date and to_date < from_date:
        raise ApiError(400, "La date « to » doit être égale ou postérieure à la date « from ».", "to")
    return ForumFilters(
        department_code=_parse_department(args),
        status=_parse_status(args),
        from_date=from_date,
        to_date=to_date,
    )


def parse_question_filters(args, consultation):
    """Return the keyword arguments of ``search_published`` given by the query string."""
    theme, subtopic = _parse_theme_and_subtopic(args, consultation)
    query = args.get("q", "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise ApiError(400, f"La recherche « q » ne peut dépasser {MAX_QUERY_LENGTH} caractères.", "q")
    order = args.get("order", "").strip() or ORDERS[0]
    if order not in ORDERS:
        raise ApiError(400, "Tri inconnu : « order » accepte " + ", ".join(ORDERS) + ".", "order")
    return {
        "consultation": consultation,
        "department_code": _parse_department(args),
        "forum_id": _parse_forum(args, consultation),
        "theme_id": theme.id if theme else None,
        "subtopic_id": subtopic.id if subtopic else None,
        "text": query,
        "order": order,
    }


def parse_pagination(args):
    """Return (page, per_page) from the query string."""
    page = _parse_integer(args, "page", 1, None, "un nombre entier supérieur ou égal à 1")
    per_page = _parse_integer(
        args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, f"un nombre entier entre 1 et {MAX_PER_PAGE}"
    )
    return page, per_page


def _parse_integer(args, name, default, maximum, expected):
    raw = args.get(name, "").strip()
    if not raw:
        return default
    value = int(raw) if _INTEGER.match(raw) else 0
    if value < 1 or (maximum is not None and value > maximum):
        raise ApiError(400, f"Le paramètre « {name} » doit être {expected}.", name)
    return value


def _parse_date(args, name):
    if name not in args:
        return None
    # Unlike other parameters, an empty date is refused: "format: date" admits no empty string, nor spaces.
    raw = args[name]
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400, f"Le paramètre « {name} » doit être une date au format AAAA-MM-JJ, par exemple 2009-03-17.", name
        ) from None


def _parse_status(args):
    raw = args.get("status", "").strip()
    if not raw:
        return None
    if raw == ForumStatus.DRAFT.value:
        raise ApiError(
            400, f"Les brouillons ne sont pas publics : « status » accepte {_PUBLIC_STATUS_NAMES}.", "status"
        )
    if raw not in {status.value for status in PUBLIC_STATUSES}:
        raise ApiError(400, f"Statut inconnu : « status » accepte {_PUBLIC_STATUS_NAMES}.", "status")
    return ForumStatus(raw)


def _parse_department(args):
    raw = args.get("department", "").strip().upper()
    if not raw:
        return None
    if not _DEPARTMENT.match(raw) or db.session.get(Department, raw) is None:
        raise ApiError(
            400, "Département inconnu : « department » attend un code INSEE de département, "
            "par exemple 13, 2A ou 972.", "department",
        )
    return raw


def _parse_forum(args, consultation):
    raw = args.get("forum", "").strip()
    if not raw:
        return None
    forum_id = int(raw) if _INTEGER.match(raw) else None
    known = forum_id is not None and db.session.scalar(
        db.select(Forum.id).where(Forum.id == forum_id, Forum.consultation_id == consultation.id,
                                  Forum.status.in_(PUBLIC_STATUSES))
    )
    if not known:
        raise ApiError(400, "Forum inconnu : « forum » attend le numéro d'un forum public de la consultation.", "forum")
    return forum_id


def _parse_theme_and_subtopic(args, consultation):
    theme_code = args.get("theme", "").strip()
    subtopic_code = args.get("subtopic", "").strip()
    if not theme_code and not subtopic_code:
        return None, None
    choices = theme_choices(consultation)
    theme = None
    if theme_code:
        theme = next((choice.theme for choice in choices if choice.theme.code == theme_code), None)
        if theme is None:
            codes = ", ".join(choice.theme.code for choice in choices)
            raise ApiError(400, f"Thème inconnu : « theme » attend le code d'un thème de la consultation ({codes}).",
                           "theme")
    if not subtopic_code:
        return theme, None
    owner, subtopic = next(((choice.theme, sub) for choice in choices for sub in choice.subtopics
                            if sub.code == subtopic_code), (None, None))
    if subtopic is None:
        raise ApiError(400, "Sous-thème inconnu : « subtopic » attend le code d'un sous-thème de la consultation, "
                            "par exemple 1.A.1.", "subtopic")
    if theme is not None and owner is not theme:
        raise ApiError(400, f"Le sous-thème {subtopic.code} n'appartient pas au thème {theme.code}.", "subtopic")
    return owner, subtopic
