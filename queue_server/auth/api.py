"""Log in and out (session cookie), say who is logged in, change one's own password."""

from __future__ import annotations

import math

from flask import Response, request, url_for
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from marshmallow import fields, validate

from ..audit.recorder import Event, record_event
from ..database import db
from ..errors import ApiError, Unauthorized
from ..inputs import Schema
from . import sessions
from .access import Actor, current_actor, lands_on_manager_home, require_user
from .models import User
from .presenters import account_view
from .services import find_user, login_failure, set_password
from .throttle import throttle

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Staff sessions")


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class MeSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    role = fields.String(required=True)
    sites = fields.List(fields.String(), required=True)
    must_change_password = fields.Boolean(
        required=True,
        metadata={
            "description": "Someone else chose the password: until POST /auth/password, every other "
            "call of the session answers 403 password_change_required"
        },
    )
    home = fields.String(
        allow_none=True,
        metadata={
            "description": "Where the staff page goes after the login (supervisors and admins: "
            "their home, /manage); null: the console's counter chooser"
        },
    )
    csrf_token = fields.String(
        required=True,
        metadata={
            "description": "Send it as X-CSRFToken with every POST, PUT, PATCH or DELETE of the session"
        },
    )


class LoginLocked(ApiError):
    """Too many failed logins for this username or address: 429 with Retry-After."""

    status = 429

    def __init__(self, seconds: float):
        self.retry_after = max(1, math.ceil(seconds))
        super().__init__(
            "login_locked",
            f"Too many failed logins for this account or from this address; try again in "
            f"{self.retry_after} seconds.",
            retry_after=self.retry_after,
        )


def me_body(user) -> dict:
    """The account, and ``home``: where its page goes after the login (None: the console's
    counter chooser, where it already is)."""
    return {
        **account_view(user),
        "home": url_for("manage.home") if lands_on_manager_home(Actor(user=user)) else None,
        "csrf_token": generate_csrf(),
    }


def _refuse_if_throttled(username: str, user: User | None) -> None:
    """429 while the username or the address must wait; a lock this attempt starts is audited
    (and committed, although the request fails)."""
    wait, locks = throttle().check(username, request.remote_addr)
    if not wait:
        return
    _record_locks(locks, user)
    db.session.commit()
    raise LoginLocked(wait)


def _record_locks(locks, user: User | None) -> None:
    for lock in locks:
        account = user if lock.scope == "username" else None
        record_event(
            db.session(),
            Event.LOGIN_LOCKED,
            {
                "subject": lock.subject,
                "scope": lock.scope,
                "failures": lock.failures,
                "seconds": lock.seconds,
            },
            site_id=sessions.site_of(account) if account else None,
            user=account,
        )


def _failed(username: str, user: User | None, reason: str) -> None:
    """Count and audit a failed login (the name tried, never the password); committed here,
    since the request itself fails."""
    locks = throttle().failed(username, request.remote_addr)
    record_event(
        db.session(),
        Event.LOGIN_FAILED,
        {"subject": username[:80], "reason": reason},
        site_id=sessions.site_of(user) if user else None,
        user=user,
    )
    _record_locks(locks, user)
    db.session.commit()


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema())
@blp.response(200, MeSchema)
@blp.alt_response(429, description="Too many failed logins: login_locked, with Retry-After")
def login(data):
    """Check a username and password and start a new session (cookie). Failed logins slow
    down and then lock the username and the address for a while (429 ``login_locked``)."""
    username = data["username"]
    user = find_user(db.session, username)
    _refuse_if_throttled(username, user)
    failure = login_failure(user, data["password"])
    if failure is not None:
        _failed(username, user, failure)
        raise Unauthorized("invalid_credentials", "Wrong username or password.")
    throttle().succeeded(username)
    sessions.log_in(db.session, user)
    record_event(db.session, Event.LOGIN, {"subject": user.username}, site_id=sessions.site_of(user))
    db.session.commit()
    return me_body(user)


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End every session of the logged-in account (a console forgotten on another PC too)."""
    actor = current_actor()
    if actor is not None and actor.user is not None:
        user = actor.user
        ended = sessions.log_out(db.session, user)
        record_event(
            db.session,
            Event.LOGOUT,
            {"subject": user.username, "sessions": ended},
            site_id=sessions.site_of(user),
        )
        db.session.commit()
    return Response(status=204)


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def me():
    """The logged-in member of staff."""
    return me_body(require_user().user)


@blp.route("/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema())
@blp.response(204)
@blp.alt_response(429, description="Too many wrong current passwords: login_locked, with Retry-After")
def change_password(data):
    """Change one's own password, giving the current one. Ends the account's other sessions
    and lifts ``must_change_password``. A wrong current password counts as a failed login."""
    user = require_user().user
    _refuse_if_throttled(user.username, user)
    if login_failure(user, data["current_password"]) is not None:
        _failed(user.username, user, "wrong_current_password")
        raise ApiError("wrong_password", "The current password is not right.", field="current_password")
    if data["new_password"] == data["current_password"]:
        raise ApiError(
            "password_reused", "The new password must differ from the current one.", field="new_password"
        )
    set_password(
        db.session,
        user,
        data["new_password"],
        chosen_by_holder=True,
        keep=sessions.current_session(),
        field="new_password",
    )
    db.session.commit()
    return Response(status=204)
