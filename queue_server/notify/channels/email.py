"""E-mail over SMTP, through the server's relay (``SMTP_*`` settings).

A site chooses only its sender name and reply-to address (:meth:`EmailChannel.check_settings`);
the relay and the From address are the server's, so that one SPF/DKIM set-up covers every site.

The Message-ID is made from the notification's key, so a message sent again after a crash
carries the same one and a mail store that keeps one copy per Message-ID keeps one. Every
message has a List-Unsubscribe header with its opt-out link (RFC 2369), which mail programs
show as an "unsubscribe" button.

What the relay answers decides what happens next (RFC 5321 §4.2.1): a 4yz reply, a refused
or lost connection and a timeout are temporary (tried again later); a 5yz reply refusing the
recipient (or the message) is permanent.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from typing import ClassVar

from ...errors import ApiError
from ...phones import normalise_email
from .base import FailureKind, Message, PermanentFailure, Receipt, TemporaryFailure

NAME_MAX = 100


def message_id(key: str, domain: str) -> str:
    """The same Message-ID for every attempt of one notification (its key, hashed: keys hold
    ids a recipient need not see)."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class EmailChannel:
    name: ClassVar[str] = "email"

    def __init__(self, settings: dict, secret: str | None, config: dict) -> None:
        self.settings = settings
        self.config = config

    @classmethod
    def check_settings(cls, settings: dict) -> dict:
        """``sender_name`` (shown before the server's From address) and ``reply_to`` (where a
        citizen's answer goes: the centre's own mailbox), both optional."""
        cleaned: dict[str, str] = {}
        name = (settings.get("sender_name") or "").strip()
        if len(name) > NAME_MAX or any(c in name for c in '\r\n<>"'):
            raise ValueError(f'sender_name: at most {NAME_MAX} characters, without line breaks, < > or ".')
        if name:
            cleaned["sender_name"] = name
        reply_to = (settings.get("reply_to") or "").strip()
        if reply_to:
            try:
                cleaned["reply_to"] = normalise_email(reply_to)
            except ApiError:
                raise ValueError("reply_to is not a valid e-mail address.") from None
        return cleaned

    def build(self, message: Message) -> EmailMessage:
        sender = self.config["NOTIFY_EMAIL_FROM"]
        email = EmailMessage()
        email["From"] = Address(display_name=self.settings.get("sender_name") or "", addr_spec=sender)
        email["To"] = message.recipient
        email["Subject"] = message.subject or ""
        email["Message-ID"] = message_id(message.key, Address(addr_spec=sender).domain or "localhost")
        if self.settings.get("reply_to"):
            email["Reply-To"] = self.settings["reply_to"]
        if message.opt_out_url and message.opt_out_url.startswith(("https://", "http://")):
            email["List-Unsubscribe"] = f"<{message.opt_out_url}>"
        email["Content-Language"] = message.language
        email.set_content(message.body, charset="utf-8")
        return email

    def _connect(self) -> smtplib.SMTP:
        host, port = self.config["SMTP_HOST"], self.config["SMTP_PORT"]
        timeout = self.config["SMTP_TIMEOUT_SECONDS"]
        security = self.config["SMTP_SECURITY"]
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if self.config.get("SMTP_USERNAME"):
            smtp.login(self.config["SMTP_USERNAME"], self.config.get("SMTP_PASSWORD") or "")
        return smtp

    def send(self, message: Message) -> Receipt:
        email = self.build(message)
        try:
            with self._connect() as smtp:
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            raise _failure(code, reply, FailureKind.REFUSED_ADDRESS) from None
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as error:  # the relay's account
            raise _failure(error.smtp_code, error.smtp_error, FailureKind.MISCONFIGURED) from None
        except smtplib.SMTPResponseException as error:  # refused data, or the connection
            raise _failure(error.smtp_code, error.smtp_error, FailureKind.REJECTED) from None
        except TimeoutError:
            raise TemporaryFailure("SMTP: TimeoutError", kind=FailureKind.TIMEOUT) from None
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(f"SMTP: {type(error).__name__}", kind=FailureKind.UNREACHABLE) from None
        return Receipt(provider_ref=email["Message-ID"])


def _failure(code: int, reply: bytes | str, refusal: str) -> Exception:
    """A reply's class: 5yz will not work later (a ``refusal`` of that kind), anything else may
    (the relay cannot now). The reply's text is kept short and without the address (the relay
    often repeats it)."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    reason = f"SMTP {code}: {text.split('<')[0].strip()[:120]}"
    if 500 <= code < 600:
        return PermanentFailure(reason, kind=refusal)
    return TemporaryFailure(reason, kind=FailureKind.UNAVAILABLE)
