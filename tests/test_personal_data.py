"""Citizens' personal data: every read recorded, the retention purge, the notice and consent,
and the data subject's export."""

import io
import json
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from queue_server.audit.models import AuditEntry
from queue_server.audit.recorder import Event
from queue_server.auth.services import issue_device_token
from queue_server.booking import capacity
from queue_server.booking.models import Booking
from queue_server.database import db, utcnow
from queue_server.dossiers.models import Attachment, Dossier, DossierEvent
from queue_server.notify.channels.gateways import Sms
from queue_server.notify.models import Notification, Subscription
from queue_server.notify.worker import Worker
from queue_server.queueing.models import QueueEvent, Ticket

from .browser import check_accessibility, screenshot, signed_in_page
from .gateway_server import Gateway
from .helpers import (
    APPLICANT,
    BOTH_DATABASES,
    PERSONAL,
    VN,
    act,
    enable_channels,
    intake,
    issue,
    login,
    site,
    staff_session,
)

CARD = "040190012345|040190012|Nguyễn Thị Hoa|15011990|Nữ|Số 12 Lê Lợi, Vinh, Nghệ An|01022021"


def reads(app, code=None, what=None) -> list[dict]:
    """The read events of the audit trail (for one dossier), oldest first."""
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.event == Event.PERSONAL_DATA_READ).order_by(AuditEntry.id)
        ).all()
        found = [
            {
                **(e.details or {}),
                "actor": e.actor_name,
                "address": e.address,
                "user_agent": e.user_agent,
                "device_id": e.device_id,
                "site_id": e.site_id,
            }
            for e in entries
        ]
        db.session.remove()
    if code is not None:
        found = [r for r in found if r.get("subject") == code or code in r.get("dossiers", [])]
    if what is not None:
        found = [r for r in found if r.get("what") == what]
    return found


