"""Citizens' ratings: once per finished ticket, from the counter's own tablet or the phone."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from queue_server.auth.access import Actor
from queue_server.auth.models import DeviceToken, User
from queue_server.auth.services import issue_device_token, revoke_device_token
from queue_server.database import db
from queue_server.errors import Conflict
from queue_server.queueing import operations as queue_ops
from queue_server.queueing.models import Ticket
from queue_server.ratings import operations
from queue_server.ratings.models import Rating

from .helpers import (
    counter,
    error_of,
    local,
    minutes,
    officer,
    served,
    site,
    tablet_token,
    tracking_key,
)


@pytest.fixture
def tablet(app):
    """The rating tablet of counter 3."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tablet_token(app)}"
    return client


def stored(app) -> list[Rating]:
    with app.app_context():
        return db.session.scalars(select(Rating)).all()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_counters_tablet_rates_a_finished_ticket_once_as_it_was_served(app, kiosk, officer, tablet):
    ticket = served(kiosk, officer)
    response = tablet.post(
        "/api/v1/ratings", json={"ticket_id": ticket["id"], "level": "satisfied", "reasons": ["quick"]}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        **response.get_json(),
        "ticket_id": ticket["id"],
        "number": "3001",
        "level": "satisfied",
        "reasons": ["quick"],
        "channel": "tablet",
    }
    again = tablet.post("/api/v1/ratings", json={"ticket_id": ticket["id"], "level": "not_satisfied"})
    assert error_of(again, 409) == "already_rated"
    phone = app.test_client().post(
        f"/api/v1/track/{tracking_key(ticket)}/rating", json={"level": "satisfied"}
    )
    assert error_of(phone, 409) == "already_rated"

    (rating,) = stored(app)
    with app.app_context():
        served_ticket = db.session.get(Ticket, ticket["id"])
        officer1 = db.session.scalar(select(User).where(User.username == "officer1"))
        assert (rating.site_id, rating.service_id, rating.counter_id, rating.officer_id) == (
            served_ticket.site_id,
            served_ticket.service_id,
            counter(db.session, 3).id,
            officer1.id,
        )
    assert (rating.level, rating.reasons, rating.channel) == ("satisfied", ["quick"], "tablet")


def test_another_counters_tablet_a_kiosk_and_staff_cannot_rate(app, kiosk, officer):
    ticket = served(kiosk, officer)
    body = {"ticket_id": ticket["id"], "level": "very_satisfied"}
    other = app.test_client().post(
        "/api/v1/ratings", json=body, headers={"Authorization": f"Bearer {tablet_token(app, 4)}"}
    )
    assert error_of(other, 403) == "wrong_counter"
    assert error_of(kiosk.post("/api/v1/ratings", json=body), 403) == "device_only"
    assert error_of(officer.post("/api/v1/ratings", json=body), 403) == "device_only"
    assert error_of(app.test_client().post("/api/v1/ratings", json=body), 401) == "login_required"
    assert stored(app) == []


def test_a_ticket_not_yet_finished_cannot_be_rated(app, kiosk, officer, tablet):
    ticket = served(kiosk, officer, finish=False)
    response = tablet.post("/api/v1/ratings", json={"ticket_id": ticket["id"], "level": "satisfied"})
    assert error_of(response, 409) == "wrong_state"
    assert response.get_json()["error"]["status_now"] == "called"
    phone = app.test_client().post(
        f"/api/v1/track/{tracking_key(ticket)}/rating", json={"level": "satisfied"}
    )
    assert error_of(phone, 409) == "wrong_state"
    assert error_of(tablet.post("/api/v1/ratings", json={"ticket_id": 999, "level": "satisfied"}), 404) == (
        "unknown_ticket"
    )
    assert stored(app) == []


