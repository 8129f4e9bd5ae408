"""Published questions on the public site: a department's and a forum's lists, one question, supports.

The lists carry no form with a CSRF token (their filters are a GET form), so they are cached like
every public page; the page of one question carries the support button and is never cached.
"""
from dataclasses import dataclass, field

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_number
from sqlalchemy.orm import joinedload

from ...errors import render_error
from ...extensions import db, limiter
from ...models import Forum, QuestionStatus, Subtopic, Theme
from ...public_cache import cacheable
from ...rate_limits import question_search_limit
from ...services import supports
from ...services.agenda import load_department
from ...services.public import PUBLIC_STATUSES, current_consultation
from ...services.question_search import (
    MAX_QUERY_LENGTH, published_at, question_by_reference, search_published, theme_choices,
)
from ...services.questions import forum_accepts_questions
from . import bp

#: The "tri" parameter of the lists, as the visitor reads it, and the order it stands for.
ORDER_PARAMETERS = {"recentes": "recent", "soutenues": "supported"}
DEFAULT_ORDER_PARAMETER = "recentes"
PER_PAGE = 20
#: Longest page number accepted: beyond, the parameter cannot be a real page.
MAX_PAGE_DIGITS = 6
#: A merged question may point to a question merged in turn: redirects follow that many steps.
MAX_MERGE_HOPS = 5


@dataclass
class ListFilters:
    """What the visitor asked a list for, after checking, and a French notice for each thing ignored."""

    theme: Theme | None = None
    subtopic: Subtopic | None = None
    query: str = ""
    order: str = DEFAULT_ORDER_PARAMETER
    page: int = 1
    notices: list = field(default_factory=list)

    def args(self):
        """Return the query parameters that reproduce these filters, page excluded, defaults left out."""
        args = {}
        if self.theme is not None:
            args["theme"] = self.theme.code
        if self.subtopic is not None:
            args["sous_theme"] = self.subtopic.code
        if self.query:
            args["q"] = self.query
        if self.order != DEFAULT_ORDER_PARAMETER:
            args["tri"] = self.order
        return args


def parse_list_filters(args, choices):
    """Return the ListFilters of a list's query string; wrong values are ignored with a notice, never an error."""
    filters = ListFilters()
    themes = {choice.theme.code: choice for choice in choices}
    theme_code = args.get("theme", "").strip()
    if theme_code:
        choice = themes.get(theme_code)
        if choice is None:
            filters.notices.append("Le thème demandé n'existe pas : les questions de tous les thèmes sont affichées.")
        else:
            filters.theme = choice.theme
    subtopic_code = args.get("sous_theme", "").strip()
    if subtopic_code:
        owners = {sub.code: (choice.theme, sub) for choice in choices for sub in choice.subtopics}
        theme, subtopic = owners.get(subtopic_code, (None, None))
        if subtopic is None:
            filters.notices.append("Le sous-thème demandé n'existe pas : il n'a pas été pris en compte.")
        elif filters.theme is not None and theme is not filters.theme:
            filters.notices.append(
                f"Le sous-thème « {subtopic.title} » n'appartient pas au thème choisi : il n'a pas été pris en compte."
            )
        else:
            filters.theme, filters.subtopic = theme, subtopic
    filters.query = " ".join(args.get("q", "").split())[:MAX_QUERY_LENGTH]
    order = args.get("tri", "").strip()
    if order in ORDER_PARAMETERS:
        filters.order = order
    elif order:
        filters.notices.append("Ce tri n'existe pas : les questions sont classées de la plus récente à la plus ancienne.")
    page = args.get("page", "").strip()
    if page.isdigit() and len(page) <= MAX_PAGE_DIGITS and int(page) >= 1:
        filters.page = int(page)
    elif page:
        filters.notices.append("Le numéro de page demandé n'est pas valide : la première page est affichée.")
    return filters


def past_last_page_notice(page):
    """Return the French notice shown when the page asked lies past the list's last page (or its reach)."""
    if page.capped:
        return (f"Seules les {format_number(page.total)} premières questions sont présentées page par page : "
                "précisez votre recherche (mots, thème, sous-thème) pour trouver les suivantes. "
                "Voici la dernière page.")
    return f"La page {page.page} n'existe pas : voici la dernière page."


@bp.app_template_filter("question_published_at")
def question_published_at(question):
    """Return when a question was published, for the templates."""
    return published_at(question)


def _public_forum_summary(forum_id):
    # The list only shows the forum's title, date, department and consultation: no need for the rest.
    return db.session.scalar(
        db.select(Forum).where(Forum.id == forum_id, Forum.status.in_(PUBLIC_STATUSES))
        .options(joinedload(Forum.department), joinedload(Forum.consultation))
    )


