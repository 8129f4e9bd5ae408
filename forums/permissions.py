"""The policy module: every "may this agent do this to that object" question is answered here.

Two kinds of answer: *visibility* (is the object inside the agent's territory? if not, the view
answers 404 so that nothing leaks about other territories) and *permission* (may the agent act on
a visible object? if not, 403). Rules are plain functions of (agent, object) and tested alone.
"""
from flask import abort

from .applog import clean, get_logger
from .models import Agent, Arrondissement, Department, ForumStatus, Role

log = get_logger("permissions")

NATIONAL_ROLES = frozenset({Role.MINISTRY, Role.ADMIN})
DEPARTMENT_ROLES = frozenset({Role.PREFECTURE, Role.MODERATOR})


def _is_agent(agent):
    return isinstance(agent, Agent) and agent.is_authenticated and agent.is_active


def is_national(agent):
    """Tell whether the agent sees the whole country."""
    return _is_agent(agent) and agent.role in NATIONAL_ROLES


def can_see_department(agent, department):
    """Tell whether the agent may see the whole department (a sub-prefect sees its arrondissement only)."""
    if not _is_agent(agent):
        return False
    if is_national(agent):
        return True
    return agent.role in DEPARTMENT_ROLES and agent.department_code == _code(department)


def can_see_arrondissement(agent, arrondissement):
    """Tell whether the arrondissement lies in the agent's territory."""
    if not _is_agent(agent):
        return False
    if agent.role is Role.SUBPREFECTURE:
        return agent.arrondissement_code == _code(arrondissement)
    return is_national(agent) or (
        isinstance(arrondissement, Arrondissement)
        and agent.role in DEPARTMENT_ROLES
        and agent.department_code == arrondissement.department_code
    )


def can_see_forum(agent, forum):
    """Tell whether the forum lies in the agent's territory (a sub-prefect sees its arrondissement's)."""
    if not _is_agent(agent):
        return False
    if agent.role is Role.SUBPREFECTURE:
        return forum.arrondissement_code is not None and forum.arrondissement_code == agent.arrondissement_code
    return is_national(agent) or agent.department_code == forum.department_code


def can_plan_forums(agent, department):
    """Tell whether the agent may create forums in the department (sub-prefects: drafts only)."""
    if not _is_agent(agent):
        return False
    return agent.role in (Role.PREFECTURE, Role.SUBPREFECTURE) and agent.department_code == _code(department)


def can_edit_forum(agent, forum):
    """Tell whether the agent may change the forum's details.

    The prefecture edits its forums until they are held or cancelled; a sub-prefect edits the
    drafts of its arrondissement, which the prefecture then publishes.
    """
    if not can_see_forum(agent, forum) or forum.status in (ForumStatus.HELD, ForumStatus.CANCELLED):
        return False
    if agent.role is Role.PREFECTURE:
        return True
    return agent.role is Role.SUBPREFECTURE and forum.status is ForumStatus.DRAFT


def can_change_forum_status(agent, forum):
    """Tell whether the agent may publish, postpone, cancel or close the forum: the prefecture only."""
    return can_see_forum(agent, forum) and agent.role is Role.PREFECTURE


def can_manage_invitees(agent, forum):
    """Tell whether the agent may add, import, remove invitees and tick attendance."""
    if not can_see_forum(agent, forum) or forum.status is ForumStatus.CANCELLED:
        return False
    return agent.role in (Role.PREFECTURE, Role.SUBPREFECTURE)


def can_read_invitees(agent, forum):
    """Tell whether the agent may read a forum's invitees, names and e-mail addresses.

    Everyone who sees the forum and works on it or follows it; not the administrators, whose
    work is accounts.
    """
    return can_see_forum(agent, forum) and agent.role is not Role.ADMIN


def can_moderate_questions(agent, department):
    """Tell whether the agent may moderate and answer the department's questions (moderators, prefecture)."""
    if not _is_agent(agent):
        return False
    return agent.role in DEPARTMENT_ROLES and agent.department_code == _code(department)


def can_see_questions(agent, department):
    """Tell whether the agent may read the department's questions, published or not (and the ministry)."""
    return can_moderate_questions(agent, department) or is_national(agent)


def can_read_moderation(agent, department):
    """Tell whether the agent may read the department's moderation queue and question files.

    Those who moderate, and the ministry, which follows the consultation; not the administrators,
    whose work is accounts and consultations, not citizens' unpublished texts.
    """
    return can_moderate_questions(agent, department) or (_is_agent(agent) and agent.role is Role.MINISTRY)


