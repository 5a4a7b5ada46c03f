"""Due dates in working time: weekends, Tết, substitute days, make-up Saturdays, lunch,
evenings, cut-off hours, calendar days by the Civil Code, pauses."""

from datetime import date, time, timedelta

import pytest

from queue_server.dossiers.deadlines import Outcome, Unit, WorkingCalendar

from .helpers import local as at  # the local time a deadline starts or ends at

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


def test_an_admin_declares_a_make_up_saturday():
    # Saturday 11/05/2024 is an ordinary Saturday: worked only when an admin says so.
    assert CAL.due(at(2024, 5, 10, 9, 0), 1, Unit.WORKING_DAYS) == at(2024, 5, 13, 9, 0)
    calendar = WorkingCalendar(extra_working_days={date(2024, 5, 11)})
    assert calendar.due(at(2024, 5, 10, 9, 0), 1, Unit.WORKING_DAYS) == at(2024, 5, 11, 9, 0)


def test_the_governments_make_up_saturday_of_22_august_2026_is_a_working_day():
    # Bộ Nội vụ 9441/TB-BNV: Saturday 22/8/2026 is worked, Monday 31/8 is off; 1/9 and 2/9 are
    # the National Day. Friday 21/8 09:00 + 1 working day: the Saturday, on Monday's hours.
    assert CAL.is_working_day(date(2026, 8, 22)) and not CAL.is_working_day(date(2026, 8, 31))
    assert CAL.due(at(2026, 8, 21, 9, 0), 1, Unit.WORKING_DAYS) == at(2026, 8, 22, 9, 0)
    # Friday 28/8 09:00 + 2 working days: Monday 31/8 to Wednesday 2/9 are off.
    assert CAL.due(at(2026, 8, 28, 9, 0), 2, Unit.WORKING_DAYS) == at(2026, 9, 4, 9, 0)


def test_an_admins_day_off_beats_the_make_up_saturday_and_a_site_may_ignore_them():
    off = WorkingCalendar(days_off={date(2026, 8, 22)})
    assert off.due(at(2026, 8, 21, 9, 0), 1, Unit.WORKING_DAYS) == at(2026, 8, 24, 9, 0)
    ignoring = WorkingCalendar(count_makeup_days=False)
    assert not ignoring.is_working_day(date(2026, 8, 22))
    assert ignoring.due(at(2026, 8, 21, 9, 0), 1, Unit.WORKING_DAYS) == at(2026, 8, 24, 9, 0)


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


def test_calendar_days_end_at_the_close_of_their_last_day_or_of_the_next_working_day():
    # Bộ luật Dân sự 2015 Điều 147-148: from the day after receipt to the end of the last day;
    # a last day that is a weekend day or holiday gives way to the next working day's close.
    assert CAL.due(at(2023, 10, 27, 9, 32), 10, Unit.CALENDAR_DAYS) == at(2023, 11, 6, 17, 0)  # Monday
    assert CAL.due(at(2023, 10, 27, 9, 32), 9, Unit.CALENDAR_DAYS) == at(2023, 11, 6, 17, 0)  # a Sunday
    assert CAL.due(at(2023, 10, 27, 9, 32), 8, Unit.CALENDAR_DAYS) == at(2023, 11, 6, 17, 0)  # a Saturday
    # Last day Monday 31/8/2026 (off for the make-up Saturday), then 1/9 and 2/9: Thursday 3/9.
    assert CAL.due(at(2026, 8, 21, 10, 0), 10, Unit.CALENDAR_DAYS) == at(2026, 9, 3, 17, 0)
    # 30 days from Wednesday 21/1/2026 end on Friday 20/2/2026, in Tết: Monday 23/2.
    assert CAL.due(at(2026, 1, 21, 10, 0), 30, Unit.CALENDAR_DAYS) == at(2026, 2, 23, 17, 0)


