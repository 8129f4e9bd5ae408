"""The password policy refuses common and breached passwords, sequences, repetitions and the e-mail's name."""
import pytest

from forums.models import Role
from forums.passwords import common_passwords, password_problem
from forums.services.agents import AgentError, change_password, set_agent_password
from forums.services.agents import create_agent as create_account

from .conftest import PASSWORD, new_client

EMAIL = "camille.martin@interieur.gouv.fr"


@pytest.mark.parametrize("password, says", [
    # The review's examples.
    ("aaaaaaaaaaaa", "répète"),
    ("123456789012", "seulement de chiffres"),
    ("motdepasse12", "trop courant"),
    ("azertyuiop12", "trop courant"),
    # Common words under digits, signs, capitals and accents; French ones included.
    ("Soleil2009!!!", "trop courant"),
    ("Mot-de-passe-2024", "trop courant"),
    ("Marseille13013", "trop courant"),
    ("Prefecture2026!", "trop courant"),
    ("qwertyuiop!!", "trop courant"),
    ("abcabcabcabc", "répète"),
    ("ab1234567890", "suite"),
    ("camille.martin2024", "votre nom"),
    ("Martin!Camille!9", "votre nom"),
])
def test_weak_passwords_are_refused_with_the_reason(password, says):
    assert says in password_problem(password, EMAIL)


@pytest.mark.parametrize("password", [PASSWORD, "une-phrase-de-passe-neuve", "Cheval-Batterie-Agrafe",
                                      "le chat dort sur 3 coussins"])
def test_ordinary_passphrases_are_accepted(password):
    assert password_problem(password, EMAIL) is None


def test_the_packaged_list_is_modest_and_holds_french_passwords():
    words = common_passwords()
    assert 5000 <= len(words) <= 6000
    assert {"azerty", "motdepasse", "soleil", "chouchou", "123456", "password"} <= words


def test_every_way_of_setting_a_password_applies_the_policy(db, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13", email=EMAIL)
    with pytest.raises(AgentError, match="trop courant") as refused:
        change_password(agent, PASSWORD, "motdepasse12")
    assert refused.value.field == "password"
    with pytest.raises(AgentError, match="votre nom"):
        set_agent_password(agent, "camille-martin-2026")
    with pytest.raises(AgentError, match="seulement de chiffres"):
        create_account({"email": "dominique@interieur.gouv.fr", "role": "ministry",
                              "password": "123456789012"})


def test_the_change_form_says_why_next_to_the_field(app, db, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13", email=EMAIL)
    browser = new_client(app)
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
    page = browser.post("/auth/password", data={"current_password": PASSWORD, "password": "azertyuiop12",
                                                 "confirm": "azertyuiop12"}).get_data(as_text=True)
    assert "trop courant" in page
    db.session.refresh(agent)
    assert agent.check_password(PASSWORD)
