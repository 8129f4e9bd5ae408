"""A national-scale data set for measuring the syntheses: every department, its forums, questions, minutes.

``seed_bench`` fills a dedicated consultation (slug ``bench`` by default, themes copied from the
2009 consultation) the way a whole country would: forums covering each department's cantons (or
communes in Martinique and Guyane), mostly held, some published or cancelled; citizens' questions
spread by population, in French, on every sub-topic, moderated, answered, merged or taken up at
a forum; minutes with attendance, topics, strengths, weaknesses and proposals for every held
forum. The same seed gives the same texts, dates and statuses.

Rows are written with SQLAlchemy Core in batches, not as ORM objects: a million questions take
minutes, not hours. Primary keys of forums, minutes and questions are given here so that rows
can refer to each other without reading anything back; PostgreSQL's sequences are moved past
them at the end. No other process may write these tables meanwhile: never run it in production.
Search terms and fingerprints are those the app computes (synthesis.french), worked out once
per sentence: both are word by word, so a text made of sentences joined by spaces has the terms
of its sentences joined by spaces.

Seeding the same consultation again first deletes what the previous seed wrote in it.
"""
import bisect
import hashlib
import itertools
import math
import random
import time as clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import numpy as np
from flask import current_app
from sqlalchemy import delete, func, select, update

from synthesis import french

from ..extensions import db
from ..models import (
    AttendanceCategory, Canton, CantonKind, Commune, Consultation, Department, DepartmentSynthesis, Forum,
    ForumStatus, Minutes, MinutesAttachment, MinutesTopic, MinutesVersion, NationalSynthesis, OutgoingMail,
    Proposal, ProposalOrigin, Question, QuestionContact, QuestionCounter, QuestionSimilarityKey, QuestionStatus,
    QuestionSupport, RejectionReason, Speaker, SpeakerKind, Subtopic, SynthesisAnnex, Theme, ThemePart,
)
from ..models.forums import Invitee, ForumDateChange, forum_cantons, forum_communes
from ..models.territories import Arrondissement, commune_cantons
from ..timeutils import PARIS
from .audit import record_event
from . import similarity_index
from .consultations import DATA_DIR, load_consultation_file, seed_consultation

#: The consultation the bench writes into, unless told otherwise.
DEFAULT_SLUG = "bench"
#: Marks a consultation created by the bench: only such a consultation may be emptied and refilled.
BENCH_MARK = "(banc d'essai)"
#: Rows per INSERT batch.
BATCH_SIZE = 5000

#: Share of each department's scheduled forums that are held (each held forum gets minutes); the
#: rest are published, not held yet.
HELD_SHARE = 0.85
#: Cancelled forums, on top of the scheduled ones: a cancelled meeting is replaced by another
#: forum of the same cantons, so the department stays covered.
CANCELLED_SHARE = 0.05
#: Moderation outcomes of questions, as drawn.
QUESTION_STATUS_WEIGHTS = {
    QuestionStatus.PUBLISHED: 70, QuestionStatus.PENDING: 15, QuestionStatus.REJECTED: 10,
    QuestionStatus.MERGED: 5,
}
#: Share of questions asked for one forum rather than to the department.
FORUM_QUESTION_SHARE = 0.65
#: Of published questions: answered in writing, taken up at their (held) forum.
ANSWERED_SHARE = 0.3
ADDRESSED_SHARE = 0.35
#: Share of questions giving their commune (optional in the form).
COMMUNE_SHARE = 0.5

#: How often citizens write on each sub-topic of the 2009 consultation.
SUBTOPIC_WEIGHTS = {
    "1.A.1": 9, "1.A.2": 2, "1.A.3": 3, "1.A.4": 2, "1.A.5": 2,
    "1.B.1": 14, "1.B.2": 12, "1.B.3": 5, "1.B.4": 8, "1.B.5": 4, "1.B.6": 3, "1.B.7": 12, "1.B.8": 4,
    "2.A.1": 6, "2.A.2": 2, "2.A.3": 3, "2.A.4": 8,
    "2.B.1": 5, "2.B.2": 2,
}

