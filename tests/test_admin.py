"""Administration: the rules of a site's setup and who may change it.

Supervisors change only their own sites; admins everything, and only admins open sites or give
the admin role. Officers and devices see no administration at all.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from queue_server.audit.models import AuditEntry
from queue_server.auth.models import User
from queue_server.database import db
from queue_server.sites.models import Counter, Service, Site

from .helpers import login

SERVICE = {
    "code": "TP-CT",
    "name": "Chứng thực",
    "department": "STP",
    "number_start": 1600,
    "number_end": 1699,
}

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def supervisor(app):
    return login(app.test_client(), "supervisor")


@pytest.fixture
def admin(app):
    return login(app.test_client(), "admin")


def service_id(app, code):
    # Not through the ``session`` fixture: an app context held open across requests would
    # share one logged-in user between the test's clients.
    with app.app_context():
        return db.session.scalar(select(Service.id).where(Service.code == code))


def counter_of(client, number, site="NA-HCC"):
    counters = client.get(f"/api/v1/admin/sites/{site}/counters").json
    return next(c for c in counters if c["number"] == number)


def test_an_officer_sees_no_administration(app, officer):
    assert officer.get("/api/v1/admin/sites").status_code == 403
    assert officer.get("/api/v1/admin/sites/NA-HCC/services").status_code == 403
    refused = officer.post("/api/v1/admin/sites/NA-HCC/services", json=SERVICE)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    assert officer.get("/api/v1/admin/users").status_code == 403
    page = officer.get("/admin/services", headers={"Accept": "text/html"})
    assert page.status_code == 403 and "Không có quyền truy cập" in page.text
    assert "<html" in page.text and "Traceback" not in page.text
    assert app.test_client().get("/api/v1/admin/sites").status_code == 401
    postal = login(app.test_client(), "postal")
    assert postal.get("/api/v1/sites/NA-BC-VINH/devices").status_code == 403
    assert postal.get("/admin/devices", headers={"Accept": "text/html"}).status_code == 403


def test_a_device_token_reaches_no_administration(kiosk):
    assert kiosk.get("/api/v1/admin/sites").status_code == 403
    assert kiosk.get("/api/v1/admin/sites/NA-HCC/counters").status_code == 403
    assert kiosk.post("/api/v1/sites/NA-HCC/devices", json={"kind": "kiosk", "name": "K2"}).status_code == 403


def test_a_page_opened_without_login_sends_to_the_console_and_back(client):
    response = client.get("/admin/counters?site=NA-HCC")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console?next=/admin/counters?site%3DNA-HCC")


def test_every_admin_page_opens_for_a_supervisor_of_the_site_only(supervisor):
    for path in (
        "",
        "/sites",
        "/services",
        "/counters",
        "/users",
        "/devices",
        "/forms",
        "/audit?actor=Lan&source=audit",
    ):
        response = supervisor.get(f"/admin{path}", headers={"Accept": "text/html"})
        assert response.status_code == 200, path
        assert 'aria-current="page"' in response.text and "NA-HCC" in response.text
        # One navigation on every staff page: the reports are a click away from the administration.
        assert (
            'href="/reports?site=NA-HCC"' in response.text
            and 'href="/reports/live?site=NA-HCC"' in response.text
        )
    english = supervisor.get("/admin/counters?lang=en", headers={"Accept": "text/html"}).text
    assert "Counters and schedules" in english  # the script's words too:
    assert '"Week {week}/{weeks} of rotation {name}"' in english
    assert (
        supervisor.get("/admin/counters?site=NA-TRUONGVINH", headers={"Accept": "text/html"}).status_code
        == 403
    )


def test_an_admin_lands_on_the_provincial_centre_not_the_first_code_in_the_alphabet(app):
    admin = login(app.test_client(), "admin")
    page = admin.get("/admin", headers={"Accept": "text/html"}).text
    assert '<option value="NA-HCC" selected>' in page  # NA-BC-VINH (a post office) sorts first
    post_office = admin.get("/admin/devices?site=NA-BC-VINH", headers={"Accept": "text/html"}).text
    assert 'href="/reports"' in post_office and "/console/dossiers" not in post_office  # no queue there


def test_a_supervisor_sees_and_changes_only_their_own_sites(supervisor):
    assert [s["code"] for s in supervisor.get("/api/v1/admin/sites").json] == ["NA-HCC"]
    assert supervisor.get("/api/v1/admin/sites/NA-TRUONGVINH").status_code == 403
    assert supervisor.patch("/api/v1/admin/sites/NA-TRUONGVINH", json={"name": "X"}).status_code == 403
    ward_services = supervisor.post("/api/v1/admin/sites/NA-TRUONGVINH/services", json=SERVICE)
    assert ward_services.status_code == 403
    assert supervisor.post("/api/v1/admin/sites", json={"code": "NA-NEW", "name": "Mới"}).status_code == 403

    changed = supervisor.patch(
        "/api/v1/admin/sites/NA-HCC",
        json={
            "target_wait_minutes": 20,
            "priority_policy": "strict",
            "opening_hours": [
                {"weekday": 0, "opens": "07:00", "closes": "11:30"},
                {"weekday": 0, "opens": "13:30", "closes": "17:00"},
            ],
        },
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["target_wait_minutes"] == 20 and changed.json["priority_policy"] == "strict"
    assert changed.json["opening_hours"][1] == {"weekday": 0, "opens": "13:30", "closes": "17:00"}
    assert changed.json["name"].startswith("Trung tâm")  # untouched fields stay


def test_site_settings_are_checked(supervisor):
    def patch(**body):
        return supervisor.patch("/api/v1/admin/sites/NA-HCC", json=body)

    bad_template = patch(call_template="Mời số {so} đến quầy {counter}")
    assert bad_template.status_code == 400 and bad_template.json["error"]["field"] == "call_template"
    assert patch(call_template="Mời số {number}").status_code == 400
    assert patch(call_template="Xin mời số {number} đến quầy {counter}").status_code == 200
    assert patch(timezone="Mars/Olympus").json["error"]["code"] == "invalid_timezone"
    overlapping = patch(
        opening_hours=[
            {"weekday": 1, "opens": "07:00", "closes": "12:00"},
            {"weekday": 1, "opens": "11:00", "closes": "17:00"},
        ]
    )
    assert overlapping.status_code == 400 and overlapping.json["error"]["code"] == "overlapping_opening_hours"
    reversed_session = patch(opening_hours=[{"weekday": 1, "opens": "17:00", "closes": "07:00"}])
    assert reversed_session.status_code == 400
    taken = patch(agency_code="000.27.30.H40")  # the ward's
    assert taken.status_code == 409 and taken.json["error"]["code"] == "agency_code_taken"
    assert patch(kind="castle").status_code == 422
    assert patch(priority_max_run=0).status_code == 422


def test_the_collecting_account_is_its_banks_bin_and_number_or_nothing(supervisor):
    """The account a dossier's VietQR code pays into (queue_server/vietqr.py)."""

    def patch(**body):
        return supervisor.patch("/api/v1/admin/sites/NA-HCC", json=body)

    half = patch(payment_bank_bin="970405")
    assert half.status_code == 400
    assert (half.json["error"]["code"], half.json["error"]["field"]) == (
        "payment_account_incomplete",
        "payment_account_number",
    )
    bad_bin = patch(payment_bank_bin="97040A", payment_account_number="3600201009999")
    assert (bad_bin.json["error"]["code"], bad_bin.json["error"]["field"]) == (
        "invalid_payment_account",
        "payment_bank_bin",
    )
    spaced = patch(payment_bank_bin="970405", payment_account_number="3600 2010 0999")
    assert spaced.json["error"]["field"] == "payment_account_number"
    saved = patch(
        payment_bank_bin=" 970405 ",
        payment_account_number="3600201009999",
        payment_account_name="TRUNG TAM PHUC VU HCC TINH NGHE AN",
        payment_bank_name="Agribank chi nhánh Nghệ An",
    )
    assert saved.status_code == 200, saved.json
    assert (saved.json["payment_bank_bin"], saved.json["payment_account_number"]) == (
        "970405",
        "3600201009999",
    )
    cleared = patch(payment_bank_bin="", payment_account_number="")
    assert cleared.status_code == 200
    assert cleared.json["payment_bank_bin"] is None and cleared.json["payment_account_number"] is None


