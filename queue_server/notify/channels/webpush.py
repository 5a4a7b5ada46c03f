"""Web Push (RFC 8030, 8291, 8292): a message to the browser that subscribed on a tracking page.

The browser gave its push service's endpoint (an https URL) and two keys: ``p256dh``, its
public key, and ``auth``, a shared secret. The message is encrypted to those keys
(aes128gcm, RFC 8291) and signed with the server's VAPID key (:mod:`..vapid`) by ``pywebpush``;
the push service holds it for ``TTL`` seconds until the phone is online, and the service
worker (static/js/push-worker.js) shows it.

What the push service is told:

- ``Topic``: derived from the notification's key, the same on every attempt, so that a retry
  after a crash replaces a copy the service still holds instead of showing twice;
- ``Urgency: high`` for "it is your turn" and "near your turn", which a phone saving its
  battery would otherwise hold back; ``normal`` for the rest;
- ``TTL``: ``NOTIFY_PUSH_TICKET_TTL_SECONDS`` for a ticket (it is about the next minutes),
  ``NOTIFY_PUSH_TTL_SECONDS`` for a dossier or an appointment.

Answers (RFC 8030 section 5 and 8.3): 201 accepted; 404 or 410, the subscription is gone
(the browser unsubscribed or expired it); 429 and 5xx, try later (``Retry-After`` when given);
any other 4xx (a key the service refuses, a message too large) will not get better by trying.

The endpoint is an address a page gave: :func:`check_subscription` keeps the server from
posting inside its own network (only https, no local or private host) unless
``NOTIFY_PUSH_ALLOW_LOCAL`` is on (tests, a lab's own push service); redirects are not followed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
from typing import ClassVar
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from pywebpush import WebPushException, webpush

from ...errors import ApiError
from ...outboxes import retry_after
from .. import vapid
from ..models import ChannelKind
from .base import FailureKind, Message, PermanentFailure, Receipt, TemporaryFailure

ENDPOINT_MAX = 2000  # Subscription.address holds this much; real endpoints are under 500
P256DH_BYTES = 65  # an uncompressed P-256 point
AUTH_BYTES = 16  # RFC 8291 section 3.2
TOPIC_LENGTH = 32  # RFC 8030 section 5.4: at most 32 characters of the base64url alphabet
# Messages a citizen must see at once, even from a phone that holds back the rest.
URGENT_EVENTS = frozenset({"ticket.called", "ticket.near_turn"})
LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".lan")


def check_subscription(endpoint: str, keys: dict | None, *, allow_local: bool = False) -> tuple[str, dict]:
    """A browser's push subscription as stored, or ApiError ``invalid_endpoint`` /
    ``invalid_keys``: the endpoint an https URL of a public host, ``p256dh`` a point of P-256,
    ``auth`` 16 bytes, both base64url (padding dropped)."""
    return _check_endpoint(endpoint, allow_local), _check_keys(keys)


def _check_endpoint(endpoint: str, allow_local: bool) -> str:
    def refuse(why: str) -> ApiError:
        return ApiError("invalid_endpoint", f"The push endpoint {why}.", field="address")

    if not isinstance(endpoint, str) or len(endpoint) > ENDPOINT_MAX:
        raise refuse(f"must be a URL of at most {ENDPOINT_MAX} characters")
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in (("https", "http") if allow_local else ("https",)):
        raise refuse("must be an https URL")
    if not parts.hostname or parts.username or parts.password:
        raise refuse("must name a host, and no user")
    if allow_local:
        return endpoint.strip()
    host = parts.hostname.lower().rstrip(".")
    if host.endswith(LOCAL_NAMES) or host == "localhost" or "." not in host and ":" not in host:
        raise refuse("must be on a public host")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return endpoint.strip()
    if not address.is_global:
        raise refuse("must be on a public host")
    return endpoint.strip()


def _check_keys(keys: dict | None) -> dict:
    def refuse(why: str) -> ApiError:
        return ApiError("invalid_keys", f"The subscription's keys are wrong: {why}.", field="keys")

    if not isinstance(keys, dict) or not all(isinstance(keys.get(name), str) for name in ("p256dh", "auth")):
        raise refuse("p256dh and auth are required")
    cleaned = {name: keys[name].strip().rstrip("=") for name in ("p256dh", "auth")}
    raw = {name: _b64url(value) for name, value in cleaned.items()}
    if raw["p256dh"] is None or len(raw["p256dh"]) != P256DH_BYTES:
        raise refuse(f"p256dh must be {P256DH_BYTES} bytes in base64url")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw["p256dh"])
    except ValueError:
        raise refuse("p256dh is not a point of P-256") from None
    if raw["auth"] is None or len(raw["auth"]) != AUTH_BYTES:
        raise refuse(f"auth must be {AUTH_BYTES} bytes in base64url")
    return cleaned


def _b64url(text: str) -> bytes | None:
    if len(text) > 200 or not text.replace("-", "").replace("_", "").isalnum():
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def topic(key: str) -> str:
    """The ``Topic`` header of a notification: the same for every attempt of it."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()).decode()
    return digest[:TOPIC_LENGTH]


