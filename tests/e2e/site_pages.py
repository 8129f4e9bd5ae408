"""Every page of the site on the demo data, by who sees it: what the accessibility checks walk through.

``load_demo_site`` loads the demo (`flask demo load`, on the demo departments' real territories) and
adds what the demo leaves out: a follow-up link whose token is known, the Territoire de Belfort's
synthesis transmitted, the national synthesis prepared. ``pages(role, site)`` lists the paths each
visitor opens. tests/test_page_templates.py checks that together they render every page template:
a new page is added here, and is then checked by axe-core (tests/e2e/test_accessibility.py).
"""
from dataclasses import dataclass

from flask.testing import FlaskCliRunner

from forums.extensions import db
from forums.models import Agent, Consultation, Forum, Invitee, Question, QuestionStatus, Role
from forums.services.demo import DEMO_AGENTS, DEMO_PASSWORD, DEMO_SLUG
from forums.services.national_synthesis import prepare_national
from forums.services.syntheses import prepare_draft, submit_synthesis
from forums.timeutils import utcnow

from ..conftest import TOTP_SECRET

#: Who visits: nobody signed in, then one demo account per role.
VISITORS = ("anonymous", *(role.value for role in Role))
#: The demo account of each role (the Bouches-du-Rhône, arrondissement of Aix, for territorial ones).
ACCOUNTS = {role.value: (email, full_name) for email, full_name, role, department, _ in DEMO_AGENTS
            if department in (None, "13")}
PASSWORD = DEMO_PASSWORD
#: The follow-up link of a demo question (43 characters, as the site makes them).
FOLLOWUP_TOKEN = "suivi-de-demonstration-" + "0" * 20
#: Templates that are not pages of their own, with why.
NOT_PAGES = {
    "base.html": "the layout every page extends",
    "documents/minutes_annex.html": "a file inside the synthesis bundle (ZIP), never shown as a page",
}


@dataclass(frozen=True)
class DemoSite:
    """The ids the pages' paths need."""

    held: int
    published: int
    postponed: int
    cancelled: int
    #: A draft of the arrondissement of Aix, the sub-prefect's.
    draft: int
    #: A draft ready to be published (arrondissement of Istres).
    complete_draft: int
    invitee: int
    published_question: str
    pending_question: int
    agent: int


def load_demo_site(app, territories_dir):
    """Load the demo and what it leaves out (see the module's docstring); return the DemoSite.

    The ministry's account has its second factor (TOTP_SECRET); the administrator's has none yet,
    so that signing in walks through the enrolment.
    """
    runner = FlaskCliRunner(app)
    for args in (["territories", "load", "--directory", str(territories_dir)], ["consultations", "seed"],
                 ["demo", "load"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == DEMO_SLUG))
    ministry = db.session.scalar(db.select(Agent).where(Agent.role == Role.MINISTRY))
    ministry.totp_secret, ministry.totp_confirmed_at = TOTP_SECRET, utcnow()
    belfort = prepare_draft(consultation, "90", ministry)
    submit_synthesis(belfort, ministry, early_reason="Démonstration : les autres forums suivront.")
    prepare_national(consultation, ministry)
    question = db.session.scalar(db.select(Question).where(Question.status == QuestionStatus.PUBLISHED)
                                 .order_by(Question.id))
    question.followup_token_hash = Question.hash_token(FOLLOWUP_TOKEN)
    db.session.commit()

    def forum(title):
        return db.session.scalar(db.select(Forum.id).where(Forum.title.startswith(title)))

    held = forum("Forum de sécurité du pays d'Aix")
    return DemoSite(
        held=held,
        published=forum("Forum « Jeunesse et sécurité »"),
        postponed=forum("Forum de sécurité du pays salonais"),
        cancelled=forum("Forum de sécurité de Trets"),
        draft=forum("Forum de sécurité de Gardanne"),
        complete_draft=forum("Forum de sécurité de Vitrolles"),
        invitee=db.session.scalar(db.select(Invitee.id).where(Invitee.forum_id == held).order_by(Invitee.id)),
        published_question=question.reference,
        pending_question=db.session.scalar(db.select(Question.id).where(
            Question.status == QuestionStatus.PENDING, Question.department_code == "13").order_by(Question.id)),
        agent=db.session.scalar(db.select(Agent.id).where(Agent.role == Role.MODERATOR)),
    )