def png(width: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, 20), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client, code, name="cccd-nguyen-thi-hoa.png", data=None):
    response = client.post(
        f"/api/v1/dossiers/{code}/attachments",
        data={"file": (io.BytesIO(data or png()), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    return response.json


# -- reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_every_read_of_a_dossiers_personal_data_names_who_when_where_and_what(app, officer, tmp_path):
    app.config["ATTACHMENTS_DIR"] = tmp_path / "scans"
    code = intake(officer).json["code"]
    scan = upload(officer, code)
    assert reads(app, code) == []  # taking it in and attaching are changes, in its history

    officer.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (test) Chromium"
    assert officer.get(f"/api/v1/dossiers/{code}").status_code == 200
    assert officer.get(f"/api/v1/dossiers/{code}/forms/01.pdf").status_code == 200
    assert officer.get(f"/api/v1/dossiers/{code}/attachments/{scan['id']}").status_code == 200
    today = utcnow().astimezone(VN).date().isoformat()  # the site's day, not the machine's
    assert officer.get(f"/api/v1/sites/NA-HCC/tracking-book.xlsx?from={today}&to={today}").status_code == 200
    assert officer.get(f"/api/v1/sites/NA-HCC/tracking-book.pdf?from={today}&to={today}").status_code == 200

    found = reads(app, code)
    assert [r["what"] for r in found] == [
        "detail",
        "form 01",
        f"scan {scan['id']}",
        f"tracking book {today}..{today} (xlsx)",
        f"tracking book {today}..{today} (pdf)",
    ]
    for read in found:
        assert read["actor"] == "Trần Văn Hùng"
        assert read["address"] == "127.0.0.1"
        assert read["user_agent"] == "Mozilla/5.0 (test) Chromium"
    assert found[0]["subject"] == code
    # The book is one entry listing its dossiers; the ID number is never written in the log.
    assert found[3]["dossiers"] == [code]
    assert not any(APPLICANT["id_number"] in json.dumps(r) for r in found)


def test_a_search_by_id_number_or_phone_is_recorded_and_a_plain_list_is_not(app, officer):
    code = intake(officer).json["code"]
    other = intake(officer, applicant={"name": "Lê Văn Nam", "id_number": "040190099999"}).json["code"]
    assert [row["code"] for row in officer.get("/api/v1/dossiers?site=NA-HCC").json] == [other, code]
    assert reads(app) == []
    by_id = officer.get("/api/v1/dossiers?site=NA-HCC&q=040190012345").json
    assert [row["code"] for row in by_id] == [code]
    by_phone = officer.get("/api/v1/dossiers?site=NA-HCC&q=0912 345").json
    assert [row["code"] for row in by_phone] == [code]
    searches = reads(app, what="search")
    assert [s["dossiers"] for s in searches] == [[code], [code]]
    assert not any("040190012345" in json.dumps(s) for s in searches)
    assert officer.get("/api/v1/dossiers?site=NA-HCC&q=999999999999").json == []
    assert len(reads(app, what="search")) == 2  # nothing found, nothing read


def test_supervisors_find_the_reads_in_the_audit_search_and_on_the_dossier(app, officer):
    code = intake(officer).json["code"]
    officer.get(f"/api/v1/dossiers/{code}")
    supervisor = login(app.test_client(), "supervisor")
    rows = supervisor.get(f"/api/v1/audit?site=NA-HCC&q={code}&source=audit").json
    assert [row["event"] for row in rows] == ["personal_data_read"]
    assert rows[0]["actor"] == "Trần Văn Hùng" and rows[0]["subject"] == f"personal_data_read: {code}"
    listed = supervisor.get(f"/api/v1/dossiers/{code}/personal-data-reads")
    assert listed.status_code == 200
    assert [(r["actor"], r["what"]) for r in listed.json] == [("Trần Văn Hùng", "detail")]
    # Officers see the dossier, not who else looked at it.
    assert officer.get(f"/api/v1/dossiers/{code}/personal-data-reads").status_code == 403
    assert (
        login(app.test_client(), "officer3").get(f"/api/v1/dossiers/{code}/personal-data-reads").status_code
        == 403
    )


def test_an_id_card_decoded_for_staff_is_recorded_and_a_kiosk_gets_nothing_to_record(app, officer, kiosk):
    assert officer.post("/api/v1/scans", json={"text": CARD}).json["fields"]["id_number"] == "040190012345"
    assert kiosk.post("/api/v1/scans", json={"text": CARD}).json["fields"] == {}
    found = reads(app, what="ID card")
    assert len(found) == 1 and found[0]["actor"] == "Trần Văn Hùng"
    assert "040190012345" not in json.dumps(found)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_receipt_print_and_the_post_offices_list_of_deliveries_are_recorded_once_per_change(app):
    with app.app_context():
        _, token = issue_device_token(db.session, "postal", "NA-BC-VINH", "Bưu cục Vinh")
        printer, _ = issue_device_token(db.session, "kiosk", "NA-HCC", "Ki-ốt sảnh A")
        db.session.commit()
        printer_id = printer.id
    post = app.test_client()
    post.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    officer = login(app.test_client(), "officer1")
    code = intake(officer, delivery="post", delivery_address="Số 5 Phan Bội Châu, Vinh").json["code"]
    assert (
        officer.post(f"/api/v1/dossiers/{code}/print-receipt", json={"device_id": printer_id}).status_code
        == 202
    )
    assert len(reads(app, code, what="receipt print")) == 1
    for action in ("transfer", "start_processing", "result_ready"):
        assert act(officer, code, action).status_code == 200
    manifest = officer.post(
        "/api/v1/manifests", json={"direction": "to_post", "from_site": "NA-HCC", "to_site": "NA-BC-VINH"}
    ).json
    assert (
        officer.post(f"/api/v1/manifests/{manifest['code']}/items", json={"dossier": code}).status_code == 200
    )
    assert officer.post(f"/api/v1/manifests/{manifest['code']}/close").status_code == 200
    for _ in range(3):  # the client polls every round
        inbox = post.get("/api/v1/postal/inbox")
        assert inbox.json[0]["deliveries"][0]["delivery_address"] == "Số 5 Phan Bội Châu, Vinh"
    found = reads(app, what="postal inbox")
    assert len(found) == 1 and found[0]["dossiers"] == [code] and found[0]["device_id"] is not None


# -- consent -----------------------------------------------------------------------------------


def test_the_consent_to_be_contacted_is_off_unless_given_and_can_be_withdrawn(app, officer):
    silent = intake(officer).json
    assert silent["contact_consent"] == {"given": False, "at": None, "via": None}
    given = intake(officer, contact_consent=True).json
    assert given["contact_consent"]["given"] is True
    assert given["contact_consent"]["via"] == "counter" and given["contact_consent"]["at"]
    bad = intake(officer, contact_consent="maybe")
    assert bad.status_code == 422

    code = given["code"]
    withdrawn = officer.put(
        f"/api/v1/dossiers/{code}/contact-consent", json={"contact_consent": False, "via": "post"}
    )
    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json["contact_consent"]["given"] is False
    assert withdrawn.json["contact_consent"]["via"] == "post"
    last = withdrawn.json["events"][-1]
    assert last["action"] == "contact_consent" and last["data"] == {"contact_consent": False, "via": "post"}
    assert last["actor"] == "Trần Văn Hùng"
    stranger = login(app.test_client(), "officer3")
    assert (
        stranger.put(f"/api/v1/dossiers/{code}/contact-consent", json={"contact_consent": True}).status_code
        == 403
    )


# -- retention ---------------------------------------------------------------------------------

AGE_DAYS = 2000  # past the default five years of RETENTION_DOSSIER_DAYS
TIMES = {
    Dossier: (
        "received_at",
        "counted_from",
        "due_at",
        "transfer_due_at",
        "finished_at",
        "returned_at",
        "created_at",
        "updated_at",
        "contact_consent_at",
    ),
    DossierEvent: ("at",),
    Attachment: ("created_at",),
    AuditEntry: ("at",),
    QueueEvent: ("at",),
    Ticket: ("business_date", "issued_at", "called_at", "started_at", "finished_at"),
    Booking: ("day", "starts_at", "ends_at", "created_at", "cancelled_at", "checked_in_at"),
    Subscription: ("created_at", "opted_out_at"),
    Notification: ("created_at", "next_attempt_at", "sent_at", "delivered_at", "failed_at"),
}


def age(app, days: int) -> None:
    """Move every recorded moment ``days`` back, as if it had all happened that long ago."""
    with app.app_context():
        for model, columns in TIMES.items():
            for row in db.session.scalars(select(model)):
                for column in columns:
                    if getattr(row, column) is not None:
                        setattr(row, column, getattr(row, column) - timedelta(days=days))
        db.session.commit()
        db.session.remove()


def report(client, start: date, end: date) -> dict:
    response = client.get(f"/api/v1/reports?site=NA-HCC&from={start}&to={end}")
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_after_their_periods_personal_fields_are_anonymised_scans_removed_and_reports_unchanged(
    app, officer, tmp_path
):
    app.config["ATTACHMENTS_DIR"] = tmp_path / "scans"
    shared, own = png(), png(60)
    returned = intake(officer, contact_consent=True, note="Gọi chị Hoa trước khi đến").json["code"]
    upload(officer, returned, data=shared)
    for action in ("transfer", "start_processing", "result_ready"):
        assert act(officer, returned, action).status_code == 200
    handed = act(
        officer,
        returned,
        "return",
        recipient_name="Trần Văn Bình",
        recipient_id_number="040190055555",
        proxy=True,
        authorisation="Giấy ủy quyền số 12/UQ ngày 01/12",
    )
    assert handed.status_code == 200, handed.json
    turned_away = intake(officer, decision="refuse", reason="Không thuộc thẩm quyền").json["code"]
    upload(officer, turned_away, name="to-khai.png", data=own)
    still_open = intake(officer, applicant={**APPLICANT, "name": "Phạm Thị Lan"}).json["code"]
    upload(officer, still_open, data=shared)
    with app.app_context():
        keys = {a.dossier.code: a.storage_key for a in db.session.scalars(select(Attachment))}
        db.session.remove()
    root = tmp_path / "scans"
    age(app, AGE_DAYS)
    today = date.today()
    period = (today - timedelta(days=AGE_DAYS + 3), today - timedelta(days=AGE_DAYS - 3))
    supervisor = login(app.test_client(), "supervisor")
    before = report(supervisor, *period)
    assert before["dossiers"]["received"] >= 2

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["purge-personal-data", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dossiers: 2 to remove (after 1825 days, the oldest from" in dry.output
    assert "scans: 2 to remove (after 365 days" in dry.output
    assert "addresses: " in dry.output and "addresses: 0 " not in dry.output
    with app.app_context():
        assert (
            db.session.scalar(select(Dossier.applicant_name).where(Dossier.code == returned))
            == "Nguyễn Thị Hoa"
        )
        db.session.remove()

    done = runner.invoke(args=["purge-personal-data"])
    assert done.exit_code == 0, done.output
    assert "Anonymised 2 dossiers; removed 2 scans (1 files)" in done.output

    detail = officer.get(f"/api/v1/dossiers/{returned}").json
    assert detail["applicant"] == {
        "name": "[đã ẩn danh]",
        "id_number": None,
        "phone": None,
        "address": None,
        "email": None,
    }
    assert detail["note"] is None and detail["personal_data_purged_at"]
    assert detail["status"] == "returned" and detail["outcome"] in ("early", "on_time", "late")
    handover = detail["events"][-1]
    assert handover["to_party"] == "[đã ẩn danh]"
    assert handover["data"]["recipient_name"] == "[đã ẩn danh]"
    assert handover["data"]["recipient_id_number"] is None and handover["data"]["authorisation"] is None
    scan = detail["attachments"][0]
    assert scan["purged_at"] and "cccd" not in scan["filename"]
    gone = officer.get(f"/api/v1/dossiers/{returned}/attachments/{scan['id']}")
    assert gone.status_code == 410 and gone.json["error"]["code"] == "scan_removed"
    # The file the open dossier also holds stays; the turned-away dossier's own file is gone.
    assert (root / keys[still_open]).exists() and not (root / keys[turned_away]).exists()
    kept = officer.get(f"/api/v1/dossiers/{still_open}").json
    assert kept["applicant"]["name"] == "Phạm Thị Lan" and kept["attachments"][0]["purged_at"] is None
    assert (
        officer.get(f"/api/v1/dossiers/{still_open}/attachments/{kept['attachments'][0]['id']}").data
        == shared
    )
    # Nothing personal is left in the purged dossiers' rows or history.
    with app.app_context():
        rows = json.dumps(
            [
                [
                    d.applicant_name,
                    d.applicant_id_number,
                    d.applicant_phone,
                    d.note,
                    [e.data for e in d.events],
                ]
                for d in db.session.scalars(select(Dossier).where(Dossier.code.in_([returned, turned_away])))
            ],
            ensure_ascii=False,
        )
        old_addresses = db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.address.is_not(None), AuditEntry.at < utcnow() - timedelta(days=730))
        )
        purged = db.session.scalars(
            select(AuditEntry).where(AuditEntry.event == Event.PERSONAL_DATA_PURGED)
        ).all()
        db.session.remove()
    for word in (*PERSONAL, "Trần Văn Bình", "040190055555", "ủy quyền số 12", "Gọi chị Hoa"):
        assert word not in rows
    assert old_addresses == 0
    assert len(purged) == 1 and purged[0].details["counts"]["dossiers"] == 2

    assert report(supervisor, *period) == before
    again = runner.invoke(args=["purge-personal-data"])
    assert "Anonymised 0 dossiers; removed 0 scans (0 files); cleared 0 client addresses." in again.output
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.event == Event.PERSONAL_DATA_PURGED)
            )
            == 1
        )
        db.session.remove()


