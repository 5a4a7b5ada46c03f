"""The link and the messages as the API and the reconciliation page show them: never the
secret, never personal data (the rows hold none)."""

from __future__ import annotations

from .models import Adapter, ProvinceLink, ProvinceMessage
from .statuses import DEFAULT_CODES, code_for


def link_view(link: ProvinceLink | None) -> dict:
    own = dict(link.status_codes or {}) if link is not None else {}
    return {
        "configured": link is not None,
        "enabled": bool(link and link.enabled),
        "adapter": link.adapter if link is not None else Adapter.JSON,
        "endpoint_url": link.endpoint_url if link is not None else None,
        "username": link.username if link is not None else None,
        "secret_set": bool(link and link.secret),
        "timeout_seconds": link.timeout_seconds if link is not None else 10.0,
        "status_codes": {action: code_for(action, own) for action in DEFAULT_CODES},
        "own_codes": own,
        "personal_data": bool(link and link.personal_data),
        "soap_action": link.soap_action if link is not None else None,
        "soap_namespace": link.soap_namespace if link is not None else None,
    }


def message_view(message: ProvinceMessage) -> dict:
    return {
        "id": message.id,
        "key": message.key,
        "dossier_code": message.dossier_code,
        "action": message.action,
        "status_code": message.status_code,
        "status": message.status,
        "attempts": message.attempts,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
        "answered_at": message.answered_at,
        "http_status": message.http_status,
        "reason": message.reason,
        "province_ref": message.province_ref,
        "payload": message.payload,
    }
