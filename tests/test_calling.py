"""Calling, recalling, skipping, transferring and finishing tickets at counters."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from queue_server import cache
from queue_server.actors import SYSTEM
from queue_server.errors import ApiError, Conflict
from queue_server.events import committed
from queue_server.queueing import estimates
from queue_server.queueing import operations as ops
from queue_server.queueing.models import QueueEvent, TicketStatus
from queue_server.sites.models import Department, PriorityPolicy, Service, Site

from .helpers import BOTH_DATABASES, counter, local, minutes, officer, site, staff, statements_sent

T0 = local(2026, 11, 23, 8, 0)


def issue(session, service="NM-DD", at=0, priority=None):
    return ops.issue_ticket(
        session, site(session), service, officer(session), priority=priority, now=T0 + minutes(at)
    )


def call(session, number=3, at=30):
    return ops.call_next(session, counter(session, number), officer(session), now=T0 + minutes(at))


def calls(session, n, number=3):
    return [call(session, number, at=30 + i).number for i in range(n)]


def test_the_oldest_ticket_is_called_first(session):
    for i in range(3):
        issue(session, at=i)
    session.commit()
    assert calls(session, 3) == ["3001", "3002", "3003"]
    assert call(session, at=40) is None


@BOTH_DATABASES
def test_strict_policy_calls_every_priority_ticket_first(session):
    hcc = site(session)
    hcc.priority_policy = PriorityPolicy.STRICT
    issue(session, at=0)
    issue(session, at=1, priority="elderly")
    issue(session, at=2, priority="disabled")
    issue(session, at=3)
    session.commit()
    assert calls(session, 4) == ["3002", "3003", "3001", "3004"]


@BOTH_DATABASES
def test_interleave_policy_lets_at_most_n_priority_tickets_go_in_a_row(session):
    hcc = site(session)
    hcc.priority_policy = PriorityPolicy.INTERLEAVE
    hcc.priority_max_run = 2
    for i in range(2):
        issue(session, at=i)  # 3001, 3002 normal
    for i in range(4):
        issue(session, at=10 + i, priority="pregnant")  # 3003..3006 priority
    session.commit()
    assert calls(session, 6) == ["3003", "3004", "3001", "3005", "3006", "3002"]


@BOTH_DATABASES
def test_call_next_finishes_the_counters_current_ticket(session):
    first, second = issue(session, at=0), issue(session, at=1)
    session.commit()
    call(session, at=10)
    call(session, at=20)
    assert first.status == TicketStatus.DONE
    assert first.finished_at == T0 + minutes(20)
    assert second.status == TicketStatus.CALLED


def test_transfer_to_another_service_keeps_the_place_by_original_issue_time(session):
    moved = issue(session, service="NM-DD", at=0)
    for i in range(2):
        issue(session, service="NM-MT", at=5 + i)
    session.commit()
    call(session, number=3, at=10)  # counter 3 serves land only
    ops.transfer(session, moved, officer(session), service_code="NM-MT", now=T0 + minutes(11))
    session.commit()
    assert moved.status == TicketStatus.TRANSFERRED
    # Counter 1 serves environment too: the transferred ticket, issued first, comes first.
    assert calls(session, 3, number=1) == ["3001", "3501", "3502"]


def test_transfer_to_a_counter_is_called_only_there(session):
    ticket = issue(session, service="NM-DD", at=0)
    session.commit()
    call(session, number=3, at=5)
    ops.transfer(session, ticket, officer(session), counter_id=counter(session, 12).id, now=T0 + minutes(6))
    session.commit()
    assert call(session, number=1, at=7) is None
    assert call(session, number=12, at=8).id == ticket.id


def test_transfer_needs_exactly_one_destination(session):
    ticket = issue(session)
    with pytest.raises(ApiError):
        ops.transfer(session, ticket, officer(session))
    with pytest.raises(ApiError):
        ops.transfer(session, ticket, officer(session), service_code="NM-MT", counter_id=1)


def test_no_show_can_be_reactivated_the_same_day_at_its_place(session):
    first, second = issue(session, at=0), issue(session, at=1)
    session.commit()
    call(session, at=10)
    ops.skip(session, first, officer(session), now=T0 + minutes(12))
    assert first.status == TicketStatus.NO_SHOW
    ops.reactivate(session, first, officer(session), now=T0 + minutes(13))
    session.commit()
    assert first.status == TicketStatus.WAITING
    assert call(session, number=1, at=14).id == first.id
    assert call(session, number=2, at=14).id == second.id


def test_no_show_cannot_be_reactivated_the_next_day(session):
    ticket = issue(session)
    session.commit()
    call(session, at=10)
    ops.skip(session, ticket, officer(session), now=T0 + minutes(11))
    with pytest.raises(Conflict) as refused:
        ops.reactivate(session, ticket, officer(session), now=T0 + timedelta(days=1))
    assert refused.value.code == "expired"


def test_recall_counts_and_announces_again(session):
    issue(session)
    session.commit()
    ticket = call(session)
    ops.recall(session, ticket, officer(session), now=T0 + minutes(31))
    ops.recall(session, ticket, officer(session), now=T0 + minutes(32))
    assert ticket.recall_count == 2


def test_actions_in_the_wrong_state_are_refused(session):
    ticket = issue(session)
    session.commit()
    for action in (ops.recall, ops.skip, ops.finish, ops.start, ops.reactivate):
        with pytest.raises(Conflict):
            action(session, ticket, officer(session))


def test_a_paused_counter_calls_nobody_until_resumed(session):
    issue(session)
    land = counter(session, 3)
    ops.pause_counter(session, land, "Họp giao ban", officer(session))
    session.commit()
    with pytest.raises(Conflict):
        call(session)
    ops.resume_counter(session, land, officer(session))
    assert call(session).number == "3001"


def test_pause_needs_a_reason(session):
    with pytest.raises(ApiError):
        ops.pause_counter(session, counter(session, 3), "  ", officer(session))


def test_walk_in_is_numbered_and_served_at_once(session):
    ticket = ops.serve_walk_in(session, counter(session, 3), "NM-DD", officer(session), now=T0)
    session.commit()
    assert (ticket.number, ticket.status, ticket.channel) == ("3001", "serving", "counter")
    assert ticket.counter.number == 3


def test_every_change_is_in_the_event_log_with_a_gap_free_site_sequence(session):
    """Every change but a ticket issued is numbered: taking numbers never waits for the site."""
    ticket = issue(session)
    session.commit()
    call(session)
    ops.recall(session, ticket, officer(session))
    ops.finish(session, ticket, officer(session))
    session.commit()
    events = session.query(QueueEvent).order_by(QueueEvent.id).all()
    assert [e.kind for e in events] == [
        "ticket.issued",
        "ticket.called",
        "ticket.recalled",
        "ticket.finished",
    ]
    assert [e.site_seq for e in events] == [None, 1, 2, 3]
    assert events[1].user_id == officer(session).user_id


def test_events_leave_only_after_commit(session):
    received = []

    def listener(name, payload):
        received.append(name)

    committed.connect(listener)
    try:
        issue(session)
        assert received == []
        session.rollback()
        assert received == []
        issue(session)
        session.commit()
        assert received == ["ticket.issued"]
    finally:
        committed.disconnect(listener)


def _statements_of(session, action):
    """What ``action()`` gives, and the SQL it sends with its parameters."""
    with statements_sent(session.get_bind()) as sent:
        return action(), sent


def test_a_call_reads_the_counters_own_queues_not_the_sites(session):
    """The choice reads the waiting tickets of the counter's services and those sent to it,
    each from its own index (``operations._call_statement``): not the site's whole queue."""
    for i in range(3):
        issue(session, service="TC-DKDN", at=i)  # a service counter 3 does not serve
    issue(session, service="NM-DD", at=5)
    session.commit()
    ticket, sent = _statements_of(session, lambda: call(session, number=3, at=10))
    assert ticket.number == "3001"
    [(sql, parameters)] = [
        (sql, p) for sql, p in sent if sql.startswith("UPDATE tickets SET status") and "LIMIT" in sql
    ]
    plan = [row[-1] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)]
    assert any("ix_tickets_target_counter" in step for step in plan), plan
    assert any("ix_tickets_queue" in step and "service_id=?" in step for step in plan), plan
    assert not any(step.startswith("SCAN tickets") for step in plan), plan


