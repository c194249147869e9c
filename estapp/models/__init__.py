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

__all__ = [
    "Area",
    "AuditEvent",
    "AuthSession",
    "Category",
    "LoginAttempt",
    "Municipality",
    "Organisation",
    "OrganisationKind",
    "PasswordToken",
    "Place",
    "Role",
    "User",
]
