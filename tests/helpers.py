"""The plain helpers the tests share; their fixtures are in conftest.py, the browser's tools in
browser.py, the Socket.IO screen in live_client.py and the servers in ``bench/harness.py``.

A helper that more than one test module needs lives here, not in the test module that had it
first: a test module imports from no other test module.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
import zxingcpp
from sqlalchemy import create_engine, event, select, text, update

from bench import harness
from bench.harness import ROOT, Gunicorn
from queue_server.auth.access import Actor
from queue_server.auth.models import User
from queue_server.auth.services import issue_device_token
from queue_server.database import db, utcnow
from queue_server.dossiers import lifecycle
from queue_server.dossiers.models import Dossier
from queue_server.sites import staffing
from queue_server.sites.calendar import business_date
from queue_server.sites.models import Counter, Site

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://queue:queue@127.0.0.1:5432/queue_test")
IN_CI = os.environ.get("CI") == "true"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SYSTEM = Actor()
BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
DEMO_PASSWORDS = {"admin": "quan-tri-demo", "supervisor": "giam-sat-demo", "postal": "buu-dien-demo"}


# -- services the tests need ---------------------------------------------------------------------


def unavailable(what: str, error: Exception):
    """Skip the test when a service it needs cannot be reached; under CI, fail it."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI but unreachable: {error}")
    pytest.skip(f"{what} unreachable ({error}); run scripts/test-services.sh")


def psycopg_url(url: str) -> str:
    """SQLAlchemy's URL for a ``postgresql://`` one, through psycopg 3."""
    return url.replace("postgresql://", "postgresql+psycopg://")


def migrate(url: str) -> None:
    """Run the real Alembic migrations against ``url``."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


@contextlib.contextmanager
def own_postgres_database(suffix: str = ""):
    """An empty database of this run's own, created next to ``TEST_POSTGRES_URL``'s and dropped
    at the end: two test runs at once (a CI clone and a developer's) never empty each other's
    tables. Yields its URL."""
    name = f"{POSTGRES_URL.rsplit('/', 1)[1]}_{os.getpid()}{suffix}"
    admin = create_engine(psycopg_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            drop_postgres_database(conn, name)
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        unavailable("PostgreSQL", error)
    yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    with admin.connect() as conn:
        drop_postgres_database(conn, name)
    admin.dispose()


def drop_postgres_database(conn, name: str) -> None:
    """Drop the database ``name`` from ``conn`` (in autocommit), ending the sessions the test
    role left in it first.

    Not ``WITH (FORCE)``: PostgreSQL 15 then checks every backend in the database as if it were a
    user's, and refuses the test role ("must be a member of the role whose process is being
    terminated") when one of them is an autovacuum worker, which has no role; that failed a CI run
    after a migration test had filled its database. A plain ``DROP DATABASE`` ends autovacuum's
    workers itself and waits up to five seconds for the sessions ended here to go."""
    conn.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = :name AND usename = current_user AND pid <> pg_backend_pid()"
        ),
        {"name": name},
    )
    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


def truncate_postgres(url: str) -> None:
    """Empty every table but Alembic's, numbering from 1 again."""
    engine = create_engine(psycopg_url(url))
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables"
                    " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


# The Socket.IO channel of this run's live servers (:func:`live_server`): other runs sharing the
# Redis server use their own.
LIVE_CHANNEL = f"queue-test-{os.getpid()}"


def live_server(
    database_url: str, workers: int = 1, message_queue: str | None = None, **extra: str
) -> Gunicorn:
    """The app behind a real gunicorn (gevent workers) on a free port, serving ``database_url``;
    with ``message_queue``, sharing events through it on a Socket.IO channel of this run's own;
    ``extra``: more settings (environment variables)."""
    settings = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "live-test",
        "LOG_LEVEL": "warning",
        "KIOSK_RATE_LIMIT": "100000 per minute",  # one token takes every test's numbers
        "LIVE_STANDING_SECONDS": "0.2",
        "SOCKETIO_MESSAGE_QUEUE": message_queue,
    }
    if message_queue:
        settings["SOCKETIO_CHANNEL"] = LIVE_CHANNEL
    return Gunicorn({**settings, **extra}, workers)


# -- logging in, devices, tickets ----------------------------------------------------------------


