"""Asking a question: validation, confirmation of short or repeated texts, references, follow-up.

A citizen asks without an account. The question gets a reference per department ("13-000124")
and a private follow-up link whose token only the citizen holds (the database keeps its hash).
Operations flush, never commit: the view commits, then sends the acknowledgement queued here.
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_number
from sqlalchemy import false, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, selectinload

from synthesis import french

from ..extensions import db
from ..models import (
    Consultation, Department, Forum, ForumStatus, Question, QuestionContact, QuestionCounter,
    QuestionStatus, RejectionReason, Subtopic, Theme, ThemePart,
)
from ..models.territories import commune_postal_codes
from ..templating import french_date, french_datetime
from ..timeutils import PARIS, utcnow
from . import duplicates
from .agenda import SCHEDULED_STATUSES, paris_today
from .commune_search import search_communes
from .errors import FieldErrors
from .mail import external_url, queue_mail

TEXT_MIN_LENGTH = 20
TEXT_MAX_LENGTH = 2000
DISPLAY_NAME_MAX_LENGTH = 80
EMAIL_MAX_LENGTH = 254
#: Longest commune name or postal code looked up (the longest French commune name has 45 letters).
PLACE_MAX_LENGTH = 100

#: Where a victim can report an offence online instead of asking a question.
PRE_COMPLAINT_URL = "https://www.pre-plainte-en-ligne.gouv.fr/"

#: Follow-up tokens are 43 URL-safe characters; longer text or other characters are not worth a query.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")
#: A form nonce as the form sends it (secrets.token_urlsafe).
NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_POSTAL_CODE = re.compile(r"[0-9]{5}")
#: Control characters have no place in a question; newlines and tabs are kept as text layout.
_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\n\t"} | {chr(c) for c in range(127, 160)}
_BLANK_LINES = re.compile(r"\n{3,}")

#: What each rule of the charter means, for the citizen: on the charter page and the follow-up page.
REJECTION_EXPLANATIONS = {
    RejectionReason.ABUSIVE: (
        "Les propos injurieux, diffamatoires, racistes, sexistes, homophobes ou plus généralement "
        "discriminatoires, ainsi que les appels à la violence ou à la haine, ne sont pas publiés."
    ),
    RejectionReason.POLITICAL: (
        "Les forums ne sont pas une tribune : les messages de propagande politique, électorale, "
        "syndicale ou religieuse ne sont pas publiés."
    ),
    RejectionReason.PERSONS: (
        "Une question ne peut pas mettre en cause une personne désignée ou reconnaissable, qu'il "
        "s'agisse d'un particulier, d'un agent public ou d'un élu."
    ),
    RejectionReason.THIRD_PARTY_DATA: (
        "Les informations qui permettent d'identifier une autre personne (nom, adresse, numéro de "
        "téléphone, plaque d'immatriculation…) ne sont pas publiées. Quand elles ne peuvent pas être "
        "retirées sans changer le sens de la question, la question n'est pas publiée."
    ),
    RejectionReason.EMERGENCY: (
        "Ce site n'est ni un service d'urgence ni un moyen de porter plainte. Le signalement de faits "
        "précis relève du 17 ou du 112, d'un commissariat, d'une brigade de gendarmerie ou de la "
        "pré-plainte en ligne."
    ),
    RejectionReason.OFF_TOPIC: (
        "Les messages sans rapport avec la sécurité au quotidien et les thèmes de la consultation, "
        "incompréhensibles ou publicitaires ne sont pas publiés."
    ),
    RejectionReason.DUPLICATE: (
        "Une question déjà posée dans le département n'est publiée qu'une fois. Vous pouvez soutenir "
        "la question existante : plus elle est soutenue, plus elle est visible."
    ),
}


@dataclass
class QuestionData:
    """A question as the citizen entered it; ids as numbers, texts as typed."""

    theme_id: int | None = None
    subtopic_id: int | None = None
    #: The forum the question is for; None to ask the department.
    forum_id: int | None = None
    #: Required when no forum is chosen; when one is, it must be the forum's department.
    department_code: str | None = None
    text: str = ""
    #: Commune name or postal code, optional, for statistics.
    place: str = ""
    email: str = ""
    display_name: str = ""
    charter_accepted: bool = False
    #: The one-time value of the form that was posted: the same form posted twice is one question.
    form_nonce: str | None = None


class QuestionError(FieldErrors):
    """Raised when a question is refused; ``errors`` maps a field name (or "__all__") to French messages."""


class NeedsConfirmation(Exception):
    """Raised instead of saving when the citizen should confirm: the text is very short or already asked."""

    def __init__(self, short, duplicates):
        #: The text has fewer than duplicates.SHORT_TEXT_WORDS words.
        self.short = short
        #: Published questions of the department the text repeats, which the citizen may support instead.
        self.duplicates = duplicates
        super().__init__("short text" if short else "already asked")


class ReplayedSubmission(Exception):
    """Raised when a form already sent is sent again: ``question`` is the one it created.

    Counters may have moved before the replay was detected: the caller rolls back (when the
    database detected it, submit_question already did).
    """

    def __init__(self, question, token):
        self.question = question
        self.token = token
        super().__init__(question.reference)


@dataclass(frozen=True)
class ValidQuestion:
    """A question that passed every check: what will be stored."""

    consultation: Consultation
    theme: Theme
    subtopic: Subtopic
    forum: Forum | None
    department: Department
    text: str
    commune_code: str | None
    postal_code: str | None
    email: str | None
    display_name: str | None


def clean_text(text):
    """Return the question text as stored: Unicode composed, control characters removed, trimmed."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch for ch in text if ch not in _CONTROL)
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_line(text):
    """Return a one-line field as stored: control characters removed, spaces collapsed."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join("".join(" " if ch in _CONTROL or ch in "\n\t" else ch for ch in text).split())


def forum_accepts_questions(forum, now=None):
    """Tell whether citizens may still ask questions for ``forum``: announced, current, not yet past.

    A forum keeps accepting questions until the end of its day, as it stays "upcoming" on the agenda.
    """
    if forum.status not in SCHEDULED_STATUSES or not forum.consultation.is_current:
        return False
    return forum.starts_at >= datetime.combine(paris_today(now), time(), tzinfo=PARIS)


def open_forums(consultation, department_code, now=None):
    """Return the department's forums that accept questions, soonest first, their commune loaded."""
    start = datetime.combine(paris_today(now), time(), tzinfo=PARIS)
    return db.session.scalars(
        select(Forum)
        .where(Forum.consultation_id == consultation.id, Forum.department_code == department_code,
               Forum.status.in_(SCHEDULED_STATUSES), Forum.starts_at >= start)
        .options(joinedload(Forum.commune))
        .order_by(Forum.starts_at, Forum.id)
    ).all()


