"""Who is making the request, and what they may do: the one place for permission rules.

A request is made either by a logged-in member of staff (session cookie, Flask-Login) or by a
device presenting ``Authorization: Bearer <token>``. Views ask :func:`require` for an action at
a site and get the :class:`~queue_server.actors.Actor` back, or an error response; the actor
is kept on the request (:mod:`queue_server.actors`), where the logs read it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeGuard

from flask import request
from flask_login import current_user

from ..actors import ACTOR_KEY, Actor
from ..database import db
from ..errors import Forbidden, Unauthorized
from . import sessions
from .models import DeviceKind, DeviceToken, Role, User
from .services import device_for_token, hash_token, live_device


class Action:
    ISSUE_TICKET = "issue_ticket"
    OPERATE_COUNTER = "operate_counter"
    SUPERVISE = "supervise"
    RECEIVE_DOSSIER = "receive_dossier"  # take in a dossier, at a centre or a post office
    PROCESS_DOSSIER = "process_dossier"  # move a dossier through its lifecycle at its centre
    HANDOVER = "handover"  # fill, close and scan in manifests; record a delivery by post
    RATE_SERVICE = "rate_service"  # a citizen's rating on the tablet of the counter that served them
    MANAGE_SIGNAGE = "manage_signage"  # the hall screen's notices and playlist of a site
    # The site's notification channels (gateways, their keys, "Gửi thử") and message wording.
    CONFIGURE_NOTIFICATIONS = "configure_notifications"
    CHECK_IN_BOOKING = "check_in_booking"  # turn a booking into its ticket (kiosk, console)
    RECONCILE = "reconcile"  # import the site's bank statements, read their lines (payers' names)
    # The site's link to the provincial system (its endpoint, credentials, codes), what it was
    # told and answered (the reconciliation page), "Gửi lại".
    PROVINCE_HANDOFF = "province_handoff"
    IMPORT_DOSSIER = "import_dossier"  # take in a dossier received online on the province's system


# Which staff roles and device kinds may take each action (at their own site).
RULES: dict[str, tuple[set[str], set[str]]] = {
    Action.ISSUE_TICKET: (set(Role.ALL), {DeviceKind.KIOSK, DeviceKind.POSTAL}),
    Action.OPERATE_COUNTER: ({Role.ADMIN, Role.SUPERVISOR, Role.OFFICER}, {DeviceKind.COUNTER}),
    Action.SUPERVISE: ({Role.ADMIN, Role.SUPERVISOR}, set()),
    Action.RECEIVE_DOSSIER: (set(Role.ALL), {DeviceKind.POSTAL}),
    Action.PROCESS_DOSSIER: ({Role.ADMIN, Role.SUPERVISOR, Role.OFFICER}, set()),
    Action.HANDOVER: (set(Role.ALL), {DeviceKind.POSTAL}),
    Action.RATE_SERVICE: (set(), {DeviceKind.RATING}),
    # What the whole hall reads is the centre's to say: its supervisors and admins, no device.
    Action.MANAGE_SIGNAGE: ({Role.ADMIN, Role.SUPERVISOR}, set()),
    # What citizens are sent in the centre's name, and the gateway contracts that carry it, are
    # the centre's like its signage: its supervisors and admins, no device.
    Action.CONFIGURE_NOTIFICATIONS: ({Role.ADMIN, Role.SUPERVISOR}, set()),
    # The kiosk that scanned the booking's code, or staff at the counters; the day's list, with
    # the citizens' names, only to staff (``require_staff``), each read recorded.
    Action.CHECK_IN_BOOKING: ({Role.ADMIN, Role.SUPERVISOR, Role.OFFICER}, {DeviceKind.KIOSK}),
    # A statement confirms fees in bulk and names every payer of the collecting account: the
    # site's supervisors and admins, who answer for its money; no device.
    Action.RECONCILE: ({Role.ADMIN, Role.SUPERVISOR}, set()),
    # What the centre tells the province in its name, and the contract that carries it, are
    # the centre's like its notification gateways: its supervisors and admins, no device.
    Action.PROVINCE_HANDOFF: ({Role.ADMIN, Role.SUPERVISOR}, set()),
    # An online dossier to be returned here is taken in like one at the counter: by staff
    # (a device of the province's system would need a kind of its own: not yet).
    Action.IMPORT_DOSSIER: ({Role.ADMIN, Role.SUPERVISOR, Role.OFFICER}, set()),
}


# What a session may still do while its password must be changed (``User.must_change_password``:
# someone else chose it): change it, say who it is, log out. Pages send it to the change.
WHILE_PASSWORD_CHANGE_REQUIRED = frozenset(
    {"auth.me", "auth.logout", "auth.change_password", "console.password"}
)


class PasswordChangeRequired(Forbidden):
    def __init__(self):
        super().__init__(
            "password_change_required", "Change your password first (POST /api/v1/auth/password)."
        )


def current_actor() -> Actor | None:
    """The authenticated caller of this request, or None."""
    if ACTOR_KEY in request.environ:
        return request.environ[ACTOR_KEY]
    actor = None
    token = _presented_token()
    if token is not None:
        actor = _device_actor(device_for_token(db.session(), token))
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
        if user.must_change_password and request.endpoint not in WHILE_PASSWORD_CHANGE_REQUIRED:
            raise PasswordChangeRequired()
        actor = Actor(user=user)
    request.environ[ACTOR_KEY] = actor
    return actor


def token_to_look_up() -> str | None:
    """The hash of the device token this request presents, for a view to read the device's row
    with its own statement, while the caller is not known yet; else None.

    A press of a kiosk's button, the busiest request there is, reads its site, its service and
    the calling kiosk in one statement (``queueing.operations.find_press``): on PostgreSQL a
    round trip to the database less than :func:`current_actor` reading the device on its own.
    The view then hands the row to :func:`device_read_with`, which applies the same rules.
    """
    token = _presented_token()
    if token is None or ACTOR_KEY in request.environ:
        return None
    return hash_token(token)


def device_read_with(values: dict | None) -> None:
    """Make the device of the row a view read for :func:`token_to_look_up` (its columns by name,
    None if no row) this request's caller: 401 if it is unknown or revoked, as
    :func:`current_actor` answers."""
    request.environ[ACTOR_KEY] = _device_actor(live_device(db.session(), values))


def staff_session_to_look_up() -> str | None:
    """The hash of the staff session's token this request's cookie holds, for a view to read the
    session with its own first statement, while the caller is not known yet; else None (a device
    token presented, no session, or the caller known).

    An officer's call next, the busiest request of staff, locks its counter with a statement
    that reads the session too (``queueing.operations.counter_for_update``): on PostgreSQL a
    round trip to the database less than the user loader reading it on its own. The view hands
    the rows to :func:`staff_session_read_with`, and the loader applies its rules to them.
    """
    if ACTOR_KEY in request.environ or _presented_token() is not None:
        return None
    return sessions.presented_token_hash()


def staff_session_read_with(token_hash: str, rows: list) -> None:
    """Give the user loader the session's rows a view read for :func:`staff_session_to_look_up`
    (the columns of ``auth.sessions.with_session``, each row as long as those)."""
    sessions.read_with(token_hash, rows)


def _presented_token() -> str | None:
    """The token of ``Authorization: Bearer <token>``, if the request presents one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def _device_actor(device: DeviceToken | None) -> Actor:
    if device is None:
        raise Unauthorized("invalid_token", "The device token is unknown or has been revoked.")
    return Actor(device=device)