def pages(visitor, site):
    """Return the paths ``visitor`` opens, every page template they may see at least once."""
    s = site
    return {
        "anonymous": [
            "/", "/?departement=13", "/themes", "/agenda", "/departements/13", "/departements/972",
            "/departements/13/questions", f"/forums/{s.held}", f"/forums/{s.postponed}", f"/forums/{s.cancelled}",
            f"/forums/{s.held}/questions", "/trouver-mon-forum", "/trouver-mon-forum?q=Aix-en-Provence",
            "/trouver-mon-forum?q=Marseille", "/trouver-mon-forum?q=Saint", "/questions/poser",
            f"/questions/poser?forum={s.published}", f"/questions/{s.published_question}",
            f"/questions/suivi/{FOLLOWUP_TOKEN}?nouvelle=1", f"/questions/suivi/{'x' * 43}?nouvelle=1",
            "/charte-de-moderation", "/donnees-ouvertes", "/mentions-legales", "/donnees-personnelles",
            "/accessibilite", "/gestion-des-cookies", "/plan-du-site", "/departements/99", "/auth/login",
        ],
        "subprefecture": [
            "/prefecture/arrondissements/131", "/prefecture/arrondissements/131/forums",
            f"/prefecture/forums/{s.draft}", f"/prefecture/forums/{s.draft}/modifier",
            f"/comptes-rendus/forums/{s.held}", f"/comptes-rendus/forums/{s.held}/modifier",
            f"/comptes-rendus/forums/{s.held}/versions/1", "/comptes-rendus/arrondissements/131", "/auth/password",
        ],
        "prefecture": [
            "/prefecture/departements/13", "/prefecture/departements/13/forums",
            "/prefecture/departements/13/forums/nouveau", f"/prefecture/forums/{s.held}",
            f"/prefecture/forums/{s.complete_draft}/publier", f"/prefecture/forums/{s.published}/reporter",
            f"/prefecture/forums/{s.published}/annuler", f"/prefecture/forums/{s.held}/invites",
            f"/prefecture/forums/{s.held}/invites/{s.invitee}/modifier", "/prefecture/departements/13/synthese",
            "/prefecture/departements/13/synthese/modifier/eclairage",
            "/prefecture/departements/13/synthese/transmettre", "/prefecture/departements/13/synthese/apercu",
            "/comptes-rendus/departements/13", f"/comptes-rendus/forums/{s.held}",
        ],
        "moderator": [
            "/moderation/departements/13", "/moderation/departements/13/questions",
            "/moderation/departements/13/groupes",
            f"/moderation/questions/{s.pending_question}",
        ],
        "ministry": [
            "/ministry/", "/ministry/tableau-de-bord", "/ministry/departements", "/ministry/forums",
            "/ministry/departements/90/synthese", "/ministry/departements/90/synthese/rouvrir",
            f"/ministry/synthese-nationale/{DEMO_SLUG}",
            f"/ministry/synthese-nationale/{DEMO_SLUG}/modifier/eclairage",
            f"/ministry/synthese-nationale/{DEMO_SLUG}/propositions",
            f"/ministry/synthese-nationale/{DEMO_SLUG}/apercu", "/auth/second-factor",
        ],
        "admin": ["/admin/agents", "/admin/agents/new", f"/admin/agents/{s.agent}/edit", "/admin/journal"],
    }[visitor]


def expected_status(path):
    """Return the status a page answers: 404 for the error page the inventory opens on purpose."""
    return 404 if path == "/departements/99" else 200