def test_an_officers_next_call_reads_no_service_and_writes_no_unchanged_counter(app, session):
    """With the process's copies on (``DERIVED_CACHE_SECONDS``), a call takes its ticket's
    service from the copy, and a counter whose officer and run stay the same is not written."""
    app.config["DERIVED_CACHE_SECONDS"] = 60
    cache.clear()
    try:
        for i in range(3):
            issue(session, at=i)
        session.commit()
        call(session, at=10)
        session.commit()
        ticket, sent = _statements_of(session, lambda: call(session, at=20))
        session.commit()
    finally:
        app.config["DERIVED_CACHE_SECONDS"] = 0
        cache.clear()
    assert ticket.number == "3002" and ticket.service.code == "NM-DD"
    assert not [sql for sql, _ in sent if "FROM services" in sql or sql.startswith("UPDATE counters")], sent
    assert session.get(type(ticket), ticket.id).status == TicketStatus.CALLED


# -- the place a ticket is told ------------------------------------------------------------------


def test_a_waiting_tickets_place_and_counters_are_read_in_one_statement(app, session):
    """A ticket issued is answered with its place and the counters that will call it: with the
    process's copies of the routing and the averages warm, one statement reads both
    (``estimates._ahead_and_counter_states``), and they agree with the two functions that read
    them apart."""
    staff(session, [1, 3], day=T0.date())
    tickets = [issue(session, at=i) for i in range(3)]
    session.commit()
    app.config["DERIVED_CACHE_SECONDS"] = 60
    cache.clear()
    try:
        estimates.ticket_standing(session, tickets[1])
        standing, sent = _statements_of(session, lambda: estimates.ticket_standing(session, tickets[2]))
    finally:
        app.config["DERIVED_CACHE_SECONDS"] = 0
        cache.clear()
    assert len(sent) == 1, sent
    day = tickets[2].business_date
    apart = estimates.open_counter_numbers(session, tickets[2].site_id, tickets[2].service_id, day)
    assert standing["people_ahead"] == estimates.people_ahead(session, tickets[2]) == 2
    assert standing["counters"] == apart and 3 in apart and standing["position"] == 3


