"""Creating and checking staff accounts and device tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..database import as_loaded, named_columns, utcnow
from ..errors import ApiError
from ..sites.models import Counter, Site
from . import sessions
from .models import DeviceKind, DeviceToken, Role, User, UserSession
from .sessions import hash_token  # one digest for every token kept hashed: sessions' and devices'
from .throttle import throttle

# A password hash to compare against when the user does not exist, so that a wrong username
# takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password")

# Device contact is written at most this often, to keep busy kiosks from writing on every request.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)
# The password policy (check_password). Twelve characters: a passphrase of three words, out of
# reach of an offline guess at the hash; NIST SP 800-63B asks at least 8 and allows more.
MIN_PASSWORD_LENGTH = 12
# zxcvbn's score: 3 means about 10^8 to 10^10 guesses. Below it, a password is a common one,
# a word with digits, a keyboard row or a repetition, whatever its length.
MIN_PASSWORD_SCORE = 3
# zxcvbn refuses longer input; a password that long is judged by its first 72 characters.
ZXCVBN_MAX_LENGTH = 72


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    site_codes: Sequence[str] = (),
    full_name: str = "",
    password_hasher=generate_password_hash,
) -> User:
    if role not in Role.ALL:
        raise ApiError("invalid_role", f"Unknown role {role!r}; use one of {', '.join(Role.ALL)}.")
    check_password(password, username)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ApiError("username_taken", f"The username {username!r} is already in use.", 409)
    sites = _sites_by_code(session, site_codes)
    user = User(
        username=username,
        password_hash=password_hasher(password),
        role=role,
        full_name=full_name,
        sites=sites,
    )
    session.add(user)
    session.flush()
    return user


def check_password(password: str, username: str, field: str = "password") -> None:
    """The password policy, for every way a password is chosen (the CLI, the admin API and
    pages, a member of staff changing their own): at least MIN_PASSWORD_LENGTH characters,
    not the username nor containing it, and not common (zxcvbn's frequency lists and
    patterns, MIN_PASSWORD_SCORE). Each refusal has its own code, told on the pages."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ApiError(
            "password_too_short",
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
            field=field,
        )
    name = username.strip().lower()
    if name and (password.lower() == name or (len(name) >= 3 and name in password.lower())):
        raise ApiError("password_like_username", "A password may not contain the username.", field=field)
    if zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[name])["score"] < MIN_PASSWORD_SCORE:
        raise ApiError(
            "password_common",
            "This password is too common or too easy to guess; choose a longer phrase of unrelated words.",
            field=field,
        )


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    chosen_by_holder: bool,
    keep: UserSession | None = None,
    field: str = "password",
) -> None:
    """Check and store a new password, and end the account's sessions (but ``keep``, the one
    its holder changed it in): whoever knew the old one is out. A password someone else chose
    (an admin's reset) must be changed by its holder at their next login, and lifts a lock of
    the username: guesses at the old password no longer matter, and an officer locked out at
    the start of the day gets in at once with the new one. Flushes."""
    check_password(password, user.username, field)
    user.password_hash = generate_password_hash(password)
    user.must_change_password = not chosen_by_holder
    session.flush()
    reason = sessions.EndReason.PASSWORD_CHANGED if chosen_by_holder else sessions.EndReason.PASSWORD_RESET
    sessions.end_sessions(session, user, reason, keep=keep)
    if not chosen_by_holder:
        throttle().succeeded(user.username)


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def login_failure(user: User | None, password: str) -> str | None:
    """Why ``password`` does not open ``user``'s account (``unknown_user``, ``wrong_password``,
    ``inactive``), or None when it does. An unknown username takes as long as a wrong password."""
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return "unknown_user"
    if not check_password_hash(user.password_hash, password):
        return "wrong_password"
    if not user.active:
        return "inactive"
    return None


def issue_device_token(
    session: Session, kind: str, site_code: str, name: str = "", counter_number: int | None = None
) -> tuple[DeviceToken, str]:
    """Create a device token; the plain token is returned once and never stored."""
    if kind not in DeviceKind.ALL:
        raise ApiError(
            "invalid_kind", f"Unknown device kind {kind!r}; use one of {', '.join(DeviceKind.ALL)}."
        )
    (site,) = _sites_by_code(session, [site_code])
    counter_id = None
    if (kind in DeviceKind.AT_COUNTER) != (counter_number is not None):
        raise ApiError("counter_required", "Counter and rating devices name their counter, and only they do.")
    if counter_number is not None:
        counter_id = session.scalar(
            select(Counter.id).where(Counter.site_id == site.id, Counter.number == counter_number)
        )
        if counter_id is None:
            raise ApiError("unknown_counter", f"No counter {counter_number} at {site_code}.", 404)
    token = f"{kind}_{secrets.token_urlsafe(32)}"
    device = DeviceToken(
        kind=kind, site_id=site.id, counter_id=counter_id, name=name, token_hash=hash_token(token)
    )
    session.add(device)
    session.flush()
    return device, token


def revoke_device_token(device: DeviceToken) -> None:
    if device.revoked_at is None:
        device.revoked_at = utcnow()


def device_for_token(session: Session, token: str) -> DeviceToken | None:
    """The live device holding ``token``, or None if it is unknown or revoked (:func:`live_device`).

    Read with Core and handed on as loaded (:func:`as_loaded`): every request of a kiosk or a
    screen asks it, and the ORM's loading of the row cost more than the query."""
    row = session.connection().execute(_device_query(), {"token_hash": hash_token(token)}).first()
    return live_device(session, row._asdict() if row is not None else None)


def live_device(session: Session, values: dict | None) -> DeviceToken | None:
    """The device whose row is ``values`` (every column, by name: this module's statement, or
    another's that read the row with its own, see ``access.token_to_look_up``), or None if
    there is none (None, or an outer join's NULL id) or it is revoked. Its last contact is
    noted, at most once a ``LAST_SEEN_RESOLUTION``."""
    if values is None or values["id"] is None:
        return None
    device = as_loaded(session, DeviceToken, values)
    if device.revoked:
        return None
    now = utcnow()
    if device.last_seen_at is None or now - device.last_seen_at > LAST_SEEN_RESOLUTION:
        device.last_seen_at = now
    return device


@cache
def _device_query():
    """Built once: every device request asks it, and building it costs more than running it."""
    return select(*named_columns(DeviceToken)).where(DeviceToken.token_hash == bindparam("token_hash"))


def _sites_by_code(session: Session, codes) -> list[Site]:
    codes = list(codes)
    sites = session.scalars(select(Site).where(Site.code.in_(codes))).all() if codes else []
    missing = set(codes) - {site.code for site in sites}
    if missing:
        raise ApiError("unknown_site", f"Unknown site code(s): {', '.join(sorted(missing))}.", 404)
    return list(sites)