def require_login() -> Actor:
    actor = current_actor()
    if actor is None:
        raise Unauthorized("login_required", "Log in, or present a device token.")
    return actor


def may_watch_as_staff(user, site_id: int) -> bool:
    """Whether a live screen of this browser gets the site's staff events: a member of staff of
    the site, whose password need not be changed first."""
    return user.is_authenticated and not user.must_change_password and user.can_act_at(site_id)


def require_user() -> Actor:
    """A logged-in member of staff (a device's token is not one)."""
    actor = require_login()
    if actor.user is None:
        raise Unauthorized("login_required", "This is for staff sessions, not device tokens.")
    return actor


def require_device(*kinds: str) -> DeviceToken:
    """The calling device, if it is of one of these kinds; else 401/403."""
    actor = require_login()
    if actor.device is None or actor.device.kind not in kinds:
        raise Forbidden("device_only", "Only a device may do this (present its token).")
    return actor.device


def allowed(actor: Actor, action: str, site_id: int, counter_id: int | None = None) -> bool:
    roles, device_kinds = RULES[action]
    if actor.device is not None:
        device = actor.device
        permitted = device.kind in device_kinds and device.site_id == site_id
        if device.counter_id is not None:
            permitted = permitted and counter_id == device.counter_id
        return permitted
    return actor.user is not None and actor.user.role in roles and actor.user.can_act_at(site_id)


