"""All models, importable from one place (Alembic's autogenerate needs them registered)."""

from .audit import AuditEvent
from .channels import ChannelSettings
from .delivery import ApiKey, Notification, NotificationState
from .lead import Account, IntakeReceipt, Lead, LeadStatusMove
from .lead_import import ImportState, LeadImport
from .portal import Collateral, DealRegistration, LeadFeedback, Meeting, Opportunity
from .replay import PolicyReplay, ReplayState
from .reporting import WeeklyReport
from .roster import RosterEntry
from .saved_view import SavedView
from .telecom import (
    Accrual,
    Campaign,
    CampaignTarget,
    Customer,
    Interaction,
    Offer,
    OfferException,
)
from .user import Membership, Role, User
from .webhook import WebhookSource
from .work import Activity, Deadline, DeadlineState, Task, TaskState
from .workspace import SLUG_PATTERN, PartnerOrganisation, PolicyVersion, Team, Workspace

__all__ = [
    "SLUG_PATTERN",
    "Account",
    "Accrual",
    "Activity",
    "ApiKey",
    "AuditEvent",
    "Campaign",
    "CampaignTarget",
    "ChannelSettings",
    "Collateral",
    "Customer",
    "Deadline",
    "DeadlineState",
    "DealRegistration",
    "ImportState",
    "IntakeReceipt",
    "Interaction",
    "Lead",
    "LeadFeedback",
    "LeadImport",
    "LeadStatusMove",
    "Meeting",
    "Membership",
    "Notification",
    "NotificationState",
    "Offer",
    "OfferException",
    "Opportunity",
    "PartnerOrganisation",
    "PolicyReplay",
    "PolicyVersion",
    "ReplayState",
    "Role",
    "RosterEntry",
    "SavedView",
    "Task",
    "TaskState",
    "Team",
    "User",
    "WebhookSource",
    "WeeklyReport",
    "Workspace",
]