# -- the notice ----------------------------------------------------------------------------------


def test_the_counters_intake_page_shows_the_notice_with_the_centres_name_and_an_unticked_consent(
    app, officer
):
    page = officer.get("/console/dossiers/new?site=NA-HCC").get_data(as_text=True)
    assert "Thông báo về việc xử lý dữ liệu cá nhân" in page
    assert "Trung tâm Phục vụ hành chính công tỉnh Nghệ An thu thập họ tên" in page
    assert "được lưu 5 năm kể từ khi hồ sơ kết thúc, bản chụp giấy tờ 1 năm" in page
    assert '<input type="checkbox" id="contact-consent" name="contact_consent">' in page
    english = officer.get("/console/dossiers/new?site=NA-HCC&lang=en").get_data(as_text=True)
    assert "Notice on the processing of personal data" in english


def test_a_centre_replaces_the_notice_with_its_own_text(app, officer, tmp_path):
    own = tmp_path / "thong-bao.txt"
    own.write_text("{controller} xử lý dữ liệu theo Quy chế số 5.\n\nLưu {retention}.", encoding="utf-8")
    app.config["PRIVACY_NOTICE_FILE"] = str(own)
    app.config["RETENTION_DOSSIER_DAYS"] = 3650
    page = officer.get("/console/dossiers/new?site=NA-HCC").get_data(as_text=True)
    assert "<p>Trung tâm Phục vụ hành chính công tỉnh Nghệ An xử lý dữ liệu theo Quy chế số 5.</p>" in page
    assert "<p>Lưu 10 năm.</p>" in page and "thu thập họ tên" not in page