def test_received_after_the_cut_off_the_time_counts_from_the_next_working_day():
    cutoff = time(15, 0)
    # Monday 30/11/2026: at 14:59 the day counts; at 15:00 the clock starts Tuesday 07:00.
    assert CAL.due(at(2026, 11, 30, 14, 59), 1, Unit.WORKING_DAYS, cutoff) == at(2026, 12, 1, 14, 59)
    assert CAL.due(at(2026, 11, 30, 15, 0), 1, Unit.WORKING_DAYS, cutoff) == at(2026, 12, 1, 17, 0)
    assert CAL.clock_start(at(2026, 11, 30, 16, 10), cutoff) == at(2026, 12, 1, 7, 0)
    # Without a cut-off the last two hours of Monday count.
    assert CAL.due(at(2026, 11, 30, 15, 0), 1, Unit.WORKING_DAYS) == at(2026, 12, 1, 15, 0)
    # Friday 21/8/2026 after 15:00: the next working day is the make-up Saturday.
    assert CAL.due(at(2026, 8, 21, 15, 30), 4, Unit.WORKING_HOURS, cutoff) == at(2026, 8, 22, 11, 0)
    # Calendar days after the cut-off: the next working day is the first day of the period.
    assert CAL.due(at(2026, 11, 30, 16, 0), 3, Unit.CALENDAR_DAYS, cutoff) == at(2026, 12, 3, 17, 0)
    assert CAL.due(at(2026, 11, 30, 14, 0), 3, Unit.CALENDAR_DAYS, cutoff) == at(2026, 12, 3, 17, 0)
    assert CAL.due(at(2026, 12, 4, 16, 0), 1, Unit.CALENDAR_DAYS, cutoff) == at(2026, 12, 7, 17, 0)


def test_a_dossier_reaches_its_agency_the_same_day_or_the_next_morning_after_the_cut_off():
    cutoff = time(15, 0)
    assert CAL.transfer_deadline(at(2026, 11, 30, 9, 0), cutoff) == at(2026, 11, 30, 17, 0)
    assert CAL.transfer_deadline(at(2026, 11, 30, 15, 30), cutoff) == at(2026, 12, 1, 11, 30)
    assert CAL.transfer_deadline(at(2026, 12, 4, 16, 0), cutoff) == at(2026, 12, 7, 11, 30)  # Friday
    assert CAL.transfer_deadline(at(2026, 12, 5, 9, 0), cutoff) == at(2026, 12, 7, 17, 0)  # Saturday


def test_a_promised_date_is_always_a_working_instant():
    assert CAL.working_instant(at(2026, 12, 4, 17, 0)) == at(2026, 12, 4, 17, 0)  # a closing
    assert CAL.working_instant(at(2026, 12, 6, 9, 0)) == at(2026, 12, 7, 7, 0)  # Sunday
    assert CAL.working_instant(at(2026, 12, 7, 12, 0)) == at(2026, 12, 7, 13, 30)  # lunch
    assert CAL.close_of(date(2026, 9, 1)) == at(2026, 9, 3, 17, 0)
    assert CAL.subtract(at(2026, 12, 1, 9, 0), timedelta(hours=8)) == at(2026, 11, 30, 9, 0)
    assert CAL.subtract(at(2026, 12, 7, 9, 0), timedelta(hours=8)) == at(2026, 12, 4, 9, 0)


def test_a_supplement_pause_adds_the_working_time_it_lasted():
    due = CAL.due(at(2023, 10, 30, 8, 0), 2, Unit.WORKING_DAYS)
    assert due == at(2023, 11, 1, 8, 0)
    # Paused Mon 15:00 to Wed 10:00: 2 + 8 + 3 = 13 working hours.
    assert CAL.between(at(2023, 10, 30, 15, 0), at(2023, 11, 1, 10, 0)) == timedelta(hours=13)
    assert CAL.extend_for_pause(due, at(2023, 10, 30, 15, 0), at(2023, 11, 1, 10, 0)) == at(
        2023, 11, 2, 15, 0
    )


def test_a_supplement_round_that_took_no_working_time_leaves_the_promise_as_it_was():
    # Due at a closing (17:00); the citizen was asked at 17:10 and came back at 06:30 the next
    # morning: no working time passed, so the due instant stays 17:00 (not 07:00 the next day).
    due = at(2026, 12, 1, 17, 0)
    assert CAL.extend_for_pause(due, at(2026, 11, 30, 17, 10), at(2026, 12, 1, 6, 30)) == due
    assert CAL.add(due, timedelta(0)) == due


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