def can_manage_agents(agent):
    """Tell whether the agent may create, disable and re-scope agent accounts."""
    return _is_agent(agent) and agent.role is Role.ADMIN


def can_browse_country(agent):
    """Tell whether the agent may use the national views (all departments, exports)."""
    return is_national(agent)


def can_edit_department_synthesis(agent, department):
    """Tell whether the agent may prepare, edit and submit the department's synthesis: its prefecture."""
    return _is_agent(agent) and agent.role is Role.PREFECTURE and agent.department_code == _code(department)


def can_read_department_synthesis(agent, department):
    """Tell whether the agent may read the department's synthesis: its prefecture and sub-prefectures, the ministry."""
    if not _is_agent(agent):
        return False
    if agent.role is Role.MINISTRY:
        return True
    return agent.role in (Role.PREFECTURE, Role.SUBPREFECTURE) and agent.department_code == _code(department)


def can_download_synthesis_bundle(agent, department):
    """Tell whether the agent may download the department's synthesis bundle: its prefecture, the ministry.

    The bundle annexes every forum's minutes and signed documents: it goes only to those who may
    read all of them (:func:`can_read_minutes`), not to a sub-prefect, who reads its own.
    """
    if not _is_agent(agent):
        return False
    if agent.role is Role.MINISTRY:
        return True
    return agent.role is Role.PREFECTURE and agent.department_code == _code(department)


def can_reopen_synthesis(agent):
    """Tell whether the agent may reopen a submitted departmental synthesis: the ministry."""
    return _is_agent(agent) and agent.role is Role.MINISTRY


def can_read_national_synthesis(agent):
    """Tell whether the agent may read the national synthesis, its documents and proposals: the ministry.

    Not the administrators: their work is accounts and consultations, not the minutes' contents.
    """
    return _is_agent(agent) and agent.role is Role.MINISTRY


def can_edit_national_synthesis(agent):
    """Tell whether the agent may prepare and edit the national synthesis: the ministry."""
    return _is_agent(agent) and agent.role is Role.MINISTRY


def can_read_minutes(agent, forum):
    """Tell whether the agent may read the forum's minutes and documents.

    The prefecture of the department and the sub-prefecture of the forum's arrondissement, which
    write them; the ministry, read-only. Not moderators nor administrators: minutes are internal.
    """
    if not can_see_forum(agent, forum):
        return False
    return agent.role in (Role.PREFECTURE, Role.SUBPREFECTURE, Role.MINISTRY)


def can_record_minutes(agent, forum):
    """Tell whether the agent may write the forum's minutes and attach their documents.

    The prefecture of the department, and the sub-prefecture of the forum's arrondissement.
    """
    return can_see_forum(agent, forum) and agent.role in (Role.PREFECTURE, Role.SUBPREFECTURE)


def can_publish_minutes_summary(agent, forum):
    """Tell whether the agent may publish or withdraw the public summary of the minutes: the prefecture only."""
    return can_see_forum(agent, forum) and agent.role is Role.PREFECTURE


def can_follow_minutes(agent, department):
    """Tell whether the agent may follow the department's missing minutes and read its proposals.

    Its prefecture and sub-prefectures (each loader still limits a sub-prefect to its
    arrondissement), and the ministry.
    """
    if not _is_agent(agent):
        return False
    if agent.role is Role.MINISTRY:
        return True
    return agent.role in (Role.PREFECTURE, Role.SUBPREFECTURE) and agent.department_code == _code(department)


def home_endpoint(agent):
    """Return the endpoint an agent lands on after logging in."""
    if agent.role is Role.ADMIN:
        return "admin.agents"
    if agent.role is Role.MINISTRY:
        return "ministry.home"
    if agent.role is Role.MODERATOR:
        return "moderation.index"
    return "prefecture.home"


def ensure_visible(agent, visible, what):
    """Abort with 404 unless ``visible``; log the refusal with the agent and territory."""
    if not visible:
        log.warning(
            "out of scope: agent=%s role=%s territory=%s object=%s",
            getattr(agent, "id", None), getattr(getattr(agent, "role", None), "value", None),
            getattr(agent, "territory_code", None), clean(what),
        )
        abort(404)


def ensure_allowed(agent, allowed, action):
    """Abort with 403 unless ``allowed``; log the refusal with the agent and territory."""
    if not allowed:
        log.warning(
            "forbidden: agent=%s role=%s territory=%s action=%s",
            getattr(agent, "id", None), getattr(getattr(agent, "role", None), "value", None),
            getattr(agent, "territory_code", None), clean(action),
        )
        abort(403)


def _code(territory):
    if isinstance(territory, (Department, Arrondissement)):
        return territory.code
    return territory