def current_themes(consultation):
    """Return the consultation's themes with their parts and sub-topics, for the form."""
    return db.session.scalars(
        select(Theme).where(Theme.consultation_id == consultation.id)
        .options(selectinload(Theme.parts).selectinload(ThemePart.subtopics))
        .order_by(Theme.position)
    ).all()


def submission_rows(department_code, subtopic_id):
    """Return (current consultation, department, sub-topic with its part and theme), read in one query.

    The department or the sub-topic is None when it does not exist (or ``department_code`` or
    ``subtopic_id`` is None), all three when no consultation is current. While the caller holds
    them, validate_question finds them in the session instead of reading them again.
    """
    row = db.session.execute(
        select(Consultation, Department, Subtopic)
        .select_from(Consultation)
        .outerjoin(Department, Department.code == department_code if department_code else false())
        .outerjoin(Subtopic, Subtopic.id == subtopic_id if subtopic_id is not None else false())
        .options(joinedload(Subtopic.part).joinedload(ThemePart.theme))
        .where(Consultation.is_current.is_(True))
    ).first()
    return tuple(row) if row else (None, None, None)


def validate_question(data, now=None, consultation=None):
    """Return the ValidQuestion for ``data``, or raise QuestionError with every problem at once.

    ``consultation`` is the current one when the caller already has it.
    """
    errors = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    consultation = consultation or Consultation.current()
    if consultation is None:
        raise QuestionError.single(
            "Aucune consultation n'est ouverte : les questions ne peuvent pas être reçues pour le moment.")
    # Loaded first with its part and theme, in one query: the theme's check finds it in the session.
    loaded_subtopic = _load_subtopic(data.subtopic_id)
    theme = _check_theme(data.theme_id, consultation, add)
    subtopic = _check_subtopic(data.subtopic_id, loaded_subtopic, theme, consultation, add)
    forum, department = _check_target(data, consultation, now, add)
    text = clean_text(data.text)
    if not text:
        add("text", "Saisissez votre question.")
    elif len(text) < TEXT_MIN_LENGTH:
        add("text", f"Votre question doit compter au moins {TEXT_MIN_LENGTH} caractères "
                    f"(elle en compte {len(text)}) : précisez-la.")
    elif len(text) > TEXT_MAX_LENGTH:
        add("text", f"Votre question ne doit pas dépasser {format_number(TEXT_MAX_LENGTH)} caractères "
                    f"(elle en compte {format_number(len(text))}) : résumez-la.")
    commune_code, postal_code = _check_place(data.place, department, add)
    email = _check_email(data.email, add)
    display_name = clean_line(data.display_name)
    if len(display_name) > DISPLAY_NAME_MAX_LENGTH:
        add("display_name", f"Le nom affiché ne doit pas dépasser {DISPLAY_NAME_MAX_LENGTH} caractères "
                            f"(il en compte {len(display_name)}).")
    if not data.charter_accepted:
        add("charter_accepted", "Acceptez la charte de modération pour envoyer votre question.")
    if errors:
        raise QuestionError(errors)
    return ValidQuestion(consultation, theme, subtopic, forum, department, text, commune_code, postal_code,
                         email, display_name or None)


