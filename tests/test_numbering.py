"""Ticket numbering: sequential per site, service and local business day; no gaps, no duplicates."""

from datetime import date

import pytest
from sqlalchemy import func, inspect, select, update
from sqlalchemy.exc import IntegrityError

from queue_server.errors import Conflict
from queue_server.queueing.models import Ticket, TicketSequence
from queue_server.queueing.operations import get_service, issue_ticket
from queue_server.sites.models import Service

from .helpers import SYSTEM, local, minutes, site, statements_sent

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@both_databases
def test_numbers_are_sequential_per_service_from_the_range_start(session):
    hcc = site(session)
    now = local(2026, 11, 23, 8, 0)
    land = [issue_ticket(session, hcc, "NM-DD", SYSTEM, now=now + minutes(i)).number for i in range(3)]
    justice = issue_ticket(session, hcc, "TP-LLTP", SYSTEM, now=now).number
    session.commit()
    assert land == ["3001", "3002", "3003"]
    assert justice == "1001"


@both_databases
def test_letter_prefix_services_number_with_three_digits(session):
    tickets = [
        issue_ticket(session, site(session), "TKQ", SYSTEM, now=local(2026, 11, 23, 9, 0)) for _ in range(2)
    ]
    assert [t.number for t in tickets] == ["K001", "K002"]


@both_databases
def test_numbering_restarts_at_local_midnight_not_utc_midnight(session):
    hcc = site(session)
    before = issue_ticket(session, hcc, "NM-DD", SYSTEM, now=local(2026, 11, 23, 23, 58))
    after = issue_ticket(session, hcc, "NM-DD", SYSTEM, now=local(2026, 11, 24, 0, 1))
    # 07:30 local is still 00:30 UTC of the same day, and the same business day as 00:01 local.
    morning = issue_ticket(session, hcc, "NM-DD", SYSTEM, now=local(2026, 11, 24, 7, 30))
    session.commit()
    assert (before.business_date, before.number) == (date(2026, 11, 23), "3001")
    assert (after.business_date, after.number) == (date(2026, 11, 24), "3001")
    assert (morning.business_date, morning.number) == (date(2026, 11, 24), "3002")


@both_databases
def test_a_full_service_refuses_and_a_refused_ticket_leaves_no_gap(session):
    hcc = site(session)
    now = local(2026, 11, 23, 8, 0)
    service = session.scalar(select(Service).where(Service.code == "NM-MT"))
    service.daily_max = 2
    session.commit()
    for _ in range(2):
        issue_ticket(session, hcc, "NM-MT", SYSTEM, now=now)
    session.commit()
    with pytest.raises(Conflict) as refused:
        issue_ticket(session, hcc, "NM-MT", SYSTEM, now=now)
    assert refused.value.code == "service_full"
    session.rollback()
    service = get_service(session, hcc, "NM-MT")
    service.daily_max = 3
    third = issue_ticket(session, hcc, "NM-MT", SYSTEM, now=now)
    session.commit()
    assert third.number == "3503"


@both_databases
def test_number_range_end_caps_the_day(session):
    hcc = site(session)
    service = get_service(session, hcc, "TP-QT")
    service.number_start, service.number_end = 1501, 1502
    session.commit()
    now = local(2026, 11, 23, 8, 0)
    assert [issue_ticket(session, hcc, "TP-QT", SYSTEM, now=now).number for _ in range(2)] == ["1501", "1502"]
    session.commit()
    with pytest.raises(Conflict) as refused:
        issue_ticket(session, hcc, "TP-QT", SYSTEM, now=now)
    assert refused.value.code == "service_full"
    session.rollback()
    taken = select(func.count()).select_from(Ticket).where(Ticket.service_id == service.id)
    assert session.scalar(taken) == 2


