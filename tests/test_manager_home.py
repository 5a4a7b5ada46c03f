"""The managers' home: who lands where after logging in, each alert when (and only when) its
condition holds, with a link that leads somewhere, and the page at the office and on a phone."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from queue_server.auth.models import DeviceToken, User
from queue_server.auth.services import issue_device_token
from queue_server.database import db, utcnow
from queue_server.dossiers import lifecycle
from queue_server.sites import staffing
from queue_server.sites.calendar import business_date, local_now
from queue_server.sites.models import Counter, CounterState, OpeningHours, Service, Site
from queue_server.sites.routing import site_routing

from .browser import OFFICE, PHONE, check_accessibility, screenshot
from .helpers import login, officer, site
from .report_data import add_ticket

CALM = "Không có gì cần xử lý lúc này."


def alerts_of(client, query="") -> dict[str, str]:
    """The alerts on the home page, by kind: their text and link."""
    page = client.get(f"/manage{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    found = re.findall(
        r'data-alert="([a-z_]+)">\s*<span class="manage-alert-text">([^<]*)</span>\s*<a href="([^"]+)"', html
    )
    return {kind: (text, link.replace("&amp;", "&")) for kind, text, link in found}


def opening(session, always: bool) -> None:
    """NA-HCC open round the clock every day, or never: the counters' alerts hold only while
    the centre is open."""
    centre = site(session)
    centre.opening_hours.clear()
    if always:
        centre.opening_hours.extend(
            OpeningHours(weekday=day, opens=time(0, 0), closes=time(23, 59, 59)) for day in range(7)
        )


def staffed(session) -> list[Counter]:
    """Every counter of NA-HCC open with an officer: no counter alert. Returns those that
    serve something today (by the routing), in order."""
    centre = site(session)
    someone = session.scalar(select(User.id).where(User.username == "officer1"))
    counters = session.scalars(
        select(Counter).where(Counter.site_id == centre.id).order_by(Counter.number)
    ).all()
    for counter in counters:
        counter.state = CounterState.OPEN
        staffing.sign_on(counter, someone, business_date(centre, utcnow()))
    routing = site_routing(session, centre.id, business_date(centre, utcnow()))
    return [counter for counter in counters if routing.get(counter.id)]


@pytest.fixture
def calm(app):
    """NA-HCC open, every counter staffed, nothing waiting, no dossier, no printer fault."""
    with app.app_context():
        opening(db.session, always=True)
        staffed(db.session)
        db.session.commit()


# -- who lands where ---------------------------------------------------------------------------------


def test_officers_land_at_the_counter_chooser_and_managers_on_their_home(app):
    officer_client = app.test_client()
    me = officer_client.post("/api/v1/auth/login", json={"username": "officer1", "password": "officer-demo"})
    assert me.json["home"] is None
    assert officer_client.get("/console").status_code == 200
    # The managers' home is not an officer's: back to the console.
    assert officer_client.get("/manage").headers["Location"] == "/console"

    supervisor = app.test_client()
    me = supervisor.post("/api/v1/auth/login", json={"username": "supervisor", "password": "giam-sat-demo"})
    assert me.json["home"] == "/manage"
    assert supervisor.get("/console").headers["Location"] == "/manage"
    assert supervisor.get("/console?choose=1").status_code == 200  # serving at a counter himself
    home = supervisor.get("/manage").get_data(as_text=True)
    assert "Trang chủ · Trung tâm Phục vụ hành chính công tỉnh Nghệ An" in home
    assert 'id="site-switch"' not in home  # his one site: nothing to switch

    admin = login(app.test_client(), "admin")
    assert admin.get("/api/v1/auth/me").json["home"] == "/manage"
    home = admin.get("/manage").get_data(as_text=True)
    # The first one-stop centre, not the post office that sorts first by code.
    assert "Trang chủ · Trung tâm Phục vụ hành chính công tỉnh Nghệ An" in home
    switch = re.search(r'<select id="site-switch" name="site">(.*?)</select>', home, re.S).group(1)
    codes = re.findall(r'<option value="([^"]+)"', switch)
    assert codes[0] == "NA-HCC" and len(codes) >= 3
    chosen = admin.get(f"/manage?site={codes[1]}").get_data(as_text=True)
    assert f'<option value="{codes[1]}" selected>' in chosen
    # A console without sites of its own (an admin's) starts at the provincial centre too.
    assert app.test_client().get("/api/v1/sites").json[0]["code"] == "NA-HCC"

    assert app.test_client().get("/manage").headers["Location"] == "/console?next=/manage"


def test_a_supervisor_sees_only_his_sites(app):
    supervisor = login(app.test_client(), "supervisor")
    with app.app_context():
        others = [code for code in db.session.scalars(select(Site.code)) if code != "NA-HCC"]
    for code in others:
        page = supervisor.get(f"/manage?site={code}")
        assert page.status_code == 403 and "Không có quyền truy cập" in page.get_data(as_text=True)


# -- the alerts --------------------------------------------------------------------------------------


def test_a_calm_centre_has_no_alert_and_every_way_from_the_home_leads_somewhere(app, calm):
    supervisor = login(app.test_client(), "supervisor")
    assert alerts_of(supervisor) == {}
    html = supervisor.get("/manage").get_data(as_text=True)
    assert CALM in html
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', main)]
    assert links == [
        "/reports/live/NA-HCC",
        "/reports?site=NA-HCC",
        "/console/dossiers?site=NA-HCC",
        "/console/bookings?site=NA-HCC",
        "/reports/province?site=NA-HCC",
        "/admin?site=NA-HCC",
        "/console?choose=1",
    ]
    for link in links:
        assert supervisor.get(link).status_code == 200, link


def test_dossiers_overdue_and_due_soon_are_counted_with_a_link_to_the_filtered_list(app, calm):
    supervisor = login(app.test_client(), "supervisor")
    with app.app_context():
        centre = site(db.session)
        procedure = lifecycle.get_procedure(db.session, centre, "1.000775")  # 8 working hours
        for days_ago in (10, 12):
            lifecycle.receive(
                db.session,
                centre,
                centre,
                procedure,
                officer(db.session),
                {"applicant": {"name": "Trần Văn Bình"}, "received_at": utcnow() - timedelta(days=days_ago)},
            )
        db.session.commit()
    found = alerts_of(supervisor)
    assert set(found) == {"dossiers_overdue"}
    text, link = found["dossiers_overdue"]
    assert text == "2 hồ sơ đã quá hạn."
    assert link == "/console/dossiers?site=NA-HCC&flag=overdue"
    assert supervisor.get(link).status_code == 200
    assert len(supervisor.get("/api/v1/dossiers?site=NA-HCC&flag=overdue").json) == 2

    with app.app_context():
        lifecycle.receive(
            db.session,
            site(db.session),
            site(db.session),
            lifecycle.get_procedure(db.session, site(db.session), "1.001756"),
            officer(db.session),
            {"applicant": {"name": "Lê Thị Hoa"}},
        )
        db.session.commit()
    assert "dossiers_due_soon" not in alerts_of(supervisor)  # days away
    app.config["DOSSIER_DUE_SOON_HOURS"] = 10_000  # every open dossier is now within the window
    text, link = alerts_of(supervisor)["dossiers_due_soon"]
    assert text == "1 hồ sơ sắp đến hạn." and link.endswith("flag=due_soon")


def test_a_printer_with_a_fault_is_named_with_a_link_to_the_devices(app, calm):
    supervisor = login(app.test_client(), "supervisor")
    with app.app_context():
        device, _ = issue_device_token(db.session, "kiosk", "NA-HCC", "Ki-ốt sảnh A")
        device.health = {"printer": "ok"}
        db.session.commit()
        device_id = device.id
    assert alerts_of(supervisor) == {}
    with app.app_context():
        db.session.get(DeviceToken, device_id).health = {"printer": "paper_out"}
        db.session.commit()
    text, link = alerts_of(supervisor)["printer"]
    assert text == "Máy in của Ki-ốt sảnh A hết giấy: phiếu và giấy biên nhận đang phải chờ."
    assert link == "/admin/devices?site=NA-HCC" and supervisor.get(link).status_code == 200
    with app.app_context():
        db.session.get(DeviceToken, device_id).revoked_at = utcnow()  # a revoked device is gone
        db.session.commit()
    assert alerts_of(supervisor) == {}


def test_counters_scheduled_today_but_closed_or_unstaffed_while_open(app, calm):
    supervisor = login(app.test_client(), "supervisor")
    with app.app_context():
        serving = staffed(db.session)
        closed, idle = serving[0], serving[1]
        closed.state = CounterState.CLOSED
        staffing.sign_off(idle)
        db.session.commit()
        numbers = closed.number, idle.number
    found = alerts_of(supervisor)
    assert set(found) == {"counters_closed", "counters_no_officer"}
    assert found["counters_closed"][0] == f"Quầy {numbers[0]} đang đóng dù có lịch phục vụ hôm nay."
    assert found["counters_no_officer"][0] == f"Quầy {numbers[1]} đang mở nhưng chưa có cán bộ gọi số."
    link = found["counters_closed"][1]
    assert link == "/reports/live/NA-HCC" and supervisor.get(link).status_code == 200
    with app.app_context():
        opening(db.session, always=False)  # outside opening hours nobody need be there
        db.session.commit()
    assert alerts_of(supervisor) == {}


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_tickets_waiting_longer_than_the_setting_per_service(app, calm):
    supervisor = login(app.test_client(), "supervisor")
    with app.app_context():
        centre = site(db.session)
        if local_now(centre, utcnow()).hour < 1:
            pytest.skip("a ticket 45 minutes old would be yesterday's")
        service = db.session.scalar(select(Service).where(Service.code == "NM-DD"))
        now = utcnow()
        add_ticket(db.session, centre, service, now - timedelta(minutes=45), "waiting")
        add_ticket(db.session, centre, service, now - timedelta(minutes=35), "transferred")
        add_ticket(db.session, centre, service, now - timedelta(minutes=10), "waiting")  # not yet long
        add_ticket(db.session, centre, service, now - timedelta(minutes=50), "done")  # served
        db.session.commit()
        name = service.name
    text, link = alerts_of(supervisor)["long_wait"]
    assert text == f"{name}: 2 người đã chờ quá 30 phút, lâu nhất 45 phút."
    assert link == "/reports/live/NA-HCC"
    app.config["LONG_WAIT_MINUTES"] = 60
    assert "long_wait" not in alerts_of(supervisor)


# -- the page in a browser ---------------------------------------------------------------------------


def test_the_home_reads_well_at_the_office_and_on_a_phone(app, server, contexts):
    with app.app_context():
        opening(db.session, always=True)
        serving = staffed(db.session)
        serving[0].state = CounterState.CLOSED
        device, _ = issue_device_token(db.session, "kiosk", "NA-HCC", "Ki-ốt sảnh A")
        device.health = {"printer": "cover_open"}
        db.session.commit()
    for size, viewport in (("768p", OFFICE), ("phone", PHONE)):
        page = contexts(viewport=viewport)
        page.goto(f"{server.url}/console")
        page.fill("#username", "supervisor")
        page.fill("#password", "giam-sat-demo")
        page.click("#login-form button[type=submit]")
        page.wait_for_url(re.compile(r"/manage$"))
        alerts = page.locator("[data-alert]")
        assert alerts.count() == 2
        assert alerts.nth(0).inner_text().startswith("Máy in của Ki-ốt sảnh A mở nắp")
        assert "đang đóng dù có lịch phục vụ hôm nay" in page.inner_text("#alerts")
        for name in ("Giám sát trực tiếp", "Báo cáo", "Quản trị", "Làm việc tại quầy"):
            assert page.get_by_role("link", name=re.compile(name)).first.is_visible()
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the page scrolls sideways at {size}: {width}"
        check_accessibility(page)
        screenshot(page, f"manager-home-{size}")
    page.get_by_role("link", name=re.compile("Xem thiết bị")).click()
    page.wait_for_url(re.compile(r"/admin/devices\?site=NA-HCC"))


def test_an_admin_lands_on_the_provincial_centre_and_switches_site_on_a_phone(server, contexts):
    page = contexts(viewport=PHONE)
    page.goto(f"{server.url}/console")
    page.fill("#username", "admin")
    page.fill("#password", "quan-tri-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))
    assert page.input_value("#site-switch") == "NA-HCC"
    other = page.eval_on_selector("#site-switch", "s => s.options[1].value")
    page.select_option("#site-switch", other)
    page.get_by_role("button", name="Chọn").click()
    page.wait_for_url(re.compile(rf"/manage\?site={other}$"))
    assert page.input_value("#site-switch") == other
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    check_accessibility(page)
    screenshot(page, "manager-home-admin-phone")