def submit_question(data, confirmed=False, now=None, consultation=None):
    """Save the question and queue its acknowledgement; return (question, follow-up token).

    Raises QuestionError when invalid, NeedsConfirmation when the text is very short or repeats a
    published question (unless ``confirmed``), ReplayedSubmission when the same form was already
    saved. ``consultation`` is the current one when the caller already has it. Flushes only; on
    any of these errors the caller rolls back (a replay found by the database on the insert is
    already rolled back here, the transaction being unusable).
    """
    valid = validate_question(data, now, consultation)
    token = _followup_token(valid, data.form_nonce)
    fingerprint = french.fingerprint(valid.text)
    question = Question(
        consultation_id=valid.consultation.id,
        department_code=valid.department.code,
        forum_id=valid.forum.id if valid.forum else None,
        theme_id=valid.theme.id,
        subtopic_id=valid.subtopic.id,
        text=valid.text,
        fingerprint=fingerprint,
        commune_code=valid.commune_code,
        postal_code=valid.postal_code,
        status=QuestionStatus.PENDING,
        followup_token_hash=Question.hash_token(token),
        submitted_at=now or utcnow(),
    )
    question.set_public_text(valid.text)
    if not confirmed:
        short = duplicates.is_short(valid.text)
        repeated = duplicates.published_duplicates(valid.department.code, valid.consultation.id, valid.text,
                                                   fingerprint=fingerprint, terms=question.search_text.split())
        if short or repeated:
            # A form sent again after its question was published repeats itself: a replay, not a question.
            _refuse_replay(data, token)
            raise NeedsConfirmation(short, repeated)
    # The counter row stays locked until the transaction ends: everything that can be worked out
    # before (terms, hashes, duplicates) was, to hold the lock for two statements and the commit.
    question.reference = allocate_reference(valid.department.code)
    if valid.email or valid.display_name:
        question.contact = QuestionContact(email=valid.email, display_name=valid.display_name)
    db.session.add(question)
    try:
        db.session.flush()
    except IntegrityError:
        # The follow-up token is unique: the same form was saved before, or by a twin sent at the
        # same moment, which the database made this one wait for. Nothing of this one is kept.
        db.session.rollback()
        _refuse_replay(data, token)
        raise
    if valid.email:
        subject, body = acknowledgement(question, valid, token)
        queue_mail("acknowledgement", valid.email, subject, body, question=question,
                   dedupe_key=f"acknowledgement:{question.id}")
    return question, token