@bp.get("/departements/<code>/questions")
@question_search_limit
@cacheable(params=("page", "q", "sous_theme", "theme", "tri"))
def department_questions(code):
    """List a department's published questions, filtered, searched, ordered and paginated."""
    department = load_department(code)
    if department is None:
        return render_error(404, "Aucun département ne correspond à cette adresse. "
                                 "Retrouvez la liste des départements dans l'agenda des forums.")
    return _question_list(current_consultation(), department=department)


@bp.get("/forums/<int:forum_id>/questions")
@question_search_limit
@cacheable(params=("page", "q", "sous_theme", "theme", "tri"))
def forum_questions(forum_id):
    """List the published questions asked for a forum or taken up at it."""
    forum = _public_forum_summary(forum_id)
    if forum is None:
        return render_error(404, "Aucun forum public ne correspond à cette adresse.")
    return _question_list(forum.consultation, department=forum.department, forum=forum)


def _question_list(consultation, department, forum=None):
    choices = theme_choices(consultation) if consultation else []
    filters = parse_list_filters(request.args, choices)
    page = None
    if consultation is not None:
        criteria = dict(
            consultation=consultation,
            department_code=None if forum else department.code,
            forum_id=forum.id if forum else None,
            theme_id=filters.theme.id if filters.theme else None,
            subtopic_id=filters.subtopic.id if filters.subtopic else None,
            text=filters.query,
            order=ORDER_PARAMETERS[filters.order],
            per_page=PER_PAGE,
        )
        page = search_published(page=filters.page, **criteria)
        if page.page > page.pages and page.total:
            filters.notices.append(past_last_page_notice(page))
            page = search_published(page=page.pages, **criteria)
        if page.text_ignored:
            filters.notices.append(
                f"Votre recherche « {filters.query} » ne contient que des mots trop courants (le, la, de…) : "
                "toutes les questions sont affichées. Précisez un mot plus significatif."
            )
    endpoint = "public.forum_questions" if forum else "public.department_questions"
    path_args = {"forum_id": forum.id} if forum else {"code": department.code}
    if forum is not None:
        ask_url = url_for("public.ask_question", forum=forum.id) if forum_accepts_questions(forum) else None
    else:
        ask_url = url_for("public.ask_question", departement=department.code) if consultation else None
    return render_template(
        "public/questions.html", consultation=consultation, department=department, forum=forum,
        choices=choices, filters=filters, page=page, ask_url=ask_url,
        endpoint=endpoint, path_args=path_args, filter_args={**path_args, **filters.args()},
    )


@bp.get("/questions/<reference>")
def question(reference):
    """Show a published question, its answer or the forum that took it up, and the support button."""
    found = question_by_reference(reference)
    hops = 0
    while found is not None and found.status is QuestionStatus.MERGED and hops < MAX_MERGE_HOPS:
        # Whoever follows a link to a merged question finds the question it was merged into.
        found, hops = found.merged_into, hops + 1
    if found is None or not found.is_public:
        return render_error(404, "Aucune question publiée ne porte cette référence. Une question n'est "
                                 "visible qu'une fois acceptée par la modération.")
    if hops:
        return redirect(url_for(".question", reference=found.reference), 302)
    response = make_response(render_template(
        "public/question.html", question=found,
        supported=supports.has_supported(found, request.cookies.get(supports.SUPPORTER_COOKIE)),
        supports_open=supports.supports_open(found),
    ))
    # The page carries a CSRF token tied to the visitor's session: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/questions/<reference>/soutenir")
@limiter.limit(lambda: current_app.config["SUPPORT_RATE_LIMIT"])
def support_question(reference):
    """Count this browser's support for a published question, once, and go back to the question."""
    found = question_by_reference(reference)
    if found is None or not found.is_public:
        return render_error(404, "Seule une question publiée peut être soutenue : aucune ne porte cette référence.")
    if not supports.supports_open(found):
        return render_error(409, "La consultation est close : les soutiens ne sont plus recueillis. Le nombre de "
                                 "soutiens reçus reste affiché avec la question.")
    token = request.cookies.get(supports.SUPPORTER_COOKIE)
    new_token = not supports.valid_supporter_token(token)
    if new_token:
        token = supports.new_supporter_token()
    counted = supports.support_question(found, token)
    db.session.commit()
    if counted:
        flash("Votre soutien a été pris en compte. Merci !", "success")
    else:
        flash("Vous soutenez déjà cette question : chaque navigateur ne compte qu'une fois.", "info")
    response = redirect(url_for(".question", reference=found.reference), 303)
    if new_token:
        response.set_cookie(
            supports.SUPPORTER_COOKIE, token, max_age=supports.SUPPORTER_COOKIE_MAX_AGE, httponly=True,
            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
