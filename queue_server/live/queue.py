"""The Redis message queue between worker processes, made to survive Redis going away.

python-socketio's :class:`socketio.RedisManager` sends every event to the clients of its own
process at once and publishes it on Redis for the other processes. When Redis is down, the
publish fails (after retrying) and the other processes' clients never get that event; when
Redis returns, the listener resubscribes silently. A hall display connected to another worker
would then show the old state until a later event revealed the gap. :class:`ResyncingRedisManager`
changes three things:

- **The screens resync when the queue comes back.** Once the listener has resubscribed after a
  failure (Redis confirmed the subscription, so nothing published from then on is missed), it
  calls :attr:`~ResyncingRedisManager.on_reconnect` in a background task;
  :func:`queue_server.live.resync_local_screens` sends each site room of this process a fresh
  ``snapshot``, the message screens already handle on every (re)connect.
- **It retries every few seconds** (``RETRY_MAX_SECONDS``), not after up to a minute.
- **A request never waits long on Redis.** Upstream makes two attempts, each with redis-py's
  default ten retries and backoff, and no read timeout: a Redis that stops answering would hold
  the officer's request forever. Here a publish fails at once when Redis refuses, and within
  half a second (``PUBLISH_OPTIONS``) when it does not answer; the publishes that follow a
  timeout within ``UNRESPONSIVE_PAUSE_SECONDS`` are dropped without waiting.

If only publishing fails while the listeners stay connected (a Redis that stalls without
dropping its connections), no listener reconnects; the other processes' screens then catch up
on the next event they receive, whose sequence number shows the gap (``static/js/live.js``).

It also changes when a process's own sockets get its events: upstream writes an event to them
first and publishes it afterwards, so the other processes started writing to theirs only once
this one had finished (with a thousand hall screens a worker, 20-30 ms later), and an officer's
answer waited for those writes too. Here an event goes to Redis first and every process, this
one included, writes it to its sockets when Redis hands it back: all at once, in the one order
Redis gives them. If Redis did not take it, this process's sockets get it at once, as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar

import redis
import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry

from .fanout import FanoutManager

log = logging.getLogger(__name__)

RETRY_MAX_SECONDS = 4
# Publishing: a refused connection fails at once; a stale one (Redis restarted) is retried once
# on a fresh connection; a Redis that does not answer costs at most the read timeout.
PUBLISH_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "retry": Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
}
# After a publish timed out, the next ones within this time are dropped at once: a call (up to
# four events) waits once, not four times.
UNRESPONSIVE_PAUSE_SECONDS = 1
# The listener blocks on its connection until a message comes: no read timeout.
LISTEN_OPTIONS = {"socket_connect_timeout": 2, "socket_keepalive": True, "retry": Retry(NoBackoff(), 0)}
# A message of several events (ResyncingRedisManager.together); only this module's listeners
# read it, and every process of a deployment runs the same code.
BATCH = "batch"
# The events the current greenlet (a request) is gathering into one message, if it is.
_gathering: ContextVar[list[dict] | None] = ContextVar("socketio_gathering", default=None)


class ResyncingRedisManager(socketio.RedisManager, FanoutManager):
    """Upstream's Redis manager, emitting to this process's sockets as :class:`FanoutManager`
    does (it comes after ``RedisManager`` and before python-socketio's ``Manager`` in the
    method order, so that upstream's ``super().emit`` reaches it)."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel=channel)
        self.redis = redis.Redis.from_url(url, **PUBLISH_OPTIONS)  # connects on first use
        self.connected = True
        self.on_reconnect: Callable[[], None] | None = None
        self._unresponsive_until = 0.0

    def _emitted_here(self, message) -> bool:
        """An event of this process's that waits for no answer: it reaches this process's
        sockets through Redis. One that waits (a callback) needs the sender's ``host_id`` and
        goes the upstream way."""
        return message.get("host_id") == self.host_id and message.get("callback") is None

    def _handle_emit(self, message):
        """Upstream calls this for an event emitted here before publishing it: skipped, the
        event comes back from Redis (:meth:`_publish`). Events of other processes as upstream."""
        if self._emitted_here(message):
            return
        super()._handle_emit(message)

    def _publish(self, data):
        """Publish once (upstream tries twice, each with redis-py's ten retries and backoff).

        An event emitted here is published without this process's ``host_id``, so that its
        own listener hands it to its sockets as the other processes' listeners do; inside
        :meth:`together` it waits for the block's end.
        """
        if data.get("method") == "emit" and self._emitted_here(data):
            data = {**data, "host_id": None}
            gathered = _gathering.get()
            if gathered is not None:
                gathered.append(data)
            else:
                self._publish_events([data])
            return
        self._send(data)

    @contextmanager
    def together(self) -> Iterator[None]:
        """The events emitted in the block go to Redis as one message at its end: a call's
        deltas for the hall and for the phones following its two tickets are one round trip,
        and one message for each process's listener to read, instead of three."""
        if _gathering.get() is not None:  # an outer block sends them
            yield
            return
        gathered: list[dict] = []
        token = _gathering.set(gathered)
        try:
            yield
        finally:
            _gathering.reset(token)
            if gathered:
                self._publish_events(gathered)

    def _publish_events(self, events: list[dict]) -> None:
        """Events emitted here, as one message; if Redis did not take it, or no listener is
        subscribed, to this process's sockets now."""
        message = events[0] if len(events) == 1 else {"method": BATCH, "messages": events}
        if not self._send(message):
            for event in events:
                super()._handle_emit(event)

    def _send(self, data) -> int:
        """The number of listeners Redis gave ``data`` to; 0 if it could not be published."""
        if time.monotonic() < self._unresponsive_until:
            return 0  # it did not answer a moment ago: do not make this request wait too
        try:
            return self.redis.publish(self.channel, self.json.dumps(data))
        except redis.RedisError as error:  # lost for the other processes; they resync later
            if isinstance(error, redis.TimeoutError):
                self._unresponsive_until = time.monotonic() + UNRESPONSIVE_PAUSE_SECONDS
            log.error("could not publish to the message queue: %s", error)
            return 0

    def _listen(self):
        """Upstream's, with the events of a :data:`BATCH` message handed on one by one (parsed
        here; upstream's loop takes a parsed message as it is)."""
        for data in super()._listen():
            try:
                message = self.json.loads(data)
            except ValueError:  # not ours; upstream skips what it cannot read too
                continue
            if isinstance(message, dict) and message.get("method") == BATCH:
                yield from message.get("messages", ())
            else:
                yield message

    def _redis_listen_with_retries(self):
        """Upstream's loop, plus :attr:`on_reconnect` once resubscribed after a failure."""
        retry_sleep = 1
        failed = False
        while True:
            pubsub = None
            try:
                pubsub = redis.Redis.from_url(self.redis_url, **LISTEN_OPTIONS).pubsub()
                pubsub.subscribe(self.channel)
                for message in pubsub.listen():
                    if message["type"] == "subscribe":  # Redis confirmed: nothing is missed now
                        retry_sleep = 1
                        if failed:
                            failed = False
                            log.warning("message queue back: resyncing this process's screens")
                            if self.on_reconnect is not None:
                                self.server.start_background_task(self.on_reconnect)
                    yield message  # _listen() passes on the channel's messages only
            except Exception as error:  # noqa: BLE001  (any failure: reconnect)
                log.error("message queue unreachable (%s); retrying in %s s", error, retry_sleep)
                failed = True
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:  # noqa: BLE001  (the connection is gone anyway)
                        pass
                time.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, RETRY_MAX_SECONDS)


def together(manager) -> AbstractContextManager[None]:
    """:meth:`ResyncingRedisManager.together` for ``manager``; with any other, the events go one
    by one as they are emitted."""
    return manager.together() if isinstance(manager, ResyncingRedisManager) else nullcontext()


def socketio_queue_options(config) -> dict:
    """``SocketIO.init_app``'s message queue options for ``SOCKETIO_MESSAGE_QUEUE``.

    A Redis URL gets a :class:`ResyncingRedisManager`, none a :class:`FanoutManager`; any
    other is left to Flask-SocketIO as before.
    """
    url = config.get("SOCKETIO_MESSAGE_QUEUE")
    channel = config.get("SOCKETIO_CHANNEL") or "flask-socketio"
    if url and url.startswith(("redis://", "rediss://")):
        return {"client_manager": ResyncingRedisManager(url, channel=channel)}
    if not url:
        return {"client_manager": FanoutManager()}
    return {"message_queue": url, "channel": channel}
