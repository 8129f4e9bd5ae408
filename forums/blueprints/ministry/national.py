"""Routes of the national synthesis: the submitted departmental syntheses added up, the document for the
assises (prepare, edit, regenerate, preview, download) and the catalogue of every proposal.

The blueprint's ``require_national_agent`` lets only national agents in; writing is the ministry's
(``can_edit_national_synthesis``). Every view loads the consultation named in the path (unknown:
404), checks, calls an operation of forums/services/national_synthesis.py and commits once.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.exc import IntegrityError

from synthesis.figure_tables import ATTENDANCE_LABELS, ORIGIN_LABELS
from synthesis.records import ATTENDANCE_CATEGORIES, PROPOSAL_ORIGINS
from synthesis.typography import count, format_number, format_percent

from ... import permissions
from ...documents.addresses import SiteAddresses
from ...documents.bundle import NATIONAL_STEM
from ...documents.content import national_content
from ...documents.html import markdown_html, render_html
from ...documents.responses import document_response, national_download as national_document
from ...errors import render_error
from ...extensions import db
from ...models import Consultation, Department, Region
from ...services.national_synthesis import (
    national_aggregate, national_synthesis, prepare_national, refreshed_national, update_national_texts,
)
from ...services.question_search import theme_choices
from ...services.syntheses import SynthesisError
from ...services.synthesis_inputs import ORIGIN_TO_ENGINE, engine_origin
from ...synthesis_editing import PART_SLUGS, SECTIONS_CHANGED, SLUG_OF_PART, edit_part
from . import bp
from .national_forms import CatalogueFiltersForm
from .routes import all_consultations

#: Proposals per page of the catalogue.
CATALOGUE_PAGE_SIZE = 50
#: The catalogue's query parameters → the engine's facets.
FACETS = {"theme": "theme", "sous_theme": "subtopic", "origine": "origin", "region": "region"}
#: The engine's proposal origins → the values the catalogue's URL and select use (ProposalOrigin).
ORIGIN_PARAMETERS = {engine: origin.value for origin, engine in ORIGIN_TO_ENGINE.items()}
NOT_PREPARED = ("La synthèse nationale de cette consultation n'a pas encore été préparée : "
                "préparez-la depuis la page « Synthèse nationale ».")


# --- loading and checking --------------------------------------------------------------------------

def _consultation(slug):
    consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        abort(404)
    return consultation


@bp.before_request
def require_national_synthesis_reader():
    """Refuse the national synthesis's pages to all but the ministry (the administrators included)."""
    if (request.endpoint or "").startswith("ministry.national") and current_user.is_authenticated:
        permissions.ensure_allowed(current_user, permissions.can_read_national_synthesis(current_user),
                                   f"ministry:{request.endpoint}")


def _ensure_editor(action):
    permissions.ensure_allowed(current_user, permissions.can_edit_national_synthesis(current_user),
                               f"ministry.{action}")


def _agent():
    return current_user._get_current_object()


def _formatting():
    """Return the French number helpers the national templates use."""
    return {"number": format_number, "percent": format_percent, "count": count}


# --- the overview ------------------------------------------------------------------------------------

@bp.get("/synthese-nationale")
def national():
    """Open the national synthesis of the current consultation, or say that none is open."""
    consultations = all_consultations()
    current = next((c for c in consultations if c.is_current), None)
    if current is not None:
        return redirect(url_for(".national_overview", slug=current.slug))
    return render_template("ministry/national.html", consultation=None, consultations=consultations)


@bp.get("/synthese-nationale/<slug>")
def national_overview(slug):
    """Show the national figures, rankings, recurring concerns and departments compared, and the document's state."""
    consultations = all_consultations()
    consultation = next((c for c in consultations if c.slug == slug), None)
    if consultation is None:
        abort(404)
    aggregate = national_aggregate(consultation)
    synthesis = national_synthesis(consultation)
    if synthesis is not None and refreshed_national(synthesis)[1]:
        db.session.commit()
    return render_template(
        "ministry/national.html",
        consultation=consultation,
        consultations=consultations,
        aggregate=aggregate,
        national=synthesis,
        departments_total=db.session.scalar(db.select(db.func.count()).select_from(Department)),
        can_edit=permissions.can_edit_national_synthesis(current_user),
        attendance=[(ATTENDANCE_LABELS[key], aggregate.figures.attendance.by_category[key].value)
                    for key in ATTENDANCE_CATEGORIES],
        origins=[(ORIGIN_LABELS[key], aggregate.figures.proposals.by_origin[key].value) for key in PROPOSAL_ORIGINS],
        **_formatting(),
    )


# --- the document ------------------------------------------------------------------------------------

@bp.post("/synthese-nationale/<slug>/preparer")
def national_prepare(slug):
    """Create the national synthesis, its three parts pre-filled from the submitted syntheses."""
    consultation = _consultation(slug)
    _ensure_editor("national_prepare")
    try:
        prepare_national(consultation, _agent())
        db.session.commit()
    except SynthesisError as error:
        db.session.rollback()
        return render_error(409, str(error))
    except IntegrityError:
        # Two submissions at once (a double click): the other one created it between our check and our insert.
        db.session.rollback()
        return render_error(409, "La synthèse nationale vient d'être préparée par une autre demande : elle n'a pas "
                                 "été créée deux fois. Rouvrez la page de la synthèse nationale pour la modifier.")
    flash("Le projet de synthèse nationale est prêt : ses trois parties sont calculées à partir des synthèses "
          "transmises et se mettront à jour d'elles-mêmes ; ajoutez le texte du ministère section par section.",
          "success")
    return redirect(url_for(".national_overview", slug=slug))


