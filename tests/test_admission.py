"""Kiosk numbers are refused while a centre is closed or when the wait runs past closing."""

from datetime import date

import pytest

from queue_server.errors import Conflict
from queue_server.queueing.operations import issue_ticket

from .helpers import SYSTEM, local, site, staff

WARD = "NA-TRUONGVINH"  # opening hours Mon-Fri 07:00-11:30, 13:30-17:00, enforced


def take(session, now, channel="kiosk", service="HT"):
    return issue_ticket(session, site(session, WARD), service, SYSTEM, channel=channel, now=now)


def refusal(session, now, **kwargs):
    with pytest.raises(Conflict) as refused:
        take(session, now, **kwargs)
    session.rollback()
    return refused.value.code, refused.value.details["come_back_at"]


def test_a_kiosk_number_is_given_during_opening_hours(session):
    assert take(session, local(2026, 11, 23, 10, 0)).number == "A001"


def test_on_sunday_the_kiosk_says_come_back_on_monday_morning(session):
    assert refusal(session, local(2026, 11, 22, 10, 0)) == ("closed", "2026-11-23T07:00:00+07:00")


def test_during_the_lunch_break_the_kiosk_says_come_back_at_half_past_one(session):
    assert refusal(session, local(2026, 11, 23, 12, 0)) == ("closed", "2026-11-23T13:30:00+07:00")


def test_near_closing_a_wait_past_closing_is_refused_until_the_next_morning(session):
    staff(session, [1, 2], WARD, "officer3", day=date(2026, 11, 23))
    for minute in range(3):
        take(session, local(2026, 11, 23, 16, 40 + minute))
    session.commit()
    # Three waiting, two counters, 7 minutes each: 14 minutes from 16:50 runs past 17:00.
    assert refusal(session, local(2026, 11, 23, 16, 50)) == ("closing_soon", "2026-11-24T07:00:00+07:00")


def test_near_closing_with_no_officer_at_a_counter_yet_the_number_is_given(session):
    """The wait is unknown, not endless: the officers are expected (queueing/estimates.py)."""
    for minute in range(3):
        take(session, local(2026, 11, 23, 16, 40 + minute))
    session.commit()
    assert take(session, local(2026, 11, 23, 16, 50)).number == "A004"


def test_officers_can_still_number_at_the_counter_outside_hours(session):
    assert take(session, local(2026, 11, 22, 10, 0), channel="counter").number == "A001"


def test_the_refusal_reaches_the_kiosk_as_409_with_a_time_to_come_back(app, client):
    from queue_server.auth.services import issue_device_token
    from queue_server.database import db
    from queue_server.sites.models import Site

    with app.app_context():
        ward = db.session.query(Site).filter_by(code=WARD).one()
        ward.opening_hours = []  # no opening hours at all: never open, whatever the time now
        _, token = issue_device_token(db.session, "kiosk", WARD)
        db.session.commit()
    response = client.post(
        f"/api/v1/sites/{WARD}/tickets", json={"service": "HT"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "closed" and error["come_back_at"] is None