#: What citizens write, per sub-topic; slots are filled from the lists below.
SENTENCES = {
    "1.A.1": [
        "La vidéo protection installée près de {lieu} est-elle vraiment regardée {moment} ?",
        "Qui peut consulter les images de la vidéo protection et combien de temps sont-elles conservées ?",
        "Pourquoi ne pas étendre la vidéo protection aux abords de {lieu} où les dégradations sont fréquentes ?",
        "Je m'inquiète pour le respect de la vie privée des riverains face aux caméras de {lieu}.",
        "Les caméras de vidéo protection ont-elles permis d'élucider des cambriolages dans notre {habitat} ?",
    ],
    "1.A.2": [
        "Combien de temps reste-t-on inscrit dans les fichiers de police après une simple audition ?",
        "Comment vérifier les informations qui me concernent dans les fichiers de police ?",
        "Les fichiers de police sont-ils partagés avec la police municipale de notre {habitat} ?",
    ],
    "1.A.3": [
        "Mon fils a été harcelé sur les réseaux sociaux {moment} : qui contacter pour la cybercriminalité ?",
        "Comment porter plainte pour un piratage de compte bancaire sans se déplacer jusqu'à {lieu} ?",
        "Les enquêteurs spécialisés en cybercriminalité sont-ils présents dans le département ?",
    ],
    "1.A.4": [
        "Pourquoi la police technique et scientifique ne vient-elle pas après chaque cambriolage ?",
        "Les gendarmes de notre {habitat} disposent-ils d'équipements modernes et de véhicules en bon état ?",
        "Les relevés d'empreintes après un vol de voiture près de {lieu} sont-ils vraiment exploités ?",
    ],
    "1.A.5": [
        "Comment sont encadrées les manifestations qui bloquent {lieu} {moment} ?",
        "Les rassemblements festifs sauvages {moment} près de {lieu} troublent l'ordre public.",
        "Qui décide des moyens de maintien de l'ordre lors des matchs au {lieu} ?",
    ],
    "1.B.1": [
        "Les cambriolages augmentent {moment} dans notre {habitat} depuis {duree}.",
        "L'opération tranquillité vacances existe-t-elle encore pour les maisons isolées du {habitat} ?",
        "Après le cambriolage de ma maison, personne n'a relevé d'empreintes, est-ce normal ?",
        "Des vols de voitures ont lieu {moment} près de {lieu} sans aucune interpellation.",
        "Les vols à la roulotte sur le parking de {lieu} sont devenus quotidiens.",
        "Que faire face aux cambriolages répétés des commerces autour de {lieu} ?",
    ],
    "1.B.2": [
        "La vitesse excessive des voitures devant {lieu} met les enfants en danger.",
        "Un radar pédagogique est-il prévu à l'entrée du {habitat} ?",
        "Les contrôles d'alcoolémie sont trop rares {moment} à la sortie des discothèques.",
        "Sur la départementale, la vitesse excessive des motos est un vrai danger {moment}.",
        "Le stationnement gênant devant {lieu} oblige les piétons à marcher sur la chaussée.",
        "Les rodéos de deux-roues {moment} dans le {habitat} sont dangereux et bruyants.",
    ],
    "1.B.3": [
        "Comment sont accueillies les femmes victimes de violences conjugales à la gendarmerie ?",
        "Une voisine subit des violences conjugales : à qui s'adresser sans la mettre en danger ?",
        "Existe-t-il un intervenant social pour les violences intrafamiliales dans le {habitat} ?",
        "Les victimes de violences conjugales peuvent-elles être hébergées en urgence près de {lieu} ?",
    ],
    "1.B.4": [
        "Le trafic de stupéfiants se fait au grand jour {moment} près de {lieu}.",
        "Des jeunes dealent devant {lieu} depuis {duree} : que fait la police ?",
        "Comment lutter contre le trafic de stupéfiants aux abords du {lieu} ?",
        "Les seringues retrouvées près de {lieu} inquiètent les parents d'élèves.",
    ],
    "1.B.5": [
        "Les personnes âgées isolées du {habitat} sont-elles protégées contre les vols par ruse ?",
        "Quelle aide aux victimes existe après une agression près de {lieu} ?",
        "Les victimes sont-elles informées des suites données à leur plainte ?",
    ],
    "1.B.6": [
        "La pré-plainte en ligne fonctionne-t-elle pour un vol de {objet} ?",
        "Peut-on joindre la brigade par une boîte aux lettres électronique plutôt que se déplacer ?",
        "Pourquoi faut-il encore se déplacer jusqu'à {lieu} pour une simple déclaration de perte ?",
    ],
    "1.B.7": [
        "On ne voit plus de patrouilles à pied {moment} près de {lieu}.",
        "Le sentiment d'insécurité progresse {moment} dans notre {habitat} depuis {duree}.",
        "Les habitants souhaitent des patrouilles plus régulières autour de {lieu}.",
        "Les incivilités empoisonnent la vie {moment} autour de {lieu} sans aucune présence policière.",
        "Les gendarmes devraient être plus visibles sur le terrain, surtout {moment}.",
    ],
    "1.B.8": [
        "La brigade de gendarmerie du {habitat} est fermée {moment} : où s'adresser ?",
        "L'accueil au commissariat est long et sans confidentialité pour les victimes.",
        "Les horaires d'ouverture de la gendarmerie ne sont pas adaptés aux personnes qui travaillent.",
    ],
    "2.A.1": [
        "La police municipale n'est présente qu'en journée, pourquoi pas {moment} ?",
        "Quel est le rôle exact de la police municipale par rapport à la gendarmerie près de {lieu} ?",
        "Les horaires de la police municipale ne sont pas adaptés aux commerçants du {habitat}.",
        "Notre {habitat} pourrait-il partager une police municipale avec les communes voisines ?",
    ],
    "2.A.2": [
        "Les agents de sécurité privée de {lieu} ont-ils le droit de contrôler les sacs ?",
        "La sécurité privée remplace-t-elle peu à peu la police dans les zones commerciales ?",
        "Qui contrôle les sociétés de sécurité privée qui surveillent {lieu} {moment} ?",
    ],
    "2.A.3": [
        "Les réseaux de voisins vigilants existent-ils pour les personnes âgées du {habitat} ?",
        "Comment associer les associations de jeunesse à la prévention autour de {lieu} ?",
        "Le conseil local de sécurité se réunit-il encore dans notre {habitat} ?",
    ],
    "2.A.4": [
        "Les incivilités se multiplient {moment} autour de {lieu} : tags, dégradations, bruit.",
        "La prévention de la délinquance des mineurs manque de moyens dans notre {habitat}.",
        "Les incivilités des jeunes près de {lieu} restent sans réponse depuis {duree}.",
        "Les parents pourraient être davantage associés à la prévention de la délinquance.",
    ],
    "2.B.1": [
        "Ma mère a été victime d'une escroquerie sur internet en achetant un {objet}.",
        "Les escroqueries sur internet visent les personnes âgées du {habitat}.",
        "Comment signaler une arnaque par courriel sans se déplacer jusqu'à {lieu} ?",
        "Le dispositif alerte-enlèvement est-il relayé par les panneaux lumineux de {lieu} ?",
    ],
    "2.B.2": [
        "Comment devenir réserviste de la gendarmerie quand on habite le {habitat} ?",
        "Le service citoyen volontaire est-il ouvert aux retraités ?",
        "La réserve opérationnelle pourrait-elle renforcer les patrouilles {moment} près de {lieu} ?",
    ],
}
#: Written before or after a question, now and then: courtesy the concerns analysis sets aside.
OPENERS = ["Bonjour,", "Madame, Monsieur,", "Bonsoir,", "Bonjour à tous,"]
CLOSERS = ["Merci.", "Cordialement.", "Merci beaucoup.", "Bien cordialement."]
LIEUX = ["la gare", "l'école maternelle", "la place du marché", "la mairie", "le collège", "la salle des fêtes",
         "la zone commerciale", "l'arrêt de bus", "la médiathèque", "le stade", "la piscine", "le port",
         "la résidence des Tilleuls", "le lycée professionnel", "le centre commercial", "l'église",
         "le parc municipal", "la halle", "le foyer des jeunes", "la poste", "le rond-point de l'entrée de ville",
         "le gymnase", "la maison de retraite", "le cimetière", "la boulangerie", "le skatepark",
         "le parking de la supérette", "l'aire de covoiturage", "le city-stade", "le lavoir"]
