"""The audit trail: every change, by a person or a device, with who, when and from where."""

import os
import subprocess
import sys

import pytest

from queue_server.audit.models import AuditEntry
from queue_server.database import db

from .conftest import ROOT, login


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_supervisors_change_is_audited_with_who_what_and_address(app):
    supervisor = login(app.test_client(), "supervisor")
    supervisor.post(
        "/api/v1/calendar-days",
        json={"site": "NA-HCC", "days": [{"day": "2026-12-16", "working": False, "note": "Nghỉ bù"}]},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    rows = supervisor.get("/api/v1/audit?site=NA-HCC&source=audit").json
    entry = next(row for row in rows if row["action"] == "POST /api/v1/calendar-days")
    assert entry["actor"] == "Nguyễn Thị Lan" and entry["address"] == "10.1.2.3"
    change = entry["changes"][0]
    assert change["table"] == "calendar_days" and change["op"] == "insert"
    assert change["values"]["note"] == [None, "Nghỉ bù"]
    # The changes are searchable in Vietnamese (stored as text, not \u escapes), on both databases.
    found = supervisor.get("/api/v1/audit?site=NA-HCC&source=audit&q=Nghỉ bù").json
    assert [row["action"] for row in found] == ["POST /api/v1/calendar-days"]


def test_a_refused_request_leaves_no_entry_and_secrets_never_reach_the_log(app, session):
    supervisor = login(app.test_client(), "supervisor")
    before = session.query(AuditEntry).count()
    bad = supervisor.post(
        "/api/v1/calendar-days", json={"site": "NA-HCC", "days": [{"day": "x", "working": 1}]}
    )
    assert bad.status_code == 422
    assert session.query(AuditEntry).count() == before
    session.rollback()  # let the command write
    command = ["create-user", "--username", "lan2", "--password", "a-long-secret-9", "--role", "officer"]
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command, "--site", "NA-HCC"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": app.config["DATABASE_URL"]},
        check=True,
        capture_output=True,
    )
    session.rollback()
    entry = session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    assert entry.action == "cli create-user"
    values = entry.changes[0]["values"]
    assert values["username"] == [None, "lan2"] and values["password_hash"] == [None, "…"]
    assert "a-long-secret-9" not in str(entry.changes)


def test_tickets_and_dossiers_are_in_the_trail_through_their_own_logs(app, kiosk, officer):
    kiosk.post(
        "/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    officer.post(
        "/api/v1/dossiers",
        json={"site": "NA-HCC", "procedure": "1.001756", "applicant": {"name": "Lê Văn Tám"}},
        environ_base={"REMOTE_ADDR": "10.7.7.7"},
    )
    heartbeat = kiosk.post("/api/v1/devices/me/heartbeat", json={"printer": "ok"})
    assert heartbeat.status_code in (200, 204)
    supervisor = login(app.test_client(), "supervisor")
    rows = supervisor.get("/api/v1/audit?site=NA-HCC").json
    issued = next(row for row in rows if row["action"] == "ticket.issued")
    assert issued["source"] == "queue" and issued["actor"] == "test kiosk" and issued["address"] == "10.9.9.9"
    received = next(row for row in rows if row["action"] == "dossier.receive")
    assert received["actor"] == "Trần Văn Hùng" and received["address"] == "10.7.7.7"
    assert not any("heartbeat" in row["action"] for row in rows)
    assert not [row for row in rows if row["source"] == "audit" and "tickets" in row["subject"]]
    by_actor = supervisor.get("/api/v1/audit?site=NA-HCC&actor=Hùng").json
    # His login is in the trail too.
    assert {row["action"] for row in by_actor} == {"POST /api/v1/auth/login", "dossier.receive"}
    assert supervisor.get("/api/v1/audit?site=NA-HCC&q=issued").json[0]["action"] == "ticket.issued"


def test_only_supervisors_of_the_site_and_admins_search_the_trail(app, officer):
    assert officer.get("/api/v1/audit?site=NA-HCC").status_code == 403
    supervisor = login(app.test_client(), "supervisor")
    assert supervisor.get("/api/v1/audit?site=NA-TRUONGVINH").status_code == 403
    assert supervisor.get("/api/v1/audit").status_code == 403
    admin = login(app.test_client(), "admin")
    assert admin.get("/api/v1/audit?from=2026-01-01&to=2026-12-31").status_code == 200
    assert app.test_client().get("/api/v1/audit?site=NA-HCC").status_code == 401
    with app.app_context():
        assert db.session.query(AuditEntry).count() > 0


def test_every_table_the_trail_can_name_and_every_event_have_a_vietnamese_label(app):
    """The audit page names what changed in Vietnamese: a table added without a label would
    show its English name to a supervisor (as ``form_settings`` once did)."""
    from queue_server.admin.views import EVENTS, TABLES
    from queue_server.audit.recorder import OWN_LOG, Event
    from queue_server.database import Base

    links = {"user_sites"}  # a user's sites: shown as the account's "sites" column
    assert set(Base.metadata.tables) - OWN_LOG - links - set(TABLES) == set()
    events = {value for name, value in vars(Event).items() if name.isupper()}
    assert events == set(EVENTS)
