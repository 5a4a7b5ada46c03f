"""Who acts in this request, and from where: what every log of a change writes down.

Authentication (:func:`queue_server.auth.access.current_actor`) decides who the caller is and
keeps the :class:`Actor` on the request; the logs (the audit trail's recorder, the queue's and
the dossiers' journals, the sessions) only read it here, with the client's address and browser.
This sits below every domain, so that the audit recorder, which every domain calls, depends on
nothing above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import has_request_context, request

if TYPE_CHECKING:
    from .auth.models import DeviceToken, User


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    device: DeviceToken | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def device_id(self) -> int | None:
        return self.device.id if self.device else None


# Nobody: the server itself (a deadline's flag, a rating from a citizen's phone).
SYSTEM = Actor()

# Kept on the request, not on ``g``: an app context (and its ``g``) may outlive one request.
ACTOR_KEY = "queue_server.actor"


def known_actor() -> Actor | None:
    """The actor this request already authenticated, without authenticating anyone."""
    return request.environ.get(ACTOR_KEY) if has_request_context() else None


def client_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def user_agent() -> str | None:
    """The request's User-Agent, cut to the column's length (a header is the client's to make up)."""
    if not has_request_context():
        return None
    return (request.user_agent.string or None) and request.user_agent.string[:300]
