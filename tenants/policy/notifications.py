"""`notifications` section: who hears about which event, on which channels (ALL-5)."""

from pydantic import Field

from tenants.policy.common import Channel, Code, EventName, Recipient, Section


class NotificationRule(Section):
    """On `event`, tell `roles` on `channels` with a template."""

    event: EventName
    roles: list[Recipient] = Field(min_length=1)
    channels: list[Channel] = Field(default_factory=lambda: ["in_app"], min_length=1)
    template: Code
    team: Code | None = Field(
        None, description="the team the role `team` means (default: the lead's own team)"
    )


class Announcement(Section):
    """Post to a group chat on an event, with a tag (CCIMA-9)."""

    event: EventName
    channel: Channel = "telegram"
    group: str = Field(min_length=1)
    tag: str | None = None
    template: Code


class NotificationSettings(Section):
    """Notification rules and group announcements."""

    default_channels: list[Channel] = Field(default_factory=lambda: ["in_app"], min_length=1)
    fallback_channel: Channel | None = Field(
        "in_app",
        description="where a message goes when its channel is not set up for the workspace or "
        "the recipient has no address for it (none: it fails in the delivery log)",
    )
    rules: list[NotificationRule] = Field(default_factory=list)
    announcements: list[Announcement] = Field(default_factory=list)
