"""The policy module, rule by rule, for every role and territory."""
import pytest
from flask_login import AnonymousUserMixin

from forums import permissions
from forums.extensions import db as _db
from forums.models import Arrondissement, Department, Role


@pytest.fixture
def places(db, territories):
    get = _db.session.get
    return {
        "13": get(Department, "13"), "75": get(Department, "75"),
        "131": get(Arrondissement, "131"), "132": get(Arrondissement, "132"),
        "751": get(Arrondissement, "751"),
    }


@pytest.fixture
def agents(create_agent):
    return {
        "ministry": create_agent(Role.MINISTRY),
        "admin": create_agent(Role.ADMIN),
        "prefecture13": create_agent(Role.PREFECTURE, department="13"),
        "moderator13": create_agent(Role.MODERATOR, department="13"),
        "subprefecture131": create_agent(Role.SUBPREFECTURE, arrondissement="131"),
        "prefecture75": create_agent(Role.PREFECTURE, department="75"),
    }


@pytest.mark.parametrize(
    "agent, place, visible",
    [
        ("ministry", "13", True), ("ministry", "75", True),
        ("admin", "75", True),
        ("prefecture13", "13", True), ("prefecture13", "75", False),
        ("moderator13", "13", True), ("moderator13", "75", False),
        # A sub-prefect sees its arrondissement, not the whole department.
        ("subprefecture131", "13", False), ("subprefecture131", "75", False),
        ("prefecture75", "13", False),
    ],
)
def test_department_visibility(agents, places, agent, place, visible):
    assert permissions.can_see_department(agents[agent], places[place]) is visible
    assert permissions.can_see_department(agents[agent], place) is visible


@pytest.mark.parametrize(
    "agent, place, visible",
    [
        ("ministry", "751", True),
        ("prefecture13", "131", True), ("prefecture13", "132", True), ("prefecture13", "751", False),
        ("moderator13", "132", True),
        ("subprefecture131", "131", True), ("subprefecture131", "132", False),
        ("subprefecture131", "751", False),
        ("prefecture75", "131", False),
    ],
)
def test_arrondissement_visibility(agents, places, agent, place, visible):
    assert permissions.can_see_arrondissement(agents[agent], places[place]) is visible


@pytest.mark.parametrize("agent, allowed", [("admin", True), ("ministry", False), ("prefecture13", False),
                                            ("moderator13", False), ("subprefecture131", False)])
def test_only_admins_manage_agents(agents, agent, allowed):
    assert permissions.can_manage_agents(agents[agent]) is allowed


@pytest.mark.parametrize("agent, allowed", [("admin", True), ("ministry", True), ("prefecture13", False),
                                            ("subprefecture131", False)])
def test_only_national_roles_browse_the_country(agents, agent, allowed):
    assert permissions.can_browse_country(agents[agent]) is allowed


def test_disabled_and_anonymous_agents_see_nothing(db, agents, places):
    agent = agents["ministry"]
    agent.is_active = False
    assert not permissions.can_see_department(agent, places["13"])
    assert not permissions.can_see_department(AnonymousUserMixin(), places["13"])
    assert not permissions.can_manage_agents(AnonymousUserMixin())


@pytest.mark.parametrize("role, endpoint", [(Role.ADMIN, "admin.agents"), (Role.MINISTRY, "ministry.home"),
                                            (Role.PREFECTURE, "prefecture.home"),
                                            (Role.SUBPREFECTURE, "prefecture.home"),
                                            (Role.MODERATOR, "moderation.index")])
def test_home_endpoint_per_role(role, endpoint):
    class Stub:
        pass

    stub = Stub()
    stub.role = role
    assert permissions.home_endpoint(stub) == endpoint


@pytest.mark.parametrize("agent, place, allowed", [
    ("prefecture13", "13", True), ("prefecture13", "75", False), ("prefecture75", "13", False),
    ("subprefecture131", "13", False), ("moderator13", "13", False), ("ministry", "13", False),
    ("admin", "13", False),
])
def test_only_the_prefecture_edits_its_department_synthesis(agents, places, agent, place, allowed):
    assert permissions.can_edit_department_synthesis(agents[agent], places[place]) is allowed
    assert permissions.can_edit_department_synthesis(agents[agent], place) is allowed


@pytest.mark.parametrize("agent, place, allowed", [
    ("prefecture13", "13", True), ("prefecture13", "75", False), ("subprefecture131", "13", True),
    ("subprefecture131", "75", False), ("ministry", "13", True), ("ministry", "75", True),
    ("moderator13", "13", False), ("admin", "13", False),
])
def test_who_reads_a_department_synthesis(agents, places, agent, place, allowed):
    assert permissions.can_read_department_synthesis(agents[agent], places[place]) is allowed


@pytest.mark.parametrize("agent, allowed", [("ministry", True), ("admin", False), ("prefecture13", False),
                                            ("subprefecture131", False), ("moderator13", False)])
def test_only_the_ministry_reopens_syntheses_and_writes_the_national_one(agents, agent, allowed):
    assert permissions.can_reopen_synthesis(agents[agent]) is allowed
    assert permissions.can_edit_national_synthesis(agents[agent]) is allowed