def login(client, username, password=None):
    """Log ``client`` (Flask's test client) in with the demo's password for ``username``."""
    response = client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password or DEMO_PASSWORDS.get(username, "officer-demo")},
    )
    assert response.status_code == 200, response.json
    # Every later request carries the session's CSRF token, as the staff pages' script does.
    client.environ_base["HTTP_X_CSRFTOKEN"] = response.json["csrf_token"]
    return client


def staff_session(base_url: str, username: str) -> requests.Session:
    """A demo account logged in to a live server (requests)."""
    return harness.staff_session(base_url, username, DEMO_PASSWORDS.get(username, "officer-demo"))


def device_token(app, kind: str, site_code: str, name: str = "", counter_number: int | None = None) -> str:
    """A new device token of ``kind`` (kiosk, postal, rating...) at ``site_code``."""
    with app.app_context():
        _, token = issue_device_token(db.session, kind, site_code, name, counter_number)
        db.session.commit()
    return token


def tablet_token(app, counter_number: int = 3) -> str:
    """A token for the rating tablet of a counter of NA-HCC."""
    return device_token(app, "rating", "NA-HCC", f"Máy đánh giá quầy {counter_number}", counter_number)


def device_client(app, token: str):
    """Flask's test client sending ``token`` as a device does."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def issue(kiosk, service="NM-DD", **extra) -> dict:
    """Take a number at NA-HCC through the kiosk's test client; returns the ticket."""
    response = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": service, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def issue_over_http(base_url: str, token: str, service: str = "NM-DD") -> dict:
    """Take a number at NA-HCC the way a kiosk does; returns the ticket."""
    response = requests.post(
        f"{base_url}/api/v1/sites/NA-HCC/tickets",
        json={"service": service},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def served(kiosk, officer_client, *, finish=True) -> dict:
    """A ticket for land (NM-DD) called at counter 3 by officer1, and finished."""
    ticket = issue(kiosk)
    assert officer_client.post("/api/v1/counters/3/call-next").get_json()["ticket"]["id"] == ticket["id"]
    if finish:
        assert officer_client.post(f"/api/v1/tickets/{ticket['id']}/finish").status_code == 200
    return ticket


def tracking_key(ticket: dict) -> str:
    return ticket["track_url"].rsplit("/", 1)[1]


def error_of(response, status):
    """The code of an error answer in the API's format, which must have ``status``."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]["code"]


# -- dossiers ------------------------------------------------------------------------------------

APPLICANT = {
    "name": "Nguyễn Thị Hoa",
    "id_number": "040190012345",
    "phone": "0912 345 678",
    "address": "Số 12 đường Lê Lợi, phường Trường Vinh, Nghệ An",
    "email": "hoa.nguyen@example.vn",
}
PERSONAL = ("Nguyễn Thị Hoa", "040190012345", "0912 345 678", "Lê Lợi", "hoa.nguyen")


def intake(client, **overrides):
    """Take in :data:`APPLICANT`'s request for a criminal record (1.001756) at NA-HCC."""
    body = {
        "site": "NA-HCC",
        "procedure": "1.001756",
        "applicant": APPLICANT,
        "documents": [
            {"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "originals": 1},
            {"name": "Bản chụp Căn cước công dân", "copies": 1},
        ],
        "fee": 200000,
        "fee_payment": "cash",
        **overrides,
    }
    return client.post("/api/v1/dossiers", json=body)


def take_in_over_http(base_url: str, auth, applicant=APPLICANT, **fields) -> str:
    """A dossier for 1.001756 at NA-HCC taken in on a live server, by a logged-in session
    (requests) or a post office's token; returns its code."""
    body = {"site": "NA-HCC", "procedure": "1.001756", "applicant": applicant, **fields}
    if isinstance(auth, str):
        response = requests.post(
            f"{base_url}/api/v1/dossiers", json=body, headers={"Authorization": f"Bearer {auth}"}, timeout=10
        )
    else:
        response = auth.post(f"{base_url}/api/v1/dossiers", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["code"]


def act(client, code, action, **body):
    return client.post(f"/api/v1/dossiers/{code}/actions/{action}", json=body)


# -- what was printed ----------------------------------------------------------------------------


def pdf_text(pdf: bytes, mode: str = "-layout") -> str:
    """The PDF's text with runs of white space made single, so wrapped sentences read whole.

    ``-layout`` keeps the page's reading order; ``-raw`` keeps the drawing order, which keeps a
    table cell's wrapped lines together where the layout would interleave them across columns.
    """
    assert pdf.startswith(b"%PDF-")
    out = subprocess.run(["pdftotext", mode, "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def read_codes(image) -> set[str]:
    """What a scanner reads in the image (a PIL image): its QR codes and barcodes."""
    return {result.text for result in zxingcpp.read_barcodes(image.convert("L"))}


# -- the demo's rules, in the test's session -----------------------------------------------------


@contextlib.contextmanager
def statements_sent(engine):
    """The SQL sent through ``engine`` inside the block, as ``(statement, parameters)``: a list
    that fills as the block runs."""
    sent: list[tuple[str, object]] = []

    def note(conn, cursor, statement, parameters, *args):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def local(*args) -> datetime:
    """An aware datetime in Vietnam's local time."""
    return datetime(*args, tzinfo=VN)


def site(session, code="NA-HCC") -> Site:
    return session.scalar(select(Site).where(Site.code == code))


def counter(session, number, code="NA-HCC") -> Counter:
    return session.scalar(select(Counter).join(Site).where(Site.code == code, Counter.number == number))


def officer(session, username="officer1") -> Actor:
    return Actor(user=session.scalar(select(User).where(User.username == username)))


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def receive_dossier(session, procedure: str, data: dict, now: datetime | None = None) -> Dossier:
    """A dossier of ``procedure`` taken in at NA-HCC by officer1 through the lifecycle, with no
    request (``data`` as an intake's body: applicant, fees, received_at...); commits."""
    centre = site(session)
    procedure_taken = lifecycle.get_procedure(session, centre, procedure)
    dossier, _ = lifecycle.receive(session, centre, centre, procedure_taken, officer(session), data, now=now)
    session.commit()
    return dossier


def staff(session, numbers, code="NA-HCC", username="officer1", day=None) -> None:
    """Put an officer at the counters on ``day`` (today by default), as his first call does, so
    that they receive tickets and the waits count them (sites/staffing.py); commits."""
    user = session.scalar(select(User).where(User.username == username))
    for number in numbers:
        at = counter(session, number, code)
        staffing.sign_on(at, user.id, day or business_date(at.site, utcnow()))
    session.commit()


# -- a real mail server --------------------------------------------------------------------------


class SmtpRecorder:
    """A real local SMTP server (aiosmtpd, on a free port) that keeps what it accepted.

    ``refuse``: recipients answered 550 (mailbox unavailable). ``hold``: while it is set, the
    reply to DATA waits, the message already stored, as when a worker dies before the server's
    "250" reaches it; ``holding`` tells the test that a reply is held. :meth:`stored` is what a
    mail store shows: one copy per Message-ID.
    """

    def __init__(self) -> None:
        import threading

        self.messages: list = []
        self.raw: list[bytes] = []
        self.refuse: set[str] = set()
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.port = free_port()
        self.controller = None

    def start(self) -> None:
        """Listen (again) on :attr:`port`."""
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Stop listening: the relay is down, connections are refused."""
        self.hold.clear()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        from email import policy
        from email.parser import BytesParser

        self.raw.append(envelope.content)
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        while self.hold.is_set():
            self.holding.set()
            await asyncio.sleep(0.02)
        return "250 OK: queued"

    def stored(self) -> dict:
        return {message["Message-ID"]: message for message in self.messages}


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def enable_channels(
    session, *channels: str, code: str = "NA-HCC", settings: dict | None = None, secret=None, only=False
):
    """Switch notification channels on at a site, with their settings (the demo already has
    Web Push on at NA-HCC: its row is updated, not added twice); ``only``: and every other
    channel off (the demo's Web Push too). Commits."""
    from queue_server.notify.models import SiteChannel

    site_id = site(session, code).id
    if only:
        session.execute(update(SiteChannel).where(SiteChannel.site_id == site_id).values(enabled=False))
    for channel in channels:
        row = session.scalar(
            select(SiteChannel).where(SiteChannel.site_id == site_id, SiteChannel.channel == channel)
        )
        if row is None:
            row = SiteChannel(site_id=site_id, channel=channel)
            session.add(row)
        row.enabled, row.settings, row.secret = True, dict(settings or {}), secret
    session.commit()
