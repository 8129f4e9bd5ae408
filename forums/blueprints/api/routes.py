"""Routes of the open data API: read-only, public, cacheable and open to every origin."""
from math import ceil

from flask import jsonify, request, url_for
from sqlalchemy.orm import selectinload

from ...errors import MESSAGES
from ...extensions import db
from ...models import Department
from ...public_cache import cacheable
from ...rate_limits import api_limit
from ...services import coverage as coverage_service
from ...services.agenda import load_department
from ...services.open_data import (
    COVERAGE_CSV_HEADER, FORUM_CSV_HEADER, count_rows, coverage_csv_row, coverage_to_dict, filtered_forums_query,
    forum_csv_row, forum_to_dict,
)
from ...services.public import public_forum
from ...services.question_search import question_by_reference, question_to_dict, search_published
from ...spreadsheets import csv_download, spreadsheet_csv
from . import bp
from .openapi import openapi_document
from .params import (
    FILTER_PARAMETERS, PAGINATION_PARAMETERS, QUESTION_FILTER_PARAMETERS, ApiError, check_parameters,
    parse_consultation, parse_forum_filters, parse_pagination, parse_question_filters,
)


@bp.after_request
def open_to_every_origin(response):
    """Let any web page read the API: it only serves published information."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    # ETag and Link are not readable by scripts of other origins unless exposed.
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    return response


@bp.errorhandler(ApiError)
def api_error(error):
    """Answer an API error as JSON, naming the query parameter at fault when there is one."""
    body = {"status": error.status, "title": MESSAGES[error.status][0], "message": error.message}
    if error.parameter:
        body["parameter"] = error.parameter
    return jsonify(error=body), error.status


@bp.get("/openapi.json")
@api_limit
@cacheable(strict=True)
def openapi():
    """Describe the API in OpenAPI 3.1."""
    check_parameters(request.args, ())
    return jsonify(openapi_document())


@bp.get("/v1/forums")
@api_limit
@cacheable(params=FILTER_PARAMETERS + PAGINATION_PARAMETERS, strict=True)
def forums():
    """List the public forums of a consultation, filtered and paginated."""
    check_parameters(request.args, FILTER_PARAMETERS + PAGINATION_PARAMETERS)
    filters = parse_forum_filters(request.args)
    page, per_page = parse_pagination(request.args)
    consultation = parse_consultation(request.args)
    query = filtered_forums_query(consultation, filters)
    total = count_rows(query)
    pages = max(1, ceil(total / per_page))
    # Past the last page there is nothing to fetch (and no huge OFFSET to send).
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all() if page <= pages else []
    return _page_response([forum_to_dict(forum) for forum in items],
                          {"page": page, "per_page": per_page, "total": total, "pages": pages})


@bp.get("/v1/forums.csv")
@api_limit
@cacheable(params=FILTER_PARAMETERS, strict=True)
def forums_csv():
    """Download the public forums of a consultation, filtered, as a CSV file."""
    check_parameters(request.args, FILTER_PARAMETERS)
    filters = parse_forum_filters(request.args)
    consultation = parse_consultation(request.args)
    items = db.session.scalars(filtered_forums_query(consultation, filters)).all()
    text = spreadsheet_csv(FORUM_CSV_HEADER, (forum_csv_row(forum) for forum in items))
    return csv_download(text, f"forums-{consultation.slug}.csv")


@bp.get("/v1/forums/<int:forum_id>")
@api_limit
@cacheable(strict=True)
def forum(forum_id):
    """Show one public forum."""
    check_parameters(request.args, ())
    found = public_forum(forum_id)
    if found is None:
        raise ApiError(404, "Aucun forum public ne porte ce numéro.")
    return jsonify(forum_to_dict(found))


@bp.get("/v1/questions")
@api_limit
@cacheable(params=QUESTION_FILTER_PARAMETERS + PAGINATION_PARAMETERS, strict=True)
def questions():
    """List the published questions of a consultation, filtered, searched, ordered and paginated."""
    check_parameters(request.args, QUESTION_FILTER_PARAMETERS + PAGINATION_PARAMETERS)
    page, per_page = parse_pagination(request.args)
    consultation = parse_consultation(request.args)
    found = search_published(page=page, per_page=per_page, **parse_question_filters(request.args, consultation))
    if found.beyond_reach:
        raise ApiError(400, f"La page {page} commence au-delà des {found.reach} premières questions, les seules "
                            "parcourues page par page : précisez la recherche (department, forum, theme, subtopic, "
                            "q) pour trouver les suivantes, ou téléchargez toutes les questions publiées dans les données "
                            "ouvertes (/donnees-ouvertes).", "page")
    return _page_response([question_to_dict(question) for question in found.items], {
        "page": page, "per_page": per_page, "total": found.total, "total_capped": found.capped,
        "pages": found.pages, "search_terms": list(found.terms),
    })


@bp.get("/v1/questions/<reference>")
@api_limit
@cacheable(strict=True)
def question(reference):
    """Show one published question."""
    check_parameters(request.args, ())
    found = question_by_reference(reference)
    if found is None or not found.is_public:
        raise ApiError(404, "Aucune question publiée ne porte cette référence.")
    return jsonify(question_to_dict(found))


@bp.get("/v1/departments/<code>/coverage")
@api_limit
@cacheable(params=("consultation",), strict=True)
def department_coverage(code):
    """Show which cantons (or communes) of a department the consultation's forums cover."""
    check_parameters(request.args, ("consultation",))
    department = load_department(code.upper())
    if department is None:
        raise ApiError(404, "Aucun département ne porte ce code.")
    consultation = parse_consultation(request.args)
    coverage = coverage_service.department_coverage(department.code, consultation)
    return jsonify(coverage_to_dict(department, coverage))


@bp.get("/v1/departments/coverage.csv")
@api_limit
@cacheable(params=("consultation",), strict=True)
def coverage_csv():
    """Download the coverage of every department as a CSV file."""
    check_parameters(request.args, ("consultation",))
    consultation = parse_consultation(request.args)
    departments = db.session.scalars(
        db.select(Department).options(selectinload(Department.region)).order_by(Department.code)
    ).all()
    coverages = coverage_service.national_coverage(consultation)
    rows = (coverage_csv_row(department, coverages[department.code])
            for department in departments if department.code in coverages)
    return csv_download(spreadsheet_csv(COVERAGE_CSV_HEADER, rows), f"couverture-{consultation.slug}.csv")


def _page_response(data, meta):
    """Return a page of a list as JSON, with its pagination links in the body and the Link header."""
    page, pages = meta["page"], meta["pages"]
    links = {
        "self": _page_url(page),
        "first": _page_url(1),
        "last": _page_url(pages),
        "prev": _page_url(min(page, pages + 1) - 1) if page > 1 else None,
        "next": _page_url(page + 1) if page < pages else None,
    }
    response = jsonify(data=data, meta=meta, links=links)
    response.headers["Link"] = ", ".join(
        f'<{url}>; rel="{rel}"' for rel, url in links.items() if url is not None and rel != "self"
    )
    return response


def _page_url(page):
    args = {name: value for name, value in request.args.items() if value.strip()}
    args["page"] = page
    return url_for(request.endpoint, _external=True, **args)
