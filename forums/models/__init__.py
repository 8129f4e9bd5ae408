"""Database models, imported here so that Alembic and the app see every table."""
from .agents import Agent, Role
from .audit import AuditEvent
from .consultations import Consultation, Subtopic, Theme, ThemePart
from .forums import Forum, ForumDateChange, ForumStatus, Invitee, InviteeQuality, Speaker, SpeakerKind
from .publication import PublicationState
from .territories import Arrondissement, Canton, CantonKind, Commune, Department, Region

__all__ = [
    "Agent",
    "Arrondissement",
    "AuditEvent",
    "Canton",
    "CantonKind",
    "Commune",
    "Consultation",
    "Department",
    "Forum",
    "ForumDateChange",
    "ForumStatus",
    "Invitee",
    "InviteeQuality",
    "PublicationState",
    "Region",
    "Role",
    "Speaker",
    "SpeakerKind",
    "Subtopic",
    "Theme",
    "ThemePart",
]
