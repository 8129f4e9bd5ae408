"""Documents written by the synthesis engine itself, for the renderers' tests: no database needed."""
import json

from forums.documents.content import content_from_draft
from synthesis import sources
from synthesis.concerns import department_concerns
from synthesis.drafting import draft_department_synthesis
from synthesis.figures import department_figures
from synthesis.national import aggregate_national, department_result, draft_national_synthesis

from ..synthesis.fixtures import corpus_department, fixture_department

#: What a reader must never see: the stored form of sources, link targets, footnote syntax.
INTERNAL_KEYS = ("source:", "[Q ", "[Chiffre", "CR forum", "[^", "Préoccupation ")

#: The agents' own text of a few sections, as they write it.
TEXTS = {
    "insight.analysis": "La préfecture note une **forte attente** de présence policière le soir.",
    "diagnosis.analysis": "- Un dialogue franc avec la gendarmerie\n- Des élus présents",
    "proposals.own": "Renforcer les patrouilles pédestres le soir.",
}
STATUS = "Projet de synthèse : document de travail, non transmis au ministère."
NOTICES = ("Synthèse transmise avant la date limite : 1 forum reste à tenir.",)


def links(ref):
    """Give questions their public page and minutes their file in the ZIP; other sources have no address."""
    if ref.kind == sources.QUESTION:
        return f"https://forums.example.gouv.fr/questions/{ref.key}"
    if ref.kind == sources.MINUTES:
        return f"comptes-rendus/compte-rendu {ref.key}.html"
    return None


def department_draft():
    """Return the engine's Draft of the hand-built department 13."""
    department = fixture_department()
    return draft_department_synthesis(department, department_figures(department), department_concerns(department))


def department_content(texts=TEXTS, notices=NOTICES):
    """Return the DocumentContent of department 13's synthesis, with the agents' ``texts``."""
    return content_from_draft(department_draft(), texts, STATUS, notices)


def _result(department):
    figures = department_figures(department)
    concerns = department_concerns(department)
    draft = draft_department_synthesis(department, figures, concerns)
    parts = {part.key: draft.part_markdown(part.key) for part in draft.parts}
    return department_result(department, figures, concerns, parts)


def national_draft():
    """Return the engine's Draft of the national synthesis of three departments, read back from JSON as stored."""
    results = [_result(fixture_department()), _result(corpus_department(code="84", name="Vaucluse")),
               _result(corpus_department(code="30", name="Gard", region=("76", "Occitanie")))]
    return draft_national_synthesis(aggregate_national(json.loads(json.dumps(result.to_dict()))
                                                       for result in results))


def national_content():
    """Return the DocumentContent of the national synthesis."""
    return content_from_draft(national_draft(), {}, "Synthèse nationale établie à partir de 3 synthèses.")


def definitions(content):
    """Return how many footnotes the parts of ``content`` define."""
    return sum(part.markdown.count("\n[^") for part in content.parts)
