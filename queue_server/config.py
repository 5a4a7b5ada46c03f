"""Configuration, read from the environment in one place.

Every setting has a default that works on a developer's machine: an SQLite file under
``instance/``, no message queue, a secret key made once in the instance folder. Production
(``QUEUE_ENV=production``) sets the variables listed in the README, and the server refuses to
start there without a real ``SECRET_KEY`` (:func:`check`).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from datetime import date, time
from pathlib import Path

from limits import parse_many

from . import scans

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", ROOT / "instance"))

PRODUCTION, DEVELOPMENT = "production", "development"
# The placeholder of deploy/queue.env.example: never a key.
PLACEHOLDER = "CHANGE-ME"
# A key shorter than this can be guessed offline from one signed cookie (HMAC-SHA1 in Flask).
SECRET_KEY_MIN_BYTES = 32
SECRET_KEY_FILE = "secret_key"

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """A setting the server refuses to start with; the message says which and how to fix it."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _time_or_none(name: str, default: str) -> time | None:
    """``HH:MM``, or None when the variable is set but empty."""
    value = os.environ.get(name, default).strip()
    return time.fromisoformat(value) if value else None


def _environment() -> str:
    """``QUEUE_ENV``; when it is not set, secure cookies (``SESSION_COOKIE_SECURE=1``, which
    only work behind HTTPS, so on a real deployment) mean production: an installation made
    from an older queue.env that lacks the variable still gets production's checks. Set
    ``QUEUE_ENV=development`` explicitly for a trial server behind HTTPS."""
    if os.environ.get("QUEUE_ENV"):
        return _choice("QUEUE_ENV", (PRODUCTION, DEVELOPMENT), DEVELOPMENT)
    return PRODUCTION if _bool("SESSION_COOKIE_SECURE", False) else DEVELOPMENT


