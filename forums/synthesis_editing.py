"""Editing a synthesis part by part, section by section: shared by the prefecture's and the ministry's pages.

Each section shows the engine's block read-only beside the agent's own text, with the numbers
the text cites flagged when the figures they stood for have changed. The form carries, for every
section shown, the version of the text it showed (``based_on``): a section a colleague saved in
the meantime is refused with the typed text kept (see forums.services.syntheses.write_texts).
"""
import json
import re
from dataclasses import dataclass, field

from flask import request
from flask_wtf import FlaskForm
from wtforms import FieldList, HiddenField, TextAreaField
from wtforms.validators import ValidationError

from synthesis.citations import figure_values, outdated_citations
from synthesis.document import DIAGNOSIS, INSIGHT, PROPOSALS
from synthesis.figure_tables import figure_label
from synthesis.typography import format_decimal, format_number, guillemets

from .extensions import db
from .services.syntheses import SynthesisError, TextConflict
from .services.synthesis_content import read_texts

#: The parts as their addresses name them, in the document's order.
PART_SLUGS = {"eclairage": INSIGHT, "diagnostic": DIAGNOSIS, "propositions": PROPOSALS}
SLUG_OF_PART = {key: slug for slug, key in PART_SLUGS.items()}
MARKDOWN_HINT = ("Mise en forme Markdown : **gras**, *italique*, listes commençant par « - », intertitres "
                 "commençant par « #### ». Le code HTML et les scripts sont neutralisés.")
#: A footnote marker of a generated block: shown alone, a block has no notes to point to.
_MARKER = re.compile(r"\[\^[a-z]+\d+\]")


class PartTextsForm(FlaskForm):
    """The agent's text of every section of one part, and the versions the form showed."""

    texts = FieldList(TextAreaField(render_kw={"rows": 6}))
    based_on = HiddenField()

    def validate_based_on(self, field):
        """Refuse a form whose versions are not the JSON the page wrote."""
        try:
            versions = json.loads(field.data or "")
        except ValueError:
            versions = None
        if not isinstance(versions, dict) or not all(
                isinstance(key, str) and isinstance(value, int) for key, value in versions.items()):
            raise ValidationError("Le formulaire est incomplet : rechargez la page, votre texte est conservé.")

    def fill(self, part, texts):
        """Show the stored text of each section of ``part`` and remember the versions shown."""
        while len(self.texts):
            self.texts.pop_entry()
        for section in part.sections:
            self.texts.append_entry(texts.text(section.key))
        self.based_on.data = json.dumps({section.key: texts.version(section.key) for section in part.sections})

    def rebase(self, texts):
        """Make the form carry the versions saved now: saving it again is then a decision taken knowingly."""
        self.based_on.data = json.dumps({key: texts.version(key) for key in self.keys()})

    def keys(self):
        """Return the section keys the form was made for, in order."""
        return list(json.loads(self.based_on.data))

    def versions(self):
        """Return {section key: version shown}."""
        return json.loads(self.based_on.data)

    def section_texts(self):
        """Return {section key: text typed}; ValueError when the form does not match its sections."""
        keys = self.keys()
        if len(keys) != len(self.texts.entries):
            raise ValueError("the form's texts do not match its sections")
        return {key: entry.data or "" for key, entry in zip(keys, self.texts.entries)}

    def label_entries(self, part):
        """Give each section a text area, labelled with its title (a tampered form may have sent fewer)."""
        while len(self.texts) < len(part.sections):
            self.texts.append_entry("")
        for section, entry in zip(part.sections, self.texts.entries):
            entry.label.text = (f"Votre texte — {section.title}" if section.title
                                else "Votre texte en introduction de la partie")

    def show_errors(self, part, errors):
        """Put a SynthesisError's messages next to their sections; the others go to the alert on top."""
        positions = {section.key: index for index, section in enumerate(part.sections)}
        for key, messages in errors.items():
            if key in positions and positions[key] < len(self.texts.entries):
                entry = self.texts.entries[positions[key]]
                entry.errors = list(entry.errors) + list(messages)
            else:
                self.form_errors.extend(messages)


