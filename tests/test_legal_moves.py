"""The moves Nghị định 118/2025 and Thông tư 03/2025 name, through the API with their forms, on
SQLite and PostgreSQL: the intake that registers nothing (guidance, Mẫu 02; refusal, Mẫu 03),
the stop at the citizen's request (Mẫu 05), one supplement that restarts the clock, the apology
with its extension, the transfer deadline, and the shares that leave refused and stopped
dossiers out."""

from __future__ import annotations

from datetime import time, timedelta

from queue_server.database import db, utcnow
from queue_server.dossiers.calendars import calendar_for
from queue_server.dossiers.models import Dossier

from .helpers import APPLICANT, BOTH_DATABASES, VN, act, intake, login, pdf_text, site


def form(client, code: str, name: str):
    response = client.get(f"/api/v1/dossiers/{code}/forms/{name}.pdf")
    return response, (pdf_text(response.data, "-raw") if response.status_code == 200 else "")


@BOTH_DATABASES
def test_a_refusal_at_intake_registers_nothing_and_issues_mau_03(officer, app):
    refused = intake(officer, decision="refuse", reason="Thủ tục không thuộc thẩm quyền của Sở Tư pháp")
    assert refused.status_code == 201, refused.json
    body = refused.json
    assert body["status"] == "refused" and body["registered"] is False
    assert body["due_at"] is None and body["book"] is None
    assert body["fee"] == 0 and body["fee_status"] == "not_collected"
    assert body["outcome"] == "refused"
    assert [f["kind"] for f in body["forms"]] == ["refusal"]
    assert body["forms"][0]["label"] == "Mẫu 03 - Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    receipt, _ = form(officer, body["code"], "01")
    assert receipt.status_code == 409 and receipt.json["error"]["code"] == "form_not_applicable"
    response, text = form(officer, body["code"], "03")
    assert response.status_code == 200
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "Số: 1/PTCTN" in text
    assert "Thủ tục không thuộc thẩm quyền" in text
    disposition = response.headers["Content-Disposition"]
    assert f"{body['code']}-mau-03-phieu-tu-choi-tiep-nhan-giai-quyet-ho-so.pdf" in disposition
    # Nothing can happen to it, and it takes no place in the book.
    assert act(officer, body["code"], "transfer").status_code == 409
    assert act(officer, body["code"], "return", recipient_name="x").status_code == 409
    registered = intake(officer).json
    assert registered["book"]["entry"] == 1
    thermal = officer.post(f"/api/v1/dossiers/{body['code']}/print-receipt", json={"counter": 3})
    assert thermal.status_code in (404, 409)


@BOTH_DATABASES
def test_guidance_at_intake_lists_what_to_complete_on_mau_02_without_a_receipt(officer):
    missing = intake(officer, decision="incomplete")
    assert missing.status_code == 400 and missing.json["error"]["field"] == "items"
    guided = intake(
        officer,
        decision="incomplete",
        items=["Tờ khai có chữ ký của người yêu cầu", "Bản sao CCCD"],
        reason="Tờ khai chưa ký",
    ).json
    assert guided["status"] == "incomplete" and guided["registered"] is False and guided["due_at"] is None
    assert [f["label"] for f in guided["forms"]] == ["Mẫu 02 - Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"]
    response, text = form(officer, guided["code"], "supplement_request")
    assert response.status_code == 200
    assert "Tờ khai có chữ ký của người yêu cầu" in text and "Hồ sơ chưa được tiếp nhận" in text
    assert "Số: 1/PYCBS" in text
    assert act(officer, guided["code"], "resubmit").status_code == 409


def test_a_post_office_never_refuses_at_intake(post_office):  # noqa: F811
    response = post_office.post(
        "/api/v1/dossiers",
        json={
            "site": "NA-HCC",
            "procedure": "1.001756",
            "applicant": APPLICANT,
            "decision": "refuse",
            "reason": "x",
        },
    )
    assert response.status_code == 400 and response.json["error"]["code"] == "not_a_centre"