def require(action: str, site_id: int, counter_id: int | None = None) -> Actor:
    """Return the caller if they may take ``action`` at the site, else raise 401/403.

    A counter's own device (its call keypad) acts only at that counter: ``counter_id`` names
    the counter the action touches.
    """
    actor = require_login()
    if not allowed(actor, action, site_id, counter_id):
        raise Forbidden("forbidden", "You may not do this at this site.")
    return actor


def require_staff(action: str, site_id: int) -> Actor:
    """Like :func:`require`, for a member of staff only: what a person chooses (their counters
    of the day), which no device's token may ask."""
    actor = require(action, site_id)
    if actor.user is None:
        raise Forbidden("forbidden", "For members of staff.")
    return actor


def require_at(action: str, site_id: int | None) -> Actor:
    """``action`` at one site, or, with no site (``None``), at every site: an admin's alone
    (declaring a national holiday, searching the whole audit trail)."""
    if site_id is None:
        return require_admin()
    return require(action, site_id)


def is_admin(actor: Actor) -> bool:
    return actor.user is not None and actor.user.role == Role.ADMIN


def is_supervisor(actor: Actor) -> bool:
    """An admin, or a supervisor (of whichever sites are theirs): the managers' pages."""
    return actor.user is not None and actor.user.role in (Role.ADMIN, Role.SUPERVISOR)


def lands_on_manager_home(actor: Actor | None) -> bool:
    """Where a member of staff starts: supervisors and admins on the managers' home (the alerts
    of their sites), everyone else at the console's counter chooser, where their day is spent.
    The managers' home sends anyone else to the console."""
    return actor is not None and is_supervisor(actor)


def require_supervisor() -> Actor:
    """A logged-in admin or supervisor; officers and devices are refused. Each site they then
    touch is checked with :func:`require` (``Action.SUPERVISE``)."""
    actor = require_login()
    if not is_supervisor(actor):
        raise Forbidden("forbidden", "For supervisors and admins.")
    return actor


def may_read_id_card(actor: Actor | None) -> TypeGuard[Actor]:
    """Whether the fields of a citizen's ID card read by a scanner may be shown to the caller:
    members of staff and post offices take in dossiers with them; kiosks, displays and
    anonymous callers get only the kind of code."""
    if actor is None:
        return False
    if actor.device is not None:
        return actor.device.kind == DeviceKind.POSTAL
    return True


def may_print_at(device: DeviceToken, site_ids) -> bool:
    """A printing device prints only for its own site (a ticket of its site, the receipt of a
    dossier its site handles or took in)."""
    return device.site_id in set(site_ids)


class DossierParty:
    """The places a dossier passes through, each with its own staff (see ``dossiers.models``):
    the centre that handles it, the one-stop unit that received it, the centre that hands the
    result back, and the post office that took it in or carries its result."""

    HANDLING = "handling"
    RECEIVING = "receiving"
    RETURNING = "returning"
    INTAKE = "intake"
    CARRIER = "carrier"