def test_synthesis_rules_refuse_disabled_and_anonymous_agents(db, agents, places):
    agents["ministry"].is_active = False
    agents["prefecture13"].is_active = False
    assert not permissions.can_reopen_synthesis(agents["ministry"])
    assert not permissions.can_read_department_synthesis(agents["ministry"], places["13"])
    assert not permissions.can_edit_department_synthesis(agents["prefecture13"], places["13"])
    assert not permissions.can_edit_national_synthesis(AnonymousUserMixin())


@pytest.fixture
def minutes_forums(create_forum):
    """A forum of arrondissement 131 (Aix) and one of arrondissement 132 (Arles), both in the Bouches-du-Rhône."""
    return {"aix": create_forum(commune="13001"), "arles": create_forum(commune="13004", cantons=["1306"])}


@pytest.mark.parametrize("agent, forum, allowed", [
    ("prefecture13", "aix", True), ("prefecture13", "arles", True),
    ("subprefecture131", "aix", True), ("subprefecture131", "arles", False),
    ("ministry", "aix", True), ("moderator13", "aix", False), ("admin", "aix", False),
    ("prefecture75", "aix", False),
])
def test_who_reads_minutes(agents, minutes_forums, agent, forum, allowed):
    assert permissions.can_read_minutes(agents[agent], minutes_forums[forum]) is allowed


@pytest.mark.parametrize("agent, forum, allowed", [
    ("prefecture13", "aix", True), ("prefecture13", "arles", True),
    ("subprefecture131", "aix", True), ("subprefecture131", "arles", False),
    ("ministry", "aix", False), ("moderator13", "aix", False), ("admin", "aix", False),
    ("prefecture75", "aix", False),
])
def test_who_records_minutes(agents, minutes_forums, agent, forum, allowed):
    assert permissions.can_record_minutes(agents[agent], minutes_forums[forum]) is allowed


@pytest.mark.parametrize("agent, forum, allowed", [
    ("prefecture13", "aix", True), ("prefecture13", "arles", True), ("subprefecture131", "aix", False),
    ("ministry", "aix", False), ("moderator13", "aix", False), ("admin", "aix", False),
    ("prefecture75", "aix", False),
])
def test_only_the_prefecture_publishes_a_minutes_summary(agents, minutes_forums, agent, forum, allowed):
    assert permissions.can_publish_minutes_summary(agents[agent], minutes_forums[forum]) is allowed


@pytest.mark.parametrize("agent, place, allowed", [
    ("prefecture13", "13", True), ("prefecture13", "75", False), ("subprefecture131", "13", True),
    ("subprefecture131", "75", False), ("ministry", "13", True), ("ministry", "75", True),
    ("moderator13", "13", False), ("admin", "13", False), ("prefecture75", "13", False),
])
def test_who_follows_a_departments_minutes(agents, places, agent, place, allowed):
    assert permissions.can_follow_minutes(agents[agent], places[place]) is allowed
    assert permissions.can_follow_minutes(agents[agent], place) is allowed


def test_minutes_rules_refuse_disabled_and_anonymous_agents(db, agents, places, minutes_forums):
    for name in ("prefecture13", "ministry", "subprefecture131"):
        agents[name].is_active = False
    forum = minutes_forums["aix"]
    for name in ("prefecture13", "ministry", "subprefecture131"):
        assert not permissions.can_read_minutes(agents[name], forum)
        assert not permissions.can_record_minutes(agents[name], forum)
        assert not permissions.can_follow_minutes(agents[name], places["13"])
    assert not permissions.can_publish_minutes_summary(agents["prefecture13"], forum)
    anonymous = AnonymousUserMixin()
    assert not permissions.can_read_minutes(anonymous, forum)
    assert not permissions.can_record_minutes(anonymous, forum)
    assert not permissions.can_publish_minutes_summary(anonymous, forum)
    assert not permissions.can_follow_minutes(anonymous, places["13"])


@pytest.mark.parametrize("agent, place, allowed", [
    ("prefecture13", "13", True), ("prefecture13", "75", False), ("ministry", "13", True),
    # A sub-prefect reads the synthesis, not the other arrondissements' minutes the bundle annexes.
    ("subprefecture131", "13", False), ("moderator13", "13", False), ("admin", "13", False),
    ("prefecture75", "13", False),
])
def test_who_downloads_a_department_synthesis_bundle(agents, places, agent, place, allowed):
    assert permissions.can_download_synthesis_bundle(agents[agent], places[place]) is allowed
    assert permissions.can_download_synthesis_bundle(agents[agent], place) is allowed


@pytest.mark.parametrize("agent, allowed", [("ministry", True), ("admin", False), ("prefecture13", False),
                                            ("subprefecture131", False), ("moderator13", False)])
def test_only_the_ministry_reads_the_national_synthesis(agents, agent, allowed):
    assert permissions.can_read_national_synthesis(agents[agent]) is allowed


@pytest.mark.parametrize("agent, forum, allowed", [
    ("prefecture13", "aix", True), ("prefecture13", "arles", True),
    ("subprefecture131", "aix", True), ("subprefecture131", "arles", False),
    ("ministry", "aix", True), ("moderator13", "aix", True), ("admin", "aix", False),
    ("prefecture75", "aix", False),
])
def test_who_reads_invitees(agents, minutes_forums, agent, forum, allowed):
    assert permissions.can_read_invitees(agents[agent], minutes_forums[forum]) is allowed