MOMENTS = ["la nuit", "le soir", "le week-end", "pendant les vacances", "le samedi", "en semaine", "l'été"]
HABITATS = ["lotissement", "village", "quartier", "hameau", "centre-ville", "bourg", "secteur de la gare",
            "quartier des Acacias", "hameau des Granges", "bas de la ville", "quartier nord", "vieux bourg"]
DUREES = ["trois mois", "un an", "plusieurs semaines", "la rentrée", "l'hiver dernier"]
OBJETS = ["téléphone", "ordinateur", "billet de train", "vélo", "canapé", "voyage"]

#: The prefecture's written answers, whatever the sub-topic.
ANSWERS = [
    "Merci pour votre question. Les patrouilles ont été renforcées dans le secteur et un point sera fait "
    "avec le maire lors du prochain conseil local de sécurité.",
    "Votre question a été transmise au commandant de la brigade territoriale, qui prendra contact avec la "
    "mairie pour étudier la situation.",
    "Le dispositif existe : renseignez-vous auprès de la brigade ou du commissariat le plus proche, ou sur "
    "le site du ministère de l'Intérieur.",
    "Ce point sera abordé lors du forum. Les services de police et de gendarmerie y présenteront les "
    "actions menées dans le département.",
]
#: What the minutes record, per sub-topic: answers given by the speakers.
TOPIC_ANSWERS = [
    "Le commandant de compagnie a présenté les résultats de l'année et les moyens engagés.",
    "Le sous-préfet a rappelé les dispositifs existants et proposé un suivi en conseil local de sécurité.",
    "Les forces de sécurité ont détaillé les patrouilles prévues et les contacts utiles.",
    "Le commissaire a expliqué la procédure et s'est engagé à revenir vers les habitants.",
]
STRENGTHS = [
    "Échanges directs et cordiaux entre les habitants et les forces de sécurité.",
    "Bonne connaissance du terrain par les gendarmes de la brigade.",
    "Forte participation des élus et des associations locales.",
    "Réactivité appréciée des services lors des interventions.",
    "Partenariat efficace avec la police municipale.",
]
WEAKNESSES = [
    "Sentiment d'insécurité persistant la nuit dans les quartiers excentrés.",
    "Délais d'accueil jugés trop longs à la brigade.",
    "Manque de visibilité des patrouilles en dehors du centre-ville.",
    "Méconnaissance des dispositifs d'aide aux victimes.",
    "Faible participation des jeunes au forum.",
]
#: Proposals made at forums, per sub-topic.
PROPOSALS = {
    "1.A.1": ["Étendre la vidéo protection aux abords des écoles et des gares.",
              "Informer les habitants sur la conservation des images de vidéo protection."],
    "1.A.2": ["Expliquer au public les règles d'inscription et d'effacement dans les fichiers de police."],
    "1.A.3": ["Organiser des séances de prévention contre la cybercriminalité dans les collèges."],
    "1.A.4": ["Renouveler les véhicules et les équipements de la brigade."],
    "1.A.5": ["Associer les organisateurs de manifestations à la préparation du maintien de l'ordre."],
    "1.B.1": ["Relancer l'opération tranquillité vacances auprès de tous les habitants.",
              "Créer un réseau de voisins vigilants contre les cambriolages."],
    "1.B.2": ["Installer des radars pédagogiques aux entrées du bourg.",
              "Multiplier les contrôles de vitesse excessive aux abords des écoles."],
    "1.B.3": ["Désigner un intervenant social en gendarmerie pour les violences conjugales."],
    "1.B.4": ["Renforcer la lutte contre le trafic de stupéfiants aux abords des établissements scolaires."],
    "1.B.5": ["Mettre en place un suivi des victimes après leur plainte."],
    "1.B.6": ["Faire connaître la pré-plainte en ligne par les mairies."],
    "1.B.7": ["Augmenter les patrouilles pédestres le soir et le week-end.",
              "Organiser une permanence régulière des gendarmes en mairie."],
    "1.B.8": ["Adapter les horaires d'accueil de la brigade aux actifs."],
    "2.A.1": ["Mutualiser une police municipale entre communes voisines."],
    "2.A.2": ["Mieux encadrer les sociétés de sécurité privée des zones commerciales."],
    "2.A.3": ["Réunir plus souvent le conseil local de sécurité et de prévention de la délinquance."],
    "2.A.4": ["Développer les actions de prévention contre les incivilités avec les associations."],
    "2.B.1": ["Sensibiliser les personnes âgées aux escroqueries sur internet."],
    "2.B.2": ["Faire connaître la réserve opérationnelle et le service citoyen volontaire."],
}
VENUES = ["Salle des fêtes", "Salle polyvalente", "Salle du conseil municipal", "Espace culturel",
          "Maison des associations", "Centre social"]
STREETS = ["place de la Mairie", "rue de la République", "avenue du Général-de-Gaulle", "rue Victor-Hugo",
           "place de l'Église", "boulevard Jean-Jaurès"]
CANCELLATION_REASONS = ["Salle indisponible, forum regroupé avec le canton voisin.",
                        "Intempéries : réunion annulée par arrêté municipal."]
REJECTION_WEIGHTS = {
    RejectionReason.OFF_TOPIC: 4, RejectionReason.ABUSIVE: 2, RejectionReason.PERSONS: 2,
    RejectionReason.EMERGENCY: 1, RejectionReason.POLITICAL: 1, RejectionReason.THIRD_PARTY_DATA: 1,
}
#: Speakers at a forum besides its animator.
SPEAKERS = [(SpeakerKind.GENDARMERIE, "Commandant de compagnie", "Gendarmerie nationale"),
            (SpeakerKind.POLICE, "Commissaire de police", "Police nationale")]


class BenchError(RuntimeError):
    """Raised when the bench data cannot be generated; the message says why, in French."""


@dataclass
class BenchReport:
    """What ``seed_bench`` wrote, and how long it took."""

    consultation: Consultation
    consultation_created: bool = False
    #: Rows deleted from a previous seed of the same consultation: {"questions": n, ...}.
    purged: dict = field(default_factory=dict)
    departments: int = 0
    forums: dict = field(default_factory=lambda: defaultdict(int))
    questions: dict = field(default_factory=lambda: defaultdict(int))
    minutes: int = 0
    topics: int = 0
    proposals: int = 0
    #: Seconds spent in each step.
    timings: dict = field(default_factory=dict)

    @property
    def elapsed(self):
        """Return the total time, in seconds."""
        return sum(self.timings.values())


