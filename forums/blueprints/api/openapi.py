"""The OpenAPI 3.1 document of the open data API, in French: the contract the tests hold responses to."""
from ...models import SpeakerKind
from ...services.open_data import COVERAGE_CSV_HEADER, FORUM_CSV_HEADER
from ...services.public import PUBLIC_STATUSES
from ...services.question_search import LIST_REACH, MAX_QUERY_LENGTH, ORDERS, SEARCH_REACH
from .params import DEFAULT_PER_PAGE, MAX_PER_PAGE


def _ref(kind, name):
    return {"$ref": f"#/components/{kind}/{name}"}


def _nullable(schema):
    return {**schema, "type": [schema["type"], "null"]}


_STRING = {"type": "string"}
#: Text a query or a path may carry: anything but the NUL character, which every request refuses (400).
_TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}
_INTEGER = {"type": "integer"}
_DATETIME = {"type": "string", "format": "date-time",
             "description": "Date et heure ISO 8601 avec le décalage de Paris, par exemple 2009-03-17T18:30:00+01:00."}
_URL = {"type": "string", "format": "uri"}


def _object(properties, description=None):
    schema = {"type": "object", "properties": properties, "required": list(properties),
              "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def _list(items, description=None):
    schema = {"type": "array", "items": items}
    if description:
        schema["description"] = description
    return schema


def _json(schema, description, headers=None):
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


_PAGE_LINKS = _object({
    "self": _URL, "first": _URL, "last": _URL,
    "prev": {"type": ["string", "null"], "format": "uri"},
    "next": {"type": ["string", "null"], "format": "uri"},
}, "Adresses absolues des pages, filtres conservés ; null quand la page n'existe pas.")

_CACHE_HEADERS = {
    "ETag": _ref("headers", "ETag"),
    "Last-Modified": _ref("headers", "LastModified"),
    "Cache-Control": _ref("headers", "CacheControl"),
    "Access-Control-Allow-Origin": _ref("headers", "AccessControlAllowOrigin"),
}

_ERRORS = {
    "304": {"description": "Non modifié : la copie du client (If-None-Match, If-Modified-Since) est à jour."},
    "400": _ref("responses", "BadRequest"),
    "404": _ref("responses", "NotFound"),
    "default": _ref("responses", "OtherError"),
}

_FILTERS = [_ref("parameters", name) for name in ("consultation", "department", "status", "from", "to")]
_QUESTION_FILTERS = [
    _ref("parameters", name) for name in ("consultation", "department", "forum", "theme", "subtopic", "q", "order")
]


def _bad_request(rules):
    """Return the 400 answer of an operation, saying which rules beyond the schema's it enforces."""
    return _json(_ref("schemas", "Error"), "Paramètre de requête inconnu, répété ou mal formé, ou caractère nul ; "
                 + rules + " error.parameter nomme le paramètre en cause.")


_FORUM_FILTERS_REFUSED = _bad_request("date vide ; département inconnu ; « to » antérieur à « from ».")


def _query(name, schema, description):
    """Return a query parameter that may be given empty, which is the same as not giving it."""
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True, "schema": schema,
            "description": description}


def _csv(description, columns):
    return {
        "description": description + " Colonnes, dans l'ordre : " + ", ".join(columns) + ".",
        "headers": {**_CACHE_HEADERS, "Content-Disposition": {
            "description": "Nom du fichier proposé au téléchargement.", "required": True, "schema": _STRING}},
        "content": {"text/csv": {"schema": _STRING}},
    }