def allocate_reference(department_code):
    """Return the department's next reference ("13-000124"); its counter stays locked until commit."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(QuestionCounter)
    # One statement creates the department's counter or moves it on, and locks its row.
    number = db.session.execute(
        insert.values(department_code=department_code, last_number=1)
        .on_conflict_do_update(index_elements=["department_code"],
                               set_={"last_number": QuestionCounter.last_number + 1})
        .returning(QuestionCounter.last_number)
    ).scalar_one()
    return f"{department_code}-{number:06d}"


def question_for_token(token, *options):
    """Return the question whose private follow-up token is ``token`` (loaded with ``options``), or None."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    # Looked up by hash: a lookup's timing reveals nothing about the token of another question.
    return db.session.scalar(
        select(Question).where(Question.followup_token_hash == Question.hash_token(token)).options(*options))


def _refuse_replay(data, token):
    """Raise ReplayedSubmission when the form of ``data`` already created a question."""
    if data.form_nonce:
        existing = question_for_token(token)
        if existing is not None:
            raise ReplayedSubmission(existing, token)


def _followup_token(valid, nonce):
    """Return a new follow-up token: random, or derived from the form's nonce and content.

    Derived with the secret key, the token is as unguessable as a random one, yet the same form
    posted twice gives the same token, hence finds the question it already created. The nonce is
    never stored: the database alone cannot rebuild a token.
    """
    if not nonce:
        return secrets.token_urlsafe(32)
    content = json.dumps([
        nonce, valid.theme.id, valid.subtopic.id, valid.forum.id if valid.forum else None, valid.department.code,
        valid.text, valid.commune_code, valid.postal_code, valid.email, valid.display_name,
    ], ensure_ascii=False)
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"question-followup\0" + content.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _check_theme(theme_id, consultation, add):
    if theme_id is None:
        add("theme_id", "Choisissez le thème de votre question.")
        return None
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.consultation_id != consultation.id:
        add("theme_id", "Ce thème n'existe pas dans la consultation en cours : choisissez l'un des thèmes proposés.")
        return None
    return theme


def _load_subtopic(subtopic_id):
    if subtopic_id is None:
        return None
    return db.session.get(Subtopic, subtopic_id, options=[joinedload(Subtopic.part).joinedload(ThemePart.theme)])


def _check_subtopic(subtopic_id, subtopic, theme, consultation, add):
    """Return the sub-topic ``subtopic_id`` (``subtopic``, loaded) when it fits the consultation and theme."""
    if subtopic_id is None:
        add("subtopic_id", "Choisissez le sous-thème de votre question.")
        return None
    if subtopic is None or subtopic.part.theme.consultation_id != consultation.id:
        add("subtopic_id", "Ce sous-thème n'existe pas dans la consultation en cours : choisissez l'un des "
                           "sous-thèmes proposés.")
        return None
    if theme is not None and subtopic.part.theme_id != theme.id:
        add("subtopic_id", f"Le sous-thème « {subtopic.title} » relève d'un autre thème : choisissez un "
                           f"sous-thème du thème « {theme.title} », ou changez de thème.")
        return None
    return subtopic


def _check_target(data, consultation, now, add):
    """Return (forum or None, department) the question is asked to."""
    department = db.session.get(Department, data.department_code) if data.department_code else None
    if data.department_code and department is None:
        add("department_code", "Ce département n'existe pas : choisissez votre département dans la liste.")
        return None, None
    if data.forum_id is None:
        if department is None:
            add("department_code", "Choisissez le département auquel s'adresse votre question.")
        return None, department
    forum = db.session.get(Forum, data.forum_id)
    if forum is None or forum.status is ForumStatus.DRAFT or forum.consultation_id != consultation.id:
        add("forum_id", "Ce forum n'existe pas dans la consultation en cours : choisissez un forum de la "
                        "liste, ou adressez votre question au département.")
        return None, department
    if department is not None and forum.department_code != department.code:
        add("forum_id", "Ce forum n'a pas lieu dans le département choisi : choisissez un forum de la liste.")
        return None, department
    if forum.status is ForumStatus.CANCELLED:
        add("forum_id", "Ce forum est annulé. Adressez votre question au département : la préfecture y "
                        "répondra.")
        return None, forum.department
    if not forum_accepts_questions(forum, now):
        add("forum_id", f"Ce forum a déjà eu lieu ({french_date(forum.starts_at.astimezone(PARIS))}). "
                        "Adressez votre question au département : la préfecture y répondra.")
        return None, forum.department
    return forum, forum.department