def test_an_admin_opens_a_site_and_sets_it_up(admin):
    created = admin.post(
        "/api/v1/admin/sites",
        json={"code": "NA-HUNGDUNG", "name": "Trung tâm phường Hưng Dũng", "kind": "commune_centre"},
    )
    assert created.status_code == 201, created.json
    assert created.json["timezone"] == "Asia/Ho_Chi_Minh" and created.json["opening_hours"] == []
    assert "{number}" in created.json["call_template"]
    again = admin.post("/api/v1/admin/sites", json={"code": "NA-HUNGDUNG", "name": "Lần hai"})
    assert again.status_code == 409
    base = "/api/v1/admin/sites/NA-HUNGDUNG"
    assert admin.post(f"{base}/departments", json={"code": "UBND", "name": "UBND phường"}).status_code == 201
    service = admin.post(
        f"{base}/services", json={"code": "HT", "name": "Hộ tịch", "department": "UBND", "prefix": "a"}
    )
    assert service.status_code == 201 and service.json["prefix"] == "A"
    counter = admin.post(f"{base}/counters", json={"number": 1, "name": "Quầy 1"}).json
    rule = admin.post(
        f"/api/v1/admin/counters/{counter['id']}/schedules", json={"department": "UBND", "weekdays": "531"}
    )
    assert rule.status_code == 201 and rule.json["weekdays"] == "135"
    monday = date(2026, 11, 23)
    rota = admin.get(f"{base}/rota?from={monday}&days=3").json
    assert [cell for cell in rota["counters"][0]["days"]] == [
        [{"kind": "department", "code": "UBND", "name": "UBND phường", "name_en": None}],
        [],
        [{"kind": "department", "code": "UBND", "name": "UBND phường", "name_en": None}],
    ]
    assert [s["code"] for s in admin.get("/api/v1/admin/sites").json] == [
        "NA-BC-VINH",
        "NA-HCC",
        "NA-HUNGDUNG",
        "NA-TRUONGVINH",
    ]


