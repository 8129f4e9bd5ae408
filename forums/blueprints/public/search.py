"""Find my forum: from a commune name or a postal code to the forums of the citizen's canton."""
from flask import jsonify, render_template, request

from ...public_cache import cacheable
from ...rate_limits import search_limit
from ...services.commune_search import (
    MAX_SUGGESTIONS, CommuneMatches, commune_forums, find_commune, search_communes,
)
from ...services.public import current_consultation
from . import bp

@bp.get("/trouver-mon-forum")
@search_limit
@cacheable(params=("q", "commune"))
def find_forum():
    """Search a commune by name or postal code and show the forums its inhabitants may attend."""
    query = request.args.get("q", "").strip()
    code = request.args.get("commune")
    consultation = current_consultation()
    matches = CommuneMatches()
    commune = None
    if code is not None:
        commune = find_commune(code.strip())
    elif query:
        matches = search_communes(query)
        commune = matches.chosen
    # A divided city lists its arrondissements to choose from, even before a consultation opens.
    result = (commune_forums(consultation, commune)
              if commune and (consultation or commune.has_municipal_arrondissements) else None)
    return render_template(
        "public/find_forum.html",
        query=query,
        code=code,
        consultation=consultation,
        matches=matches,
        commune=commune,
        result=result,
    )


@bp.get("/trouver-mon-forum/suggestions")
@search_limit
@cacheable(params=("q",))
def commune_suggestions():
    """Return as JSON the communes the typed text may designate, for the autocomplete."""
    matches = search_communes(request.args.get("q", ""), limit=MAX_SUGGESTIONS)
    return jsonify([
        {
            "code": commune.code,
            "name": commune.name,
            "department": commune.department_code,
            "postal_codes": commune.postal_codes.split(),
        }
        for commune in matches.communes
    ])
