"""`notifications` section: who hears about which event, on which channels (ALL-5)."""

from pydantic import Field

from tenants.policy.common import N_, Channel, Code, EventName, Recipient, Section


class NotificationRule(Section):
    """On `event`, tell `roles` on `channels` with a template."""

    event: EventName = Field(title=N_("Event"), description=N_("The event that sends the message"))
    roles: list[Recipient] = Field(min_length=1, title=N_("Who"), description=N_("The people told"))
    channels: list[Channel] = Field(
        default_factory=lambda: ["in_app"],
        min_length=1,
        title=N_("Channels"),
        description=N_("The channels the message goes on"),
    )
    template: Code = Field(title=N_("Message"), description=N_("The message template sent"))
    team: Code | None = Field(
        None,
        title=N_("Team"),
        description=N_("The team the role team means; none: the lead's own team"),
    )


class Announcement(Section):
    """Post to a group chat on an event, with a tag (CCIMA-9)."""

    event: EventName = Field(title=N_("Event"), description=N_("The event that sends the message"))
    channel: Channel = Field(
        "telegram", title=N_("Channel"), description=N_("The channel it is sent on")
    )
    group: str = Field(
        min_length=1,
        title=N_("Group chat"),
        description=N_("The group the announcement is posted to"),
    )
    tag: str | None = Field(None, title=N_("Tag"), description=N_("A tag added to the post"))
    template: Code = Field(title=N_("Message"), description=N_("The message template sent"))


class NotificationSettings(Section):
    """Notification rules and group announcements."""

    default_channels: list[Channel] = Field(
        default_factory=lambda: ["in_app"],
        min_length=1,
        title=N_("Default channels"),
        description=N_("The channels used when a rule names none"),
    )
    fallback_channel: Channel | None = Field(
        "in_app",
        title=N_("Fallback channel"),
        description=N_("Where a message goes when its channel is not set up; none: it fails"),
    )
    rules: list[NotificationRule] = Field(
        default_factory=list,
        title=N_("Notification rules"),
        description=N_("Who is told of which event"),
    )
    announcements: list[Announcement] = Field(
        default_factory=list,
        title=N_("Group announcements"),
        description=N_("Posts to a group chat on an event"),
    )
