"""How many numbers one kiosk, or one member of staff, may take: ``KIOSK_RATE_LIMIT``.

A stuck key or a script pressing the screen would otherwise empty the day's range of numbers.
Past the limit a press is refused with 429 and ``Retry-After``, the seconds until the window
starts again (the API's ``issue_ticket``).

Counted on the taker's own row (``auth.models.TakesNumbers``: the kiosk's token, the member of
staff), not in the shared store of the other limits (``security.limited``): the press reads
that row anyway, in its one statement (``operations.find_press``; a member of staff comes with
the session), and writes it with the log's commit (``journal.with_commit``). In Redis the count
cost each press a round trip of its own, 7-8% of its CPU (docs/benchmarks.md, issue 21), and
every worker and server counts together here all the same.

- Fixed windows of the limit's period, from the clock's round times (a minute from :00), as
  Redis counted (its windows began at the first press).
- Only numbers taken count: a kiosk's resend of a press that already took one (its
  ``client_id``) is answered with that ticket, and counts no more.
- On SQLite the count is exact (the press holds the write lock from its first read). On
  PostgreSQL it is read without a lock and raised by one at the commit, so presses of one
  taker in flight at the same moment may each see the count from before the others: a taker
  sending n at once may get n - 1 numbers past the limit in a window. A kiosk sends one press
  at a time.
"""

from __future__ import annotations

import time
from functools import cache, lru_cache
from typing import cast

from limits import RateLimitItem, parse_many
from sqlalchemy import BindParameter, Integer, Table, bindparam, case, update
from sqlalchemy.orm import Session

from ..actors import Actor
from ..auth.models import DeviceToken, TakesNumbers, User
from ..security import too_many
from . import journal


def count_number(session: Session, actor: Actor, limit: str, now: float | None = None) -> None:
    """Count a number ``actor`` is taking against ``limit`` ("30 per minute"), or refuse it
    (429) if its window is full. The count is written with the transaction's commit: a press
    refused later, or rolled back, took nothing."""
    taker: TakesNumbers
    if actor.device is not None:
        taker, table, taker_id = actor.device, DeviceToken.__table__, actor.device.id
    elif actor.user is not None:
        taker, table, taker_id = actor.user, User.__table__, actor.user.id
    else:
        return  # the server itself (a booking's check-in): admitted when it was booked
    item = _item(limit)
    now = time.time() if now is None else now
    period = item.get_expiry()
    window = int(now // period) * period
    taken = taker.taken_in_window if taker.taken_window == window else 0
    if taken >= item.amount:
        raise too_many(item, window + period - now)
    journal.with_commit(session, _counted(cast(Table, table)), {"taker": taker_id, "window": window})


@lru_cache(maxsize=16)
def _item(limit: str) -> RateLimitItem:
    (item,) = parse_many(limit)  # one rate: config.check refuses to start with more
    return item


@cache
def _counted(table: Table):
    """One more number in the window, or the first of a new one: computed by the database from
    the row as the commit finds it, so that two commits of one taker both count."""
    window: BindParameter[int] = bindparam("window", type_=Integer)
    return (
        update(table)
        .where(table.c.id == bindparam("taker"))
        .values(
            taken_in_window=case((table.c.taken_window == window, table.c.taken_in_window + 1), else_=1),
            taken_window=window,
        )
    )