@dataclass
class _Unit:
    """A canton, or a commune (or municipal arrondissement) that no canton covers: what forums cover."""

    code: str
    #: True for a commune, written to forum_communes; False for a canton.
    is_commune: bool
    #: Communes of the unit: (code, name, arrondissement code), and their cumulated populations.
    communes: list
    cumulated: list
    population: int
    arrondissement_code: str | None


@dataclass
class _Territory:
    """One department as the generator needs it."""

    code: str
    name: str
    units: list
    population: int
    #: Every commune of the department, for the optional place of a question.
    communes: list
    cumulated: list
    postal_codes: dict


@dataclass
class _ForumInfo:
    id: int
    status: ForumStatus
    starts_at: datetime
    ends_at: datetime
    published_at: datetime


class _Texts:
    """French texts built from sentences, with their search terms and fingerprint computed once per sentence."""

    def __init__(self):
        self._sentences = {}
        #: search_text → MinHash signature of its terms, for the similarity index.
        self.signatures = {}

    def _sentence(self, sentence):
        found = self._sentences.get(sentence)
        if found is None:
            normalised = " ".join(french.strip_accents(word) for word in french.words(sentence))
            search = french.search_text(sentence)
            found = self._sentences[sentence] = (search, normalised, similarity_index.signature(search.split()))
        return found

    def compose(self, sentences):
        """Return (text, search_text, fingerprint) of the sentences joined by spaces, as the app computes them."""
        parts = [self._sentence(sentence) for sentence in sentences]
        search = " ".join(terms for terms, _, _ in parts if terms)
        normalised = " ".join(words for _, words, _ in parts if words)
        if search not in self.signatures:
            # The signature of a union of term sets is the element-wise minimum of theirs.
            signatures = [part for _, _, part in parts if part is not None]
            self.signatures[search] = np.minimum.reduce(signatures) if signatures else None
        return " ".join(sentences), search, hashlib.sha256(normalised.encode()).hexdigest()

    def keys(self, rows):
        """Return the similarity index keys of question rows of one department, as the app computes them."""
        first = rows[0]
        consultation_id, department_code = first["consultation_id"], first["department_code"]
        signatures = [self.signatures[row["search_text"]] for row in rows]
        indexed = [signature for signature in signatures if signature is not None]
        bands = iter(similarity_index.band_keys(consultation_id, department_code, np.stack(indexed)).tolist()
                     if indexed else ())
        return [(next(bands) if signature is not None else [])
                + [similarity_index.fingerprint_key(consultation_id, department_code, row["fingerprint"])]
                for row, signature in zip(rows, signatures)]


def seed_bench(questions=1_000_000, minutes=3_000, seed=1, slug=DEFAULT_SLUG, progress=None):
    """Fill the bench consultation ``slug`` with a national data set and return a BenchReport. Flush only.

    ``minutes`` held forums get minutes; about ``questions`` questions are spread over the
    departments by population. ``progress`` receives French lines as the work goes on.
    """
    if current_app.config["ENV"] == "production":
        raise BenchError("les données du banc d'essai ne se génèrent jamais en production.")
    if questions < 0 or minutes < 0:
        raise BenchError("les nombres de questions et de comptes-rendus ne peuvent pas être négatifs.")
    say = progress or (lambda line: None)
    started = clock.perf_counter()
    rng = random.Random(seed)
    connection = db.session.connection()
    territories = _load_territories()
    if not territories:
        raise BenchError("Chargez d'abord les territoires : flask territories load")
    report = BenchReport(consultation=None)
    consultation, subtopics = _prepare_consultation(slug, report)
    report.departments = len(territories)
    report.timings["consultation"] = clock.perf_counter() - started
    if report.purged:
        say(f"Données précédentes du banc d'essai supprimées ({_plain_counts(report.purged)}).")

    step = clock.perf_counter()
    writer = _Writer(connection)
    forums_by_department = _write_forums(writer, rng, consultation, subtopics, territories, minutes, report)
    writer.flush()
    report.timings["forums"] = clock.perf_counter() - step
    say(f"Forums : {french_number(sum(report.forums.values()))} ; "
        f"comptes-rendus : {french_number(report.minutes)} ({french_seconds(report.timings['forums'])}).")

    step = clock.perf_counter()
    _write_questions(writer, rng, consultation, subtopics, territories, forums_by_department, questions,
                     report, say)
    writer.flush()
    _move_sequences(connection)
    report.timings["questions"] = clock.perf_counter() - step
    step = clock.perf_counter()
    _analyze(connection)
    report.timings["statistics"] = clock.perf_counter() - step
    record_event("bench.seed", "consultation", consultation.id,
                 summary=f"Données du banc d'essai générées (graine {seed}).",
                 changes={"questions": sum(report.questions.values()), "forums": sum(report.forums.values()),
                          "minutes": report.minutes, "seed": seed})
    return report


def _plain_counts(counts):
    return ", ".join(f"{name} : {french_number(count)}" for name, count in counts.items() if count)


def french_number(value):
    """Return an integer written the French way: "1 000 000" with narrow no-break spaces."""
    return f"{value:,}".replace(",", "\u202f")


def french_seconds(value):
    """Return a duration in seconds written the French way: "12,3 s"."""
    return f"{value:.1f} s".replace(".", ",")


# --- Consultation ------------------------------------------------------------------------------


def _prepare_consultation(slug, report):
    """Return the bench consultation (created, or emptied of a previous seed) and its sub-topics by code."""
    data = load_consultation_file(DATA_DIR / "2009.json")
    existing = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if existing is not None and (existing.is_current or not existing.name.endswith(BENCH_MARK)):
        raise BenchError(f"la consultation « {slug} » n'a pas été créée par le banc d'essai : "
                         "choisissez un autre identifiant avec --consultation.")
    data["slug"] = slug
    data["name"] = f"{data['name']} {BENCH_MARK}"
    seeded = seed_consultation(data)
    report.consultation = seeded.consultation
    report.consultation_created = seeded.created
    if not seeded.created:
        report.purged = _purge(seeded.consultation)
    rows = db.session.execute(
        select(Subtopic.code, Subtopic.id, ThemePart.theme_id)
        .join(ThemePart, Subtopic.part_id == ThemePart.id).join(Theme, ThemePart.theme_id == Theme.id)
        .where(Theme.consultation_id == seeded.consultation.id)
        .order_by(Theme.position, ThemePart.position, Subtopic.position)
    )
    return seeded.consultation, {code: (subtopic_id, theme_id) for code, subtopic_id, theme_id in rows}