def _check_place(place, department, add):
    """Return (commune code, postal code) for a commune name or postal code, both optional.

    The place is for statistics on where askers live, which may be outside the department they
    ask: any French commune is accepted. A postal code must exist; a name must designate one
    commune (the target department's when several share the name).
    """
    place = clean_line(place)[:PLACE_MAX_LENGTH]
    if not place:
        return None, None
    compact = place.replace(" ", "")
    if compact.isdigit():
        if not _POSTAL_CODE.fullmatch(compact):
            add("place", "Un code postal compte cinq chiffres, par exemple 13100.")
            return None, None
        communes = db.session.scalars(
            select(commune_postal_codes.c.commune_code).where(commune_postal_codes.c.postal_code == compact)
        ).all()
        if not communes:
            add("place", f"Aucune commune n'a le code postal {compact} : vérifiez-le, ou laissez ce champ vide.")
            return None, None
        return (communes[0] if len(communes) == 1 else None), compact
    matches = search_communes(place)
    commune = matches.chosen
    if commune is None and matches.exact_count > 1 and department is not None:
        local = [c for c in matches.communes[:matches.exact_count] if c.department_code == department.code]
        commune = local[0] if len(local) == 1 else None
    if commune is None:
        if matches.communes:
            add("place", f"Plusieurs communes correspondent à « {place} » : indiquez plutôt votre code postal.")
        else:
            add("place", f"Aucune commune ne s'appelle « {place} » : vérifiez l'orthographe ou indiquez votre "
                         "code postal.")
        return None, None
    postal_codes = commune.postal_codes.split()
    return commune.code, postal_codes[0] if len(postal_codes) == 1 else None


def _check_email(email, add):
    email = (email or "").strip()
    if not email:
        return None
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise EmailNotValidError("too long")
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        add("email", "Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr, "
                     "ou laissez ce champ vide.")
        return None


def target_label(forum, department):
    """Return to whom the question is asked, in French: the forum and its date, or the prefecture."""
    if forum is not None:
        commune = f" à {forum.commune.name}" if forum.commune else ""
        return f"le forum « {forum.title} » du {french_datetime(forum.starts_at)}{commune}"
    return f"la préfecture, pour le département {department.label}"


def acknowledgement(question, valid, token):
    """Return (subject, body) of the acknowledgement e-mail: plain French text.

    It repeats nothing the citizen typed (neither the text nor the name): anyone can type any
    address, and the ministry's mail must not carry a stranger's words to it.
    """
    days = current_app.config["QUESTION_HANDLING_DAYS"]
    subject = f"Votre question a bien été reçue – référence {question.reference}"
    body = f"""Bonjour,

Nous avons bien reçu votre question, le {french_datetime(question.submitted_at)}.

Référence : {question.reference}
Thème : {valid.theme.title}
Sous-thème : {valid.subtopic.title}
Adressée à : {target_label(valid.forum, valid.department)}

Votre question va être examinée au regard de la charte de modération avant toute publication.
Vous serez fixé dans un délai de {days} jours ouvrés : publication ou motif de non-publication,
puis réponse de la préfecture ou prise en compte lors d'un forum. Vous recevrez un courriel
lorsque la préfecture aura répondu.

Suivez le traitement de votre question à cette adresse personnelle :
{external_url("public.question_followup", token=token)}
Conservez-la et ne la communiquez pas : elle seule permet de suivre votre question.

La charte de modération :
{external_url("public.moderation_charter")}

Ce site n'est pas un service d'urgence. En cas d'urgence, composez le 17 ou le 112.
Pour signaler une infraction, vous pouvez effectuer une pré-plainte en ligne :
{PRE_COMPLAINT_URL}

Si vous n'avez pas posé de question sur le site des forums de sécurité, ignorez ce message :
aucune suite ne lui sera donnée sans votre participation.

Ce message est envoyé automatiquement, merci de ne pas y répondre.

Ministère de l'Intérieur – Forums de sécurité
« {valid.consultation.name} »
"""
    return subject, body


