"""The hand-off of dossier changes to the provincial system (queue_server/province/), against
a local fake province (tests/province_server.py) that records, refuses and times out on
purpose: one message per change written with the change, delivered in order per dossier,
exactly once at the province after timeouts and 5xx (the same Idempotency-Key on every
attempt), a refusal kept with the province's reason and sent again on "Gửi lại", the SOAP
envelope parsed back, no personal data unless the link says so (and then the read recorded),
the link's secret never shown back, the import of online dossiers (twice = one dossier, bad
input 4xx JSON), and the reconciliation page in Chromium at an office PC's size."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from queue_server.audit.models import AuditEntry
from queue_server.audit.recorder import Event
from queue_server.database import db
from queue_server.province import adapters
from queue_server.province.models import ProvinceMessage
from queue_server.province.worker import Worker

from .browser import OFFICE, check_accessibility, screenshot, signed_in_page
from .helpers import BOTH_DATABASES, PERSONAL, act, error_of, intake, login, staff_session, take_in_over_http
from .province_server import REFUSAL, FakeProvince, soap_fields

FAST = {
    "PROVINCE_ALLOW_HTTP": True,
    "PROVINCE_BACKOFF_BASE_SECONDS": 0.05,
    "PROVINCE_BACKOFF_CAP_SECONDS": 0.1,
    "PROVINCE_MAX_ATTEMPTS": 5,
}


@pytest.fixture
def supervisor(app):
    app.config.update(FAST)
    return login(app.test_client(), "supervisor")


@pytest.fixture
def province():
    with FakeProvince() as fake:
        yield fake


def link(supervisor, url, **extra):
    body = {"enabled": True, "adapter": "json", "endpoint_url": url, "timeout_seconds": 1, **extra}
    response = supervisor.put("/api/v1/sites/NA-HCC/province/link", json=body)
    assert response.status_code == 200, response.json
    return response.json


def rows() -> list[ProvinceMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(ProvinceMessage).order_by(ProvinceMessage.id)))


def drain(app, rounds=40) -> None:
    """Run the worker until nothing is open (retries wait their short backoff)."""
    for _ in range(rounds):
        Worker(app).run_once()
        with app.app_context():
            if all(row.status not in ("pending", "sending") for row in rows()):
                return
        time.sleep(0.06)
    raise AssertionError("messages still open")


@BOTH_DATABASES
def test_each_change_reaches_the_province_once_and_in_order_after_a_timeout_and_a_5xx(
    app, officer, supervisor, province
):
    link(supervisor, province.url)
    code = intake(officer).json["code"]
    assert act(officer, code, "transfer").status_code == 200
    assert act(officer, code, "start_processing").status_code == 200
    with app.app_context():
        written = rows()
    assert [(row.action, row.status_code, row.status) for row in written] == [
        ("receive", "2", "pending"),
        ("transfer", "4", "pending"),
        ("start_processing", "4", "pending"),
    ]
    assert len({row.key for row in written}) == 3 and all(row.key.startswith(code + ":") for row in written)

    province.plan = ["timeout", "error"]  # the province records the first, the answer is lost; then 503
    drain(app)
    with app.app_context():
        done = rows()
    assert [row.status for row in done] == ["acknowledged"] * 3
    assert done[0].attempts == 3 and done[1].attempts == 1 and done[0].province_ref == "T-1"
    # Exactly one of each change at the province, in the order of the changes...
    assert list(province.accepted) == [row.key for row in written]
    assert [fields["status_code"] for fields in province.accepted.values()] == ["2", "4", "4"]
    # ...though the first went three times, always with its key, and nothing overtook it.
    assert province.keys_sent() == [written[0].key] * 3 + [written[1].key, written[2].key]
    for request in province.requests:
        assert request.headers["Idempotency-Key"] == request.key
    first = province.accepted[written[0].key]
    assert first["dossier_code"] == code and first["procedure_code"] == "1.001756"
    assert first["agency_code"] and first["due_at"].endswith("+07:00") and "applicant" not in first
    raw = b"".join(request.raw for request in province.requests).decode()
    assert not any(value in raw for value in PERSONAL)  # minimal by default


def test_a_refusal_is_kept_with_the_provinces_reason_until_sent_again(app, officer, supervisor, province):
    link(supervisor, province.url)
    code = intake(officer).json["code"]
    province.plan = ["refuse"]
    drain(app)
    listed = supervisor.get("/api/v1/sites/NA-HCC/province/messages?status=refused").json
    assert len(listed) == 1 and listed[0]["dossier_code"] == code
    assert (listed[0]["reason"], listed[0]["http_status"], listed[0]["attempts"]) == (REFUSAL, 422, 1)
    Worker(app).run_once()
    assert len(province.requests) == 1  # refused: not tried again by itself

    again = supervisor.post(f"/api/v1/sites/NA-HCC/province/messages/{listed[0]['id']}/resend")
    assert again.status_code == 200 and again.json["status"] == "pending"
    drain(app)
    assert province.keys_sent() == [listed[0]["key"]] * 2
    done = supervisor.get("/api/v1/sites/NA-HCC/province/messages").json
    assert done[0]["status"] == "acknowledged" and done[0]["reason"] is None
    assert error_of(supervisor.post(f"/api/v1/sites/NA-HCC/province/messages/{done[0]['id']}/resend"), 409)


def test_out_of_attempts_is_failed_and_a_switched_off_link_sends_nothing(app, officer, supervisor, province):
    app.config["PROVINCE_MAX_ATTEMPTS"] = 2
    link(supervisor, province.url)
    intake(officer)
    province.plan = ["error", "error"]
    drain(app)
    with app.app_context():
        (row,) = rows()
        assert (row.status, row.attempts, row.reason, row.http_status) == ("failed", 2, "HTTP 503", 503)
    link(supervisor, province.url, enabled=False)
    intake(officer)
    with app.app_context():
        assert len(rows()) == 1  # no link on: nothing written


def test_the_soap_adapter_sends_a_soap_11_envelope_and_reads_faults(app, officer, supervisor):
    with FakeProvince(soap=True) as province:
        link(supervisor, province.url, adapter="soap", soap_action="urn:tinh:CapNhat")
        code = intake(officer).json["code"]
        act(officer, code, "transfer")
        province.plan = ["refuse", "error"]
        drain(app)
        with app.app_context():
            first, second = rows()
            assert (first.status, first.reason, first.http_status) == ("refused", REFUSAL, 500)
            assert (second.status, second.attempts, second.province_ref) == ("acknowledged", 2, "T-1")
        request = province.requests[0]
        assert request.headers["SOAPAction"] == '"urn:tinh:CapNhat"'
        assert request.headers["Content-Type"].startswith("text/xml")
        assert request.key == request.headers["Idempotency-Key"] == first.key
        fields = request.fields
        assert fields["_operation"] == f"{{{adapters.DEFAULT_NAMESPACE}}}CapNhatTrangThaiHoSo"
        assert (fields["dossier_code"], fields["status_code"], fields["action"]) == (code, "2", "receive")
        assert fields["idempotency_key"] == first.key and "province_dossier_code" not in fields


def test_the_envelope_nests_objects_and_escapes_text():
    raw = adapters.envelope("K:1", {"a": "x < y & z", "b": None, "applicant": {"name": "Hoa"}})
    key, fields = soap_fields(raw)
    assert key == "K:1" and fields["a"] == "x < y & z" and "b" not in fields
    assert fields["applicant"] == {"name": "Hoa"}


def test_personal_data_goes_only_when_the_province_needs_it_and_is_recorded(
    app, officer, supervisor, province
):
    link(supervisor, province.url, personal_data=True)
    code = intake(officer).json["code"]
    drain(app)
    (fields,) = province.accepted.values()
    assert fields["applicant"]["name"] == PERSONAL[0] and fields["applicant"]["id_number"] == PERSONAL[1]
    with app.app_context():
        assert PERSONAL[0] not in str(rows()[0].payload)  # the outbox row holds none
        reads = db.session.scalars(
            select(AuditEntry).where(AuditEntry.event == Event.PERSONAL_DATA_READ)
        ).all()
        assert any(entry.details == {"subject": code, "what": "province_handoff"} for entry in reads)


def test_the_link_is_the_supervisors_and_its_secret_never_comes_back(app, officer, supervisor, province):
    shown = link(
        supervisor, province.url, username="hcc", secret="mat-khau-tinh", status_codes={"transfer": "4.1"}
    )
    assert shown["secret_set"] is True and "mat-khau-tinh" not in str(shown)
    assert shown["status_codes"]["transfer"] == "4.1" and shown["status_codes"]["receive"] == "2"
    kept = link(supervisor, province.url, username="hcc", status_codes={"transfer": "4.1"})
    assert kept["secret_set"] is True  # omitted: kept
    code = intake(officer).json["code"]
    act(officer, code, "transfer")
    drain(app)
    assert province.requests[0].headers["Authorization"].startswith("Basic ")
    assert [fields["status_code"] for fields in province.accepted.values()] == ["2", "4.1"]
    assert error_of(officer.get("/api/v1/sites/NA-HCC/province/link"), 403) == "forbidden"
    assert error_of(officer.get("/api/v1/sites/NA-HCC/province/messages"), 403) == "forbidden"
    app.config["PROVINCE_ALLOW_HTTP"] = False
    bad = supervisor.put(
        "/api/v1/sites/NA-HCC/province/link",
        json={"enabled": True, "adapter": "json", "endpoint_url": province.url},
    )
    assert error_of(bad, 400) == "invalid_endpoint_url"
    bad = supervisor.put(
        "/api/v1/sites/NA-HCC/province/link",
        json={
            "enabled": True,
            "adapter": "json",
            "endpoint_url": "https://x.vn",
            "status_codes": {"fly": "1"},
        },
    )
    assert error_of(bad, 400) == "invalid_status_codes"


ONLINE = {
    "province_code": "000.00.17.H40-261201-0042",
    "procedure_code": "1.001756",
    "received_at": "2026-12-01T09:30:00+07:00",
    "applicant": {"name": "Trần Văn Nam", "id_number": "040190099999", "address": "Xóm 3, xã Nghi Phú"},
    "documents": [{"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "originals": 1}],
    "delivery": "post",
    "delivery_address": "Xóm 3, xã Nghi Phú, Nghệ An",
    "fee": 200000,
    "fee_payment": "online",
}


@BOTH_DATABASES
def test_an_online_dossier_imported_twice_is_one_dossier(app, officer, supervisor, province):
    link(supervisor, province.url)
    first = officer.post("/api/v1/sites/NA-HCC/province/imports", json=ONLINE)
    assert first.status_code == 201, first.json
    again = officer.post("/api/v1/sites/NA-HCC/province/imports", json=ONLINE)
    assert again.status_code == 200 and again.json["code"] == first.json["code"] and not again.json["created"]
    dossier = officer.get(f"/api/v1/dossiers/{first.json['code']}").json
    assert (dossier["channel"], dossier["delivery"], dossier["status"]) == ("online", "post", "received")
    drain(app)
    (told,) = province.accepted.values()
    assert (
        told["province_dossier_code"] == ONLINE["province_code"]
        and told["dossier_code"] == first.json["code"]
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"province_code": None}, 422, "validation_failed"),
        ({"province_code": "có dấu cách"}, 400, "invalid_province_code"),
        ({"procedure_code": "9.999999"}, 404, "unknown_procedure"),
        ({"applicant": {"id_number": "123"}}, 422, "validation_failed"),
        ({"applicant": {"name": "Trần Văn Nam", "id_number": "123"}}, 400, "invalid_applicant"),
        ({"delivery_address": None}, 400, "missing_field"),
        ({"delivery": "drone"}, 400, "invalid_delivery"),
        ({"received_at": "hôm qua"}, 400, "invalid_received_at"),
    ],
)
def test_a_bad_import_is_refused_with_a_json_error(officer, change, status, code):
    body = {key: value for key, value in {**ONLINE, **change}.items() if value is not None}
    assert error_of(officer.post("/api/v1/sites/NA-HCC/province/imports", json=body), status) == code


def test_an_import_needs_staff_of_the_site(client):
    assert (
        error_of(client.post("/api/v1/sites/NA-HCC/province/imports", json=ONLINE), 401) == "login_required"
    )


def answered(base_url, session, wanted: dict[str, int]) -> None:
    """Wait until the server has recorded the province's answers (not only sent the requests)."""
    deadline = time.time() + 20
    while time.time() < deadline:
        rows = session.get(f"{base_url}/api/v1/sites/NA-HCC/province/messages", timeout=5).json()
        found = {status: sum(row["status"] == status for row in rows) for status in wanted}
        if found == wanted:
            return
        time.sleep(0.1)
    raise AssertionError(f"the province's answers were not recorded: {found}")


