"""All ORM models; importing this module registers every table on ``Base.metadata``."""

from estapp.models.accounts import AuthSession, LoginAttempt, PasswordToken, Role, User
from estapp.models.audit import AuditEvent
from estapp.models.distribution import DistributionRecipient, Reminder, ReminderKind
from estapp.models.geography import (
    Area,
    Category,
    DistributionMode,
    DistributionTrigger,
    Municipality,
    Organisation,
    OrganisationKind,
    Place,
)
from estapp.models.heartbeat import SchedulerHeartbeat
from estapp.models.lagesbild import CompileReason, CompileRun, PictureStatus, SituationPicture
from estapp.models.meetings import (
    OPEN_STATUSES,
    Action,
    ActionReminder,
    ActionReminderKind,
    ActionStatus,
    ActionUpdate,
    Meeting,
    MeetingStatus,
)
from estapp.models.outbox import OutboxMessage, OutboxStatus
from estapp.models.promises import (
    Commitment,
    IndicatorDirection,
    ProblemArea,
    Promise,
    PromiseStatus,
    ResponsibleParty,
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
    "OPEN_STATUSES",
    "Action",
    "ActionReminder",
    "ActionReminderKind",
    "ActionStatus",
    "ActionUpdate",
    "Area",
    "AuditEvent",
    "AuthSession",
    "Category",
    "Commitment",
    "CompileReason",
    "CompileRun",
    "Concern",
    "DistributionMode",
    "DistributionRecipient",
    "DistributionTrigger",
    "IndicatorDirection",
    "LoginAttempt",
    "Meeting",
    "MeetingStatus",
    "Municipality",
    "Observation",
    "ObservationDraft",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "OutboxStatus",
    "PasswordToken",
    "PictureStatus",
    "Place",
    "ProblemArea",
    "Promise",
    "PromiseStatus",
    "Reminder",
    "ReminderKind",
    "ReportStatus",
    "ResponsibleParty",
    "Role",
    "SchedulerHeartbeat",
    "SituationPicture",
    "TimeOfDay",
    "User",
    "WeeklyReport",
]