def from_env() -> dict:
    """Build the application configuration from environment variables."""
    return {
        # production: refuse a missing or weak SECRET_KEY, refuse seed-demo unless told, make
        # demo accounts change their password (see README, "Production checks").
        "QUEUE_ENV": _environment(),
        # None: made once in the instance folder outside production (see secret_key()).
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'queue.sqlite3'}",
        # PostgreSQL connections each process keeps open, and how many more it may open under a
        # burst (closed again when returned). Under steady load every connection opened and
        # closed costs a fork and an authentication on the server and several round trips here,
        # so the kept ones should cover the usual concurrency (issues, calls, live publishers).
        "DATABASE_POOL_SIZE": int(os.environ.get("DATABASE_POOL_SIZE", "20")),
        "DATABASE_MAX_OVERFLOW": int(os.environ.get("DATABASE_MAX_OVERFLOW", "10")),
        # Events reach clients connected to other worker processes through this queue.
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # The queue's channel: deployments (or test runs) sharing one Redis each use their own.
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL") or "flask-socketio",
        # gevent in production (gunicorn -k gevent); threading for the Flask test client.
        "SOCKETIO_ASYNC_MODE": os.environ.get("SOCKETIO_ASYNC_MODE", "threading"),
        # queue.stats goes out at most this often per site (0: never), however many processes
        # share the message queue. Each goes to every screen of the site: at 4 a second they
        # cost a busy centre more frames than its calls.
        "LIVE_STATS_SECONDS": float(os.environ.get("LIVE_STATS_SECONDS", "1")),
        # Staff are told of the tickets a process issued at most this often, in one message to
        # Redis (0: each ticket at once); see live/notices.py. Under a minute: the consoles
        # remember the tickets they were shown that long, to drop a notice that comes late.
        "LIVE_NOTICE_SECONDS": float(os.environ.get("LIVE_NOTICE_SECONDS", "0.25")),
        # How often a process checks whether its open WebSockets grew (or shrank) by
        # LIVE_FREEZE_MIN_SOCKETS and a quarter since it last kept their objects out of the
        # garbage collector's full passes (0: never); see live/collector.py.
        "LIVE_FREEZE_SECONDS": float(os.environ.get("LIVE_FREEZE_SECONDS", "2")),
        "LIVE_FREEZE_MIN_SOCKETS": int(os.environ.get("LIVE_FREEZE_MIN_SOCKETS", "100")),
        # Numbers a process takes at once; a press beyond that waits in line up to
        # ISSUE_MAX_WAIT_MS, or is answered 503 with when there will be room, and the kiosk
        # sends it again then (see overload.py). Keeps officers' calls fast when kiosks flood.
        # Four keep a worker's core busy: on SQLite with one worker, and on PostgreSQL with a
        # worker per core; more only make everyone, calls too, share the CPU in smaller slices.
        # (PostgreSQL with one worker on two cores serves a little more with 8.) See
        # docs/benchmarks.md, "Back-pressure".
        "ISSUE_MAX_INFLIGHT": int(os.environ.get("ISSUE_MAX_INFLIGHT", "4")),
        "ISSUE_MAX_WAIT_MS": int(os.environ.get("ISSUE_MAX_WAIT_MS", "1000")),
        # How often each process tells the phones it holds where their tickets stand (0: never).
        "LIVE_STANDING_SECONDS": float(os.environ.get("LIVE_STANDING_SECONDS", "1")),
        # A hall display with more counters or services than its screen holds shows them a page
        # at a time, turning every this many seconds: long enough to find one's counter, short
        # enough that the last page comes round within half a minute.
        "DISPLAY_PAGE_SECONDS": float(os.environ.get("DISPLAY_PAGE_SECONDS", "8")),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Behind HTTPS (nginx): cookies only over HTTPS, and HSTS on every answer (headers.py).
        # TRUSTED_PROXIES: how many proxies (nginx: 1) set X-Forwarded-For/-Proto/-Host; 0 trusts
        # none (see queue_server/security.py).
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        # A staff session ends after this long without a request (a console left open at an
        # empty counter, a PC left on over the two-hour lunch break)...
        "SESSION_IDLE_MINUTES": float(os.environ.get("SESSION_IDLE_MINUTES", "60")),
        # ...and at the latest this long after the login: one working day with overtime, so
        # nobody starts the morning in yesterday's session (queue_server/auth/sessions.py).
        "SESSION_LIFETIME_HOURS": float(os.environ.get("SESSION_LIFETIME_HOURS", "12")),
        # Failed logins (queue_server/auth/throttle.py): this many for one username within
        # LOGIN_LOCK_SECONDS lock it for LOGIN_LOCK_SECONDS; from a quarter of it on, each
        # attempt must wait longer (1 s, 2 s, 4 s... up to a minute). One address gets five
        # times as many: a whole centre's staff log in from behind one NAT address.
        "LOGIN_LOCK_AFTER": int(os.environ.get("LOGIN_LOCK_AFTER", "20")),
        "LOGIN_ADDRESS_LOCK_AFTER": int(os.environ.get("LOGIN_ADDRESS_LOCK_AFTER", "100")),
        "LOGIN_LOCK_SECONDS": float(os.environ.get("LOGIN_LOCK_SECONDS", "900")),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Numbers one kiosk may take (the notation of the `limits` library); counted in RATELIMIT_STORAGE_URI,
        # by default the Redis of the message queue so that every worker counts together.
        "KIOSK_RATE_LIMIT": os.environ.get("KIOSK_RATE_LIMIT", "30 per minute"),
        # Searches of the procedure catalogue one kiosk (or one address) may make: the kiosk
        # searches as the citizen types, a word every few seconds.
        "PROCEDURE_SEARCH_RATE_LIMIT": os.environ.get("PROCEDURE_SEARCH_RATE_LIMIT", "120 per minute"),
        # Bookings, cancellations and remote numbers one address may make (booking/). Loose
        # enough for the citizens of one mobile operator's shared address (carrier NAT), tight
        # enough that a script cannot take a day's slots.
        "BOOKING_RATE_LIMIT": os.environ.get("BOOKING_RATE_LIMIT", "10 per minute;60 per hour"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("SOCKETIO_MESSAGE_QUEUE")
        or "memory://",
        # A Redis that stops answering must not hold a kiosk's request or a login: give up within
        # half a second and count in this process for a while instead (queue_server/counting.py).
        "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ["vi", "en"],
        # Seconds a process reuses slow-moving derived figures (routing of the day, average
        # service times) before reading them again; see queue_server/cache.py.
        "DERIVED_CACHE_SECONDS": float(os.environ.get("DERIVED_CACHE_SECONDS", "10")),
        # Seconds each process (and a proxy, told by Cache-Control) reuses a site's public board
        # (/public/<site>) before counting again: five minutes, because its figures are a month's
        # and a year's, which a few minutes barely move, while a crowd (a link shared on social
        # media, the hall's slide on every screen) then costs one count per site and process
        # every five minutes instead of one per reader. See queue_server/board/.
        "PUBLIC_BOARD_CACHE_SECONDS": float(os.environ.get("PUBLIC_BOARD_CACHE_SECONDS", "300")),
        "JSON_SORT_KEYS": False,
        # Scans attached to dossiers (see queue_server/storage.py).
        "ATTACHMENTS_DIR": Path(os.environ.get("ATTACHMENTS_DIR") or INSTANCE_DIR / "attachments"),
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_MB", scans.ATTACHMENT_MAX_MB)) * 2**20,
        # The hall screen's signage (queue_server/sites/signage.py): its images and videos, kept
        # under this folder, each at most SIGNAGE_MAX_MB (a minute of 1080p video is 20-50 MB);
        # the playlist starts after SIGNAGE_IDLE_SECONDS without a call (long enough for people
        # to read the call and walk off, short enough to fill a quiet hall).
        "SIGNAGE_DIR": Path(os.environ.get("SIGNAGE_DIR") or INSTANCE_DIR / "signage"),
        "SIGNAGE_MAX_BYTES": int(os.environ.get("SIGNAGE_MAX_MB", "50")) * 2**20,
        "SIGNAGE_IDLE_SECONDS": float(os.environ.get("SIGNAGE_IDLE_SECONDS", "30")),
        # How long the public board's slide stays in the playlist of a hall that shows it
        # (Site.board_on_hall): seven figures and their labels take about twenty seconds to
        # read from a seat, twice an image's usual ten.
        "HALL_BOARD_SECONDS": int(os.environ.get("HALL_BOARD_SECONDS", "20")),
        # The largest bank statement a supervisor imports (queue_server/payments/): a line of a
        # CSV export is 150-250 bytes, so 10 MB holds some 50,000 lines, a busy centre's year;
        # a larger file is refused (413) before it is read.
        "STATEMENT_MAX_BYTES": int(os.environ.get("STATEMENT_MAX_MB", "10")) * 2**20,
        # How far before a statement's first day a dossier's intake may be for a line to pay it
        # (payments/matching.py): a transfer follows its receipt by days, not years; a later one
        # is listed "unknown" and confirmed by hand. 0: every dossier of the site.
        "STATEMENT_MATCH_DAYS": int(os.environ.get("STATEMENT_MATCH_DAYS", "180")),
        # Officers' photos, re-encoded small (queue_server/auth/photos.py).
        "PHOTOS_DIR": Path(os.environ.get("PHOTOS_DIR") or INSTANCE_DIR / "photos"),
        # The largest request: the largest upload (a scan, a video of the hall's playlist) with
        # its multipart envelope (1 MiB more); anything larger is refused (413) before it is
        # read (see queue_server/inputs.py). Each upload checks its own limit as it is stored.
        "MAX_CONTENT_LENGTH": int(
            os.environ.get("REQUEST_MAX_MB")
            or max(
                int(os.environ.get("ATTACHMENT_MAX_MB", scans.ATTACHMENT_MAX_MB)),
                int(os.environ.get("SIGNAGE_MAX_MB", "50")),
            )
            + 1
        )
        * 2**20,
        # The largest body of any other request (JSON): a post office's batch of 50 intakes (its
        # client's default) is about 100 KiB, one of 200 (the most it may send) under 400 KiB,
        # and the client sends a batch again in halves if it is refused as too large.
        "JSON_MAX_BYTES": int(os.environ.get("JSON_MAX_KB", "1024")) * 2**10,
        # What the legal texts leave open (queue_server/dossiers/policy.py gives each reason).
        "DOSSIER_SUPPLEMENT_RULE": _choice("DOSSIER_SUPPLEMENT_RULE", ("restart", "pause"), "restart"),
        "CALENDAR_COUNT_MAKEUP_DAYS": _bool("CALENDAR_COUNT_MAKEUP_DAYS", True),
        "DOSSIER_DEFAULT_CUTOFF": _time_or_none("DOSSIER_DEFAULT_CUTOFF", "15:00"),
        "FORMS_TT03_FROM": date.fromisoformat(os.environ.get("FORMS_TT03_FROM") or "2025-09-15"),
        "DOSSIER_APOLOGY_LEAD_DAYS": float(os.environ.get("DOSSIER_APOLOGY_LEAD_DAYS", "1")),
        "DOSSIER_LATE_APOLOGY": _choice("DOSSIER_LATE_APOLOGY", ("record", "refuse"), "record"),
        "DOSSIER_REFUND_ON_REFUSAL": _bool("DOSSIER_REFUND_ON_REFUSAL", True),
        "DOSSIER_REFUND_ON_STOP": _bool("DOSSIER_REFUND_ON_STOP", True),
        "DOSSIER_PAYMENT_PAUSES_CLOCK": _bool("DOSSIER_PAYMENT_PAUSES_CLOCK", True),
        # The citizen's evaluation of a dossier (queue_server/evaluations/criteria.py says what
        # is assumed): how long after the result it may be given, and the verdict's thresholds.
        "EVALUATION_WINDOW_DAYS": int(os.environ.get("EVALUATION_WINDOW_DAYS", "30")),
        "EVALUATION_GOOD_FROM": int(os.environ.get("EVALUATION_GOOD_FROM", "16")),
        "EVALUATION_PASS_FROM": int(os.environ.get("EVALUATION_PASS_FROM", "10")),
        # Jinja templates that replace the built-in forms, per set (see dossiers/formsets.py).
        "FORM_TEMPLATES_DIR": Path(os.environ.get("FORM_TEMPLATES_DIR") or INSTANCE_DIR / "forms"),
        # CSV downloads (queue_server/spreadsheets.py): "vi" opens directly in Excel on a
        # Vietnamese Windows (";" between cells, decimal comma, dd/mm/yyyy); "international"
        # writes commas, decimal points and ISO dates. Both are UTF-8 with a BOM.
        "CSV_DIALECT": _choice("CSV_DIALECT", ("vi", "international"), "vi"),
        # The managers' home warns of tickets still waiting after this many minutes (per service).
        "LONG_WAIT_MINUTES": float(os.environ.get("LONG_WAIT_MINUTES", "30")),
        # A booking may be checked in from this many minutes before its slot: time to find the
        # kiosk and a seat, not long enough to fill the hall with people waiting for later slots.
        "BOOKING_CHECKIN_EARLY_MINUTES": float(os.environ.get("BOOKING_CHECKIN_EARLY_MINUTES", "30")),
        # Working hours before its due instant from which a dossier is flagged to supervisors.
        "DOSSIER_DUE_SOON_HOURS": float(os.environ.get("DOSSIER_DUE_SOON_HOURS", "8")),
        # How often each server process looks for dossiers about to be late (0: never).
        "DOSSIER_WATCH_SECONDS": float(os.environ.get("DOSSIER_WATCH_SECONDS", "60")),
        # Personal data (queue_server/privacy/; docs/legal.md, "Personal data"). The law asks that
        # personal data be deleted once its purpose is done or its legal retention period is over
        # (Law 91/2025/QH15); how long a one-stop unit must keep its records (Law 33/2024/QH15
        # on archives and its lists of retention periods) was not found, so each period is a
        # setting, counted in days from a dossier's end (returned, refused, stopped, turned
        # away), 0 meaning never. The applicant's fields: five years, long enough for the
        # complaints, lawsuits, inspections and yearly reports that may look back at a dossier.
        "RETENTION_DOSSIER_DAYS": int(os.environ.get("RETENTION_DOSSIER_DAYS", "1825")),
        # The scans: one year. Images of identity papers are sensitive personal data (Nghị
        # định 356/2025), and the paper dossier (the record) stays with the deciding agency.
        "RETENTION_SCANS_DAYS": int(os.environ.get("RETENTION_SCANS_DAYS", "365")),
        # The addresses and browsers of staff and devices in the audit trail and the dossiers'
        # and tickets' logs: two years, for a security review; the entries themselves stay.
        "RETENTION_CLIENT_DAYS": int(os.environ.get("RETENTION_CLIENT_DAYS", "730")),
        # An appointment's name, phone and ID number, counted from its day: 90 days, the time a
        # citizen has to complain about an administrative act (Luật Khiếu nại 02/2011/QH13
        # Điều 9), after which nothing needs to know who booked; the reports count the
        # bookings by status, which stay.
        "RETENTION_BOOKING_DAYS": int(os.environ.get("RETENTION_BOOKING_DAYS", "90")),
        # A notification's recipient and text, counted from its sending (or failure), and a
        # ticket's subscription, from the ticket's day: 90 days, the same complaint period
        # ("I was never told" is answered from them). A dossier's or a booking's messages also go
        # with it. The reports count the messages per channel, which stay.
        "RETENTION_MESSAGE_DAYS": int(os.environ.get("RETENTION_MESSAGE_DAYS", "90")),
        # A bank statement's lines name their payers (payments/): matched lines lose the payer and
        # the transfer's text with their dossier; every line after 365 days, when the year's
        # accounts are closed and nobody reconciles it again. Amount, date, reference and outcome
        # stay (the fee reports never read the lines).
        "RETENTION_STATEMENT_DAYS": int(os.environ.get("RETENTION_STATEMENT_DAYS", "365")),
        # A centre's own notice on the processing of personal data (a text file, placeholders
        # {controller} and {retention}); empty: the built-in notice (queue_server/privacy/notice.py).
        "PRIVACY_NOTICE_FILE": os.environ.get("PRIVACY_NOTICE_FILE") or None,
        # The spoken call (display/speech.py, docs/voice.md): a folder of recorded clips (words
        # and phrases, <slug>.wav; <dir>/<SITE-CODE>/ first, then <dir>/) that calls are made
        # of, espeak-ng reading the words without a clip; none: espeak-ng reads every call.
        "CALL_CLIPS_DIR": Path(os.environ["CALL_CLIPS_DIR"]) if os.environ.get("CALL_CLIPS_DIR") else None,
        # How the ticket number is read: "number" ("một nghìn không trăm hai mươi ba", as people
        # read 1023) or "digits" ("một không hai ba"), which some centres prefer for long numbers.
        "CALL_NUMBER_READING": _choice("CALL_NUMBER_READING", ("number", "digits"), "number"),
        # Notifications (queue_server/notify/, docs/notifications.md). Where the sending worker
        # runs: "inline", a background task in every server process (so `make run` sends with
        # nothing more to start; several processes share the work safely), or "off" when a
        # separate `flask --app wsgi notify-worker` runs.
        "NOTIFY_WORKER": _choice("NOTIFY_WORKER", ("inline", "off"), "inline"),
        # Attempts before a message is given up (failed): with the backoff below, about a day
        # of retries, longer than any gateway's or mail relay's outage worth waiting for.
        "NOTIFY_MAX_ATTEMPTS": int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "12")),
        # How long a worker holds a message it is sending; past it (the worker died) another
        # sends it again with the same key. Longer than the slowest channel's timeout (30 s).
        "NOTIFY_LEASE_SECONDS": float(os.environ.get("NOTIFY_LEASE_SECONDS", "120")),
        # Retry n waits about BASE * 2^(n-1) seconds (with jitter), at most CAP: 30 s, 1 min,
        # 2 min... then every 2 hours.
        "NOTIFY_BACKOFF_BASE_SECONDS": float(os.environ.get("NOTIFY_BACKOFF_BASE_SECONDS", "30")),
        "NOTIFY_BACKOFF_CAP_SECONDS": float(os.environ.get("NOTIFY_BACKOFF_CAP_SECONDS", "7200")),
        # How often an idle worker looks for due messages: "near your turn" is worth little late.
        "NOTIFY_POLL_SECONDS": float(os.environ.get("NOTIFY_POLL_SECONDS", "1")),
        # The hand-off to the provincial one-stop system (queue_server/province/, docs/province.md):
        # where its worker runs ("inline" in every server process, or "off" when a separate
        # `flask --app wsgi province-worker` runs), its attempts, lease, backoff and poll, as
        # for the notifications: about a day of retries before a message is failed.
        "PROVINCE_WORKER": _choice("PROVINCE_WORKER", ("inline", "off"), "inline"),
        "PROVINCE_MAX_ATTEMPTS": int(os.environ.get("PROVINCE_MAX_ATTEMPTS", "12")),
        "PROVINCE_LEASE_SECONDS": float(os.environ.get("PROVINCE_LEASE_SECONDS", "120")),
        "PROVINCE_BACKOFF_BASE_SECONDS": float(os.environ.get("PROVINCE_BACKOFF_BASE_SECONDS", "30")),
        "PROVINCE_BACKOFF_CAP_SECONDS": float(os.environ.get("PROVINCE_BACKOFF_CAP_SECONDS", "7200")),
        "PROVINCE_POLL_SECONDS": float(os.environ.get("PROVINCE_POLL_SECONDS", "5")),
        # A province's endpoint is HTTPS; plain http:// only where this is true (a test's or a
        # closed network's fake province).
        "PROVINCE_ALLOW_HTTP": _bool("PROVINCE_ALLOW_HTTP", False),
        # How long before an appointment its reminder is sent (not sent when booked later).
        "NOTIFY_BOOKING_REMINDER_MINUTES": int(os.environ.get("NOTIFY_BOOKING_REMINDER_MINUTES", "120")),
        # The e-mail relay of the whole server (a site only chooses its sender name and reply-to).
        # SMTP_SECURITY: none (a relay on the same host or network), starttls (port 587), ssl (465).
        "SMTP_HOST": os.environ.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_SECURITY": _choice("SMTP_SECURITY", ("none", "starttls", "ssl"), "none"),
        "SMTP_TIMEOUT_SECONDS": float(os.environ.get("SMTP_TIMEOUT_SECONDS", "30")),
        "NOTIFY_EMAIL_FROM": os.environ.get("NOTIFY_EMAIL_FROM", "no-reply@localhost"),
        # Web Push (queue_server/notify/vapid.py, channels/webpush.py). The server's VAPID key:
        # PEM, or base64url of the raw 32-byte key; unset, one is made once in the instance
        # folder, which serves one host: several hosts behind one nginx must share one key (the
        # browsers' subscriptions are bound to it), so set it in their environment.
        "VAPID_PRIVATE_KEY": os.environ.get("VAPID_PRIVATE_KEY") or None,
        # Who the push services may contact about our messages (mailto: or https:); unset:
        # PUBLIC_BASE_URL when it is https, else a mailto: address at the host's name.
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT") or None,
        # How long a push service keeps a message for a phone that is off: a ticket's message
        # is about the next minutes (half an hour; later the page itself says more), a
        # dossier's matters for days (three: a phone off over a weekend still gets it).
        "NOTIFY_PUSH_TICKET_TTL_SECONDS": int(os.environ.get("NOTIFY_PUSH_TICKET_TTL_SECONDS", "1800")),
        "NOTIFY_PUSH_TTL_SECONDS": int(os.environ.get("NOTIFY_PUSH_TTL_SECONDS", "259200")),
        # A push service answers in well under a second; one that hangs must not hold the worker.
        "NOTIFY_PUSH_TIMEOUT_SECONDS": float(os.environ.get("NOTIFY_PUSH_TIMEOUT_SECONDS", "10")),
        # Accept push endpoints over plain http or at a local or private address. Off: the
        # server posts to whatever address a browser gives, and a page must not make it post
        # inside the centre's network. On only for tests and a lab's own push service.
        "NOTIFY_PUSH_ALLOW_LOCAL": _bool("NOTIFY_PUSH_ALLOW_LOCAL", False),
        # Subscriptions one address may make, check or end from the tracking pages (`limits`
        # notation): a hall's guest Wi-Fi puts many phones behind one address.
        "TRACKING_SUBSCRIBE_RATE_LIMIT": os.environ.get("TRACKING_SUBSCRIBE_RATE_LIMIT", "60 per minute"),
        # SMS brandname and Zalo ZNS gateways (queue_server/notify/channels/gateways.py): seconds a
        # gateway has to answer, enough for an operator's slow API, short enough not to hold a
        # worker (a timeout is retried with the same request id).
        "NOTIFY_GATEWAY_TIMEOUT": float(os.environ.get("NOTIFY_GATEWAY_TIMEOUT", "10")),
        # The most parts a message template may take when a site does not say (its SMS channel's
        # "max_segments"): 3 parts hold 201 characters of Vietnamese with its marks (UCS-2) or
        # 459 unaccented, room for every default message and its opt-out link, while a
        # brandname bills each part (queue_server/notify/smslength.py).
        "SMS_MAX_SEGMENTS": int(os.environ.get("SMS_MAX_SEGMENTS", "3")),
        # Minutes after a ticket is printed during which its kiosk may attach a phone number to
        # it ("Nhận tin nhắn khi sắp đến lượt?"): the citizen is still at the screen; later the
        # ticket is someone else's business (queue_server/auth/access.kiosk_may_subscribe).
        "NOTIFY_KIOSK_SUBSCRIBE_MINUTES": float(os.environ.get("NOTIFY_KIOSK_SUBSCRIBE_MINUTES", "5")),
        # OpenAPI document and its browsable UI (assets installed from npm at set-up).
        "API_TITLE": "One-stop queue API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/vendor/swagger-ui-dist/",
    }


