"""Due dates in working time: weekends, Tết, substitute days, lunch, evenings, pauses."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.dossiers.deadlines import Outcome, Unit, WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args):
    return datetime(*args, tzinfo=VN)


CAL = WorkingCalendar()


def test_the_domain_example_five_working_days_from_a_friday_morning():
    # Received Friday 27/10/2023 09:32 with 5 working days: due Friday 03/11/2023 at 09:32.
    assert CAL.due(at(2023, 10, 27, 9, 32), 5, Unit.WORKING_DAYS) == at(2023, 11, 3, 9, 32)


def test_a_working_day_is_the_eight_hours_of_office_time():
    assert CAL.working_day == timedelta(hours=8)


def test_tet_2024_stops_the_clock_for_a_week():
    # Wed 07/02 10:00 gives 5 hours; Thu 08 to Wed 14 are Tết and a weekend; then 8 + 8 + 3.
    assert CAL.due(at(2024, 2, 7, 10, 0), 3, Unit.WORKING_DAYS) == at(2024, 2, 19, 10, 0)


def test_a_substitute_day_off_and_the_april_may_holidays():
    # Mon 29/04/2024 is off (swapped for Sat 04/05); 30/04 and 01/05 are holidays.
    assert CAL.due(at(2024, 4, 26, 9, 0), 2, Unit.WORKING_DAYS) == at(2024, 5, 3, 9, 0)


def test_a_make_up_saturday_counts_when_an_admin_declares_it():
    # Friday 03/05/2024 09:00 gives 6 hours; the 2 left fall on Saturday 04/05 if it is worked.
    assert CAL.due(at(2024, 5, 3, 9, 0), 1, Unit.WORKING_DAYS) == at(2024, 5, 6, 9, 0)
    calendar = WorkingCalendar(extra_working_days={date(2024, 5, 4)})
    assert calendar.due(at(2024, 5, 3, 9, 0), 1, Unit.WORKING_DAYS) == at(2024, 5, 4, 9, 0)


def test_an_admin_day_off_moves_the_due_date():
    calendar = WorkingCalendar(days_off={date(2023, 10, 31)})
    assert calendar.due(at(2023, 10, 30, 8, 0), 1, Unit.WORKING_DAYS) == at(2023, 11, 1, 8, 0)


def test_received_in_the_lunch_break_counts_from_half_past_one():
    # 13:30-17:00 on Monday and 07:00-11:30 on Tuesday make the 8 hours.
    assert CAL.due(at(2023, 10, 30, 12, 15), 1, Unit.WORKING_DAYS) == at(2023, 10, 31, 11, 30)
    assert CAL.due(at(2023, 10, 30, 12, 15), 2, Unit.WORKING_HOURS) == at(2023, 10, 30, 15, 30)


def test_received_after_closing_counts_from_the_next_morning():
    assert CAL.due(at(2023, 10, 30, 17, 45), 1, Unit.WORKING_DAYS) == at(2023, 10, 31, 17, 0)


def test_received_on_a_sunday_counts_from_monday_morning():
    assert CAL.due(at(2023, 10, 29, 10, 0), 1, Unit.WORKING_HOURS) == at(2023, 10, 30, 8, 0)


def test_working_hours_run_over_the_weekend():
    assert CAL.due(at(2023, 10, 27, 16, 0), 4, Unit.WORKING_HOURS) == at(2023, 10, 30, 10, 0)


def test_calendar_days_count_every_day_and_land_in_office_hours():
    assert CAL.due(at(2023, 10, 27, 9, 32), 10, Unit.CALENDAR_DAYS) == at(2023, 11, 6, 9, 32)
    assert CAL.due(at(2023, 10, 27, 9, 32), 9, Unit.CALENDAR_DAYS) == at(2023, 11, 6, 7, 0)  # a Sunday


def test_a_supplement_pause_adds_the_working_time_it_lasted():
    due = CAL.due(at(2023, 10, 30, 8, 0), 2, Unit.WORKING_DAYS)
    assert due == at(2023, 11, 1, 8, 0)
    # Paused Mon 15:00 to Wed 10:00: 2 + 8 + 3 = 13 working hours.
    assert CAL.between(at(2023, 10, 30, 15, 0), at(2023, 11, 1, 10, 0)) == timedelta(hours=13)
    assert CAL.extend_for_pause(due, at(2023, 10, 30, 15, 0), at(2023, 11, 1, 10, 0)) == at(
        2023, 11, 2, 15, 0
    )


def test_finished_dossiers_are_early_on_time_or_late():
    due = at(2023, 11, 1, 8, 0)
    assert CAL.classify(at(2023, 10, 31, 16, 0), due) == Outcome.EARLY
    assert CAL.classify(at(2023, 11, 1, 7, 30), due) == Outcome.ON_TIME
    assert CAL.classify(due, due) == Outcome.ON_TIME
    assert CAL.classify(at(2023, 11, 1, 9, 0), due) == Outcome.LATE


def test_a_site_calendar_ignores_weekend_opening_hours_for_deadlines():
    calendar = WorkingCalendar.from_sessions(
        "Asia/Ho_Chi_Minh",
        [(0, time(7, 30), time(11, 30)), (0, time(13, 0), time(17, 0)), (5, time(7, 30), time(11, 30))],
    )
    assert calendar.working_day == timedelta(hours=8)
    assert not calendar.sessions_on(date(2023, 10, 28))  # Saturday
    assert calendar.due(at(2023, 10, 30, 7, 30), 1, Unit.WORKING_HOURS) == at(2023, 10, 30, 8, 30)


@pytest.mark.parametrize("amount, unit", [(-1, Unit.WORKING_DAYS), (1, "fortnights")])
def test_impossible_processing_times_are_refused(amount, unit):
    with pytest.raises(ValueError):
        CAL.due(at(2023, 10, 30, 8, 0), amount, unit)
