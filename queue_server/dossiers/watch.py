"""Flag dossiers about to be late (or already late, or owing an apology) to their centre's
supervisors, once.

Each server process runs :func:`watch` in the background every ``DOSSIER_WATCH_SECONDS``
(and ``flask check-deadlines`` does one pass, e.g. from a timer). Several processes may look
at the same dossier at the same moment: the flag is set by a conditional update, so only one
of them records it and tells the supervisors (``dossier.due_soon`` to the staff room).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from ..actors import SYSTEM
from ..database import utcnow
from ..events import publish_after_commit
from ..timefmt import iso
from . import lifecycle
from .models import Dossier
from .rules import DossierStatus

log = logging.getLogger(__name__)

# A due-soon window of a few working hours never spans more calendar time than this (Tết).
HORIZON = timedelta(days=30)


def flag_due_soon(session: Session, now: datetime | None = None) -> list[str]:
    """Flag every open dossier that became due soon or late; return their codes."""
    now = now or utcnow()
    candidates = session.scalars(
        select(Dossier)
        .where(
            Dossier.status.in_(DossierStatus.OPEN),
            Dossier.paused_since.is_(None),
            Dossier.due_soon_flagged_at.is_(None),
            Dossier.due_at <= now + HORIZON,
        )
        .order_by(Dossier.due_at)
    ).all()
    flagged = []
    for dossier in candidates:
        # A dossier not yet passed to its agency is shown in the lists, not announced.
        flags = [flag for flag in lifecycle.flags(session, dossier, now) if flag != "transfer_due"]
        if not flags:
            continue
        claimed = cast(  # an UPDATE's result has a cursor
            CursorResult,
            session.execute(
                update(Dossier)
                .where(Dossier.id == dossier.id, Dossier.due_soon_flagged_at.is_(None))
                .values(due_soon_flagged_at=now)
            ),
        ).rowcount
        if not claimed:
            continue
        lifecycle.record_flag(session, dossier, SYSTEM, now, flags)
        publish_after_commit(
            session,
            "dossier.due_soon",
            {
                "site": dossier.site.code,
                "code": dossier.code,
                "due_at": iso(dossier.promised_at),
                "flags": flags,
            },
        )
        flagged.append(dossier.code)
    session.commit()
    return flagged


# The flags the managers' home counts: a dossier about to be late, and one already late.
LATE_FLAGS = ("due_soon", "overdue")


def late_counts(session: Session, site_id: int, now: datetime | None = None) -> dict[str, int]:
    """How many open dossiers the site handles are due soon and overdue at ``now`` (by
    :func:`lifecycle.flags`, as the dossier list's ``flag`` filter finds them), whether or not
    they were already announced."""
    now = now or utcnow()
    counts = dict.fromkeys(LATE_FLAGS, 0)
    for dossier in session.scalars(
        select(Dossier).where(
            Dossier.site_id == site_id,
            Dossier.status.in_(DossierStatus.OPEN),
            Dossier.paused_since.is_(None),
            Dossier.due_at <= now + HORIZON,
        )
    ):
        for flag in lifecycle.flags(session, dossier, now):
            if flag in counts:
                counts[flag] += 1
    return counts


def watch(app, socketio) -> None:
    """The background loop of one process."""
    from ..database import db

    interval = app.config.get("DOSSIER_WATCH_SECONDS", 0)
    while interval > 0:
        socketio.sleep(interval)
        with app.app_context():
            try:
                codes = flag_due_soon(db.session())
                if codes:
                    log.info("flagged %d dossiers to their supervisors", len(codes))
            except Exception:  # the database may be down for a while; try again next time
                log.exception("deadline watch failed")
                db.session.rollback()
            finally:
                db.session.remove()


def start_on_first_request(app, socketio) -> None:
    """Start :func:`watch` in a serving process (not in CLI commands, which serve nothing)."""
    started: list[bool] = []

    @app.before_request
    def _start_watch():
        if not started:
            started.append(True)
            socketio.start_background_task(watch, app, socketio)