@BOTH_DATABASES
def test_the_citizen_stops_a_dossier_until_its_result_exists_and_gets_mau_05(officer, app):
    code = intake(officer).json["code"]
    act(officer, code, "transfer")
    stopped = act(officer, code, "stop", requested_via="online", reason="Đã giải quyết được việc khác")
    assert stopped.status_code == 200, stopped.json
    body = stopped.json
    assert body["status"] == "stopped" and body["outcome"] == "stopped"
    assert body["fee_status"] == "refunded" and body["finished_at"]
    event = body["events"][-1]
    assert event["action"] == "stop" and event["data"]["requested_via"] == "online"
    assert event["data"]["from_status"] == "transferred" and event["data"]["number"] == 1
    assert body["forms"][-2]["label"] == "Mẫu 05 - Thông báo dừng giải quyết hồ sơ"
    response, text = form(officer, code, "05")
    assert response.status_code == 200
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "(trực tuyến)" in text
    assert "Số: 1/TB-DGQ" in text and "200.000 đồng (đã hoàn trả)" in text
    assert act(officer, code, "result_ready").status_code == 409
    assert act(officer, code, "stop").status_code == 409

    # Once a result exists it is too late; an unpaid fee is never collected.
    ready = intake(officer, fee_payment="unpaid").json["code"]
    for action in ("transfer", "result_ready"):
        act(officer, ready, action)
    late = act(officer, ready, "stop", requested_via="in_person")
    assert late.status_code == 409 and late.json["error"]["code"] == "invalid_transition"
    unpaid = intake(officer, fee_payment="unpaid").json["code"]
    assert act(officer, unpaid, "stop", requested_via="post").json["fee_status"] == "not_collected"
    dated = act(officer, intake(officer).json["code"], "stop", requested_at="2020-01-01")
    assert dated.status_code == 400 and dated.json["error"]["code"] == "invalid_requested_at"


def test_a_centre_may_keep_a_paid_fee_when_a_dossier_is_stopped(app, officer):
    app.config["DOSSIER_REFUND_ON_STOP"] = False
    code = intake(officer).json["code"]
    assert act(officer, code, "stop").json["fee_status"] == "paid"


@BOTH_DATABASES
def test_one_supplement_then_the_time_starts_again_and_the_receipt_follows(officer, app):
    created = intake(officer).json
    code = created["code"]
    asked = act(officer, code, "request_supplement", items=["Bản sao giấy khai sinh"], reason="Thiếu")
    assert asked.json["paused"] is True
    back = act(officer, code, "resubmit", documents=[{"name": "Bản sao giấy khai sinh", "copies": 1}])
    assert back.status_code == 200
    with app.app_context():
        dossier = db.session.query(Dossier).filter_by(code=code).one()
        calendar = calendar_for(db.session, dossier.site)
        resubmitted = dossier.events[-1].at
        expected = calendar.due(resubmitted, 10, "working_days", time(15, 0))
        assert dossier.due_at == expected and dossier.counted_from == calendar.clock_start(
            resubmitted, time(15, 0)
        )
    assert back.json["due_at"] >= created["due_at"]
    assert back.json["events"][-1]["data"]["rule"] == "restart"
    response, text = form(officer, code, "01")
    assert "Thời gian nhận đủ hồ sơ bổ sung" in text and "thời gian giải quyết tính lại từ" in text
    again = act(officer, code, "request_supplement", items=["Thêm"], reason="Thiếu")
    assert again.status_code == 409 and again.json["error"]["code"] == "supplement_once"


@BOTH_DATABASES
def test_the_apology_extends_once_to_a_working_instant_and_the_control_sheet_shows_it(officer, app):
    code = intake(officer).json["code"]
    act(officer, code, "transfer")
    with app.app_context():
        dossier = db.session.query(Dossier).filter_by(code=code).one()
        calendar = calendar_for(db.session, dossier.site)
        due = dossier.due_at
        sunday = calendar.close_of(due.date() + timedelta(days=14))
        while sunday.weekday() != 6:
            sunday += timedelta(days=1)
        monday_opening = calendar.next_opening(sunday)
    early = act(officer, code, "apologise", reason="x", new_due_at=due.isoformat())
    assert early.status_code == 400 and early.json["error"]["code"] == "invalid_new_due_at"
    apology = act(
        officer,
        code,
        "apologise",
        reason="Chờ ý kiến cơ quan phối hợp",
        new_due_at=sunday.isoformat(),
        signed_by="Phạm Quốc Hùng",
        notified_by=["sms", "email"],
    )
    assert apology.status_code == 200, apology.json
    body = apology.json
    # A Sunday is no date a citizen can come: the next opening, a working instant.
    assert body["apology_due_at"] == monday_opening.astimezone(due.tzinfo).isoformat()
    data = body["events"][-1]["data"]
    assert data["notified_by"] == ["sms", "email"] and data["late_notice"] is False and data["number"] == 1
    again = act(
        officer, code, "apologise", reason="Lần hai", new_due_at=(sunday + timedelta(days=7)).isoformat()
    )
    assert again.status_code == 409 and again.json["error"]["code"] == "apology_once"
    response, sheet = form(officer, code, "control_sheet")
    assert response.status_code == 200 and "Xin lỗi và hẹn lại" in sheet and "hẹn trả mới" in sheet
    response, letter = form(officer, code, "04")
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in letter and "Số: 1/VBXL" in letter
    public = app.test_client().get(f"/api/v1/public/dossiers/{body['tracking_url'].rsplit('/', 1)[1]}").json
    assert public["apology_due_at"] == body["apology_due_at"]


