"""The audit trail: every change, by a person or a device, with who, when and from where."""

import os
import re
import subprocess
import sys
from html import unescape

import pytest

from queue_server.audit.models import AuditEntry
from queue_server.database import db, utcnow

from .browser import OFFICE, check_accessibility, screenshot
from .helpers import ROOT, issue_over_http, login, site


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


# -- the trail as sentences ------------------------------------------------------------------------


def audit_lines(client, query="site=NA-HCC") -> list[str]:
    """The sentences of the audit page, newest first, with the fields shown under each."""
    html = client.get(f"/admin/audit?{query}").get_data(as_text=True)
    rows = re.findall(
        r'<p class="admin-audit-sentence">(.*?)</p>\s*(?:<ul class="admin-changes">(.*?)</ul>)?', html, re.S
    )
    return [
        unescape(sentence)
        + "".join(
            f" | {unescape(re.sub('<[^>]+>', '', item)).strip()}"
            for item in re.findall(r"<li>(.*?)</li>", fields, re.S)
        )
        for sentence, fields in rows
    ]


def test_the_trail_reads_as_sentences_of_who_did_what(app, kiosk):
    supervisor = login(app.test_client(), "supervisor")
    officer = login(app.test_client(), "officer1")
    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}).json
    land = next(c for c in officer.get("/api/v1/sites/NA-HCC/counters").json if "NM-DD" in c["services"])
    assert officer.post(f"/api/v1/counters/{land['id']}/call-next").json["ticket"]["id"] == ticket["id"]
    officer.post(f"/api/v1/counters/{land['id']}/pause", json={"reason": "Họp giao ban"})
    hours = supervisor.get("/api/v1/admin/sites/NA-HCC").json["opening_hours"]
    saturday = [session for session in hours if session["weekday"] == 5]
    assert saturday and saturday[0]["closes"] == "11:30"
    changed = [dict(s, closes="11:00") if s["weekday"] == 5 else s for s in hours]
    assert supervisor.patch("/api/v1/admin/sites/NA-HCC", json={"opening_hours": changed}).status_code == 200
    supervisor.patch(
        "/api/v1/admin/sites/NA-HCC", json={"enforce_opening_hours": True, "target_wait_minutes": 20}
    )

    lines = audit_lines(supervisor)
    assert "Nguyễn Thị Lan đăng nhập" in lines and "Trần Văn Hùng đăng nhập" in lines
    assert "test kiosk cấp số " + ticket["number"] in lines
    assert f"Trần Văn Hùng gọi số {ticket['number']} tại quầy {land['number']}" in lines
    assert f"Trần Văn Hùng tạm dừng quầy {land['number']} | Lý do: Họp giao ban" in lines
    assert "Nguyễn Thị Lan đổi giờ làm việc thứ Bảy | Thứ Bảy: 07:30–11:30 → 07:30–11:00" in lines
    assert (
        "Nguyễn Thị Lan đổi trung tâm NA-HCC | Chỉ cấp số trong giờ làm việc: Không → Có"
        " | Thời gian chờ cam kết (phút): 15 → 20"
    ) in lines
    html = supervisor.get("/admin/audit?site=NA-HCC").get_data(as_text=True)
    # The request, address and raw entry are one click away, not in the sentence.
    assert "<summary>Chi tiết</summary>" in html and "PATCH /api/v1/admin/sites/NA-HCC" in html
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    assert "enforce_opening_hours" in table  # in the raw entry...
    assert "enforce_opening_hours" not in re.sub(r"<details.*?</details>", "", table, flags=re.S)  # only
    # Times in Vietnam's time, day first.
    assert re.search(r'<td class="admin-audit-at">\d\d/\d\d/20\d\d \d\d:\d\d</td>', html)

    only_queue = audit_lines(supervisor, "site=NA-HCC&source=queue&actor=Hùng")
    assert only_queue[0] == f"Trần Văn Hùng tạm dừng quầy {land['number']} | Lý do: Họp giao ban"
    assert all("Hùng" in line for line in only_queue)


