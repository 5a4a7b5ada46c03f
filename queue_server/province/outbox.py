"""Writing what the province is told in the transaction of the dossier change (the outbox).

:func:`write` answers :data:`queue_server.events.committing`, the transaction's last step: each
"dossier.changed" event of a dossier whose handling site has its province link on becomes one
:class:`.models.ProvinceMessage`, keyed "<dossier code>:<dossier event id>" and inserted with
ON CONFLICT DO NOTHING: it commits with the change or not at all, and is never written twice.
The dossiers never import this package.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ..database import upsert, utcnow
from ..dossiers import lifecycle
from ..dossiers.models import DossierEvent
from ..events import committing
from ..outboxes import woken_on_commit, written
from .models import MessageStatus, ProvinceImport, ProvinceLink, ProvinceMessage
from .statuses import code_for, payload

_WRITTEN = "province_written"
wake = woken_on_commit(_WRITTEN)  # this process's inline worker sends new rows at once


def message_key(dossier_code: str, event_id: int) -> str:
    return f"{dossier_code}:{event_id}"


@committing.connect
def write(session: Session, *, events: list[tuple[str, dict]], tickets: list[dict]) -> None:
    """Add the transaction's messages to the province to it (see the module's docstring)."""
    changes = [payload_ for name, payload_ in events if name == "dossier.changed"]
    if not changes:
        return
    links: dict[int, ProvinceLink | None] = {}
    rows: list[dict] = []
    now = utcnow()
    done: set[int] = set()
    for change in changes:
        dossier = lifecycle.changed(session, change["code"])
        if dossier is None:
            continue
        if dossier.site_id not in links:
            links[dossier.site_id] = session.scalar(
                select(ProvinceLink).where(
                    ProvinceLink.site_id == dossier.site_id, ProvinceLink.enabled.is_(True)
                )
            )
        link = links[dossier.site_id]
        if link is None:
            continue
        # This change's event: the latest of its action not written yet in this transaction.
        moves = [e for e in dossier.events if e.action == change["action"] and e.id not in done]
        if not moves:
            continue
        move: DossierEvent = max(moves, key=lambda e: e.id or 0)
        if move.id is None:
            session.flush()
        code = code_for(move.action, link.status_codes)
        if not code:
            continue
        done.add(move.id)
        imported = session.scalar(
            select(ProvinceImport.province_code).where(ProvinceImport.dossier_id == dossier.id)
        )
        rows.append(
            {
                "key": message_key(dossier.code, move.id),
                "site_id": dossier.site_id,
                "dossier_id": dossier.id,
                "dossier_code": dossier.code,
                "event_id": move.id,
                "action": move.action,
                "status_code": code,
                "payload": payload(dossier, move, code, imported),
                "status": MessageStatus.PENDING,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
            }
        )
    if rows:
        table = cast(Table, ProvinceMessage.__table__)
        session.execute(upsert(table).values(rows).on_conflict_do_nothing(index_elements=["key"]))
        written(session, _WRITTEN)
        session.flush()
