"""Dossiers through the API: intake, the whole lifecycle, deadlines, apology, attachments,
permissions and the public view that never shows personal data."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from PIL import Image

from queue_server.auth.services import device_for_token, issue_device_token
from queue_server.database import db, utcnow
from queue_server.dossiers import lifecycle
from queue_server.dossiers.calendars import calendar_for
from queue_server.dossiers.models import CalendarDay, Dossier

from .helpers import (
    APPLICANT,
    PERSONAL,
    act,
    intake,
    local,
    login,
    officer,
    read_codes,
    receive_dossier,
    site,
)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_dossier_goes_from_intake_to_return_at_the_counter(officer):
    created = intake(officer)
    assert created.status_code == 201, created.json
    dossier = created.json
    code = dossier["code"]
    assert code.startswith("000.00.06.H40-") and code.endswith("-0001")
    assert dossier["status"] == "received" and dossier["channel"] == "counter"
    assert dossier["received_by"] == "Trần Văn Hùng"
    assert dossier["applicant"]["id_number"] == "040190012345"
    due = dossier["due_at"]

    steps = [
        (
            "request_supplement",
            {"items": ["Bản sao giấy khai sinh"], "reason": "Thiếu giấy tờ"},
            "supplement_requested",
        ),
        (
            "resubmit",
            {"documents": [{"name": "Bản sao giấy khai sinh", "certified_copies": 1}]},
            "resubmitted",
        ),
        ("transfer", {}, "transferred"),
        ("start_processing", {}, "processing"),
        ("result_ready", {}, "result_ready"),
        ("return", {"recipient_name": "Nguyễn Thị Hoa"}, "returned"),
    ]
    for action, body, status in steps:
        response = act(officer, code, action, **body)
        assert response.status_code == 200, (action, response.json)
        assert response.json["status"] == status

    final = officer.get(f"/api/v1/dossiers/{code}").json
    assert [e["action"] for e in final["events"]] == [
        "receive",
        "request_supplement",
        "resubmit",
        "transfer",
        "start_processing",
        "result_ready",
        "return",
    ]
    assert final["due_at"] >= due  # the pause can only push the due date later
    assert final["outcome"] == "early"
    assert final["return_method"] == "counter" and final["returned_at"]
    assert len(final["documents"]) == 3
    transfer = final["events"][3]
    assert transfer["from_party"] == "Trung tâm Phục vụ hành chính công tỉnh Nghệ An"
    assert transfer["to_party"] == "Sở Tư pháp"


def test_the_tracking_link_shows_status_and_dates_without_personal_data(app, officer):
    dossier = intake(officer).json
    key = dossier["tracking_url"].rsplit("/", 1)[1]
    anonymous = app.test_client()
    public = anonymous.get(f"/api/v1/public/dossiers/{key}")
    assert public.status_code == 200
    assert public.json["code"] == dossier["code"] and public.json["due_at"] == dossier["due_at"]
    text = json.dumps(public.json, ensure_ascii=False)
    assert not any(value in text for value in PERSONAL)
    assert anonymous.get("/api/v1/public/dossiers/not-a-key").status_code == 404
    assert anonymous.get(f"/api/v1/dossiers/{dossier['code']}").status_code == 401


def test_a_retry_with_the_same_client_id_returns_the_same_dossier(officer):
    first = intake(officer, client_id="retry-0001-abcdef")
    again = intake(officer, client_id="retry-0001-abcdef")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json["code"] == again.json["code"]
    assert len(officer.get("/api/v1/dossiers?site=NA-HCC").json) == 1


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"applicant": {**APPLICANT, "id_number": "12345"}}, 400, "invalid_applicant"),
        ({"applicant": {**APPLICANT, "phone": "call me"}}, 400, "invalid_applicant"),
        ({"applicant": {"name": ""}}, 422, "validation_failed"),
        ({"delivery": "post"}, 400, "missing_field"),
        ({"procedure": "9.999999"}, 404, "unknown_procedure"),
        ({"site": "NOPE"}, 404, "unknown_site"),
        ({"fee": -1}, 422, "validation_failed"),
        ({"documents": [{"name": "Tờ khai", "copies": 500}]}, 422, "validation_failed"),
        ({"channel": "fax"}, 422, "validation_failed"),
    ],
)
def test_bad_intakes_get_a_clear_error_and_create_nothing(officer, overrides, status, code):
    response = intake(officer, **overrides)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert officer.get("/api/v1/dossiers?site=NA-HCC").json == []


def test_a_state_that_does_not_allow_an_action_gives_409(officer):
    code = intake(officer).json["code"]
    response = act(officer, code, "result_ready")
    assert response.status_code == 409 and response.json["error"]["code"] == "invalid_transition"
    assert act(officer, code, "fly").status_code == 404
    assert act(officer, code, "refuse").json["error"]["code"] == "missing_field"
    refused = act(officer, code, "refuse", reason="Không thuộc thẩm quyền", rules_reference="Điều 9")
    # A refusal is no result: classed neither early nor late, its paid fee refunded.
    assert refused.json["status"] == "refused" and refused.json["outcome"] == "refused"
    assert refused.json["fee_status"] == "refunded"
    assert act(officer, code, "transfer").status_code == 409
    assert act(officer, code, "stop").status_code == 409


def test_other_sites_staff_and_devices_cannot_see_or_move_a_dossier(app, officer, kiosk):
    code = intake(officer).json["code"]
    ward_officer = login(app.test_client(), "officer3")
    assert ward_officer.get(f"/api/v1/dossiers/{code}").status_code == 403
    assert act(ward_officer, code, "transfer").status_code == 403
    assert ward_officer.get("/api/v1/dossiers?site=NA-HCC").status_code == 403
    assert kiosk.get(f"/api/v1/dossiers/{code}").status_code == 403
    assert intake(kiosk).status_code == 403
    postal = login(app.test_client(), "postal")
    assert act(postal, code, "transfer").status_code == 403


def _backdated(session, days_ago: int, procedure="1.000775"):
    """A dossier received ``days_ago`` days ago (within what an offline intake may claim)."""
    body = {"applicant": {"name": "Trần Văn Bình"}, "received_at": utcnow() - timedelta(days=days_ago)}
    return receive_dossier(session, procedure, body)


def test_a_late_dossier_is_flagged_and_may_apologise_once(app, session):
    late = _backdated(session, 10)  # 8 working hours, ten days ago
    fresh = _backdated(session, 0, procedure="1.001756")
    # Ten days on it has neither reached its agency nor been apologised for.
    assert lifecycle.flags(session, late) == ["transfer_due", "overdue", "needs_apology"]
    assert lifecycle.flags(session, fresh) == []
    client = login(app.test_client(), "officer1")
    overdue = client.get("/api/v1/dossiers?site=NA-HCC&flag=overdue").json
    assert [row["code"] for row in overdue] == [late.code]
    for action in ("transfer", "start_processing"):
        assert act(client, late.code, action).status_code == 200
    transfer = client.get(f"/api/v1/dossiers/{late.code}").json["events"][1]
    assert transfer["action"] == "transfer" and transfer["data"]["in_time"] is False

    too_early = act(
        client, late.code, "apologise", reason="Chờ ý kiến", new_due_at=late.received_at.isoformat()
    )
    assert too_early.json["error"]["code"] == "invalid_new_due_at"
    new_date = (utcnow() + timedelta(days=7)).isoformat()
    apology = act(client, late.code, "apologise", reason="Chờ ý kiến cơ quan phối hợp", new_due_at=new_date)
    assert apology.status_code == 200 and apology.json["status"] == "apology_issued"
    assert apology.json["flags"] == []  # the new date is a week away
    # Sent after the day before the due date: recorded, and marked as sent late.
    assert apology.json["events"][-1]["data"]["late_notice"] is True
    again = act(client, late.code, "apologise", reason="Lần nữa", new_due_at=new_date)
    assert again.status_code == 409 and again.json["error"]["code"] == "apology_once"
    done = act(client, late.code, "result_ready")
    assert done.json["outcome"] == "late"  # against the statutory date, apology or not


def test_by_default_a_supplement_restarts_the_processing_time_from_the_beginning(app, session):
    centre = site(session)
    procedure = lifecycle.get_procedure(session, centre, "1.001756")
    received = local(2026, 11, 16, 9, 0)  # Monday
    dossier, _ = lifecycle.receive(
        session,
        centre,
        centre,
        procedure,
        officer(session),
        {"applicant": {"name": "Lê Văn C"}},
        now=received,
    )
    assert dossier.due_at == local(2026, 12, 1, 9, 0)  # 10 working days; 24/11 is Vietnam Cultural Day
    lifecycle.apply(
        session,
        dossier,
        "request_supplement",
        officer(session),
        {"items": ["Tờ khai có chữ ký"], "reason": "Tờ khai chưa ký"},
        now=local(2026, 11, 17, 9, 0),
    )
    assert dossier.paused and lifecycle.flags(session, dossier, local(2026, 12, 10, 9, 0)) == []
    # Back complete on Thursday 19/11 at 09:00: ten working days from then.
    lifecycle.apply(session, dossier, "resubmit", officer(session), {}, now=local(2026, 11, 19, 9, 0))
    assert not dossier.paused and dossier.paused_seconds == 16 * 3600
    assert dossier.counted_from == local(2026, 11, 19, 9, 0)
    assert dossier.due_at == local(2026, 12, 4, 9, 0)
    session.commit()


def test_a_centre_may_keep_the_rule_that_pauses_the_clock_for_the_supplement(app, session):
    app.config["DOSSIER_SUPPLEMENT_RULE"] = "pause"
    centre = site(session)
    procedure = lifecycle.get_procedure(session, centre, "1.001756")
    dossier, _ = lifecycle.receive(
        session,
        centre,
        centre,
        procedure,
        officer(session),
        {"applicant": {"name": "Lê Văn C"}},
        now=local(2026, 11, 16, 9, 0),
    )
    lifecycle.apply(
        session,
        dossier,
        "request_supplement",
        officer(session),
        {"items": ["Tờ khai có chữ ký"], "reason": "Tờ khai chưa ký"},
        now=local(2026, 11, 17, 9, 0),
    )
    # Two working days (Tue 9:00 -> Thu 9:00) were paused: the due date moves by them.
    lifecycle.apply(session, dossier, "resubmit", officer(session), {}, now=local(2026, 11, 19, 9, 0))
    assert dossier.due_at == local(2026, 12, 3, 9, 0)
    session.commit()


def test_a_supplement_may_be_requested_only_once(officer):
    code = intake(officer).json["code"]
    first = act(officer, code, "request_supplement", items=["Bản sao sổ hộ khẩu"], reason="Thiếu")
    assert first.status_code == 200
    act(officer, code, "resubmit")
    act(officer, code, "transfer")
    act(officer, code, "start_processing")
    second = act(officer, code, "request_supplement", items=["Thêm nữa"], reason="Thiếu")
    assert second.status_code == 409 and second.json["error"]["code"] == "supplement_once"


def test_admin_days_off_and_make_up_days_move_due_dates(app, session):
    centre = site(session)
    before = calendar_for(session, centre).due(local(2026, 12, 14, 9, 0), 5, "working_days")
    assert before == local(2026, 12, 21, 9, 0)
    session.add(CalendarDay(site_id=centre.id, day=local(2026, 12, 16).date(), working=False, note="Nghỉ bù"))
    session.add(CalendarDay(site_id=None, day=local(2026, 12, 19).date(), working=True, note="Làm bù"))
    session.commit()
    session.info.pop("working_calendars", None)
    after = calendar_for(session, centre).due(local(2026, 12, 14, 9, 0), 5, "working_days")
    assert after == local(2026, 12, 21, 9, 0)  # one day off, one Saturday worked
    session.add(CalendarDay(site_id=centre.id, day=local(2026, 12, 19).date(), working=False))
    session.commit()
    session.info.pop("working_calendars", None)
    assert calendar_for(session, centre).due(local(2026, 12, 14, 9, 0), 5, "working_days") == local(
        2026, 12, 22, 9, 0
    )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (40, 20), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def test_attachments_are_stored_with_their_hash_and_shown_only_to_staff(app, officer, kiosk, tmp_path):
    app.config["ATTACHMENTS_DIR"] = tmp_path / "scans"
    code = intake(officer).json["code"]
    data = _png()
    upload = officer.post(
        f"/api/v1/dossiers/{code}/attachments",
        data={"file": (io.BytesIO(data), "to-khai.png"), "client_id": "scan-0001-abc"},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    assert upload.json["sha256"] == hashlib.sha256(data).hexdigest()
    assert upload.json["size"] == len(data) and upload.json["content_type"] == "image/png"
    again = officer.post(
        f"/api/v1/dossiers/{code}/attachments",
        data={"file": (io.BytesIO(data), "to-khai.png"), "client_id": "scan-0001-abc"},
        content_type="multipart/form-data",
    )
    assert again.status_code == 200 and again.json["id"] == upload.json["id"]
    url = f"/api/v1/dossiers/{code}/attachments/{upload.json['id']}"
    assert officer.get(url).data == data
    assert app.test_client().get(url).status_code == 401
    assert kiosk.get(url).status_code == 403
    assert login(app.test_client(), "officer3").get(url).status_code == 403
    fake = officer.post(
        f"/api/v1/dossiers/{code}/attachments",
        data={"file": (io.BytesIO(b"MZ\x90\x00 not a scan"), "virus.pdf")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 415 and fake.json["error"]["code"] == "unsupported_file"
    assert len(officer.get(f"/api/v1/dossiers/{code}").json["attachments"]) == 1


def test_the_kiosk_offers_a_result_return_ticket_when_the_result_is_ready(app, officer, kiosk):
    code = intake(officer).json["code"]
    waiting = kiosk.get(f"/api/v1/kiosk/dossiers/{code}")
    assert waiting.status_code == 200 and waiting.json["return_service"] is None
    assert not any(value in json.dumps(waiting.json, ensure_ascii=False) for value in PERSONAL)
    for action in ("transfer", "start_processing", "result_ready"):
        act(officer, code, action)
    ready = kiosk.get(f"/api/v1/kiosk/dossiers/{code}").json
    assert ready["result_ready"] and ready["return_service"] == "TKQ"
    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": ready["return_service"]})
    assert ticket.status_code == 201 and ticket.json["number"].startswith("K")
    assert kiosk.get("/api/v1/kiosk/dossiers/000.00.06.H40-261122-9999").status_code == 404
    with app.app_context():
        _, ward_token = issue_device_token(db.session, "kiosk", "NA-TRUONGVINH", "ward kiosk")
        db.session.commit()
    ward = app.test_client()
    ward.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ward_token}"
    assert ward.get(f"/api/v1/kiosk/dossiers/{code}").status_code == 404


def test_lists_filter_by_status_channel_date_and_text(officer):
    first = intake(officer).json["code"]
    intake(officer, applicant={**APPLICANT, "name": "Phan Văn Đức"}, procedure="2.001610")
    act(officer, first, "transfer")
    rows = officer.get("/api/v1/dossiers?site=NA-HCC&status=transferred").json
    assert [r["code"] for r in rows] == [first]
    assert len(officer.get("/api/v1/dossiers?site=NA-HCC&q=Phan").json) == 1
    assert len(officer.get("/api/v1/dossiers?site=NA-HCC&channel=postal").json) == 0
    today = utcnow().astimezone(local(2026, 1, 1).tzinfo).date().isoformat()
    assert (
        len(officer.get(f"/api/v1/dossiers?site=NA-HCC&received_from={today}&received_to={today}").json) == 2
    )
    assert officer.get("/api/v1/dossiers?site=NA-HCC&status=lost").status_code == 422


def test_dossier_codes_count_per_agency_and_day(officer, session):
    codes = [intake(officer).json["code"] for _ in range(3)]
    assert [c[-4:] for c in codes] == ["0001", "0002", "0003"]
    assert session.query(Dossier).count() == 3


def test_the_thermal_receipt_goes_to_a_printer_of_the_site_and_decodes_back(app, officer, kiosk, kiosk_token):
    from kiosk.agent import LAYOUTS

    dossier = intake(officer).json
    device_id = kiosk.get("/api/v1/devices/me").json["id"]
    job = officer.post(f"/api/v1/dossiers/{dossier['code']}/print-receipt", json={"device_id": device_id})
    assert job.status_code == 202 and job.json["kind"] == "receipt"
    fetched = kiosk.get("/api/v1/devices/me/print-jobs").json
    assert [j["kind"] for j in fetched] == ["receipt"]
    payload = fetched[0]["payload"]
    assert payload["dossier_code"] == dossier["code"] and payload["track_url"] == dossier["tracking_url"]
    assert read_codes(LAYOUTS["receipt"](payload, 80)) >= {dossier["code"], dossier["tracking_url"]}
    nobody = officer.post(f"/api/v1/dossiers/{dossier['code']}/print-receipt", json={"device_id": 999})
    assert nobody.status_code == 404
    with app.app_context():
        _, ward_token = issue_device_token(db.session, "kiosk", "NA-TRUONGVINH", "ward kiosk")
        db.session.commit()
        ward_id = device_for_token(db.session, ward_token).id
    elsewhere = officer.post(f"/api/v1/dossiers/{dossier['code']}/print-receipt", json={"device_id": ward_id})
    assert elsewhere.status_code == 403


def test_supervisors_declare_days_off_and_make_up_days_for_their_site_and_admins_for_all(app, officer):
    supervisor = login(app.test_client(), "supervisor")
    swap = {
        "site": "NA-HCC",
        "days": [
            {"day": "2026-12-16", "working": False, "note": "Nghỉ bù"},
            {"day": "2026-12-19", "working": True, "note": "Làm bù thứ Bảy"},
        ],
    }
    assert officer.post("/api/v1/calendar-days", json=swap).status_code == 403
    declared = supervisor.post("/api/v1/calendar-days", json=swap)
    assert declared.status_code == 200 and [d["working"] for d in declared.json] == [False, True]
    again = supervisor.post("/api/v1/calendar-days", json={**swap, "days": swap["days"][:1]})
    assert again.json[0]["id"] == declared.json[0]["id"]  # replaced, not doubled
    everywhere = {"days": [{"day": "2026-12-31", "working": False}]}
    assert supervisor.post("/api/v1/calendar-days", json=everywhere).status_code == 403
    assert login(app.test_client(), "admin").post("/api/v1/calendar-days", json=everywhere).status_code == 200
    year = officer.get("/api/v1/calendar-days?site=NA-HCC&year=2026").json
    assert any("Hùng Vương" in holiday["name"] for holiday in year["holidays"])  # Giỗ Tổ, lunar 10/3
    assert [d["day"] for d in year["declared"]] == ["2026-12-16", "2026-12-19", "2026-12-31"]
    assert supervisor.delete(f"/api/v1/calendar-days/{declared.json[0]['id']}").status_code == 204
    assert supervisor.delete(f"/api/v1/calendar-days/{declared.json[0]['id']}").status_code == 404
    bad = supervisor.post(
        "/api/v1/calendar-days", json={"site": "NA-HCC", "days": [{"day": "31/12", "working": 1}]}
    )
    assert bad.status_code == 422


def test_an_officer_prints_the_receipt_on_the_pc_of_a_counter(app, officer):
    code = intake(officer).json["code"]
    with app.app_context():
        _, token = issue_device_token(db.session, "counter", "NA-HCC", "PC quầy 3", counter_number=3)
        db.session.commit()
    job = officer.post(f"/api/v1/dossiers/{code}/print-receipt", json={"counter": 3})
    assert job.status_code == 202, job.json
    pc = app.test_client()
    pc.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert [j["payload"]["dossier_code"] for j in pc.get("/api/v1/devices/me/print-jobs").json] == [code]
    assert officer.post(f"/api/v1/dossiers/{code}/print-receipt", json={"counter": 4}).status_code == 404