def test_a_supervisor_reconciles_and_sends_a_refused_change_again_on_the_page(
    app, database_url, live_server_factory, contexts, province
):
    server = live_server_factory(
        database_url,
        PROVINCE_ALLOW_HTTP="true",
        PROVINCE_BACKOFF_BASE_SECONDS="0.1",
        PROVINCE_BACKOFF_CAP_SECONDS="0.2",
        PROVINCE_POLL_SECONDS="0.2",
    )
    supervisor = staff_session(server.url, "supervisor")
    body = {"enabled": True, "adapter": "json", "endpoint_url": province.url, "timeout_seconds": 2}
    assert supervisor.put(f"{server.url}/api/v1/sites/NA-HCC/province/link", json=body).status_code == 200
    province.plan = ["ok", "refuse"]
    codes = [take_in_over_http(server.url, staff_session(server.url, "officer1")) for _ in range(2)]
    answered(server.url, supervisor, {"acknowledged": 1, "refused": 1})
    page = signed_in_page(contexts, server, "supervisor", "giam-sat-demo")
    page.set_viewport_size(OFFICE)
    page.goto(f"{server.url}/manage?site=NA-HCC")
    page.get_by_role("link", name="Liên thông tỉnh").click()
    page.wait_for_url("**/reports/province?site=NA-HCC")
    page.locator("#messages tr").nth(1).wait_for()
    table = page.inner_text("#messages")
    assert codes[0] in table and codes[1] in table and "Tỉnh đã nhận" in table and REFUSAL in table
    screenshot(page, "province-reconciliation")
    check_accessibility(page)
    page.select_option("#filter-status", "refused")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**status=refused**")
    assert page.locator("#messages tr").count() == 1 and codes[1] in page.inner_text("#messages")
    page.get_by_role("button", name=f"Gửi lại thông điệp của hồ sơ {codes[1]}").click()
    page.get_by_text("Đã đưa lại vào hàng gửi.").wait_for()
    answered(server.url, supervisor, {"acknowledged": 2})
    page.goto(f"{server.url}/reports/province?site=NA-HCC&status=acknowledged")
    assert page.locator("#messages tr").count() == 2
    assert "Gửi lại lúc" in page.locator("#messages tr").first.inner_text()
    page.locator("#messages tr").first.get_by_text("Nội dung đã gửi").click()
    sent = page.locator("#messages tr").first.locator("dl").inner_text()
    assert codes[1] in sent and "Mã trạng thái\n2" in sent and "+07:00" in sent
    assert page.evaluate("document.documentElement.scrollWidth") <= OFFICE["width"]
    page.locator("summary", has_text="Mã trạng thái gửi tỉnh theo từng bước").click()
    assert page.input_value("#code-receive") == "2" and page.input_value("#code-undeliver") == ""
    screenshot(page, "province-resent")
    check_accessibility(page)


