"""Appointments (đặt lịch hẹn): slots a citizen books from a phone, checked in at the kiosk or
the counter, where they become a ticket called in its slot."""