def test_an_apology_after_its_deadline_is_marked_late_or_refused_by_setting(app, officer):
    # 8 working hours, received five days ago: the day before its due date has passed.
    codes = []
    with app.app_context():
        from queue_server.dossiers import lifecycle

        from .helpers import officer as acting

        centre = site(db.session)
        procedure = lifecycle.get_procedure(db.session, centre, "1.000775")
        for name in ("Lê Văn A", "Lê Văn B"):
            data = {"applicant": {"name": name}, "received_at": utcnow() - timedelta(days=5)}
            codes.append(
                lifecycle.receive(db.session, centre, centre, procedure, acting(db.session), data)[0].code
            )
        db.session.commit()
    code, other = codes
    act(officer, code, "transfer")
    later = (utcnow() + timedelta(days=20)).date().isoformat()
    recorded = act(officer, code, "apologise", reason="Chậm", new_due_at=later)
    assert recorded.status_code == 200 and recorded.json["events"][-1]["data"]["late_notice"] is True
    app.config["DOSSIER_LATE_APOLOGY"] = "refuse"
    act(officer, other, "transfer")
    refused = act(officer, other, "apologise", reason="Chậm", new_due_at=later)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "apology_too_late"


def test_refused_and_stopped_dossiers_are_left_out_of_the_on_time_share(app, officer):
    results = [intake(officer).json["code"] for _ in range(2)]
    for code in results:
        act(officer, code, "transfer")
        act(officer, code, "result_ready")
    refused = intake(officer).json["code"]
    act(officer, refused, "refuse", reason="Không đủ điều kiện")
    act(officer, intake(officer).json["code"], "stop")
    intake(officer, decision="refuse", reason="Không thuộc thẩm quyền")
    today = utcnow().astimezone(VN).date().isoformat()
    report = login(app.test_client(), "supervisor").get(
        f"/api/v1/reports?site=NA-HCC&from={today}&to={today}"
    )
    figures = report.json["dossiers"]
    assert figures["received"] == 4  # the one refused at intake was never received
    assert figures["resolved"] == 2 and figures["on_time_share"] == 1.0
    assert figures["refused"] == 1 and figures["stopped"] == 1 and figures["turned_away"] == 1


def test_a_dossier_received_after_the_cut_off_reaches_its_agency_next_morning(app, session):
    from queue_server.dossiers import lifecycle

    from .helpers import local, officer

    centre = site(session)
    procedure = lifecycle.get_procedure(session, centre, "1.001756")
    assert procedure.cutoff == time(15, 0)  # the catalogue's default
    late, _ = lifecycle.receive(
        session,
        centre,
        centre,
        procedure,
        officer(session),
        {"applicant": {"name": "A"}},
        now=local(2026, 11, 30, 16, 0),
    )
    early, _ = lifecycle.receive(
        session,
        centre,
        centre,
        procedure,
        officer(session),
        {"applicant": {"name": "B"}},
        now=local(2026, 11, 30, 9, 0),
    )
    assert late.transfer_due_at == local(2026, 12, 1, 11, 30) and early.transfer_due_at == local(
        2026, 11, 30, 17, 0
    )
    assert late.counted_from == local(2026, 12, 1, 7, 0)
    assert lifecycle.flags(session, late, local(2026, 12, 1, 11, 0)) == []
    assert lifecycle.flags(session, late, local(2026, 12, 1, 13, 30)) == ["transfer_due"]
    lifecycle.apply(session, early, "transfer", officer(session), {}, now=local(2026, 11, 30, 16, 30))
    assert early.events[-1].data["in_time"] is True
    session.commit()