@both_databases
def test_unique_constraint_backs_up_the_numbering(session):
    hcc = site(session)
    first = issue_ticket(session, hcc, "NM-DD", SYSTEM, now=local(2026, 11, 23, 8, 0))
    session.commit()
    session.add(
        Ticket(
            public_token="x" * 22,
            site_id=hcc.id,
            service_id=first.service_id,
            issued_service_id=first.service_id,
            business_date=first.business_date,
            sequence=first.sequence,
            number=first.number,
            issued_at=first.issued_at,
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()


@both_databases
def test_an_issued_ticket_is_whole_without_reading_its_row_back(session):
    """The ticket is written with one Core INSERT and handed on as if loaded: every column and
    relation it carries holds the value written, so nothing is fetched again at first use, and a
    fresh read of the row agrees with it."""
    hcc = site(session)
    now = local(2026, 11, 23, 8, 0)
    window = (local(2026, 11, 23, 9, 0), local(2026, 11, 23, 9, 30))
    with statements_sent(session.get_bind()) as sent:
        ticket = issue_ticket(session, hcc, "NM-DD", SYSTEM, now=now, client_id="press-1", window=window)
    ticket_reads = [sql for sql, _ in sent if sql.lstrip().startswith("SELECT") and "FROM tickets" in sql]
    assert ticket_reads == [], ticket_reads
    state = inspect(ticket)
    assert state.persistent and not state.unloaded
    assert not session.dirty and ticket.site is hcc and ticket.counter is None
    written = {c.key: getattr(ticket, c.key) for c in Ticket.__table__.columns}
    session.commit()
    session.expunge_all()
    read = session.get(Ticket, ticket.id)
    assert {c.key: getattr(read, c.key) for c in Ticket.__table__.columns} == written
    assert read.appointment_at == window[0] and read.client_id == "press-1"


@both_databases
@pytest.mark.parametrize("code", ["TKQ", "NM-DD"])
def test_the_number_written_is_the_services_rule_at_every_width(session, code):
    """PostgreSQL spells the number in the statement that takes it (Service.display_number_sql);
    it must be the number Service.display_number gives, as SQLite writes it, past every width."""
    hcc = site(session)
    service = get_service(session, hcc, code)
    service.number_end = service.daily_max = None
    session.commit()
    now = local(2026, 11, 23, 8, 0)
    day = issue_ticket(session, hcc, code, SYSTEM, now=now).business_date
    written = []
    for sequence in (9, 10, 99, 100, 999, 1000, 12345):
        session.execute(
            update(TicketSequence)
            .where(TicketSequence.service_id == service.id, TicketSequence.business_date == day)
            .values(last_value=sequence - 1)
        )
        ticket = issue_ticket(session, hcc, code, SYSTEM, now=now)
        written.append((ticket.sequence, ticket.number))
    session.commit()
    session.expunge_all()
    service = get_service(session, hcc, code)
    stored = session.execute(
        select(Ticket.sequence, Ticket.number).where(Ticket.service_id == service.id, Ticket.sequence > 1)
    ).all()
    assert sorted(written) == sorted(map(tuple, stored))
    assert written == [(n, service.display_number(n)) for n in (9, 10, 99, 100, 999, 1000, 12345)]


@both_databases
def test_the_number_is_taken_in_the_statement_that_writes_the_ticket_on_postgresql(session):
    """One round trip less per ticket: PostgreSQL's INSERT of the ticket takes its number in a
    WITH; SQLite, which cannot write in a WITH, sends the two statements one after the other."""
    hcc = site(session)
    session.commit()
    with statements_sent(session.get_bind()) as sent:
        ticket = issue_ticket(session, hcc, "NM-DD", SYSTEM, now=local(2026, 11, 23, 8, 0))
    writes = [sql for sql, _ in sent if "ticket_sequences" in sql or "INTO tickets" in sql]
    postgresql = session.get_bind().dialect.name == "postgresql"
    assert len(writes) == (1 if postgresql else 2), writes
    assert ticket.number == "3001"