@dataclass(frozen=True)
class TimelineStep:
    """One step of a question's history, as the follow-up page shows it."""

    #: "received", "moderation", "published", "rejected", "merged", "awaiting_answer", "answered", "addressed".
    kind: str
    title: str
    #: When it happened; None for a step still to come.
    at: datetime | None = None
    done: bool = True
    detail: str = ""
    reason: RejectionReason | None = None
    reason_explanation: str = ""
    #: The moderator's note to the citizen, or the answer (Markdown) for "answered".
    note: str = ""
    #: The question this one was merged into, when it is public.
    question: Question | None = None
    #: The forum where the question was taken up.
    forum: Forum | None = None


def followup_timeline(question):
    """Return the steps of ``question``'s history, oldest first, then the step to come if any."""
    steps = [TimelineStep("received", "Question reçue", question.submitted_at,
                          detail=f"Enregistrée sous la référence {question.reference}.")]
    if question.status is QuestionStatus.PENDING:
        steps.append(TimelineStep("moderation", "Examen par la modération", done=False,
                                  detail="Votre question est lue par un modérateur avant toute publication."))
        return steps
    if question.status is QuestionStatus.REJECTED:
        reason = question.rejection_reason
        steps.append(TimelineStep(
            "rejected", "Question non publiée", question.moderated_at,
            detail="Votre question ne respecte pas la charte de modération.",
            reason=reason, reason_explanation=REJECTION_EXPLANATIONS.get(reason, "") if reason else "",
            note=question.rejection_note,
        ))
        return steps
    answered_by = question
    if question.status is QuestionStatus.MERGED:
        original = _merge_target(question)
        public = original if original is not None and original.status is QuestionStatus.PUBLISHED else None
        steps.append(TimelineStep(
            "merged", "Regroupée avec une question identique", question.moderated_at,
            detail=(f"Une question identique, {public.reference}, a déjà été posée : votre question la rejoint "
                    "et en suit la réponse." if public else
                    "Une question identique a déjà été posée : votre question la rejoint et en suit la réponse."),
            question=public,
        ))
        if public is None:
            return steps
        answered_by = public
    else:
        edited = question.public_text != question.text
        steps.append(TimelineStep(
            "published", "Question publiée", question.moderated_at,
            detail=("Elle est visible sur le site. Pour respecter la charte, des informations personnelles ont "
                    "été retirées du texte publié." if edited else "Elle est visible sur le site."),
        ))
    after = []
    if answered_by.answered_at is not None:
        after.append(TimelineStep("answered", "Réponse de la préfecture", answered_by.answered_at,
                                  note=answered_by.answer_text))
    if answered_by.addressed_at is not None:
        forum = answered_by.addressed_forum
        when = f"du {french_date(forum.starts_at.astimezone(PARIS))}" if forum is not None else ""
        after.append(TimelineStep("addressed", f"Question traitée lors du forum {when}".strip(),
                                  answered_by.addressed_at, forum=forum,
                                  detail=f"« {forum.title} »" if forum is not None else ""))
    if not after:
        after.append(TimelineStep("awaiting_answer", "Réponse de la préfecture", done=False,
                                  detail="La préfecture répondra sur le site, ou la question sera abordée "
                                         "lors d'un forum."))
    steps.extend(sorted(after, key=lambda step: step.at))
    return steps


def _merge_target(question):
    """Return the question a merged one finally points to, following merges of merges."""
    seen = {question.id}
    target = question.merged_into
    while target is not None and target.status is QuestionStatus.MERGED and target.merged_into_id not in seen:
        seen.add(target.id)
        target = target.merged_into
    return target