def test_every_kind_of_entry_has_a_sentence_and_an_unknown_one_a_fallback(app):
    from queue_server.audit.recorder import Event
    from queue_server.dossiers.labels import ACTION
    from queue_server.queueing.journal import SEQUENCED_KINDS
    from queue_server.sites.models import CounterState
    from queue_server.trail import presenters

    events = {value for name, value in vars(Event).items() if name.isupper()}
    kinds = {kind for kind in SEQUENCED_KINDS if kind != "counter.changed"} | {"ticket.issued"}
    states = {f"counter.changed:{state}" for state in CounterState.ALL}
    missing = (events | kinds | states | {"insert", "update", "delete", "dossier"}) - set(
        presenters.SENTENCES
    )
    assert missing == set(), "give these a sentence in queue_server/trail/presenters.py"
    with app.test_request_context():
        from queue_server.admin.views import labels
        from queue_server.sites.models import Site

        words = presenters.Words(labels(), {}, Site(timezone="Asia/Ho_Chi_Minh").tz)
        for action in ACTION:  # a dossier's action reads with its own label
            row = {
                "source": "dossier",
                "action": f"dossier.{action}",
                "subject": "X",
                "at": "2026-12-03T01:00:00+00:00",
            }
            assert "dossier." not in presenters.present({**row, "actor": "A"}, words).sentence
        unknown = {
            "source": "audit",
            "event": "something_new",
            "actor": "Lê C",
            "at": "2026-12-03T01:00:00+00:00",
        }
        line = presenters.present(unknown, words)
        assert line.sentence == "Lê C: something_new" and line.at == "03/12/2026 08:00"


def test_no_tracking_key_reaches_the_trail(app, kiosk, session):
    """A ticket's and a dossier's tracking keys open the citizen's page: a print job's payload
    holds the ticket's link, yet neither the audit page nor the API shows it."""
    from queue_server.queueing.models import Ticket

    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}).json
    assert kiosk.post(f"/api/v1/tickets/{ticket['id']}/print").status_code == 202
    token = session.get(Ticket, ticket["id"]).public_token
    session.add(
        AuditEntry(
            at=utcnow(),
            site_id=ticket["site_id"] if "site_id" in ticket else site(session).id,
            action="POST /test",
            actor_name="Lê C",
            changes=[
                {
                    "table": "print_jobs",
                    "id": 99,
                    "op": "insert",
                    "values": {
                        "payload": [None, {"track_url": "https://hcc/d/DossierKey12345"}],
                        "kind": [None, "see https://hcc/d/DossierKey12345 and /t/TicketKey12345"],
                    },
                }
            ],
        )
    )
    session.commit()
    supervisor = login(app.test_client(), "supervisor")
    html = supervisor.get("/admin/audit?site=NA-HCC").get_data(as_text=True)
    api = supervisor.get("/api/v1/audit?site=NA-HCC").get_data(as_text=True)
    assert "Lệnh in" in html or "lệnh in" in html
    for text in (html, api):
        assert token not in text
        assert "DossierKey12345" not in text and "TicketKey12345" not in text and "track_url" not in text


def test_the_audit_page_at_the_office(server, contexts, kiosk_token):
    issue_over_http(server.url, kiosk_token)
    page = contexts(viewport=OFFICE)
    page.goto(f"{server.url}/admin/audit?site=NA-HCC")
    page.fill("#username", "supervisor")
    page.fill("#password", "giam-sat-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/audit\?site=NA-HCC$"))
    first = page.locator("#rows tr").first
    assert first.locator(".admin-audit-sentence").inner_text() == "Nguyễn Thị Lan đăng nhập"
    assert "POST /api/v1/auth/login" not in first.inner_text()
    first.get_by_text("Chi tiết").click()
    assert "POST /api/v1/auth/login" in first.inner_text()
    assert page.get_by_text(re.compile(r"^test kiosk cấp số \d+$")).count() == 1
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    check_accessibility(page)
    screenshot(page, "audit-768p")