def _purge(consultation):
    """Delete every row a previous seed wrote in ``consultation``; return the counts by table."""
    forum_ids = select(Forum.id).where(Forum.consultation_id == consultation.id).scalar_subquery()
    question_ids = select(Question.id).where(Question.consultation_id == consultation.id).scalar_subquery()
    minutes_ids = select(Minutes.id).where(Minutes.consultation_id == consultation.id).scalar_subquery()
    synthesis_ids = select(DepartmentSynthesis.id).where(DepartmentSynthesis.consultation_id == consultation.id)
    statements = [
        (None, delete(SynthesisAnnex).where(SynthesisAnnex.synthesis_id.in_(synthesis_ids.scalar_subquery()))),
        ("synthèses", delete(DepartmentSynthesis).where(DepartmentSynthesis.consultation_id == consultation.id)),
        (None, delete(NationalSynthesis).where(NationalSynthesis.consultation_id == consultation.id)),
        (None, delete(OutgoingMail).where(OutgoingMail.question_id.in_(question_ids))),
        (None, delete(QuestionSupport).where(QuestionSupport.question_id.in_(question_ids))),
        (None, delete(QuestionContact).where(QuestionContact.question_id.in_(question_ids))),
        (None, delete(QuestionSimilarityKey).where(QuestionSimilarityKey.question_id.in_(question_ids))),
        ("questions", delete(Question).where(Question.consultation_id == consultation.id)),
        ("propositions", delete(Proposal).where(Proposal.consultation_id == consultation.id)),
        (None, delete(MinutesTopic).where(MinutesTopic.minutes_id.in_(minutes_ids))),
        (None, delete(MinutesVersion).where(MinutesVersion.minutes_id.in_(minutes_ids))),
        (None, delete(MinutesAttachment).where(MinutesAttachment.minutes_id.in_(minutes_ids))),
        ("comptes-rendus", delete(Minutes).where(Minutes.consultation_id == consultation.id)),
        (None, delete(Speaker).where(Speaker.forum_id.in_(forum_ids))),
        (None, delete(Invitee).where(Invitee.forum_id.in_(forum_ids))),
        (None, delete(ForumDateChange).where(ForumDateChange.forum_id.in_(forum_ids))),
        (None, delete(forum_cantons).where(forum_cantons.c.forum_id.in_(forum_ids))),
        (None, delete(forum_communes).where(forum_communes.c.forum_id.in_(forum_ids))),
        ("forums", delete(Forum).where(Forum.consultation_id == consultation.id)),
    ]
    # A merged question points at another one of the same consultation: unlink them first.
    db.session.execute(update(Question).where(Question.consultation_id == consultation.id,
                                              Question.merged_into_id.is_not(None))
                       .values(merged_into_id=None).execution_options(synchronize_session=False))
    counts = {}
    for label, statement in statements:
        deleted = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
        if label:
            counts[label] = deleted
    return counts


# --- Territories -------------------------------------------------------------------------------