@bp.get("/synthese-nationale/<slug>/modifier")
def national_edit(slug):
    """Open the first part of the national synthesis for writing."""
    consultation = _consultation(slug)
    _ensure_editor("national_edit")
    if national_synthesis(consultation) is None:
        return render_error(404, NOT_PREPARED)
    return redirect(url_for(".national_edit_part", slug=slug, part=next(iter(PART_SLUGS))))


@bp.route("/synthese-nationale/<slug>/modifier/<part>", methods=["GET", "POST"])
def national_edit_part(slug, part):
    """Write the ministry's text of one part of the national synthesis, beside the generated blocks."""
    if part not in PART_SLUGS:
        abort(404)
    consultation = _consultation(slug)
    _ensure_editor("national_edit")
    synthesis = national_synthesis(consultation)
    if synthesis is None:
        return render_error(404, NOT_PREPARED)
    generated, refreshed = refreshed_national(synthesis)
    if refreshed:
        db.session.commit()
    draft_part = generated.draft.part(PART_SLUGS[part])
    links = SiteAddresses(consultation)
    outcome = edit_part(synthesis, generated, draft_part,
                        save=lambda texts, versions: update_national_texts(synthesis, texts, versions, _agent()),
                        render_part=lambda markdown: markdown_html(markdown, links))
    if outcome.stale_form:
        return render_error(400, SECTIONS_CHANGED)
    if outcome.saved:
        db.session.commit()
        flash(f"« {draft_part.title} » : votre texte est enregistré.", "success")
        return redirect(url_for(".national_edit_part", slug=slug, part=part))
    return render_template(
        "ministry/national_edit.html", consultation=consultation,
        part_url=lambda key: url_for(".national_edit_part", slug=slug, part=SLUG_OF_PART[key]),
        **outcome.page(synthesis, generated, draft_part),
    ), outcome.status


@bp.get("/synthese-nationale/<slug>/apercu")
def national_preview(slug):
    """Show the national synthesis as the print-ready document the assises will read."""
    consultation = _consultation(slug)
    synthesis = national_synthesis(consultation)
    if synthesis is None:
        return render_error(404, NOT_PREPARED)
    body = render_html(national_content(synthesis), SiteAddresses(consultation))
    db.session.commit()
    return document_response(body, "html")


@bp.get("/synthese-nationale/<slug>/document.<any(html, odt, zip):extension>")
def national_download(slug, extension):
    """Download the national synthesis as HTML, OpenDocument text, or the ZIP bundle with its CSV files."""
    synthesis = national_synthesis(_consultation(slug))
    if synthesis is None:
        return render_error(404, NOT_PREPARED)
    response = national_document(synthesis, extension, f"{NATIONAL_STEM}-{slug}")
    db.session.commit()
    return response


# --- the proposals catalogue ---------------------------------------------------------------------------

class _ListPagination(Pagination):
    """A page of a list already in memory, with the attributes the pagination macro reads."""

    def _query_items(self):
        return list(self._query_args["entries"][self._query_offset:self._query_offset + self.per_page])

    def _query_count(self):
        return len(self._query_args["entries"])


@bp.get("/synthese-nationale/<slug>/propositions")
def national_proposals(slug):
    """List every submitted proposal of the country, filtered by theme, sub-topic, origin and region, with counts."""
    consultation = _consultation(slug)
    themes = theme_choices(consultation)
    regions = db.session.scalars(db.select(Region).order_by(Region.code)).all()
    form = CatalogueFiltersForm(request.args)
    form.set_choices(themes, regions)
    if not form.validate():
        abort(400, description=f"Filtre incorrect. {form.problems()}")
    filters = {
        "theme": form.theme.data or None,
        "subtopic": form.sous_theme.data or None,
        "origin": engine_origin(form.origine.data) if form.origine.data else None,
        "region": form.region.data or None,
    }
    aggregate = national_aggregate(consultation)
    selection = aggregate.catalogue.select(**filters)
    form.add_counts(_facet_counts(aggregate.catalogue, filters))
    page = _ListPagination(page=form.page.data or 1, per_page=CATALOGUE_PAGE_SIZE, max_per_page=None,
                           error_out=False, entries=selection.entries)
    if page.page > max(page.pages, 1):
        abort(404)
    titles = {choice.theme.code: choice.theme.title for choice in themes}
    titles.update((subtopic.code, subtopic.title) for choice in themes for subtopic in choice.subtopics)
    return render_template(
        "ministry/national_proposals.html", consultation=consultation, form=form, page=page,
        total=len(aggregate.catalogue.entries), departments=len(aggregate.departments),
        args=dict(form.query_args(), slug=slug), titles=titles,
        origin_labels={engine: origin.label for origin, engine in ORIGIN_TO_ENGINE.items()},
        **_formatting(),
    )


def _facet_counts(catalogue, filters):
    """Return {parameter: {value: proposals}}: for each filter, what each of its values would select,
    the other filters kept — so that changing one filter shows what it would give."""
    counts = {}
    for parameter, facet in FACETS.items():
        by_value = catalogue.select(**dict(filters, **{facet: None})).counts[facet]
        if facet == "origin":
            by_value = {ORIGIN_PARAMETERS[origin]: number for origin, number in by_value.items()}
        counts[parameter] = by_value
    return counts
