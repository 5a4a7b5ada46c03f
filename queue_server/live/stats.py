"""``queue.stats``: waiting counts and expected waits, published off the request path.

Counting the queue inside every ticket's transaction would hold the numbering locks longer and
cost every request several queries. Instead each process notes which services of which site
changed, and a background task publishes their figures at most every
``LIVE_STATS_SECONDS``: a burst of a hundred tickets gives one update, not a hundred. The
figures are absolute, so it does not matter which process sends them; ``as_of`` is the site's
event sequence they include at least.

With the Redis message queue, several processes take tickets and calls for one site, and each
would publish its own update every interval: every screen of the site would get one frame per
process and interval, with two workers at a centre's pace as many frames as the calls make
(``docs/benchmarks.md``, "Live fan-out"). So the processes pool what changed in Redis
(:class:`SharedMarks`) and take turns: per site and interval, the first process whose tick comes
claims the interval and publishes the figures of every service any process marked; the others
leave their marks in the pool for it, or for themselves at their next tick if it was claimed
before they pooled them (a change then reaches the screens within two intervals rather
than one). A process pools its marks only after their changes committed and the
publisher counts after taking the pool, so the figures it sends include every change it took.
If Redis fails, each process publishes its own as before.
"""

from __future__ import annotations

import logging
import threading

import redis
from sqlalchemy import select

from ..database import db, utcnow
from ..queueing.snapshot import active_services, service_stats
from ..sites.calendar import business_date
from ..sites.models import Site
from .queue import ResyncingRedisManager
from .ticker import Ticker

log = logging.getLogger(__name__)

ALL_SERVICES = None
# What the pool answers when another process has claimed the site's interval: try again at the
# next tick (the marks stay pooled; whoever claims first publishes them).
NOT_YOUR_TURN = "not your turn"


class SharedMarks:
    """The services the processes saw change, pooled in Redis per site, and the claim on the
    site's current interval (keys under the Socket.IO channel, so that two deployments sharing
    one Redis stay apart)."""

    # KEYS: the site's changed services (a set), the highest sequence marked, the interval's
    # claim. ARGV: this process's sequence, the interval in ms, its changed services. Returns
    # nil if another process holds the interval, {} if nothing is pooled, else the sequence
    # followed by the pooled services (taken out of the pool).
    SCRIPT = """
    if #ARGV > 2 then redis.call('SADD', KEYS[1], unpack(ARGV, 3)) end
    if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[2]) or '0') then
      redis.call('SET', KEYS[2], ARGV[1])
    end
    if redis.call('SCARD', KEYS[1]) == 0 then return {} end
    if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[2]) then return nil end
    local taken = redis.call('SMEMBERS', KEYS[1])
    redis.call('DEL', KEYS[1])
    table.insert(taken, 1, redis.call('GET', KEYS[2]) or '0')
    return taken
    """
    # How the pool holds a service code, and "all of the site's services".
    SERVICE, ALL = "s:", "*"

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.script = client.register_script(self.SCRIPT)
        self.prefix = prefix

    def take(self, site_code: str, codes: set[str] | None, seq: int, interval: float):
        """Pool this process's marks for the site; if the pool holds any and the site's interval
        is not claimed, claim it and return (services or ALL_SERVICES, sequence) to publish.
        None if nothing is pooled; :data:`NOT_YOUR_TURN` if another process holds the interval."""
        members = [self.ALL] if codes is ALL_SERVICES else [self.SERVICE + code for code in sorted(codes)]
        keys = [f"{self.prefix}:{site_code}:{part}" for part in ("changed", "seq", "turn")]
        taken = self.script(keys=keys, args=[seq, max(1, int(interval * 1000)), *members])
        if taken is None:
            return NOT_YOUR_TURN
        if not taken:
            return None
        pooled = {member.decode() for member in taken[1:]}
        services = ALL_SERVICES if self.ALL in pooled else {m[len(self.SERVICE) :] for m in pooled}
        return services, int(taken[0])


class StatsPublisher(Ticker):
    SETTING = "LIVE_STATS_SECONDS"
    FAILURE = "could not publish queue.stats"

    def __init__(self) -> None:
        super().__init__()
        self.shared: SharedMarks | None = None
        self._pending: dict[str, tuple[set[str] | None, int]] = {}
        self._waiting: set[str] = set()  # sites whose interval another process held at our tick
        self._lock = threading.Lock()

    def init_app(self, app, socketio) -> None:
        super().init_app(app, socketio)
        manager = socketio.server.manager
        if isinstance(manager, ResyncingRedisManager):
            self.shared = SharedMarks(manager.redis, f"{manager.channel}:queue.stats")

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
        self.start()

    def tick(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        for site_code in sorted(pending.keys() | self._waiting):
            codes, seq = pending.get(site_code, (set(), 0))
            try:
                due = self._due(site_code, codes, seq)
                if due is not None:
                    self._publish(site_code, *due)
            except Exception:  # a failed update is superseded by the next one
                log.exception("could not publish queue.stats for %s", site_code)

    def _due(self, site_code: str, codes: set[str] | None, seq: int) -> tuple[set[str] | None, int] | None:
        """What to publish for the site at this tick: this process's marks, or with the Redis
        message queue all processes' if it is this process's turn; None for nothing now."""
        own = (codes, seq) if codes is ALL_SERVICES or codes else None
        if self.shared is None:
            return own
        try:
            due = self.shared.take(site_code, codes, seq, self.interval)
        except redis.RedisError as error:  # screens may get one frame per process meanwhile
            log.warning("queue.stats of %s published without the other processes: %s", site_code, error)
            return own
        if due == NOT_YOUR_TURN:
            self._waiting.add(site_code)
            return None
        self._waiting.discard(site_code)
        return due

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
