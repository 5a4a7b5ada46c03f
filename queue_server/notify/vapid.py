"""The server's VAPID key (RFC 8292), which signs every Web Push message.

A browser's push subscription is bound to the public half of this key (the page passes it as
``applicationServerKey``), and a push service accepts a message for that subscription only when
it is signed with the private half. So the key must stay the same for as long as subscriptions
live, and be the same on every host that sends: it comes from ``VAPID_PRIVATE_KEY`` (PEM, or
base64url of the raw 32-byte key, as ``vapid --gen`` and web-push tools print it), or is made
once in the instance folder like the secret key (:func:`..config.made_once`), which serves one
host. Several hosts behind one nginx must be given the same key in their environment.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from py_vapid.utils import b64urlencode

from .. import config as settings

KEY_FILE = "vapid_private_key.pem"


def made_once(instance_dir: Path) -> str:
    """The PEM of this host's key, made the first time it is asked for."""
    return settings.made_once(instance_dir, KEY_FILE, _new_key)


def _new_key() -> str:
    key = Vapid02()
    key.generate_keys()
    return key.private_pem().decode()


@functools.lru_cache(maxsize=4)
def load(text: str) -> Vapid02:
    """The key of ``VAPID_PRIVATE_KEY``'s text, or ConfigurationError saying what it must be."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            return Vapid02.from_pem(text.encode())
        return Vapid02.from_string(text)
    except Exception as error:  # noqa: BLE001 (py_vapid raises whatever its parsers raise)
        raise settings.ConfigurationError(
            "VAPID_PRIVATE_KEY is neither a PEM private key nor the base64url of a raw P-256 key "
            f"({type(error).__name__}). Make one with: vapid --gen"
        ) from None


def application_server_key(text: str) -> str:
    """The public key as pages pass it to ``pushManager.subscribe``: base64url of the
    uncompressed point, without padding."""
    public = load(text).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64urlencode(public)


def subject(config: dict) -> str:
    """The ``sub`` claim: who a push service may contact about our messages."""
    if config.get("VAPID_SUBJECT"):
        return config["VAPID_SUBJECT"]
    base = config.get("PUBLIC_BASE_URL") or ""
    if base.startswith("https://"):
        return base
    return f"mailto:webpush@{urlsplit(base).hostname or 'localhost'}"
