"""Log in and out (session cookie) and say who is logged in."""

from __future__ import annotations

from flask import Response
from flask_login import login_user, logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema, fields, validate

from ..database import db
from ..errors import Unauthorized
from .access import require_login
from .services import authenticate

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Staff sessions")


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class MeSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    role = fields.String(required=True)
    sites = fields.List(fields.String(), required=True)
    csrf_token = fields.String(
        required=True,
        metadata={
            "description": "Send it as X-CSRFToken with every POST, PUT, PATCH or DELETE of the session"
        },
    )


def me_body(user) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "sites": sorted(site.code for site in user.sites),
        "csrf_token": generate_csrf(),
    }


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, MeSchema)
def login(data):
    """Check a username and password and start a session (cookie)."""
    user = authenticate(db.session, data["username"], data["password"])
    if user is None:
        raise Unauthorized("invalid_credentials", "Wrong username or password.")
    login_user(user)
    return me_body(user)


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End the session."""
    logout_user()
    return Response(status=204)


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def me():
    """The logged-in member of staff."""
    actor = require_login()
    if actor.user is None:
        raise Unauthorized("login_required", "This is for staff sessions, not device tokens.")
    return me_body(actor.user)