def test_the_phone_rates_through_the_tickets_tracking_key(app, kiosk, officer, client):
    ticket = served(kiosk, officer)
    response = client.post(
        f"/api/v1/track/{tracking_key(ticket)}/rating",
        json={"level": "not_satisfied", "reasons": ["long_wait", "complex_procedure", "long_wait"]},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["reasons"] == ["long_wait", "complex_procedure"]
    assert response.get_json()["channel"] == "phone"
    assert error_of(client.post("/api/v1/track/not-a-key/rating", json={"level": "satisfied"}), 404) == (
        "unknown_ticket"
    )
    (rating,) = stored(app)
    assert rating.channel == "phone" and rating.level == "not_satisfied"


def test_reasons_must_be_offered_for_the_chosen_level(app, kiosk, officer, tablet):
    ticket = served(kiosk, officer)

    def rate(level, reasons):
        return tablet.post(
            "/api/v1/ratings", json={"ticket_id": ticket["id"], "level": level, "reasons": reasons}
        )

    assert error_of(rate("satisfied", ["long_wait"]), 400) == "invalid_reason"
    assert error_of(rate("not_satisfied", ["bribe"]), 400) == "invalid_reason"
    assert error_of(rate("so_so", []), 422) == "validation_failed"
    assert error_of(rate("satisfied", "quick"), 422) == "validation_failed"
    assert stored(app) == []
    assert rate("very_satisfied", ["courteous"]).status_code == 201


def test_a_revoked_tablet_token_is_refused_at_once(app, kiosk, officer, tablet):
    ticket = served(kiosk, officer)
    with app.app_context():
        revoke_device_token(db.session.scalar(select(DeviceToken).where(DeviceToken.kind == "rating")))
        db.session.commit()
    response = tablet.post("/api/v1/ratings", json={"ticket_id": ticket["id"], "level": "satisfied"})
    assert error_of(response, 401) == "invalid_token"
    assert stored(app) == []


T0 = local(2026, 11, 23, 9, 0)


def finished_at_counter_3(session, at=T0) -> Ticket:
    ticket = queue_ops.issue_ticket(session, site(session), "NM-DD", officer(session), now=at)
    queue_ops.call_next(session, counter(session, 3), officer(session), now=at)
    return queue_ops.finish(session, ticket, officer(session), now=at + minutes(5))


def test_the_tablet_may_rate_for_a_few_minutes_and_the_phone_for_three_days(app, session):
    tablet_device, _ = issue_device_token(session, "rating", "NA-HCC", "tablet", 3)
    at_counter = Actor(device=tablet_device)
    late = finished_at_counter_3(session)
    with pytest.raises(Conflict) as closed:
        operations.rate(
            session, late, "satisfied", [], "tablet", at_counter, now=late.finished_at + minutes(6)
        )
    assert closed.value.code == "rating_closed"
    assert operations.phone_state(session, late, now=late.finished_at + timedelta(days=2)) == "open"
    assert operations.phone_state(session, late, now=late.finished_at + timedelta(days=4)) == "closed"
    rating = operations.rate(
        session, late, "satisfied", [], "phone", Actor(), now=late.finished_at + timedelta(days=2)
    )
    assert operations.phone_state(session, late) == "rated"

    soon = finished_at_counter_3(session, at=T0 + minutes(30))
    assert operations.phone_state(session, soon, now=soon.finished_at) == "open"
    on_time = operations.rate(
        session, soon, "very_satisfied", ["quick"], "tablet", at_counter, now=soon.finished_at + minutes(4)
    )
    assert (rating.channel, on_time.channel) == ("phone", "tablet")


def test_two_ratings_of_the_same_ticket_at_the_same_instant_store_one(app, session, monkeypatch):
    ticket = finished_at_counter_3(session)
    operations.rate(session, ticket, "satisfied", [], "phone", Actor(), now=ticket.finished_at)
    # The second request checked before the first was written: the unique ticket decides.
    monkeypatch.setattr(operations, "rating_of", lambda session, ticket: None)
    with pytest.raises(Conflict) as second:
        operations.rate(session, ticket, "not_satisfied", [], "phone", Actor(), now=ticket.finished_at)
    assert second.value.code == "already_rated"
    session.commit()
    assert session.scalars(select(Rating)).one().level == "satisfied"


def test_reasons_are_listed_by_level_in_the_requests_language(app):
    english = app.test_client().get("/api/v1/ratings/reasons", headers={"Accept-Language": "en"}).get_json()
    assert english[2]["label"] == "Not satisfied"
    assert english[2]["reasons"][0] == {"code": "long_wait", "label": "Long waiting time"}
    vietnamese = app.test_client().get("/api/v1/ratings/reasons?lang=vi").get_json()
    assert [level["level"] for level in vietnamese] == ["very_satisfied", "satisfied", "not_satisfied"]
    assert [level["label"] for level in vietnamese] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    not_satisfied = {reason["code"]: reason["label"] for reason in vietnamese[2]["reasons"]}
    assert not_satisfied["long_wait"] == "Thời gian chờ lâu"
    assert list(not_satisfied) == list(operations.REASONS["not_satisfied"])


def test_the_rating_calls_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    for path in ("/api/v1/ratings", "/api/v1/track/{token}/rating", "/api/v1/ratings/reasons"):
        assert path in document["paths"]


def test_the_tablet_page_and_the_tracking_page_offer_the_choices(app, kiosk, officer, client):
    page = client.get("/rate/NA-HCC/3")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Ông/Bà đánh giá thế nào về việc giải quyết thủ tục?" in text and "Thời gian chờ lâu" in text
    assert client.get("/rate/NA-HCC/99").status_code == 404
    ticket = served(kiosk, officer)
    tracking = client.get(f"/t/{tracking_key(ticket)}?lang=en").get_data(as_text=True)
    assert "How would you rate" in tracking
    config = re.search(r'<script type="application/json" id="track-config">(.*?)</script>', tracking, re.S)
    assert json.loads(config[1])["rating"] == "open"
