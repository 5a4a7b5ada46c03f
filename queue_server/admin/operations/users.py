"""Staff accounts: who may grant which role at which sites is :mod:`queue_server.auth.access`'s
rule; here, an account's creation, its changes (which end its sessions when what they were
allowed changes) and a password reset."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...auth import services as accounts
from ...auth import sessions
from ...auth.access import Actor, may_manage_user, require_grant
from ...auth.models import User
from ...errors import ApiError, Conflict, NotFound
from ...sites.models import Site
from .common import apply, flush

log = logging.getLogger(__name__)


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """The account, if ``actor`` may manage it (others are not shown: 404)."""
    user = session.get(User, user_id)
    if user is None or not may_manage_user(actor, user):
        raise NotFound("unknown_user", f"No user {user_id} that you manage.")
    return user


def _sites_by_code(session: Session, codes: list[str]) -> list[Site]:
    codes = sorted(set(codes))
    sites = session.scalars(select(Site).where(Site.code.in_(codes))).all() if codes else []
    missing = set(codes) - {site.code for site in sites}
    if missing:
        raise ApiError("unknown_site", f"Unknown site code(s): {', '.join(sorted(missing))}.", field="sites")
    return list(sites)


def users_for(session: Session, actor: Actor, site: Site | None = None) -> list[User]:
    users = session.scalars(select(User).order_by(User.username)).all()
    return [
        user
        for user in users
        if may_manage_user(actor, user) and (site is None or any(s.id == site.id for s in user.sites))
    ]


def create_user(session: Session, actor: Actor, values: dict) -> User:
    sites = _sites_by_code(session, values["sites"])
    require_grant(actor, values["role"], [site.id for site in sites])
    try:
        user = accounts.create_user(
            session,
            values["username"],
            values["password"],
            values["role"],
            [site.code for site in sites],
            values.get("full_name") or "",
        )
    except IntegrityError:  # the same username, a moment earlier
        raise Conflict("username_taken", f"The username {values['username']!r} is in use.") from None
    if "active" in values:
        user.active = values["active"]
    # Its holder did not choose it: they choose their own at their first login.
    user.must_change_password = True
    flush(session)
    log.info("user %s created (%s)", user.username, user.role)
    return user


def update_user(session: Session, actor: Actor, user: User, changes: dict) -> User:
    role = changes.get("role", user.role)
    sites = _sites_by_code(session, changes["sites"]) if "sites" in changes else list(user.sites)
    own = actor.user is not None and actor.user.id == user.id
    if own and (role != user.role or changes.get("active") is False):
        raise Conflict("own_account", "You cannot change your own role or deactivate your own account.")
    require_grant(actor, role, [site.id for site in sites])
    # What the account's open sessions were allowed on: they end if it changes (below).
    ending = None
    if changes.get("active") is False and user.active:
        ending = sessions.EndReason.DEACTIVATED
    elif role != user.role:
        ending = sessions.EndReason.ROLE_CHANGED
    elif "sites" in changes and {s.id for s in sites} != {s.id for s in user.sites}:
        ending = sessions.EndReason.SITES_CHANGED
    if "full_name" in changes:
        user.full_name = changes["full_name"] or ""
    apply(user, changes, ("role", "active"))
    if "sites" in changes:
        user.sites = sites
    flush(session)
    if ending is not None:  # one's own sites: the session making the change goes on
        sessions.end_sessions(session, user, ending, keep=sessions.current_session() if own else None)
    log.info("user %s changed: %s", user.username, ", ".join(sorted(changes)))
    return user


def reset_password(session: Session, actor: Actor, user: User, password: str) -> None:
    """A new password chosen by a supervisor or admin: the account's sessions end, and its
    holder must choose their own at the next login (unless it is the actor's own account)."""
    own = actor.user is not None and actor.user.id == user.id
    accounts.set_password(session, user, password, chosen_by_holder=own)
    flush(session)
    log.info("password of user %s reset", user.username)
