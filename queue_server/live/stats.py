"""``queue.stats``: waiting counts and expected waits, published off the request path.

Counting the queue inside every ticket's transaction would hold the numbering locks longer and
cost every request several queries. Instead each process notes which services of which site
changed, and a background task publishes their figures at most every
``LIVE_STATS_SECONDS``: a burst of a hundred tickets gives one update, not a hundred. The
figures are absolute, so it does not matter which process sends them; ``as_of`` is the site's
event sequence they include at least.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from flask_socketio import SocketIO
from sqlalchemy import select

from ..database import db, utcnow
from ..queueing.snapshot import active_services, service_stats
from ..sites.calendar import business_date
from ..sites.models import Site

log = logging.getLogger(__name__)

ALL_SERVICES = None


class StatsPublisher:
    def __init__(self) -> None:
        self.app: Flask | None = None
        self.socketio: SocketIO | None = None
        self._pending: dict[str, tuple[set[str] | None, int]] = {}
        self._lock = threading.Lock()
        self._running = False

    def init_app(self, app, socketio) -> None:
        self.app = app
        self.socketio = socketio

    @property
    def interval(self) -> float:
        return self.app.config.get("LIVE_STATS_SECONDS", 0) if self.app else 0

    def mark(self, site_code: str, service_codes: set[str] | None, seq: int) -> None:
        """Note that these services (None: all) of the site changed, up to event ``seq``."""
        if self.interval <= 0:
            return
        with self._lock:
            codes, last = self._pending.get(site_code, (set(), 0))
            if service_codes is ALL_SERVICES or codes is ALL_SERVICES:
                codes = ALL_SERVICES
            else:
                codes = codes | service_codes
            self._pending[site_code] = (codes, max(last, seq))
            start = not self._running
            self._running = True
        if start:
            assert self.socketio is not None  # a positive interval: init_app has run
            self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        assert self.socketio is not None  # started once init_app has run
        while True:
            self.socketio.sleep(self.interval)
            with self._lock:
                pending, self._pending = self._pending, {}
            for site_code, (codes, seq) in pending.items():
                try:
                    self._publish(site_code, codes, seq)
                except Exception:  # a failed update is superseded by the next one
                    log.exception("could not publish queue.stats for %s", site_code)

    def _publish(self, site_code: str, codes: set[str] | None, seq: int) -> None:
        assert self.app is not None and self.socketio is not None  # run once init_app has run
        with self.app.app_context():
            session = db.session()
            try:
                site = session.scalar(select(Site).where(Site.code == site_code))
                if site is None:
                    return
                services = [s for s in active_services(session, site) if codes is None or s.code in codes]
                stats = service_stats(session, site, business_date(site, utcnow()), services)
            finally:
                session.rollback()
        self.socketio.emit(
            "queue.stats", {"site": site_code, "as_of": seq, "services": stats}, to=f"site:{site_code}"
        )


publisher = StatsPublisher()
