"""Three weeks of a busy centre, generated reproducibly, for the report tests.

The rows are inserted with Core statements and kept as plain dictionaries, so that a test can
compute every figure again in Python, independently of the SQL it checks.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from queue_server.auth.models import User
from queue_server.booking.models import Booking
from queue_server.database import db
from queue_server.dossiers.models import Dossier, Procedure
from queue_server.queueing.models import CounterPause, Ticket
from queue_server.ratings.models import Rating
from queue_server.sites.models import Counter, Service, Site

from .helpers import VN

FIRST = date(2026, 10, 5)  # a Monday
DAYS = 21
REASONS = ["Họp giao ban", "Nghỉ giải lao", "Hỗ trợ quầy khác", "Sự cố máy tính"]


def _local(day: date, seconds: float) -> datetime:
    return datetime.combine(day, time(0), VN) + timedelta(seconds=seconds)


def generate(session, seed: int = 7) -> dict:
    rng = random.Random(seed)
    site = session.scalar(select(Site).where(Site.code == "NA-HCC"))
    services = session.scalars(select(Service).where(Service.site_id == site.id).order_by(Service.id)).all()
    counters = session.scalars(
        select(Counter).where(Counter.site_id == site.id).order_by(Counter.number)
    ).all()
    officers = session.scalars(
        select(User).where(User.username.in_(["officer1", "officer2", "supervisor"]))
    ).all()
    procedure = session.scalar(select(Procedure).where(Procedure.site_id == site.id))
    tickets, pauses, ratings, dossiers = [], [], [], []
    ticket_id = 10_000
    for offset in range(DAYS):
        day = FIRST + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        volume = 90 if day.weekday() == 5 else rng.randint(250, 330)
        sequences: dict[int, int] = {}
        for _ in range(volume):
            service = rng.choice(services)
            sequences[service.id] = sequences.get(service.id, 0) + 1
            # Mornings are busiest: two thirds of the tickets before 11:00.
            hour = rng.uniform(7, 11) if rng.random() < 0.66 else rng.uniform(13.5, 16.8)
            issued = _local(day, hour * 3600)
            fate = rng.random()
            counter, officer = rng.choice(counters), rng.choice(officers)
            ticket_id += 1
            row = {
                "id": ticket_id,
                "public_token": secrets.token_urlsafe(12),
                "site_id": site.id,
                "service_id": service.id,
                "issued_service_id": service.id,
                "business_date": day,
                "sequence": sequences[service.id],
                "number": f"{sequences[service.id]:04d}",
                "channel": "kiosk",
                "issued_at": issued,
                "status": "cancelled",
                "called_at": None,
                "started_at": None,
                "finished_at": None,
                "counter_id": None,
                "officer_id": None,
                "recall_count": 0,
            }
            if fate < 0.92:
                called = issued + timedelta(seconds=rng.expovariate(1 / 700))
                row.update(called_at=called, counter_id=counter.id, officer_id=officer.id)
                if fate < 0.84:
                    started = called + timedelta(seconds=rng.uniform(10, 90)) if rng.random() < 0.7 else None
                    finished = (started or called) + timedelta(seconds=rng.expovariate(1 / 420) + 30)
                    row.update(status="done", started_at=started, finished_at=finished)
                    if rng.random() < 0.45:
                        ratings.append(
                            {
                                "ticket_id": ticket_id,
                                "site_id": site.id,
                                "service_id": service.id,
                                "counter_id": counter.id,
                                "officer_id": officer.id,
                                "level": rng.choices(
                                    ["very_satisfied", "satisfied", "not_satisfied"], [5, 4, 1]
                                )[0],
                                "reasons": [],
                                "channel": "tablet",
                                "created_at": finished + timedelta(seconds=20),
                            }
                        )
                else:
                    row.update(status="no_show", finished_at=called + timedelta(seconds=120))
            tickets.append(row)
        for counter in rng.sample(list(counters), 4):
            start = _local(day, rng.uniform(8, 15) * 3600)
            pauses.append(
                {
                    "site_id": site.id,
                    "counter_id": counter.id,
                    "officer_id": rng.choice(officers).id,
                    "reason": rng.choice(REASONS),
                    "started_at": start,
                    "ended_at": start + timedelta(seconds=rng.uniform(300, 2400)),
                }
            )
        for n in range(rng.randint(40, 60)):
            received = _local(day, rng.uniform(7.5, 16.5) * 3600)
            due = received + timedelta(days=rng.choice([3, 10, 15]))
            channel = rng.choices(["counter", "postal", "online"], [6, 3, 1])[0]
            finished = received + timedelta(days=rng.uniform(1, 18)) if rng.random() < 0.7 else None
            returned = finished + timedelta(days=1) if finished and rng.random() < 0.6 else None
            dossiers.append(
                {
                    "client_id": secrets.token_hex(12),
                    "code": f"000.00.06.H40-{day:%y%m%d}-{n + 1:04d}",
                    "tracking_key": secrets.token_urlsafe(16),
                    "form_set": "TT01/2018",
                    "site_id": site.id,
                    "intake_site_id": site.id,
                    "procedure_id": procedure.id,
                    "channel": channel,
                    "status": "returned" if returned else ("result_ready" if finished else "processing"),
                    "applicant_name": "Công dân",
                    "documents": [],
                    "sets": 1,
                    "delivery": "post" if channel == "postal" else "counter",
                    "fee": 0,
                    "fee_payment": "cash",
                    "received_at": received,
                    "due_at": due,
                    "paused_seconds": 0,
                    "supplement_requests": 0,
                    "book_site_id": site.id,
                    "book_year": received.year,
                    "book_volume": 1,
                    "book_entry": len(dossiers) + 1,
                    "return_site_id": site.id if channel != "postal" else None,
                    "finished_at": finished,
                    "outcome": None if finished is None else ("late" if finished > due else "on_time"),
                    "returned_at": returned,
                    "return_method": ("post" if channel == "postal" else "counter") if returned else None,
                    "created_at": received,
                    "updated_at": received,
                }
            )
    for table, rows in ((Ticket, tickets), (CounterPause, pauses), (Rating, ratings), (Dossier, dossiers)):
        session.execute(insert(table), rows)
    session.commit()
    return {"site": site, "tickets": tickets, "pauses": pauses, "ratings": ratings, "dossiers": dossiers}


def add_ticket(session, site: Site, service: Service, issued: datetime, status: str, **columns) -> dict:
    """One ticket of ``service`` taken at ``issued`` (its business date is that local day),
    inserted as the generator inserts its rows; the caller commits."""
    number = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.site_id == site.id)) + 1
    row = {
        "public_token": secrets.token_urlsafe(12),
        "site_id": site.id,
        "service_id": service.id,
        "issued_service_id": service.id,
        "business_date": issued.astimezone(site.tz).date(),
        "sequence": number,
        "number": f"{9000 + number}",
        "channel": "kiosk",
        "issued_at": issued,
        "status": status,
        "recall_count": 0,
        **columns,
    }
    session.execute(insert(Ticket), [row])
    return row


def add_bookings(app, statuses: dict[str, list[str]]) -> None:
    """Bookings on the first day: per service code, one booking of each status listed, 15
    minutes apart from 08:00, each with its own phone."""
    with app.app_context():
        centre = db.session.scalar(select(Site).where(Site.code == "NA-HCC"))
        for code, wanted in statuses.items():
            service = db.session.scalar(
                select(Service).where(Service.site_id == centre.id, Service.code == code)
            )
            for index, status in enumerate(wanted):
                starts = datetime.combine(FIRST, time(8), VN) + timedelta(minutes=15 * index)
                db.session.add(
                    Booking(
                        token=secrets.token_urlsafe(16),
                        site=centre,
                        service=service,
                        day=FIRST,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=15),
                        name="Nguyễn Văn Hẹn",
                        phone=f"+8491200{index:04d}",
                        status=status,
                        created_at=starts - timedelta(days=1),
                    )
                )
        db.session.commit()