def test_overlapping_number_ranges_and_codes_used_twice_are_refused(supervisor):
    services = "/api/v1/admin/sites/NA-HCC/services"
    overlap = supervisor.post(services, json={**SERVICE, "number_start": 1450, "number_end": 1550})
    assert overlap.status_code == 409
    assert (
        overlap.json["error"]["code"] == "numbering_overlap"
        and overlap.json["error"]["field"] == "number_start"
    )
    assert "TP-LLTP" in overlap.json["error"]["message"]
    unbounded = supervisor.post(services, json={**SERVICE, "number_start": 9000, "number_end": None})
    assert unbounded.status_code == 201  # nothing above 9000 yet
    below = supervisor.post(
        services, json={**SERVICE, "code": "X2", "number_start": 8000, "number_end": 9100}
    )
    assert below.status_code == 409
    capped = supervisor.post(
        services, json={**SERVICE, "code": "X3", "number_start": 8000, "number_end": None, "daily_max": 100}
    )
    assert capped.status_code == 201  # 8000-8099
    same_prefix = supervisor.post(
        services, json={**SERVICE, "code": "X4", "number_start": None, "number_end": None, "prefix": "k"}
    )
    assert same_prefix.status_code == 409 and same_prefix.json["error"]["field"] == "prefix"
    both = supervisor.post(services, json={**SERVICE, "code": "X5", "prefix": "Q"})
    assert both.status_code == 400 and both.json["error"]["code"] == "invalid_numbering"
    neither = supervisor.post(
        services, json={**SERVICE, "code": "X5", "number_start": None, "number_end": None}
    )
    assert neither.status_code == 400
    same_code = supervisor.post(services, json={**SERVICE, "code": "TP-LLTP", "number_start": 9500})
    assert same_code.status_code == 409 and same_code.json["error"]["code"] == "service_code_taken"
    unknown = supervisor.post(
        services, json={**SERVICE, "code": "X6", "number_start": 9700, "department": "NOPE"}
    )
    assert unknown.status_code == 400 and unknown.json["error"]["field"] == "department"

    counters = "/api/v1/admin/sites/NA-HCC/counters"
    taken = supervisor.post(counters, json={"number": 8, "name": "Quầy tám bis"})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "counter_number_taken"
    counter_9 = counter_of(supervisor, 9)
    renumbered = supervisor.patch(f"/api/v1/admin/counters/{counter_9['id']}", json={"number": 8})
    assert renumbered.status_code == 409

    departments = "/api/v1/admin/sites/NA-HCC/departments"
    assert supervisor.post(departments, json={"code": "STP", "name": "Hai lần"}).status_code == 409


