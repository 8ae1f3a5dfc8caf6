"""All models, importable from one place (Alembic's autogenerate needs them registered)."""

from .audit import AuditEvent
from .channels import ChannelSettings
from .delivery import ApiKey, Notification, NotificationState
from .lead import Account, IntakeReceipt, Lead
from .lead_import import ImportState, LeadImport
from .portal import Collateral, DealRegistration, LeadFeedback, Meeting, Opportunity
from .replay import PolicyReplay, ReplayState
from .reporting import WeeklyReport
from .roster import RosterEntry
from .user import Membership, Role, User
from .webhook import WebhookSource
from .work import Activity, Deadline, DeadlineState, Task, TaskState
from .workspace import SLUG_PATTERN, PartnerOrganisation, PolicyVersion, Team, Workspace

__all__ = [
    "SLUG_PATTERN",
    "Account",
    "Activity",
    "ApiKey",
    "AuditEvent",
    "ChannelSettings",
    "Collateral",
    "Deadline",
    "DeadlineState",
    "DealRegistration",
    "ImportState",
    "IntakeReceipt",
    "Lead",
    "LeadFeedback",
    "LeadImport",
    "Meeting",
    "Membership",
    "Notification",
    "NotificationState",
    "Opportunity",
    "PartnerOrganisation",
    "PolicyReplay",
    "PolicyVersion",
    "ReplayState",
    "Role",
    "RosterEntry",
    "Task",
    "TaskState",
    "Team",
    "User",
    "WebhookSource",
    "WeeklyReport",
    "Workspace",
]