def check(config: dict) -> None:
    """Refuse to start with a kiosk limit that cannot be counted, or production with settings
    that would give its sessions away."""
    try:
        rates = parse_many(config["KIOSK_RATE_LIMIT"])
    except ValueError:
        rates = []
    if len(rates) != 1:
        raise ConfigurationError(
            f"KIOSK_RATE_LIMIT={config['KIOSK_RATE_LIMIT']!r}: give one rate, such as '30 per minute' "
            "(it is counted on each kiosk's own row, one window at a time: queueing/quota.py)."
        )
    if config["QUEUE_ENV"] != PRODUCTION:
        return
    key = config.get("SECRET_KEY")
    fix = "Make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"
    if not key:
        raise ConfigurationError(f"SECRET_KEY is not set (QUEUE_ENV=production). {fix}")
    if key.strip() == PLACEHOLDER:
        raise ConfigurationError(f"SECRET_KEY is still the example's {PLACEHOLDER}. {fix}")
    if len(key.encode()) < SECRET_KEY_MIN_BYTES:
        raise ConfigurationError(f"SECRET_KEY is shorter than {SECRET_KEY_MIN_BYTES} bytes. {fix}")
    if not config["SESSION_COOKIE_SECURE"]:
        log.warning("production without SESSION_COOKIE_SECURE=1: session cookies also travel over plain HTTP")