def test_a_ticket_at_a_site_without_counters_is_still_told_its_place(session):
    """The counters are joined to a row of their own: with none, the count still comes back,
    and nobody is said to serve (no wait is promised)."""
    empty = Site(code="TEST-EMPTY", name="Điểm không có quầy", enforce_opening_hours=False)
    department = Department(site=empty, code="D", name="Sở thử nghiệm")
    session.add_all(
        [empty, Service(site=empty, department=department, code="X", name="Thủ tục thử", prefix="X")]
    )
    session.commit()
    first, second = (ops.issue_ticket(session, empty, "X", SYSTEM, now=T0 + minutes(i)) for i in range(2))
    session.commit()
    standing = estimates.ticket_standing(session, second)
    assert (standing["people_ahead"], standing["counters"], standing["estimated_wait_s"]) == (1, [], None)
    assert estimates.ticket_standing(session, first)["people_ahead"] == 0


@BOTH_DATABASES
def test_a_call_finds_and_finishes_the_counters_ticket_in_one_statement(session):
    """The ticket the counter served is finished by the statement that finds it, and on
    PostgreSQL the next is called by the same (``operations._finish_and_call``): no read of
    either first, and each is logged."""
    for i in range(2):
        issue(session, at=i)
    session.commit()
    first = call(session, at=10)
    session.commit()
    second, sent = _statements_of(session, lambda: call(session, at=20))
    session.commit()
    assert not [sql for sql, _ in sent if sql.startswith("SELECT") and "FROM tickets" in sql], sent
    on_tickets = [sql for sql, _ in sent if "UPDATE tickets" in sql]
    assert len(on_tickets) == (1 if session.get_bind().dialect.name == "postgresql" else 2), on_tickets
    assert first.status == TicketStatus.DONE and first.finished_at == T0 + minutes(20)
    assert second.status == TicketStatus.CALLED
    session.expire_all()
    kinds = session.scalars(select(QueueEvent.kind).where(QueueEvent.ticket_id == first.id)).all()
    assert kinds == ["ticket.issued", "ticket.called", "ticket.finished"]
