"""A site's devices (kiosks, hall displays, post-office clients, counters' keypads and rating
tablets): a token shown once and kept only as its hash, until it is revoked; each change is
announced as ``device.changed`` after commit."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from ...auth import services as accounts
from ...auth.models import DeviceToken
from ...errors import ApiError
from ...events import publish_after_commit
from ...lookups import get_or_404
from ...sites.models import Site
from .common import flush

log = logging.getLogger(__name__)


def get_device(session: Session, device_id: int) -> DeviceToken:
    return get_or_404(
        session, DeviceToken, device_id, code="unknown_device", message=f"No device {device_id}."
    )


def _device_changed(session: Session, device: DeviceToken) -> None:
    publish_after_commit(
        session,
        "device.changed",
        {
            "site": device.site.code,
            "device_id": device.id,
            "kind": device.kind,
            "name": device.name,
            "revoked": device.revoked,
        },
    )


def issue_device(
    session: Session, site: Site, kind: str, name: str, counter_number: int | None
) -> tuple[DeviceToken, str]:
    """A new device token; the plain token is returned once and only its hash is kept."""
    try:
        device, token = accounts.issue_device_token(session, kind, site.code, name, counter_number)
    except ApiError as error:  # name the field the page should point at
        error.details.setdefault("field", "counter" if "counter" in error.code else "kind")
        raise
    log.info("device %s (%s) issued at %s", device.id, kind, site.code)
    _device_changed(session, device)
    return device, token


def revoke_device(session: Session, device: DeviceToken) -> DeviceToken:
    """Refused from its very next request on (only its hash was ever kept)."""
    accounts.revoke_device_token(device)
    flush(session)
    log.info("device %s of %s revoked", device.id, device.site.code)
    _device_changed(session, device)
    return device