def secret_key(instance_dir: Path) -> str:
    """The key of a server started without SECRET_KEY (``make run``): made once in the
    instance folder and read by every process, so that all gunicorn workers (each building its
    own app) sign and accept the same cookies, and a restart logs nobody out."""
    key = made_once(instance_dir, SECRET_KEY_FILE, lambda: secrets.token_hex(32) + "\n")
    if len(key.encode()) < SECRET_KEY_MIN_BYTES:
        path = instance_dir / SECRET_KEY_FILE
        raise ConfigurationError(f"{path} holds no usable key: delete it and start again.")
    return key


def made_once(instance_dir: Path, name: str, make: Callable[[], str]) -> str:
    """The text of the file ``name`` in the instance folder, written by ``make()`` if it is not
    there yet (the secret key, the Web Push key): one value for every process of this host.

    The text is written whole to a file of this process's own, then linked to its name, which
    fails if another process got there first: nobody ever reads a half-written key, and two
    workers starting together both read the winner's.
    """
    path = instance_dir / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance_dir.mkdir(parents=True, exist_ok=True)
    draft = instance_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(make())
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(draft, path)
            log.info("made %s (set it in the environment in production)", path)
        except FileExistsError:
            pass  # another worker made it first: use theirs
    finally:
        draft.unlink(missing_ok=True)
    return path.read_text().strip()