def test_a_mistyped_placeholder_in_the_centres_notice_stays_as_written(app, officer, tmp_path):
    """The centre's text is data: a wrong placeholder, an attribute or a format specification
    is shown as typed, never evaluated, and the intake page still opens."""
    own = tmp_path / "thong-bao.txt"
    own.write_text("{controller} {trung_tam} {controller.__class__} {retention:>99999} {", encoding="utf-8")
    app.config["PRIVACY_NOTICE_FILE"] = str(own)
    response = officer.get("/console/dossiers/new?site=NA-HCC")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Nghệ An {trung_tam} {controller.__class__} {retention:&gt;99999} {</p>" in text


def test_the_post_office_shows_the_servers_notice_offline_and_carries_the_consent(app, tmp_path):
    from werkzeug.security import generate_password_hash

    from postal.app import create_app as postal_app
    from postal.config import Clerk, Settings
    from postal.store import Store

    with app.app_context():
        _, token = issue_device_token(db.session, "postal", "NA-BC-VINH", "Bưu cục Vinh")
        db.session.commit()
    server = app.test_client()
    server.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    catalogue = server.get("/api/v1/postal/catalogue").json
    assert catalogue["privacy"] == {"dossier_days": 1825, "scans_days": 365, "notice": None}
    store = Store(tmp_path / "postal.sqlite3")
    store.save_catalogue(catalogue, utcnow())
    tam = Clerk("tam", "Hoàng Minh Tâm", generate_password_hash("ca-sang-bc-vinh"))
    settings = Settings(
        "http://127.0.0.1:9", token, store.path, f"sim://{tmp_path / 'printer'}", clerks=(tam,)
    )
    clerk = postal_app(settings, store).test_client()
    clerk.get("/login")
    with clerk.session_transaction() as session:
        csrf = session["csrf"]
    clerk.post("/login", data={"csrf": csrf, "username": "tam", "password": "ca-sang-bc-vinh"})
    form = clerk.get("/intake").get_data(as_text=True)
    assert "Thông báo về việc xử lý dữ liệu cá nhân" in form
    assert "được lưu 5 năm kể từ khi hồ sơ kết thúc" in form
    assert "Trung tâm Phục vụ hành chính công tỉnh Nghệ An" in form
    assert 'name="contact_consent"\n      >' in form  # not ticked beforehand
    procedure = next(
        p
        for c in catalogue["centres"]
        if c["site"] == "NA-HCC"
        for p in c["procedures"]
        if p["code"] == "1.001756"
    )
    saved = clerk.post(
        "/intake",
        data={
            "csrf": csrf,
            "applicant_name": "Nguyễn Thị Hoa",
            "applicant_phone": "0912 345 678",
            "site": "NA-HCC",
            "procedure": "1.001756",
            "doc-0": "1",
            "doc-0-originals": "1",
            "sets": "1",
            "fee": str(procedure["fee"]),
            "fee_payment": "cash",
            "delivery": "counter",
            "contact_consent": "on",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    operations = store.claim_batch(10)
    assert operations[0]["body"]["contact_consent"] is True
    sent = server.post(
        "/api/v1/postal/sync",
        json={"operations": [{"id": op["id"], "kind": op["kind"], "body": op["body"]} for op in operations]},
    )
    code = sent.json["results"][0]["result"]["code"]
    officer = login(app.test_client(), "officer1")
    consent = officer.get(f"/api/v1/dossiers/{code}").json["contact_consent"]
    assert consent["given"] is True and consent["via"] == "postal"


# -- the data subject's export ---------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_an_admin_exports_everything_held_about_one_id_number_and_the_export_is_recorded(
    app, officer, tmp_path
):
    app.config["ATTACHMENTS_DIR"] = tmp_path / "scans"
    scan_bytes = png(50)
    own = intake(officer, contact_consent=True).json["code"]
    upload(officer, own, data=scan_bytes)
    officer.get(f"/api/v1/dossiers/{own}")
    # Someone else's dossier, whose result she collected as their proxy.
    theirs = intake(officer, applicant={"name": "Lê Văn Nam", "id_number": "040190099999"}).json["code"]
    for action in ("transfer", "start_processing", "result_ready"):
        act(officer, theirs, action)
    act(
        officer,
        theirs,
        "return",
        recipient_name="Nguyễn Thị Hoa",
        recipient_id_number=APPLICANT["id_number"],
        proxy=True,
        authorisation="Giấy ủy quyền ngày 01/12",
    )
    unrelated = intake(officer, applicant={"name": "Phạm Văn Lâm", "id_number": "040190077777"}).json["code"]

    admin = login(app.test_client(), "admin")
    url = "/api/v1/admin/personal-data?id_number="
    assert login(app.test_client(), "supervisor").get(url + "040190012345").status_code == 403
    assert officer.get(url + "040190012345").status_code == 403
    bad = admin.get(url + "12345")
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid_id_number"
    response = admin.get(url + "0401 9001 2345")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "x" * 8 + "2345" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    summary = json.loads(archive.read("summary.json"))
    assert [d["code"] for d in summary["as_applicant"]] == [own]
    mine = summary["as_applicant"][0]
    assert mine["applicant"]["phone"] == APPLICANT["phone"] and mine["contact_consent"]["given"] is True
    assert [e["action"] for e in mine["history"]] == ["receive"]
    assert archive.read(mine["attachments"][0]["file"]) == scan_bytes
    assert [d["code"] for d in summary["as_recipient"]] == [theirs]
    collected = summary["as_recipient"][0]
    assert [e["action"] for e in collected["history"]] == ["return"] and "applicant" not in collected
    assert "Lê Văn Nam" not in json.dumps(summary, ensure_ascii=False)  # another person's data
    assert unrelated not in json.dumps(summary)
    assert [(r["what"], r["dossiers"]) for r in summary["reads"]] == [("detail", [own])]

    with app.app_context():
        exports = db.session.scalars(select(AuditEntry).where(AuditEntry.event == Event.SUBJECT_EXPORT)).all()
        assert [(e.actor_name, e.details["dossiers"]) for e in exports] == [
            ("Quản trị hệ thống", [own, theirs])
        ]
        assert APPLICANT["id_number"] not in json.dumps(exports[0].details)
        db.session.remove()


def test_the_admin_page_asks_for_the_number_and_explains_a_wrong_one_in_vietnamese(app, officer):
    admin = login(app.test_client(), "admin")
    page = admin.get("/admin/personal-data")
    assert page.status_code == 200 and 'name="id_number"' in page.get_data(as_text=True)
    wrong = admin.get("/admin/personal-data?id_number=abc")
    assert wrong.status_code == 400
    assert "Số giấy tờ không hợp lệ" in wrong.get_data(as_text=True)
    intake(officer)
    download = admin.get("/admin/personal-data?id_number=040190012345")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "Dữ liệu cá nhân" in admin.get("/admin/audit").get_data(as_text=True)  # in the admin's menu
    assert login(app.test_client(), "supervisor").get("/admin/personal-data").status_code == 403


# -- logs ------------------------------------------------------------------------------------------


def test_gunicorns_access_log_never_holds_a_searched_id_number_or_phone(
    app, database_url, live_server_factory, tmp_path
):
    server = live_server_factory(database_url)
    server.stop()
    access = tmp_path / "access.log"
    server.env["ACCESS_LOG"] = str(access)
    server.start()
    officer = staff_session(server.url, "officer1")
    created = officer.post(
        f"{server.url}/api/v1/dossiers",
        json={"site": "NA-HCC", "procedure": "1.001756", "applicant": APPLICANT, "documents": []},
    )
    assert created.status_code == 201, created.text
    assert officer.get(f"{server.url}/api/v1/dossiers?site=NA-HCC&q=040190012345").json()
    assert officer.get(f"{server.url}/api/v1/dossiers", params={"site": "NA-HCC", "q": "0912 345"}).json()
    admin = staff_session(server.url, "admin")
    assert admin.get(f"{server.url}/api/v1/admin/personal-data?id_number=040190012345").ok
    server.stop()
    log = access.read_text()
    assert "GET /api/v1/dossiers HTTP/1.1" in log and "/api/v1/admin/personal-data" in log
    for word in ("040190012345", "0912", "q=", "id_number"):
        assert word not in log


# -- the pages, in Chromium --------------------------------------------------------------------------


def test_an_officer_asks_for_consent_at_intake_records_its_withdrawal_and_a_supervisor_sees_the_reads(
    server, contexts
):
    page = signed_in_page(contexts, server, "officer1")
    page.goto(f"{server.url}/console/dossiers/new?site=NA-HCC")
    page.wait_for_selector("#procedure option[value='NA-HCC|1.001756']", state="attached")
    notice = page.locator(".staff-privacy")
    assert "Trung tâm Phục vụ hành chính công tỉnh Nghệ An thu thập" in notice.inner_text()
    assert not page.is_checked("#contact-consent")
    page.fill("#a-name", "Nguyễn Thị Hoa")
    page.fill("#a-phone", "0912 345 678")
    page.select_option("#procedure", "NA-HCC|1.001756")
    page.check("#doc-0")
    page.get_by_label(re.compile("Công dân đồng ý được liên hệ")).check()
    check_accessibility(page)
    page.click("#submit")
    page.wait_for_url(re.compile(r"/console/dossiers/[^/?]+\?created=1$"))
    code = page.url.rsplit("/", 1)[1].split("?")[0]
    page.wait_for_function("() => document.getElementById('d-consent').textContent.indexOf('Có, từ') === 0")
    assert "Tại quầy" in page.inner_text("#d-consent") or "quầy" in page.inner_text("#d-consent").lower()
    page.select_option("#consent-via", "post")
    page.get_by_role("button", name="Ghi nhận công dân rút lại sự đồng ý").click()
    page.wait_for_function(
        "() => document.getElementById('d-consent').textContent.indexOf('Đã rút lại') === 0"
    )
    withdrawal = page.locator("#d-events tr[data-action='contact_consent']")
    withdrawal.wait_for()
    assert "Rút lại sự đồng ý (Qua bưu điện)" in withdrawal.inner_text()
    assert page.get_by_role("button", name="Ghi nhận công dân đồng ý được liên hệ").is_visible()
    assert page.locator("#d-reads").count() == 0  # officers do not see who read what
    screenshot(page, "dossier-consent")

    boss = signed_in_page(contexts, server, "supervisor", "giam-sat-demo")
    boss.goto(f"{server.url}/console/dossiers/{code}")
    boss.wait_for_function("() => document.querySelectorAll('#d-reads tr').length >= 2")
    readers = boss.inner_text("#d-reads")
    assert "Trần Văn Hùng" in readers and "Xem hồ sơ" in readers
    check_accessibility(boss)
    screenshot(boss, "dossier-reads")


# -- notifications and appointments ----------------------------------------------------------------

BOOKED = {"name": "Lê Thị Mai", "phone": "0977 111 222", "id_number": APPLICANT["id_number"]}


@pytest.fixture
def sms(app):
    """SMS switched on at NA-HCC, its gateway a local HTTP server that records what it got."""
    app.config["BOOKING_RATE_LIMIT"] = "1000 per minute"
    with Gateway() as gateway:
        url = gateway.answer("/sms", body={"CodeResult": "100", "SMSID": "esms-1"})
        with app.app_context():
            settings = Sms.check_settings({"url": url, "api_key": "KEY-1", "brandname": "HCC NGHEAN"})
            enable_channels(db.session, "sms", settings=settings, secret="s")
            db.session.remove()
        yield gateway


def book(app, client, **citizen) -> dict:
    """A booking of land affairs (NM-DD), with consent to be told: the last free slot of the
    first day that has one far enough ahead to get its reminder (a test run late in a day's
    opening hours would otherwise book a slot too near for one)."""
    with app.app_context():
        days = capacity.bookable_days(db.session, site(db.session), utcnow())
        db.session.remove()
    lead = timedelta(minutes=app.config["NOTIFY_BOOKING_REMINDER_MINUTES"] + 30)
    for day in days:
        slots = client.get(f"/api/v1/book/NA-HCC/slots?service=NM-DD&day={day}").json
        later = [slot for slot in slots if datetime.fromisoformat(slot["starts_at"]) > utcnow() + lead]
        if free := [slot for slot in later if slot["free"]]:
            body = {
                "service": "NM-DD",
                "starts_at": free[-1]["starts_at"],
                "consent": True,
                **BOOKED,
                **citizen,
            }
            response = client.post("/api/v1/book/NA-HCC", json=body)
            assert response.status_code == 201, response.json
            return response.json
    raise AssertionError("no free slot")


def returned_dossier(officer) -> str:
    """A dossier whose applicant asked to be told, its result handed back to her."""
    code = intake(officer, contact_consent=True).json["code"]
    for action in ("transfer", "start_processing", "result_ready"):
        assert act(officer, code, action).status_code == 200, action
    mine = {"recipient_name": APPLICANT["name"], "recipient_id_number": APPLICANT["id_number"]}
    assert act(officer, code, "return", **mine).status_code == 200
    return code


def outbox(app) -> dict:
    """Per dossier code, "ticket" or "booking": [(event, recipient, text, status)], and the
    subscriptions' [(address, keys, ended)]."""
    with app.app_context():
        codes = dict(db.session.execute(select(Dossier.id, Dossier.code)).all())

        def subject(row) -> str:
            return codes.get(row.dossier_id) or ("ticket" if row.ticket_id else "booking")

        found: dict = {}
        for row in db.session.scalars(select(Notification).order_by(Notification.id)):
            found.setdefault(subject(row), []).append((row.event, row.recipient, row.body, row.status))
        for row in db.session.scalars(select(Subscription).order_by(Subscription.id)):
            found.setdefault(f"{subject(row)} subscriptions", []).append(
                (row.address, row.keys, row.opted_out_at is not None)
            )
        db.session.remove()
    return found


def emptied(rows) -> bool:
    return all(recipient == "" and body == "" for _event, recipient, body, _status in rows)


@BOTH_DATABASES
def test_appointments_messages_and_subscriptions_are_emptied_after_their_periods_and_with_their_dossier(
    app, officer, kiosk, client, sms
):
    ended = returned_dossier(officer)
    still_open = intake(officer, contact_consent=True, applicant={**APPLICANT, "phone": "0912 000 111"}).json[
        "code"
    ]
    ticket = issue(kiosk)
    made = kiosk.post(f"/api/v1/tickets/{ticket['id']}/subscriptions", json={"phone": "0987 654 321"})
    assert made.status_code == 201, made.json
    booking = book(app, client)
    assert Worker(app).run_once() == 6  # the dossiers' four, the ticket's, the booking's confirmation
    assert len(sms.received) == 6
    written = outbox(app)
    assert [status for *_, status in written["booking"]] == ["sent", "pending"]  # the reminder waits
    assert written[ended][0][1] == "+84912345678" and ended in written[ended][0][2]

    age(app, AGE_DAYS)
    today = date.today()
    period = (today - timedelta(days=AGE_DAYS + 20), today - timedelta(days=AGE_DAYS - 20))
    supervisor = login(app.test_client(), "supervisor")
    before = report(supervisor, *period)
    assert {row["channel"]: row["sent"] for row in before["messages"]}["sms"] == 6
    assert before["bookings"]["totals"]["booked"] == 1

    # Kept for good on their own: only the returned dossier's messages go, with the dossier.
    app.config.update(RETENTION_MESSAGE_DAYS=0, RETENTION_BOOKING_DAYS=0)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["purge-personal-data", "--dry-run"])
    assert "messages: 3 to remove (kept for good, or with their dossier or booking" in dry.output
    assert (
        "subscriptions: 1 to remove" in dry.output and "bookings: 0 to remove (kept for good)" in dry.output
    )
    assert outbox(app) == written  # a dry run changes nothing
    done = runner.invoke(args=["purge-personal-data"])
    assert "Anonymised 1 dossiers" in done.output, done.output
    assert "Emptied 0 bookings, 3 messages, 1 subscriptions and 0 bank statement lines." in done.output
    first = outbox(app)
    assert emptied(first[ended]) and [status for *_, status in first[ended]] == ["sent"] * 3
    assert first[f"{ended} subscriptions"] == [("", None, True)]
    assert first[still_open] == written[still_open] and first["ticket"] == written["ticket"]
    assert first["booking"] == written["booking"]

    # After their periods (the defaults): the rest, and the appointment's name, phone and number.
    app.config.update(RETENTION_MESSAGE_DAYS=90, RETENTION_BOOKING_DAYS=90)
    dry = runner.invoke(args=["purge-personal-data", "--dry-run"])
    assert "bookings: 1 to remove (after 90 days, the oldest from" in dry.output, dry.output
    assert "messages: 4 to remove (after 90 days, or with their dossier or booking" in dry.output
    done = runner.invoke(args=["purge-personal-data"])
    assert "Emptied 1 bookings, 4 messages, 2 subscriptions and 0 bank statement lines." in done.output, (
        done.output
    )
    after = outbox(app)
    assert emptied(after[still_open]) and emptied(after["ticket"]) and emptied(after["booking"])
    # The open dossier keeps its subscription (its applicant's phone stays with it); the
    # appointment's waiting reminder will never be sent.
    assert after[f"{still_open} subscriptions"] == [("+84912000111", None, False)]
    assert after["ticket subscriptions"] == after["booking subscriptions"] == [("", None, True)]
    assert [status for *_, status in after["booking"]] == ["sent", "cancelled"]
    with app.app_context():
        row = db.session.scalar(select(Booking).where(Booking.token == booking["token"]))
        assert (row.name, row.phone, row.id_number, row.status) == ("[đã ẩn danh]", "", None, "no_show")
        assert row.starts_at and row.service.code == "NM-DD"
        purged = db.session.scalars(
            select(AuditEntry).where(AuditEntry.event == Event.PERSONAL_DATA_PURGED).order_by(AuditEntry.id)
        ).all()
        db.session.remove()
    assert [e.details["counts"]["messages"] for e in purged] == [3, 4]
    assert purged[1].details["days"]["bookings"] == 90
    everything = json.dumps(after, ensure_ascii=False)
    for word in ("+8491234", "+8498765", "+8497711", "Lê Thị Mai", "http://localhost/"):
        assert word not in everything

    # What staff see of the messages says nothing, and the reports count the same.
    shown = officer.get(f"/api/v1/dossiers/{ended}/notifications")
    assert shown.status_code == 200 and {m["recipient"] for m in shown.json} == {""}
    assert report(supervisor, *period) == before
    again = runner.invoke(args=["purge-personal-data"])
    assert "Emptied 0 bookings, 0 messages, 0 subscriptions and 0 bank statement lines." in again.output


def test_a_booking_nobody_swept_is_counted_a_no_show_before_its_data_goes(app, client):
    app.config["BOOKING_RATE_LIMIT"] = "1000 per minute"
    booking = book(app, client)
    age(app, 100)
    runner = app.test_cli_runner()
    assert (
        "bookings: 1 to remove (after 90 days"
        in runner.invoke(args=["purge-personal-data", "--dry-run"]).output
    )
    with app.app_context():
        assert db.session.scalar(select(Booking.status)) == "booked"  # no report or sweep has looked
        db.session.remove()
    assert "Emptied 1 bookings" in runner.invoke(args=["purge-personal-data"]).output
    with app.app_context():
        row = db.session.scalar(select(Booking).where(Booking.token == booking["token"]))
        assert (row.status, row.name, row.phone) == ("no_show", "[đã ẩn danh]", "")
        db.session.remove()


@BOTH_DATABASES
def test_the_export_gives_back_the_citizens_bookings_and_the_messages_sent_about_them_in_full(
    app, officer, client, sms
):
    own = intake(officer, contact_consent=True).json["code"]
    booking = book(app, client)
    book(app, client, name="Phạm Văn Lâm", phone="0977 333 444", id_number="040190077777")
    assert Worker(app).run_once() == 3  # the dossier's "received", each booking's confirmation

    admin = login(app.test_client(), "admin")
    response = admin.get("/api/v1/admin/personal-data?id_number=040190012345")
    assert response.status_code == 200, response.json
    summary = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("summary.json"))
    (dossier,) = summary["as_applicant"]
    assert dossier["code"] == own
    assert [(s["channel"], s["address"], s["via"]) for s in dossier["subscriptions"]] == [
        ("sms", "+84912345678", "counter")
    ]
    (told,) = dossier["messages"]
    assert (told["event"], told["channel"], told["status"]) == ("dossier.received", "sms", "sent")
    # Her own data given back whole: the number and the text, not the staff's masked view.
    assert told["recipient"] == "+84912345678" and own in told["text"] and told["sent_at"]
    assert [
        request.body["Content"] for request in sms.received if request.body["Phone"] == "84912345678"
    ] == [told["text"]]
    (mine,) = summary["bookings"]
    # What her link shows (service, day, slot, status), with her name and whole number.
    assert {key: mine[key] for key in booking} == {**booking, "phone": "+84977111222"}
    assert (mine["service_name"], mine["status"], mine["name"]) == ("Đất đai", "booked", "Lê Thị Mai")
    assert [(m["event"], m["recipient"], m["status"]) for m in mine["messages"]] == [
        ("booking.confirmed", "+84977111222", "sent"),
        ("booking.reminder", "+84977111222", "pending"),
    ]
    assert "Phạm Văn Lâm" not in json.dumps(summary, ensure_ascii=False)  # another person's booking
    with app.app_context():
        (export,) = db.session.scalars(
            select(AuditEntry).where(AuditEntry.event == Event.SUBJECT_EXPORT)
        ).all()
        assert export.details["bookings"] == 1 and "+84977111222" not in json.dumps(export.details)
        db.session.remove()
