"""Notifications written in the transaction of the change that causes them (notify/outbox.py),
their wording (notify/templates.py), the opt-out page, and what staff see of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from queue_server.booking.models import Booking
from queue_server.database import db, utcnow
from queue_server.dossiers.models import Dossier
from queue_server.errors import ApiError
from queue_server.events import publish_after_commit
from queue_server.notify import operations, templates
from queue_server.notify.models import (
    MessageTemplate,
    Notification,
    NotificationStatus,
    Subscription,
)
from queue_server.queueing import operations as queueing
from queue_server.queueing.models import Ticket
from queue_server.sites.models import Service

from .browser import OFFICE, PHONE, assert_fits, check_accessibility, screenshot, signed_in_page
from .helpers import (
    BOTH_DATABASES,
    act,
    counter,
    enable_channels,
    intake,
    issue,
    login,
    site,
    staff,
    staff_session,
    statements_sent,
    take_in_over_http,
)
from .helpers import officer as actor

EMAIL = "hoa.nguyen@example.vn"


def enable(session, *channels, code="NA-HCC") -> None:
    enable_channels(session, *channels, code=code)


def subscribe_ticket(session, ticket: dict, *, channel="email", address=EMAIL, near=None) -> Subscription:
    subscription = operations.subscribe(
        session,
        site_id=site(session).id,
        channel=channel,
        address=address,
        via="kiosk",
        at=utcnow(),
        ticket_id=ticket["id"],
        near_turn_ahead=near,
    )
    session.commit()
    return subscription


def rows(session, **where) -> list[Notification]:
    session.expire_all()
    statement = select(Notification).filter_by(**where).order_by(Notification.id)
    return list(session.scalars(statement))


def events(session, **where) -> list[str]:
    return [row.event for row in rows(session, **where)]


def test_a_ticket_is_told_it_was_issued_near_its_turn_once_and_called(app, session, kiosk, officer):
    enable(session, "email")
    first, second, third = issue(kiosk), issue(kiosk), issue(kiosk)
    subscription = subscribe_ticket(session, third, near=1)
    assert events(session, ticket_id=third["id"]) == ["ticket.issued"]
    issued = rows(session)[0]
    assert issued.recipient == EMAIL and issued.status == NotificationStatus.PENDING
    assert third["number"] in issued.body and "Ông/Bà" in issued.body
    assert f"/n/{subscription.token}" in issued.body  # every message carries its opt-out link
    assert f"/t/{third['track_url'].rsplit('/', 1)[1]}" in issued.body

    assert officer.post("/api/v1/counters/3/call-next").get_json()["ticket"]["id"] == first["id"]
    assert events(session, ticket_id=third["id"]) == ["ticket.issued", "ticket.near_turn"]
    near = rows(session, event="ticket.near_turn")[0]
    assert "còn 1 người" in near.body and near.key == f"ticket.near_turn:{third['id']}:{subscription.id}"

    assert officer.post(f"/api/v1/tickets/{first['id']}/finish").status_code == 200
    assert officer.post("/api/v1/counters/3/call-next").get_json()["ticket"]["id"] == second["id"]
    assert events(session, ticket_id=third["id"]) == ["ticket.issued", "ticket.near_turn"]  # once

    assert officer.post(f"/api/v1/tickets/{second['id']}/finish").status_code == 200
    assert officer.post("/api/v1/counters/3/call-next").get_json()["ticket"]["id"] == third["id"]
    assert events(session, ticket_id=third["id"]) == ["ticket.issued", "ticket.near_turn", "ticket.called"]
    assert "quầy 3" in rows(session, event="ticket.called")[0].body
    assert rows(session, ticket_id=first["id"]) == []  # nobody asked about the first


def test_nothing_is_written_for_an_opted_out_subscription_or_a_channel_the_site_has_off(
    app, session, kiosk, officer
):
    enable(session, "email")
    ticket = issue(kiosk)
    subscription = subscribe_ticket(session, ticket)
    assert operations.opt_out(session, subscription, utcnow()) == 1  # the "issued" waiting
    session.commit()
    assert officer.post("/api/v1/counters/3/call-next").get_json()["ticket"]["id"] == ticket["id"]
    assert [(row.event, row.status) for row in rows(session)] == [("ticket.issued", "cancelled")]

    other = issue(kiosk)
    subscribe_ticket(session, other, channel="sms", address="0912 345 678")  # SMS is not on
    assert rows(session, ticket_id=other["id"]) == []


def test_taking_a_number_with_no_subscription_runs_no_query_for_notifications(app, session, kiosk):
    """The issue path is benchmarked: the outbox must cost it nothing."""
    enable(session, "email")
    with statements_sent(db.engine) as sent:
        issue(kiosk)
    assert not [sql for sql, _ in sent if "notif" in sql.lower() or "notify" in sql.lower()]


@BOTH_DATABASES
def test_a_call_looks_for_subscribers_only_where_someone_subscribed_within_the_day(
    app, session, kiosk, officer
):
    """The call path is benchmarked too: the site's row, read with the counter's, says whether
    anyone subscribed to a ticket in the last day (a ticket's life); only then does the outbox
    ask the subscriptions' table."""
    enable(session, "email")
    first, second, third = issue(kiosk), issue(kiosk), issue(kiosk)

    def call() -> tuple[int, list[str]]:
        with statements_sent(db.engine) as sent:
            called = officer.post("/api/v1/counters/3/call-next").get_json()["ticket"]["id"]
        return called, [sql for sql, _ in sent if "notify_subscriptions" in sql]

    assert site(session).ticket_subscribed_at is None
    assert call() == (first["id"], [])

    subscription = subscribe_ticket(session, third)
    session.expire_all()
    assert site(session).ticket_subscribed_at == subscription.created_at
    called, asked = call()
    assert called == second["id"] and asked
    assert events(session, ticket_id=third["id"]) == ["ticket.issued"]
    called, asked = call()
    assert called == third["id"] and asked
    assert events(session, ticket_id=third["id"]) == ["ticket.issued", "ticket.called"]

    # A day later nobody can be waiting with that subscription: no query again.
    site(session).ticket_subscribed_at = utcnow() - timedelta(days=1, minutes=1)
    session.commit()
    issue(kiosk)
    assert call()[1] == []


def test_a_dossier_taken_in_with_consent_is_subscribed_and_told_each_step(app, session, officer):
    enable(session, "email", "sms")
    code = intake(officer, contact_consent=True).get_json()["code"]
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    subscriptions = session.scalars(select(Subscription).where(Subscription.dossier_id == dossier.id)).all()
    assert sorted((s.channel, s.address) for s in subscriptions) == [
        ("email", EMAIL),
        ("sms", "+84912345678"),
    ]
    received = rows(session, dossier_id=dossier.id)
    assert [(row.event, row.channel) for row in received] == [
        ("dossier.received", "email"),
        ("dossier.received", "sms"),
    ]
    assert code in received[0].body and "Ngày hẹn trả kết quả" in received[0].body
    assert received[0].subject == f"Hồ sơ {code} đã được tiếp nhận"
    assert len(received[1].body) < len(received[0].body)  # the SMS default is the short one

    assert (
        act(
            officer, code, "request_supplement", items=["Bản sao sổ hộ khẩu"], reason="Thiếu giấy tờ"
        ).status_code
        == 200
    )
    supplement = rows(session, event="dossier.supplement_requested")
    assert len(supplement) == 2 and "Bản sao sổ hộ khẩu" in supplement[0].body
    assert supplement[0].key.startswith(f"dossier.supplement_requested:{dossier.id}:")  # + its event's id


def test_a_dossier_without_consent_is_not_notified_and_withdrawn_consent_opts_out(app, session, officer):
    enable(session, "email")
    code = intake(officer).get_json()["code"]
    assert rows(session) == [] and session.scalar(select(func.count()).select_from(Subscription)) == 0

    given = officer.put(
        f"/api/v1/dossiers/{code}/contact-consent", json={"contact_consent": True, "via": "in_person"}
    )
    assert given.status_code == 200, given.get_json()
    subscription = session.scalars(select(Subscription)).one()
    assert subscription.channel == "email" and subscription.opted_out_at is None
    assert (
        act(officer, code, "refuse", reason="Không thuộc thẩm quyền", rules_reference="Điều 9").status_code
        == 200
    )
    assert events(session) == ["dossier.refused"]

    withdrawn = officer.put(
        f"/api/v1/dossiers/{code}/contact-consent", json={"contact_consent": False, "via": "in_person"}
    )
    assert withdrawn.status_code == 200
    session.expire_all()
    assert session.get(Subscription, subscription.id).opted_out_at is not None
    assert [row.status for row in rows(session)] == [NotificationStatus.CANCELLED]


@BOTH_DATABASES
def test_a_notification_commits_with_its_change_and_a_rollback_leaves_neither(app, session, kiosk):
    enable(session, "email")
    ticket = issue(kiosk)
    subscribe_ticket(session, ticket, near=5)
    before = len(rows(session))
    counter_call = session.scalar(select(Ticket).where(Ticket.id == ticket["id"]))

    staff(session, [3])
    queueing.call_next(session, counter(session, 3), actor(session), utcnow())
    session.rollback()
    session.expire_all()
    assert session.get(Ticket, counter_call.id).status == "waiting"
    assert len(rows(session)) == before  # the call is undone, and so is its message

    queueing.call_next(session, counter(session, 3), actor(session), utcnow())
    session.commit()
    assert session.get(Ticket, counter_call.id).status == "called"
    assert events(session, ticket_id=ticket["id"])[-1] == "ticket.called"


def test_a_repeated_event_is_written_once_and_does_not_fail_the_citizens_transaction(app, session, officer):
    enable(session, "email")
    code = intake(officer, contact_consent=True).get_json()["code"]
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    dossier.note = "Gọi lại cho người nộp"
    # The same change announced again (a retried request, a replayed event): the same key.
    publish_after_commit(
        session,
        "dossier.changed",
        {"site": "NA-HCC", "code": code, "status": "received", "action": "receive"},
    )
    session.commit()
    assert events(session) == ["dossier.received"]
    assert session.get(Dossier, dossier.id).note == "Gọi lại cho người nộp"


def test_a_sites_own_wording_is_used_and_a_broken_one_falls_back_to_the_default(app, session, kiosk):
    enable(session, "email")
    centre = site(session)
    session.add(
        MessageTemplate(
            site_id=centre.id,
            event="ticket.issued",
            channel="email",
            language="vi",
            subject="Số {number}",
            body="Kính chào ông/bà, số của ông/bà là {number}.",
            updated_at=utcnow(),
        )
    )
    session.commit()
    subscribe_ticket(session, ticket := issue(kiosk))
    own = rows(session)[-1]
    assert own.subject == f"Số {ticket['number']}"
    assert own.body.startswith(f"Kính chào ông/bà, số của ông/bà là {ticket['number']}.")
    assert "/n/" in own.body  # the opt-out link is added to a site's wording too

    template = session.scalars(select(MessageTemplate)).one()
    template.body = "Số {numbr} {"  # saved past the check somehow: never a lost message
    session.commit()
    subscribe_ticket(session, second := issue(kiosk))
    assert rows(session)[-1].body.startswith(f"Ông/Bà đã lấy số {second['number']}")


def test_check_template_refuses_unknown_placeholders_and_unclosed_braces():
    assert templates.check_template("dossier.received", "Hồ sơ {code}: hẹn {due}. {link}")
    with pytest.raises(ApiError) as unknown:
        templates.check_template("dossier.received", "Số {number}")
    assert unknown.value.code == "invalid_template" and "{number}" in unknown.value.message
    with pytest.raises(ApiError):
        templates.check_template("ticket.called", "Mời số {number")
    with pytest.raises(ApiError) as event:
        templates.check_template("ticket.lost", "x")
    assert event.value.code == "unknown_event"


def _booking(session, starts_in: timedelta, token="b" * 20, phone="+84912345678") -> Booking:
    centre = site(session)
    service = session.scalar(select(Service).where(Service.site_id == centre.id, Service.code == "NM-DD"))
    now = utcnow()
    booking = Booking(
        token=token,
        site_id=centre.id,
        service_id=service.id,
        day=(now + starts_in).date(),
        starts_at=now + starts_in,
        ends_at=now + starts_in + timedelta(minutes=15),
        name="Nguyễn Thị Hoa",
        phone=phone,
        language="vi",
        created_at=now,
    )
    session.add(booking)
    session.flush()
    return booking


def booking_changed(session, booking: Booking, action: str, consent: bool | None = None) -> None:
    """What booking/ publishes (engineer D's side), committed."""
    payload = {"site": "NA-HCC", "booking_id": booking.id, "action": action}
    if consent is not None:
        payload["consent"] = consent
    publish_after_commit(session, "booking.changed", payload)
    session.commit()


def test_a_booking_with_consent_gets_its_confirmation_and_a_reminder_before_the_slot(app, session):
    enable(session, "sms")
    booking = _booking(session, timedelta(days=1))
    booking_changed(session, booking, "booked", consent=True)
    confirmed, reminder = rows(session, booking_id=booking.id)
    assert (confirmed.event, confirmed.channel, confirmed.recipient) == (
        "booking.confirmed",
        "sms",
        "+84912345678",
    )
    assert "/b/" + booking.token in confirmed.body
    assert reminder.event == "booking.reminder"
    expected = booking.starts_at - timedelta(minutes=app.config["NOTIFY_BOOKING_REMINDER_MINUTES"])
    assert abs((reminder.next_attempt_at - expected).total_seconds()) < 1

    booking.status = "cancelled"
    booking_changed(session, booking, "cancelled")
    assert [(row.event, row.status) for row in rows(session, booking_id=booking.id)] == [
        ("booking.confirmed", "pending"),
        ("booking.reminder", "cancelled"),
        ("booking.cancelled", "pending"),
    ]


def test_a_booking_soon_gets_no_reminder_and_one_without_consent_nothing(app, session):
    enable(session, "sms")
    soon = _booking(session, timedelta(minutes=30))
    booking_changed(session, soon, "booked", consent=True)
    assert events(session, booking_id=soon.id) == ["booking.confirmed"]
    silent = _booking(session, timedelta(days=1), token="c" * 20, phone="+84987654321")
    booking_changed(session, silent, "booked", consent=False)
    assert events(session, booking_id=silent.id) == []
    assert session.scalars(select(Subscription).where(Subscription.booking_id == silent.id)).all() == []


def test_opt_out_page_asks_then_ends_the_subscription(app, session, kiosk):
    enable(session, "email")
    subscription = subscribe_ticket(session, issue(kiosk))
    client = app.test_client()
    page = client.get(f"/n/{subscription.token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "h***@example.vn" in html and EMAIL not in html
    assert "Ngừng nhận thông báo" in html
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    done = client.post(f"/n/{subscription.token}", data={"csrf_token": csrf})
    assert done.status_code == 200
    assert "Ông/Bà sẽ không nhận thêm thông báo" in done.get_data(as_text=True)
    session.expire_all()
    assert session.get(Subscription, subscription.id).opted_out_at is not None
    assert client.get("/n/nothing-here").status_code == 404


def test_the_opt_out_page_works_on_a_phone(app, session, kiosk, server, contexts):
    enable(session, "sms")
    ticket = issue(kiosk)
    subscription = subscribe_ticket(session, ticket, channel="sms", address="0912 345 678")
    page = contexts(viewport=PHONE)
    page.goto(f"{server.url}/n/{subscription.token}")
    assert "+84912***678" in page.inner_text("main") and "0912" not in page.content()
    assert_fits(page)
    check_accessibility(page)
    screenshot(page, "notify-opt-out-phone")
    page.click("button.opt-out-button")
    page.wait_for_selector("[data-status=done]")
    assert "Ông/Bà sẽ không nhận thêm thông báo" in page.inner_text("main")
    assert_fits(page)
    session.expire_all()
    assert session.get(Subscription, subscription.id).opted_out_at is not None


def test_staff_see_the_messages_of_a_dossier_and_a_ticket_with_masked_addresses_only(
    app, session, kiosk, officer
):
    enable(session, "email", "sms")
    code = intake(officer, contact_consent=True).get_json()["code"]
    listed = officer.get(f"/api/v1/dossiers/{code}/notifications")
    assert listed.status_code == 200
    assert [
        (n["event"], n["channel"], n["recipient"], n["status"], n["attempts"]) for n in listed.get_json()
    ] == [
        ("dossier.received", "email", "h***@example.vn", "pending", 0),
        ("dossier.received", "sms", "+84912***678", "pending", 0),
    ]
    # The hidden digits are in no field (a timestamp's microseconds may hold "345" by chance).
    body = listed.get_data(as_text=True)
    assert "hoa.nguyen" not in body and "912345678" not in body
    fields = [value for n in listed.get_json() for key, value in n.items() if not key.endswith("_at")]
    assert not any("345" in str(value) for value in fields)
    assert (
        login(app.test_client(), "officer3").get(f"/api/v1/dossiers/{code}/notifications").status_code == 403
    )

    ticket = issue(kiosk)
    subscribe_ticket(session, ticket)
    supervisor = login(app.test_client(), "supervisor")
    told = supervisor.get(f"/api/v1/tickets/{ticket['id']}/notifications").get_json()
    assert [(n["event"], n["recipient"]) for n in told] == [("ticket.issued", "h***@example.vn")]
    # (each check right after its login: the tests' shared app context keeps the last user)
    assert (
        login(app.test_client(), "officer1").get(f"/api/v1/tickets/{ticket['id']}/notifications").status_code
        == 403
    )
    supervisor = login(app.test_client(), "supervisor")

    # The ticket's record in the audit trail: what it was told, how it went.
    html = supervisor.get(f"/admin/audit?site=NA-HCC&source=notify&q={ticket['number']}").get_data(
        as_text=True
    )
    assert f"Thông báo “Đã lấy số” về {ticket['number']} qua Thư điện tử tới h***@example.vn: Chờ gửi" in html
    assert EMAIL not in html


def test_the_dossier_page_shows_what_the_applicant_was_told(app, session, server, contexts):
    enable(session, "email")
    code = take_in_over_http(server.url, staff_session(server.url, "officer1"), contact_consent=True)
    page = signed_in_page(contexts, server, "officer1")
    page.set_viewport_size(OFFICE)
    page.goto(f"{server.url}/console/dossiers/{code}")
    row = page.locator("#d-notifications tr[data-status]")
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    assert cells[1:5] == ["Đã tiếp nhận hồ sơ", "Thư điện tử", "h***@example.vn", "Chờ gửi"]
    # The server's own worker may have tried already: no mail relay listens in this test.
    # Staff read why in Vietnamese; the technical reason stays in the row and the API for IT.
    assert cells[5] == "0" or (cells[5] == "1" and cells[6] == "Không kết nối được máy chủ gửi tin")
    assert EMAIL not in page.inner_text("#d-notifications")
    page.locator("#notifications-heading").scroll_into_view_if_needed()
    screenshot(page, "notify-dossier-history-office")
    check_accessibility(page)
