"""SMTP transport: compose one outbox message and hand it to the relay, classifying failures.

Failures come back as :class:`DeliveryFailure` with a Swedish message that includes the
server's own reply, and a verdict: *transient* (try again later) or *permanent* (give up).
"""

from __future__ import annotations

import smtplib
import ssl
from base64 import b64encode
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from estapp.config import Settings

SMTP_TIMEOUT = 20  # seconds, per network operation


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutgoingMail:
    """Everything needed to send one outbox row, detached from the database session."""

    id: int
    document_key: str
    municipality_id: int | None
    attempt: int  # this is the row's n-th attempt
    recipient: str
    message_id: str
    subject: str
    text: str
    html: str | None
    attachment: Attachment | None


class DeliveryFailure(Exception):
    """The mail was not delivered; ``permanent`` says whether trying again can help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def sender_address(settings: Settings) -> str:
    """The bare address of ESTAPP_MAIL_FROM (which may carry a display name)."""
    return parseaddr(settings.mail_from)[1] or settings.mail_from


def compose(mail: OutgoingMail, settings: Settings, *, now: datetime) -> EmailMessage:
    """A MIME message: plain text, an HTML alternative if given, and the attachment."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = mail.message_id
    # Automatic mail: no out-of-office replies back to the sender (RFC 3834; Exchange's own).
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    if mail.attachment is not None:
        maintype, _, subtype = mail.attachment.content_type.partition("/")
        message.add_attachment(
            mail.attachment.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=mail.attachment.filename,
        )
    return message


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _response_failure(error: smtplib.SMTPResponseException, what: str) -> DeliveryFailure:
    permanent = error.smtp_code >= 500
    kind = "avvisade" if permanent else "avvisade tillfälligt"
    return DeliveryFailure(
        f"E-postservern {kind} {what}: {_reply(error.smtp_code, error.smtp_error)}",
        permanent=permanent,
    )


def _classify(error: Exception, settings: Settings) -> DeliveryFailure:
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        permanent = code >= 500
        kind = "avvisade mottagaren" if permanent else "avvisade tillfälligt mottagaren"
        return DeliveryFailure(f"E-postservern {kind}: {_reply(code, text)}", permanent=permanent)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return DeliveryFailure(
            "Inloggningen på e-postservern misslyckades (kontrollera ESTAPP_SMTP_USER och "
            f"ESTAPP_SMTP_PASSWORD): {_reply(error.smtp_code, error.smtp_error)}",
            permanent=error.smtp_code >= 500,
        )
    if isinstance(error, smtplib.SMTPSenderRefused):
        return _response_failure(error, f"avsändaren {error.sender}")
    if isinstance(error, smtplib.SMTPResponseException):
        return _response_failure(error, "brevet")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return DeliveryFailure(
            f"E-postservern {server} stängde anslutningen: {error}", permanent=False
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return DeliveryFailure(
            f"E-postservern {server} stöder inte det som krävs (kontrollera "
            f"ESTAPP_SMTP_SECURITY): {error}",
            permanent=True,
        )
    if isinstance(error, ConnectionRefusedError):
        return DeliveryFailure(
            f"Kunde inte ansluta till e-postservern {server}: anslutningen nekades",
            permanent=False,
        )
    if isinstance(error, TimeoutError):
        return DeliveryFailure(f"E-postservern {server} svarade inte i tid", permanent=False)
    if isinstance(error, ssl.SSLError):
        return DeliveryFailure(
            f"TLS-fel mot e-postservern {server} (kontrollera ESTAPP_SMTP_SECURITY och "
            f"ESTAPP_SMTP_PORT): {error}",
            permanent=False,
        )
    if isinstance(error, OSError):
        return DeliveryFailure(f"Nätverksfel mot e-postservern {server}: {error}", permanent=False)
    # smtplib's own protocol errors (e.g. no usable login method) and anything unforeseen:
    # trying the same thing again will not help.
    return DeliveryFailure(
        f"Brevet kunde inte skickas via {server}: {type(error).__name__}: {error}",
        permanent=True,
    )


def _connect(settings: Settings) -> smtplib.SMTP:
    if settings.smtp_security == "ssl":
        return smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=SMTP_TIMEOUT,
            context=ssl.create_default_context(),
        )
    client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
    if settings.smtp_security == "starttls":
        try:
            client.starttls(context=ssl.create_default_context())
        except BaseException:
            client.close()
            raise
    return client


def _b64(text: str) -> str:
    return b64encode(text.encode()).decode("ascii")


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; unlike smtplib, also with a non-ASCII password (UTF-8, as RFC 4616 says)."""
    if (user + password).isascii():
        client.login(user, password)
        return
    client.ehlo_or_helo_if_needed()
    advertised = client.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in advertised:
        code, reply = client.docmd("AUTH", "PLAIN " + _b64(f"\0{user}\0{password}"))
    elif "LOGIN" in advertised:
        code, reply = client.docmd("AUTH", "LOGIN " + _b64(user))
        if code == 334:
            code, reply = client.docmd(_b64(password))
    else:
        raise smtplib.SMTPNotSupportedError("servern erbjuder varken AUTH PLAIN eller LOGIN")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


def _over_smtp(settings: Settings, send: EmailMessage | None, recipient: str = "") -> None:
    try:
        client = _connect(settings)
    except Exception as error:
        raise _classify(error, settings) from error
    try:
        client.ehlo_or_helo_if_needed()
        if settings.smtp_user:
            _login(client, settings.smtp_user, settings.smtp_password)
        if send is not None:
            client.send_message(send, from_addr=sender_address(settings), to_addrs=[recipient])
    except Exception as error:
        raise _classify(error, settings) from error
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def deliver(message: EmailMessage, recipient: str, settings: Settings) -> None:
    """Send over SMTP; raise DeliveryFailure. Once the server has accepted, it is delivered."""
    _over_smtp(settings, message, recipient)


def verify_connection(settings: Settings) -> None:
    """Connect, secure and log in as ``deliver`` does, send nothing; raise DeliveryFailure."""
    _over_smtp(settings, None)