@dataclass(frozen=True)
class SectionView:
    """One section as the edit page shows it."""

    key: str
    title: str
    #: The generated block's Markdown, footnote markers removed.
    generated: str
    hint: str
    #: French sentences flagging the numbers of the agent's text whose figures have changed.
    flags: tuple[str, ...]
    #: The colleague's text, when a save was refused because they changed the section meanwhile.
    conflict: str | None = None


def section_views(part, texts, generated, conflicts=None):
    """Return the SectionViews of a part: its blocks, hints, flags and any conflicting text."""
    values = figure_values(generated.figures)
    conflicts = conflicts or {}
    views = []
    for section in part.sections:
        entry = texts.sections.get(section.key)
        outdated = outdated_citations(entry.cited, values) if entry else []
        conflict = conflicts.get(section.key)
        views.append(SectionView(
            section.key, section.title, _MARKER.sub("", section.markdown), section.hint,
            tuple(citation_message(item, generated.draft.tables) for item in outdated),
            conflict.text if conflict is not None else None,
        ))
    return views


def citation_message(outdated, tables):
    """Return the French sentence flagging one cited number whose figure has changed."""
    citation = outdated.citation
    path, now = outdated.now[0]
    return (f"Vous citez {guillemets(citation.text)} : c’était la valeur du {figure_label(path, tables)} quand "
            f"vous l’avez écrit ; elle est maintenant de {_number(now)}.")


def _number(value):
    return format_number(int(value)) if float(value).is_integer() else format_decimal(value)


#: Said when a posted form no longer matches the part's sections (a consultation's themes changed).
SECTIONS_CHANGED = ("Les sections de cette partie ont changé depuis l'ouverture du formulaire : "
                    "copiez votre texte, rechargez la page et reportez-le.")


@dataclass
class PartEdit:
    """What one request on a part's edit page came to: saved, or the page to show again and its status."""

    form: PartTextsForm
    status: int = 200
    saved: bool = False
    #: The form no longer matches the part's sections: the request is refused (400).
    stale_form: bool = False
    #: The part as it would read with the typed texts, when a preview was asked.
    preview: object = None
    conflicts: dict = field(default_factory=dict)

    @property
    def has_errors(self):
        """Tell whether the page must show the form's errors."""
        form = self.form
        return bool(form.errors or form.form_errors or any(entry.errors for entry in form.texts.entries))

    def page(self, synthesis, generated, part):
        """Return what the edit page shows: the sections with their flags, the preview, the errors."""
        self.form.label_entries(part)
        return {"form": self.form, "part": part, "parts": generated.draft.parts, "preview": self.preview,
                "views": section_views(part, read_texts(synthesis), generated, self.conflicts),
                "markdown_hint": MARKDOWN_HINT, "has_errors": self.has_errors}


def edit_part(synthesis, generated, part, save, render_part):
    """Handle a request on a part's edit page: show the form, preview the part, or save the texts.

    ``save(texts, versions)`` stores the texts (an operation raising SynthesisError or
    TextConflict); ``render_part(markdown)`` returns the preview's HTML. A save that succeeds is
    left to the caller to commit; a refused one is rolled back, its typed text kept on the form.
    """
    form = PartTextsForm()
    outcome = PartEdit(form)
    if not form.is_submitted():
        form.fill(part, read_texts(synthesis))
        return outcome
    if not form.validate():
        outcome.status = 400
        return outcome
    try:
        texts = form.section_texts()
    except ValueError:
        outcome.stale_form, outcome.status = True, 400
        return outcome
    if request.form.get("action") == "preview":
        merged = read_texts(synthesis).markdowns() | texts
        outcome.preview = render_part(generated.draft.part_markdown(part.key, merged))
        return outcome
    try:
        save(texts, form.versions())
    except TextConflict as error:
        db.session.rollback()
        outcome.conflicts, outcome.status = error.current, 409
        form.show_errors(part, error.errors)
        form.rebase(read_texts(synthesis))
    except SynthesisError as error:
        db.session.rollback()
        outcome.status = 400
        form.show_errors(part, error.errors)
    else:
        outcome.saved = True
    return outcome