# Which party's staff take each step of a dossier's lifecycle. The handling centre decides (and
# sends the dossier to its agency); the receiving unit, where the citizen handed the dossier
# in, takes back a supplement and a request to stop (Thông tư 03/2025 Điều 7: "Bộ phận Một
# cửa nơi tiếp nhận hồ sơ"); the returning centre hands over the result; the carrying post
# office records its delivery.
DOSSIER_STEPS: dict[str, frozenset[str]] = {
    "request_supplement": frozenset({DossierParty.HANDLING, DossierParty.RECEIVING}),
    "resubmit": frozenset({DossierParty.HANDLING, DossierParty.RECEIVING}),
    "refuse": frozenset({DossierParty.HANDLING}),
    "stop": frozenset({DossierParty.HANDLING, DossierParty.RECEIVING}),
    "transfer": frozenset({DossierParty.HANDLING}),
    "start_processing": frozenset({DossierParty.HANDLING}),
    "apologise": frozenset({DossierParty.HANDLING}),
    "result_ready": frozenset({DossierParty.HANDLING}),
    "return": frozenset({DossierParty.RETURNING}),
    "deliver": frozenset({DossierParty.CARRIER}),
    "undeliver": frozenset({DossierParty.CARRIER}),
    # The applicant gives or withdraws their consent to be contacted: at any centre of the
    # dossier (a post office records it only at intake).
    "contact_consent": frozenset({DossierParty.HANDLING, DossierParty.RECEIVING, DossierParty.RETURNING}),
    # The fee's payment record (dossiers/fees.py): where fees are collected, the one-stop units
    # that take the dossier in and hand the result back.
    "fee": frozenset({DossierParty.RECEIVING, DossierParty.RETURNING}),
    # The citizen's evaluation of the dossier, entered for them where the result is handed over:
    # the returning centre's counter, or the post office that delivers it (evaluations/).
    "evaluate": frozenset({DossierParty.RETURNING, DossierParty.CARRIER}),
    # ... or asked of the citizen on the rating tablet of the returning centre's counter.
    "ask_evaluation": frozenset({DossierParty.RETURNING}),
}


def dossier_parties(actor: Actor, dossier, carrier_site_id: int | None = None) -> set[str]:
    """The parties of ``dossier`` the caller acts for. ``dossier`` needs ``site_id``,
    ``receiving_site_id``, ``return_site_id`` and ``intake_site_id``."""
    parties = set()
    if allowed(actor, Action.PROCESS_DOSSIER, dossier.site_id):
        parties.add(DossierParty.HANDLING)
    if allowed(actor, Action.RECEIVE_DOSSIER, dossier.receiving_site_id):
        parties.add(DossierParty.RECEIVING)
    if allowed(actor, Action.PROCESS_DOSSIER, dossier.return_site_id or dossier.site_id):
        parties.add(DossierParty.RETURNING)
    if allowed(actor, Action.RECEIVE_DOSSIER, dossier.intake_site_id):
        parties.add(DossierParty.INTAKE)
    if carrier_site_id is not None and allowed(actor, Action.HANDOVER, carrier_site_id):
        parties.add(DossierParty.CARRIER)
    return parties


def home_site_id(dossier, parties: set[str]) -> int:
    """The site a member of staff meets the dossier at, of the parties they act for: the
    handling centre first, then the receiving one, the returning one, else where it was taken
    in. A read of the dossier is filed there, and its page belongs to that site's pages."""
    for party, site_id in (
        (DossierParty.HANDLING, dossier.site_id),
        (DossierParty.RECEIVING, dossier.receiving_site_id),
        (DossierParty.RETURNING, dossier.return_site_id or dossier.site_id),
    ):
        if party in parties:
            return site_id
    return dossier.intake_site_id


def may_see_dossier(actor: Actor, dossier, carrier_site_id: int | None = None) -> bool:
    """A dossier's staff: every party's, and whoever took it in."""
    return bool(dossier_parties(actor, dossier, carrier_site_id))


def require_dossier_view(dossier, carrier_site_id: int | None = None) -> Actor:
    """The caller, if they are among the dossier's staff (:func:`may_see_dossier`); else 401/403."""
    actor = require_login()
    if not may_see_dossier(actor, dossier, carrier_site_id):
        raise Forbidden("forbidden", "Only the dossier's staff may see it.")
    return actor


def kiosk_may_subscribe(device: DeviceToken, ticket, now: datetime, window: timedelta) -> bool:
    """A kiosk takes a phone number for "near your turn" only for a ticket it could just have
    printed: one of its own site, issued within ``window`` (the citizen is still at the screen).
    An older ticket, or another site's, is a stranger's: the kiosk may not attach a number to it."""
    return (
        device.kind == DeviceKind.KIOSK
        and ticket.site_id == device.site_id
        and timedelta(0) <= now - ticket.issued_at <= window
    )


def kiosk_may_see_dossier(device: DeviceToken, dossier) -> bool:
    """A kiosk finds the public view of a receipt scanned at it only at one of the dossier's
    centres (handling, receiving, returning); elsewhere the dossier does not exist for it."""
    return device.site_id in (dossier.site_id, dossier.receiving_site_id, dossier.return_site_id)


