"""What every channel does: send one message, or say why it could not.

The worker (:mod:`..worker`) builds a :class:`Message` from an outbox row and calls
:meth:`Channel.send`. A channel raises :class:`TemporaryFailure` when trying again later may
work (the server is down, a timeout, 429, 5xx) and :class:`PermanentFailure` when it cannot
(an address refused, a push subscription gone): the worker retries the first with backoff and
gives up on the second. ``Message.key`` is the same on every attempt of the same notification;
a channel passes it to the receiver wherever the receiver can recognise a repeat (Message-ID,
a gateway's request id, a push message's topic).

A failure also says its :class:`FailureKind`, decided where it is raised (the channel knows
what its receiver's answer means): the outbox row keeps the kind beside the technical reason,
so that staff read why in their words (``notify/labels.ERROR_KIND``) and IT the detail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class Message:
    key: str  # the notification's idempotency key
    channel: str
    event: str  # what happened, e.g. "dossier.result_ready": a gateway may map it to a template id
    recipient: str  # e-mail address, E.164 phone, or push endpoint
    body: str
    language: str = "vi"
    subject: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  # the template's values (Zalo ZNS)
    keys: dict[str, str] | None = None  # Web Push: the browser's p256dh and auth
    opt_out_url: str | None = None


@dataclass(frozen=True)
class Receipt:
    provider_ref: str | None = None  # the receiver's id of the message, when it gives one
    delivered: bool = False  # True when the channel knows the message reached the person


class FailureKind:
    """Why a message was not sent, in a few kinds staff can act on."""

    UNREACHABLE = "unreachable"  # no connection to the receiver (down, wrong address, network)
    TIMEOUT = "timeout"  # connected, but no answer in time
    UNAVAILABLE = "unavailable"  # the receiver answered that it cannot now (5xx, SMTP 4yz)
    RATE_LIMITED = "rate_limited"  # too many messages, or the quota spent (429, Zalo -115)
    REFUSED_ADDRESS = "refused_address"  # this e-mail address or phone number cannot receive it
    REJECTED = "rejected"  # the receiver refused the message itself
    MISCONFIGURED = "misconfigured"  # the site's account or settings (credentials, template, balance)
    GONE = "gone"  # the citizen's browser subscription no longer exists
    SWITCHED_OFF = "switched_off"  # the site switched the channel off after the message was written
    OTHER = "other"  # anything else (a channel's bug): the technical reason says more

    ALL = (
        UNREACHABLE,
        TIMEOUT,
        UNAVAILABLE,
        RATE_LIMITED,
        REFUSED_ADDRESS,
        REJECTED,
        MISCONFIGURED,
        GONE,
        SWITCHED_OFF,
        OTHER,
    )


class TemporaryFailure(Exception):
    """Trying again later may work. ``retry_after``: seconds, when the receiver said."""

    def __init__(self, reason: str, retry_after: float | None = None, kind: str = FailureKind.OTHER):
        super().__init__(reason)
        self.retry_after = retry_after
        self.kind = kind


class PermanentFailure(Exception):
    """Trying again will not work. ``gone``: the address no longer exists (a push subscription
    expired): the subscription is ended so that nothing more is sent to it."""

    def __init__(self, reason: str, gone: bool = False, kind: str | None = None):
        super().__init__(reason)
        self.gone = gone
        self.kind = kind or (FailureKind.GONE if gone else FailureKind.OTHER)


class Channel(Protocol):
    """One way of reaching a citizen, configured for one site.

    ``settings`` is the site's :attr:`..models.SiteChannel.settings` (validated by
    :meth:`check_settings` when an admin saves them), ``secret`` its password or key, ``config``
    the application's configuration (server-wide values such as the SMTP relay or VAPID key).
    """

    name: ClassVar[str]

    def __init__(self, settings: dict, secret: str | None, config: dict) -> None: ...

    @classmethod
    def check_settings(cls, settings: dict) -> dict:
        """The settings cleaned, or ValueError with a message for the admin."""
        ...

    def send(self, message: Message) -> Receipt: ...