def openapi_document():
    """Return the OpenAPI document as a dict."""
    public_statuses = [status.value for status in PUBLIC_STATUSES]
    code_name = _ref("schemas", "CodeName")
    coverage_unit = _ref("schemas", "CoverageUnit")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Forums de sécurité : données ouvertes",
            "version": "1.0.0",
            "description": (
                "Données publiques de la consultation « Vos libertés, votre sécurité : parlons-en ensemble » : "
                "forums annoncés, reportés, tenus ou annulés, couverture des départements, et questions des "
                "citoyens publiées après modération avec leurs réponses. Seules les informations publiées sont "
                "exposées : jamais les brouillons, les invités ni les agents ; jamais les questions en attente "
                "ou refusées, le texte initial d'une question modifiée, ni l'adresse électronique ou le nom "
                "de son auteur.\n\n"
                "Règles communes : lecture seule (GET), accès libre depuis toute origine (CORS), réponses "
                "mises en cache (ETag, Last-Modified, réponse 304 aux requêtes conditionnelles). Un paramètre "
                "de requête inconnu, répété ou mal formé est refusé par une erreur 400 dont le corps nomme le "
                "paramètre (`error.parameter`). Un paramètre donné vide est ignoré (allowEmptyValue), sauf les dates "
                "from et to, refusées vides. Toutes les erreurs sont en JSON. "
                "Dates et heures : ISO 8601 avec le décalage horaire de Paris."
            ),
            "license": {"name": "Licence Ouverte 2.0",
                        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/forums": {"get": {
                "operationId": "listForums",
                "summary": "Liste des forums publics",
                "description": (
                    "Forums publics d'une consultation (la consultation en cours par défaut), par date de début "
                    "croissante, page par page. Les liens de pagination (corps et en-tête Link, RFC 8288) "
                    "conservent les filtres. Une page au-delà de la dernière renvoie une liste vide."
                ),
                "parameters": [*_FILTERS, _ref("parameters", "page"), _ref("parameters", "per_page")],
                "responses": {
                    "200": _json(_ref("schemas", "ForumList"), "Une page de forums.", {
                        **_CACHE_HEADERS, "Link": _ref("headers", "Link")}),
                    **_ERRORS,
                    "400": _FORUM_FILTERS_REFUSED,
                },
            }},
            "/api/v1/forums.csv": {"get": {
                "operationId": "exportForums",
                "summary": "Export CSV des forums publics",
                "description": (
                    "Les mêmes forums que la liste JSON, avec les mêmes filtres, sans pagination. Fichier UTF-8 "
                    "avec BOM, séparateur point-virgule ; une cellule qui commencerait par =, +, -, @ est "
                    "précédée d'une apostrophe pour ne pas être exécutée par un tableur."
                ),
                "parameters": _FILTERS,
                "responses": {"200": _csv("Fichier CSV, une ligne par forum.", FORUM_CSV_HEADER), **_ERRORS,
                              "400": _FORUM_FILTERS_REFUSED},
            }},
            "/api/v1/forums/{forum_id}": {"get": {
                "operationId": "getForum",
                "summary": "Un forum public",
                "description": "Un forum publié, reporté, tenu ou annulé. Un brouillon ou un numéro inconnu : 404.",
                "parameters": [_ref("parameters", "forum_id")],
                "responses": {
                    "200": _json(_ref("schemas", "Forum"), "Le forum.", _CACHE_HEADERS),
                    **_ERRORS,
                },
            }},
            "/api/v1/departments/{code}/coverage": {"get": {
                "operationId": "getDepartmentCoverage",
                "summary": "Couverture d'un département",
                "description": (
                    "Cantons (ou communes, dans les départements sans canton : Martinique, Guyane) couverts par "
                    "au moins un forum publié, reporté ou tenu de la consultation ; les forums annulés ne "
                    "couvrent rien. Les unités non couvertes sont groupées par arrondissement."
                ),
                "parameters": [_ref("parameters", "department_code"), _ref("parameters", "consultation")],
                "responses": {
                    "200": _json(_ref("schemas", "Coverage"), "La couverture du département.", _CACHE_HEADERS),
                    **_ERRORS,
                },
            }},
            "/api/v1/departments/coverage.csv": {"get": {
                "operationId": "exportCoverage",
                "summary": "Export CSV de la couverture de tous les départements",
                "description": "Une ligne par département ; « complete » vaut oui ou non.",
                "parameters": [_ref("parameters", "consultation")],
                "responses": {"200": _csv("Fichier CSV, une ligne par département.", COVERAGE_CSV_HEADER), **_ERRORS},
            }},
            "/api/v1/questions": {"get": {
                "operationId": "listQuestions",
                "summary": "Liste des questions publiées",
                "description": (
                    "Questions des citoyens publiées après modération, d'une consultation (la consultation en "
                    "cours par défaut), avec les mêmes filtres que les pages du site, page par page. Les liens de "
                    "pagination (corps et en-tête Link, RFC 8288) conservent les filtres. Une page au-delà de la "
                    f"dernière renvoie une liste vide ; une page qui commence au-delà des {LIST_REACH} premières "
                    f"questions ({SEARCH_REACH} avec « q ») est refusée (400) : précisez la recherche."
                ),
                "parameters": [*_QUESTION_FILTERS, _ref("parameters", "question_page"),
                               _ref("parameters", "per_page")],
                "responses": {
                    "200": _json(_ref("schemas", "QuestionList"), "Une page de questions.", {
                        **_CACHE_HEADERS, "Link": _ref("headers", "Link")}),
                    **_ERRORS,
                    "400": _bad_request("département, forum, thème ou sous-thème que la consultation n'a pas ; "
                                        "sous-thème d'un autre thème que « theme » ; page au-delà des questions "
                                        "parcourues."),
                },
            }},
            "/api/v1/questions/{reference}": {"get": {
                "operationId": "getQuestion",
                "summary": "Une question publiée",
                "description": (
                    "Une question publiée, avec sa réponse ou le forum où elle a été traitée. Une question en "
                    "attente, refusée, regroupée avec une autre ou une référence inconnue : 404."
                ),
                "parameters": [_ref("parameters", "reference")],
                "responses": {
                    "200": _json(_ref("schemas", "Question"), "La question.", _CACHE_HEADERS),
                    **_ERRORS,
                },
            }},
            "/api/openapi.json": {"get": {
                "operationId": "getOpenApi",
                "summary": "Ce document",
                "responses": {
                    "200": _json({"type": "object"}, "Le document OpenAPI 3.1 de l'API.", _CACHE_HEADERS),
                    **_ERRORS,
                },
            }},
        },
        "components": {
            "parameters": {
                "consultation": _query(
                    "consultation", _TEXT, "Identifiant de la consultation, par exemple 2009 ; par défaut la "
                    "consultation en cours. Inconnu : 404."),
                "department": _query(
                    "department", {**_TEXT, "examples": ["13", "2A", "972"]},
                    "Code INSEE du département. Un code inconnu est refusé (400) et non une liste vide, pour "
                    "qu'une faute de frappe ne passe pas inaperçue."),
                "status": _query(
                    "status", {"type": "string", "enum": public_statuses},
                    "État du forum : published (annoncé), postponed (reporté), held (tenu), cancelled (annulé). "
                    "draft est refusé : les brouillons ne sont pas publics."),
                "from": {
                    "name": "from", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
                    "description": "Premier jour (AAAA-MM-JJ, heure de Paris, inclus) de début des forums. Donné "
                                   "vide, il est refusé comme toute date mal formée.",
                },
                "to": {
                    "name": "to", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
                    "description": "Dernier jour (AAAA-MM-JJ, heure de Paris, inclus) de début des forums. Donné "
                                   "vide, il est refusé comme toute date mal formée ; antérieur à from, il est "
                                   "refusé (400).",
                },
                "forum": _query(
                    "forum", {"type": "integer", "minimum": 1},
                    "Numéro d'un forum public : les questions posées pour ce forum ou traitées lors de ce forum. Un "
                    "forum inconnu, brouillon ou d'une autre consultation est refusé (400)."),
                "theme": _query(
                    "theme", {**_TEXT, "examples": ["1", "2"]},
                    "Code du thème. Un thème que la consultation n'a pas est refusé (400)."),
                "subtopic": _query(
                    "subtopic", {**_TEXT, "examples": ["1.A.1", "2.B.1"]},
                    "Code du sous-thème. Un sous-thème que la consultation n'a pas, ou d'un autre thème que "
                    "« theme », est refusé (400)."),
                "q": _query(
                    "q", {**_TEXT, "maxLength": MAX_QUERY_LENGTH},
                    "Recherche en texte intégral : chaque mot doit figurer dans la question, quels que soient les "
                    "accents, les majuscules, le singulier ou le pluriel ; le dernier mot peut être le début d'un "
                    "mot (« camb » trouve « cambriolages »). Les mots trop courants (le, de, est…) sont ignorés : "
                    "meta.search_terms donne les termes réellement cherchés."),
                "order": _query(
                    "order", {"type": "string", "enum": list(ORDERS), "default": ORDERS[0]},
                    "recent : les dernières publiées d'abord ; supported : les plus soutenues d'abord, puis les "
                    "dernières publiées."),
                "page": _query(
                    "page", {"type": "integer", "minimum": 1, "default": 1}, "Numéro de la page, à partir de 1."),
                "question_page": _query(
                    "page", {"type": "integer", "minimum": 1, "default": 1},
                    f"Numéro de la page, à partir de 1. Une page qui commence au-delà des {LIST_REACH} premières "
                    f"questions ({SEARCH_REACH} avec « q ») est refusée (400) : précisez la recherche."),
                "per_page": _query(
                    "per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                 "default": DEFAULT_PER_PAGE},
                    f"Nombre de résultats par page, de 1 à {MAX_PER_PAGE}."),
                "reference": {
                    "name": "reference", "in": "path", "required": True,
                    "schema": {**_TEXT, "examples": ["13-000124"]},
                    "description": "Référence de la question : code du département et numéro.",
                },
                "forum_id": {
                    "name": "forum_id", "in": "path", "required": True, "schema": {"type": "integer"},
                    "description": "Numéro du forum.",
                },
                "department_code": {
                    "name": "code", "in": "path", "required": True,
                    "schema": {**_TEXT, "examples": ["13", "2A", "972"]},
                    "description": "Code INSEE du département. Inconnu : 404.",
                },
            },
            "headers": {
                "ETag": {"description": "Validateur de la réponse, pour If-None-Match (absent pour un agent "
                                        "connecté).", "schema": _STRING},
                "LastModified": {"description": "Date de dernière modification des données publiques (absente "
                                                "pour un agent connecté).", "schema": _STRING},
                "CacheControl": {"description": "public, max-age=60 ; private, no-store pour un agent connecté.",
                                 "required": True, "schema": _STRING},
                "AccessControlAllowOrigin": {"description": "Toujours * : données ouvertes.", "required": True,
                                             "schema": _STRING},
                "Link": {"description": "Liens de pagination first, last, prev, next (RFC 8288).", "required": True,
                         "schema": _STRING},
            },
            "responses": {
                "BadRequest": _json(_ref("schemas", "Error"),
                                    "Paramètre de requête inconnu, répété ou mal formé : error.parameter le nomme."),
                "NotFound": _json(_ref("schemas", "Error"),
                                  "Ressource introuvable : forum inconnu ou brouillon, question non publiée, "
                                  "département ou consultation inconnus."),
                "OtherError": _json(_ref("schemas", "Error"),
                                    "Autre erreur, toujours en JSON : 405 méthode non autorisée, 429 trop de "
                                    "requêtes, 500 erreur interne, 503 service indisponible."),
            },
            "schemas": {
                "CodeName": _object({"code": _STRING, "name": _STRING}, "Un territoire : code INSEE et nom."),
                "CoverageUnit": _object({
                    "code": _STRING, "name": _STRING,
                    "kind": {"type": "string", "enum": ["canton", "commune"],
                             "description": "canton, ou commune (arrondissement municipal à Paris et Lyon) "
                                            "qu'aucun canton ne couvre."},
                }, "Une unité à couvrir : code INSEE, nom et nature."),
                "Forum": _object({
                    "id": _INTEGER,
                    "url": {**_URL, "description": "Page publique du forum."},
                    "ical_url": {**_URL, "description": "Le forum au format iCalendar (RFC 5545)."},
                    "title": _STRING,
                    "status": {"type": "string", "enum": public_statuses},
                    "status_label": {"type": "string", "description": "L'état en français : Publié, Reporté…"},
                    "starts_at": _nullable(_DATETIME),
                    "ends_at": _nullable(_DATETIME),
                    "timezone": {"const": "Europe/Paris"},
                    "venue": _object({
                        "name": _STRING,
                        "address": _STRING,
                        "postal_code": {
                            "type": ["string", "null"],
                            "description": "Code postal du lieu : celui que donne l'adresse, ou le seul de la "
                                           "commune ; null quand la commune en a plusieurs et que l'adresse ne "
                                           "le précise pas.",
                        },
                        "commune": {"oneOf": [code_name, {"type": "null"}]},
                    }, "Lieu de la réunion."),
                    "accessibility": {"type": "string", "description": "Accessibilité aux personnes handicapées."},
                    "capacity": {"type": ["integer", "null"], "description": "Nombre de places, s'il est connu."},
                    "department": code_name,
                    "region": code_name,
                    "cantons": _list(code_name, "Cantons couverts par le forum."),
                    "communes": _list(code_name, "Communes couvertes, dans les départements sans canton (972, 973)."),
                    "animator": _object({"name": _STRING, "function": _STRING},
                                        "Animateur, en principe le sous-préfet de l'arrondissement."),
                    "speakers": _list(_object({
                        "kind": {"type": "string", "enum": [kind.value for kind in SpeakerKind]},
                        "kind_label": _STRING,
                        "name": _STRING,
                        "function": _STRING,
                    }), "Intervenants : police nationale, gendarmerie, police municipale…"),
                    "description": {"type": "string", "description": "Présentation, source Markdown."},
                    "description_html": {"type": "string", "description": "Présentation en HTML assaini."},
                    "cancellation_reason": {
                        "type": ["string", "null"],
                        "description": "Motif de l'annulation ; null si le forum n'est pas annulé.",
                    },
                    "previous_dates": _list(_object({"starts_at": _DATETIME, "ends_at": _DATETIME}),
                                            "Dates d'avant chaque report, de la plus ancienne à la plus récente."),
                    "sequence": {"type": "integer", "minimum": 0,
                                 "description": "Numéro de version, augmenté à chaque changement public "
                                                "(SEQUENCE iCalendar)."},
                    "published_at": _nullable(_DATETIME),
                    "updated_at": _DATETIME,
                }, "Un forum public."),
                "ForumList": _object({
                    "data": _list(_ref("schemas", "Forum")),
                    "meta": _object({
                        "page": {"type": "integer", "minimum": 1},
                        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                        "total": {"type": "integer", "minimum": 0, "description": "Nombre de forums filtrés."},
                        "pages": {"type": "integer", "minimum": 1},
                    }),
                    "links": _PAGE_LINKS,
                }),
                "Question": _object({
                    "reference": {"type": "string", "description": "Référence : code du département et numéro."},
                    "url": {**_URL, "description": "Page publique de la question, où la soutenir."},
                    "department": code_name,
                    "forum_id": {"type": ["integer", "null"],
                                 "description": "Forum pour lequel la question a été posée ; null si elle est "
                                                "posée au département."},
                    "theme": _object({"code": _STRING, "title": _STRING}),
                    "subtopic": _object({"code": _STRING, "title": _STRING}),
                    "text": {"type": "string",
                             "description": "Texte publié, le cas échéant sans les données personnelles que la "
                                            "modération a retirées. Texte brut : à échapper avant affichage."},
                    "published_at": _DATETIME,
                    "support_count": {"type": "integer", "minimum": 0,
                                      "description": "Nombre de soutiens (un par navigateur)."},
                    "answer": {"type": ["string", "null"],
                               "description": "Réponse de la préfecture, source Markdown ; null sans réponse."},
                    "answer_html": {"type": ["string", "null"], "description": "Réponse en HTML assaini."},
                    "answered_at": _nullable(_DATETIME),
                    "addressed_forum_id": {"type": ["integer", "null"],
                                           "description": "Forum lors duquel la question a été traitée."},
                    "addressed_at": _nullable(_DATETIME),
                }, "Une question publiée, sans rien qui identifie son auteur."),
                "QuestionList": _object({
                    "data": _list(_ref("schemas", "Question")),
                    "meta": _object({
                        "page": {"type": "integer", "minimum": 1},
                        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                        "total": {"type": "integer", "minimum": 0, "maximum": LIST_REACH,
                                  "description": f"Nombre de questions filtrées, compté jusqu'à {LIST_REACH} "
                                                 f"({SEARCH_REACH} avec « q »)."},
                        "total_capped": {"type": "boolean",
                                         "description": "Vrai quand d'autres questions correspondent au-delà de "
                                                        "« total » : seules les « total » premières sont parcourues "
                                                        "page par page ; précisez la recherche pour les autres."},
                        "pages": {"type": "integer", "minimum": 1},
                        "search_terms": _list(_STRING, "Termes cherchés, tirés de « q » : radicaux sans accents "
                                                       "ni mots courants ; vide sans recherche."),
                    }),
                    "links": _PAGE_LINKS,
                }),
                "Coverage": _object({
                    "department": code_name,
                    "unit": {"type": "string", "enum": ["canton", "commune", "mixte"],
                             "description": "canton ; commune dans les départements sans canton (Paris par "
                                            "arrondissement municipal, Martinique, Guyane) ; mixte quand des "
                                            "communes s'ajoutent aux cantons (Rhône : Métropole de Lyon)."},
                    "total": {"type": "integer", "minimum": 0},
                    "covered": {"type": "integer", "minimum": 0},
                    "percentage": {"type": "number", "minimum": 0, "maximum": 100,
                                   "description": "Part couverte, avec une décimale."},
                    "complete": {"type": "boolean", "description": "Département entièrement couvert."},
                    "covered_units": _list(coverage_unit),
                    "uncovered": _list(_object({
                        "arrondissement": {"type": ["string", "null"],
                                           "description": "Code de l'arrondissement ; null pour une unité "
                                                          "sans arrondissement."},
                        "units": _list(coverage_unit),
                    }), "Unités non couvertes, par arrondissement (un canton à cheval apparaît dans chacun)."),
                }, "Couverture d'un département par les forums."),
                "Error": _object({
                    "error": {
                        "type": "object",
                        "properties": {
                            "status": _INTEGER,
                            "title": _STRING,
                            "message": {"type": "string", "description": "Explication en français."},
                            "parameter": {"type": "string", "description": "Le paramètre de requête en cause."},
                        },
                        "required": ["status", "title", "message"],
                        "additionalProperties": False,
                    },
                }, "Une erreur."),
            },
        },
    }
