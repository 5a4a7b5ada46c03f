"""What every page of the client works with, held once per application: the local store, the
settings and the sync loop (with the shift's login throttle).

:func:`~.app.create_app` puts a :class:`Postal` in ``app.extensions["postal"]``, and the views
find it there (:func:`current_postal`) rather than in closures of the factory, so that each
blueprint can be imported on its own and registered on any application that carries one (a
test gives it a store in a temporary folder and no loop).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from .config import Settings
from .printing import local_time
from .shift import Throttle
from .store import Store
from .sync import SyncLoop

# The header badge's words for the sync loop's state (:class:`.sync.Status`).
CONNECTION = {
    "online": "Đã kết nối",
    "offline": "Mất kết nối",
    "refused": "Máy chủ từ chối",
    "unknown": "Chưa đồng bộ",
}


@dataclass
class Postal:
    """The client's extension object; ``loop`` is None when the pages run without syncing."""

    settings: Settings
    store: Store
    loop: SyncLoop | None = None
    throttle: Throttle = field(default_factory=Throttle)

    def kick(self) -> None:
        """Wake the sync loop after a record, so that it leaves at once when the server answers."""
        if self.loop is not None:
            self.loop.kick()

    def sync_status(self) -> dict:
        """The connection badge: the loop's state, what waits in the outbox, the last sync."""
        counts = self.store.counts()
        status = self.loop.syncer.status if self.loop else None
        state = status.state if status else "unknown"
        last = (
            status.last_success.isoformat()
            if status and status.last_success
            else self.store.get_meta("last_sync_at")
        )
        return {
            "state": state,
            "label": CONNECTION[state],
            "message": status.message if status else "",
            "pending": counts["pending"] + counts["sent"],
            "rejected": counts["rejected"],
            "uploads": counts["uploads"],
            "last_success": local_time(last),
        }


def current_postal() -> Postal:
    """The :class:`Postal` of the application handling this request."""
    return current_app.extensions["postal"]
