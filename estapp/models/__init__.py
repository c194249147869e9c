"""All ORM models; importing this module registers every table on ``Base.metadata``."""

from estapp.models.accounts import AuthSession, LoginAttempt, PasswordToken, Role, User
from estapp.models.audit import AuditEvent
from estapp.models.geography import (
    Area,
    Category,
    Municipality,
    Organisation,
    OrganisationKind,
    Place,
)
from estapp.models.reporting import (
    Concern,
    Observation,
    ObservationDraft,
    ReportStatus,
    TimeOfDay,
    WeeklyReport,
)

__all__ = [
    "Area",
    "AuditEvent",
    "AuthSession",
    "Category",
    "Concern",
    "LoginAttempt",
    "Municipality",
    "Observation",
    "ObservationDraft",
    "Organisation",
    "OrganisationKind",
    "PasswordToken",
    "Place",
    "ReportStatus",
    "Role",
    "TimeOfDay",
    "User",
    "WeeklyReport",
]