def test_a_service_is_edited_and_its_range_checked_against_the_others(app, supervisor):
    url = f"/api/v1/admin/services/{service_id(app, 'TP-QT')}"
    changed = supervisor.patch(
        url, json={"name": "Quốc tịch", "daily_max": 50, "default_service_seconds": 600}
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["name"] == "Quốc tịch" and changed.json["number_start"] == 1501
    assert supervisor.patch(url, json={"number_start": 1001}).status_code == 409
    assert supervisor.patch(url, json={"number_end": 1400}).json["error"]["field"] == "number_end"
    to_prefix = supervisor.patch(url, json={"prefix": "Q", "number_start": None, "number_end": None})
    assert to_prefix.status_code == 200 and to_prefix.json["prefix"] == "Q"
    moved = supervisor.patch(url, json={"department": "SXD"})
    assert moved.json["department"] == "SXD" and moved.json["department_name"] == "Sở Xây dựng"
    assert supervisor.patch(url, json={"name": ""}).status_code == 422


def test_a_service_gets_its_kiosk_icon_from_the_built_in_set_or_none(app, supervisor, kiosk):
    url = f"/api/v1/admin/services/{service_id(app, 'TP-QT')}"
    assert supervisor.patch(url, json={"icon": "stamp"}).json["icon"] == "stamp"
    listed = {s["code"]: s["icon"] for s in kiosk.get("/api/v1/sites/NA-HCC/services").json}
    assert listed["TP-QT"] == "stamp" and listed["TP-LLTP"] == "justice"
    unknown = supervisor.patch(url, json={"icon": "../../etc/passwd"})
    assert unknown.status_code == 422 and "icon" in unknown.json["error"]["fields"]["json"]
    assert supervisor.patch(url, json={"icon": None}).json["icon"] is None
    page = supervisor.get("/admin/services?site=NA-HCC").get_data(as_text=True)
    assert '<option value="stamp">Con dấu (chứng thực)</option>' in page


def test_every_icon_of_the_set_is_drawn():
    from queue_server.sites.icons import ICONS

    from .helpers import ROOT

    drawn = {path.stem for path in (ROOT / "kiosk" / "static" / "icons").glob("*.svg")}
    assert drawn == set(ICONS)
    for name in ICONS:
        svg = (ROOT / "kiosk" / "static" / "icons" / f"{name}.svg").read_text()
        assert svg.startswith("<svg") and 'viewBox="0 0 24 24"' in svg and "<script" not in svg


def test_deleting_what_is_referenced_is_refused_with_a_reason(app, supervisor, kiosk):
    kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    counter_3 = counter_of(supervisor, 3)
    assert supervisor.post(f"/api/v1/counters/{counter_3['id']}/call-next").status_code == 200
    used = supervisor.delete(f"/api/v1/admin/services/{service_id(app, 'NM-DD')}")
    assert used.status_code == 409 and used.json["error"]["code"] == "service_in_use"
    assert "deactivate" in used.json["error"]["message"]
    off = supervisor.patch(f"/api/v1/admin/services/{service_id(app, 'NM-DD')}", json={"active": False})
    assert off.status_code == 200 and off.json["active"] is False
    codes = [s["code"] for s in kiosk.get("/api/v1/sites/NA-HCC/services").json]
    assert "NM-DD" not in codes

    unused = supervisor.delete(f"/api/v1/admin/services/{service_id(app, 'TP-QT')}")
    assert unused.status_code == 204
    departments = supervisor.get("/api/v1/admin/sites/NA-HCC/departments").json
    justice = next(d for d in departments if d["code"] == "STP")
    assert justice["services"] == 1
    in_use = supervisor.delete(f"/api/v1/admin/departments/{justice['id']}")
    assert in_use.status_code == 409 and in_use.json["error"]["code"] == "department_in_use"

    empty = supervisor.post(
        "/api/v1/admin/sites/NA-HCC/departments", json={"code": "SKHCN", "name": "Sở Khoa học và Công nghệ"}
    ).json
    counter_7 = counter_of(supervisor, 7)
    supervisor.post(f"/api/v1/admin/counters/{counter_7['id']}/schedules", json={"department": "SKHCN"})
    assert supervisor.delete(f"/api/v1/admin/departments/{empty['id']}").status_code == 204
    assert [r["department"] for r in counter_of(supervisor, 7)["schedules"]] == ["SCT"]

    served = supervisor.delete(f"/api/v1/admin/counters/{counter_3['id']}")
    assert served.status_code == 409 and served.json["error"]["code"] == "counter_in_use"
    new = supervisor.post("/api/v1/admin/sites/NA-HCC/counters", json={"number": 13, "name": "Quầy 13"}).json
    device = supervisor.post(
        "/api/v1/sites/NA-HCC/devices", json={"kind": "counter", "name": "Bàn phím 13", "counter": 13}
    ).json
    assert (
        supervisor.delete(f"/api/v1/admin/counters/{new['id']}").json["error"]["code"]
        == "counter_has_devices"
    )
    supervisor.post(f"/api/v1/devices/{device['id']}/revoke")
    assert supervisor.delete(f"/api/v1/admin/counters/{new['id']}").status_code == 204


def rota_on(client, day, days=1):
    return client.get(f"/api/v1/admin/sites/NA-HCC/rota?from={day}&days={days}").json


def served_by(rota, number, index=0):
    row = next(c for c in rota["counters"] if c["number"] == number)
    return [entry["code"] for entry in row["days"][index]]


@both_databases
def test_a_merged_counter_follows_its_rotation_and_its_schedule_changes_the_rota(supervisor):
    counter_8 = counter_of(supervisor, 8)
    monday = date(2026, 11, 23)  # week 2 of the demo's rotation anchored on 29/12/2025

    def counter_8_on(day):
        return served_by(rota_on(supervisor, day), 8)

    assert counter_8_on(monday) == ["SXD"]
    assert counter_8_on(monday + timedelta(days=7)) == ["STP"]
    rota = rota_on(supervisor, monday, days=14)
    assert [d["rotations"][0]["week"] for d in rota["days"]] == [2] * 7 + [1] * 7
    assert rota["days"][0]["rotations"][0] | {"id": None} == {
        "id": None,
        "name": "Quầy gộp",
        "week": 2,
        "weeks": 2,
    }
    week_2_rule = next(r for r in counter_8["schedules"] if r["rotation_week"] == 2)
    changed = supervisor.patch(f"/api/v1/admin/schedules/{week_2_rule['id']}", json={"service": "XD-GPXD"})
    assert changed.status_code == 200 and changed.json["department"] is None
    assert changed.json["rotation_week"] == 2 and changed.json["rotation_id"] == week_2_rule["rotation_id"]
    assert counter_8_on(monday) == ["XD-GPXD"]
    weekdays_only = supervisor.patch(
        f"/api/v1/admin/schedules/{week_2_rule['id']}", json={"weekdays": "12345"}
    )
    assert weekdays_only.json["weekdays"] == "12345"
    assert counter_8_on(monday + timedelta(days=6)) == []  # the Sunday of that week
    every_week = supervisor.patch(f"/api/v1/admin/schedules/{week_2_rule['id']}", json={"rotation_id": None})
    assert every_week.status_code == 200 and every_week.json["rotation_week"] is None
    assert counter_8_on(monday + timedelta(days=7)) == ["STP", "XD-GPXD"]

    rules = f"/api/v1/admin/counters/{counter_8['id']}/schedules"
    both = supervisor.post(rules, json={"department": "STP", "service": "TP-QT"})
    assert both.status_code == 400 and both.json["error"]["code"] == "invalid_schedule"
    backwards = supervisor.post(
        rules, json={"department": "STP", "valid_from": "2026-12-31", "valid_to": "2026-12-01"}
    )
    assert backwards.status_code == 400 and backwards.json["error"]["field"] == "valid_to"
    assert supervisor.post(rules, json={"department": "STP", "weekdays": "189"}).status_code == 422
    ward_rule = supervisor.post(rules, json={"department": "UBND"})  # the ward's department
    assert ward_rule.status_code == 400 and ward_rule.json["error"]["code"] == "unknown_department"
    assert supervisor.delete(f"/api/v1/admin/schedules/{week_2_rule['id']}").status_code == 204
    assert counter_8_on(monday) == []


@both_databases
def test_rotations_are_created_edited_and_deleted_and_rules_name_a_week_of_them(app, supervisor, admin):
    rotations = "/api/v1/admin/sites/NA-HCC/rotations"
    created = supervisor.post(rotations, json={"name": "Ba tuần", "anchor": "2027-01-06", "weeks": 3})
    assert created.status_code == 201
    rotation = created.json
    assert rotation["anchor"] == "2027-01-04"  # week 1 starts on the Monday of the day given
    assert {r["name"] for r in supervisor.get(rotations).json} == {"Quầy gộp", "Ba tuần"}
    for bad in ({"weeks": 1}, {"weeks": 0}, {"weeks": "two"}, {"anchor": "04/01/2027"}, {"name": " "}):
        refused = supervisor.post(rotations, json={"name": "X", "anchor": "2027-01-04", "weeks": 2} | bad)
        assert refused.status_code == 422 and refused.json["error"]["code"] == "validation_failed", bad
    taken = supervisor.post(rotations, json={"name": "Ba tuần", "anchor": "2027-01-04", "weeks": 2})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "rotation_name_taken"

    rules = f"/api/v1/admin/counters/{counter_of(supervisor, 7)['id']}/schedules"
    rule = supervisor.post(
        rules, json={"department": "STP", "rotation_id": rotation["id"], "rotation_week": 3}
    )
    assert rule.status_code == 201 and rule.json["rotation_week"] == 3
    assert served_by(rota_on(supervisor, date(2027, 1, 18)), 7) == ["SCT", "STP"]  # week 3
    assert served_by(rota_on(supervisor, date(2027, 1, 25)), 7) == ["SCT"]  # week 1 again
    assert served_by(rota_on(supervisor, date(2026, 12, 28)), 7) == ["SCT", "STP"]  # the week before: 3
    for body, code, field in (
        ({"rotation_week": 4}, "rotation_week_out_of_range", "rotation_week"),
        ({"rotation_id": 9999}, "unknown_rotation", "rotation_id"),
        ({"rotation_id": None, "rotation_week": 2}, "invalid_rotation_week", "rotation_week"),
    ):
        base = {"department": "SXD", "rotation_id": rotation["id"], "rotation_week": 1}
        refused = supervisor.post(rules, json=base | body)
        assert refused.status_code == 400, body
        assert refused.json["error"]["code"] == code and refused.json["error"]["field"] == field
    assert supervisor.post(rules, json={"department": "SXD", "rotation_week": 0}).status_code == 422
    ward = admin.post(
        "/api/v1/admin/sites/NA-TRUONGVINH/rotations",
        json={"name": "Phường", "anchor": "2027-01-04", "weeks": 2},
    ).json
    foreign = supervisor.post(
        rules, json={"department": "SXD", "rotation_id": ward["id"], "rotation_week": 1}
    )
    assert foreign.status_code == 400 and foreign.json["error"]["code"] == "unknown_rotation"
    assert supervisor.patch(f"/api/v1/admin/rotations/{ward['id']}", json={"weeks": 3}).status_code == 403
    assert supervisor.delete(f"/api/v1/admin/rotations/{ward['id']}").status_code == 403

    url = f"/api/v1/admin/rotations/{rotation['id']}"
    shorter = supervisor.patch(url, json={"weeks": 2})
    assert shorter.status_code == 409 and shorter.json["error"]["code"] == "rotation_week_in_use"
    moved = supervisor.patch(url, json={"anchor": "2027-01-11", "weeks": 4, "name": "Bốn tuần"})
    assert moved.status_code == 200 and moved.json | {"id": 0, "week_now": 0} == {
        "id": 0,
        "name": "Bốn tuần",
        "anchor": "2027-01-11",
        "weeks": 4,
        "week_now": 0,
    }
    assert served_by(rota_on(supervisor, date(2027, 1, 25)), 7) == ["SCT", "STP"]  # now week 3
    in_use = supervisor.delete(url)
    assert in_use.status_code == 409 and in_use.json["error"]["code"] == "rotation_in_use"
    assert supervisor.delete(f"/api/v1/admin/schedules/{rule.json['id']}").status_code == 204
    assert supervisor.delete(url).status_code == 204
    assert supervisor.patch(url, json={"weeks": 3}).status_code == 404
    officer = login(app.test_client(), "officer1")
    assert officer.get(rotations).status_code == 403
    assert officer.post(rotations, json={"name": "X", "anchor": "2027-01-04", "weeks": 2}).status_code == 403

    trail = supervisor.get("/api/v1/audit?site=NA-HCC&source=audit").json
    deleted = next(r for r in trail if r["action"] == f"DELETE {url}")
    assert deleted["changes"][0]["table"] == "rotations" and deleted["changes"][0]["op"] == "delete"
    assert deleted["changes"][0]["values"]["name"] == ["Bốn tuần", None]


@both_databases
def test_officers_are_put_on_duty_at_counters_and_the_rota_shows_who_works_where(app, supervisor):
    duties = "/api/v1/admin/sites/NA-HCC/duties"
    demo = supervisor.get(duties).json
    assert [(d["user"], d["counter"], d["rotation_week"]) for d in demo] == [
        ("officer1", 8, 1),
        ("officer2", 8, 2),
        ("officer1", 9, 2),
        ("officer2", 9, 1),
    ]
    created = supervisor.post(duties, json={"counter": 3, "user": "officer2", "weekdays": "135"})
    assert created.status_code == 201
    duty = created.json
    assert duty | {"id": 0} == {
        "id": 0,
        "counter": 3,
        "user": "officer2",
        "full_name": "Lê Thị Mai",
        "weekdays": "135",
        "rotation_id": None,
        "rotation_week": None,
        "valid_from": None,
        "valid_to": None,
    }
    rota = rota_on(supervisor, date(2027, 1, 4), days=2)  # a Monday of week 2, then a Tuesday
    counter_3 = next(c for c in rota["counters"] if c["number"] == 3)
    counter_8 = next(c for c in rota["counters"] if c["number"] == 8)
    assert counter_3["officers"] == [[{"username": "officer2", "full_name": "Lê Thị Mai"}], []]
    assert [[o["username"] for o in day] for day in counter_8["officers"]] == [["officer2"], ["officer2"]]

    for body, status, code, field in (
        ({"user": "officer3"}, 400, "user_not_at_site", "user"),  # the ward's officer
        ({"user": "postal"}, 400, "user_not_at_site", "user"),
        ({"user": "nobody"}, 400, "user_not_at_site", "user"),
        ({"counter": 99}, 400, "unknown_counter", "counter"),
        (
            {"rotation_id": demo[0]["rotation_id"], "rotation_week": 3},
            400,
            "rotation_week_out_of_range",
            None,
        ),
        ({"rotation_week": 1}, 400, "invalid_rotation_week", None),
        ({"valid_from": "2027-02-01", "valid_to": "2027-01-01"}, 400, "invalid_dates", None),
        ({"weekdays": ""}, 422, "validation_failed", None),
    ):
        refused = supervisor.post(duties, json={"counter": 3, "user": "officer1"} | body)
        assert refused.status_code == status, body
        assert refused.json["error"]["code"] == code
        assert field is None or refused.json["error"]["field"] == field
    assert supervisor.post(duties, json={"counter": 3}).status_code == 422

    url = f"/api/v1/admin/duties/{duty['id']}"
    moved = supervisor.patch(url, json={"counter": 4, "user": "officer1"})
    assert moved.status_code == 200 and (moved.json["counter"], moved.json["user"]) == (4, "officer1")
    assert supervisor.patch(url, json={"user": "officer3"}).json["error"]["code"] == "user_not_at_site"
    assert supervisor.delete(url).status_code == 204
    assert supervisor.delete(url).status_code == 404
    officer = login(app.test_client(), "officer1")
    assert officer.get(duties).status_code == 403
    assert officer.delete(f"/api/v1/admin/duties/{demo[0]['id']}").status_code == 403

    trail = supervisor.get("/api/v1/audit?site=NA-HCC&source=audit").json
    added = next(r for r in trail if r["action"] == f"POST {duties}")
    assert added["changes"][0]["table"] == "duties" and added["changes"][0]["values"]["weekdays"] == [
        None,
        "135",
    ]
    assert any(r["action"] == f"DELETE {url}" for r in trail)


@both_databases
def test_the_console_learns_who_is_on_duty_today_and_which_counters_are_the_officers_own(app, officer):
    def on_duty(client, day):
        return client.get(f"/api/v1/sites/NA-HCC/on-duty?date={day}").json

    with app.app_context():
        numbers = select(Counter.number, Counter.id).join(Site).where(Site.code == "NA-HCC")
        ids = dict(db.session.execute(numbers).all())
    week_1, week_2 = date(2026, 12, 28), date(2027, 1, 4)  # across the end of ISO year 2026
    assert on_duty(officer, week_1)["mine"] == [ids[8]]
    assert on_duty(officer, week_2)["mine"] == [ids[9]]
    other = login(app.test_client(), "officer2")
    assert on_duty(other, week_1)["mine"] == [ids[9]] and on_duty(other, week_2)["mine"] == [ids[8]]
    assert on_duty(officer, week_2)["counters"] == [
        {"id": ids[8], "number": 8, "officers": [{"username": "officer2", "full_name": "Lê Thị Mai"}]},
        {"id": ids[9], "number": 9, "officers": [{"username": "officer1", "full_name": "Trần Văn Hùng"}]},
    ]
    assert officer.get("/api/v1/sites/NA-HCC/on-duty").status_code == 200  # today at the site
    assert officer.get("/api/v1/sites/NA-TRUONGVINH/on-duty").status_code == 403
    assert login(app.test_client(), "postal").get("/api/v1/sites/NA-HCC/on-duty").status_code == 403
    assert app.test_client().get("/api/v1/sites/NA-HCC/on-duty").status_code == 401


@both_databases
def test_a_site_is_one_of_the_five_kinds_of_the_two_level_government(admin):
    kinds = ("provincial_centre", "provincial_branch", "commune_centre", "service_point", "post_office")
    for kind in kinds:
        changed = admin.patch("/api/v1/admin/sites/NA-TRUONGVINH", json={"kind": kind})
        assert changed.status_code == 200 and changed.json["kind"] == kind
    refused = admin.patch("/api/v1/admin/sites/NA-TRUONGVINH", json={"kind": "district_unit"})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "validation_failed"
    opened = admin.post(
        "/api/v1/admin/sites",
        json={"code": "NA-CN-DIENCHAU", "name": "Chi nhánh Diễn Châu", "kind": "district"},
    )
    assert opened.status_code == 422
    page = admin.get("/admin/sites?site=NA-HCC", headers={"Accept": "text/html"}).text
    for label in (
        "Trung tâm Phục vụ hành chính công cấp tỉnh",
        "Chi nhánh Trung tâm cấp tỉnh",
        "Trung tâm Phục vụ hành chính công cấp xã",
        "Điểm tiếp nhận",
        "Bưu cục",
    ):
        assert label in page
    assert "huyện" not in page


def test_accounts_supervisors_manage_their_staff_and_only_admins_make_admins(app, supervisor, admin):
    users = "/api/v1/admin/users"
    listed = {u["username"] for u in supervisor.get(users).json}
    assert listed == {"supervisor", "officer1", "officer2"}
    assert {u["username"] for u in admin.get(users).json} >= {"admin", "officer3", "postal"}

    body = {"username": "officer4", "password": "mat-khau-dai", "role": "officer", "sites": ["NA-HCC"]}
    created = supervisor.post(users, json={**body, "full_name": "Võ Thị Hoa"})
    assert created.status_code == 201 and created.json["sites"] == ["NA-HCC"]
    with app.app_context():
        stored = db.session.scalar(select(User).where(User.username == "officer4"))
        assert stored.password_hash != "mat-khau-dai" and stored.password_hash.startswith(
            ("scrypt:", "pbkdf2:")
        )
    assert supervisor.post(users, json=body).status_code == 409
    assert (
        supervisor.post(users, json={**body, "username": "xx1", "role": "admin", "sites": []}).status_code
        == 403
    )
    assert (
        supervisor.post(users, json={**body, "username": "xx2", "sites": ["NA-TRUONGVINH"]}).status_code
        == 403
    )
    assert supervisor.post(users, json={**body, "username": "xx3", "password": "short"}).status_code == 400

    officer3 = next(u for u in admin.get(users).json if u["username"] == "officer3")
    assert supervisor.patch(f"{users}/{officer3['id']}", json={"active": False}).status_code == 404
    admin_id = next(u["id"] for u in admin.get(users).json if u["username"] == "admin")
    assert supervisor.post(f"{users}/{admin_id}/password", json={"password": "x" * 12}).status_code == 404

    new_id = created.json["id"]
    promoted = supervisor.patch(
        f"{users}/{new_id}", json={"role": "supervisor", "full_name": "Võ Thị Hoa (tổ trưởng)"}
    )
    assert promoted.status_code == 200 and promoted.json["role"] == "supervisor"
    assert supervisor.patch(f"{users}/{new_id}", json={"role": "admin"}).status_code == 403
    assert (
        supervisor.patch(f"{users}/{new_id}", json={"sites": ["NA-HCC", "NA-TRUONGVINH"]}).status_code == 403
    )
    assert admin.patch(f"{users}/{new_id}", json={"sites": ["NA-HCC", "NA-TRUONGVINH"]}).status_code == 200
    assert supervisor.patch(f"{users}/{new_id}", json={"active": False}).status_code == 404  # shared now

    own_id = next(u["id"] for u in supervisor.get(users).json if u["username"] == "supervisor")
    own = supervisor.patch(f"{users}/{own_id}", json={"active": False})
    assert own.status_code == 409 and own.json["error"]["code"] == "own_account"

    officer1_id = next(u["id"] for u in supervisor.get(users).json if u["username"] == "officer1")
    signed_in = login(app.test_client(), "officer1")
    assert (
        supervisor.post(f"{users}/{officer1_id}/password", json={"password": "mat-khau-moi-1"}).status_code
        == 204
    )
    assert (
        app.test_client()
        .post("/api/v1/auth/login", json={"username": "officer1", "password": "officer-demo"})
        .status_code
        == 401
    )
    login(app.test_client(), "officer1", "mat-khau-moi-1")
    assert supervisor.patch(f"{users}/{officer1_id}", json={"active": False}).json["active"] is False
    assert signed_in.get("/api/v1/auth/me").status_code == 401  # at once, not at the next login


def test_a_revoked_device_token_is_refused_at_its_very_next_request(app, supervisor):
    devices = "/api/v1/sites/NA-HCC/devices"
    needs_counter = supervisor.post(devices, json={"kind": "rating", "name": "Máy tính bảng"})
    assert needs_counter.status_code == 400 and needs_counter.json["error"]["field"] == "counter"
    assert supervisor.post(devices, json={"kind": "rating", "name": "M", "counter": 99}).status_code == 404
    assert supervisor.post(devices, json={"kind": "toaster", "name": "M"}).status_code == 422
    issued = supervisor.post(devices, json={"kind": "rating", "name": "Máy đánh giá quầy 5", "counter": 5})
    assert issued.status_code == 201 and issued.json["counter"] == 5
    token = issued.json["token"]
    assert token.startswith("rating_")
    listed = supervisor.get(devices).json
    assert token not in str(listed) and any(d["id"] == issued.json["id"] for d in listed)
    device = app.test_client()
    device.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert device.get("/api/v1/devices/me").status_code == 200
    revoked = supervisor.post(f"/api/v1/devices/{issued.json['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json["revoked"] is True and revoked.json["counter"] == 5
    refused = device.get("/api/v1/devices/me")
    assert refused.status_code == 401 and refused.json["error"]["code"] == "invalid_token"
    ward = login(app.test_client(), "officer3")
    assert ward.post(f"/api/v1/devices/{issued.json['id']}/revoke").status_code == 403
    assert (
        supervisor.post(
            "/api/v1/sites/NA-TRUONGVINH/devices", json={"kind": "kiosk", "name": "K"}
        ).status_code
        == 403
    )
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("%/devices%"))).all()
        assert entries and token not in str([e.changes for e in entries])


