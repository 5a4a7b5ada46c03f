"""Merged counters: which services a counter serves is data, by weekday, week of a rotation and
dates; officers' duties follow the same rules."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from queue_server.auth.duties import on_duty
from queue_server.queueing.operations import call_next, issue_ticket
from queue_server.sites.models import CounterSchedule, Department, Rotation, Service
from queue_server.sites.routing import services_served, site_routing

from .helpers import counter, local, officer, site

# The demo's rotation starts on 29/12/2025, ISO week 1 of 2026: in 2026 its week 1 is an odd
# ISO week and its week 2 an even one.
WEEK_1_MONDAY = date(2026, 11, 16)  # ISO week 47
WEEK_2_MONDAY = date(2026, 11, 23)  # ISO week 48

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def codes(session, ids):
    return {s.code for s in session.scalars(select(Service).where(Service.id.in_(ids)))}


def department_codes(session, code):
    dept = session.scalar(select(Department).where(Department.code == code))
    return {s.code for s in dept.services}


def test_merged_counter_serves_justice_in_week_1_and_construction_in_week_2(session):
    merged = counter(session, 8)
    assert codes(session, services_served(session, merged, WEEK_1_MONDAY)) == department_codes(session, "STP")
    assert codes(session, services_served(session, merged, WEEK_2_MONDAY)) == department_codes(session, "SXD")


@both_databases
def test_merged_counters_alternate_every_week_across_the_2026_2027_year_boundary(session):
    """ISO 2026 has 53 weeks: week 53 and the next year's week 1 are both odd. The demo's
    rotation counts weeks from its anchor, so counters 8 and 9 still swap every Monday."""
    justice, construction, culture = (department_codes(session, c) for c in ("STP", "SXD", "SVHTTDL"))
    first_monday = date(2026, 11, 30)
    for week in range(10):  # 30/11/2026 to 7/2/2027, across 28/12/2026-10/1/2027
        even = week % 2 == 0
        for offset in range(7):
            day = first_monday + timedelta(weeks=week, days=offset)
            served_8 = codes(session, services_served(session, counter(session, 8), day))
            served_9 = codes(session, services_served(session, counter(session, 9), day))
            assert served_8 == (justice if even else construction), day
            assert served_9 == (culture if even else justice), day


def rotation(session, weeks, anchor) -> Rotation:
    made = Rotation(site_id=site(session).id, name=f"{weeks} tuần", anchor=anchor, weeks=weeks)
    session.add(made)
    return made


@both_databases
def test_a_three_week_rotation_serves_each_department_in_turn_also_before_its_anchor(session):
    cycle = rotation(session, 3, date(2027, 1, 6))  # a Wednesday: week 1 starts on Monday 4/1
    counter_7 = counter(session, 7)
    counter_7.schedules.clear()
    for week, code in enumerate(("STP", "SXD", "SCT"), start=1):
        department = session.scalar(select(Department).where(Department.code == code))
        counter_7.schedules.append(
            CounterSchedule(department=department, weekdays="1234567", rotation=cycle, rotation_week=week)
        )
    session.flush()
    expected = ["STP", "SXD", "SCT"]
    for week in range(-4, 8):  # four weeks before the anchor to seven after
        for offset in (0, 3, 6):
            day = date(2027, 1, 4) + timedelta(weeks=week, days=offset)
            assert codes(session, services_served(session, counter_7, day)) == department_codes(
                session, expected[week % 3]
            ), day
    assert [cycle.week_of(date(2027, 1, 3) - timedelta(weeks=n)) for n in range(4)] == [3, 2, 1, 3]


@both_databases
def test_officers_rotate_between_counters_week_by_week(session):
    def counters_of(username, day):
        return [
            d.counter.number for d in on_duty(session, site(session).id, day) if d.user.username == username
        ]

    for monday, first, second in ((date(2026, 12, 28), 8, 9), (date(2027, 1, 4), 9, 8)):
        for offset in range(7):
            day = monday + timedelta(days=offset)
            assert counters_of("officer1", day) == [first], day
            assert counters_of("officer2", day) == [second], day
    officer2 = officer(session, "officer2").user
    officer2.active = False
    session.flush()
    assert [d.user.username for d in on_duty(session, site(session).id, date(2027, 1, 4))] == ["officer1"]


def test_a_counter_can_serve_several_departments_at_once(session):
    served = codes(session, services_served(session, counter(session, 10), WEEK_1_MONDAY))
    assert served == {"YT-HN", "GD-VB", "NV-LD"}
    served_even = codes(session, services_served(session, counter(session, 10), WEEK_2_MONDAY))
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
    assert services_served(session, counter(session, 3), WEEK_1_MONDAY) == set()
    assert "NM-DD" not in codes(session, services_served(session, counter(session, 1), WEEK_1_MONDAY))


def test_every_demo_service_has_a_counter_every_day(session):
    hcc = site(session)
    services = {s.id for s in session.scalars(select(Service).where(Service.site_id == hcc.id))}
    for day in (WEEK_1_MONDAY, WEEK_2_MONDAY, date(2026, 11, 22)):
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
    from sqlalchemy.exc import IntegrityError

    dept = session.scalar(select(Department).where(Department.code == "STP"))
    service = session.scalar(select(Service).where(Service.code == "NM-DD"))
    session.add(
        CounterSchedule(counter_id=counter(session, 1).id, department_id=dept.id, service_id=service.id)
    )
    with pytest.raises(IntegrityError):
        session.flush()
