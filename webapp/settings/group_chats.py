"""The "group chats" setting of a channel: the policy's group names mapped to chat ids.

Written one per line as `name = chat id`; a line `name =` removes that group. Parsed into a
dict when the form is read, so a malformed line is an error beside the field.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from wtforms import TextAreaField

MAX_GROUPS = 50
MAX_NAME = 80  # Notification.recipient_group
MAX_CHAT_ID = 64


def parse_group_chats(text: str) -> dict[str, str | None]:
    """{name: chat id, or None to remove}; raises ValueError naming the line that is wrong."""
    groups: dict[str, str | None] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, equals, chat_id = line.partition("=")
        name, chat_id = name.strip(), chat_id.strip()
        if not equals or not name:
            raise ValueError(_("Line %(n)d: write the group's name, = and its chat id.", n=number))
        if len(name) > MAX_NAME or len(chat_id) > MAX_CHAT_ID:
            raise ValueError(_("Line %(n)d is too long.", n=number))
        groups[name] = chat_id or None
    if len(groups) > MAX_GROUPS:
        raise ValueError(_("At most %(n)d group chats.", n=MAX_GROUPS))
    return groups


class GroupChatsField(TextAreaField):
    """A textarea whose data is the parsed {name: chat id or None} (empty: no change)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.raw_text = self.data or ""
        try:
            self.data = parse_group_chats(self.raw_text)
        except ValueError:
            self.data = {}
            raise

    def _value(self) -> str:
        return getattr(self, "raw_text", "")  # what was typed, errors and all