def test_changes_are_in_the_site_audit_trail_with_before_and_after(supervisor, admin):
    counter_8 = counter_of(supervisor, 8)
    rule = counter_8["schedules"][0]
    supervisor.patch(f"/api/v1/admin/schedules/{rule['id']}", json={"weekdays": "135"})
    officer2 = next(u for u in supervisor.get("/api/v1/admin/users").json if u["username"] == "officer2")
    admin.patch(f"/api/v1/admin/users/{officer2['id']}", json={"sites": ["NA-HCC", "NA-TRUONGVINH"]})
    rows = supervisor.get("/api/v1/audit?site=NA-HCC&source=audit").json
    schedule = next(r for r in rows if r["action"] == f"PATCH /api/v1/admin/schedules/{rule['id']}")
    assert schedule["actor"] == "Nguyễn Thị Lan"
    assert schedule["changes"][0]["values"]["weekdays"] == ["1234567", "135"]
    user = next(r for r in rows if r["action"] == f"PATCH /api/v1/admin/users/{officer2['id']}")
    assert user["changes"][0]["values"]["sites"] == [["NA-HCC"], ["NA-HCC", "NA-TRUONGVINH"]]


def test_the_administration_api_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    for path in (
        "/api/v1/admin/sites",
        "/api/v1/admin/sites/{site_code}/rota",
        "/api/v1/admin/services/{service_id}",
        "/api/v1/admin/counters/{counter_id}/schedules",
        "/api/v1/admin/sites/{site_code}/rotations",
        "/api/v1/admin/rotations/{rotation_id}",
        "/api/v1/admin/sites/{site_code}/duties",
        "/api/v1/admin/duties/{duty_id}",
        "/api/v1/sites/{site_code}/on-duty",
        "/api/v1/admin/users/{user_id}/password",
        "/api/v1/devices/{device_id}/revoke",
    ):
        assert path in document["paths"], path
    changes = document["components"]["schemas"]["ServiceChanges"]
    assert "required" not in changes and "number_start" in changes["properties"]
