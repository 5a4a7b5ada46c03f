"""Keep the objects of open WebSockets out of the garbage collector's full passes.

A full collection (CPython's generation 2) walks every tracked object the process holds and
holds the process's one thread meanwhile. ``gunicorn.conf.py`` freezes the application's own
objects at start (``gc.freeze``); the WebSockets that connect later are not frozen, and a
worker holding a thousand screens' connections had about 190,000 of their objects in that
walk: a full pass took 80-150 ms, several times a minute while the screens had just connected,
and every call or frame that arrived meanwhile waited (``docs/benchmarks.md``, "Live fan-out",
"Pauses of the collector"). Those objects live as long as their screens, hours.

So once the number of open sockets has grown by ``LIVE_FREEZE_MIN_SOCKETS`` and a quarter, and
no longer grows that fast (the screens of a hall connect together, at opening or after a restart), the
process collects once and freezes what is left: the new sockets' objects join the permanent
generation, and the passes that follow walk only what requests and frames make. A frozen object
is still freed when nothing refers to it; only a reference cycle among frozen objects outlives
its socket. So once a quarter of the frozen sockets (and at least as many) have
closed, the process unfreezes, collects everything once (reclaiming those cycles) and freezes
again: one pause for a hall of screens that came or went, instead of one every few seconds.

``LIVE_FREEZE_SECONDS`` is how often a process looks (0: never); ``LIVE_FREEZE_MIN_SOCKETS``
the growth or loss in sockets that counts (see ``config.py``).
"""

from __future__ import annotations

import gc
import logging
import time

from .ticker import Ticker

log = logging.getLogger(__name__)


class SocketFreezer(Ticker):
    SETTING = "LIVE_FREEZE_SECONDS"
    FAILURE = "could not look after the sockets' objects"

    def __init__(self) -> None:
        super().__init__()
        self.frozen: set[str] = set()  # Engine.IO session ids open at the last freeze
        self._seen = 0  # sockets open at the previous check

    @property
    def min_change(self) -> int:
        return self.app.config.get("LIVE_FREEZE_MIN_SOCKETS", 100) if self.app else 100

    def watch(self) -> None:
        """Start looking after this process's sockets (called as a socket connects)."""
        # Not in a test's own process (the Flask test client): gunicorn's workers hold the screens.
        if self.app is not None and not self.app.testing:
            self.start()

    def tick(self) -> None:
        assert self.socketio is not None  # ticking once init_app has run
        # Engine.IO drops a closed socket from its table later, in its service task.
        sockets = list(self.socketio.server.eio.sockets.items())
        self.check({sid for sid, socket in sockets if not socket.closed})

    def check(self, open_now: set[str]) -> str | None:
        """Freeze or refreeze if the open sockets (their Engine.IO session ids) call for it;
        what was done ("froze", "refroze") or None."""
        seen, self._seen = self._seen, len(open_now)
        enough = max(self.min_change, len(self.frozen) / 4)  # a change of sockets worth a pause
        if len(self.frozen - open_now) >= enough:
            action = "refroze"
            gc.unfreeze()  # the closed sockets' cycles become collectable again
        elif (
            len(open_now) - len(self.frozen) >= enough
            and len(open_now) - seen < self.min_change  # not in the middle of the screens connecting
        ):
            action = "froze"
        else:
            return None
        started = time.perf_counter()
        gc.collect()
        gc.freeze()
        self.frozen = open_now
        log.info(
            "%s the objects of %d open sockets out of the collector's passes (%d objects frozen, %.0f ms)",
            action,
            len(open_now),
            gc.get_freeze_count(),
            1000 * (time.perf_counter() - started),
        )
        return action


freezer = SocketFreezer()