def _load_territories():
    """Return every department as a _Territory, in code order, in four queries.

    A department's units are its real cantons plus its communes that no canton covers
    (Commune.is_coverage_unit); a city divided into municipal arrondissements is one place of
    its department, covered through its arrondissements, whose population it holds.
    """
    departments = db.session.execute(select(Department.code, Department.name).order_by(Department.code)).all()
    communes = defaultdict(list)
    commune_units = defaultdict(list)
    arrondissements = defaultdict(list)
    postal = {}
    for code, name, department, arrondissement, population, postal_codes, parent, is_unit in db.session.execute(
            select(Commune.code, Commune.name, Commune.department_code, Commune.arrondissement_code,
                   Commune.population, Commune.postal_codes, Commune.parent_code, Commune.is_coverage_unit)
            .order_by(Commune.code)):
        row = (code, name, arrondissement, max(population or 0, 1))
        postal[code] = (postal_codes or "").split()[:1]
        if parent is None:
            communes[department].append(row)
        else:
            arrondissements[parent].append(row)
        if is_unit:
            commune_units[department].append(row)
    by_code = {commune[0]: commune for rows in communes.values() for commune in rows}
    canton_communes = defaultdict(list)
    for canton_code, commune_code in db.session.execute(
            select(commune_cantons.c.canton_code, commune_cantons.c.commune_code)
            .order_by(commune_cantons.c.canton_code, commune_cantons.c.commune_code)):
        # A canton's places are whole communes: Marseille, not its arrondissements.
        if commune_code in by_code:
            canton_communes[canton_code].append(by_code[commune_code])
    cantons = defaultdict(list)
    for code, department, capital in db.session.execute(
            select(Canton.code, Canton.department_code, Canton.capital_code)
            .where(Canton.kind == CantonKind.CANTON).order_by(Canton.code)):
        members = canton_communes.get(code) or [c for c in communes[department] if c[0] == capital]
        if members:
            cantons[department].append((code, members))
    territories = []
    for code, name in departments:
        if not communes[code]:
            continue
        # An arrondissement has no population of its own: it shares its city's, so a forum there is
        # as likely as in the city's other units.
        populations = {c[0]: c[3] for c in communes[code]}
        shares = {a[0]: max(populations.get(parent, 1) // len(rows), 1)
                  for parent, rows in arrondissements.items() for a in rows}
        units = [_unit(unit_code, members, False) for unit_code, members in cantons[code]]
        units += [_unit(c[0], [(*c[:3], shares.get(c[0], c[3]))], True) for c in commune_units[code]]
        # Neighbouring cantons share an arrondissement: grouping them in that order keeps forums local.
        units.sort(key=lambda unit: (unit.arrondissement_code or "", unit.code))
        rows = communes[code]
        territories.append(_Territory(
            code=code, name=name, units=units, population=sum(c[3] for c in rows),
            communes=rows, cumulated=list(itertools.accumulate(c[3] for c in rows)),
            postal_codes={c[0]: postal[c[0]] for c in rows},
        ))
    return territories


def _unit(code, members, is_commune):
    arrondissements = sorted({commune[2] or "" for commune in members})
    return _Unit(code=code, is_commune=is_commune, communes=members,
                 cumulated=list(itertools.accumulate(c[3] for c in members)),
                 population=sum(c[3] for c in members), arrondissement_code=arrondissements[0] or None)


def _pick(rng, items, cumulated):
    """Return one of ``items`` drawn with the weights whose running totals are ``cumulated``."""
    return items[bisect.bisect_right(cumulated, rng.random() * cumulated[-1])]


def _shares(total, weights):
    """Split ``total`` in proportion to ``weights`` (largest remainders), so the parts add up exactly."""
    weight_sum = sum(weights) or 1
    exact = [total * weight / weight_sum for weight in weights]
    parts = [math.floor(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda index: (parts[index] - exact[index], index))
    for index in order[:total - sum(parts)]:
        parts[index] += 1
    return parts


# --- Forums and minutes -------------------------------------------------------------------------


class _Writer:
    """Rows buffered per table, written in batches, parents before children."""

    #: Tables in the order their rows must reach the database.
    ORDER = ("forums", "forum_cantons", "forum_communes", "speakers", "minutes", "minutes_topics",
             "proposals", "minutes_versions", "questions", "question_similarity_keys")

    def __init__(self, connection):
        self.connection = connection
        self.tables = {table.name: table for table in (
            Forum.__table__, forum_cantons, forum_communes, Speaker.__table__, Minutes.__table__,
            MinutesTopic.__table__, Proposal.__table__, MinutesVersion.__table__, Question.__table__,
            QuestionSimilarityKey.__table__)}
        self.rows = defaultdict(list)

    def add(self, table, row):
        """Buffer a row; write the buffers once one is full."""
        rows = self.rows[table]
        rows.append(row)
        # A question has about ten keys: they go in batches as large as its own.
        if len(rows) >= (BATCH_SIZE * 10 if table == "question_similarity_keys" else BATCH_SIZE):
            self.flush()

    def flush(self):
        """Write every buffered row."""
        for name in self.ORDER:
            rows = self.rows.pop(name, None)
            if not rows:
                continue
            if name == "question_similarity_keys" and self.connection.dialect.name == "postgresql":
                # Ten times as many rows as questions: COPY writes them several times faster than INSERT.
                with self.connection.connection.driver_connection.cursor() as cursor, cursor.copy(
                        "COPY question_similarity_keys (key, question_id) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row((row["key"], row["question_id"]))
            else:
                self.connection.execute(self.tables[name].insert(), rows)


def _next_id(model):
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _write_forums(writer, rng, consultation, subtopics, territories, minutes_total, report):
    """Write the forums and minutes of every department; return {department: [_ForumInfo]}."""
    arrondissement_names = dict(db.session.execute(select(Arrondissement.code, Arrondissement.name)).all())
    total_units = sum(len(territory.units) for territory in territories)
    total_population = sum(territory.population for territory in territories)
    # Forums follow cantons (one per canton in principle) and people (cities hold several).
    weights = [len(t.units) / total_units + t.population / total_population for t in territories]
    held_counts = _shares(minutes_total, weights)
    next_forum, next_minutes = _next_id(Forum), _next_id(Minutes)
    window = (consultation.meetings_start_on, consultation.meetings_end_on)
    forums_by_department = {}
    for territory, held in zip(territories, held_counts):
        count = max(math.ceil(len(territory.units) / 3), math.ceil(held / HELD_SHARE))
        statuses = [ForumStatus.HELD] * held + [ForumStatus.PUBLISHED] * (count - held)
        rng.shuffle(statuses)
        groups = _group_units(rng, territory.units, count)
        cancelled = round(count * CANCELLED_SHARE)
        groups += [rng.choice(groups) for _ in range(cancelled)]
        statuses += [ForumStatus.CANCELLED] * cancelled
        infos = []
        for units, status in zip(groups, statuses):
            info = _forum_row(writer, rng, next_forum, consultation, territory, units, status, window,
                              arrondissement_names)
            infos.append(info)
            report.forums[status] += 1
            next_forum += 1
            if status is ForumStatus.HELD:
                _minutes_rows(writer, rng, next_minutes, info, consultation, subtopics, territory.code, report)
                next_minutes += 1
        forums_by_department[territory.code] = infos
    return forums_by_department


def _group_units(rng, units, count):
    """Return ``count`` lists of units covering them all: 1 to 3 neighbours each, or repeat meetings."""
    if count <= len(units):
        sizes = [1] * count
        open_groups = list(range(count))
        for _ in range(len(units) - count):
            index = rng.randrange(len(open_groups))
            sizes[open_groups[index]] += 1
            if sizes[open_groups[index]] == 3:
                open_groups.pop(index)
        groups, start = [], 0
        for size in sizes:
            groups.append(units[start:start + size])
            start += size
        return groups
    # More forums than cantons: every canton has its own, populous ones one or more besides.
    cumulated = list(itertools.accumulate(unit.population for unit in units))
    extra = [[_pick(rng, units, cumulated)] for _ in range(count - len(units))]
    return [[unit] for unit in units] + extra


def _paris(day, hour, minute):
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def _forum_row(writer, rng, forum_id, consultation, territory, units, status, window, arrondissement_names):
    """Buffer one forum with its covered units and speakers; return its _ForumInfo."""
    unit = rng.choice(units)
    commune_code, commune_name, arrondissement, _ = _pick(rng, unit.communes, unit.cumulated)
    day = window[0] + timedelta(days=rng.randrange((window[1] - window[0]).days + 1))
    starts_at = _paris(day, rng.choice((18, 18, 19, 20)), rng.choice((0, 30)))
    ends_at = starts_at + timedelta(hours=2)
    published_at = starts_at - timedelta(days=rng.randint(10, 30), hours=rng.randint(0, 8))
    animator = (f"Sous-préfet de l'arrondissement de {arrondissement_names[arrondissement]}" if arrondissement
                else f"Préfet de {territory.name}")
    writer.add("forums", {
        "id": forum_id, "consultation_id": consultation.id, "department_code": territory.code,
        "arrondissement_code": arrondissement, "title": f"Forum de sécurité — {commune_name}",
        "starts_at": starts_at, "ends_at": ends_at, "venue_name": rng.choice(VENUES),
        "address": f"{rng.randint(1, 40)} {rng.choice(STREETS)}", "commune_code": commune_code,
        "accessibility": "Salle de plain-pied accessible en fauteuil roulant.",
        "capacity": rng.choice((80, 120, 150, 200, 300)), "animator_name": animator,
        "animator_function": "Sous-préfet" if arrondissement else "Préfet",
        "description": "Réunion publique ouverte à tous, en présence de la police et de la gendarmerie.",
        "status": status,
        "cancellation_reason": rng.choice(CANCELLATION_REASONS) if status is ForumStatus.CANCELLED else "",
        "sequence": 1 if status is ForumStatus.CANCELLED else 0, "published_at": published_at,
        "created_at": published_at - timedelta(days=2), "updated_at": max(published_at, ends_at),
        "created_by_id": None,
    })
    for covered in sorted({(unit.is_commune, unit.code) for unit in units}):
        is_commune, code = covered
        if is_commune:
            writer.add("forum_communes", {"forum_id": forum_id, "commune_code": code})
        else:
            writer.add("forum_cantons", {"forum_id": forum_id, "canton_code": code})
    for position, (kind, name, function) in enumerate(SPEAKERS):
        writer.add("speakers", {"forum_id": forum_id, "position": position, "kind": kind, "name": name,
                                "function": function})
    return _ForumInfo(forum_id, status, starts_at, ends_at, published_at)


def _minutes_rows(writer, rng, minutes_id, forum, consultation, subtopics, department_code, report):
    """Buffer the minutes of a held forum: attendance, 3 to 6 topics, 2 to 6 proposals, its first version."""
    attendance = {
        AttendanceCategory.PUBLIC: rng.randint(20, 250), AttendanceCategory.ELECTED: rng.randint(2, 15),
        AttendanceCategory.POLICE: rng.randint(0, 4), AttendanceCategory.GENDARMERIE: rng.randint(1, 5),
        AttendanceCategory.MUNICIPAL_POLICE: rng.randint(0, 3), AttendanceCategory.OTHER: rng.randint(0, 10),
    }
    saved_at = forum.ends_at + timedelta(days=rng.randint(1, 4))
    strengths = "\n".join(f"- {line}" for line in rng.sample(STRENGTHS, 2))
    weaknesses = "\n".join(f"- {line}" for line in rng.sample(WEAKNESSES, 2))
    row = {
        "id": minutes_id, "forum_id": forum.id, "department_code": department_code,
        "consultation_id": consultation.id, "duration_minutes": rng.choice((90, 105, 120, 135, 150)),
        "strengths": strengths, "weaknesses": weaknesses, "notes": "", "version_number": 1,
        "summary_published": rng.random() < 0.5, "summary_shows_names": False, "summary_published_at": None,
        "created_at": saved_at, "created_by_id": None, "updated_at": saved_at, "updated_by_id": None,
        **{category.column: count for category, count in attendance.items()},
    }
    row["summary_published_at"] = saved_at if row["summary_published"] else None
    writer.add("minutes", row)
    topics = []
    for position, code in enumerate(rng.sample(list(subtopics), rng.randint(3, 6))):
        concerns = " ".join(_fill(rng, sentence) for sentence in rng.sample(SENTENCES[code], 2))
        topic = {"minutes_id": minutes_id, "subtopic_id": subtopics[code][0], "position": position,
                 "concerns": concerns, "answers": rng.choice(TOPIC_ANSWERS)}
        writer.add("minutes_topics", topic)
        topics.append({"subtopic": code, "concerns": concerns, "answers": topic["answers"]})
    proposals = []
    for position in range(rng.randint(2, 6)):
        code = rng.choice([topic["subtopic"] for topic in topics])
        subtopic_id, theme_id = subtopics[code]
        proposal = {"minutes_id": minutes_id, "forum_id": forum.id, "department_code": department_code,
                    "consultation_id": consultation.id, "theme_id": theme_id, "subtopic_id": subtopic_id,
                    "origin": rng.choice(list(ProposalOrigin)), "text": rng.choice(PROPOSALS[code]),
                    "position": position, "created_at": saved_at}
        writer.add("proposals", proposal)
        proposals.append({"subtopic": code, "origin": proposal["origin"].value, "text": proposal["text"]})
    writer.add("minutes_versions", {"minutes_id": minutes_id, "number": 1, "saved_at": saved_at,
                                    "saved_by_id": None, "snapshot": {
                                        "attendance": {c.value: n for c, n in attendance.items()},
                                        "duration_minutes": row["duration_minutes"], "strengths": strengths,
                                        "weaknesses": weaknesses, "topics": topics, "proposals": proposals,
                                        "notes": ""}})
    report.minutes += 1
    report.topics += len(topics)
    report.proposals += len(proposals)


def _fill(rng, template):
    """Return ``template`` with its places, moments and details drawn."""
    if "{" not in template:
        return template
    return template.format(lieu=rng.choice(LIEUX), moment=rng.choice(MOMENTS), habitat=rng.choice(HABITATS),
                           duree=rng.choice(DUREES), objet=rng.choice(OBJETS))


# --- Questions ---------------------------------------------------------------------------------


def _write_questions(writer, rng, consultation, subtopics, territories, forums_by_department, total,
                     report, say):
    """Write the questions of every department, with their references and counters."""
    counters = dict(db.session.execute(select(QuestionCounter.department_code, QuestionCounter.last_number)).all())
    codes = [code for code in SUBTOPIC_WEIGHTS if code in subtopics]
    cumulated_codes = list(itertools.accumulate(SUBTOPIC_WEIGHTS[code] for code in codes))
    statuses = list(QUESTION_STATUS_WEIGHTS)
    cumulated_statuses = list(itertools.accumulate(QUESTION_STATUS_WEIGHTS.values()))
    reasons = list(REJECTION_WEIGHTS)
    cumulated_reasons = list(itertools.accumulate(REJECTION_WEIGHTS.values()))
    texts = _Texts()
    counts = _shares(total, [territory.population for territory in territories])
    next_id = _next_id(Question)
    window_start = _paris(consultation.meetings_start_on - timedelta(days=21), 8, 0)
    window_end = _paris(consultation.meetings_end_on, 22, 0)
    window_seconds = int((window_end - window_start).total_seconds())
    written, announced, started = 0, 0, clock.perf_counter()
    for territory, count in zip(territories, counts):
        forums = forums_by_department.get(territory.code, [])
        number = counters.get(territory.code, 0)
        rows = []
        published = []
        for _ in range(count):
            code = _pick(rng, codes, cumulated_codes)
            status = _pick(rng, statuses, cumulated_statuses)
            forum = rng.choice(forums) if forums and rng.random() < FORUM_QUESTION_SHARE else None
            if forum is not None:
                span = max(int((forum.starts_at - forum.published_at).total_seconds()), 3600)
                submitted_at = forum.published_at + timedelta(seconds=rng.randrange(span))
            else:
                submitted_at = window_start + timedelta(seconds=rng.randrange(window_seconds))
            sentences = [_fill(rng, rng.choice(SENTENCES[code]))]
            if rng.random() < 0.4:
                sentences.append(_fill(rng, rng.choice(SENTENCES[code])))
            if rng.random() < 0.3:
                sentences.insert(0, rng.choice(OPENERS))
            if rng.random() < 0.3:
                sentences.append(rng.choice(CLOSERS))
            text, search, fingerprint = texts.compose(sentences)
            commune = _pick(rng, territory.communes, territory.cumulated) if rng.random() < COMMUNE_SHARE else None
            subtopic_id, theme_id = subtopics[code]
            row = {
                "id": None, "consultation_id": consultation.id, "department_code": territory.code,
                "forum_id": forum.id if forum else None, "theme_id": theme_id, "subtopic_id": subtopic_id,
                "reference": None, "text": text, "public_text": text, "search_text": search,
                "fingerprint": fingerprint, "commune_code": commune[0] if commune else None,
                "postal_code": (territory.postal_codes[commune[0]] or [None])[0] if commune else None,
                "status": status, "rejection_reason": None, "rejection_note": "", "merged_into_id": None,
                "support_count": 0, "followup_token_hash": None, "submitted_at": submitted_at,
                "moderated_at": None, "moderated_by_id": None, "edited_at": None, "edited_by_id": None,
                "answer_text": "", "answered_at": None, "answered_by_id": None, "addressed_forum_id": None,
                "addressed_at": None, "updated_at": submitted_at,
            }
            if status is not QuestionStatus.PENDING:
                row["moderated_at"] = row["updated_at"] = submitted_at + timedelta(hours=rng.randint(2, 72))
            if status is QuestionStatus.REJECTED:
                row["rejection_reason"] = _pick(rng, reasons, cumulated_reasons)
            elif status is QuestionStatus.PUBLISHED:
                _publish(rng, row, forum)
                published.append(row)
            rows.append(row)
        _merge(rng, rows, published)
        # References follow the order in which citizens asked, as the live counter gives them.
        rows.sort(key=lambda row: (row["submitted_at"], row["text"]))
        for row in rows:
            number += 1
            row["id"] = next_id
            row["reference"] = f"{territory.code}-{number:06d}"
            # Nobody holds the follow-up link of a bench question: the hash of a seeded value will do.
            row["followup_token_hash"] = hashlib.sha256(f"bench:{row['reference']}:{next_id}".encode()).hexdigest()
            next_id += 1
        for row, keys in zip(rows, texts.keys(rows) if rows else ()):
            if row["merged_into_id"] is not None:
                row["merged_into_id"] = row["merged_into_id"]["id"]
            report.questions[row["status"]] += 1
            writer.add("questions", row)
            for key in keys:
                writer.add("question_similarity_keys", {"key": key, "question_id": row["id"]})
        if count:
            writer.flush()
            _store_counter(territory.code, number, territory.code in counters)
        written += count
        if total and written * 10 // total > announced:
            announced = written * 10 // total
            elapsed = french_seconds(clock.perf_counter() - started)
            say(f"Questions : {french_number(written)} sur {french_number(total)} ({elapsed}).")


def _publish(rng, row, forum):
    """Make a drawn question a published one: supports, perhaps an answer, perhaps taken up at its forum."""
    row["support_count"] = int(rng.expovariate(0.25))
    if rng.random() < ANSWERED_SHARE:
        row["answer_text"] = rng.choice(ANSWERS)
        row["answered_at"] = row["updated_at"] = row["moderated_at"] + timedelta(days=rng.randint(1, 10))
    if forum is not None and forum.status is ForumStatus.HELD and rng.random() < ADDRESSED_SHARE:
        row["addressed_forum_id"] = forum.id
        row["addressed_at"] = forum.ends_at
        row["updated_at"] = max(row["updated_at"], forum.ends_at)


def _merge(rng, rows, published):
    """Point each merged question at a published one of the department, whose words it repeats."""
    for row in rows:
        if row["status"] is not QuestionStatus.MERGED:
            continue
        if not published:
            # A department whose only questions were drawn "merged" has nothing to merge them into.
            row["status"] = QuestionStatus.PUBLISHED
            _publish(rng, row, None)
            published.append(row)
            continue
        target = rng.choice(published)
        if row["submitted_at"] <= target["submitted_at"]:
            # One asks again what was already asked, never the other way round.
            row["submitted_at"] = target["submitted_at"] + timedelta(hours=rng.randint(1, 96))
            row["moderated_at"] = row["updated_at"] = row["submitted_at"] + timedelta(hours=rng.randint(2, 72))
        for name in ("theme_id", "subtopic_id", "text", "public_text", "search_text", "fingerprint"):
            row[name] = target[name]
        # Resolved to the target's id once ids are given.
        row["merged_into_id"] = target


def _store_counter(department_code, number, exists):
    if exists:
        db.session.execute(update(QuestionCounter).where(QuestionCounter.department_code == department_code)
                           .values(last_number=number).execution_options(synchronize_session=False))
    else:
        db.session.execute(QuestionCounter.__table__.insert().values(department_code=department_code,
                                                                     last_number=number))


def _analyze(connection):
    """Give PostgreSQL the statistics of what was just written, so that its plans fit a million rows.

    Autovacuum may be off, or not have come by yet: with the statistics of empty tables, the planner
    takes scans for index lookups. ANALYZE counts the rows this transaction wrote as live ones.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql("ANALYZE")


def _move_sequences(connection):
    """Move PostgreSQL's id sequences past the ids given here, so that the app's next rows get free ids."""
    if connection.dialect.name != "postgresql":
        return
    for table in ("forums", "minutes", "questions"):
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