class WebPushChannel:
    """Web Push with the server's VAPID key. No per-site settings: the key is the server's,
    and the site only switches the channel on."""

    name: ClassVar[str] = ChannelKind.WEBPUSH

    def __init__(self, settings: dict, secret: str | None, config: dict) -> None:
        self.config = config
        self.key = vapid.load(config["VAPID_PRIVATE_KEY"])
        self.subject = vapid.subject(config)
        # One connection per push service, kept between messages; a redirect is refused (the
        # endpoint was checked, where it would lead was not).
        self.http = requests.Session()
        self.http.max_redirects = 0

    @classmethod
    def check_settings(cls, settings: dict) -> dict:
        if settings:
            raise ValueError("Web Push has no settings of its own: the server's VAPID key signs it.")
        return {}

    def send(self, message: Message) -> Receipt:
        try:
            endpoint, keys = check_subscription(
                message.recipient, message.keys, allow_local=self.config.get("NOTIFY_PUSH_ALLOW_LOCAL", False)
            )
        except ApiError as error:
            raise PermanentFailure(error.message, gone=True) from None
        link = message.params.get("link")
        payload = {
            "title": message.subject or message.params.get("site") or "",
            "body": message.body,
            "url": link,
            # One notification per page on the phone: the next one about it replaces it.
            "tag": link or topic(message.key),
        }
        ticket = message.event.startswith("ticket.")
        ttl = self.config["NOTIFY_PUSH_TICKET_TTL_SECONDS" if ticket else "NOTIFY_PUSH_TTL_SECONDS"]
        headers: dict[str, str | int | float] = {
            "Topic": topic(message.key),
            "Urgency": "high" if message.event in URGENT_EVENTS else "normal",
        }
        try:
            response = webpush(
                {"endpoint": endpoint, "keys": keys},
                data=json.dumps(payload, ensure_ascii=False),
                vapid_private_key=self.key,
                vapid_claims={"sub": self.subject},  # pywebpush adds aud (the endpoint's origin) and exp
                ttl=ttl,
                timeout=self.config["NOTIFY_PUSH_TIMEOUT_SECONDS"],
                headers=headers,
                requests_session=self.http,
            )
        except WebPushException as error:
            raise _failure(error) from None
        except requests.TooManyRedirects:
            raise PermanentFailure("the push service redirected", kind=FailureKind.REJECTED) from None
        except requests.Timeout:
            raise TemporaryFailure("push service timeout", kind=FailureKind.TIMEOUT) from None
        except requests.RequestException as error:
            # Never the exception's text: it holds the endpoint, which identifies the browser.
            raise TemporaryFailure(
                f"push service not reached ({type(error).__name__})", kind=FailureKind.UNREACHABLE
            ) from None
        assert isinstance(response, requests.Response)  # not curl=True
        # The service's address of the message (RFC 8030 section 5), which identifies it.
        location = response.headers.get("Location")
        return Receipt(provider_ref=location[-200:] if location else None)


def _failure(error: WebPushException) -> Exception:
    status = error.status_code
    if status is None:
        return PermanentFailure("the message could not be made (keys refused)", kind=FailureKind.REJECTED)
    reason = f"push service answered {status}"
    if status in (404, 410):
        return PermanentFailure(reason, gone=True)
    if status == 429:
        return TemporaryFailure(reason, retry_after(error.retry_after), kind=FailureKind.RATE_LIMITED)
    if status >= 500:
        return TemporaryFailure(reason, retry_after(error.retry_after), kind=FailureKind.UNAVAILABLE)
    if status in (401, 403):  # the server's VAPID signature
        return PermanentFailure(reason, kind=FailureKind.MISCONFIGURED)
    return PermanentFailure(reason, kind=FailureKind.REJECTED)