def test_a_worker_that_died_while_sending_is_replaced_with_the_same_key(app, officer, supervisor, province):
    from queue_server import outboxes
    from queue_server.database import utcnow

    link(supervisor, province.url)
    intake(officer)
    with app.app_context():
        session = db.session()
        (claimed,) = outboxes.claim(session, ProvinceMessage, utcnow(), 0.05)  # then the worker dies
        session.commit()
        assert rows()[0].status == "sending"
        db.session.remove()
    Worker(app).run_once()
    assert province.requests == []  # not before its lease ends
    time.sleep(0.1)
    drain(app)
    with app.app_context():
        (row,) = rows()
        assert (row.status, row.attempts) == ("acknowledged", 2)
    assert province.keys_sent() == [row.key]


def test_the_link_in_the_audit_trail_hides_its_secret(app, supervisor, province):
    link(supervisor, province.url, secret="mat-khau-tinh")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry)).all()
        assert any("province_links" in str(entry.changes) for entry in entries)
        assert not any("mat-khau-tinh" in str(entry.changes) + str(entry.details) for entry in entries)


def test_the_page_is_the_supervisors_and_says_what_is_wrong_in_vietnamese(app, officer, supervisor, province):
    page = officer.get("/reports/province?site=NA-HCC")
    assert page.status_code == 403 and "Không có quyền truy cập" in page.get_data(as_text=True)
    shown = supervisor.get("/reports/province?site=NA-HCC")
    assert shown.status_code == 200 and "Không có thông điệp nào." in shown.get_data(as_text=True)
    app.config["PROVINCE_ALLOW_HTTP"] = False
    saved = supervisor.post(
        "/reports/province/link?site=NA-HCC",
        data={"enabled": "on", "adapter": "json", "endpoint_url": province.url, "timeout_seconds": "5"},
    )
    assert saved.status_code == 400
    assert "Địa chỉ tiếp nhận phải bắt đầu bằng https://." in saved.get_data(as_text=True)
    saved = supervisor.post(
        "/reports/province/link?site=NA-HCC",
        data={
            "enabled": "on",
            "adapter": "soap",
            "endpoint_url": "https://tinh.example.vn/hoso",
            "secret": "k",
            "code-transfer": "4.1",
            "code-receive": "",
            "code-stop": "7",
        },
    )
    assert saved.status_code == 302 and "done=saved" in saved.headers["Location"]
    shown = supervisor.get("/api/v1/sites/NA-HCC/province/link").json
    assert shown["own_codes"] == {"transfer": "4.1", "receive": ""}
    bad = supervisor.post(
        "/reports/province/link?site=NA-HCC",
        data={"adapter": "json", "endpoint_url": "https://tinh.example.vn/hoso", "code-stop": "bảy"},
    )
    assert bad.status_code == 400 and "Mã trạng thái gồm tối đa 20" in bad.get_data(as_text=True)
    assert (shown["adapter"], shown["endpoint_url"], shown["secret_set"]) == (
        "soap",
        "https://tinh.example.vn/hoso",
        True,
    )
    again = supervisor.post("/reports/province/9999/resend?site=NA-HCC")
    assert again.status_code == 302 and "done=not_resendable" in again.headers["Location"]


def test_the_command_line_imports_a_file_of_online_dossiers_once(app, tmp_path):
    import json

    path = tmp_path / "hoso.json"
    second = {**ONLINE, "province_code": "000.00.17.H40-261201-0043", "delivery": "drone"}
    path.write_text(json.dumps([ONLINE, second], ensure_ascii=False), encoding="utf-8")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["province-import", "NA-HCC", str(path)])
    assert first.exit_code == 0, first.output
    assert "imported" in first.output and "invalid_delivery" in first.output
    again = runner.invoke(args=["province-import", "NA-HCC", str(path)])
    assert "already imported" in again.output
