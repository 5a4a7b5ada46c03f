"""Small helpers shared by the rule tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from queue_server.auth.access import Actor
from queue_server.auth.models import User
from queue_server.database import utcnow
from queue_server.sites import staffing
from queue_server.sites.calendar import business_date
from queue_server.sites.models import Counter, Site

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SYSTEM = Actor()


def local(*args) -> datetime:
    """An aware datetime in Vietnam's local time."""
    return datetime(*args, tzinfo=VN)


def site(session, code="NA-HCC") -> Site:
    return session.scalar(select(Site).where(Site.code == code))


def counter(session, number, code="NA-HCC") -> Counter:
    return session.scalar(select(Counter).join(Site).where(Site.code == code, Counter.number == number))


def officer(session, username="officer1") -> Actor:
    return Actor(user=session.scalar(select(User).where(User.username == username)))


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def staff(session, numbers, code="NA-HCC", username="officer1", day=None) -> None:
    """Put an officer at the counters on ``day`` (today by default), as his first call does, so
    that they receive tickets and the waits count them (sites/staffing.py); commits."""
    user = session.scalar(select(User).where(User.username == username))
    for number in numbers:
        at = counter(session, number, code)
        staffing.sign_on(at, user.id, day or business_date(at.site, utcnow()))
    session.commit()
