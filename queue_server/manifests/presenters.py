"""A manifest as the API answers it, to the console and to the post office's sync."""

from __future__ import annotations

from ..timefmt import iso
from . import operations
from .models import Manifest


def manifest_view(manifest: Manifest) -> dict:
    return {
        "code": manifest.code,
        "direction": manifest.direction,
        "status": manifest.status,
        "from_site": manifest.from_site.code,
        "to_site": manifest.to_site.code,
        "created_at": iso(manifest.created_at),
        "closed_at": iso(manifest.closed_at),
        "received_at": iso(manifest.received_at),
        "counts": operations.summary(manifest),
        "items": [
            {
                "dossier": item.dossier_code,
                "state": item.state,
                "known": item.dossier_id is not None,
                "arrived_at": iso(item.arrived_at),
            }
            for item in manifest.items
        ],
    }
