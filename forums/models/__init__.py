"""Database models, imported here so that Alembic and the app see every table."""
from .agents import Agent, Role
from .audit import AuditEvent
from .consultations import Consultation, Subtopic, Theme, ThemePart
from .forums import Forum, ForumDateChange, ForumStatus, Invitee, InviteeQuality, Speaker, SpeakerKind
from .mail import MailStatus, OutgoingMail
from .minutes import (
    AttachmentKind, AttendanceCategory, Minutes, MinutesAttachment, MinutesTopic, MinutesVersion, Proposal,
    ProposalOrigin,
)
from .publication import PublicationState
from .recovery_codes import RecoveryCode
from .questions import (
    Question, QuestionContact, QuestionCounter, QuestionStatus, QuestionSupport, RejectionReason,
)
from .similarity import QuestionSimilarityKey
from .syntheses import DepartmentSynthesis, NationalSynthesis, SynthesisAnnex, SynthesisStatus
from .territories import Arrondissement, Canton, CantonKind, Commune, CommuneKind, Department, Region

__all__ = [
    "Agent",
    "Arrondissement",
    "AttachmentKind",
    "AttendanceCategory",
    "AuditEvent",
    "Canton",
    "CantonKind",
    "Commune",
    "CommuneKind",
    "Consultation",
    "Department",
    "DepartmentSynthesis",
    "Forum",
    "ForumDateChange",
    "ForumStatus",
    "Invitee",
    "InviteeQuality",
    "MailStatus",
    "Minutes",
    "MinutesAttachment",
    "MinutesTopic",
    "MinutesVersion",
    "NationalSynthesis",
    "OutgoingMail",
    "Proposal",
    "ProposalOrigin",
    "PublicationState",
    "Question",
    "QuestionContact",
    "QuestionCounter",
    "QuestionSimilarityKey",
    "QuestionStatus",
    "QuestionSupport",
    "RecoveryCode",
    "Region",
    "RejectionReason",
    "Role",
    "Speaker",
    "SpeakerKind",
    "Subtopic",
    "SynthesisAnnex",
    "SynthesisStatus",
    "Theme",
    "ThemePart",
]
