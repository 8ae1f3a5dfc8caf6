"""One sender per channel; each raises SendError when the message did not go out."""

from __future__ import annotations

import atexit
import json
import select
import smtplib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

import requests
from flask import current_app

from webapp.models import ChannelSettings

from .messages import Rendered

HTTP_TIMEOUT_SECONDS = 5
DEFAULT_BASE_URLS = {
    "whatsapp": "https://graph.facebook.com/v21.0",
    "telegram": "https://api.telegram.org",
}


class SendError(Exception):
    """The message was not delivered; the text is kept as the notification's last error."""


@dataclass(frozen=True)
class Outgoing:
    address: str | None
    message: Rendered
    settings: ChannelSettings | None
    group: str | None = None  # a group chat's name (an announcement), not a person


def _person_only(out: Outgoing, channel: str) -> None:
    """Channels without group chats refuse a group message rather than send it nowhere."""
    if out.group is not None:
        raise SendError(f"{channel} cannot post to a group ({out.group!r}): use telegram")


def _send_in_app(out: Outgoing) -> None:
    """Nothing to send: the bell reads the row."""
    _person_only(out, "in_app")


def _send_email(out: Outgoing) -> None:
    _person_only(out, "email")
    if not out.address:
        raise SendError("the recipient has no e-mail address")
    smtp = current_app.config["LEADLINE_SMTP"]
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = smtp.sender, out.address, out.message.subject
    mail.set_content(out.message.text)
    mail.add_alternative(out.message.html, subtype="html")
    for attachment in out.message.attachments:
        main, _, sub = attachment.content_type.partition("/")
        mail.add_attachment(
            attachment.content, maintype=main, subtype=sub, filename=attachment.filename
        )
    server = _smtp_connection(smtp)
    kept = _kept.smtp is not None and _kept.smtp[1] is server  # open for the batch's next
    try:
        server.send_message(mail)
    except (smtplib.SMTPException, OSError) as error:
        # Whatever state the session is in, the next message starts on a new connection.
        _drop_smtp() if kept else _quit(server)
        raise SendError(f"SMTP {smtp.host}:{smtp.port}: {error}") from error
    if not kept:
        _quit(server)


def _settings(out: Outgoing, channel: str) -> ChannelSettings:
    if out.settings is None or not out.settings.enabled or not out.settings.token:
        raise SendError(f"{channel} is not set up for this workspace (Settings → Channels)")
    return out.settings


def _post_json(url: str, token_header: str | None, body: dict) -> None:
    headers = {"Content-Type": "application/json"}
    if token_header:
        headers["Authorization"] = token_header
    where = url.split("/bot")[0]  # never the Telegram token in an error
    try:
        response = _http().post(
            url, data=json.dumps(body).encode(), headers=headers, timeout=HTTP_TIMEOUT_SECONDS
        )
    except requests.RequestException as error:
        # requests' messages name the URL, and a Telegram URL carries the bot's token.
        raise SendError(f"{where}: {str(error).replace(urlsplit(url).path, '/…')}") from error
    if not 200 <= response.status_code < 300:
        detail = response.content[:300].decode(errors="replace")
        raise SendError(f"HTTP {response.status_code} from {where}: {detail}")


# Kept-alive connections (issue 17 item 2): a TCP (and TLS) handshake per message cost more
# than the message. Per thread, which is per worker process (jobs run one at a time in its
# main thread): a requests Session for as long as the process lives (urllib3 keeps a
# connection per endpoint, replaces one the server closed before reusing it, and honours
# HTTP(S)_PROXY and NO_PROXY as urllib did), and, within a batch (`connections()`), one SMTP
# connection.
class _Kept(threading.local):
    def __init__(self) -> None:
        self.session: requests.Session | None = None
        self.smtp: tuple[object, smtplib.SMTP] | None = None
        self.in_batch = False


_kept = _Kept()


def _http() -> requests.Session:
    if _kept.session is None:
        _kept.session = requests.Session()
    return _kept.session


def close_connections() -> None:
    """Close this thread's kept connections (at exit, so none is left to the collector)."""
    session, _kept.session = _kept.session, None
    if session is not None:
        session.close()
    _drop_smtp()


atexit.register(close_connections)


