"""Merged counters: which services a counter serves is data, by weekday, ISO week and dates."""

from datetime import date

from sqlalchemy import select

from queue_server.queueing.operations import call_next, issue_ticket
from queue_server.sites.models import CounterSchedule, Department, Service
from queue_server.sites.routing import services_served, site_routing

from .helpers import counter, local, officer, site

ODD_WEEK_MONDAY = date(2026, 11, 16)  # ISO week 47
EVEN_WEEK_MONDAY = date(2026, 11, 23)  # ISO week 48


def codes(session, ids):
    return {s.code for s in session.scalars(select(Service).where(Service.id.in_(ids)))}


def department_codes(session, code):
    dept = session.scalar(select(Department).where(Department.code == code))
    return {s.code for s in dept.services}


def test_merged_counter_serves_justice_in_odd_weeks_and_construction_in_even_weeks(session):
    merged = counter(session, 8)
    assert codes(session, services_served(session, merged, ODD_WEEK_MONDAY)) == department_codes(
        session, "STP"
    )
    assert codes(session, services_served(session, merged, EVEN_WEEK_MONDAY)) == department_codes(
        session, "SXD"
    )


def test_a_counter_can_serve_several_departments_at_once(session):
    served = codes(session, services_served(session, counter(session, 10), ODD_WEEK_MONDAY))
    assert served == {"YT-HN", "GD-VB", "NV-LD"}
    served_even = codes(session, services_served(session, counter(session, 10), EVEN_WEEK_MONDAY))
    assert served_even == {"YT-HN", "GD-VB", "NV-LD", "VH-DL"}


def test_rules_limited_to_weekdays_and_date_ranges(session):
    land = counter(session, 3)
    rule = land.schedules[0]
    rule.weekdays = "12345"
    rule.valid_from = date(2026, 12, 1)
    session.flush()
    assert services_served(session, land, date(2026, 11, 30)) == set()  # before the range
    assert services_served(session, land, date(2026, 12, 1))  # a Tuesday in range
    assert services_served(session, land, date(2026, 12, 5)) == set()  # a Saturday
    rule.valid_to = date(2026, 12, 31)
    session.flush()
    assert services_served(session, land, date(2027, 1, 4)) == set()


def test_inactive_services_are_not_served(session):
    land_service = session.scalar(select(Service).where(Service.code == "NM-DD"))
    land_service.active = False
    session.flush()
    assert services_served(session, counter(session, 3), ODD_WEEK_MONDAY) == set()
    assert "NM-DD" not in codes(session, services_served(session, counter(session, 1), ODD_WEEK_MONDAY))


def test_every_demo_service_has_a_counter_every_day(session):
    hcc = site(session)
    services = {s.id for s in session.scalars(select(Service).where(Service.site_id == hcc.id))}
    for day in (ODD_WEEK_MONDAY, EVEN_WEEK_MONDAY, date(2026, 11, 22)):
        covered = set().union(*site_routing(session, hcc.id, day).values())
        assert covered == services


def test_call_next_at_a_merged_counter_follows_this_weeks_rule(session):
    hcc = site(session)
    odd = local(2026, 11, 16, 9, 0)
    building = issue_ticket(session, hcc, "XD-GPXD", officer(session), now=odd)
    justice = issue_ticket(session, hcc, "TP-LLTP", officer(session), now=odd)
    session.commit()
    called = call_next(session, counter(session, 8), officer(session), now=odd)
    assert called.id == justice.id
    assert call_next(session, counter(session, 8), officer(session), now=odd) is None
    assert building.status == "waiting"


def test_a_schedule_rule_names_a_department_or_a_service_not_both(session):
    import pytest
    from sqlalchemy.exc import IntegrityError

    dept = session.scalar(select(Department).where(Department.code == "STP"))
    service = session.scalar(select(Service).where(Service.code == "NM-DD"))
    session.add(
        CounterSchedule(counter_id=counter(session, 1).id, department_id=dept.id, service_id=service.id)
    )
    with pytest.raises(IntegrityError):
        session.flush()