def require_dossier_step(step: str, dossier, carrier_site_id: int | None = None) -> Actor:
    """The caller, if their party may take ``step`` on the dossier; else 401/403."""
    actor = require_login()
    if not dossier_parties(actor, dossier, carrier_site_id) & DOSSIER_STEPS.get(step, frozenset()):
        raise Forbidden("forbidden", "Only the dossier's staff at the right place may do this.")
    return actor


def reading_site(actor: Actor, dossier) -> int:
    """Where a read of ``dossier`` is filed, so that the supervisors of the reader's place find
    it: a device's own site; for staff, the first of the dossier's places they work for (the
    handling centre, the receiving one, the returning one, the intake post office)."""
    if actor.device is not None:
        return actor.device.site_id
    return home_site_id(dossier, dossier_parties(actor, dossier))


def may_see_personal_data_reads(actor: Actor, dossier) -> bool:
    """Who read a dossier's personal data is for those who answer for it: the supervisors of
    the dossier's centres (handling, receiving, returning) and admins, not every officer."""
    if not is_supervisor(actor):
        return False
    sites = {dossier.site_id, dossier.receiving_site_id, dossier.return_site_id or dossier.site_id}
    return any(allowed(actor, Action.SUPERVISE, site_id) for site_id in sites)


def require_personal_data_reads(dossier) -> Actor:
    actor = require_login()
    if not may_see_personal_data_reads(actor, dossier):
        raise Forbidden("forbidden", "Only the dossier's supervisors see who read its personal data.")
    return actor


def require_subject_export() -> Actor:
    """Everything held about one person crosses every site and every dossier: an admin's alone
    (the data subject's request, answered by the controller)."""
    return require_admin()


class ManifestSide:
    SENDER = "sender"
    RECIPIENT = "recipient"


def manifest_sides(actor: Actor, manifest) -> set[str]:
    """The sides of a hand-over manifest the caller acts for: the sender fills and closes it,
    the recipient scans its dossiers in and finishes the reception (Quyết định 45/2016: the
    one who receives checks what arrived)."""
    sides = set()
    if allowed(actor, Action.HANDOVER, manifest.from_site_id):
        sides.add(ManifestSide.SENDER)
    if allowed(actor, Action.HANDOVER, manifest.to_site_id):
        sides.add(ManifestSide.RECIPIENT)
    return sides


def require_manifest_side(manifest, side: str | None = None) -> Actor:
    """The caller, if they act for ``side`` of the manifest (either side when None); else 403."""
    actor = require_login()
    sides = manifest_sides(actor, manifest)
    if not sides or (side is not None and side not in sides):
        what = {ManifestSide.RECIPIENT: "Only the recipient may do this.", None: "The manifest is not yours."}
        raise Forbidden("forbidden", what.get(side, "Only the sender may do this."))
    return actor


def require_admin() -> Actor:
    """Only an admin: creating sites, and whatever spans every site."""
    actor = require_login()
    if actor.user is None or actor.user.role != Role.ADMIN:
        raise Forbidden("admin_only", "Only an admin may do this.")
    return actor


def may_grant(actor: Actor, role: str, site_ids) -> bool:
    """Whether ``actor`` may give ``role`` at these sites: an admin anything; a supervisor any
    role but admin, at sites they all supervise (an account shared with another site is the
    admin's to change)."""
    if actor.user is None:
        return False
    if actor.user.role == Role.ADMIN:
        return True
    site_ids = list(site_ids)
    return (
        role != Role.ADMIN
        and bool(site_ids)
        and all(allowed(actor, Action.SUPERVISE, site_id) for site_id in site_ids)
    )


def require_grant(actor: Actor, role: str, site_ids) -> None:
    """Raise unless ``actor`` may give ``role`` at these sites (:func:`may_grant`)."""
    if not may_grant(actor, role, site_ids):
        if role == Role.ADMIN:
            raise Forbidden("forbidden", "Only an admin gives the admin role.")
        raise Forbidden("forbidden", "Supervisors give accounts at the sites they supervise only.")


def may_manage_user(actor: Actor, user: User) -> bool:
    """Whether ``actor`` may see and change this account (role, sites, active, password)."""
    return may_grant(actor, user.role, [site.id for site in user.sites])