@contextmanager
def connections() -> Iterator[None]:
    """Keep the SMTP connection open between the messages sent inside (a batch); it is closed
    at the end. HTTP connections stay open after it, for the process's next batch."""
    outer = _kept.in_batch
    _kept.in_batch = True
    try:
        yield
    finally:
        _kept.in_batch = outer
        if not outer:
            _drop_smtp()


def _dropped_by_peer(sock) -> bool:
    """An idle kept SMTP connection the server has closed (or said something on, like its 421
    before closing) reads as ready: it is replaced before a message is written to it."""
    if sock is None:
        return False
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


def _smtp_connection(smtp) -> smtplib.SMTP:
    """The batch's SMTP connection to `smtp` when one is open and alive, else a new one."""
    if _kept.smtp is not None:
        settings, server = _kept.smtp
        if settings == smtp and not _dropped_by_peer(server.sock):
            return server
        _drop_smtp()
    try:
        server = smtplib.SMTP(smtp.host, smtp.port, timeout=HTTP_TIMEOUT_SECONDS)
        if smtp.use_tls:
            server.starttls()
        if smtp.username:
            server.login(smtp.username, smtp.password or "")
    except (smtplib.SMTPException, OSError) as error:
        raise SendError(f"SMTP {smtp.host}:{smtp.port}: {error}") from error
    if _kept.in_batch:
        _kept.smtp = (smtp, server)
    return server


def _drop_smtp() -> None:
    kept, _kept.smtp = _kept.smtp, None
    if kept is not None:
        _quit(kept[1])


def _quit(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def _base(settings: ChannelSettings, channel: str) -> str:
    return (settings.base_url or DEFAULT_BASE_URLS[channel]).rstrip("/")


def _send_whatsapp(out: Outgoing) -> None:
    _person_only(out, "whatsapp")
    settings = _settings(out, "whatsapp")
    to = "".join(ch for ch in out.address or "" if ch.isdigit())
    if not to or not settings.phone_number_id:
        raise SendError("whatsapp needs the recipient's phone and a phone number id")
    _post_json(
        f"{_base(settings, 'whatsapp')}/{settings.phone_number_id}/messages",
        f"Bearer {settings.token}",
        {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "text",
            "text": {"body": out.message.text},
        },
    )


def _telegram_chat(out: Outgoing, settings: ChannelSettings) -> str:
    if out.group is not None:
        # The group as set up now (so a retry after setting it up goes through), else the
        # chat id it had when the message was written.
        chat_id = (settings.telegram_groups or {}).get(out.group) or out.address
        if not chat_id:
            raise SendError(f"telegram group {out.group!r} has no chat id (Settings → Channels)")
        return chat_id
    # The person's own chat (their Telegram chat id), else the workspace's chat.
    chat_id = out.address or settings.chat_id
    if not chat_id:
        raise SendError("telegram needs a chat id")
    return chat_id


def _send_telegram(out: Outgoing) -> None:
    settings = _settings(out, "telegram")
    chat_id = _telegram_chat(out, settings)
    _post_json(
        f"{_base(settings, 'telegram')}/bot{settings.token}/sendMessage",
        None,
        {"chat_id": chat_id, "text": out.message.text},
    )


SENDERS: dict[str, Callable[[Outgoing], None]] = {
    "in_app": _send_in_app,
    "email": _send_email,
    "whatsapp": _send_whatsapp,
    "telegram": _send_telegram,
}
# Channels whose settings live in ChannelSettings (e-mail uses the app's SMTP settings).
CONFIGURABLE = ("whatsapp", "telegram")


# Why a channel cannot carry a message (Notification.fallback_reason).
NOT_SET_UP = "not_set_up"
NO_ADDRESS = "no_address"


def unavailable(channel: str, settings: ChannelSettings | None, address: str | None) -> str | None:
    """Why `channel` cannot reach `address` with the workspace's `settings`, or None when it
    can: the same conditions its sender refuses on, checked before the message is written."""
    if channel == "in_app":
        return None
    if channel == "email":
        return None if address else NO_ADDRESS
    if channel not in SENDERS or settings is None or not settings.enabled or not settings.token:
        return NOT_SET_UP
    if channel == "whatsapp":
        if not settings.phone_number_id:
            return NOT_SET_UP
        return None if any(ch.isdigit() for ch in address or "") else NO_ADDRESS
    return None if (settings.chat_id or address) else NO_ADDRESS  # telegram
